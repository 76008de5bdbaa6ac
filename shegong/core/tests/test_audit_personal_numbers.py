"""The audit trail shows personal numbers masked; seeing one event whole is asked for and logged;
every export of the trail is masked and leaves one event."""

import io

import pytest
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from shegong.conftest import GUSHI, XINCAI
from shegong.core import roles
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.models import AuditEvent, TaskProgress
from shegong.core.personal import mask_personal_numbers
from shegong.core.roles import Perm, Role
from shegong.registry import services
from shegong.registry.tests.factories import make_household, make_id_number, make_person

pytestmark = pytest.mark.django_db

FULL = "411525198001010015"  # check character 5 is right for these 17 digits
X_ID = "41152519800101004X"
MOBILE = "13812345678"


@pytest.fixture
def removal(gushi_officer):
    """A member removed from a 固始 household: the trail keeps their whole record."""
    household = make_household(GUSHI)
    person = make_person(household, "李秀英", id_number=make_id_number("411525", "19650302"))
    person.phone = MOBILE
    person.save(update_fields=["phone"])
    services.person_remove(actor=gushi_officer, person=person, reason="死亡")
    event = AuditEvent.objects.get(action="registry.person_remove")
    assert event.changes["removed"]["id_number"] == person.id_number  # held whole, as evidence
    return event, person.id_number


@pytest.fixture
def no_reveal_for_officers(monkeypatch):
    """A county officer who may read the trail but not reveal ID numbers."""
    monkeypatch.setitem(roles.PERMISSIONS, Perm.REVEAL_ID_NUMBER, frozenset({Role.PROVINCE_ADMIN}))


def _reveals():
    return list(
        AuditEvent.objects.filter(action="audit.reveal").values_list("target_id", flat=True)
    )


def test_masking_walks_nested_values_and_validates_what_it_masks():
    legacy = "411525800101001"  # 15 digits, birth date 1980-01-01
    value = {
        "removed": {"id_number": FULL, "phone": MOBILE, "region": "411525100200"},
        "list": [f"证件{X_ID.lower()}号", ["411525198001010012"], int(FULL)],
        "legacy": legacy,
        "longer": FULL + "7",
        "impossible_date": "411525198013010012",
        "n": 3,
        "flag": True,
    }
    masked, count = mask_personal_numbers(value)
    assert masked == {
        "removed": {
            "id_number": mask_citizen_id(FULL),
            "phone": "138****5678",
            "region": "411525100200",
        },
        # A lower-case x still counts; the same 17 digits with a wrong check character do not.
        "list": [f"证件{mask_citizen_id(X_ID)}号", ["411525198001010012"], mask_citizen_id(FULL)],
        "legacy": mask_citizen_id(legacy),
        "longer": FULL + "7",
        "impossible_date": "411525198013010012",
        "n": 3,
        "flag": True,
    }
    assert count == 5


def test_audit_page_masks_the_removed_members_number(client, gushi_officer, removal):
    event, number = removal
    client.force_login(gushi_officer)
    before = AuditEvent.objects.count()
    body = client.get(reverse("core:audit_list")).content.decode()
    assert number not in body
    assert MOBILE not in body
    assert mask_citizen_id(number) in body
    assert "138****5678" in body
    assert reverse("core:audit_detail", args=[event.pk]) in body
    assert "显示完整号码" in body
    assert AuditEvent.objects.count() == before  # looking at masks logs nothing


def test_event_page_masks_until_revealed_and_logs_the_reveal(client, gushi_officer, removal):
    event, number = removal
    client.force_login(gushi_officer)
    url = reverse("core:audit_detail", args=[event.pk])
    body = client.get(url).content.decode()
    assert number not in body
    assert mask_citizen_id(number) in body
    assert _reveals() == []

    assert f'action="{reverse("core:audit_reveal", args=[event.pk])}"' in body
    body = client.post(reverse("core:audit_reveal", args=[event.pk])).content.decode()
    assert number in body
    assert MOBILE in body
    assert _reveals() == [str(event.pk)]
    access = AuditEvent.objects.get(action="audit.reveal")
    assert (access.actor, access.region_id) == (gushi_officer, GUSHI)
    # The access event itself shows masked on the list.
    listing = client.get(reverse("core:audit_list")).content.decode()
    assert number not in listing


