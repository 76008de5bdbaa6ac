"""Registry import at scale: the full validating import against the raw floor, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shegong_bench \\
        python bench/registry_import.py [N] [--format xlsx|csv] [--keep]
    python bench/registry_import.py 100000          # SQLite: var/bench-registry.sqlite3

Generates an N-row import file (default 1,000,000; one row per person, households of 1 to 6;
real county and township codes from shegong/data/henan-divisions.csv, made-up villages 200-399
under real townships, created as Regions with is_synthetic=True; Chinese names from Faker
zh_CN; valid ID numbers), cached under var/bench/. Then, on the same database:

- **import**: `run_import()` exactly as `shegong registry import` runs it (read, check every
  row, group households, look up, write in transactions of ~5,000 rows with every index and
  constraint of registry_person/registry_household in place), wall clock;
- **raw floor**: the same person rows (read back from registry_person beforehand, untimed)
  loaded into an unindexed, unconstrained copy of registry_person — PostgreSQL: COPY FROM
  STDIN through psycopg's write_row; SQLite: executemany INSERT — in one transaction;

- **indexed floor**: the imported households and persons loaded as they are into the registry
  tables themselves, with every index and constraint, then rolled back: the database's own
  share, whatever the importer does;

and prints rows/second of each and the ratios, plus the import's peak memory. The registry
tables are emptied first (TRUNCATE on PostgreSQL: use a database kept for benchmarks).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
# Never the development database: SQLite benchmarks get a file of their own.
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-registry.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from shegong.core.idnumbers import citizen_id_check_char  # noqa: E402
from shegong.core.models import Membership, Region, RegionLevel, User  # noqa: E402
from shegong.registry.importer.engine import run_import  # noqa: E402
from shegong.registry.importer.rows import COLUMNS  # noqa: E402
from shegong.registry.importer.services import create_batch  # noqa: E402
from shegong.registry.models import Household, Person  # noqa: E402

VILLAGES_PER_TOWNSHIP = 20
HOUSEHOLDS_PER_VILLAGE = 150
RELATIONS = ["配偶", "之子", "之女", "之父", "之母", "之孙子", "之孙女", "兄弟姐妹"]
EDUCATION = ["小学", "初中", "高中", "文盲或半文盲", "大专及以上", ""]
HEALTH = ["健康", "长期慢性病", "患有大病", "残疾", "健康", "健康"]
LABOUR = ["普通劳动力", "技能劳动力", "丧失劳动力", "无劳动力"]
WORK = ["无", "乡(镇)内务工", "县内乡外务工", "省内县外务工", "省外务工"]
TYPES = ["一般贫困户", "低保贫困户", "特困供养贫困户"]
CAUSES = ["因病", "因残", "因学", "缺技术", "缺劳力", "缺资金", "交通条件落后"]


def villages_needed(n: int) -> list[str]:
    """Synthetic villages (codes 200-399 under real townships), created when missing."""
    wanted = max(1, n // (HOUSEHOLDS_PER_VILLAGE * 3))
    townships = list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP)
        .order_by("code")
        .values_list("code", flat=True)
    )
    codes: list[str] = []
    new: list[Region] = []
    have = set(
        Region.objects.filter(level=RegionLevel.VILLAGE, is_synthetic=True).values_list(
            "code", flat=True
        )
    )
    for t in townships:
        for k in range(VILLAGES_PER_TOWNSHIP):
            code = f"{t[:9]}{200 + k:03d}"
            codes.append(code)
            if code not in have:
                new.append(
                    Region(
                        code=code,
                        name=f"基准村{200 + k}",
                        level=RegionLevel.VILLAGE,
                        parent_id=t,
                        is_synthetic=True,
                    )
                )
            if len(codes) == wanted:
                break
        if len(codes) == wanted:
            break
    Region.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return codes


def generate(path: Path, n: int, villages: list[str], fmt: str, seed: int = 20160101) -> int:
    """Write the file; returns the number of households."""
    from faker import Faker

    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    names = [fake.name() for _ in range(20_000)]
    used: set[str] = set()
    start = datetime.date(1935, 1, 1).toordinal()
    span = datetime.date(2020, 12, 31).toordinal() - start

    def id_number(county: str) -> str:
        while True:
            birth = datetime.date.fromordinal(start + rng.randrange(span)).strftime("%Y%m%d")
            body = f"{county}{birth}{rng.randrange(1000):03d}"
            if body not in used:
                used.add(body)
                return body + citizen_id_check_char(body)

    def rows():
        written = households = 0
        while written < n:
            village = villages[households % len(villages)]
            number = f"{village}{households // len(villages):05d}"
            households += 1
            size = min(rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6]), n - written)
            kind = rng.choice(TYPES)
            main = rng.choice(CAUSES)
            # Valid data by the registry's rules: no secondary cause equal to the main one.
            others = "、".join(rng.sample([c for c in CAUSES if c != main], rng.randint(0, 2)))
            income = f"{rng.randint(1500, 9000)}.{rng.randint(0, 99):02d}"
            for k in range(size):
                work = rng.choice(WORK)
                # Months away only for someone who works away.
                months = str(rng.randint(0, 12)) if work != "无" else "0"
                yield [
                    number,
                    village,
                    "户主" if k == 0 else rng.choice(RELATIONS),
                    rng.choice(names),
                    id_number(village[:6]),
                    "",
                    "汉族",
                    rng.choice(EDUCATION),
                    "",
                    rng.choice(HEALTH),
                    rng.choice(LABOUR),
                    work,
                    months,
                    rng.choice(["是", "否"]),
                    kind,
                    main,
                    others,
                    income,
                    f"{village}号",
                    f"138{rng.randrange(10**8):08d}",
                ]
            written += size
        rows.households = households  # type: ignore[attr-defined]

    gen = rows()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    if fmt == "csv":
        import csv

        with tmp.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            w.writerows(gen)
    else:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("建档立卡导入")
        ws.append(list(COLUMNS))
        for row in gen:
            id_cell = WriteOnlyCell(ws, value=row[4])
            id_cell.number_format = "@"
            row[4] = id_cell
            ws.append([None if v == "" else v for v in row])
        wb.save(tmp)
    tmp.replace(path)
    return rows.households  # type: ignore[attr-defined]


def empty_registry() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE registry_person, registry_household CASCADE")
        else:
            for table in (
                "registry_mergerecord",
                "registry_duplicatecandidate",
                "registry_povertyexit",
                "registry_person",
                "registry_household",
            ):
                cur.execute(f"DELETE FROM {table}")


def load(cur: Any, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Rows into a table the quickest plain way: PostgreSQL COPY FROM STDIN, else executemany."""
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def raw_floor() -> tuple[int, float]:
    """Rows/second of loading the imported person rows into an unindexed copy."""
    columns = [str(f.column) for f in Person._meta.concrete_fields if not f.primary_key]
    names = ", ".join(columns)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {names} FROM registry_person")
        rows = cur.fetchall()
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_person_floor")
        cur.execute(
            f"CREATE TABLE bench_person_floor AS SELECT {names} FROM registry_person WHERE 1 = 0"
        )
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        load(cur, "bench_person_floor", columns, rows)
    elapsed = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_person_floor")
    return len(rows), elapsed


