"""The registry import (建档立卡导入): check the whole file, then write whole households.

How a file goes in
------------------
1. **Check** (streaming): every row is read once, checked on its own (`rows.RowChecker`) and
   spooled, normalised, to a temporary file. Kept in memory: the number of rows per household
   number and the set of ID numbers seen (to find an ID that appears twice), nothing else.
2. **Group and write** (streaming over the spool): rows are buffered per household until the
   household's last row has been read, then the household is judged as a whole: one bad row,
   no head or two heads, or a duplicated ID rejects every row of it. Good households collect
   into batches of about `BATCH_ROWS` rows; each batch is looked up in the registry, planned
   (created / updated / unchanged) and written in **one transaction**, together with the
   batch's running counts. A process killed half-way leaves only whole households behind;
   running the same file again continues where it stopped (upsert by ID number and household
   number: what is already there counts as unchanged).

Rules the plan follows (and the summary message repeats)
--------------------------------------------------------
- The household's fields (行政区划代码, 贫困户属性, 致贫原因, 收入, 住址, 联系电话) come from the
  head's row; other rows' household columns are ignored when they disagree.
- A blank cell (or a missing optional column) keeps what the registry has; on a new record the
  field takes its default.
- Members in the registry but absent from the file are never deleted. If the file names a
  different head, the old head is demoted first (to the relation the file gives, or 其他).
- A person already registered in another household moves to the file's household (counted as
  updated and listed in the audit event), unless that household lies outside the importer's
  jurisdiction, or the person heads it and other members would be left without a head.
- A household number registered outside the importer's jurisdiction rejects its rows.
- Person.region always equals its household's region; member_count is recounted.

One audit event per batch (`registry.import`), with the counts, never one per row.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import itertools
import logging
import marshal
import os
import queue
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import audit
from shegong.core.exports import write_xlsx
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.models import Region, RegionLevel, TaskProgress
from shegong.core.regions import prefix_of
from shegong.core.roles import Perm
from shegong.core.scoping import can, prefixes_q
from shegong.core.tasks import progress_update

from ..codes import HouseholdType, Relation
from ..models import Household, ImportBatch, ImportStatus, Person
from ..names import name_initials
from ..rules import MemberFacts, derive_left_behind
from ..services import left_behind_refresh
from . import writers
from .reader import open_table
from .rows import (
    F_ADDRESS,
    F_BIRTH,
    F_CAUSES,
    F_DIBAO,
    F_EDUCATION,
    F_ETHNICITY,
    F_HEALTH,
    F_ID,
    F_IN_SCHOOL,
    F_INCOME,
    F_LABOUR,
    F_MAIN_CAUSE,
    F_MONTHS,
    F_NAME,
    F_PHONE,
    F_REGION,
    F_RELATION,
    F_SEX,
    F_TYPE,
    F_WORK,
    ImportRefused,
    RowChecker,
)
from .services import HEARTBEAT_EVERY, imports_mark_interrupted
from .writers import _H, _P, HOUSEHOLD_FIELDS, PERSON_FIELDS, Plan, _db_column

log = logging.getLogger(__name__)

audit.register_actions({"registry.import": gettext_lazy("导入建档立卡数据")})

# Rows per write transaction (whole households, so a batch may run a little over).
BATCH_ROWS = 5000
PROGRESS_EVERY = 5000
# Entries of the "moved" list kept in the audit event; the count is always complete.
AUDIT_MOVED_LIMIT = 200
# Sort the error report by row number when it is at most this long (otherwise: file order of
# households, which is nearly the same).
SORT_REPORT_LIMIT = 200_000
# Use COPY on PostgreSQL; tests switch it off to exercise the generic path there too.
POSTGRES_FAST_PATH = True
# On PostgreSQL (outside a caller's transaction), write each batch in a background thread
# with its own connection while the next batch is planned: the database digests one batch
# (index maintenance) while Python prepares the next.
PIPELINE = True
# Outside a caller's transaction, check rows on two cores (a forked child takes every other
# row); files smaller than this are checked in one process.
PARALLEL_CHECK = True
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
# Two writers let PostgreSQL maintain the indexes of two batches at once (2-core target).
WRITER_THREADS = 2

HOUSEHOLD_LEVELS = (RegionLevel.VILLAGE, RegionLevel.TOWNSHIP)

# Persons: (row position → model field, default on create) for the fields a blank keeps.
_KEEPABLE = (
    (F_ETHNICITY, "ethnicity", ""),
    (F_EDUCATION, "education", ""),
    (F_IN_SCHOOL, "in_school", ""),
    (F_HEALTH, "health", ""),
    (F_LABOUR, "labour", ""),
    (F_WORK, "work_status", ""),
    (F_MONTHS, "months_away", None),
    (F_DIBAO, "is_dibao", False),
    (F_PHONE, "phone", ""),
)


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


@dataclass
class Notes:
    """What the summary and the audit event say beyond the counts."""

    moved: int = 0
    moved_list: list[dict[str, str]] = field(default_factory=list)
    absent_kept: int = 0
    demoted_heads: int = 0
    emptied: set[str] = field(default_factory=set)
    region_changed: int = 0
    birthplace_warnings: int = 0
    left_behind: int = 0


# A spooled row: (row number, cells as text, household number, ID number, row or None, errors,
# pinyin initials of the name: computed while checking, which runs on two cores)
Record = tuple[int, tuple[str, ...], str, str, Any, list[str], str]


@dataclass
class _Lookup:
    households: dict[str, tuple]  # number → (id, *HOUSEHOLD_FIELDS, member_count)
    persons: dict[str, tuple]  # id_number → (id, *PERSON_FIELDS)
    members: dict[int, list[tuple[int, str, str]]]  # household id → (id, id_number, relation)
    source_numbers: dict[int, str]  # household id → number
    touched: set[int]  # existing households this batch reads or changes


class _BackgroundWriter:
    """Writes plans on `WRITER_THREADS` threads, each with its own database connection and
    one transaction per plan. Plans in flight never share a household (the importer waits
    when the next plan would), so they cannot conflict; each adds its own counts to the
    batch row, so the order in which they commit does not matter."""

    def __init__(self, batch_pk: Any, threads: int):
        self.batch_pk = batch_pk
        self.jobs: queue.Queue[Any] = queue.Queue(maxsize=threads)
        self.error: BaseException | None = None
        self.lock = threading.Lock()
        self.in_flight: dict[int, set[int]] = {}
        self.serial = 0
        self.left_behind = 0  # suggestions set, summed over the plans written
        self.threads = [
            threading.Thread(target=self._run, name=f"registry-import-writer-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        try:
            while True:
                job = self.jobs.get()
                try:
                    if job is None:
                        return
                    serial, plan, delta = job
                    suggested = 0
                    if self.error is None:
                        with transaction.atomic():
                            suggested = write_plan(plan)
                            ImportBatch.objects.filter(pk=self.batch_pk).update(
                                **{k: F(k) + v for k, v in delta.items()}
                            )
                    with self.lock:
                        self.in_flight.pop(serial, None)
                        self.left_behind += suggested
                except BaseException as exc:  # handed to the importing thread
                    self.error = exc
                finally:
                    self.jobs.task_done()
        finally:
            connection.close()

    def raise_if_failed(self) -> None:
        if self.error is not None:
            raise self.error

    def overlaps(self, touched: set[int]) -> bool:
        with self.lock:
            return any(touched & other for other in self.in_flight.values())

    def submit(self, plan: Plan, touched: set[int], delta: dict[str, int]) -> None:
        self.raise_if_failed()
        self.serial += 1
        with self.lock:
            self.in_flight[self.serial] = touched
        self.jobs.put((self.serial, plan, delta))

    def wait(self) -> None:
        self.jobs.join()
        self.raise_if_failed()

    def close(self) -> None:
        for _thread in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()


class Importer:
    def __init__(
        self,
        batch: ImportBatch,
        path: Path,
        *,
        progress: TaskProgress | None = None,
        on_progress: Callable[[str, int, int | None], None] | None = None,
    ):
        self.batch = batch
        self.path = path
        self.actor = batch.actor
        self.dry_run = batch.dry_run
        self.prefix = prefix_of(batch.region_id)
        self.today = timezone.localdate()
        self.progress = progress
        self.on_progress = on_progress
        self.counts = Counts()
        self.notes = Notes()
        self._allowed: dict[str, bool] = {}
        self._batch: list[tuple[str, list[Record]]] = []
        self._batch_rows = 0
        self._rejects: Any = None
        self._writer: _BackgroundWriter | None = None
        self._submitted: dict[str, int] = {}
        self._beat = timezone.now()
        self.header: tuple[str, ...] = ()

    # ---------------------------------------------------------------- jurisdiction
    def allowed(self, code: str) -> bool:
        """May this import write a record filed under `code`?"""
        try:
            return self._allowed[code]
        except KeyError:
            ok = code.startswith(self.prefix) and can(self.actor, Perm.IMPORT_REGISTRY, code)
            self._allowed[code] = ok
            return ok

    def _region_checker(self, *, offline: bool = False) -> Callable[[str], str | None]:
        """Why rows may not use a region code (None: they may). `offline` loads every region
        up front, so that a forked checker never needs the database."""
        regions = (
            Region.objects.all()
            if offline
            else Region.objects.filter(prefixes_q("code", [self.prefix]))
        )
        levels = dict(regions.values_list("code", "level"))
        batch_region = self.batch.region
        can(self.actor, Perm.IMPORT_REGISTRY)  # loads the memberships now

        def problem(code: str) -> str | None:
            level = levels.get(code)
            if level is None and not offline:
                level = Region.objects.filter(code=code).values_list("level", flat=True).first()
            if level is None:
                return _("行政区划代码 %(code)s 不存在。") % {"code": code}
            if not can(self.actor, Perm.IMPORT_REGISTRY, code):
                return _("行政区划代码 %(code)s 不在您的管辖范围内。") % {"code": code}
            if not self.allowed(code):
                return _("行政区划代码 %(code)s 不在本批次的导入范围(%(region)s)内。") % {
                    "code": code,
                    "region": batch_region.name,
                }
            if level not in HOUSEHOLD_LEVELS:
                return _(
                    "行政区划代码 %(code)s 是%(level)s级区划,请填写村(社区)或乡镇(街道)的代码。"
                ) % {"code": code, "level": RegionLevel(level).label}
            return None

        return problem

    # ---------------------------------------------------------------- progress
    def _tick(self, phase: str, done: int, total: int | None) -> None:
        now = timezone.now()
        if now - self._beat >= HEARTBEAT_EVERY:
            self._beat = now
            ImportBatch.objects.filter(pk=self.batch.pk).update(heartbeat_at=now)
        if self.on_progress is not None:
            self.on_progress(phase, done, total)
        if self.progress is not None:
            progress_update(self.progress, done=done, total=total, message=phase)

    # ---------------------------------------------------------------- the run
    def run(self) -> ImportBatch:
        batch = self.batch
        imports_mark_interrupted()
        self._beat = timezone.now()
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.RUNNING, heartbeat_at=self._beat
        )
        try:
            table = open_table(self.path)
        except ImportRefused as exc:
            return self._refuse(str(exc))
        except (OSError, ValueError) as exc:
            log.warning("import %s unreadable: %s", batch.pk, exc)
            return self._refuse(_("无法读取该文件,请上传 .xlsx 或 .csv 文件。"))
        self.header = table.header.headers
        outside_transaction = not connection.in_atomic_block
        parallel = (
            PARALLEL_CHECK
            and outside_transaction
            and _can_fork()
            and self.path.stat().st_size >= PARALLEL_MIN_BYTES
        )
        checker = RowChecker(
            table.header,
            region_problem=self._region_checker(offline=parallel),
            known_birthplaces=_henan_counties(),
            today=timezone.localdate(),
        )
        with _Spool() as spool, _Spool() as rejects, _Spool() as other:
            self._rejects = rejects
            try:
                if parallel:
                    per_household, duplicates, total = self._check_in_two(
                        table, checker, spool, other
                    )
                else:
                    per_household, _seen, duplicates, total = self._check(table, checker, spool)
                    self.counts.rows = total
                    self.notes.birthplace_warnings = checker.birthplace_warnings
                    self._tick(_("正在写入"), total, 2 * total)
            except ImportRefused as exc:
                return self._refuse(str(exc))
            finally:
                table.close()
            if (
                PIPELINE
                and not self.dry_run
                and connection.vendor == "postgresql"
                and outside_transaction
            ):
                self._writer = _BackgroundWriter(self.batch.pk, WRITER_THREADS)
            try:
                records = _interleave(spool, other) if parallel else iter(spool)
                self._group_and_write(records, per_household, duplicates, total)
            finally:
                if self._writer is not None:
                    self._writer.close()
            if self._writer is not None:
                self._writer.raise_if_failed()
                self.notes.left_behind += self._writer.left_behind
            report = self._write_report(rejects)
        return self._finish(report)

    def _check_in_two(
        self, table: Any, checker: RowChecker, spool: _Spool, other: _Spool
    ) -> tuple[dict[str, int], dict[str, int], int]:
        """`_check` on two cores: a forked child checks every other row into its own spool
        and sends back its household counts and ID numbers; this process checks the rest."""
        import multiprocessing

        connections.close_all()  # the child must not share a database connection
        receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
        # An in-memory sheet (calamine) is shared copy-on-write; a file is opened again.
        path = None if table.in_memory else self.path

        def child() -> None:
            try:
                mine = table if path is None else open_table(path)
                result = self._check(mine, checker, other, part=1, quiet=True)
                other.flush()
                send.send(("ok", result, checker.birthplace_warnings))
            except ImportRefused as exc:
                send.send(("refused", str(exc), 0))
            except BaseException as exc:  # reported, then raised in the parent
                send.send(("error", f"{type(exc).__name__}: {exc}", 0))

        process = multiprocessing.get_context("fork").Process(target=child, daemon=True)
        process.start()
        send.close()
        received = False
        try:
            mine = self._check(table, checker, spool, part=0)
            try:
                status, theirs, warnings = receive.recv()
            except EOFError:
                status, theirs, warnings = "error", f"exit code {process.exitcode}", 0
            received = True
        finally:
            if not received and process.is_alive():
                process.terminate()  # it may be blocked sending to nobody
            process.join()
        if status == "refused":
            raise ImportRefused(theirs)
        if status != "ok":
            raise RuntimeError(f"row check in the second process failed: {theirs}")
        other.count = theirs[3]
        checker.birthplace_warnings += warnings
        per_household, seen, duplicates, n = mine
        their_households, their_seen, their_duplicates, their_n = theirs
        for number, count in their_households.items():
            per_household[number] = per_household.get(number, 0) + count
        for id_number in seen & their_seen:
            duplicates[id_number] = duplicates.get(id_number, 1) + their_duplicates.get(
                id_number, 1
            )
        for id_number, count in their_duplicates.items():
            duplicates.setdefault(id_number, count)
        total = n + their_n
        self.counts.rows = total
        self.notes.birthplace_warnings = checker.birthplace_warnings
        self._tick(_("正在写入"), total, 2 * total)
        return per_household, duplicates, total

    def _check(
        self,
        table: Any,
        checker: RowChecker,
        spool: _Spool,
        *,
        part: int | None = None,
        quiet: bool = False,
    ) -> tuple[dict[str, int], set[str], dict[str, int], int]:
        """Check every row (or, with `part`, every other row: 0 even, 1 odd) into `spool`.
        Returns (rows per household number, ID numbers seen, duplicated ID numbers with
        their counts, rows checked)."""
        per_household: dict[str, int] = {}
        seen: set[str] = set()
        duplicates: dict[str, int] = {}
        append = spool.append
        estimated = table.estimated_rows
        total = estimated * 2 if estimated else None
        step = 1 if part is None else 2
        rows = table.rows if part is None else itertools.islice(table.rows, part, None, 2)
        n = 0
        check = checker.check
        for row_number, cells in rows:
            raw, number, id_number, row, errors = check(cells)
            initials = _initials(row[F_NAME]) if row is not None and not errors else ""
            append((row_number, raw, number, id_number, row, errors, initials))
            if number:
                per_household[number] = per_household.get(number, 0) + 1
            if id_number:
                if id_number in seen:
                    duplicates[id_number] = duplicates.get(id_number, 1) + 1
                else:
                    seen.add(id_number)
            n += 1
            if not quiet and n % PROGRESS_EVERY == 0:
                self._tick(_("正在检查"), n * step, total)
        return per_household, seen, duplicates, n

    def _group_and_write(
        self,
        records: Iterator[Record],
        per_household: dict[str, int],
        duplicates: dict[str, int],
        total: int,
    ) -> None:
        open_households: dict[str, list[Record]] = {}
        for i, record in enumerate(records):
            number = record[2]
            if not number:
                self._reject(record, self._with_duplicate(record, duplicates))
                continue
            expected = per_household[number]
            if expected == 1:
                self._household(number, [record], duplicates)
            else:
                rows = open_households.setdefault(number, [])
                rows.append(record)
                if len(rows) == expected:
                    del open_households[number]
                    self._household(number, rows, duplicates)
            if self._batch_rows >= BATCH_ROWS:
                self._flush()
            if (i + 1) % PROGRESS_EVERY == 0:
                self._tick(_("正在写入"), total + i + 1, 2 * total)
        assert not open_households
        self._flush()
        self._tick(_("正在生成结果"), 2 * total, 2 * total)

    # ---------------------------------------------------------------- households in the file
    def _household(self, number: str, records: list[Record], duplicates: dict[str, int]) -> None:
        """Judge one household's rows together; good households join the current batch."""
        problems: dict[int, list[str]] = {}
        for k, rec in enumerate(records):
            errors = self._with_duplicate(rec, duplicates)
            if errors:
                problems[k] = errors
        if not problems:
            heads = sum(1 for rec in records if rec[4][F_RELATION] == Relation.HEAD)
            if heads != 1:
                reason = (
                    _("该户(户编号 %(number)s)没有户主,每户必须有且只有一位户主。")
                    if heads == 0
                    else _("该户(户编号 %(number)s)有 %(count)d 位户主,每户必须有且只有一位户主。")
                ) % {"number": number, "count": heads}
                for rec in records:
                    self._reject(rec, [reason])
                return
            self._batch.append((number, records))
            self._batch_rows += len(records)
            return
        self._reject_household(records, problems)

    @staticmethod
    def _with_duplicate(record: Record, duplicates: dict[str, int]) -> list[str]:
        errors = list(record[5])
        if record[3] in duplicates:
            errors.append(
                _("证件号码在文件中出现了 %(count)d 次,重复的行均未导入。")
                % {"count": duplicates[record[3]]}
            )
        return errors

    def _reject_household(self, records: list[Record], problems: dict[int, list[str]]) -> None:
        bad_rows = "、".join(str(records[k][0]) for k in sorted(problems))
        sibling = _("同户第 %(rows)s 行有错误,整户未导入。") % {"rows": bad_rows}
        for k, rec in enumerate(records):
            self._reject(rec, problems.get(k) or [sibling])

    def _reject(self, record: Record, reasons: list[str]) -> None:
        self.counts.rejected += 1
        self._rejects.append((record[0], record[1], "；".join(reasons)))

    # ---------------------------------------------------------------- one batch
    def _flush(self) -> None:
        households, self._batch, self._batch_rows = self._batch, [], 0
        if not households:
            return
        if self.dry_run:
            plan, outcome = self._plan(households, lock=False)
            self._count(outcome)
            return
        if self._writer is not None:
            # PostgreSQL: plan this batch while the previous one is being written. A batch
            # that touches a household the one in flight touches waits for it and looks again.
            found = self._lookup(households, lock=False)
            if self._writer.overlaps(found.touched):
                self._writer.wait()
                found = self._lookup(households, lock=False)
            plan, outcome = self._decide(households, found)
            self._count(outcome)
            fields = self._progress_fields()
            delta = {k: v - self._submitted.get(k, 0) for k, v in fields.items()}
            self._submitted = fields
            self._writer.submit(plan, found.touched | plan.recount, delta)
            return
        with transaction.atomic():
            plan, outcome = self._plan(households, lock=True)
            self.notes.left_behind += write_plan(plan)
            self._count(outcome)
            ImportBatch.objects.filter(pk=self.batch.pk).update(**self._progress_fields())

    def _count(self, outcome: dict[str, int]) -> None:
        self.counts.created += outcome.get("created", 0)
        self.counts.updated += outcome.get("updated", 0)
        self.counts.unchanged += outcome.get("unchanged", 0)

    def _progress_fields(self) -> dict[str, int]:
        c = self.counts
        done = c.created + c.updated + c.unchanged + c.rejected
        return {
            "rows": done,
            "created": c.created,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "rejected": c.rejected,
        }

    def _plan(
        self, households: list[tuple[str, list[Record]]], *, lock: bool
    ) -> tuple[Plan, dict[str, int]]:
        return self._decide(households, self._lookup(households, lock=lock))

    def _lookup(self, households: list[tuple[str, list[Record]]], *, lock: bool) -> _Lookup:
        """What the registry holds for a batch's households and persons (reads only)."""
        numbers = [number for number, _rows in households]
        ids = [rec[3] for _n, rows in households for rec in rows]
        hh_qs = _where_in(Household.objects.all(), "number", numbers)
        if lock:
            hh_qs = hh_qs.select_for_update()
        existing_hh = {
            h[1]: h for h in hh_qs.values_list("id", *HOUSEHOLD_FIELDS, "member_count")
        }  # number → (id, *HOUSEHOLD_FIELDS, member_count)
        existing_p = {
            p[1 + _P["id_number"]]: p
            for p in _where_in(Person.objects.all(), "id_number", ids).values_list(
                "id", *PERSON_FIELDS
            )
        }  # id_number → (id, *PERSON_FIELDS)
        target_of = {h[1]: h[0] for h in existing_hh.values()}  # number → existing id
        touched = set(target_of.values()) | {p[1 + _P["household_id"]] for p in existing_p.values()}
        members: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for pid, hid, id_number, relation in _where_in(
            Person.objects.all(), "household_id", touched
        ).values_list("id", "household_id", "id_number", "relation"):
            members[hid].append((pid, id_number, relation))
        source_numbers = dict(
            Household.objects.filter(id__in=touched - set(target_of.values())).values_list(
                "id", "number"
            )
        )
        source_numbers.update({hid: number for number, hid in target_of.items()})
        return _Lookup(existing_hh, existing_p, members, source_numbers, touched)

    def _decide(
        self, households: list[tuple[str, list[Record]]], found: _Lookup
    ) -> tuple[Plan, dict[str, int]]:
        existing_hh, existing_p = found.households, found.persons
        members, source_numbers = found.members, found.source_numbers

        # Judge cross-household conflicts until nothing changes (a rejection can undo the
        # move that made another household's change safe).
        accepted = {number: rows for number, rows in households}
        while True:
            rejected_now = self._conflicts(
                accepted, existing_hh, existing_p, members, source_numbers
            )
            if not rejected_now:
                break
            for number, problems in rejected_now.items():
                self._reject_household(accepted.pop(number), problems)
        return self._build(accepted, existing_hh, existing_p, members, source_numbers)

    def _conflicts(
        self,
        accepted: dict[str, list[Record]],
        existing_hh: dict[str, tuple],
        existing_p: dict[str, tuple],
        members: dict[int, list[tuple[int, str, str]]],
        source_numbers: dict[int, str],
    ) -> dict[str, dict[int, list[str]]]:
        in_batch = {existing_hh[n][0] for n in accepted if n in existing_hh}
        moving_ids = {rec[3] for rows in accepted.values() for rec in rows}
        out: dict[str, dict[int, list[str]]] = {}
        for number, rows in accepted.items():
            ex = existing_hh.get(number)
            if ex is not None and not self.allowed(ex[1 + _H["region_id"]]):
                reason = _(
                    "户编号 %(number)s 已登记在您管辖范围以外的区划,不能通过本次导入修改。"
                ) % {"number": number}
                out[number] = {k: [reason] for k in range(len(rows))}
                continue
            target = ex[0] if ex is not None else None
            problems: dict[int, list[str]] = {}
            for k, rec in enumerate(rows):
                p = existing_p.get(rec[3])
                if p is None or p[1 + _P["household_id"]] == target:
                    continue
                if not self.allowed(p[1 + _P["region_id"]]):
                    problems[k] = [
                        _(
                            "该人员已登记在您管辖范围以外的另一户中,不能通过导入迁入,"
                            "请联系其所在区县办理。"
                        )
                    ]
                    continue
                source = p[1 + _P["household_id"]]
                if p[1 + _P["relation"]] == Relation.HEAD and source not in in_batch:
                    others = [m for m in members[source] if m[1] not in moving_ids]
                    if others:
                        problems[k] = [
                            _(
                                "该人员是户 %(number)s 的户主,原户还有其他成员,"
                                "请先在原户变更户主后再导入。"
                            )
                            % {"number": source_numbers.get(source, "")}
                        ]
            if problems:
                out[number] = problems
        return out

    def _build(
        self,
        accepted: dict[str, list[Record]],
        existing_hh: dict[str, tuple],
        existing_p: dict[str, tuple],
        members: dict[int, list[tuple[int, str, str]]],
        source_numbers: dict[int, str],
    ) -> tuple[Plan, dict[str, int]]:
        plan = Plan()
        outcome = {"created": 0, "updated": 0, "unchanged": 0}
        batch_ids = {rec[3] for rows in accepted.values() for rec in rows}
        for number, rows in accepted.items():
            head = next(rec[4] for rec in rows if rec[4][F_RELATION] == Relation.HEAD)
            ex = existing_hh.get(number)
            region = head[F_REGION]
            wanted = _household_values(number, head, ex)
            if ex is None:
                target: int | str = number  # resolved to the new id when written
                plan.hh_create.append([*wanted, len(rows)])
                household_changed = True
            else:
                existing_id: int = ex[0]
                target = existing_id
                household_changed = list(ex[1 : 1 + len(HOUSEHOLD_FIELDS)]) != wanted
                if household_changed:
                    plan.hh_update.append((existing_id, wanted))
                    if ex[1 + _H["region_id"]] != region:
                        plan.region_fix.append((region, existing_id))
                        self.notes.region_changed += 1
                file_head = head[F_ID]
                listed = {rec[3] for rec in rows}
                for pid, id_number, relation in members[existing_id]:
                    if id_number not in listed:
                        self.notes.absent_kept += 1
                    if (
                        relation == Relation.HEAD
                        and id_number != file_head
                        and id_number not in batch_ids
                    ):
                        plan.demote.append((Relation.OTHER, pid))
                        self.notes.demoted_heads += 1
            new_members: list[list[Any]] = []
            changed_members = False
            for rec in rows:
                r = rec[4]
                p = existing_p.get(rec[3])
                name = r[F_NAME]
                if p is None:
                    values = [
                        target,
                        region,
                        name,
                        rec[6],
                        r[F_ID],
                        r[F_SEX],
                        datetime.date.fromisoformat(r[F_BIRTH]),
                        "",
                        r[F_RELATION],
                        "",
                        "",
                        "",
                        "",
                        "",
                        None,
                        False,
                        "",
                        "",
                    ]
                    for pos, attr, default in _KEEPABLE:
                        value = r[pos]
                        values[_P[attr]] = default if value is None else value
                    plan.p_create.append(values)
                    new_members.append(values)
                    outcome["created"] += 1
                    continue
                old = list(p[1:])
                values = list(old)
                values[_P["household_id"]] = target
                values[_P["region_id"]] = region
                if name != old[_P["name"]]:
                    values[_P["name"]] = name
                    values[_P["name_initials"]] = rec[6]
                values[_P["sex"]] = r[F_SEX]
                values[_P["birth_date"]] = datetime.date.fromisoformat(r[F_BIRTH])
                values[_P["relation"]] = r[F_RELATION]
                for pos, attr, _default in _KEEPABLE:
                    value = r[pos]
                    if value is not None:
                        values[_P[attr]] = value
                moved = old[_P["household_id"]] != target
                if moved:
                    source = old[_P["household_id"]]
                    plan.recount.add(source)
                    plan.left_behind_refresh.add(source)
                    self.notes.moved += 1
                    if len(self.notes.moved_list) < AUDIT_MOVED_LIMIT:
                        self.notes.moved_list.append(
                            {
                                "person": mask_citizen_id(r[F_ID]),
                                "from": source_numbers.get(source, ""),
                                "to": number,
                            }
                        )
                if values != old:
                    pid = p[0]
                    if old[_P["relation"]] == Relation.HEAD and (
                        moved or r[F_RELATION] != Relation.HEAD
                    ):
                        keep = r[F_RELATION] != Relation.HEAD and not moved
                        plan.demote.append((r[F_RELATION] if keep else Relation.OTHER, pid))
                    plan.p_update.append((pid, values))
                    changed_members = True
                    outcome["updated"] += 1
                elif household_changed and r is head:
                    outcome["updated"] += 1
                else:
                    outcome["unchanged"] += 1
            if ex is not None and (household_changed or changed_members or new_members):
                plan.recount.add(ex[0])
            if ex is None and not changed_members:
                # A new household of new persons: its members are exactly these rows.
                plan.left_behind_set += _suggest_left_behind(new_members, self.today)
            elif new_members or changed_members:
                plan.left_behind_refresh.add(target)
        return plan, outcome

    # ---------------------------------------------------------------- the end
    def _write_report(self, rejects: _Spool) -> str:
        if not rejects.count:
            return ""
        name = f"import-{self.batch.pk}-errors.xlsx"
        path = Path(settings.EXPORT_DIR) / name
        width = len(self.header)
        source: Any = iter(rejects)
        if rejects.count <= SORT_REPORT_LIMIT:
            source = sorted(source, key=lambda r: r[0])

        def rows() -> Iterator[list[Any]]:
            for i, (row_number, raw, reasons) in enumerate(source):
                if i % PROGRESS_EVERY == 0:
                    self._tick(_("正在生成结果"), 2 * self.counts.rows, 2 * self.counts.rows)
                cells = list(raw) + [""] * (width - len(raw))
                yield [*cells, reasons, row_number]

        headers = [h or f"列{i + 1}" for i, h in enumerate(self.header)]
        write_xlsx(
            path,
            title=_("错误报告"),
            headers=[*headers, _("错误原因"), _("原行号")],
            rows=rows(),
            text_columns=range(width + 1),
        )
        return name

    def summary_message(self) -> str:
        c, n = self.counts, self.notes
        parts = [
            _(
                "共 %(rows)d 行:新增 %(created)d 行,更新 %(updated)d 行,未变 %(unchanged)d 行,"
                "拒绝 %(rejected)d 行。"
            )
            % c.as_dict()
        ]
        if self.dry_run:
            parts.append(_("本次仅检查,没有写入任何数据。"))
        if n.moved:
            parts.append(
                _("其中 %(count)d 人原登记在其他户,已迁入文件所列的户(见审计日志)。")
                % {"count": n.moved}
            )
        parts.append(
            _(
                "导入只新增和更新,不删除:系统中已有、但文件中未列出的成员保留不变"
                "(本次 %(count)d 人);减少成员请在户情变更中办理。"
            )
            % {"count": n.absent_kept}
        )
        if n.demoted_heads:
            parts.append(
                _("%(count)d 户的原户主不在文件中,已改为“其他”关系,由文件中的户主接替。")
                % {"count": n.demoted_heads}
            )
        if n.region_changed:
            parts.append(
                _("%(count)d 户的行政区划已按文件变更,其全部成员随户变更。")
                % {"count": n.region_changed}
            )
        if n.birthplace_warnings:
            parts.append(
                _(
                    "%(count)d 行证件号码的出生地代码不在河南现行区划中,可能是旧代码"
                    "(仅提示,未拒绝)。"
                )
                % {"count": n.birthplace_warnings}
            )
        if c.rejected:
            parts.append(_("被拒绝的行及原因见错误报告,修改后可直接重新导入。"))
        return "".join(parts)

    def _finish(self, report: str) -> ImportBatch:
        batch = self.batch
        c = self.counts
        if c.created + c.updated + c.unchanged + c.rejected != c.rows:  # pragma: no cover
            raise AssertionError(f"import {batch.pk}: rows do not add up: {c}")
        fields: dict[str, Any] = {
            **self.counts.as_dict(),
            "status": ImportStatus.DONE,
            "report_file": report,
            "message": self.summary_message(),
            "finished_at": timezone.now(),
        }
        changes: dict[str, Any] = {
            **self.counts.as_dict(),
            "dry_run": self.dry_run,
            "file_name": batch.file_name,
            "moved": self.notes.moved,
            "absent_kept": self.notes.absent_kept,
            "demoted_heads": self.notes.demoted_heads,
            "left_behind_suggestions": self.notes.left_behind,
        }
        if self.notes.moved_list:
            changes["moved_persons"] = self.notes.moved_list
        with transaction.atomic():
            ImportBatch.objects.filter(pk=batch.pk).update(**fields)
            batch.refresh_from_db()
            audit.record(
                actor=self.actor,
                action="registry.import",
                target=batch,
                region_id=batch.region_id,
                changes=changes,
            )
        if self.progress is not None:
            progress_update(
                self.progress,
                done=2 * self.counts.rows,
                total=2 * self.counts.rows,
                message=batch.summary,
                result_file=report,
            )
        return batch

    def _refuse(self, message: str) -> ImportBatch:
        batch = self.batch
        with transaction.atomic():
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
            )
            batch.refresh_from_db()
            audit.record(
                actor=self.actor,
                action="registry.import",
                target=batch,
                region_id=batch.region_id,
                changes={"refused": message, "file_name": batch.file_name, "rows": 0},
            )
        if self.progress is not None:
            progress_update(self.progress, message=message)
        return batch


