import pytest
from django.urls import reverse

from shegong.conftest import GUSHI, XINCAI, make_user
from shegong.core.models import AuditEvent, Membership, Region, User

pytestmark = pytest.mark.django_db

STRONG = "Huaihe-2026-river"


def _township(county):
    return Region.objects.filter(parent_id=county).order_by("code").first().code


def _create(client, **overrides):
    data = {
        "username": "new_director",
        "full_name": "王芳",
        "password": STRONG,
        "role": "child_director",
        "region_l1": GUSHI,
        "region_l2": _township(GUSHI),
    }
    data.update(overrides)
    return client.post(reverse("core:user_create"), data)


def test_county_officer_creates_an_account_in_the_county(client, gushi_officer):
    client.force_login(gushi_officer)
    response = _create(client)
    assert response.status_code == 302
    user = User.objects.get(username="new_director")
    membership = user.memberships.get()
    assert (membership.role, membership.region_id) == ("child_director", _township(GUSHI))
    assert user.check_password(STRONG)
    assert (
        AuditEvent.objects.filter(
            action="user.create", target_id=str(user.pk), actor=gushi_officer
        ).count()
        == 1
    )


def test_county_officer_cannot_create_an_account_in_another_county(client, gushi_officer):
    client.force_login(gushi_officer)
    response = _create(client, region_l1=XINCAI, region_l2=_township(XINCAI))
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    assert not User.objects.filter(username="new_director").exists()
    assert not AuditEvent.objects.filter(action="user.create").exists()


def test_county_officer_cannot_grant_province_admin(client, gushi_officer):
    client.force_login(gushi_officer)
    response = _create(client, role="province_admin")
    assert response.status_code == 200
    assert not User.objects.filter(username="new_director").exists()


def test_social_worker_role_needs_an_organisation(client, gushi_officer):
    client.force_login(gushi_officer)
    response = _create(client, role="social_worker")
    assert "必须指定所属机构" in response.content.decode()
    assert not User.objects.filter(username="new_director").exists()


def test_weak_password_is_refused_with_a_reason(client, gushi_officer):
    client.force_login(gushi_officer)
    response = _create(client, password="abcdefghij")
    assert "字母和数字" in response.content.decode()
    assert not User.objects.filter(username="new_director").exists()


def test_duplicate_username_is_refused(client, gushi_officer):
    client.force_login(gushi_officer)
    response = _create(client, username="GUSHI_OFFICER")
    assert "已被使用" in response.content.decode()
    assert User.objects.filter(username__iexact="gushi_officer").count() == 1


def test_social_worker_cannot_manage_accounts(client, gushi_worker):
    client.force_login(gushi_worker)
    assert client.get(reverse("core:user_list")).status_code == 403
    assert _create(client).status_code == 403
    assert not User.objects.filter(username="new_director").exists()


def test_user_list_shows_only_the_county(client, gushi_officer, xincai_officer):
    make_user("gushi_clerk", "township_officer", _township(GUSHI))
    make_user("xincai_clerk", "township_officer", _township(XINCAI))
    client.force_login(gushi_officer)
    body = client.get(reverse("core:user_list")).content.decode()
    assert "gushi_clerk" in body
    assert "xincai_clerk" not in body
    assert "xincai_officer" not in body


def test_org_admin_staffs_only_their_own_agency(client, gushi_org, xincai_org):
    other = type(gushi_org).objects.create(
        name="固始另一家机构", region_id=GUSHI, kind="social_work_agency"
    )
    admin = make_user("orgadmin", "org_admin", GUSHI, gushi_org)
    client.force_login(admin)
    ok = _create(client, role="social_worker", organisation=gushi_org.pk, username="sw1")
    assert ok.status_code == 302
    refused = _create(client, role="social_worker", organisation=other.pk, username="sw2")
    assert refused.status_code == 200
    assert not User.objects.filter(username="sw2").exists()
    refused = _create(client, role="civil_affairs_officer", username="sw3")
    assert not User.objects.filter(username="sw3").exists()


def test_edit_refuses_a_stale_form_and_keeps_the_other_edit(client, gushi_officer):
    subject = make_user("subject", "township_officer", _township(GUSHI))
    client.force_login(gushi_officer)
    url = reverse("core:user_edit", args=[subject.pk])
    first = client.post(
        url,
        {
            "full_name": "甲",
            "phone": "",
            "is_active": "on",
            "version": subject.version,
        },
    )
    assert first.status_code == 302
    second = client.post(
        url,
        {
            "full_name": "乙",
            "phone": "",
            "is_active": "on",
            "version": subject.version,
        },
    )
    assert second.status_code == 200
    assert "已被他人修改" in second.content.decode()
    subject.refresh_from_db()
    assert subject.full_name == "甲"


def test_officer_cannot_manage_their_own_account_from_user_management(client, gushi_officer):
    client.force_login(gushi_officer)
    url = reverse("core:user_edit", args=[gushi_officer.pk])
    response = client.post(url, {"full_name": "x", "phone": "", "version": gushi_officer.version})
    assert response.status_code == 404
    gushi_officer.refresh_from_db()
    assert gushi_officer.is_active
    assert gushi_officer.full_name == "测试gushi_officer"


def test_add_and_remove_membership(client, gushi_officer):
    subject = make_user("subject", "township_officer", _township(GUSHI))
    client.force_login(gushi_officer)
    url = reverse("core:membership_add", args=[subject.pk])
    response = client.post(
        url,
        {
            "role": "child_supervisor",
            "region_l1": GUSHI,
            "region_l2": _township(GUSHI),
        },
    )
    assert response.status_code == 302
    added = subject.memberships.get(role="child_supervisor")
    response = client.post(reverse("core:membership_remove", args=[added.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=added.pk).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="membership.")
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions == ["membership.add", "membership.remove"]


def test_xincai_officer_cannot_remove_a_gushi_membership(client, xincai_officer):
    subject = make_user("subject", "township_officer", _township(GUSHI))
    membership = subject.memberships.get()
    client.force_login(xincai_officer)
    response = client.post(reverse("core:membership_remove", args=[membership.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_password_reset_by_officer_unlocks(client, gushi_officer):
    subject = make_user("subject", "township_officer", _township(GUSHI))
    client.force_login(gushi_officer)
    response = client.post(
        reverse("core:user_password_reset", args=[subject.pk]), {"password": STRONG}
    )
    assert response.status_code == 302
    subject.refresh_from_db()
    assert subject.check_password(STRONG)


def test_user_list_query_count_does_not_grow_with_users(
    client, gushi_officer, django_assert_num_queries
):
    township = _township(GUSHI)
    for n in range(3):
        make_user(f"staff{n}", "township_officer", township)
    client.force_login(gushi_officer)
    client.get(reverse("core:user_list"))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("core:user_list"))
    for n in range(3, 13):
        make_user(f"staff{n}", "township_officer", township)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("core:user_list"))
    assert len(many) == len(few)
