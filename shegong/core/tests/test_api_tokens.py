"""API tokens expire, die with a password change, reset or deactivation, and can be revoked."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from shegong.conftest import PASSWORD, _township, make_user
from shegong.core.models import ApiToken, AuditEvent

pytestmark = pytest.mark.django_db

NEW = "Huaihe-2026-river"


def _issue(username="gushi_worker", password=PASSWORD, **extra):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _me(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/me/")


def test_a_token_works_until_it_expires(gushi_worker, settings):
    settings.API_TOKEN_DAYS = 30
    body = _issue()
    token = ApiToken.objects.get(owner=gushi_worker)
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    assert _me(body["token"]).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    refused = _me(body["token"])
    assert refused.status_code == 401
    assert "已过期" in refused.json()["detail"]


def test_only_the_hash_of_a_key_is_stored(gushi_worker):
    key = _issue()["token"]
    token = ApiToken.objects.get(owner=gushi_worker)
    assert key not in (token.key_hash, token.key_prefix)
    assert token.key_prefix == key[:6]
    assert len(token.key_hash) == 64


def test_issuing_is_audited(gushi_worker):
    _issue(name="县级对接")
    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.actor == gushi_worker
    assert event.changes["name"] == "县级对接"


def test_a_password_change_revokes_every_token(client, gushi_worker):
    keys = [_issue()["token"], _issue()["token"]]
    client.force_login(gushi_worker)
    client.post(
        reverse("core:password_change"),
        {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW},
    )
    assert [_me(k).status_code for k in keys] == [401, 401]
    assert set(ApiToken.objects.values_list("revoked_reason", flat=True)) == {"password_change"}
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.changes["tokens_revoked"] == 2


def test_a_password_reset_by_the_office_revokes_every_token(client, gushi_officer, gushi_org):
    clerk = make_user("clerk", "township_officer", _township("411525000000"))
    key = _issue("clerk")["token"]
    client.force_login(gushi_officer)
    client.post(reverse("core:user_password_reset", args=[clerk.pk]), {"password": NEW})
    assert _me(key).status_code == 401
    assert AuditEvent.objects.get(action="user.password_reset").changes["tokens_revoked"] == 1


def test_deactivating_an_account_revokes_its_tokens(client, gushi_officer):
    clerk = make_user("clerk", "township_officer", _township("411525000000"))
    key = _issue("clerk")["token"]
    client.force_login(gushi_officer)
    clerk.refresh_from_db()
    client.post(
        reverse("core:user_edit", args=[clerk.pk]),
        {"full_name": clerk.full_name, "phone": "", "version": clerk.version},
    )
    clerk.refresh_from_db()
    assert clerk.is_active is False
    assert _me(key).status_code == 401
    assert ApiToken.objects.get(owner=clerk).revoked_reason == "deactivated"


def test_a_token_revokes_itself_with_delete(gushi_worker):
    key = _issue()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert _me(key).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=gushi_worker).count() == 1


def test_the_account_page_lists_issues_and_revokes_tokens(client, gushi_worker):
    _issue(name="旧脚本")
    client.force_login(gushi_worker)
    page = client.get(reverse("core:account")).content.decode()
    assert "旧脚本" in page
    issued = client.post(reverse("core:api_token_issue"), {"name": "新脚本"}).content.decode()
    new = ApiToken.objects.get(name="新脚本")
    assert "只显示这一次" in issued
    token = ApiToken.objects.get(name="旧脚本")
    response = client.post(reverse("core:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    new.refresh_from_db()
    assert token.revoked_reason == "owner"
    assert new.revoked_at is None


def test_nobody_revokes_another_persons_token(client, gushi_worker, gushi_officer):
    key = _issue()["token"]
    token = ApiToken.objects.get(owner=gushi_worker)
    client.force_login(gushi_officer)
    response = client.post(reverse("core:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _me(key).status_code == 200
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()


@pytest.mark.parametrize(
    "header", ["Token", "Token a b", "Token " + "x" * 500, "Token ünïcode", "Token nope"]
)
def test_malformed_or_unknown_tokens_are_refused_with_401(header):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    assert api.get("/api/v1/me/").status_code == 401
