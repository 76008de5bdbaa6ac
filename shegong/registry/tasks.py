"""Background work of the registry, run by `shegong worker`."""

from __future__ import annotations

from pathlib import Path

from django.db import connection
from django_tasks import task

from shegong.core.models import TaskProgress
from shegong.core.processes import can_fork, run_in_child
from shegong.core.tasks import run_tracked

from .models import ImportBatch


class ImportCrashed(Exception):
    """The process that ran an import ended abnormally; the batch says so."""


def _isolated() -> bool:
    """Run the import in a child process: outside a transaction (tests run tasks inside
    theirs, which a child could not see), where processes can fork."""
    return not connection.in_atomic_block and can_fork()


def _child_import(batch_id: str, path: str, progress_id: str | None) -> None:
    from .importer.engine import run_import

    batch = ImportBatch.objects.select_related("actor", "region").get(pk=batch_id)
    progress = TaskProgress.objects.get(pk=progress_id) if progress_id else None
    run_import(batch, Path(path), progress=progress)  # marks the batch failed if it stops


def import_file(batch: ImportBatch, path: Path, progress: TaskProgress | None) -> None:
    """Import in a child process, so that a file that crashes the reader (or exhausts memory)
    ends that child only: the worker marks the batch failed and goes on with the next job."""
    from .importer.engine import run_import
    from .importer.services import import_mark_crashed

    if not _isolated():
        run_import(batch, path, progress=progress)
        return
    progress_id = str(progress.pk) if progress is not None else None
    code = run_in_child(_child_import, str(batch.pk), str(path), progress_id)
    if code != 0 and import_mark_crashed(batch=batch, exit_code=code):
        raise ImportCrashed(f"import {batch.pk}: the import process ended with {code}")


@task()
def registry_import(batch_id: str) -> None:
    """Import the file stored for a batch; the batch page polls its progress."""
    from .importer.services import stored_path

    batch = ImportBatch.objects.select_related("actor", "region").get(pk=batch_id)
    path = stored_path(batch)

    def work(progress: TaskProgress | None) -> None:
        try:
            import_file(batch, path, progress)
        finally:
            # The upload holds personal data; the batch keeps only counts and the error report.
            path.unlink(missing_ok=True)

    if batch.progress_id is None:  # pragma: no cover - batches from the page always have one
        work(None)
        return
    run_tracked(str(batch.progress_id), work)


@task()
def registry_flags_daily(days: int = 1) -> dict[str, int]:
    """Refresh the left-behind flags of households whose members crossed an age limit today
    (or on the `days` days ending today, after an outage). Run again the same day, it changes
    and records nothing."""
    from django.utils import timezone

    from .services_flags import flags_refresh_ageing

    return flags_refresh_ageing(today=timezone.localdate(), days=days)
