"""Every read of casework a page or the API serves: always with the actor, always scoped."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.actors import Actor
from shegong.core.regions import prefix_of
from shegong.core.roles import Perm
from shegong.core.scoping import access, prefixes_q

from . import rules
from .models import (
    Assessment,
    AssessmentKind,
    Case,
    CaseStudy,
    CaseStudyStatus,
    ConfidentialNote,
    Evaluation,
    FollowUp,
    FollowUpStatus,
    PlanTask,
    Referral,
    ReferralStatus,
    ServicePlan,
    ServiceRecord,
    Stage,
    TaskStatus,
)
from .rulesets import need_threshold
from .scoping import may_read_confidential, supervisee_ids


def cases(actor: Actor) -> QuerySet[Case]:
    return Case.objects.visible_to(actor, Perm.VIEW_CASES)


# Columns the caseload may sort by (`?sort=`): the case number is its id.
CASE_SORTS = ("pk",)


def case_list(
    *,
    actor: Actor,
    stage: str = "",
    worker_id: int | None = None,
    region_code: str = "",
    q: str = "",
    mine: bool = False,
    open_only: bool = False,
) -> QuerySet[Case]:
    """The caseload, newest first (keyset-paged by the caller). Constant queries per page:
    household, worker, organisation and region come in one join."""
    qs = cases(actor).select_related(
        "household", "person", "worker", "organisation", "region__parent"
    )
    if stage:
        qs = qs.filter(stage=stage)
    if open_only:
        qs = qs.exclude(stage=Stage.CLOSED)
    if mine:
        qs = qs.filter(worker_id=actor.pk)
    elif worker_id:
        qs = qs.filter(worker_id=worker_id)
    if region_code:
        # That region and everything under it, through the shared prefix rule: a township
        # 411525110000 covers 411525110xxx and not its neighbour 411525111000.
        qs = qs.filter(prefixes_q("region_id", [prefix_of(region_code)]))
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(household__number=q)
            | Q(household__members__name=q)
            | Q(presenting_problem__contains=q)
        ).distinct()
    return qs.order_by("-pk")


def case_get(*, actor: Actor, pk: Any) -> Case:
    return access(
        Case.objects.select_related("household", "person", "worker", "organisation", "region"),
        actor,
        Perm.VIEW_CASES,
        pk=pk,
    )


@dataclass
class CaseFile:
    """Everything the case page shows, read in a fixed number of queries."""

    case: Case
    assessments: list[Assessment]
    plan: ServicePlan | None
    goals: list[Any]
    tasks: list[PlanTask]
    services: list[Any]
    referrals: list[Referral]
    follow_ups: list[FollowUp]
    evaluations: list[Evaluation]
    log: list[Any]
    notes: list[ConfidentialNote] | None  # None: the actor may not read them
    members: list[Any]
    open_items: list[rules.OpenItem] = field(default_factory=list)
    ranked_needs: list[rules.RankedNeed] = field(default_factory=list)
    suggested: list[str] = field(default_factory=list)
    comparison: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first_assessment(self) -> Assessment | None:
        return next((a for a in self.assessments if a.kind == AssessmentKind.INITIAL), None)

    @property
    def reassessment(self) -> Assessment | None:
        again = [a for a in self.assessments if a.kind == AssessmentKind.REASSESSMENT]
        return again[-1] if again else None


def case_file(*, actor: Actor, case: Case, with_notes: bool = True) -> CaseFile:
    """`with_notes=False` leaves the confidential notes unread (a printout never shows them)."""
    assessments = list(case.assessments.select_related("instrument", "assessor"))
    plan = case.plans.select_related("approved_by").order_by("-created_at", "-id").first()
    goals = list(plan.goals.all()) if plan else []
    tasks = list(plan.tasks.select_related("assignee", "partner", "goal")) if plan else []
    notes = (
        list(case.notes.select_related("author"))
        if with_notes and may_read_confidential(actor, case)
        else None
    )
    result = CaseFile(
        case=case,
        assessments=assessments,
        plan=plan,
        goals=goals,
        tasks=tasks,
        services=list(case.services.select_related("worker")[:50]),
        referrals=list(case.referrals.select_related("institution")),
        follow_ups=list(case.follow_ups.select_related("assigned_to")),
        evaluations=list(case.evaluations.all()),
        log=list(case.log.select_related("actor")[:100]),
        notes=notes,
        members=list(case.household.members.order_by("id")),
        open_items=open_items(case=case) if case.stage == Stage.EVALUATION else [],
    )
    first = result.first_assessment
    if first is not None:
        result.ranked_needs = rules.rank_needs(
            first.instrument.domains, first.scores, need_threshold=need_threshold(first)
        )
        result.suggested = rules.suggested_services(result.ranked_needs)
        again = result.reassessment
        if again is not None:
            result.comparison = rules.compare(first.instrument.domains, first.scores, again.scores)
    return result


def open_items(*, case: Case) -> list[rules.OpenItem]:
    """Tasks and referrals of a case (already read through the actor's scope) still waiting
    for something, oldest first: what its closure must resolve."""
    tasks = PlanTask.objects.filter(case_id=case.pk, status=TaskStatus.OPEN).order_by(
        "due_on", "id"
    )
    referrals = (
        Referral.objects.filter(
            case_id=case.pk, status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED]
        )
        .select_related("institution")
        .order_by("sent_on", "id")
    )
    items = [rules.OpenItem("task", t.pk, "open", t.title) for t in tasks]
    items += [
        rules.OpenItem("referral", r.pk, r.status, _("转介至{i}").format(i=r.institution.name))
        for r in referrals
    ]
    return items


# --- my work --------------------------------------------------------------------------------


@dataclass
class WorkList:
    follow_ups: list[FollowUp]
    tasks: list[PlanTask]
    referrals: list[Referral]
    pending_plans: list[ServicePlan]
    pending_closures: list[Case]
    today: datetime.date

    @property
    def overdue_count(self) -> int:
        return (
            sum(1 for f in self.follow_ups if f.due_on < self.today)
            + sum(1 for t in self.tasks if t.due_on < self.today)
            + sum(1 for r in self.referrals if r.is_overdue)
        )


def _with_client(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Rows of a case annotated with the name of its household head (`head_name`) in the
    same query, so a list can name whom each row is for (the case's person if it has one)."""
    from django.db.models import OuterRef, Subquery

    from shegong.registry.models import Person

    heads = Person.objects.filter(household=OuterRef("case__household_id"), relation="head").values(
        "name"
    )[:1]
    return qs.annotate(head_name=Subquery(heads))


def my_work(*, actor: Actor, horizon_days: int = 14, team: bool = False) -> WorkList:
    """What is due in the next `horizon_days` or already overdue: for a worker their own
    items; with `team`, a supervisor's supervisees' items and what waits for their approval."""
    today = timezone.localdate()
    until = today + datetime.timedelta(days=horizon_days)
    people = supervisee_ids(actor) if team else [actor.pk]
    follow_ups = list(
        _with_client(
            FollowUp.objects.visible_to(actor)
            .filter(assigned_to_id__in=people, status=FollowUpStatus.SCHEDULED, due_on__lte=until)
            .select_related("case__household", "case__person", "assigned_to")
        ).order_by("due_on", "id")[:200]
    )
    task_qs = PlanTask.objects.visible_to(actor).filter(status=TaskStatus.OPEN, due_on__lte=until)
    task_qs = task_qs.filter(assignee_id__in=people)
    tasks = list(
        _with_client(
            task_qs.select_related("case__household", "case__person", "assignee")
        ).order_by("due_on", "id")[:200]
    )
    referrals = list(
        _with_client(
            Referral.objects.visible_to(actor)
            .filter(
                case__worker_id__in=people,
                status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED],
                due_on__lte=until,
            )
            .select_related("case__household", "case__person", "institution")
        ).order_by("due_on", "id")[:200]
    )
    pending_plans: list[ServicePlan] = []
    pending_closures: list[Case] = []
    if team:
        pending_plans = list(
            ServicePlan.objects.visible_to(actor)
            .filter(case__worker_id__in=people, status="pending")
            .select_related("case__household", "case__worker")
        )
        pending_closures = list(
            cases(actor)
            .filter(worker_id__in=people, closure_pending=True)
            .select_related("household", "worker")
        )
    return WorkList(follow_ups, tasks, referrals, pending_plans, pending_closures, today)


