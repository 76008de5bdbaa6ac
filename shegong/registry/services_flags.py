"""Left-behind flags (三留守) follow the facts: refreshed when a member or the household changes,
and every day for the members whose age crosses a limit of the rules (a child turning 16, an
adult turning 60).

A suggestion (an unconfirmed flag) is simply replaced. A confirmed flag is a worker's decision
and is never overwritten: when the facts no longer support it, a review (`LeftBehindReview`)
goes on the township's work list, and `person_confirm_left_behind` settles it.

`household_flags_refresh` writes no audit event of its own: the service that changed the facts
folds what the refresh changed into its one event (`changes["flags"]`). The daily refresh is
the system's own action and writes one event per household it changed, with no actor.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from shegong.core import audit
from shegong.core.rulesets import rules_for

from .models import Household, LeftBehindReview, Person, ReviewStatus
from .rulesets import LEFT_BEHIND

audit.register_actions({"registry.flags_refresh": gettext_lazy("刷新三留守标识(按年龄)")})

_FACTS = (
    "id",
    "name",
    "relation",
    "sex",
    "birth_date",
    "work_status",
    "months_away",
    "labour",
    "health",
    "disability_grade",
    "left_behind",
    "left_behind_confirmed",
    "region_id",
)


def household_flags_refresh(*, household: Household, today: datetime.date) -> list[dict[str, Any]]:
    """Recompute the household's left-behind groups from its members as they are now, inside
    the caller's transaction. Unconfirmed flags take the new suggestion; a confirmed flag that
    the facts no longer support opens a review (once: a review already settled for the same
    flag and the same suggestion is not opened again), and an open review whose flag fits
    again is withdrawn. Returns what changed, for the caller's audit event ([] when nothing)."""
    from .rules import MemberFacts, derive_left_behind

    rows = list(
        Person.objects.filter(household_id=household.pk).order_by("id").values_list(*_FACTS)
    )
    if not rows:
        return []
    facts = [
        MemberFacts(
            key=r[0],
            relation=r[2],
            sex=r[3],
            birth_date=r[4],
            work_status=r[5],
            months_away=r[6],
            labour=r[7],
            health=r[8] or "healthy",
            disability_grade=r[9],
        )
        for r in rows
    ]
    groups = derive_left_behind(facts, today, rules_for(LEFT_BEHIND, today))
    open_reviews = {
        r.person_id: r
        for r in LeftBehindReview.objects.open().filter(person_id__in=[r[0] for r in rows])
    }
    changes: list[dict[str, Any]] = []
    for pk, name, *_facts, flag, confirmed, region in rows:
        wanted = groups[pk]
        review = open_reviews.get(pk)
        if not confirmed:
            if flag != wanted:
                Person.objects.filter(pk=pk).update(left_behind=wanted)
                changes.append({"person": name, "left_behind": [flag, wanted]})
            continue
        if flag == wanted:
            if review is not None:
                LeftBehindReview.objects.filter(pk=review.pk).update(status=ReviewStatus.WITHDRAWN)
                changes.append({"person": name, "review": "withdrawn"})
            continue
        if review is not None:
            if review.suggested != wanted or review.region_id != region:
                LeftBehindReview.objects.filter(pk=review.pk).update(
                    suggested=wanted, region_id=region
                )
                changes.append({"person": name, "review": [flag, wanted]})
            continue
        settled = LeftBehindReview.objects.filter(
            person_id=pk, confirmed=flag, suggested=wanted, status=ReviewStatus.RESOLVED
        ).exists()
        if not settled:
            LeftBehindReview.objects.create(
                person_id=pk, region_id=region, confirmed=flag, suggested=wanted, opened_on=today
            )
            changes.append({"person": name, "review": [flag, wanted]})
    return changes


def with_flags(changes: dict[str, Any], flags: list[dict[str, Any]]) -> dict[str, Any]:
    """An audit event's `changes`, with what a refresh changed under "flags" when it did."""
    return {**changes, "flags": flags} if flags else changes


def birthdays_crossing(day: datetime.date, ages: Iterable[int]) -> list[tuple[int, datetime.date]]:
    """(age, birth date) of everyone who reaches one of `ages` on `day`. Someone born on
    29 February is a year older on 1 March in a year without one (as `rules.age_on` counts),
    so on 1 March of such a year both 1 March and 29 February births cross."""
    from .rules import age_on

    out = []
    for age in ages:
        year = day.year - age
        for offset in (0, 1):  # 29 February is the only birth date that can cross a day late
            try:
                birth = datetime.date(year, day.month, day.day) - datetime.timedelta(days=offset)
            except ValueError:
                continue  # 29 February of a year without one: those births cross on 1 March
            if age_on(birth, day) == age and age_on(birth, day - datetime.timedelta(days=1)) < age:
                out.append((age, birth))
    return out


@transaction.atomic
def flags_refresh_ageing(*, today: datetime.date, days: int = 1) -> dict[str, int]:
    """The daily refresh: every household with a member who turned `child_under` or
    `elderly_from` on one of the `days` days ending `today` (more than one to catch up after
    the worker was down). One audit event, with no actor, per household something changed in;
    running it again the same day changes nothing and writes nothing."""
    rules = rules_for(LEFT_BEHIND, today)
    ages = (rules["child_under"], rules["elderly_from"])
    births = {
        birth
        for back in range(max(1, days))
        for _age, birth in birthdays_crossing(today - datetime.timedelta(days=back), ages)
    }
    ids = sorted(
        set(Person.objects.filter(birth_date__in=births).values_list("household_id", flat=True))
    )
    changed = 0
    for household in Household.objects.filter(pk__in=ids).order_by("pk"):
        flags = household_flags_refresh(household=household, today=today)
        if flags:
            audit.record(
                actor=None,
                action="registry.flags_refresh",
                target=household,
                changes={"reason": "ageing", "flags": flags},
            )
            changed += 1
    return {"households": len(ids), "changed": changed}
