"""Starting an import and finding its files: what the pages and the command call."""

from __future__ import annotations

import datetime
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.models import Region, RegionLevel
from shegong.core.regions import prefix_of
from shegong.core.roles import Perm
from shegong.core.scoping import can, jurisdiction, memberships_of, prefixes_q
from shegong.core.tasks import progress_start

from ..models import ImportBatch, ImportStatus
from .rows import ImportRefused
from .xlsx_check import check_xlsx

ALLOWED_SUFFIXES = (".xlsx", ".csv")
# A CSV file is read as a stream (memory stays flat), an .xlsx is held whole while it is read
# (about 180 MB per 100,000 rows; Excel's own limit is 1,048,576 rows, about 100 MB of .xlsx).
MAX_CSV_BYTES = 1024 * 1024 * 1024
MAX_XLSX_BYTES = 200 * 1024 * 1024
# A running import refreshes its batch's heartbeat at least this often...
HEARTBEAT_EVERY = datetime.timedelta(seconds=30)
# ...so a running batch whose heartbeat is older than this lost its process (killed, server
# restarted). Generous: one write transaction or the error report may take a while.
STALE_AFTER = datetime.timedelta(minutes=10)


def import_dir() -> Path:
    """Where uploaded files wait for their task (next to the export directory)."""
    return Path(settings.EXPORT_DIR).parent / "imports"


def batch_regions(actor: Actor) -> list[Region]:
    """Regions an actor may file a batch under: their own membership regions and, below a
    city or the province, the counties and cities inside."""
    prefixes = jurisdiction(actor, Perm.IMPORT_REGISTRY)
    if not prefixes:
        return []
    own = [
        m.region_id for m in memberships_of(actor) if can(actor, Perm.IMPORT_REGISTRY, m.region_id)
    ]
    qs = Region.objects.filter(prefixes_q("code", prefixes)).filter(
        level__in=(RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)
    )
    regions = {r.code: r for r in qs}
    regions.update({r.code: r for r in Region.objects.filter(code__in=own)})
    return [regions[c] for c in sorted(regions)]


def default_region(actor: Actor) -> str | None:
    """The actor's first membership region that grants the import."""
    for m in memberships_of(actor):
        if can(actor, Perm.IMPORT_REGISTRY, m.region_id):
            return m.region_id
    return None


def create_batch(
    *, actor: Actor, region_code: str | None, file_name: str, dry_run: bool = False
) -> ImportBatch:
    """A queued batch filed under a region the actor may import into."""
    region_code = region_code or default_region(actor)
    if not region_code:
        raise PermissionDenied(_("您无权导入建档立卡数据。"))
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationError(
            {"region": _("行政区划代码 %(code)s 不存在。") % {"code": region_code}}
        )
    if not can(actor, Perm.IMPORT_REGISTRY, region_code):
        raise PermissionDenied(_("您无权在该区划导入建档立卡数据。"))
    return ImportBatch.objects.create(
        region_id=region_code, actor=actor, file_name=file_name[:200], dry_run=dry_run
    )


def check_upload_content(upload: Any) -> None:
    """An .xlsx whose parts or declared size a reader cannot safely open is refused before it
    is stored (see `xlsx_check`); the message belongs to the file field."""
    if not upload.name.lower().endswith(".xlsx"):
        return
    try:
        check_xlsx(upload)
    except ImportRefused as exc:
        raise ValidationError({"file": [str(exc)]}) from None


def check_upload(name: str, size: int) -> None:
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError(_("请上传 .xlsx 或 .csv 文件。"))
    if name.lower().endswith(".csv"):
        if size > MAX_CSV_BYTES:
            raise ValidationError(_("CSV 文件过大(最大 1 GB),请分成几个文件导入。"))
    elif size > MAX_XLSX_BYTES:
        raise ValidationError(
            _("Excel 文件过大(最大 200 MB)。大文件请另存为 CSV(UTF-8)后导入,或分成几个文件。")
        )
    if size == 0:
        raise ValidationError(_("文件是空的。"))


@transaction.atomic
def start_import(
    *, actor: Actor, upload: Any, region_code: str | None, dry_run: bool = False
) -> ImportBatch:
    """Store the uploaded file, file a batch, and queue the task that imports it."""
    from ..tasks import registry_import

    check_upload(upload.name, upload.size)
    check_upload_content(upload)
    batch = create_batch(
        actor=actor, region_code=region_code, file_name=Path(upload.name).name, dry_run=dry_run
    )
    directory = import_dir()
    directory.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.name).suffix.lower()
    stored = directory / f"{batch.pk}{suffix}"
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    progress = progress_start(
        owner=actor,
        kind="registry_import",
        title=_("导入建档立卡数据:%(name)s") % {"name": batch.file_name},
    )
    ImportBatch.objects.filter(pk=batch.pk).update(stored_file=stored.name, progress=progress)
    batch.stored_file, batch.progress = stored.name, progress
    transaction.on_commit(lambda: registry_import.enqueue(str(batch.pk)))
    return batch


def stored_path(batch: ImportBatch) -> Path:
    return import_dir() / batch.stored_file