def run_import(
    batch: ImportBatch,
    path: Path,
    *,
    progress: TaskProgress | None = None,
    on_progress: Callable[[str, int, int | None], None] | None = None,
) -> ImportBatch:
    """Import `path` into the registry as `batch` describes; returns the finished batch."""
    with _gc_paused():
        return Importer(batch, path, progress=progress, on_progress=on_progress).run()


# -------------------------------------------------------------------- helpers
def _where_in(qs: Any, field_name: str, values: Any) -> Any:
    """`field IN (...)`; on PostgreSQL `= ANY(%s)` with one array parameter, which saves
    parsing thousands of placeholders per query."""
    values = list(values)
    if connection.vendor != "postgresql":
        return qs.filter(**{f"{field_name}__in": values})
    model = qs.model
    column = connection.ops.quote_name(_db_column(model, field_name))
    table = connection.ops.quote_name(model._meta.db_table)
    return qs.extra(where=[f"{table}.{column} = ANY(%s)"], params=[values])


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The import allocates millions of small tuples that live until the end; the cyclic
    collector would walk them again and again. Pause it and collect once at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


class _Spool:
    """Records appended to a temporary file in marshal chunks and read back in order: the
    file, not memory, holds the rows between the two passes."""

    CHUNK = 2000

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile(dir=_work_dir())  # noqa: SIM115 (closed in __exit__)
        self.buffer: list[Any] = []
        self.count = 0

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def append(self, record: Any) -> None:
        self.buffer.append(record)
        self.count += 1
        if len(self.buffer) >= self.CHUNK:
            self._dump()

    def _dump(self) -> None:
        if self.buffer:
            data = marshal.dumps(self.buffer)
            self.file.write(len(data).to_bytes(8, "little"))
            self.file.write(data)
            self.buffer = []

    def flush(self) -> None:
        self._dump()
        self.file.flush()

    def chunks(self) -> Iterator[list[Any]]:
        # marshal.load() on a file reads in tiny pieces; one read per chunk is much faster.
        self._dump()
        self.file.seek(0)
        read = self.file.read
        while size := read(8):
            yield marshal.loads(read(int.from_bytes(size, "little")))

    def __iter__(self) -> Iterator[Any]:
        for chunk in self.chunks():
            yield from chunk