def tasks_for(*, actor: Actor) -> QuerySet[PlanTask]:
    """The tasks given to the actor (a volunteer's whole view of casework)."""
    return (
        PlanTask.objects.visible_to(actor)
        .filter(assignee_id=actor.pk)
        .select_related("case__region")
        .order_by("status", "due_on", "id")
    )


# --- summaries ------------------------------------------------------------------------------


def caseload_summary(*, actor: Actor, by: str = "worker") -> list[dict[str, Any]]:
    """Open and closed cases, services and outcomes grouped per worker, agency or county.

    Read live: a county has thousands of cases, not millions. Province-wide figures belong in
    the reports module's summary tables.
    """
    key = {
        "worker": ("worker_id", "worker__full_name"),
        "agency": ("organisation_id", "organisation__name"),
        "county": ("region__parent__parent_id", "region__parent__parent__name"),
    }[by]
    rows = (
        cases(actor)
        .values(*key)
        .annotate(
            total=Count("id"),
            open=Count("id", filter=~Q(stage=Stage.CLOSED)),
            closed=Count("id", filter=Q(stage=Stage.CLOSED)),
        )
        .order_by(key[1])
    )
    outcome = {
        r[f"case__{key[0]}"]: r
        for r in Evaluation.objects.visible_to(actor)
        .values(f"case__{key[0]}")
        .annotate(
            evaluated=Count("id"),
            left_poverty=Count("id", filter=Q(left_poverty=True)),
        )
    }
    out = []
    for r in rows:
        o = outcome.get(r[key[0]], {})
        out.append(
            {
                "key": r[key[0]],
                "label": r[key[1]] or "—",
                "total": r["total"],
                "open": r["open"],
                "closed": r["closed"],
                "evaluated": o.get("evaluated", 0),
                "left_poverty": o.get("left_poverty", 0),
            }
        )
    return out


