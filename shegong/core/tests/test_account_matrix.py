"""Who manages whose account, proved over every manager × every target × every account action.

The expected answers are written out by hand below (not computed by the rule under test): an
actor may act on an account only if they could have granted every membership it holds, from
a role above it. Each cell is checked both ways: an allowed action takes effect; a refused one
answers 404 (like a missing account) and changes nothing.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from shegong.conftest import GUSHI, PASSWORD, PROVINCE, XINCAI, make_org
from shegong.core.models import AuditEvent, Membership, Region, User

pytestmark = pytest.mark.django_db

XINYANG = "411500000000"  # the city 固始县 belongs to
NEW_PASSWORD = "Huaihe-2026-river"


def _townships(county: str) -> list[str]:
    return list(
        Region.objects.filter(parent_id=county).order_by("code").values_list("code", flat=True)
    )


# Managers: (role, region key, organisation key). Region keys resolve in `_place`.
MANAGERS = {
    "province_admin": ("province_admin", "province", None),
    "city_officer": ("civil_affairs_officer", "city", None),
    "gushi_officer": ("civil_affairs_officer", "gushi", None),
    "gushi_orgadmin": ("org_admin", "gushi", "A"),
    "xincai_officer": ("civil_affairs_officer", "xincai", None),
    "gushi_worker": ("social_worker", "gushi", "A"),
    "gushi_township": ("township_officer", "gushi_t1", None),
}

# Targets: a list of memberships each.
TARGETS = {
    "province_admin": [("province_admin", "province", None)],
    "city_officer_peer": [("civil_affairs_officer", "city", None)],
    "county_officer": [("civil_affairs_officer", "gushi", None)],
    "township_officer": [("township_officer", "gushi_t1", None)],
    "child_director": [("child_director", "gushi_t1", None)],
    "child_supervisor": [("child_supervisor", "gushi_t1", None)],
    "org_admin": [("org_admin", "gushi", "A")],
    "social_worker": [("social_worker", "gushi", "A")],
    "supervisor": [("supervisor", "gushi", "A")],
    "volunteer": [("volunteer", "gushi", "A")],
    "volunteer_no_agency": [("volunteer", "gushi", None)],
    "evaluator": [("evaluator", "gushi", None)],
    "mandatory_reporter": [("mandatory_reporter", "gushi_t1", None)],
    "worker_of_other_agency": [("social_worker", "gushi", "B")],
    "two_counties": [
        ("township_officer", "gushi_t1", None),
        ("township_officer", "xincai_t1", None),
    ],
    "worker_and_officer": [
        ("social_worker", "gushi", "A"),
        ("civil_affairs_officer", "gushi", None),
    ],
    "xincai_worker": [("social_worker", "xincai", "C")],
}

_GUSHI_BELOW_COUNTY = {
    "township_officer",
    "child_director",
    "child_supervisor",
    "org_admin",
    "social_worker",
    "supervisor",
    "volunteer",
    "volunteer_no_agency",
    "evaluator",
    "mandatory_reporter",
    "worker_of_other_agency",
}

# Written by hand from the rule, case by case.
ALLOWED = {
    # Everything but a peer province administrator.
    "province_admin": set(TARGETS) - {"province_admin"},
    # Everything inside 信阳市 below the city office; not a city peer, not 新蔡 (驻马店市).
    "city_officer": _GUSHI_BELOW_COUNTY | {"county_officer", "worker_and_officer"},
    # Below the county office only: not the county peer, nor an account that is also one.
    "gushi_officer": set(_GUSHI_BELOW_COUNTY),
    # Only their own agency's workers, supervisors and volunteers.
    "gushi_orgadmin": {"social_worker", "supervisor", "volunteer"},
    "xincai_officer": {"xincai_worker"},
    "gushi_worker": set(),
    "gushi_township": set(),
}

# A membership each manager may grant, added in the "membership add" cell.
ADD = {
    "province_admin": ("evaluator", "gushi_t2", None),
    "city_officer": ("evaluator", "gushi_t2", None),
    "gushi_officer": ("evaluator", "gushi_t2", None),
    "gushi_orgadmin": ("volunteer", "gushi_t2", "A"),
    "xincai_officer": ("evaluator", "xincai_t2", None),
    "gushi_worker": ("volunteer", "gushi_t2", "A"),
    "gushi_township": ("evaluator", "gushi_t2", None),
}

# A second membership like the first, one level deeper, for the "membership remove" cell (an
# account's last membership is never removed). Deeper never makes an account easier to reach
# than its first membership already does, so the expected answers stay the same.
DEEPER = {
    "province": "city",
    "city": "gushi",
    "gushi": "gushi_t3",
    "gushi_t1": "gushi_t3",
    "xincai": "xincai_t3",
    "xincai_t1": "xincai_t3",
}

ACTIONS = ("view", "list", "api", "edit", "add", "remove", "reset", "deactivate")


@pytest.fixture
def places(db):
    gushi, xincai = _townships(GUSHI), _townships(XINCAI)
    return {
        "province": PROVINCE,
        "city": XINYANG,
        "gushi": GUSHI,
        "gushi_t1": gushi[0],
        "gushi_t2": gushi[1],
        "gushi_t3": gushi[2],
        "xincai": XINCAI,
        "xincai_t1": xincai[0],
        "xincai_t2": xincai[1],
        "xincai_t3": xincai[2],
        "kaifeng": "410200000000",
    }


@pytest.fixture
def orgs(db):
    return {
        "A": make_org("固始甲社工中心", GUSHI),
        "B": make_org("固始乙社工中心", GUSHI),
        "C": make_org("新蔡丙社工中心", XINCAI),
    }


def _account(username, grants, places, orgs):
    user = User.objects.create_user(username=username, password=PASSWORD, full_name="原名")
    for role, place, org in grants:
        Membership.objects.create(
            user=user, role=role, region_id=places[place], organisation=orgs.get(org)
        )
    return user


def _state(user):
    user.refresh_from_db()
    return (
        user.full_name,
        user.is_active,
        user.password,
        sorted(user.memberships.values_list("role", "region_id", "organisation_id")),
    )


def _cells(client, manager_name, actor, target, places, orgs):
    """Run every action as `actor` on `target`; return {action: took effect}."""
    pk = target.pk
    effect: dict[str, bool] = {}
    page = client.get(reverse("core:user_detail", args=[pk]))
    effect["view"] = page.status_code == 200
    listing = client.get(reverse("core:user_list"), {"q": target.username})
    detail_link = reverse("core:user_detail", args=[pk])
    effect["list"] = listing.status_code == 200 and detail_link in listing.content.decode()
    api = client.get(f"/api/v1/users/{pk}/")
    effect["api"] = api.status_code == 200

    before = _state(target)
    client.post(
        reverse("core:user_edit", args=[pk]),
        {"full_name": "新名", "phone": "", "is_active": "on", "version": target.version},
    )
    effect["edit"] = _state(target)[0] == "新名"

    role, place, org = ADD[manager_name]
    client.post(
        reverse("core:membership_add", args=[pk]),
        {
            "role": role,
            "region": places[place],
            "organisation": orgs[org].pk if org else "",
        },
    )
    effect["add"] = target.memberships.filter(role=role, region_id=places[place]).exists()

    first = target.memberships.order_by("id").first()
    deeper_place = DEEPER[next(k for k, v in places.items() if v == first.region_id)]
    clone = Membership.objects.create(
        user=target,
        role=first.role,
        region_id=places[deeper_place],
        organisation_id=first.organisation_id,
    )
    client.post(reverse("core:membership_remove", args=[clone.pk]))
    effect["remove"] = not Membership.objects.filter(pk=clone.pk).exists()

    client.post(reverse("core:user_password_reset", args=[pk]), {"password": NEW_PASSWORD})
    target.refresh_from_db()
    effect["reset"] = target.check_password(NEW_PASSWORD)

    target.refresh_from_db()
    client.post(
        reverse("core:user_edit", args=[pk]),
        {"full_name": target.full_name, "phone": "", "version": target.version},
    )
    target.refresh_from_db()
    effect["deactivate"] = not target.is_active

    if not any(effect.values()):
        # Refused everywhere: the account must be exactly as it was before the first write.
        after = _state(target)
        after_memberships = [m for m in after[3] if m[1] != places[deeper_place]]
        assert (after[:3], after_memberships) == (before[:3], before[3]), (manager_name, target)
    return effect


class _Rollback(Exception):
    pass


def test_every_manager_target_and_action(places, orgs, capsys):
    failures = []
    cells = allowed_cells = 0
    for manager_name, (role, place, org) in MANAGERS.items():
        for target_name, grants in TARGETS.items():
            expected = target_name in ALLOWED[manager_name]
            try:
                with transaction.atomic():
                    actor = _account(f"m_{manager_name}", [(role, place, org)], places, orgs)
                    target = _account(f"t_{target_name}", grants, places, orgs)
                    client = Client()
                    client.force_login(actor)
                    effect = _cells(client, manager_name, actor, target, places, orgs)
                    raise _Rollback
            except _Rollback:
                pass
            for action in ACTIONS:
                cells += 1
                allowed_cells += expected
                if effect[action] != expected:
                    failures.append(f"{manager_name} → {target_name}: {action} {effect[action]}")
    with capsys.disabled():
        print(
            f"\naccount matrix: {cells} cells checked "
            f"({len(MANAGERS)} managers × {len(TARGETS)} targets × {len(ACTIONS)} actions; "
            f"{allowed_cells} allowed, {cells - allowed_cells} refused)"
        )
    assert failures == [], "\n".join(failures)


def test_an_org_admin_cannot_take_over_the_county_officer(client, orgs, places):
    """The probe's takeover: the agency administrator resets the officer's password."""
    admin = _account("orgadmin", [("org_admin", "gushi", "A")], places, orgs)
    officer = _account("officer", [("civil_affairs_officer", "gushi", None)], places, orgs)
    client.force_login(admin)
    response = client.post(
        reverse("core:user_password_reset", args=[officer.pk]), {"password": NEW_PASSWORD}
    )
    assert response.status_code == 404
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_reset").exists()
    assert Client().login(username="officer", password=NEW_PASSWORD) is False


def test_an_account_action_is_filed_where_the_actor_and_every_membership_are(client, orgs, places):
    province = _account("prov", [("province_admin", "province", None)], places, orgs)
    target = _account(
        "both",
        [("township_officer", "gushi_t1", None), ("township_officer", "xincai_t1", None)],
        places,
        orgs,
    )
    gushi = _account("g_off", [("civil_affairs_officer", "gushi", None)], places, orgs)
    xincai = _account("x_off", [("civil_affairs_officer", "xincai", None)], places, orgs)
    other = _account("z_off", [("civil_affairs_officer", "city", None)], places, orgs)
    client.force_login(province)
    client.post(reverse("core:user_password_reset", args=[target.pk]), {"password": NEW_PASSWORD})
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.region_id == PROVINCE
    assert sorted(event.filings.values_list("region_id", flat=True)) == sorted(
        [places["gushi_t1"], places["xincai_t1"]]
    )
    for viewer, sees in ((gushi, True), (xincai, True), (other, True), (province, True)):
        assert AuditEvent.objects.visible_to(viewer).filter(pk=event.pk).exists() is sees
    outsider = _account("kf_off", [("civil_affairs_officer", "kaifeng", None)], places, orgs)
    assert not AuditEvent.objects.visible_to(outsider).filter(pk=event.pk).exists()


def test_the_last_membership_is_never_removed(client, orgs, places):
    officer = _account("officer", [("civil_affairs_officer", "gushi", None)], places, orgs)
    clerk = _account("clerk", [("township_officer", "gushi_t1", None)], places, orgs)
    client.force_login(officer)
    membership = clerk.memberships.get()
    response = client.post(reverse("core:membership_remove", args=[membership.pk]), follow=True)
    assert "唯一的角色授权" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditEvent.objects.filter(action="membership.remove").exists()


def test_a_county_officer_cannot_grant_a_peer_county_officer(client, orgs, places):
    officer = _account("officer", [("civil_affairs_officer", "gushi", None)], places, orgs)
    clerk = _account("clerk", [("township_officer", "gushi_t1", None)], places, orgs)
    client.force_login(officer)
    response = client.post(
        reverse("core:membership_add", args=[clerk.pk]),
        {"role": "civil_affairs_officer", "region": GUSHI},
    )
    assert "同级之间不能授予与自己相同的角色" in response.content.decode()
    assert list(clerk.memberships.values_list("role", flat=True)) == ["township_officer"]
