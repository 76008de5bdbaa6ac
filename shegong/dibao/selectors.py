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
    AwardStatus,
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


def with_head_name(qs: QuerySet) -> QuerySet:
    """Annotate each application with its household head's name in the same query."""
    from django.db.models import OuterRef, Subquery

    from shegong.registry.models import Person

    heads = Person.objects.filter(household=OuterRef("household_id"), relation="head")
    return qs.annotate(head_name=Subquery(heads.values("name")[:1]))


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
        social_worker=can(actor, Perm.WORK_CASES, application.region_id),
    )


def household_assessments(*, actor: Actor, application: Application) -> QuerySet:
    """Needs assessments of the social worker's cases on the application's household."""
    from shegong.casework.models import Assessment
    from shegong.casework.selectors import case_list

    cases = case_list(actor=actor).filter(household_id=application.household_id)
    return (
        Assessment.objects.visible_to(actor)
        .filter(case__in=cases)
        .select_related("case")
        .order_by("-assessed_on", "-id")
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
        mine = (
            procedure.TOWNSHIP_STEPS if can(actor, Perm.HANDLE_DIBAO, a.region_id) else frozenset()
        ) | (procedure.COUNTY_STEPS if can(actor, Perm.DECIDE_DIBAO, a.region_id) else frozenset())
        for d in procedure.deadlines(a, procedure_values(a, today), cal):
            state = d.state(today)
            if state != "ok" and d.step in mine:
                found.append(DueItem(a, d, state))
    found.sort(key=lambda item: (item.due.by, item.application.pk))
    return found[:limit]


def _in_region(qs: QuerySet, region: Any) -> QuerySet:
    """Rows of the region (a Region or a code) and everything under it."""
    from shegong.core.regions import prefix_bounds, prefix_of

    low, high = prefix_bounds(prefix_of(getattr(region, "code", region)))
    return qs.filter(region_id__gte=low, region_id__lt=high)


# Columns the award list may sort by (each indexed, never null).
AWARD_SORTS = ("next_review_on",)


def award_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    """Awards in the actor's jurisdiction, newest first; filters: status, programme, region
    (a Region or a code), review_due (True: next review on or before today)."""
    filters = filters or {}
    qs: QuerySet = Award.objects.visible_to(actor, Perm.VIEW_DIBAO).select_related(
        "household", "application", "region__parent"
    )
    if value := filters.get("status"):
        qs = qs.filter(status=value)
    if value := filters.get("programme"):
        qs = qs.filter(programme=value)
    if value := filters.get("region"):
        qs = _in_region(qs, value)
    if filters.get("review_due"):
        qs = qs.filter(next_review_on__lte=timezone.localdate()).exclude(
            status=AwardStatus.TERMINATED
        )
    return qs.order_by("-id")


def award_get(*, actor: Actor, pk: Any) -> Award:
    return access(
        Award.objects.select_related("household", "application"), actor, Perm.VIEW_DIBAO, pk=pk
    )


@dataclass
class AwardFile:
    """An award with its reviews (newest first, each with its rule version) and job offers."""

    award: Award
    reviews: list[Any] = field(default_factory=list)
    job_offers: list[Any] = field(default_factory=list)


def award_file(*, actor: Actor, award: Award) -> AwardFile:
    return AwardFile(
        award=award,
        reviews=list(
            award.reviews.select_related("rules", "actor").order_by("-reviewed_on", "-id")
        ),
        job_offers=list(award.job_offers.order_by("person_id", "offered_on", "id")),
    )


def standard_list(*, actor: Actor, region: Any = None) -> QuerySet:
    """Standards in the actor's jurisdiction by county, area and newest first; `region` (a
    Region or a code) keeps those of the counties under it (or of the county above it)."""
    qs: QuerySet = Standard.objects.visible_to(actor, Perm.VIEW_DIBAO).select_related(
        "region", "entered_by"
    )
    if region:
        code = getattr(region, "code", region)
        qs = _in_region(qs, code if code.endswith("000000") else code[:6] + "000000")
    return qs.order_by("region", "area", "-valid_from")


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


# --- third-party checks ------------------------------------------------------------------------


def check_list(*, actor: Actor) -> QuerySet:
    """Contracts the actor may see: the county's by region, an evaluator's own."""
    from .models import CheckContract

    return (
        CheckContract.objects.visible_to(actor)
        .select_related("organisation", "region")
        .order_by("-created_at", "-id")
    )


def check_get(*, actor: Actor, pk: Any) -> Any:
    from .models import CheckContract

    return access(CheckContract.objects.select_related("organisation", "region"), actor, pk=pk)


def sample_get(*, actor: Actor, pk: Any) -> Any:
    from .models import CheckSample

    return access(CheckSample.objects.select_related("contract"), actor, pk=pk)


def check_samples(*, contract: Any) -> QuerySet:
    return contract.samples.select_related(
        "application__household", "application__applicant", "application__region__parent"
    ).order_by("id")


def decision_counties(*, actor: Actor) -> list[Any]:
    """The counties where the actor decides Dibao."""
    from shegong.core.selectors import region_list

    return list(
        region_list(actor=actor, perm=Perm.DECIDE_DIBAO).filter(level="county").order_by("code")
    )


def check_organisations(*, actor: Actor) -> list[Any]:
    """Organisations a county may contract for a check: those in its city."""
    from shegong.workforce.models import Organisation

    prefixes = {c.code[:4] for c in decision_counties(actor=actor)}
    return [o for o in Organisation.objects.order_by("name") if o.region_id[:4] in prefixes]


def alert_get(*, actor: Actor, pk: Any) -> Alert:
    """One monitoring alert the actor may see, with what its page shows."""
    return access(
        Alert.objects.select_related("household", "award__application", "rules", "closed_by"),
        actor,
        Perm.VIEW_DIBAO,
        pk=pk,
    )
