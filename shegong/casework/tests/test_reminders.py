"""The daily reminders: who is reminded of what, once a day, and who may dismiss them."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from shegong.casework import tasks
from shegong.casework.models import (
    AssigneeKind,
    FollowUp,
    FollowUpStatus,
    PlanTask,
    Referral,
    ReferralStatus,
    Reminder,
    TaskStatus,
)
from shegong.casework.reminders import reminder_get, reminder_read, reminders_for
from shegong.casework.tests.factories import (
    make_case,
    make_follow_up,
    make_plan,
    make_referral,
    make_task,
)
from shegong.conftest import GUSHI
from shegong.core.models import Region
from shegong.core.testing import make_village

pytestmark = pytest.mark.django_db

NOTHING = {"follow_up": 0, "task": 0, "referral": 0, "already_sent": 0}


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def case(gushi_worker):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_case(region_code=make_village(township.code).code, owner=gushi_worker)


def _follow_up(case, days, status=FollowUpStatus.SCHEDULED):
    follow_up = make_follow_up(region_code=case.region_id, case=case)
    FollowUp.objects.filter(pk=follow_up.pk).update(due_on=_in(days), status=status)
    return follow_up


def _task(case, days, assignee, status=TaskStatus.OPEN):
    task = make_task(region_code=case.region_id, plan=make_plan(region_code="", case=case))
    PlanTask.objects.filter(pk=task.pk).update(due_on=_in(days), status=status, assignee=assignee)
    return task


def _referral(case, days, status=ReferralStatus.SENT):
    referral = make_referral(region_code=case.region_id, case=case)
    Referral.objects.filter(pk=referral.pk).update(due_on=_in(days), status=status)
    return referral


def _reminded():
    return sorted(Reminder.objects.values_list("kind", "object_id", "user_id"))


@pytest.mark.parametrize(
    ("days", "status", "reminded"),
    [
        (2, FollowUpStatus.SCHEDULED, True),
        (0, FollowUpStatus.SCHEDULED, True),
        (-5, FollowUpStatus.SCHEDULED, True),
        (3, FollowUpStatus.SCHEDULED, False),
        (1, FollowUpStatus.DONE, False),
        (-1, FollowUpStatus.CANCELLED, False),
    ],
)
def test_a_follow_up_due_within_two_days_or_overdue_reminds_its_visitor(
    case, gushi_worker, days, status, reminded
):
    follow_up = _follow_up(case, days, status)
    counts = tasks.send_reminders.call()
    expected = [("follow_up", follow_up.pk, gushi_worker.pk)] if reminded else []
    assert _reminded() == expected
    assert counts == NOTHING | {"follow_up": len(expected)}


@pytest.mark.parametrize(
    ("days", "status", "reminded"),
    [
        (2, TaskStatus.OPEN, True),
        (-1, TaskStatus.OPEN, True),
        (3, TaskStatus.OPEN, False),
        (0, TaskStatus.DONE, False),
        (0, TaskStatus.CANCELLED, False),
    ],
)
def test_an_open_task_reminds_its_assignee(case, volunteer, days, status, reminded):
    task = _task(case, days, volunteer, status)
    counts = tasks.send_reminders.call()
    expected = [("task", task.pk, volunteer.pk)] if reminded else []
    assert _reminded() == expected
    assert counts == NOTHING | {"task": len(expected)}


def test_a_task_for_a_partner_institution_reminds_no_one(case):
    task = _task(case, 0, None)
    PlanTask.objects.filter(pk=task.pk).update(assignee_kind=AssigneeKind.PARTNER)
    assert tasks.send_reminders.call() == NOTHING
    assert _reminded() == []


@pytest.mark.parametrize(
    ("days", "status", "reminded"),
    [
        (-1, ReferralStatus.SENT, True),
        (-10, ReferralStatus.ACCEPTED, True),
        (0, ReferralStatus.SENT, False),
        (1, ReferralStatus.ACCEPTED, False),
        (-3, ReferralStatus.SERVED, False),
        (-3, ReferralStatus.DECLINED, False),
    ],
)
def test_an_overdue_referral_reminds_the_cases_worker(case, gushi_worker, days, status, reminded):
    referral = _referral(case, days, status)
    counts = tasks.send_reminders.call()
    expected = [("referral", referral.pk, gushi_worker.pk)] if reminded else []
    assert _reminded() == expected
    assert counts == NOTHING | {"referral": len(expected)}


def test_the_message_names_the_case_the_item_and_when(case, volunteer):
    _follow_up(case, 2)
    _task(case, 0, volunteer)
    referral = _referral(case, -3)
    tasks.send_reminders.call()
    messages = dict(Reminder.objects.values_list("kind", "message"))
    assert messages == {
        "follow_up": f"{case.number} 回访“了解就业适应情况”,2天后到期。",
        "task": f"{case.number} 计划任务“陪同就医”,今天到期。",
        "referral": f"{case.number} 转介至{referral.institution.name}未按期办结,已逾期3天。",
    }
    assert Reminder.objects.get(kind="referral").due_on == _in(-3)


def test_a_second_run_the_same_day_adds_nothing(case, volunteer):
    _follow_up(case, 1)
    _task(case, -2, volunteer)
    _referral(case, -1)
    assert tasks.send_reminders.call() == {
        "follow_up": 1,
        "task": 1,
        "referral": 1,
        "already_sent": 0,
    }
    before = _reminded()
    assert tasks.send_reminders.call() == NOTHING | {"already_sent": 3}
    assert _reminded() == before


def test_the_next_day_reminds_again(case, gushi_worker, monkeypatch):
    _follow_up(case, -1)
    tasks.send_reminders.call()
    today, tomorrow = _in(0), _in(1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert tasks.send_reminders.call() == NOTHING | {"follow_up": 1}
    assert sorted(Reminder.objects.values_list("created_on", flat=True)) == [today, tomorrow]


def test_items_are_read_in_batches(case, gushi_worker, monkeypatch):
    monkeypatch.setattr(tasks, "BATCH", 2)
    made = [_follow_up(case, 0).pk for _i in range(5)]
    assert tasks.send_reminders.call() == NOTHING | {"follow_up": 5}
    assert sorted(Reminder.objects.values_list("object_id", flat=True)) == made


def test_an_inactive_user_is_not_reminded(case, gushi_worker):
    _follow_up(case, 0)
    gushi_worker.is_active = False
    gushi_worker.save(update_fields=["is_active"])
    assert tasks.send_reminders.call() == NOTHING


def test_the_command_runs_the_task(case):
    _follow_up(case, 0)
    out = StringIO()
    call_command("casework_reminders", stdout=out)
    assert Reminder.objects.count() == 1
    assert "'follow_up': 1" in out.getvalue()


# --- reading and dismissing -----------------------------------------------------------------------


def _reminder(user, case, kind="follow_up", object_id=1, created_on=None):
    return Reminder.objects.create(
        user=user,
        case=case,
        kind=kind,
        object_id=object_id,
        due_on=timezone.localdate(),
        message="提醒",
        created_on=created_on or timezone.localdate(),
    )


def test_reminders_for_shows_own_unread_newest_first(case, gushi_worker, xincai_worker):
    old = _reminder(gushi_worker, case, object_id=1, created_on=_in(-1))
    new = _reminder(gushi_worker, case, object_id=2)
    read = _reminder(gushi_worker, case, object_id=3)
    read.read_at = timezone.now()
    read.save()
    _reminder(xincai_worker, case, object_id=4)
    assert list(reminders_for(actor=gushi_worker)) == [new, old]


def test_the_owner_dismisses_a_reminder(case, gushi_worker):
    reminder = _reminder(gushi_worker, case)
    reminder_read(actor=gushi_worker, reminder=reminder)
    first = Reminder.objects.get().read_at
    assert first is not None
    reminder_read(actor=gushi_worker, reminder=reminder_get(actor=gushi_worker, pk=reminder.pk))
    assert Reminder.objects.get().read_at == first
    assert list(reminders_for(actor=gushi_worker)) == []


def test_no_one_else_reads_or_dismisses_it(case, gushi_worker, gushi_officer):
    reminder = _reminder(gushi_worker, case)
    with pytest.raises(PermissionDenied):
        reminder_read(actor=gushi_officer, reminder=reminder)
    with pytest.raises(Http404):
        reminder_get(actor=gushi_officer, pk=reminder.pk)
    assert Reminder.objects.get().read_at is None
    assert list(reminders_for(actor=gushi_officer)) == []
