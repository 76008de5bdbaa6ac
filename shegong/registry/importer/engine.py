"""The registry import (建档立卡导入): read the file, check and judge whole households, write them.

How a file goes in
------------------
1. **Scan**: the file is read once for two columns only, to count the rows of each household
   number and find ID numbers that appear more than once (those counts and the ID numbers seen
   are all it keeps: in memory, or for files of `DISK_SCAN_BYTES` or more in a temporary
   SQLite file, so that memory does not grow with the file).
2. **Check, judge and write** in one stream: the file is read again and every row checked
   (`rows.RowChecker`); a household is judged as soon as its last row is read: one bad row, no
   head or two heads, or a duplicated ID rejects every row of it (`checking.Judge`; on large
   files in forked processes, each taking a share of the households). Good households collect
   into batches of about `BATCH_ROWS` rows; each batch is looked up in the registry, planned
   (created / updated / unchanged) and written in **one transaction**, together with the
   batch's running counts, while the next rows are being checked. A process killed half-way
   leaves only whole households behind; running the same file again continues where it
   stopped (upsert by ID number and household number: what is already there counts as
   unchanged).

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

Where the parts live: `checking` (the scan, checking rows and judging households), `spool`
(rejected rows, on disk until the error report is written), `planning` (a batch's lookup and
plan), `writers` (how a plan is written: COPY on PostgreSQL, executemany elsewhere),
`pipeline` (background writer threads); this module runs the steps, batches the judged
households and writes the summary.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import audit
from shegong.core.exports import Sheet, write_xlsx
from shegong.core.idnumbers import birthplace_message
from shegong.core.models import Region, RegionLevel, TaskProgress
from shegong.core.regions import prefix_of
from shegong.core.roles import Perm
from shegong.core.scoping import can, prefixes_q
from shegong.core.tasks import progress_update

from ..birthplaces import henan_counties
from ..models import ImportBatch, ImportStatus
from ..services import left_behind_refresh
from . import writers
from .checking import (
    PROGRESS_EVERY,
    ChildJudges,
    Judge,
    Message,
    Record,
    Scan,
    can_fork,
    household_rejections,
    scan,
    unpack_cells,
)
from .pipeline import BackgroundWriter as _BackgroundWriter
from .planning import Notes, Planner
from .reader import open_table
from .rows import ImportRefused, RowChecker
from .services import HEARTBEAT_EVERY, WAIT_FOR_OVERLAP, claim_import
from .spool import Spool
from .writers import Plan

log = logging.getLogger(__name__)

audit.register_actions({"registry.import": gettext_lazy("导入建档立卡数据")})

# Rows per write transaction (whole households, so a batch may run a little over).
BATCH_ROWS = 5000
# Sort the error report by row number when it is at most this long (otherwise: file order of
# households, which is nearly the same).
SORT_REPORT_LIMIT = 200_000
# Use COPY on PostgreSQL; tests switch it off to exercise the generic path there too.
POSTGRES_FAST_PATH = True
# On PostgreSQL (outside a caller's transaction), write each batch in a background thread
# with its own connection while the next batch is planned: the database digests one batch
# (index maintenance) while Python prepares the next.
PIPELINE = True
# Outside a caller's transaction, check rows in forked processes (each takes a share of the
# households) while this one plans and writes; files smaller than this are checked here.
PARALLEL_CHECK = True
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
CHECKERS = 2
# Files at least this large keep the first pass's counts (rows per household number, ID numbers
# seen) in a temporary SQLite file instead of memory: about 60 MB of memory for this size, the
# same for any larger file.
DISK_SCAN_BYTES = 64 * 1024 * 1024
# Two writers let PostgreSQL maintain the indexes of two batches at once (2-core target).
WRITER_THREADS = 2

HOUSEHOLD_LEVELS = (RegionLevel.VILLAGE, RegionLevel.TOWNSHIP)


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
        self.planner = Planner(
            today=self.today,
            notes=self.notes,
            allowed=self.allowed,
            reject_household=self._reject_household,
        )
        self._allowed: dict[str, bool] = {}
        self._batch: list[tuple[str, list[Record]]] = []
        self._batch_rows = 0
        self._rejects: Any = None
        self._writer: _BackgroundWriter | None = None
        self._submitted: dict[str, int] = {}
        self._beat = timezone.now()
        self.header: tuple[str, ...] = ()
        self._warnings: Any = None
        self.warning_summary: list[dict[str, Any]] = []

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
    def _blocked_by(self, other: ImportBatch) -> str:
        return _(
            "%(region)s已有一个导入正在进行(%(file)s,%(started)s 开始),"
            "同一区域同时导入会互相冲突;已等待 %(minutes)d 分钟仍未完成。"
            "请在它完成后重新导入本文件。"
        ) % {
            "region": other.region.name,
            "file": other.file_name,
            "started": timezone.localtime(other.started_at).strftime("%H:%M"),
            "minutes": int(WAIT_FOR_OVERLAP.total_seconds() // 60),
        }

    def _waiting(self, other: ImportBatch) -> None:
        message = _("等待%(region)s正在进行的另一个导入(%(file)s)完成后开始。") % {
            "region": other.region.name,
            "file": other.file_name,
        }
        if self.progress is not None:
            progress_update(self.progress, message=message)

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
        blocking = claim_import(batch, on_wait=self._waiting)
        if blocking is not None:
            return self._refuse(self._blocked_by(blocking))
        self._beat = timezone.now()
        try:
            table = open_table(self.path)
        except ImportRefused as exc:
            return self._refuse(str(exc))
        except (OSError, ValueError) as exc:
            log.warning("import %s unreadable: %s", batch.pk, exc)
            return self._refuse(_("无法读取该文件,请上传 .xlsx 或 .csv 文件。"))
        self.header = table.header.headers
        outside_transaction = not connection.in_atomic_block
        size = self.path.stat().st_size
        parallel = (
            PARALLEL_CHECK and outside_transaction and can_fork() and size >= PARALLEL_MIN_BYTES
        )
        checker = RowChecker(
            table.header,
            region_problem=self._region_checker(offline=parallel),
            known_birthplaces=henan_counties(),
            today=timezone.localdate(),
        )
        estimated = table.estimated_rows
        reading = _("正在读取")
        # Rejected rows: this process's own spool (planning, and checking when it runs here)
        # and one per checking process — a spool is never written by two processes.
        own = Spool()
        spools = [own, *(Spool() for _k in range(CHECKERS if parallel else 0))]
        self._warnings = warnings = Spool()  # (row number, household number, birthplace code)
        children: ChildJudges | None = None
        found: Scan | None = None
        try:
            try:
                found = scan(
                    table.rows,
                    checker,
                    lambda n: self._tick(reading, n, estimated),
                    on_disk=size >= DISK_SCAN_BYTES,
                )
                self.counts.rows = found.total
                self._tick(_("正在导入"), 0, found.total)
                judge = Judge(checker, found, own)
                if parallel:
                    children = ChildJudges(judge, table.again, spools[1:])
                    messages: Iterable[Message] = children
                else:
                    messages = judge.stream(table.again())
                if (
                    PIPELINE
                    and not self.dry_run
                    and connection.vendor == "postgresql"
                    and outside_transaction
                ):
                    self._writer = _BackgroundWriter(self.batch.pk, WRITER_THREADS, _write)
                self._rejects = own
                try:
                    self._write_households(messages, found.total)
                finally:
                    if self._writer is not None:
                        self._writer.close()
            except ImportRefused as exc:
                return self._refuse(str(exc))
            finally:
                if children is not None:
                    children.close()
                table.close()
            if self._writer is not None:
                self._writer.raise_if_failed()
                self.notes.left_behind += self._writer.left_behind
            self.notes.birthplace_warnings = warnings.count
            self.warning_summary = birthplace_summary(warnings)
            report = self._write_report(spools, warnings)
        finally:
            for spool in (*spools, warnings):
                spool.close()
            if found is not None:
                found.close()
        return self._finish(report)

    def _write_households(self, messages: Iterable[Message], total: int) -> None:
        """Batch the judged households as they come and write each batch."""
        done = next_tick = 0
        importing = _("正在导入")
        add_warning = self._warnings.append
        for households, rejected, read, warnings in messages:
            self.counts.rejected += rejected
            for warning in warnings:
                add_warning(warning)
            for household in households:
                self._batch.append(household)
                self._batch_rows += len(household[1])  # (number, records)
                if self._batch_rows >= BATCH_ROWS:
                    self._flush()
            done += read
            if done >= next_tick:
                next_tick = done + PROGRESS_EVERY
                self._tick(importing, done, total)
        self._flush()
        self._tick(_("正在生成结果"), total, total)

    # ---------------------------------------------------------------- rejections in planning
    def _reject_household(self, records: list[Record], problems: dict[int, list[str]]) -> None:
        for record, reasons in household_rejections(records, problems):
            self._reject(record, reasons)

    def _reject(self, record: Record, reasons: list[str]) -> None:
        self.counts.rejected += 1
        self._rejects.append((record.row_number, unpack_cells(record.cells), "；".join(reasons)))

    # ---------------------------------------------------------------- one batch
    def _flush(self) -> None:
        households, self._batch, self._batch_rows = self._batch, [], 0
        if not households:
            return
        if self.dry_run:
            plan, outcome = self.planner.plan(households, lock=False)
            self._count(outcome)
            return
        if self._writer is not None:
            # PostgreSQL: plan this batch while the previous one is being written. A batch
            # that touches a household the one in flight touches waits for it and looks again.
            found = self.planner.lookup(households, lock=False)
            if self._writer.overlaps(found.touched):
                self._writer.wait()
                found = self.planner.lookup(households, lock=False)
            plan, outcome = self.planner.decide(households, found)
            self._count(outcome)
            fields = self._progress_fields()
            delta = {k: v - self._submitted.get(k, 0) for k, v in fields.items()}
            self._submitted = fields
            self._writer.submit(plan, found.touched | plan.recount, delta)
            return
        with transaction.atomic():
            plan, outcome = self.planner.plan(households, lock=True)
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

    # ---------------------------------------------------------------- the end
    def _write_report(self, spools: list[Spool], warnings: Spool) -> str:
        """The error report: every rejected row with every reason, and a second sheet with
        the rows accepted or not that got a birthplace warning."""
        count = sum(spool.count for spool in spools)
        if not count and not warnings.count:
            return ""
        name = f"import-{self.batch.pk}-errors.xlsx"
        path = Path(settings.EXPORT_DIR) / name
        width = len(self.header)
        source: Any = itertools.chain.from_iterable(spools)
        if count <= SORT_REPORT_LIMIT:
            source = sorted(source, key=lambda r: r[0])

        def rows() -> Iterator[list[Any]]:
            for i, (row_number, raw, reasons) in enumerate(source):
                if i % PROGRESS_EVERY == 0:
                    self._tick(_("正在生成结果"), self.counts.rows, self.counts.rows)
                cells = list(raw) + [""] * (width - len(raw))
                yield [*cells, reasons, row_number]

        noted: Any = iter(warnings)
        if warnings.count <= SORT_REPORT_LIMIT:
            noted = sorted(noted, key=lambda w: w[0])

        def warning_rows() -> Iterator[list[Any]]:
            for row_number, number, code in noted:
                yield [row_number, number, code, birthplace_message(code)]

        headers = [h or f"列{i + 1}" for i, h in enumerate(self.header)]
        write_xlsx(
            path,
            title=_("错误报告"),
            headers=[*headers, _("错误原因"), _("原行号")],
            rows=rows(),
            text_columns=range(width + 1),
            sheets=[
                Sheet(
                    title=_("出生地代码提示"),
                    headers=[_("原行号"), _("户编号"), _("出生地代码"), _("提示")],
                    rows=warning_rows(),
                    text_columns=(1, 2),
                )
            ],
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
                    "(仅提示,未拒绝;哪些行、哪些代码见下表和错误报告的“出生地代码提示”表)。"
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
            "birthplace_warnings": self.warning_summary,
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
                done=self.counts.rows,
                total=self.counts.rows,
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
    """Import `path` into the registry as `batch` describes; returns the finished batch.

    If the import stops on an error or an interrupt (Ctrl-C on the command), the batch is
    marked failed on the way out, so that it neither shows as running nor holds up the next
    import into its area; what was written is whole households, and the same file run again
    completes it. (A process killed outright cannot do this: its heartbeat stops instead.)"""
    try:
        with _gc_paused():
            return Importer(batch, path, progress=progress, on_progress=on_progress).run()
    except BaseException:
        mark_failed(batch)
        raise


def mark_failed(batch: ImportBatch) -> None:
    """Best effort: the error that stopped the import is the one to report."""
    message = _("导入过程中出错,已写入的户保持完整;请重新导入同一文件以完成剩余部分。")
    try:
        ImportBatch.objects.filter(
            pk=batch.pk, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
        ).update(status=ImportStatus.FAILED, message=message, finished_at=timezone.now())
    except Exception:  # the database may be what failed
        log.exception("import %s: could not mark the batch failed", batch.pk)


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


# The result page lists at most this many birthplace codes, and this many rows of each (the
# error report lists them all).
SUMMARY_CODES = 50
SUMMARY_ROWS = 20


def birthplace_summary(warnings: Iterable[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """The birthplace warnings for the result page: per code, how many rows and the first
    `SUMMARY_ROWS` row numbers; codes with the most rows first."""
    per_code: dict[str, list[Any]] = {}
    for row_number, _number, code in warnings:
        entry = per_code.setdefault(code, [0, []])
        entry[0] += 1
        if len(entry[1]) < SUMMARY_ROWS:
            entry[1].append(row_number)
    ranked = sorted(per_code.items(), key=lambda item: (-item[1][0], item[0]))
    return [
        {"code": code, "count": count, "rows": sorted(rows)}
        for code, (count, rows) in ranked[:SUMMARY_CODES]
    ]


def _write(plan: Plan) -> int:
    return write_plan(plan)  # looked up on every call, so that tests can replace it


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
