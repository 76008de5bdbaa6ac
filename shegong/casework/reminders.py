"""Reminders on someone's home page: what the daily reminder task found due for them.

A reminder belongs to one user and only that user reads or dismisses it; there is no region
scope to apply, so the owner check is the whole rule.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Reminder


def reminders_for(*, actor: Any) -> QuerySet[Reminder]:
    """The actor's unread reminders, newest first."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Reminder.objects.none()
    return (
        Reminder.objects.filter(user_id=actor.pk, read_at__isnull=True)
        .select_related("case")
        .order_by("-created_on", "-id")
    )


def reminder_get(*, actor: Any, pk: Any) -> Reminder:
    """One of the actor's own reminders; someone else's answers 404 like a missing one."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Http404
    try:
        return Reminder.objects.get(pk=pk, user_id=actor.pk)
    except (Reminder.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@transaction.atomic
def reminder_read(*, actor: Any, reminder: Reminder) -> Reminder:
    """Mark a reminder read (dismissed from the home page). Reading it twice changes nothing."""
    if actor is None or reminder.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能处理发给自己的提醒。"))
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(
            read_at=reminder.read_at
        )
    return reminder


def latest_reminders(*, actor: Any, limit: int = 20) -> list[Reminder]:
    """Unread reminders with one line per item: the newest of the daily reminders about it."""
    seen: set[tuple[str, int]] = set()
    out: list[Reminder] = []
    for reminder in reminders_for(actor=actor)[:500]:
        key = (reminder.kind, reminder.object_id)
        if key not in seen:
            seen.add(key)
            out.append(reminder)
        if len(out) >= limit:
            break
    return out


@transaction.atomic
def reminders_read_all(*, actor: Any) -> int:
    """Dismiss every unread reminder of the actor (and only theirs)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return 0
    return Reminder.objects.filter(user_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
