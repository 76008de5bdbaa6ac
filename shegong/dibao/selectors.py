"""Every read of the Dibao module a page or the API serves: always with the actor, scoped."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from shegong.core.actors import Actor
from shegong.core.roles import Perm
from shegong.core.scoping import access, can
from shegong.core.selectors import work_calendar

from . import procedure, rules
from .calculations import procedure as procedure_values
from .models import (
    OPEN_STAGES,
    Alert,
    Application,
    Award,
    CountyPolicy,
    Programme,
    Stage,
    Standard,
)


def application_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    """Applications in the actor's jurisdiction, newest first; filters: stage, programme,
    region (a code: the region and everything under it), open (True: open stages only)."""
    filters = filters or {}
    qs = Application.objects.visible_to(actor, Perm.VIEW_DIBAO).select_related(
        "household", "applicant", "region__parent"
    )
    if value := filters.get("stage"):
        qs = qs.filter(stage=value)
    if value := filters.get("programme"):
        qs = qs.filter(programme=value)
    if filters.get("open"):
        qs = qs.filter(stage__in=OPEN_STAGES)
    if value := filters.get("region"):
        from shegong.core.regions import prefix_bounds, prefix_of

        low, high = prefix_bounds(prefix_of(value))
        qs = qs.filter(region_id__gte=low, region_id__lt=high)
    return qs.order_by("-accepted_on", "-id")


def application_get(*, actor: Actor, pk: Any) -> Application:
    return access(
        Application.objects.select_related("household", "applicant"), actor, Perm.VIEW_DIBAO, pk=pk
    )


@dataclass
class ApplicationFile:
    """An application with everything recorded on it, read in a fixed number of queries."""

    application: Application
    steps: list[Any] = field(default_factory=list)
    members: list[Any] = field(default_factory=list)
    visits: list[Any] = field(default_factory=list)
    interviews: list[Any] = field(default_factory=list)
    evidence: list[Any] = field(default_factory=list)
    incomes: list[Any] = field(default_factory=list)
    assets: list[Any] = field(default_factory=list)
    deductions: list[Any] = field(default_factory=list)
    reviews: list[Any] = field(default_factory=list)
    care_checks: list[Any] = field(default_factory=list)
    deadlines: list[rules.Due] = field(default_factory=list)
    award: Award | None = None


def application_file(*, actor: Actor, application: Application) -> ApplicationFile:
    a = application
    file = ApplicationFile(
        application=a,
        steps=list(a.steps.select_related("actor", "rules").order_by("at", "id")),
        members=list(a.members.select_related("person").order_by("id")),
        visits=list(a.visits.order_by("visited_on", "id")),
        interviews=list(a.interviews.order_by("on", "id")),
        evidence=list(a.evidence.order_by("id")),
        incomes=list(a.incomes.select_related("person").order_by("id")),
        assets=list(a.assets.order_by("id")),
        deductions=list(a.deductions.order_by("id")),
        reviews=list(a.democratic_reviews.order_by("held_on", "id")),
        care_checks=list(a.care_checks.select_related("person").order_by("-checked_on", "-id")),
        award=Award.objects.filter(application=a).first(),
    )
    if a.is_open or a.stage in (Stage.APPROVED, Stage.REFUSED):
        file.deadlines = procedure.deadlines(
            a, procedure_values(a, timezone.localdate()), work_calendar()
        )
    return file


def application_facts(application: Application) -> procedure.Facts:
    a = application
    return procedure.Facts(
        stage=a.stage,
        investigation_started=a.investigation_started_on is not None,
        matching_requested=a.matching_requested_on is not None,
        matching_done=a.matching_result_on is not None,
        notified=a.notified_on is not None,
        published=a.published_on is not None,
        hardship=a.programme == Programme.HARDSHIP,
    )


def application_actions(*, actor: Actor, application: Application) -> frozenset[str]:
    """The actions the actor may take on the application now (the page shows these only)."""
    return procedure.actions(
        application_facts(application),
        township=can(actor, Perm.HANDLE_DIBAO, application.region_id),
        county=can(actor, Perm.DECIDE_DIBAO, application.region_id),
    )


@dataclass(frozen=True)
class DueItem:
    application: Application
    due: rules.Due
    state: str  # overdue, soon


def due_steps(
    *, actor: Actor, limit: int = 50, today: datetime.date | None = None
) -> list[DueItem]:
    """Overdue and nearly-due steps of the open applications the actor acts on (township
    steps for a township officer, county steps for a county officer), most urgent first."""
    today = today or timezone.localdate()
    township = Application.objects.visible_to(actor, Perm.HANDLE_DIBAO)
    county = Application.objects.visible_to(actor, Perm.DECIDE_DIBAO)
    qs = (township | county).filter(stage__in=[*OPEN_STAGES, Stage.APPROVED, Stage.REFUSED])
    qs = qs.filter(notified_on__isnull=True).select_related("household", "applicant")
    cal = work_calendar()
    found: list[DueItem] = []
    for a in qs.order_by("accepted_on", "id")[:2000]:
        for d in procedure.deadlines(a, procedure_values(a, today), cal):
            state = d.state(today)
            if state != "ok":
                found.append(DueItem(a, d, state))
    found.sort(key=lambda item: (item.due.by, item.application.pk))
    return found[:limit]


def award_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    filters = filters or {}
    qs = Award.objects.visible_to(actor, Perm.VIEW_DIBAO).select_related("household", "application")
    if value := filters.get("status"):
        qs = qs.filter(status=value)
    return qs.order_by("-id")


def award_get(*, actor: Actor, pk: Any) -> Award:
    return access(
        Award.objects.select_related("household", "application"), actor, Perm.VIEW_DIBAO, pk=pk
    )


def standard_list(*, actor: Actor) -> QuerySet:
    return Standard.objects.visible_to(actor, Perm.VIEW_DIBAO).order_by(
        "region", "area", "-valid_from"
    )


def policy_get(*, actor: Actor, county_code: str) -> CountyPolicy | None:
    return (
        CountyPolicy.objects.visible_to(actor, Perm.VIEW_DIBAO)
        .filter(region_id=county_code)
        .first()
    )


def alert_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    filters = filters or {}
    qs = Alert.objects.visible_to(actor, Perm.VIEW_DIBAO).select_related("household", "rules")
    if value := filters.get("status"):
        qs = qs.filter(status=value)
    if value := filters.get("rule"):
        qs = qs.filter(rule=value)
    return qs.order_by("-opened_on", "-id")


def household_dibao(*, actor: Actor, household: Any) -> dict[str, Any] | None:
    """The household page's Dibao panel: its applications, awards in force and open alerts,
    for those who may see Dibao records there."""
    if not can(actor, Perm.VIEW_DIBAO, household.region_id):
        return None
    return {
        "applications": list(
            Application.objects.visible_to(actor, Perm.VIEW_DIBAO)
            .filter(household=household)
            .order_by("-accepted_on", "-id")[:10]
        ),
        "awards": list(
            Award.objects.visible_to(actor, Perm.VIEW_DIBAO)
            .filter(household=household)
            .order_by("-id")[:5]
        ),
        "alerts": list(
            Alert.objects.visible_to(actor, Perm.VIEW_DIBAO)
            .filter(household=household, status="open")
            .order_by("-opened_on")[:10]
        ),
    }
