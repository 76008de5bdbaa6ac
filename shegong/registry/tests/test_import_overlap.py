"""Two imports writing into the same area at once would fight over the same households: the
second waits for the first (and gives up, with the reason, after `WAIT_FOR_OVERLAP`)."""

import datetime

import pytest
from django.utils import timezone

from shegong.conftest import GUSHI, XINCAI, make_user
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village
from shegong.registry.importer import services
from shegong.registry.importer.engine import run_import
from shegong.registry.importer.services import claim_import, create_batch
from shegong.registry.importer.testing import person_row, write_xlsx_file
from shegong.registry.models import ImportBatch, Person
from shegong.registry.tests.factories import make_id_number, make_running_batch

pytestmark = pytest.mark.django_db


def running(actor, region, *, dry_run=False):
    """An import another process is running right now (fresh heartbeat)."""
    return make_running_batch(
        actor,
        region,
        file_name="另一个文件.xlsx",
        started_ago=datetime.timedelta(minutes=2),
        dry_run=dry_run,
    )


@pytest.fixture
def one_household(tmp_path):
    township = Region.objects.filter(parent_id=GUSHI, level="township").first()
    village = make_village(township.code).code
    path = write_xlsx_file(
        tmp_path / "户.xlsx",
        [person_row("411525000000001", village, "户主", "张伟", make_id_number())],
    )
    return path


def start(actor, path, *, region=GUSHI, dry_run=False):
    batch = create_batch(actor=actor, region_code=region, file_name=path.name, dry_run=dry_run)
    return run_import(batch, path)


@pytest.mark.parametrize("other_region", [GUSHI, "410000000000", "411500000000"])
def test_an_import_into_an_area_another_import_is_writing_is_refused_unchanged(
    gushi_officer, one_household, other_region
):
    province = make_user("province_importer", "civil_affairs_officer", "410000000000")
    other = running(province, other_region)
    batch = start(gushi_officer, one_household)
    assert batch.status == "failed"
    assert "已有一个导入正在进行" in batch.message and "另一个文件.xlsx" in batch.message
    assert "请在它完成后重新导入本文件" in batch.message
    assert not Person.objects.exists()
    other.refresh_from_db()
    assert other.status == "running"  # the import that was there first goes on untouched
    assert AuditEvent.objects.filter(action="registry.import", target_id=str(batch.pk)).exists()


def test_an_area_inside_a_running_province_import_or_beside_it(gushi_officer, one_household):
    xincai = make_user("xincai_importer", "civil_affairs_officer", XINCAI)
    running(xincai, XINCAI)  # another county: no household of 固始 can be in it
    running(gushi_officer, GUSHI, dry_run=True)  # a dry run writes nothing
    batch = start(gushi_officer, one_household)
    assert (batch.status, batch.created) == ("done", 1)


def test_a_dry_run_never_waits(gushi_officer, one_household):
    running(gushi_officer, GUSHI)
    batch = start(gushi_officer, one_household, dry_run=True)
    assert (batch.status, batch.created, Person.objects.count()) == ("done", 1, 0)


def test_an_import_waits_for_the_other_to_finish_then_runs(
    gushi_officer, one_household, monkeypatch
):
    other = running(gushi_officer, GUSHI)
    waited = []

    def other_finishes(seconds):
        waited.append(seconds)
        ImportBatch.objects.filter(pk=other.pk).update(status="done")

    monkeypatch.setattr(services.time, "sleep", other_finishes)
    monkeypatch.setattr(services, "WAIT_FOR_OVERLAP", datetime.timedelta(minutes=30))
    batch = start(gushi_officer, one_household)
    assert waited == [services.WAIT_POLL_SECONDS]
    assert (batch.status, batch.created) == ("done", 1)


def test_while_waiting_the_progress_says_what_it_waits_for(gushi_officer, monkeypatch):
    from shegong.core.tasks import progress_start

    other = running(gushi_officer, GUSHI)
    batch = create_batch(actor=gushi_officer, region_code=GUSHI, file_name="x.xlsx")
    progress = progress_start(owner=gushi_officer, kind="registry_import", title="x")
    seen = []

    def other_finishes(seconds):
        progress.refresh_from_db()
        seen.append(progress.message)
        ImportBatch.objects.filter(pk=other.pk).update(status="done")

    monkeypatch.setattr(services.time, "sleep", other_finishes)

    from shegong.registry.importer.engine import Importer

    importer = Importer(batch, path=None, progress=progress)  # type: ignore[arg-type]
    assert (
        claim_import(batch, wait=datetime.timedelta(minutes=1), on_wait=importer._waiting) is None
    )
    assert seen and "等待固始县正在进行的另一个导入(另一个文件.xlsx)完成后开始" in seen[0]
    batch.refresh_from_db()
    assert batch.status == "running"


def test_a_stale_running_import_does_not_block(gushi_officer, one_household):
    other = running(gushi_officer, GUSHI)
    old = timezone.now() - services.STALE_AFTER - datetime.timedelta(minutes=1)
    ImportBatch.objects.filter(pk=other.pk).update(heartbeat_at=old)
    batch = start(gushi_officer, one_household)
    assert (batch.status, batch.created) == ("done", 1)
    other.refresh_from_db()
    assert other.status == "failed"
