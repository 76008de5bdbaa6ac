import pytest
from rest_framework.test import APIClient

from shegong.conftest import GUSHI, XINCAI
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village
from shegong.registry.models import Household, Person
from shegong.registry.tests.factories import make_household, make_id_number

pytestmark = pytest.mark.django_db


def _village(county):
    return make_village(Region.objects.filter(parent_id=county).order_by("code").first().code)


@pytest.fixture
def api():
    return APIClient()


def test_officer_creates_a_household_and_adds_a_member(api, gushi_officer):
    village = _village(GUSHI)
    api.force_authenticate(gushi_officer)
    created = api.post(
        "/api/v1/households/",
        {
            "number": "411525001200101",
            "region": village.code,
            "head_name": "张伟",
            "head_id_number": make_id_number("411525", "19800101"),
            "main_cause": "illness",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    hh_id = created.json()["id"]
    added = api.post(
        "/api/v1/persons/",
        {
            "household": hh_id,
            "name": "李娟",
            "id_number": make_id_number("411525", "19820202", sex="female"),
            "relation": "spouse",
            "reason": "婚入",
        },
        format="json",
    )
    assert added.status_code == 201, added.content
    assert Household.objects.get(pk=hh_id).member_count == 2
    listed = api.get("/api/v1/persons/", {"q": "zw"}).json()["results"]
    assert [p["name"] for p in listed] == ["张伟"]


def test_bad_id_and_outside_region_are_400_and_change_nothing(api, gushi_officer):
    village = _village(XINCAI)
    api.force_authenticate(gushi_officer)
    response = api.post(
        "/api/v1/households/",
        {
            "number": "411729001200101",
            "region": village.code,
            "head_name": "王强",
            "head_id_number": make_id_number("411729", "19800101"),
        },
        format="json",
    )
    assert response.status_code == 400
    response = api.post(
        "/api/v1/households/",
        {
            "number": "411525001200102",
            "region": _village(GUSHI).code,
            "head_name": "王强",
            "head_id_number": "411525198001010000",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "head_id_number" in response.json()
    assert not Household.objects.exists()


def test_ids_are_masked_by_default_for_workers_and_officers_alike(api, gushi_officer, gushi_worker):
    hh = make_household(_village(GUSHI).code)
    number = hh.members.get().id_number
    for actor in (gushi_worker, gushi_officer):
        api.force_authenticate(actor)
        assert api.get("/api/v1/persons/").json()["results"][0]["id_number"] == (
            "*" * 16 + number[-2:]
        )
    assert not AuditEvent.objects.filter(action="registry.reveal_id").exists()


def test_update_needs_the_current_version(api, gushi_officer):
    hh = make_household(_village(GUSHI).code)
    api.force_authenticate(gushi_officer)
    ok = api.patch(
        f"/api/v1/households/{hh.pk}/", {"address": "新地址", "version": 1}, format="json"
    )
    assert ok.status_code == 200, ok.content
    stale = api.patch(
        f"/api/v1/households/{hh.pk}/", {"address": "旧", "version": 1}, format="json"
    )
    assert stale.status_code == 400
    hh.refresh_from_db()
    assert hh.address == "新地址"


def test_xincai_cannot_see_gushi_households(api, xincai_officer):
    hh = make_household(_village(GUSHI).code)
    api.force_authenticate(xincai_officer)
    assert api.get(f"/api/v1/households/{hh.pk}/").status_code == 404
    assert api.get("/api/v1/households/").json()["results"] == []
    person = Person.objects.get(household=hh)
    assert (
        api.patch(
            f"/api/v1/persons/{person.pk}/", {"name": "x", "version": 1}, format="json"
        ).status_code
        == 404
    )
    person.refresh_from_db()
    assert person.name == "张伟"
