"""Background work of casework, run by `shegong worker`: the daily reminders."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from .models import (
    Case,
    FollowUp,
    FollowUpStatus,
    PlanTask,
    Referral,
    ReferralStatus,
    Reminder,
    TaskStatus,
)

# Follow-ups and tasks are announced this many days ahead; referrals only once overdue.
DAYS_AHEAD = 2
# Rows read and written per round: memory stays flat however many cases are open.
BATCH = 2000

# (id, case id, user id, due date, what) per due item.
Row = tuple[int, int, int, datetime.date, str]


def _due_follow_ups(today: datetime.date) -> QuerySet[Any]:
    return FollowUp.objects.filter(
        status=FollowUpStatus.SCHEDULED,
        due_on__lte=today + datetime.timedelta(days=DAYS_AHEAD),
        assigned_to__is_active=True,
    ).values_list("id", "case_id", "assigned_to_id", "due_on", "purpose")


def _due_tasks(today: datetime.date) -> QuerySet[Any]:
    # A task for a partner institution has no user to remind.
    return PlanTask.objects.filter(
        status=TaskStatus.OPEN,
        due_on__lte=today + datetime.timedelta(days=DAYS_AHEAD),
        assignee__isnull=False,
        assignee__is_active=True,
    ).values_list("id", "case_id", "assignee_id", "due_on", "title")


def _overdue_referrals(today: datetime.date) -> QuerySet[Any]:
    return Referral.objects.filter(
        status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED],
        due_on__lt=today,
        case__worker__is_active=True,
    ).values_list("id", "case_id", "case__worker_id", "due_on", "institution__name")


def _when(due: datetime.date, today: datetime.date) -> str:
    days = (due - today).days
    if days < 0:
        return _("已逾期{n}天").format(n=-days)
    if days == 0:
        return _("今天到期")
    return _("{n}天后到期").format(n=days)


def _message(kind: str, case_id: int, what: str, due: datetime.date, today: datetime.date) -> str:
    template = {
        "follow_up": _("{case} 回访“{what}”,{when}。"),
        "task": _("{case} 计划任务“{what}”,{when}。"),
        "referral": _("{case} 转介至{what}未按期办结,{when}。"),
    }[kind]
    number = Case(pk=case_id).number
    return template.format(case=number, what=what[:100], when=_when(due, today))[:300]


SOURCES: dict[str, Callable[[datetime.date], QuerySet[Any]]] = {
    "follow_up": _due_follow_ups,
    "task": _due_tasks,
    "referral": _overdue_referrals,
}


def _remind(kind: str, rows: QuerySet[Any], today: datetime.date) -> tuple[int, int]:
    """Write today's reminder for every row, batch by batch; (found, newly created)."""
    found = created = 0
    last = 0
    while True:
        batch: list[Row] = list(rows.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return found, created
        last = batch[-1][0]
        already = set(
            Reminder.objects.filter(
                created_on=today,
                kind=kind,
                user_id__in={r[2] for r in batch},
                object_id__in=[r[0] for r in batch],
            ).values_list("user_id", "object_id")
        )
        fresh = [
            Reminder(
                user_id=user_id,
                case_id=case_id,
                kind=kind,
                object_id=pk,
                due_on=due,
                message=_message(kind, case_id, what or "", due, today),
                created_on=today,
            )
            for pk, case_id, user_id, due, what in batch
            if (user_id, pk) not in already
        ]
        # A second run racing this one is harmless: the daily unique constraint drops repeats.
        Reminder.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
        found += len(batch)
        created += len(fresh)


@task()
def send_reminders() -> dict[str, int]:
    """Remind each person of what is theirs: follow-ups and plan tasks due within two days or
    overdue, referrals overdue (the case's worker). Once a day per item; run again the same
    day it adds nothing. Returns the new reminders per kind and how many were already sent."""
    today = timezone.localdate()
    counts: dict[str, int] = {"already_sent": 0}
    with translation.override(settings.LANGUAGE_CODE):
        for kind, source in SOURCES.items():
            found, created = _remind(kind, source(today), today)
            counts[kind] = created
            counts["already_sent"] += found - created
    return counts
