import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.conftest import PASSWORD
from shegong.core.models import AuditEvent, LoginThrottle

pytestmark = pytest.mark.django_db


def _login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("core:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _pair(username, address="10.0.0.1"):
    return LoginThrottle.objects.get(key=f"pair:{username}|{address}")


def test_login_page_is_in_chinese_by_default(client):
    response = client.get(reverse("core:login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "登录社工平台" in body
    assert 'lang="zh-CN"' in body


def test_login_succeeds_and_is_audited(client, gushi_officer):
    response = _login(client, "gushi_officer", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert AuditEvent.objects.filter(action="login.success", actor=gushi_officer).count() == 1


def test_wrong_password_gives_a_chinese_message(client, gushi_officer):
    response = _login(client, "gushi_officer", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_username_from_that_address_even_with_the_right_password(
    client, settings, gushi_officer
):
    settings.LOGIN_MAX_FAILURES = 5
    for _ in range(4):
        _login(client, "gushi_officer", "wrong")
    assert _pair("gushi_officer").locked_until is None
    _login(client, "gushi_officer", "wrong")
    assert _pair("gushi_officer").locked_until is not None
    response = _login(client, "gushi_officer", PASSWORD)
    assert "已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.locked").count() == 1


def test_a_lock_from_one_address_does_not_lock_the_owner_out_elsewhere(client, gushi_officer):
    for _ in range(5):
        _login(client, "gushi_officer", "wrong", address="203.0.113.9")
    assert "已锁定" in _login(client, "gushi_officer", PASSWORD, "203.0.113.9").content.decode()
    response = _login(client, "gushi_officer", PASSWORD, address="10.0.0.1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(gushi_officer.pk)


def test_colleagues_behind_one_nat_still_sign_in(client, gushi_officer, gushi_worker):
    for _ in range(5):
        _login(client, "gushi_officer", "wrong")
    response = _login(client, "gushi_worker", PASSWORD)
    assert response.status_code == 302


def test_many_failures_from_many_addresses_slow_but_never_lock(client, settings, gushi_officer):
    settings.LOGIN_SLOW_AFTER = 10
    settings.LOGIN_SLOW_MAX_SECONDS = 60
    for n in range(10):
        _login(client, "gushi_officer", "wrong", address=f"198.51.100.{n}")
    # Eleventh attempt anywhere, right away: asked to wait 2**0 = 1 second, password unchecked.
    slowed = _login(client, "gushi_officer", PASSWORD, address="10.0.0.1")
    assert "秒后再试" in slowed.content.decode()
    assert "_auth_user_id" not in client.session
    LoginThrottle.objects.filter(key="user:gushi_officer").update(
        last_failure_at=timezone.now() - datetime.timedelta(seconds=2)
    )
    assert _login(client, "gushi_officer", PASSWORD, address="10.0.0.1").status_code == 302
    assert not LoginThrottle.objects.filter(key="user:gushi_officer").exists()


@pytest.mark.parametrize(
    ("failures", "seconds"), [(9, 0), (10, 1), (11, 2), (13, 8), (15, 32), (16, 60), (40, 60)]
)
def test_the_wait_doubles_past_the_threshold_up_to_the_ceiling(settings, failures, seconds):
    from shegong.core.services import _slow_seconds

    settings.LOGIN_SLOW_AFTER = 10
    settings.LOGIN_SLOW_MAX_SECONDS = 60
    assert _slow_seconds(failures) == seconds


def test_old_throttle_rows_are_pruned_when_failures_come_in(client, gushi_officer):
    old = timezone.now() - datetime.timedelta(hours=1)
    LoginThrottle.objects.bulk_create(
        [
            LoginThrottle(key=f"pair:nobody{n}|10.0.0.2", failures=1, last_failure_at=old)
            for n in range(50)
        ]
    )
    _login(client, "someone-new", "wrong")
    assert sorted(LoginThrottle.objects.values_list("key", flat=True)) == [
        "pair:someone-new|10.0.0.1",
        "user:someone-new",
    ]


def test_an_overlong_username_is_refused_cleanly_and_stores_nothing(client):
    response = _login(client, "x" * 5000, "wrong")
    assert response.status_code == 200
    assert not LoginThrottle.objects.exists()


def test_lock_expires(client, gushi_officer):
    for _ in range(5):
        _login(client, "gushi_officer", "wrong")
    LoginThrottle.objects.filter(key="pair:gushi_officer|10.0.0.1").update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1),
        first_failure_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert _login(client, "gushi_officer", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.filter(key__contains="gushi_officer").exists()


def test_four_failures_then_success_resets_the_count(client, gushi_officer):
    for _ in range(4):
        _login(client, "gushi_officer", "wrong")
    assert _login(client, "gushi_officer", PASSWORD).status_code == 302
    client.post(reverse("core:logout"))
    for _ in range(4):
        _login(client, "gushi_officer", "wrong")
    assert _login(client, "gushi_officer", PASSWORD).status_code == 302


def test_login_redirect_refuses_other_hosts(client, gushi_officer):
    response = client.post(
        reverse("core:login") + "?next=https://evil.example/",
        {"username": "gushi_officer", "password": PASSWORD},
    )
    assert response.url == reverse("core:home")


def test_logout_requires_post(client, gushi_officer):
    client.force_login(gushi_officer)
    assert client.get(reverse("core:logout")).status_code == 405
    assert client.post(reverse("core:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_pages_require_login(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:login"))


def test_session_expires_after_idle_period(settings):
    assert settings.SESSION_COOKIE_AGE == 7200
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_password_change_enforces_validators(client, gushi_officer):
    client.force_login(gushi_officer)
    url = reverse("core:password_change")
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password": "12345678", "new_password2": "12345678"}
    )
    body = weak.content.decode()
    assert weak.status_code == 200
    assert "字母和数字" in body
    gushi_officer.refresh_from_db()
    assert gushi_officer.check_password(PASSWORD)
    ok = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password": "Huaihe-2026-river",
            "new_password2": "Huaihe-2026-river",
        },
    )
    assert ok.status_code == 302
    gushi_officer.refresh_from_db()
    assert gushi_officer.check_password("Huaihe-2026-river")


def test_password_change_refuses_wrong_old_password(client, gushi_officer):
    client.force_login(gushi_officer)
    response = client.post(
        reverse("core:password_change"),
        {
            "old_password": "nope",
            "new_password": "Huaihe-2026-river",
            "new_password2": "Huaihe-2026-river",
        },
    )
    assert "原密码不正确" in response.content.decode()
    gushi_officer.refresh_from_db()
    assert gushi_officer.check_password(PASSWORD)


def test_english_is_available(client, gushi_officer):
    client.force_login(gushi_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("core:home")).content.decode()
    assert "My roles" in body


def test_browser_language_does_not_switch_the_interface(client):
    body = client.get(reverse("core:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-CN"' in body.content.decode()


def test_menu_shows_only_modules_the_role_may_use(client, gushi_officer, volunteer):
    client.force_login(gushi_officer)
    body = client.get(reverse("core:home")).content.decode()
    for label in ("建档立卡", "建档立卡导入", "疑似重复人员", "用户管理", "审计日志"):
        assert f">{label}</a>" in body
    client.force_login(volunteer)
    body = client.get(reverse("core:home")).content.decode()
    for label in ("建档立卡", "用户管理", "审计日志"):
        assert f">{label}</a>" not in body
