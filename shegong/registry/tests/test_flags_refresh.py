"""Left-behind flags follow the facts: a member edit or a household change refreshes the
household's suggestions in the same call (one audit event, the refresh under "flags"); the
daily task does it for members turning 16 or 60; a confirmed flag is never overwritten, and
when it no longer fits it goes on the township's review list until someone settles it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shegong.conftest import GUSHI, make_user
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village
from shegong.registry import services
from shegong.registry.models import LeftBehindReview, Person, ReviewStatus
from shegong.registry.services_flags import birthdays_crossing, flags_refresh_ageing
from shegong.registry.tasks import registry_flags_daily
from shegong.registry.tests.factories import make_household, make_id_number, make_person

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 10)
AWAY = {"work_status": "out_of_province", "months_away": 10}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: TODAY)


@pytest.fixture
def township(db):
    return Region.objects.filter(parent_id=GUSHI).order_by("code").first().code


@pytest.fixture
def village(township):
    return make_village(township).code


@pytest.fixture
def township_officer(township):
    return make_user("township_officer", "township_officer", township)


def family(village, *, head=None, spouse=None, child_birth="20150301"):
    """户主 (a man), 配偶 (a woman) and 之子; facts of the parents as given."""
    household = make_household(village, head_name="张伟")
    Person.objects.filter(household=household).update(**(head or {}))
    wife = make_person(household, "李娟", relation="spouse", sex="female", **(spouse or {}))
    son = make_person(household, "张小明", relation="son", birth=child_birth)
    household.member_count = 3
    household.save(update_fields=["member_count"])
    return household, household.members.get(relation="head"), wife, son


def events(since):
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def last_event_id():
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


def test_a_member_edit_refreshes_the_suggestions_in_one_event(gushi_officer, village):
    household, head, wife, son = family(village, spouse={"labour": "lost"})
    mark = last_event_id()
    services.person_update(actor=gushi_officer, person=head, version=head.version, **AWAY)
    son.refresh_from_db()
    wife.refresh_from_db()
    assert (son.left_behind, son.left_behind_confirmed) == ("child", False)
    assert wife.left_behind == "woman"
    [event] = events(mark)
    assert event.action == "registry.person_update"
    assert event.changes["flags"] == [
        {"person": "李娟", "left_behind": ["", "woman"]},
        {"person": "张小明", "left_behind": ["", "child"]},
    ]
    # Coming home takes the suggestions away again.
    head.refresh_from_db()
    services.person_update(
        actor=gushi_officer, person=head, version=head.version, work_status="none", months_away=0
    )
    son.refresh_from_db()
    assert son.left_behind == ""


def test_an_edit_that_changes_no_flag_records_no_flags(gushi_officer, village):
    household, head, wife, son = family(village)
    mark = last_event_id()
    services.person_update(actor=gushi_officer, person=head, version=head.version, phone="")
    [event] = events(mark)
    assert "flags" not in event.changes


def test_moving_out_the_parent_at_home_makes_the_child_left_behind(gushi_officer, village):
    household, head, wife, son = family(village, head=AWAY, spouse={"labour": "ordinary"})
    services.household_derive_left_behind(household=household)
    son.refresh_from_db()
    assert son.left_behind == ""  # the mother is at home and able to guard
    other = make_household(village, head_name="李强")
    mark = last_event_id()
    services.person_move(
        actor=gushi_officer, person=wife, to_household=other, relation="other", reason="离异"
    )
    son.refresh_from_db()
    assert son.left_behind == "child"
    [event] = events(mark)
    assert event.action == "registry.person_move"
    assert event.changes["flags"] == [
        {"person": "张小明", "left_behind": ["", "child"]},
        {"person": "李娟", "left_behind": ["woman", ""]},
    ]


def test_removing_the_parent_at_home_refreshes_too(gushi_officer, village):
    household, head, wife, son = family(village, head=AWAY, spouse={"labour": "ordinary"})
    services.person_remove(actor=gushi_officer, person=wife, reason="去世")
    son.refresh_from_db()
    assert son.left_behind == "child"


def test_a_confirmed_flag_is_kept_and_goes_to_review_when_the_facts_change(
    gushi_officer, township_officer, xincai_officer, client, village
):
    household, head, wife, son = family(village, head=AWAY, spouse={"labour": "lost"})
    services.person_confirm_left_behind(actor=township_officer, person=son, group="child")
    head.refresh_from_db()
    mark = last_event_id()
    services.person_update(
        actor=gushi_officer, person=head, version=head.version, work_status="none", months_away=0
    )
    son.refresh_from_db()
    assert (son.left_behind, son.left_behind_confirmed) == ("child", True)
    review = LeftBehindReview.objects.get()
    assert (review.person_id, review.confirmed, review.suggested, review.status) == (
        son.pk,
        "child",
        "",
        ReviewStatus.OPEN,
    )
    assert (review.opened_on, review.region_id) == (TODAY, village)
    [event] = events(mark)
    assert event.changes["flags"] == [{"person": "张小明", "review": ["child", ""]}]

    # On the township officer's list, with a link to the person; not on 新蔡's.
    client.force_login(township_officer)
    page = client.get("/registry/left-behind-reviews/")
    assert page.status_code == 200
    assert [r.pk for r in page.context["page"].items] == [review.pk]
    assert f'href="/registry/persons/{son.pk}/"' in page.content.decode()
    client.force_login(xincai_officer)
    page = client.get("/registry/left-behind-reviews/")
    assert page.status_code == 200
    assert list(page.context["page"].items) == []
    assert "张小明" not in page.content.decode()

    # Someone outside cannot settle it, and nothing changes.
    with pytest.raises(PermissionDenied):
        services.person_confirm_left_behind(actor=xincai_officer, person=son, group="")
    review.refresh_from_db()
    son.refresh_from_db()
    assert (review.status, son.left_behind) == (ReviewStatus.OPEN, "child")

    # Clearing it settles the review, in the one event of the confirmation.
    mark = last_event_id()
    services.person_confirm_left_behind(actor=township_officer, person=son, group="")
    review.refresh_from_db()
    son.refresh_from_db()
    assert (review.status, review.resolved_by_id) == (ReviewStatus.RESOLVED, township_officer.pk)
    assert (son.left_behind, son.left_behind_confirmed) == ("", True)
    [event] = events(mark)
    assert event.changes["review"] == {"confirmed": "child", "suggested": ""}


def test_a_review_confirmed_again_is_not_opened_again_for_the_same_facts(
    gushi_officer, township_officer, village
):
    household, head, wife, son = family(village, head=AWAY, spouse={"labour": "lost"})
    services.person_confirm_left_behind(actor=township_officer, person=son, group="child")
    head.refresh_from_db()
    services.person_update(
        actor=gushi_officer, person=head, version=head.version, work_status="none", months_away=0
    )
    services.person_confirm_left_behind(actor=township_officer, person=son, group="child")
    wife.refresh_from_db()
    services.person_update(actor=gushi_officer, person=wife, version=wife.version, phone="")
    assert LeftBehindReview.objects.open().count() == 0
    assert LeftBehindReview.objects.count() == 1


def test_a_review_whose_flag_fits_again_is_withdrawn(gushi_officer, township_officer, village):
    household, head, wife, son = family(village, head=AWAY, spouse={"labour": "lost"})
    services.person_confirm_left_behind(actor=township_officer, person=son, group="child")
    head.refresh_from_db()
    head = services.person_update(
        actor=gushi_officer, person=head, version=head.version, work_status="none", months_away=0
    )
    assert LeftBehindReview.objects.open().count() == 1
    services.person_update(actor=gushi_officer, person=head, version=head.version, **AWAY)
    assert LeftBehindReview.objects.get().status == ReviewStatus.WITHDRAWN


# -- ageing ------------------------------------------------------------------------------------


def test_the_daily_task_refreshes_a_child_turning_16_once(village, monkeypatch):
    turning = family(village, head=AWAY, spouse=AWAY, child_birth="20090610")
    not_yet = family(village, head=AWAY, spouse=AWAY, child_birth="20090611")
    for household, *_rest in (turning, not_yet):
        services.household_derive_left_behind(household=household)
    # The suggestion was made the day before the birthday.
    Person.objects.filter(relation="son").update(left_behind="child")
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    mark = last_event_id()
    result = registry_flags_daily.enqueue()
    assert result.return_value == {"households": 1, "changed": 1}
    turning[3].refresh_from_db()
    not_yet[3].refresh_from_db()
    assert (turning[3].left_behind, not_yet[3].left_behind) == ("", "child")
    [event] = events(mark)
    assert (event.action, event.actor_id, event.target_id) == (
        "registry.flags_refresh",
        None,
        str(turning[0].pk),
    )
    assert event.changes == {
        "reason": "ageing",
        "flags": [{"person": "张小明", "left_behind": ["child", ""]}],
    }
    # Again the same day: nothing changes, nothing is recorded.
    assert registry_flags_daily.enqueue().return_value == {"households": 1, "changed": 0}
    assert events(mark) == [event]


def test_the_daily_task_catches_up_missed_days(village):
    household, head, wife, son = family(village, head=AWAY, spouse=AWAY, child_birth="20090608")
    Person.objects.filter(pk=son.pk).update(left_behind="child")
    assert flags_refresh_ageing(today=TODAY)["households"] == 0
    assert flags_refresh_ageing(today=TODAY, days=3) == {"households": 1, "changed": 1}
    son.refresh_from_db()
    assert son.left_behind == ""


def test_a_parent_turning_60_is_no_longer_a_working_age_parent(village):
    # The grandmother turns 60 today: she becomes left-behind elderly (her son is away).
    household = make_household(village, head_name="王强")
    Person.objects.filter(household=household).update(**AWAY)
    mother = make_person(household, "王母", relation="mother", sex="female", birth="19650610")
    day_before = flags_refresh_ageing(today=TODAY - datetime.timedelta(days=1))
    assert day_before == {"households": 0, "changed": 0}
    assert flags_refresh_ageing(today=TODAY) == {"households": 1, "changed": 1}
    mother.refresh_from_db()
    assert mother.left_behind == "elderly"


@pytest.mark.parametrize(
    ("day", "age", "births"),
    [
        # 29 February births turn a year older on 1 March when the year has no 29 February.
        (datetime.date(2100, 3, 1), 60, [datetime.date(2040, 3, 1), datetime.date(2040, 2, 29)]),
        (datetime.date(2100, 2, 28), 60, [datetime.date(2040, 2, 28)]),
        # In a leap year each births on its own day.
        (datetime.date(2028, 2, 29), 16, [datetime.date(2012, 2, 29)]),
        (datetime.date(2028, 3, 1), 16, [datetime.date(2012, 3, 1)]),
        (datetime.date(2025, 6, 10), 16, [datetime.date(2009, 6, 10)]),
    ],
)
def test_who_crosses_an_age_on_a_day(day, age, births):
    assert birthdays_crossing(day, [age]) == [(age, b) for b in births]


def test_the_person_page_shows_the_open_review(township_officer, gushi_officer, client, village):
    household, head, wife, son = family(village, head=AWAY, spouse={"labour": "lost"})
    services.person_confirm_left_behind(actor=township_officer, person=son, group="child")
    head.refresh_from_db()
    services.person_update(
        actor=gushi_officer, person=head, version=head.version, work_status="none", months_away=0
    )
    client.force_login(township_officer)
    page = client.get(f"/registry/persons/{son.pk}/").content.decode()
    assert 'id="flag-review"' in page
    assert "已核实为“留守儿童”,但按 2025-06-10 的家庭情况应为“否”" in page


def test_make_id_number_is_used_for_births_as_given():
    # The fixtures above rely on the birth date of the ID numbers they build.
    assert make_id_number("411525", "20090610")[6:14] == "20090610"
