"""No input a user can send produces a server error."""

import pytest
from django.test import Client
from django.urls import reverse

from shegong.core.leakcheck import iter_routes
from shegong.core.models import AuditEvent, User
from shegong.workforce.models import Organisation

pytestmark = pytest.mark.django_db

GARBAGE = [
    "",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "９９",
    "-1",
    "abc",
    "99999999999999999999",
    "2026-02-30",
    "4115",
    "%",
    "../../etc/passwd",
    "🙂" * 50,
]
PARAMS = [
    "q",
    "page",
    "before",
    "year",
    "date_from",
    "date_to",
    "kind",
    "level",
    "name",
    "parent",
    "actor",
    "action",
    "target",
    "region_l1",
    "cursor",
    "page_size",
]


def _list_urls():
    for route in iter_routes():
        spec = route.spec
        if spec and spec.kind in ("list", "public") and not route.kwargs:
            yield reverse(route.name)


@pytest.mark.parametrize("who", ["gushi_officer", "province_admin"])
def test_garbage_query_strings_never_cause_a_server_error(request, who):
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(who))
    for url in _list_urls():
        for value in GARBAGE:
            response = client.get(url, {p: value for p in PARAMS})
            assert response.status_code < 500, (url, value, response.status_code)


def test_garbage_form_posts_never_cause_a_server_error_and_change_nothing(gushi_officer):
    client = Client(raise_request_exception=False)
    client.force_login(gushi_officer)
    before = (User.objects.count(), Organisation.objects.count(), AuditEvent.objects.count())
    forms = [
        "core:user_create",
        "workforce:organisation_create",
        "core:calendar",
        "core:password_change",
    ]
    fields = [
        "username",
        "full_name",
        "password",
        "role",
        "region",
        "region_l1",
        "region_l2",
        "organisation",
        "name",
        "uscc",
        "kind",
        "year",
        "holidays",
        "workdays",
        "source",
        "old_password",
        "new_password",
        "new_password2",
    ]
    for name in forms:
        for value in GARBAGE:
            response = client.post(reverse(name), {f: value for f in fields})
            assert response.status_code < 500, (name, value, response.status_code)
    after = (User.objects.count(), Organisation.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_garbage_login_attempts_get_a_chinese_message():
    client = Client(raise_request_exception=False)
    for value in GARBAGE:
        response = client.post(reverse("core:login"), {"username": value, "password": value})
        body = response.content.decode()
        if "\x00" in value:
            assert response.status_code == 400
            assert "无效字符" in body
        elif value.strip():
            assert response.status_code == 200
            assert "用户名或密码不正确" in body
        else:
            assert response.status_code == 200
            assert "该字段是必填项" in body


def test_nul_bytes_in_a_query_are_refused_before_any_query(client, gushi_officer):
    client.force_login(gushi_officer)
    response = client.get(reverse("core:region_list"), {"q": "固始\x00"})
    assert response.status_code == 400
    assert "无效字符" in response.content.decode()
