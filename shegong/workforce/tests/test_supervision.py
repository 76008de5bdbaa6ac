"""Supervision links: who may assign and end them (both ways, nothing changed on refusal),
what a link must satisfy, the local norm as a warning, the page, and the case access a link
grants while it is open."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shegong.casework.models import Case, ConfidentialNote
from shegong.casework.tests.factories import make_case, make_note
from shegong.conftest import GUSHI, XINCAI, make_org, make_user
from shegong.core.models import AuditEvent, Membership, User
from shegong.workforce.models import Supervision
from shegong.workforce.services import supervision_assign, supervision_end

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def org_admin(gushi_org):
    return make_user("gushi_orgadmin", "org_admin", GUSHI, gushi_org)


@pytest.fixture
def sup(gushi_org):
    return make_user("gushi_sup", "supervisor", GUSHI, gushi_org)


def supervision_events():
    return list(
        AuditEvent.objects.filter(action__startswith="supervision.")
        .order_by("id")
        .values_list("action", "actor__username")
    )


def fresh_user(user):
    # Memberships and supervisees are cached on the user object for a request.
    return User.objects.get(pk=user.pk)


def test_the_agency_admin_assigns_a_supervisor(org_admin, sup, gushi_worker, gushi_org):
    link = supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    stored = Supervision.objects.get()
    assert (stored.pk, stored.organisation, stored.supervisor, stored.supervisee) == (
        link.pk,
        gushi_org,
        sup,
        gushi_worker,
    )
    assert (stored.started_on, stored.ended_on, link.load_warning) == (TODAY, None, "")
    event = AuditEvent.objects.get(action="supervision.assign")
    assert (event.actor, event.region_id, event.target_id) == (org_admin, GUSHI, str(link.pk))
    assert event.changes == {
        "organisation": gushi_org.pk,
        "supervisor": "gushi_sup",
        "supervisee": "gushi_worker",
        "started_on": TODAY.isoformat(),
        "supervisees": 1,
    }


def test_an_officer_of_the_county_may_assign(gushi_officer, sup, gushi_worker):
    supervision_assign(actor=gushi_officer, supervisor=sup, supervisee=gushi_worker)
    assert Supervision.objects.count() == 1
    assert supervision_events() == [("supervision.assign", "gushi_officer")]


def _other_agency_admin(_personas):
    other = make_org("固始另一家社工中心", GUSHI)
    return make_user("other_admin", "org_admin", GUSHI, other)


def _xincai_agency_admin(_personas):
    return make_user("xincai_admin", "org_admin", XINCAI, make_org("新蔡某社工中心", XINCAI))


REFUSED = {
    "org admin of another agency": _other_agency_admin,
    "org admin of a 新蔡 agency": _xincai_agency_admin,
    "social worker of the agency": lambda p: p["gushi_worker"],
    "officer of 新蔡县": lambda p: p["xincai_officer"],
    "volunteer": lambda p: p["volunteer"],
}


@pytest.mark.parametrize("who", list(REFUSED))
def test_others_may_not_assign_and_nothing_changes(who, personas, sup, gushi_worker):
    actor = REFUSED[who](personas)
    with pytest.raises(PermissionDenied):
        supervision_assign(actor=actor, supervisor=sup, supervisee=gushi_worker)
    assert Supervision.objects.count() == 0
    assert supervision_events() == []


@pytest.mark.parametrize("who", list(REFUSED))
def test_others_may_not_end_a_link_and_nothing_changes(who, personas, org_admin, sup, gushi_worker):
    link = supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    actor = REFUSED[who](personas)
    with pytest.raises(PermissionDenied):
        supervision_end(actor=actor, supervision=link)
    assert Supervision.objects.get().ended_on is None
    assert supervision_events() == [("supervision.assign", "gushi_orgadmin")]


def test_the_agency_admin_ends_a_link(org_admin, sup, gushi_worker):
    link = supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    supervision_end(actor=org_admin, supervision=link)
    assert Supervision.objects.get().ended_on == TODAY
    event = AuditEvent.objects.get(action="supervision.end")
    assert (event.actor, event.changes) == (org_admin, {"ended_on": [None, TODAY.isoformat()]})
    with pytest.raises(ValidationError) as err:
        supervision_end(actor=org_admin, supervision=link)
    assert list(err.value.message_dict) == ["end"]


def test_a_link_cannot_end_before_it_started(org_admin, sup, gushi_worker):
    link = supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    with pytest.raises(ValidationError) as err:
        supervision_end(actor=org_admin, supervision=link, end=TODAY - datetime.timedelta(days=1))
    assert err.value.message_dict == {"end": ["结束日期不能早于开始日期。"]}
    assert Supervision.objects.get().ended_on is None


def _no_supervisor_role(org_admin, sup, worker, org):
    colleague = make_user("colleague", "social_worker", GUSHI, org)
    return {"supervisor": colleague, "supervisee": worker, "organisation": org}, "supervisor"


def _supervisee_not_a_worker(org_admin, sup, worker, org):
    return {"supervisor": sup, "supervisee": org_admin, "organisation": org}, "supervisee"


def _self_supervision(org_admin, sup, worker, org):
    Membership.objects.create(user=sup, role="social_worker", region_id=GUSHI, organisation=org)
    return {"supervisor": fresh_user(sup), "supervisee": fresh_user(sup)}, "supervisee"


def _in_the_future(org_admin, sup, worker, org):
    start = TODAY + datetime.timedelta(days=1)
    return {"supervisor": sup, "supervisee": worker, "start": start}, "start"


def _supervisor_of_another_agency(org_admin, sup, worker, org):
    elsewhere = make_user("far_sup", "supervisor", GUSHI, make_org("别家社工中心", GUSHI))
    return {"supervisor": elsewhere, "supervisee": worker, "organisation": org}, "supervisor"


INVALID = {
    "supervisor without a supervisor membership": _no_supervisor_role,
    "supervisee without a social-worker membership": _supervisee_not_a_worker,
    "self-supervision": _self_supervision,
    "start in the future": _in_the_future,
    "supervisor of another agency": _supervisor_of_another_agency,
}


@pytest.mark.parametrize("case", list(INVALID))
def test_a_link_must_be_sound(case, org_admin, sup, gushi_worker, gushi_org):
    kwargs, field = INVALID[case](org_admin, sup, gushi_worker, gushi_org)
    with pytest.raises(ValidationError) as err:
        supervision_assign(actor=org_admin, **kwargs)
    assert list(err.value.message_dict) == [field]
    assert Supervision.objects.count() == 0
    assert supervision_events() == []


def test_no_second_open_link_for_the_same_pair(org_admin, sup, gushi_worker):
    supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    with pytest.raises(ValidationError) as err:
        supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    assert err.value.message_dict == {"supervisee": ["该社工已由这位督导督导中。"]}
    assert Supervision.objects.count() == 1
    # Once it has ended, the pair may be linked again.
    supervision_end(actor=org_admin, supervision=Supervision.objects.get())
    supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    assert Supervision.objects.current().count() == 1
    assert Supervision.objects.count() == 2


def test_above_the_norm_warns_and_still_assigns(settings, org_admin, sup, gushi_worker, gushi_org):
    settings.SUPERVISION_WORKERS_PER_SUPERVISOR = 1
    second = make_user("second_worker", "social_worker", GUSHI, gushi_org)
    first = supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    assert first.load_warning == ""
    link = supervision_assign(actor=org_admin, supervisor=sup, supervisee=second)
    assert link.load_warning == "该督导现督导 2 名社工,超过约 1:1 的督导配比,请考虑增配督导。"
    assert Supervision.objects.current().filter(supervisor=sup).count() == 2


def test_the_default_norm_is_twenty(org_admin, sup, gushi_worker):
    from shegong.workforce.rules import over_norm, supervision_norm

    norm = supervision_norm()
    assert norm.workers_per_supervisor == 20
    assert (over_norm(20, norm), over_norm(21, norm)) == (False, True)


# --- case access follows the link ------------------------------------------------------------


def test_a_supervisor_sees_a_supervisees_case_only_while_the_link_is_open(
    org_admin, sup, gushi_worker
):
    case = make_case(region_code=GUSHI, owner=gushi_worker)
    note = make_note(region_code=GUSHI, case=case)

    def seen():
        user = fresh_user(sup)
        return (
            list(Case.objects.visible_to(user).values_list("pk", flat=True)),
            list(ConfidentialNote.objects.visible_to(user).values_list("pk", flat=True)),
        )

    assert seen() == ([], [])
    link = supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    assert seen() == ([case.pk], [note.pk])
    supervision_end(actor=org_admin, supervision=link)
    assert seen() == ([], [])


# --- the page --------------------------------------------------------------------------------

URL = "/workforce/supervision/"


def test_the_page_lists_links_and_offers_the_form(client, org_admin, sup, gushi_worker):
    supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    client.force_login(org_admin)
    assert reverse("workforce:supervision_list") == URL
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('name="supervisor"') == 1 and body.count('name="supervisee"') == 1
    assert "测试gushi_sup" in body and "测试gushi_worker" in body
    link = Supervision.objects.get()
    assert reverse("workforce:supervision_end", args=[link.pk]) in body
    assert "1:20" in body


def test_assigning_and_ending_through_the_page(client, org_admin, sup, gushi_worker, gushi_org):
    client.force_login(org_admin)
    response = client.post(
        URL, {"org": gushi_org.pk, "supervisor": sup.pk, "supervisee": gushi_worker.pk}
    )
    assert response.status_code == 302
    link = Supervision.objects.get()
    response = client.post(reverse("workforce:supervision_end", args=[link.pk]), {})
    assert response.status_code == 302
    assert Supervision.objects.get().ended_on == TODAY
    assert supervision_events() == [
        ("supervision.assign", "gushi_orgadmin"),
        ("supervision.end", "gushi_orgadmin"),
    ]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"supervisor": "99999", "supervisee": "x"}, "supervisor"),
        ({"supervisor": "", "supervisee": ""}, "supervisee"),
        ({"start": "2025-02-30"}, "start"),
    ],
)
def test_bad_input_is_shown_next_to_its_field(client, org_admin, sup, data, field):
    client.force_login(org_admin)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Supervision.objects.count() == 0


def test_a_refusal_of_the_service_is_shown_next_to_its_field(
    client, org_admin, sup, gushi_org, gushi_worker
):
    client.force_login(org_admin)
    response = client.post(URL, {"supervisor": sup.pk, "supervisee": gushi_worker.pk})
    assert response.status_code == 302
    response = client.post(URL, {"supervisor": sup.pk, "supervisee": gushi_worker.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["supervisee"] == ["该社工已由这位督导督导中。"]
    assert Supervision.objects.count() == 1


def test_ending_with_a_bad_date_is_refused_next_to_the_button(client, org_admin, sup, gushi_worker):
    link = supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    client.force_login(org_admin)
    earlier = (TODAY - datetime.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("workforce:supervision_end", args=[link.pk]), {f"end{link.pk}-end": earlier}
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.content.decode()
    assert Supervision.objects.get().ended_on is None


@pytest.mark.parametrize("who", ["gushi_worker", "volunteer"])
def test_the_page_is_refused_to_others(client, personas, who):
    client.force_login(personas[who])
    assert client.get(URL).status_code == 403


def test_an_officer_of_another_county_sees_none_of_the_agency(
    client, xincai_officer, org_admin, sup, gushi_worker, gushi_org
):
    supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    client.force_login(xincai_officer)
    response = client.get(f"{URL}?org={gushi_org.pk}")
    body = response.content.decode()
    assert response.status_code == 200
    assert gushi_org.name not in body and "测试gushi_sup" not in body
    response = client.post(
        URL, {"org": gushi_org.pk, "supervisor": sup.pk, "supervisee": gushi_worker.pk}
    )
    assert response.status_code == 200
    assert Supervision.objects.count() == 1


def test_another_agencys_admin_cannot_end_through_the_page(
    client, personas, org_admin, sup, gushi_worker
):
    link = supervision_assign(actor=org_admin, supervisor=sup, supervisee=gushi_worker)
    client.force_login(_other_agency_admin(personas))
    response = client.post(reverse("workforce:supervision_end", args=[link.pk]), {})
    assert response.status_code == 404
    assert Supervision.objects.get().ended_on is None
    body = client.get(URL).content.decode()
    assert "测试gushi_sup" not in body
