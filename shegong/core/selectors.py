"""Every read the foundation's pages and API serve. Always takes the actor; always scoped."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .actors import Actor
from .models import (
    ApiToken,
    AuditEvent,
    CalendarDay,
    CalendarYear,
    Membership,
    Region,
    TaskProgress,
    User,
)
from .params import date_param
from .regions import is_code
from .roles import Perm
from .scoping import access, can, jurisdiction
from .workdays import WorkCalendar


def region_roots(actor: Actor, perm: str | None = None) -> list[Region]:
    """The top regions of the actor's jurisdiction: where a picker or a tree starts."""
    prefixes = jurisdiction(actor, perm)
    if prefixes == [""]:
        return list(Region.objects.filter(level="province"))
    codes = [p.ljust(12, "0") for p in prefixes]
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def region_children(*, actor: Actor, parent_code: str, perm: str | None = None) -> QuerySet:
    return Region.objects.visible_to(actor, perm).filter(parent_id=parent_code).order_by("code")


def region_get(*, actor: Actor, code: str, perm: str | None = None) -> Region:
    return access(Region.objects.select_related("parent"), actor, perm, code=code)


def region_ancestors(region: Region) -> list[Region]:
    chain = []
    node = region.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def region_search(*, actor: Actor, query: str, limit: int = 30) -> QuerySet:
    qs = Region.objects.visible_to(actor, Perm.VIEW_REGIONS)
    query = query.strip()
    if query.isascii() and query.isdigit():
        return qs.filter(code__startswith=query)[:limit]
    return qs.filter(name__contains=query).order_by("code")[:limit]


def user_list(*, actor: Actor, query: str = "") -> QuerySet:
    qs = User.objects.visible_to(actor).order_by("username")
    if query := query.strip():
        qs = qs.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    return qs.prefetch_related("memberships__region__parent", "memberships__organisation")


def user_get(*, actor: Actor, pk: Any) -> User:
    return access(User.objects.all(), actor, Perm.MANAGE_USERS, pk=pk)


def membership_get(*, actor: Actor, pk: Any) -> Membership:
    """A membership of an account the actor manages (404 alike for others)."""
    qs = Membership.objects.select_related("user", "region").filter(
        user__in=User.objects.visible_to(actor)
    )
    return access(qs, actor, Perm.MANAGE_USERS, pk=pk)


def api_token_list(*, actor: Actor) -> QuerySet:
    """The actor's own API tokens, newest first."""
    return ApiToken.objects.visible_to(actor).order_by("-created_at")


def api_token_get(*, actor: Actor, pk: Any) -> ApiToken:
    return access(ApiToken.objects.all(), actor, pk=pk)


def audit_list(*, actor: Actor, filters: dict[str, Any]) -> QuerySet:
    qs = AuditEvent.objects.visible_to(actor, Perm.VIEW_AUDIT).select_related("region")
    if value := (filters.get("actor") or "").strip():
        qs = qs.filter(actor_name__icontains=value)
    if value := (filters.get("action") or "").strip():
        qs = qs.filter(action__startswith=value)
    if value := (filters.get("target") or "").strip():
        # The number people see (户编号, 个案编号: what the record shows as its name), or its
        # start. Not the internal id: the same id belongs to a record of every kind.
        qs = qs.filter(target_repr__startswith=value)
    if value := (filters.get("person") or "").strip():
        qs = qs.filter(target_repr=value)
    tz = timezone.get_current_timezone()
    # date_param: a date at the end of the calendar overflows when a day is added (9999-12-31)
    # or the zone is applied (0001-01-01); the forms refuse those, this keeps the query safe.
    if value := date_param(filters.get("date_from")):
        qs = qs.filter(at__gte=datetime.datetime.combine(value, datetime.time.min, tzinfo=tz))
    if value := date_param(filters.get("date_to")):
        end = datetime.datetime.combine(value, datetime.time.min, tzinfo=tz)
        qs = qs.filter(at__lt=end + datetime.timedelta(days=1))
    return qs.order_by("-at", "-id")


def task_list(*, actor: Actor) -> QuerySet:
    return TaskProgress.objects.visible_to(actor)


def task_get(*, actor: Actor, pk: Any) -> TaskProgress:
    return access(TaskProgress.objects.all(), actor, pk=pk)


def region_list(*, actor: Actor, perm: str | None = None) -> QuerySet:
    """Regions the actor may act in for `perm`: what a form's region field accepts."""
    return Region.objects.visible_to(actor, perm)


def audit_get(*, actor: Actor, pk: Any) -> AuditEvent:
    return access(AuditEvent.objects.all(), actor, Perm.VIEW_AUDIT, pk=pk)


def my_recent_actions(*, actor: Actor, limit: int = 10) -> list[AuditEvent]:
    """The actor's own latest actions, for their home page."""
    if not getattr(actor, "is_authenticated", False):
        return []
    return list(AuditEvent.objects.filter(actor=actor).order_by("-id")[:limit])


def work_calendar() -> WorkCalendar:
    """The statutory working-day calendar as stored: known years and their exceptions."""
    return WorkCalendar(
        known_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        exceptions=dict(CalendarDay.objects.values_list("date", "is_workday")),
    )


@dataclass
class RuleSetOverview:
    """The rule-set page: every kind with the version in force today, and one kind's versions."""

    kinds: list[tuple[Any, Any]]  # (RuleKind, RuleValues | None in force today)
    kind: Any = None  # the chosen RuleKind
    current: Any = None  # its version in force today (RuleValues) or None
    versions: list[tuple[Any, Any]] = field(default_factory=list)  # (RuleSet, [(label, lines)])


def ruleset_overview(*, actor: Actor, kind: str = "") -> RuleSetOverview:
    """Rule sets are the province's and hold nothing personal: staff anywhere may read them."""
    from django.core.exceptions import PermissionDenied

    from .models import RuleSet
    from .rulesets import KINDS, RulesNotInForce, rules_for, values_of

    if not can(actor, Perm.VIEW_REGIONS):
        raise PermissionDenied
    today = timezone.localdate()

    def in_force(code: str) -> Any:
        try:
            return rules_for(code, today)
        except RulesNotInForce:
            return None

    overview = RuleSetOverview(kinds=[(k, in_force(code)) for code, k in sorted(KINDS.items())])
    if kind in KINDS:
        overview.kind = KINDS[kind]
        overview.current = in_force(kind)
        rows = (
            RuleSet.objects.filter(kind=kind).select_related("entered_by").order_by("-valid_from")
        )
        for row in rows:
            values = values_of(row)
            shown = [
                (spec.label, spec.to_text(values[spec.name]).splitlines())
                for spec in overview.kind.fields
            ]
            overview.versions.append((row, shown))
    return overview


def region_chain(*, code: str, roots: list[Region]) -> list[Region]:
    """The regions from the nearest of `roots` down to `code` (the region picker's columns);
    [] for a code that is not a region."""
    if not is_code(code):
        return []
    chain: list[Region] = []
    region = Region.objects.filter(code=code).select_related("parent").first()
    while region is not None:
        chain.append(region)
        if any(region.code == r.code for r in roots):
            break
        region = region.parent
    chain.reverse()
    return chain


def region_in(*, code: str, allowed: QuerySet | None) -> Region | None:
    """The region `code` if it is among `allowed` (any region when None)."""
    qs = allowed if allowed is not None else Region.objects.all()
    return qs.filter(code=code).first()


def region_exists(*, code: str) -> bool:
    return Region.objects.filter(code=code).exists()
