"""A batch whose import process died (killed, server restarted) stops showing as running."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.conftest import GUSHI
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village
from shegong.registry.importer import engine
from shegong.registry.importer.engine import run_import
from shegong.registry.importer.services import (
    STALE_AFTER,
    create_batch,
    imports_mark_interrupted,
    is_finished,
    is_interrupted,
)
from shegong.registry.importer.testing import person_row, write_xlsx_file
from shegong.registry.models import ImportBatch, Person
from shegong.registry.tests.factories import make_id_number, make_running_batch

pytestmark = pytest.mark.django_db


def running(actor, *, beat_ago: datetime.timedelta | None, started_ago=datetime.timedelta(0)):
    return make_running_batch(actor, GUSHI, beat_ago=beat_ago, started_ago=started_ago)


def test_a_running_batch_with_a_recent_heartbeat_stays_running(gushi_officer):
    batch = running(gushi_officer, beat_ago=STALE_AFTER - datetime.timedelta(minutes=1))
    assert not is_interrupted(batch)
    assert imports_mark_interrupted() == 0
    batch.refresh_from_db()
    assert (batch.status, batch.finished_at) == ("running", None)
    assert not AuditEvent.objects.filter(action="registry.import").exists()


def test_a_stale_heartbeat_marks_the_batch_failed_with_what_to_do(gushi_officer):
    batch = running(gushi_officer, beat_ago=STALE_AFTER + datetime.timedelta(seconds=1))
    other_states = [
        running(gushi_officer, beat_ago=STALE_AFTER * 2).pk,
    ]
    ImportBatch.objects.filter(pk__in=other_states).update(status="done")
    assert is_interrupted(batch) and is_finished(batch)
    assert imports_mark_interrupted() == 1
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "意外中断" in batch.message and "重新导入同一文件" in batch.message
    assert batch.finished_at is not None
    assert ImportBatch.objects.get(pk=other_states[0]).status == "done"
    event = AuditEvent.objects.get(action="registry.import")
    assert event.changes == {"interrupted": True, "file_name": "花名册.xlsx", "rows": 6}
    assert imports_mark_interrupted() == 0  # once


def test_a_batch_that_never_beat_is_judged_by_its_start(gushi_officer):
    fresh = running(gushi_officer, beat_ago=None)
    old = running(gushi_officer, beat_ago=None, started_ago=STALE_AFTER * 2)
    assert imports_mark_interrupted() == 1
    assert ImportBatch.objects.get(pk=fresh.pk).status == "running"
    assert ImportBatch.objects.get(pk=old.pk).status == "failed"


def test_the_list_and_the_batch_page_show_a_dead_import_as_failed(client, gushi_officer):
    batch = running(gushi_officer, beat_ago=STALE_AFTER * 2)
    client.force_login(gushi_officer)
    fragment = client.get(
        reverse("registry:import_detail", args=[batch.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in fragment  # stops polling
    assert "失败" in fragment and "意外中断" in fragment
    batch.refresh_from_db()
    assert batch.status == "failed"
    ImportBatch.objects.filter(pk=batch.pk).update(status="running")
    listing = client.get(reverse("registry:import_list")).content.decode()
    assert "导入中" not in listing and "失败" in listing
    assert ImportBatch.objects.get(pk=batch.pk).status == "failed"


@pytest.fixture
def four_households(tmp_path):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    village = make_village(township.code).code
    rows = [
        person_row(f"4115250000000{h:02d}", village, "户主", f"张{h}", make_id_number())
        for h in range(4)
    ]
    return write_xlsx_file(tmp_path / "a.xlsx", rows)


def stop_in_second_batch(monkeypatch):
    """Batches of two households; the second batch's write is interrupted (as by Ctrl-C or a
    kill) before it commits. Returns the real writer, to put back."""
    monkeypatch.setattr(engine, "BATCH_ROWS", 2)
    real_write = engine.write_plan
    calls = []

    def interrupted_write(plan):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_write(plan)

    monkeypatch.setattr(engine, "write_plan", interrupted_write)
    return real_write


def import_again(actor, path):
    return run_import(create_batch(actor=actor, region_code=None, file_name=path.name), path)


def test_a_killed_import_is_marked_failed_when_the_next_import_starts(
    four_households, gushi_officer, monkeypatch
):
    real_write = stop_in_second_batch(monkeypatch)
    monkeypatch.setattr(engine, "mark_failed", lambda batch: None)  # a kill runs no handler
    killed = create_batch(actor=gushi_officer, region_code=None, file_name="a.xlsx")
    with pytest.raises(KeyboardInterrupt):
        run_import(killed, four_households)
    killed.refresh_from_db()
    assert killed.status == "running" and killed.heartbeat_at is not None
    assert Person.objects.count() == 2

    # Long after, another import starts: the dead batch is marked, the new one completes it.
    ImportBatch.objects.filter(pk=killed.pk).update(heartbeat_at=timezone.now() - STALE_AFTER * 2)
    monkeypatch.setattr(engine, "write_plan", real_write)
    rerun = import_again(gushi_officer, four_households)
    assert (rerun.status, rerun.created, rerun.unchanged) == ("done", 2, 2)
    killed.refresh_from_db()
    assert killed.status == "failed"


def test_an_interrupted_import_is_marked_failed_at_once_and_the_next_one_runs(
    four_households, gushi_officer, monkeypatch
):
    """Ctrl-C on the command (or an error) marks the batch failed on the way out: it does not
    show as running, and the same file can be imported again straight away."""
    real_write = stop_in_second_batch(monkeypatch)
    first = create_batch(actor=gushi_officer, region_code=None, file_name="a.xlsx")
    with pytest.raises(KeyboardInterrupt):
        run_import(first, four_households)
    first.refresh_from_db()
    assert first.status == "failed" and "重新导入同一文件" in first.message
    assert first.finished_at is not None
    assert Person.objects.count() == 2

    monkeypatch.setattr(engine, "write_plan", real_write)
    monkeypatch.setattr(
        "shegong.registry.importer.services.time.sleep",
        lambda seconds: pytest.fail("the next import must not wait for a failed one"),
    )
    rerun = import_again(gushi_officer, four_households)
    assert (rerun.status, rerun.created, rerun.unchanged) == ("done", 2, 2)