def indexed_floor() -> float:
    """Seconds to load the imported households and persons, as they are, into the registry
    tables themselves, with every index and constraint (foreign keys checked as the rows
    arrive), then roll back: what the database needs for these rows whatever the importer
    does. PostgreSQL: COPY; SQLite: executemany."""
    tables = []
    for model in (Household, Person):
        columns = [str(f.column) for f in model._meta.concrete_fields]
        with connection.cursor() as cur:
            cur.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table}")
            tables.append((model._meta.db_table, columns, cur.fetchall()))
    with transaction.atomic():
        empty_registry()
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            t = time.perf_counter()
            for table, columns, rows in tables:
                load(cur, table, columns, rows)
            elapsed = time.perf_counter() - t
        transaction.set_rollback(True)  # the import's rows stay as they were
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--keep", action="store_true", help="keep the imported rows")
    parser.add_argument(
        "--again", action="store_true", help="also time importing the same file a second time"
    )
    args = parser.parse_args()
    n = args.n

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(
        username="bench_importer", defaults={"full_name": "基准测试"}
    )
    Membership.objects.get_or_create(user=user, role="province_admin", region_id="410000000000")
    villages = villages_needed(n)
    path = ROOT / "var" / "bench" / f"registry-{n}.{args.format}"
    t = time.perf_counter()
    if not path.exists():
        # In a child process, so the import's peak memory below is its own.
        import multiprocessing

        connection.close()
        child = multiprocessing.get_context("fork").Process(
            target=generate, args=(path, n, villages, args.format)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit("generating the file failed")
        print(
            f"generated {path.name}: {n:,} rows in {len(villages):,} villages "
            f"in {time.perf_counter() - t:.1f} s"
        )
    empty_registry()

    batch = create_batch(actor=user, region_code="410000000000", file_name=path.name)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    phases: dict[str, float] = {}  # progress message → when it was first reported

    def on_progress(phase: str, done: int, total: int | None) -> None:
        phases.setdefault(phase, time.perf_counter())

    t = time.perf_counter()
    batch = run_import(batch, path, on_progress=on_progress)
    elapsed = time.perf_counter() - t
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert batch.status == "done", batch.message
    print(batch.summary)
    rate = batch.rows / elapsed

    floor_rows, floor_s = raw_floor()
    floor_rate = floor_rows / floor_s
    indexed_s = indexed_floor()
    indexed_rate = batch.rows / indexed_s
    vendor = connection.vendor
    print(
        f"{vendor}, {args.format}, {batch.rows:,} rows, "
        f"{Household.objects.count():,} households, {os.cpu_count()} cores"
    )
    print(f"import (read + check + write, all indexes): {elapsed:8.1f} s  {rate:10,.0f} rows/s")
    floor_how = "COPY FROM STDIN" if vendor == "postgresql" else "executemany INSERT"
    print(f"raw floor ({floor_how}, unindexed copy): {floor_s:8.1f} s  {floor_rate:10,.0f} rows/s")
    print(f"ratio import/floor: {rate / floor_rate:.1%}")
    print(
        f"indexed floor (the same households and persons straight into the registry tables, "
        f"every index and constraint): {indexed_s:.1f} s  {indexed_rate:,.0f} rows/s"
    )
    print(f"ratio import/indexed floor: {rate / indexed_rate:.1%}")
    # Where the import's time went: from one progress message to the next (checking, writing,
    # the error report and summary).
    marks = sorted(phases.items(), key=lambda item: item[1])
    ends = [at for _phase, at in marks[1:]] + [t + elapsed]
    starts = [t] + [at for _phase, at in marks[1:]]
    names = [marks[0][0] if marks else "", *[phase for phase, _at in marks[1:]]]
    print(
        "phases: "
        + ", ".join(
            f"{name} {end - start:.1f} s"
            for name, start, end in zip(names, starts, ends, strict=True)
        )
    )
    print(f"peak RSS: {rss_before / 1024:.0f} MiB before import, {rss_after / 1024:.0f} MiB after")
    if args.again:
        # The same file again: every row is looked up and found unchanged, nothing is written.
        second = create_batch(actor=user, region_code="410000000000", file_name=path.name)
        t = time.perf_counter()
        second = run_import(second, path)
        again_s = time.perf_counter() - t
        assert second.unchanged == batch.created + batch.updated + batch.unchanged, second.summary
        print(second.summary)
        print(f"the same file again (all unchanged): {again_s:8.1f} s  {n / again_s:10,.0f} rows/s")
    if not args.keep:
        empty_registry()


if __name__ == "__main__":
    main()
