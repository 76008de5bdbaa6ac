"""Writes to the directory: who may make them, what they check, what they leave behind."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.conftest import GUSHI, PROVINCE, XINCAI, make_user
from shegong.core.models import AuditEvent, Region
from shegong.core.services import StaleEdit
from shegong.resources import services
from shegong.resources.models import Institution
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db

GUSHI_TOWN = "411525101000"


def _data(**over):
    data = {
        "name": "固始县残疾人康复中心",
        "kind": "disability",
        "services": "康复训练",
        "capacity": 60,
        "contact_person": "黄主任",
        "phone": "0376-4922345",
        "address": "固始县番城街道",
        "opening_hours": "工作日 8:30-17:30",
    }
    data.update(over)
    return data


def _region(code):
    return Region.objects.get(code=code)


def _snapshot():
    return list(Institution.objects.order_by("id").values()), AuditEvent.objects.count()


def test_an_officer_enters_an_institution_and_it_is_audited(gushi_officer):
    inst = services.institution_create(actor=gushi_officer, region=_region(GUSHI), **_data())
    assert inst.version == 1
    assert inst.is_active
    event = AuditEvent.objects.get(action="institution.create")
    assert event.target_id == str(inst.pk)
    assert event.region_id == GUSHI
    assert event.changes["name"] == "固始县残疾人康复中心"
    assert event.changes["region"] == GUSHI


def test_text_is_trimmed(gushi_officer):
    inst = services.institution_create(
        actor=gushi_officer, region=_region(GUSHI), **_data(name="  固始县救助站 ", phone=" 12338 ")
    )
    assert (inst.name, inst.phone) == ("固始县救助站", "12338")


@pytest.mark.parametrize("persona", ["gushi_worker", "volunteer", "xincai_officer"])
def test_others_cannot_enter_a_gushi_institution_and_nothing_changes(request, persona):
    actor = request.getfixturevalue(persona)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.institution_create(actor=actor, region=_region(GUSHI), **_data())
    assert _snapshot() == before


def test_a_township_officer_manages_their_township_only(db):
    officer = make_user("liaocheng", "township_officer", GUSHI_TOWN)
    inst = services.institution_create(actor=officer, region=_region(GUSHI_TOWN), **_data())
    assert inst.region_id == GUSHI_TOWN
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.institution_create(actor=officer, region=_region(GUSHI), **_data(name="县级"))
    assert _snapshot() == before


def test_the_same_name_twice_in_one_region_is_refused(gushi_officer):
    services.institution_create(actor=gushi_officer, region=_region(GUSHI), **_data())
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        services.institution_create(actor=gushi_officer, region=_region(GUSHI), **_data())
    assert exc.value.message_dict == {"name": ["该区划已登记同名机构。"]}
    assert _snapshot() == before


@pytest.mark.parametrize("phone", ["abc", "0376", "电话 0376-1234567", "1234"])
def test_a_phone_nobody_could_dial_is_refused(gushi_officer, phone):
    with pytest.raises(ValidationError) as exc:
        services.institution_create(
            actor=gushi_officer, region=_region(GUSHI), **_data(phone=phone)
        )
    assert list(exc.value.message_dict) == ["phone"]
    assert "联系电话" in exc.value.message_dict["phone"][0]
    assert not Institution.objects.exists()


@pytest.mark.parametrize("phone", ["0376-4922345", "13812345678", "12338", "0376-4922345转8001"])
def test_usual_phone_numbers_are_accepted(gushi_officer, phone):
    inst = services.institution_create(
        actor=gushi_officer, region=_region(GUSHI), **_data(phone=phone)
    )
    assert inst.phone == phone


def test_an_update_changes_the_fields_bumps_the_version_and_audits_the_diff(gushi_officer):
    inst = make_institution(region_code=GUSHI, marker="固始县社会福利院")
    data = _data(name="固始县社会福利院", capacity=220)
    updated = services.institution_update(
        actor=gushi_officer, institution=inst, version=1, region=_region(GUSHI), **data
    )
    assert (updated.capacity, updated.version) == (220, 2)
    event = AuditEvent.objects.get(action="institution.update")
    assert event.changes["capacity"] == [30, 220]
    assert "name" not in event.changes


def test_a_stale_update_is_refused_and_changes_nothing(gushi_officer):
    inst = make_institution(region_code=GUSHI, marker="固始县社会福利院")
    services.institution_update(
        actor=gushi_officer, institution=inst, version=1, region=_region(GUSHI), **_data(name="甲")
    )
    before = _snapshot()
    with pytest.raises(StaleEdit):
        services.institution_update(
            actor=gushi_officer,
            institution=inst,
            version=1,
            region=_region(GUSHI),
            **_data(name="乙"),
        )
    assert _snapshot() == before


def test_a_county_officer_sees_but_cannot_edit_a_provincial_institution(gushi_officer):
    inst = make_institution(region_code=PROVINCE, marker="省残疾人康复中心")
    assert Institution.objects.visible_to(gushi_officer).filter(pk=inst.pk).exists()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.institution_update(
            actor=gushi_officer, institution=inst, version=1, region=_region(GUSHI), **_data()
        )
    with pytest.raises(PermissionDenied):
        services.institution_deactivate(actor=gushi_officer, institution=inst, version=1)
    assert _snapshot() == before


def test_an_officer_cannot_move_an_institution_to_another_county(gushi_officer):
    inst = make_institution(region_code=GUSHI, marker="固始县社会福利院")
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.institution_update(
            actor=gushi_officer, institution=inst, version=1, region=_region(XINCAI), **_data()
        )
    assert _snapshot() == before


@pytest.mark.parametrize("persona", ["gushi_worker", "xincai_officer", "volunteer"])
def test_others_cannot_update_or_stop_and_nothing_changes(request, persona):
    actor = request.getfixturevalue(persona)
    inst = make_institution(region_code=GUSHI, marker="固始县社会福利院")
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.institution_update(
            actor=actor, institution=inst, version=1, region=_region(GUSHI), **_data()
        )
    with pytest.raises(PermissionDenied):
        services.institution_deactivate(actor=actor, institution=inst, version=1)
    assert _snapshot() == before


def test_stop_and_restart(gushi_officer):
    inst = make_institution(region_code=GUSHI, marker="固始县社会福利院")
    stopped = services.institution_deactivate(actor=gushi_officer, institution=inst, version=1)
    assert (stopped.is_active, stopped.version) == (False, 2)
    with pytest.raises(ValidationError):
        services.institution_deactivate(actor=gushi_officer, institution=inst, version=2)
    with pytest.raises(StaleEdit):
        services.institution_reactivate(actor=gushi_officer, institution=inst, version=1)
    again = services.institution_reactivate(actor=gushi_officer, institution=inst, version=2)
    assert (again.is_active, again.version) == (True, 3)
    actions = list(
        AuditEvent.objects.filter(target_id=str(inst.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["institution.deactivate", "institution.reactivate"]


def test_the_province_manages_anywhere(province_admin):
    inst = services.institution_create(actor=province_admin, region=_region(XINCAI), **_data())
    assert inst.region_id == XINCAI