def test_reveal_is_refused_without_the_permission_and_logs_nothing(
    client, gushi_officer, removal, no_reveal_for_officers
):
    event, number = removal
    client.force_login(gushi_officer)
    url = reverse("core:audit_detail", args=[event.pk])
    page = client.get(url).content.decode()
    assert number not in page
    assert "显示完整号码" not in page
    before = AuditEvent.objects.count()
    response = client.post(reverse("core:audit_reveal", args=[event.pk]))
    assert response.status_code == 403
    assert number not in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_event_outside_the_county_answers_404_and_logs_nothing(client, xincai_officer, removal):
    event, number = removal
    client.force_login(xincai_officer)
    before = AuditEvent.objects.count()
    url = reverse("core:audit_detail", args=[event.pk])
    assert client.post(reverse("core:audit_reveal", args=[event.pk])).status_code == 404
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.count() == before


def test_province_admin_sees_masks_too_and_reveals_explicitly(client, province_admin, removal):
    event, number = removal
    client.force_login(province_admin)
    assert number not in client.get(reverse("core:audit_list")).content.decode()
    body = client.post(reverse("core:audit_reveal", args=[event.pk])).content.decode()
    assert number in body
    assert _reveals() == [str(event.pk)]


def test_target_repr_is_masked_as_well(client, gushi_officer):
    event = AuditEvent.objects.create(
        action="test.event", target_repr=f"王芳 {FULL}", region_id=GUSHI
    )
    client.force_login(gushi_officer)
    body = client.get(reverse("core:audit_list")).content.decode()
    assert FULL not in body
    assert f"王芳 {mask_citizen_id(FULL)}" in body
    data = _api(gushi_officer).get(f"/api/v1/audit-events/{event.pk}/").json()
    assert data["target_repr"] == f"王芳 {mask_citizen_id(FULL)}"


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_list_and_detail_mask_and_reveal_on_request(gushi_officer, removal):
    event, number = removal
    api = _api(gushi_officer)
    listing = api.get("/api/v1/audit-events/").json()
    [row] = [r for r in listing["results"] if r["id"] == event.pk]
    assert row["changes"]["removed"]["id_number"] == mask_citizen_id(number)
    assert row["changes"]["removed"]["phone"] == "138****5678"
    detail = api.get(f"/api/v1/audit-events/{event.pk}/").json()
    assert detail["changes"]["removed"]["id_number"] == mask_citizen_id(number)
    assert _reveals() == []

    revealed = api.get(f"/api/v1/audit-events/{event.pk}/", {"reveal": "1"}).json()
    assert revealed["changes"]["removed"]["id_number"] == number
    assert revealed["changes"]["removed"]["phone"] == MOBILE
    assert _reveals() == [str(event.pk)]


def test_api_reveal_is_refused_without_the_permission(
    gushi_officer, removal, no_reveal_for_officers
):
    event, number = removal
    before = AuditEvent.objects.count()
    response = _api(gushi_officer).get(f"/api/v1/audit-events/{event.pk}/", {"reveal": "1"})
    assert response.status_code == 403
    assert number not in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_api_reveal_outside_the_county_is_404(xincai_officer, removal):
    event, number = removal
    before = AuditEvent.objects.count()
    response = _api(xincai_officer).get(f"/api/v1/audit-events/{event.pk}/", {"reveal": "1"})
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before


def test_export_is_masked_and_writes_exactly_one_event(client, gushi_officer, removal):
    event, number = removal
    AuditEvent.objects.create(action="test.event", target_repr="新蔡的事件", region_id=XINCAI)
    client.force_login(gushi_officer)
    before = AuditEvent.objects.count()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("core:audit_export"), {"action": "registry."})
    task = TaskProgress.objects.get(owner=gushi_officer)
    assert task.status == "done"
    download = client.get(reverse("core:task_download", args=[task.pk]))
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    cells = [str(c) for row in wb.active.values for c in row if c is not None]
    assert not any(number in c for c in cells)
    assert not any(MOBILE in c for c in cells)
    assert any(mask_citizen_id(number) in c for c in cells)
    assert len(list(wb.active.values)) == 2  # header + the one registry event in 固始

    assert AuditEvent.objects.count() == before + 1
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor == gushi_officer
    assert export.region_id == GUSHI
    assert export.changes == {
        "filters": {"action": "registry."},
        "rows": 1,
        "full_id_numbers": False,
    }


def test_refused_export_writes_no_event(client, gushi_worker):
    client.force_login(gushi_worker)
    before = AuditEvent.objects.count()
    assert client.post(reverse("core:audit_export"), {}).status_code == 403
    assert AuditEvent.objects.count() == before
    assert not TaskProgress.objects.filter(owner=gushi_worker).exists()