def case_studies(
    *, actor: Actor, need: str = "", service_type: str = "", q: str = ""
) -> QuerySet[CaseStudy]:
    qs = CaseStudy.objects.visible_to(actor).filter(status=CaseStudyStatus.PUBLISHED)
    if need:
        qs = (
            qs.filter(needs__contains=[need])
            if _json_contains()
            else qs.filter(needs__icontains=f'"{need}"')
        )
    if service_type:
        qs = (
            qs.filter(service_types__contains=[service_type])
            if _json_contains()
            else qs.filter(service_types__icontains=f'"{service_type}"')
        )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(background__contains=q) | Q(process__contains=q))
    return qs.order_by("-published_at", "-id")


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


# --- for the pages --------------------------------------------------------------------------


def with_head_name(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate each case with its household head's name in the same query (no N+1)."""
    from django.db.models import OuterRef, Subquery

    from shegong.registry.models import Person

    heads = Person.objects.filter(household=OuterRef("household_id"), relation="head").values(
        "name"
    )[:1]
    return qs.annotate(head_name=Subquery(heads))


def cases_of_household(*, actor: Actor, household: Any) -> list[Case]:
    """The cases of one household the actor may see, newest first (for the registry page)."""
    return list(
        cases(actor)
        .filter(household_id=household.pk)
        .select_related("worker", "organisation", "person")
        .order_by("-pk")[:50]
    )


def region_workers(*, region_code: str, organisation_id: int | None = None) -> QuerySet[Any]:
    """Active social workers whose membership covers `region_code` (optionally of one agency):
    whom a case there may be given to, a task assigned or a case transferred."""
    from shegong.core.models import Membership, User
    from shegong.core.roles import Role

    prefixes = [region_code[:n] + "0" * (12 - n) for n in (2, 4, 6, 9, 12)]
    members = Membership.objects.filter(
        role=Role.SOCIAL_WORKER, region_id__in=prefixes, organisation__isnull=False
    )
    if organisation_id:
        members = members.filter(organisation_id=organisation_id)
    return (
        User.objects.filter(is_active=True, pk__in=members.values("user_id"))
        .distinct()
        .order_by("full_name", "pk")
    )


def county_volunteers(*, region_code: str) -> QuerySet[Any]:
    """Active volunteers registered in the same county as `region_code`."""
    from shegong.core.models import Membership, User
    from shegong.core.roles import Role

    members = Membership.objects.filter(
        prefixes_q("region_id", [region_code[:6]]), role=Role.VOLUNTEER
    )
    return (
        User.objects.filter(is_active=True, pk__in=members.values("user_id"))
        .distinct()
        .order_by("full_name", "pk")
    )


def task_get(*, actor: Actor, pk: Any) -> PlanTask:
    """One plan task the actor may see (a volunteer: only their own), with the household's
    phone and the case worker who gave it, for the one doing it to get in touch."""
    return access(
        PlanTask.objects.select_related("case__region", "case__household", "case__worker", "goal"),
        actor,
        Perm.VIEW_TASKS,
        pk=pk,
    )


def study_get(*, actor: Actor, pk: Any) -> CaseStudy:
    return access(
        CaseStudy.objects.select_related("case__household", "author", "organisation"),
        actor,
        Perm.VIEW_CASE_STUDIES,
        pk=pk,
    )


def my_studies(*, actor: Actor) -> QuerySet[CaseStudy]:
    """Drafts and published studies the actor wrote."""
    return CaseStudy.objects.visible_to(actor).filter(author_id=actor.pk).order_by("-pk")


def task_assignees(*, case: Case) -> QuerySet[Any]:
    """Who a plan task may go to: the agency's workers over the case's region, or a volunteer
    of the county."""
    workers = region_workers(region_code=case.region_id, organisation_id=case.organisation_id)
    volunteers = county_volunteers(region_code=case.region_id)
    from shegong.core.models import User

    return User.objects.filter(
        Q(pk__in=workers.values("pk")) | Q(pk__in=volunteers.values("pk"))
    ).order_by("full_name", "pk")


def referral_institutions(*, actor: Actor, case: Case) -> QuerySet[Any]:
    """Institutions of the resource directory that serve the case's household."""
    from shegong.resources.selectors import institutions_for_case

    return institutions_for_case(actor=actor, region_code=case.region_id, kind=None, q="")


def plan_goals(*, plan: ServicePlan | None) -> QuerySet[Any]:
    from .models import PlanGoal

    if plan is None:
        return PlanGoal.objects.none()
    return PlanGoal.objects.filter(plan_id=plan.pk).order_by("target_date", "id")


# --- rows of a case, for the API ------------------------------------------------------------


def service_list(*, actor: Actor, case_id: int | None = None) -> QuerySet[ServiceRecord]:
    qs = ServiceRecord.objects.visible_to(actor).select_related("case", "worker")
    if case_id:
        qs = qs.filter(case_id=case_id)
    return qs.order_by("-id")


def service_get(*, actor: Actor, pk: Any) -> ServiceRecord:
    return access(
        ServiceRecord.objects.select_related("case", "worker"), actor, Perm.VIEW_CASES, pk=pk
    )


def referral_list(
    *, actor: Actor, case_id: int | None = None, status: str = "", overdue: bool = False
) -> QuerySet[Referral]:
    qs = Referral.objects.visible_to(actor).select_related("case", "institution")
    if case_id:
        qs = qs.filter(case_id=case_id)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(
            status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED],
            due_on__lt=timezone.localdate(),
        )
    return qs.order_by("-id")


def referral_get(*, actor: Actor, pk: Any) -> Referral:
    return access(
        Referral.objects.select_related("case", "institution"), actor, Perm.VIEW_CASES, pk=pk
    )


def follow_up_list(
    *, actor: Actor, case_id: int | None = None, status: str = "", mine: bool = False
) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.visible_to(actor).select_related("case", "assigned_to")
    if case_id:
        qs = qs.filter(case_id=case_id)
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(assigned_to_id=actor.pk)
    return qs.order_by("-id")


def follow_up_get(*, actor: Actor, pk: Any) -> FollowUp:
    return access(
        FollowUp.objects.select_related("case", "assigned_to"), actor, Perm.VIEW_CASES, pk=pk
    )
