"""Background work of the foundation, run by `shegong worker`."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .exports import write_xlsx
from .models import TaskProgress, TaskStatus, User

log = logging.getLogger(__name__)


def progress_start(*, owner: User, kind: str, title: str, total: int | None = None) -> TaskProgress:
    return TaskProgress.objects.create(owner=owner, kind=kind, title=title, total=total)


@transaction.atomic
def job_start(*, owner: User, kind: str, title: str, job: Any, args: tuple = ()) -> TaskProgress:
    """Create the progress row a page waits on and queue `job(progress_id, *args)` once the
    transaction commits, so a worker never looks for a row that is not there yet (or was
    rolled back)."""
    progress = progress_start(owner=owner, kind=kind, title=title)
    transaction.on_commit(lambda: job.enqueue(str(progress.pk), *args))
    return progress


def progress_update(progress: TaskProgress, **fields: Any) -> None:
    for key, value in fields.items():
        setattr(progress, key, value)
    TaskProgress.objects.filter(pk=progress.pk).update(**fields)


def run_tracked(progress_id: str, work) -> None:
    """Run `work(progress)`, recording running/done/failed so the page can tell."""
    progress = TaskProgress.objects.get(pk=progress_id)
    progress_update(progress, status=TaskStatus.RUNNING)
    try:
        work(progress)
    except Exception as exc:  # the page must say it failed, whatever the cause
        log.exception("task %s failed", progress_id)
        progress_update(
            progress,
            status=TaskStatus.FAILED,
            message=f"任务失败:{type(exc).__name__}",
            finished_at=timezone.now(),
        )
        raise
    progress_update(progress, status=TaskStatus.DONE, finished_at=timezone.now())


AUDIT_HEADERS = [
    "时间",
    "操作人",
    "操作",
    "对象类型",
    "对象编号",
    "对象",
    "区划",
    "变更",
    "请求编号",
]


@task()
def audit_export(progress_id: str, filters: dict[str, Any]) -> None:
    from .selectors import audit_list
    from .services_audit import audit_export_record, event_shown

    def row(e: Any, tz: Any) -> list[Any]:
        # Always masked: a reveal is one event at a time on the page, never a file.
        shown = event_shown(e)
        return [
            e.at.astimezone(tz).replace(tzinfo=None),
            e.actor_name,
            e.action,
            e.target_type,
            e.target_id,
            shown.target_repr,
            e.region_id or "",
            ";".join(f"{line.label}:{line.value}" for line in shown.lines),
            e.request_id,
        ]

    def work(progress: TaskProgress) -> None:
        parsed = dict(filters)
        for key in ("date_from", "date_to"):
            if parsed.get(key):
                parsed[key] = datetime.date.fromisoformat(parsed[key])
        with transaction.atomic():
            qs = audit_list(actor=progress.owner, filters=parsed)
            progress_update(progress, total=qs.count())
            tz = timezone.get_current_timezone()
            rows = (row(e, tz) for e in qs.iterator(chunk_size=2000))
            path = settings.EXPORT_DIR / f"{progress.pk}.xlsx"

            def tick(n: int) -> None:
                if n % 1000 == 0:
                    progress_update(progress, done=n)

            count = write_xlsx(
                path,
                title="审计日志",
                headers=AUDIT_HEADERS,
                rows=rows,
                text_columns=(4, 6),
                on_row=tick,
            )
            audit_export_record(actor=progress.owner, filters=filters, rows=count)
        progress_update(
            progress, done=count, result_file=path.name, message=f"共导出 {count} 条记录。"
        )

    run_tracked(progress_id, work)
