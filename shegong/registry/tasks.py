"""Background work of the registry, run by `shegong worker`."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shegong.core.models import TaskProgress
from shegong.core.tasks import run_tracked

from .models import ImportBatch, ImportStatus

log = logging.getLogger(__name__)


@task()
def registry_import(batch_id: str) -> None:
    """Import the file stored for a batch; the batch page polls its progress."""
    from .importer.engine import run_import
    from .importer.services import stored_path

    batch = ImportBatch.objects.select_related("actor", "region").get(pk=batch_id)
    path = stored_path(batch)

    def work(progress: TaskProgress) -> None:
        try:
            run_import(batch, path, progress=progress)
        except Exception:
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportStatus.FAILED,
                message=_("导入过程中出错,已写入的户保持完整;请重新导入同一文件以完成剩余部分。"),
                finished_at=timezone.now(),
            )
            raise
        finally:
            # The upload holds personal data; the batch keeps only counts and the error report.
            path.unlink(missing_ok=True)

    if batch.progress_id is None:  # pragma: no cover - batches from the page always have one
        run_import(batch, path)
        path.unlink(missing_ok=True)
        return
    run_tracked(str(batch.progress_id), work)
