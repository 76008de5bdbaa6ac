"""Search by ID number and the household page at Henan's full size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shegong_bench10m \
        python bench/registry_lookup.py [PERSONS]

Loads PERSONS persons (default 10,000,000, about 2.9 per household) into made-up villages under
every real township with PostgreSQL COPY (once; later runs reuse the data), then times, for a
固始 county officer, what the pages do: the person search by ID number (selector evaluated),
the pinyin-initials search's first page, and the whole household page rendered through the
Django test client. Baseline in the same run: a primary-key fetch of one person. Medians of
25 runs, milliseconds.
"""

from __future__ import annotations

import datetime
import io
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from shegong.core.idnumbers import citizen_id_check_char  # noqa: E402
from shegong.core.models import Membership, Region, User  # noqa: E402
from shegong.registry.models import Household, Person  # noqa: E402
from shegong.registry.names import name_initials  # noqa: E402
from shegong.registry.selectors import person_search  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曾"
GIVEN = ["伟", "强", "磊", "军", "勇", "杰", "芳", "娜", "敏", "静", "丽", "建国", "秀英", "桂兰"]
RELATIONS = ["head", "spouse", "son", "daughter"]


def villages() -> list[str]:
    townships = list(Region.objects.filter(level="township").values_list("code", flat=True))
    existing = set(Region.objects.filter(level="village").values_list("code", flat=True))
    new = [
        Region(
            code=f"{t[:9]}{200 + i:03d}",
            name=f"基准村{i}",
            level="village",
            parent_id=t,
            is_synthetic=True,
        )
        for t in townships
        for i in range(2)
        if f"{t[:9]}{200 + i:03d}" not in existing
    ]
    Region.objects.bulk_create(new, batch_size=2000)
    return sorted(existing | {r.code for r in new})


def load(n: int) -> None:
    have = Person.objects.count()
    if have >= n:
        return
    rng = random.Random(1)
    codes = villages()
    initials = {s + g: name_initials(s + g) for s in SURNAMES for g in GIVEN}
    names = list(initials)
    now = "2026-11-29 00:00:00+08"
    seq = have
    hh_id = Household.objects.order_by("-id").values_list("id", flat=True).first() or 0
    person_rows = io.StringIO()
    household_rows = io.StringIO()
    made = have

    def flush() -> None:
        with connection.cursor() as cur:
            with cur.connection.cursor().copy(
                "COPY registry_household (id, number, region_id, address, phone, household_type,"
                " poverty_status, main_cause, secondary_causes, housing_structure, helper_name,"
                " helper_phone, member_count, version, created_at, updated_at) FROM STDIN"
            ) as copy:
                copy.write(household_rows.getvalue())
            with cur.connection.cursor().copy(
                "COPY registry_person (household_id, region_id, name, name_initials, id_number,"
                " sex, birth_date, ethnicity, relation, education, in_school, health, labour,"
                " work_status, is_dibao, has_medical_insurance, has_pension,"
                " has_serious_illness_insurance, phone, left_behind, left_behind_confirmed,"
                " version, created_at, updated_at) FROM STDIN"
            ) as copy:
                copy.write(person_rows.getvalue())
        household_rows.seek(0)
        household_rows.truncate()
        person_rows.seek(0)
        person_rows.truncate()

    while made < n:
        hh_id += 1
        village = codes[hh_id % len(codes)]
        size = 1 + rng.randrange(4)
        household_rows.write(
            f"{hh_id}\t{village}{hh_id:010d}\t{village}\t\t\tordinary\tnot_out"
            f"\tillness\t[]\t\t\t\t{size}\t1\t{now}\t{now}\n"
        )
        for k in range(size):
            seq += 1
            # (birth date, sequence) pairs never repeat, so every ID number is unique.
            birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=(seq // 1000) % 29000)
            body = f"{village[:6]}{birth:%Y%m%d}{seq % 1000:03d}"
            ident = body + citizen_id_check_char(body)
            name = names[rng.randrange(len(names))]
            sex = "male" if seq % 2 else "female"
            relation = RELATIONS[min(k, 3)] if k < 2 else ("son" if seq % 2 else "daughter")
            person_rows.write(
                f"{hh_id}\t{village}\t{name}\t{initials[name]}\t{ident}\t{sex}\t"
                f"{birth}\t汉族\t{relation}\t\t\t\t\t\tf\tf\tf\tf\t\t\tf\t1\t{now}"
                f"\t{now}\n"
            )
            made += 1
        if hh_id % 50_000 == 0:
            flush()
            print(f"  loaded {made:,} persons", flush=True)
    flush()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('registry_household', 'id'), "
            "(SELECT max(id) FROM registry_household))"
        )
        cur.execute("ANALYZE registry_household")
        cur.execute("ANALYZE registry_person")


def timed(fn, runs: int = 25) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> None:
    assert connection.vendor == "postgresql", "this benchmark loads with COPY"
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load(N)
    print(f"data ready in {time.perf_counter() - started:.0f} s")
    settings.ALLOWED_HOSTS = ["*"]
    user, _ = User.objects.get_or_create(username="bench_gushi")
    Membership.objects.get_or_create(
        user=user, role="civil_affairs_officer", region_id="411525000000"
    )
    person = (
        Person.objects.filter(region_id__gte="411525", region_id__lt="411526")
        .order_by("id")
        .first()
    )
    assert person is not None
    client = Client()
    client.force_login(user)
    url = f"/registry/households/{person.household_id}/"
    assert client.get(url).status_code == 200

    baseline = timed(lambda: Person.objects.get(pk=person.pk))
    by_id = timed(lambda: list(person_search(actor=user, filters={"q": person.id_number})))
    initials = timed(
        lambda: list(person_search(actor=user, filters={"q": "zw"}).order_by("-pk")[:51])
    )
    page = timed(lambda: client.get(url))
    total = Person.objects.count()
    print(f"postgresql, {total:,} persons, {Household.objects.count():,} households")
    print(f"  baseline: one person by primary key   {baseline:7.2f} ms")
    print(f"  search by ID number (固始 officer)     {by_id:7.2f} ms")
    print(f"  search 'zw', first page of 50        {initials:7.2f} ms")
    print(f"  household page, full render          {page:7.2f} ms")


if __name__ == "__main__":
    main()