def report_path(batch: ImportBatch) -> Path | None:
    """The batch's error report, when there is one on disk."""
    if not batch.report_file:
        return None
    path = Path(settings.EXPORT_DIR) / batch.report_file
    return path if path.is_file() else None


def copy_report(batch: ImportBatch, target: Path) -> None:
    source = report_path(batch)
    if source is not None:
        shutil.copyfile(source, target)


def is_finished(batch: ImportBatch) -> bool:
    return batch.status in (ImportStatus.DONE, ImportStatus.FAILED) or is_interrupted(batch)


def is_interrupted(batch: ImportBatch, *, now: datetime.datetime | None = None) -> bool:
    """Running, but its heartbeat stopped: the process that ran it is gone."""
    if batch.status != ImportStatus.RUNNING:
        return False
    beat = batch.heartbeat_at or batch.started_at
    return beat < (now or timezone.now()) - STALE_AFTER


def imports_mark_interrupted(*, now: datetime.datetime | None = None) -> int:
    """Mark running batches whose process died as failed, with a message that says what is
    left (whole households only) and what to do; returns how many. Called by every import as
    it starts and by the import pages, so a killed import never shows as running for long."""
    now = now or timezone.now()
    since = now - STALE_AFTER
    stale = list(
        ImportBatch.objects.filter(status=ImportStatus.RUNNING).filter(
            Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True, started_at__lt=since)
        )
    )
    message = _(
        "导入进程意外中断(可能被终止、内存不足或服务器重启),已写入的户保持完整;"
        "请检查文件后重新导入同一文件以完成剩余部分;大文件请另存为 CSV 后导入。"
    )
    marked = 0
    for batch in stale:
        with transaction.atomic():
            # Only if it is still the stale running batch we read (its process may be alive).
            if not ImportBatch.objects.filter(
                pk=batch.pk, status=ImportStatus.RUNNING, heartbeat_at=batch.heartbeat_at
            ).update(status=ImportStatus.FAILED, message=message, finished_at=now):
                continue
            audit.record(
                actor=batch.actor,
                action="registry.import",
                target=batch,
                region_id=batch.region_id,
                changes={"interrupted": True, "file_name": batch.file_name, "rows": batch.rows},
            )
            marked += 1
    return marked


def import_mark_crashed(*, batch: ImportBatch, exit_code: int) -> bool:
    """The process that ran the batch's import ended abnormally (a crash in the spreadsheet
    reader, out of memory): mark the batch failed at once, saying what to do. False if the
    batch had already finished (an error the import itself reported)."""
    from shegong.core.processes import describe_exit

    how = describe_exit(exit_code)
    message = _(
        "后台进程意外终止(%(how)s),请检查文件后重新导入;大文件请另存为 CSV 后导入。"
        "已写入的户保持完整。"
    ) % {"how": how}
    with transaction.atomic():
        if not ImportBatch.objects.filter(
            pk=batch.pk, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
        ).update(status=ImportStatus.FAILED, message=message, finished_at=timezone.now()):
            return False
        batch.refresh_from_db()
        audit.record(
            actor=batch.actor,
            action="registry.import",
            target=batch,
            region_id=batch.region_id,
            changes={"crashed": how, "file_name": batch.file_name, "rows": batch.rows},
        )
    return True


# --- one writing import per area at a time -------------------------------------------------

# An import waits this long for a running import into an overlapping area to finish...
WAIT_FOR_OVERLAP = datetime.timedelta(minutes=30)
# ...looking again this often.
WAIT_POLL_SECONDS = 5.0
# Key of the PostgreSQL advisory lock that makes claims one at a time.
_CLAIM_LOCK = 4_100_000


def overlapping_import(batch: ImportBatch) -> ImportBatch | None:
    """A running import (not a dry run) into the batch's area, an area inside it or one that
    contains it: the two could write the same households at once."""
    prefix = prefix_of(batch.region_id)
    running = (
        ImportBatch.objects.filter(status=ImportStatus.RUNNING, dry_run=False)
        .exclude(pk=batch.pk)
        .select_related("region")
        .order_by("started_at")
    )
    for other in running:
        theirs = prefix_of(other.region_id)
        if theirs.startswith(prefix) or prefix.startswith(theirs):
            return other
    return None


def claim_import(
    batch: ImportBatch,
    *,
    wait: datetime.timedelta | None = None,
    on_wait: Any = None,
) -> ImportBatch | None:
    """Mark the batch running, unless an import that writes into an overlapping area is
    running: then wait for it (calling `on_wait(other)`), up to `wait`. Returns None once the
    batch runs, or the import it gave up waiting for. A dry run writes nothing and never waits.

    Claims are made one at a time (a PostgreSQL advisory lock held for the claim's
    transaction), so two imports starting together cannot both see the other as not running."""
    deadline = timezone.now() + (WAIT_FOR_OVERLAP if wait is None else wait)
    while True:
        imports_mark_interrupted()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CLAIM_LOCK])
            other = None if batch.dry_run else overlapping_import(batch)
            if other is None:
                ImportBatch.objects.filter(pk=batch.pk).update(
                    status=ImportStatus.RUNNING, heartbeat_at=timezone.now()
                )
                return None
        if timezone.now() >= deadline:
            return other
        if on_wait is not None:
            on_wait(other)
        time.sleep(WAIT_POLL_SECONDS)
