"""Background work of the registry, run by `shegong worker`."""

from __future__ import annotations

from django_tasks import task

from shegong.core.models import TaskProgress
from shegong.core.tasks import run_tracked

from .models import ImportBatch


@task()
def registry_import(batch_id: str) -> None:
    """Import the file stored for a batch; the batch page polls its progress."""
    from .importer.engine import run_import
    from .importer.services import stored_path

    batch = ImportBatch.objects.select_related("actor", "region").get(pk=batch_id)
    path = stored_path(batch)

    def work(progress: TaskProgress) -> None:
        try:
            run_import(batch, path, progress=progress)  # marks the batch failed if it stops
        finally:
            # The upload holds personal data; the batch keeps only counts and the error report.
            path.unlink(missing_ok=True)

    if batch.progress_id is None:  # pragma: no cover - batches from the page always have one
        run_import(batch, path)
        path.unlink(missing_ok=True)
        return
    run_tracked(str(batch.progress_id), work)
