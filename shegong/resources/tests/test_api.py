"""`/api/v1/institutions/`: the same scope, checks and services as the pages."""

import pytest
from rest_framework.test import APIClient

from shegong.conftest import GUSHI, PROVINCE, XINCAI
from shegong.core.models import AuditEvent
from shegong.resources.models import Institution
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions/"


def _api(user):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def _snapshot():
    return list(Institution.objects.order_by("id").values()), AuditEvent.objects.count()


@pytest.fixture
def directory(db):
    return {
        "gushi": make_institution(region_code=GUSHI, marker="固始县社会福利院"),
        "health": make_institution(region_code=GUSHI, marker="固始县人民医院", kind="health"),
        "province": make_institution(region_code=PROVINCE, marker="河南省残疾人康复中心"),
        "xincai": make_institution(region_code=XINCAI, marker="新蔡县社会福利中心"),
    }


def _names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_the_list_is_scoped_and_filtered(directory, gushi_worker):
    api = _api(gushi_worker)
    assert _names(api.get(URL)) == sorted(
        ["固始县社会福利院", "固始县人民医院", "河南省残疾人康复中心"]
    )
    assert _names(api.get(URL, {"kind": "health"})) == ["固始县人民医院"]
    assert _names(api.get(URL, {"q": "福利"})) == ["固始县社会福利院"]
    assert _names(api.get(URL, {"region": GUSHI})) == sorted(["固始县社会福利院", "固始县人民医院"])
    assert _names(api.get(URL, {"region": XINCAI})) == []


def test_the_list_hides_stopped_institutions_unless_asked(directory, gushi_worker):
    Institution.objects.filter(pk=directory["health"].pk).update(is_active=False)
    api = _api(gushi_worker)
    assert "固始县人民医院" not in _names(api.get(URL))
    assert "固始县人民医院" in _names(api.get(URL, {"include_inactive": "true"}))


def test_a_bad_filter_is_a_400(directory, gushi_worker):
    response = _api(gushi_worker).get(URL, {"kind": "casino"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_detail_inside_and_outside(directory, gushi_worker):
    api = _api(gushi_worker)
    detail = api.get(f"{URL}{directory['province'].pk}/")
    assert detail.status_code == 200
    assert detail.json()["region"] == PROVINCE
    assert api.get(f"{URL}{directory['xincai'].pk}/").status_code == 404
    assert api.get(f"{URL}999999/").status_code == 404


@pytest.mark.parametrize("persona", ["volunteer", None])
def test_no_directory_for_volunteers_or_anonymous(request, directory, persona):
    user = request.getfixturevalue(persona) if persona else None
    api = _api(user)
    assert api.get(URL).status_code in (401, 403)
    assert api.get(f"{URL}{directory['gushi'].pk}/").status_code in (401, 403)


def test_an_officer_creates_and_updates_through_the_services(gushi_officer):
    api = _api(gushi_officer)
    created = api.post(
        URL,
        {
            "name": "固始县救助管理站",
            "kind": "social_assistance",
            "region": GUSHI,
            "phone": "12345",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["version"], body["is_active"], body["region_name"]) == (1, True, "固始县")
    pk = body["id"]
    updated = api.patch(f"{URL}{pk}/", {"capacity": 40, "version": 1}, format="json")
    assert updated.status_code == 200, updated.content
    assert (updated.json()["capacity"], updated.json()["version"]) == (40, 2)
    assert list(
        AuditEvent.objects.filter(target_id=str(pk)).order_by("id").values_list("action", flat=True)
    ) == ["institution.create", "institution.update"]


def test_a_stale_or_versionless_update_is_refused(gushi_officer, directory):
    api = _api(gushi_officer)
    url = f"{URL}{directory['gushi'].pk}/"
    assert api.patch(url, {"capacity": 1, "version": 1}, format="json").status_code == 200
    before = _snapshot()
    stale = api.patch(url, {"capacity": 2, "version": 1}, format="json")
    assert stale.status_code == 400
    assert "已被他人修改" in stale.json()["version"][0]
    assert api.patch(url, {"capacity": 3}, format="json").status_code == 400
    assert _snapshot() == before


def test_bad_input_is_a_400_on_the_field_and_saves_nothing(gushi_officer):
    api = _api(gushi_officer)
    before = _snapshot()
    bad_phone = api.post(
        URL, {"name": "甲", "kind": "health", "region": GUSHI, "phone": "无"}, format="json"
    )
    assert bad_phone.status_code == 400
    assert "联系电话" in bad_phone.json()["phone"][0]
    outside = api.post(URL, {"name": "越界", "kind": "health", "region": XINCAI}, format="json")
    assert outside.status_code == 400
    assert list(outside.json()) == ["region"]
    assert _snapshot() == before


def test_the_api_refuses_writes_to_those_who_only_read(gushi_worker, gushi_officer, directory):
    before = _snapshot()
    worker = _api(gushi_worker)
    created = worker.post(URL, {"name": "甲", "kind": "health", "region": GUSHI}, format="json")
    assert created.status_code == 403
    url = f"{URL}{directory['gushi'].pk}/"
    assert worker.patch(url, {"capacity": 1, "version": 1}, format="json").status_code == 403
    # A county officer reads the provincial centre but cannot change it.
    province = f"{URL}{directory['province'].pk}/"
    officer = _api(gushi_officer)
    assert officer.patch(province, {"capacity": 1, "version": 1}, format="json").status_code == 403
    # Another county's institution does not exist for them.
    xincai = f"{URL}{directory['xincai'].pk}/"
    assert officer.patch(xincai, {"capacity": 1, "version": 1}, format="json").status_code == 404
    assert _snapshot() == before