def _interleave(first: _Spool, second: _Spool) -> Iterator[Any]:
    """The records of two spools, chunk by chunk (near file order when each holds every
    other row)."""
    others = second.chunks()
    for chunk in first.chunks():
        yield from chunk
        yield from next(others, [])
    for chunk in others:
        yield from chunk


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


_INITIALS_CACHE: dict[str, str] = {}


def _initials(name: str) -> str:
    try:
        return _INITIALS_CACHE[name]
    except KeyError:
        value = name_initials(name)
        if len(_INITIALS_CACHE) < 500_000:
            _INITIALS_CACHE[name] = value
        return value


def _suggest_left_behind(members: list[list[Any]], today: datetime.date) -> int:
    """Set the suggested left-behind group on the person values of one new household (as
    `services.left_behind_refresh` would); returns how many got one."""
    facts = [
        MemberFacts(
            key=k,
            relation=v[_P["relation"]],
            sex=v[_P["sex"]],
            birth_date=v[_P["birth_date"]],
            work_status=v[_P["work_status"]],
            months_away=v[_P["months_away"]],
            labour=v[_P["labour"]],
        )
        for k, v in enumerate(members)
    ]
    groups = derive_left_behind(facts, today)
    for k, values in enumerate(members):
        values[_P["left_behind"]] = groups[k]
    return sum(1 for group in groups.values() if group)


