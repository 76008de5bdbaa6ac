import pytest
from rest_framework.test import APIClient

from shegong.conftest import GUSHI, PASSWORD, XINCAI
from shegong.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_token_login_and_me(api, gushi_officer):
    response = api.post(
        "/api/v1/auth/token/", {"username": "gushi_officer", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "gushi_officer"
    assert [m["region"] for m in me["memberships"]] == [GUSHI]


def test_token_login_refuses_bad_password_and_counts_it(api, gushi_officer, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        response = api.post(
            "/api/v1/auth/token/", {"username": "gushi_officer", "password": "bad"}, format="json"
        )
        assert response.status_code in (401, 403)
    response = api.post(
        "/api/v1/auth/token/", {"username": "gushi_officer", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert "锁定" in response.json()["detail"]


def test_api_requires_authentication(api):
    assert api.get("/api/v1/regions/").status_code in (401, 403)


def test_regions_are_scoped_and_cursor_paged(api, gushi_officer):
    api.force_authenticate(gushi_officer)
    response = api.get("/api/v1/regions/", {"page_size": 10})
    data = response.json()
    assert response.status_code == 200
    assert "count" not in data
    assert len(data["results"]) == 10
    assert all(r["code"].startswith("411525") for r in data["results"])
    following = api.get(data["next"]).json()
    assert following["results"][0]["code"] > data["results"][-1]["code"]


def test_region_outside_is_404(api, gushi_officer):
    api.force_authenticate(gushi_officer)
    assert api.get(f"/api/v1/regions/{GUSHI}/").status_code == 200
    assert api.get(f"/api/v1/regions/{XINCAI}/").status_code == 404


def test_audit_api_filters_and_validates(api, gushi_officer):
    AuditEvent.objects.create(action="user.create", target_repr="甲", region_id=GUSHI)
    api.force_authenticate(gushi_officer)
    data = api.get("/api/v1/audit-events/", {"action": "user."}).json()
    assert [e["target_repr"] for e in data["results"]] == ["甲"]
    bad = api.get("/api/v1/audit-events/", {"date_from": "not-a-date"})
    assert bad.status_code == 400


def test_schema_and_docs_are_served_without_a_cdn(client, gushi_officer):
    client.force_login(gushi_officer)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/organisations/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs
