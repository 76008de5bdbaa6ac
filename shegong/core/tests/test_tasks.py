"""Background work through the real database backend, as `shegong worker` runs it."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.urls import reverse

from shegong.conftest import GUSHI
from shegong.core.models import AuditEvent, TaskProgress
from shegong.core.tasks import job_start


@pytest.fixture
def db_backend(settings):
    # django-tasks drops its cached backends when TASKS changes.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# The worker closes database connections between tasks, as a real process does; that needs a
# test that commits, with the reference data (regions, calendar) restored afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_waits_in_the_queue_until_the_worker_runs_it(client, gushi_officer, db_backend):
    for n in range(3):
        AuditEvent.objects.create(action="test.event", target_repr=f"事件{n}", region_id=GUSHI)
    client.force_login(gushi_officer)
    client.post(reverse("core:audit_export"), {})
    task = TaskProgress.objects.get(owner=gushi_officer)
    assert task.status == "queued"
    page = client.get(reverse("core:task_detail", args=[task.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in page.content.decode()
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    task.refresh_from_db()
    assert (task.status, task.done, task.total) == ("done", 3, 3)
    page = client.get(reverse("core:task_detail", args=[task.pk]), HTTP_HX_REQUEST="true")
    assert "every 1s" not in page.content.decode()
    assert reverse("core:task_download", args=[task.pk]) in page.content.decode()


@pytest.mark.django_db
def test_a_failing_task_says_so(gushi_officer, monkeypatch):
    from shegong.core import tasks

    progress = tasks.progress_start(owner=gushi_officer, kind="x", title="会失败的任务")

    def boom(p):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        tasks.run_tracked(str(progress.pk), boom)
    progress.refresh_from_db()
    assert progress.status == "failed"
    assert "RuntimeError" in progress.message


class _Job:
    """Stands for a task: records what it was queued with."""

    def __init__(self):
        self.queued: list[tuple] = []

    def enqueue(self, *args):
        self.queued.append(args)


@pytest.mark.django_db
def test_a_started_job_is_queued_only_when_the_transaction_commits(gushi_officer):
    job = _Job()
    with TestCase.captureOnCommitCallbacks(execute=True):
        progress = job_start(owner=gushi_officer, kind="k", title="t", job=job, args=("x", 2))
        assert job.queued == []  # not before the commit
    assert job.queued == [(str(progress.pk), "x", 2)]
    assert (progress.owner, progress.kind, progress.status) == (gushi_officer, "k", "queued")


@pytest.mark.django_db
def test_a_job_started_in_a_rolled_back_transaction_is_never_queued(gushi_officer):
    job = _Job()
    with (
        TestCase.captureOnCommitCallbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        job_start(owner=gushi_officer, kind="k", title="t", job=job)
        raise RuntimeError
    assert (callbacks, job.queued) == ([], [])
    assert not TaskProgress.objects.filter(kind="k").exists()