def _household_values(number: str, head: Any, existing: tuple | None) -> list[Any]:
    """HOUSEHOLD_FIELDS as the file wants them; blanks keep what the registry has."""
    old = list(existing[1 : 1 + len(HOUSEHOLD_FIELDS)]) if existing is not None else None

    def pick(value: Any, attr: str, default: Any) -> Any:
        if value is not None:
            return value
        return old[_H[attr]] if old is not None else default

    income = head[F_INCOME]
    causes = head[F_CAUSES]
    return [
        number,
        head[F_REGION],
        pick(head[F_TYPE], "household_type", HouseholdType.ORDINARY),
        pick(head[F_MAIN_CAUSE], "main_cause", ""),
        pick(list(causes) if causes is not None else None, "secondary_causes", []),
        pick(Decimal(income) if income is not None else None, "net_income_per_person", None),
        pick(head[F_ADDRESS], "address", ""),
        pick(head[F_PHONE], "phone", ""),
    ]


def _henan_counties() -> set[str]:
    return {
        code[:6]
        for code in Region.objects.filter(level__in=("county", "city")).values_list(
            "code", flat=True
        )
    }


def _work_dir() -> str | None:
    directory = Path(settings.EXPORT_DIR).parent / "imports"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return str(directory) if os.access(directory, os.W_OK) else None


def write_plan(plan: Plan) -> int:
    """Write one batch's plan (see `writers.write_plan`; COPY on PostgreSQL unless switched
    off), then refresh the left-behind suggestions of the households it changed that the plan
    could not judge on its own. Returns the number of suggestions set or changed."""
    new_ids = writers.write_plan(
        plan, fast=connection.vendor == "postgresql" and POSTGRES_FAST_PATH
    )
    refresh = {new_ids[h] if isinstance(h, str) else h for h in plan.left_behind_refresh}
    changed = left_behind_refresh(household_ids=refresh) if refresh else 0
    return plan.left_behind_set + changed
