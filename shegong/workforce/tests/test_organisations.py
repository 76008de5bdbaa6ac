import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from stdnum.cn import uscc

from shegong.conftest import GUSHI, XINCAI
from shegong.core.models import AuditEvent
from shegong.workforce.models import Organisation

pytestmark = pytest.mark.django_db


def _uscc(n=1, division="411525"):
    body = f"52{division}MJ{n:07d}"
    return body + uscc.calc_check_digit(body)


def _post(client, **over):
    data = {
        "name": "固始县阳光社工中心",
        "uscc": _uscc(),
        "kind": "social_work_agency",
        "region_l1": GUSHI,
        "is_active": "on",
    }
    data.update(over)
    return client.post(reverse("workforce:organisation_create"), data)


def test_officer_registers_an_agency_with_a_normalised_uscc(client, gushi_officer):
    client.force_login(gushi_officer)
    code = _uscc()
    fullwidth = code.translate(str.maketrans("0123456789", "０１２３４５６７８９")).lower()
    response = _post(client, uscc=f" {fullwidth} ")
    assert response.status_code == 302
    org = Organisation.objects.get()
    assert org.uscc == code
    assert AuditEvent.objects.filter(action="organisation.create").count() == 1


def test_bad_uscc_is_refused_with_a_chinese_reason(client, gushi_officer):
    client.force_login(gushi_officer)
    bad = _uscc()[:-1] + ("0" if _uscc()[-1] != "0" else "1")
    response = _post(client, uscc=bad)
    assert response.status_code == 200
    assert "校验" in response.content.decode()
    assert not Organisation.objects.exists()


def test_duplicate_uscc_is_refused(client, gushi_officer):
    client.force_login(gushi_officer)
    _post(client)
    response = _post(client, name="另一家")
    assert "已登记" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_social_worker_cannot_register_and_nothing_is_saved(client, gushi_worker):
    client.force_login(gushi_worker)
    before = Organisation.objects.count()
    assert _post(client, name="不该存在").status_code == 403
    assert Organisation.objects.count() == before


def test_officer_cannot_register_in_another_county(client, gushi_officer):
    client.force_login(gushi_officer)
    response = _post(client, region_l1=XINCAI)
    assert response.status_code == 200
    assert not Organisation.objects.exists()


def test_concurrent_edit_is_refused(client, gushi_officer, gushi_org):
    client.force_login(gushi_officer)
    url = reverse("workforce:organisation_detail", args=[gushi_org.pk])
    base = {
        "name": "新名字",
        "kind": "social_work_agency",
        "region": GUSHI,
        "is_active": "on",
        "version": gushi_org.version,
    }
    assert client.post(url, base).status_code == 302
    second = client.post(url, {**base, "name": "另一个名字"})
    assert "已被他人修改" in second.content.decode()
    gushi_org.refresh_from_db()
    assert gushi_org.name == "新名字"


def test_api_create_update_and_scope(gushi_officer, xincai_org):
    api = APIClient()
    api.force_authenticate(gushi_officer)
    created = api.post(
        "/api/v1/organisations/",
        {"name": "接口登记的机构", "uscc": _uscc(7), "kind": "charity", "region": GUSHI},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    updated = api.patch(
        f"/api/v1/organisations/{pk}/", {"phone": "0376-1234567", "version": 1}, format="json"
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["phone"] == "0376-1234567"
    stale = api.patch(f"/api/v1/organisations/{pk}/", {"phone": "1", "version": 1}, format="json")
    assert stale.status_code == 400
    assert api.get(f"/api/v1/organisations/{xincai_org.pk}/").status_code == 404
    outside = api.post(
        "/api/v1/organisations/",
        {"name": "越界", "kind": "charity", "region": XINCAI},
        format="json",
    )
    assert outside.status_code == 400
    assert not Organisation.objects.filter(name="越界").exists()
