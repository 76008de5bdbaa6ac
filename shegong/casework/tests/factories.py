"""Factories for casework's scoped models (used by the jurisdiction harness and tests).

`owner` is the persona the object is made for: a social worker owns the case; anyone else
gets a case run by a new worker of a new agency in the same county.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from shegong.casework.models import (
    Assessment,
    AssessmentInstrument,
    AssessmentKind,
    AssigneeKind,
    Case,
    CaseLog,
    CaseLogKind,
    CaseSource,
    CaseStudy,
    ConfidentialNote,
    Evaluation,
    FollowUp,
    PlanGoal,
    PlanTask,
    Referral,
    ServicePlan,
    ServiceRecord,
    ServiceType,
    Stage,
)
from shegong.core.models import Membership, Region, User
from shegong.core.roles import Role
from shegong.core.testing import next_seq, register_factory
from shegong.registry.tests.factories import make_household
from shegong.resources.tests.factories import make_institution
from shegong.workforce.models import Organisation, OrganisationKind


def make_agency(county: str, name: str = "") -> Organisation:
    return Organisation.objects.create(
        name=name or f"测试社工服务中心{next_seq()}",
        region_id=county[:6] + "000000",
        kind=OrganisationKind.SOCIAL_WORK_AGENCY,
    )


def make_worker(county: str, organisation: Organisation | None = None, username: str = ""):
    organisation = organisation or make_agency(county)
    user = User.objects.create_user(
        username=username or f"worker{next_seq()}", password="x", full_name="测试社工"
    )
    Membership.objects.create(
        user=user,
        role=Role.SOCIAL_WORKER,
        region_id=county[:6] + "000000",
        organisation=organisation,
    )
    return user, organisation


def _worker_of(owner, region_code: str):
    if owner is not None:
        for m in owner.memberships.all():
            if m.role == Role.SOCIAL_WORKER and region_code.startswith(m.region_id[:6]):
                return owner, m.organisation
    return make_worker(region_code)


@register_factory(Case)
def make_case(
    *, region_code: str, marker: str = "", owner=None, stage: str = Stage.INTAKE, **fields
) -> Case:
    if not Region.objects.filter(code=region_code).exists():
        raise ValueError(region_code)
    household = make_household(region_code, head_name=marker or "王秀英")
    worker, organisation = _worker_of(owner, region_code)
    defaults = {
        "source": CaseSource.OUTREACH,
        "presenting_problem": "因病致贫,需要医疗救助和就业支持",
        "consent": True,
    }
    defaults.update(fields)
    return Case.objects.create(
        region_id=region_code,
        household=household,
        organisation=organisation,
        worker=worker,
        stage=stage,
        **defaults,
    )


def _case(region_code, marker, owner):
    return make_case(region_code=region_code, marker=marker, owner=owner)


@register_factory(CaseLog)
def make_case_log(*, region_code: str, marker: str = "", owner=None) -> CaseLog:
    case = _case(region_code, marker, owner)
    return CaseLog.objects.create(
        case=case, region_id=case.region_id, kind=CaseLogKind.OPENED, note=marker
    )


def default_instrument() -> AssessmentInstrument:
    return AssessmentInstrument.objects.order_by("version").first()  # type: ignore[return-value]


@register_factory(Assessment)
def make_assessment(*, region_code: str, marker: str = "", owner=None, case=None) -> Assessment:
    case = case or _case(region_code, marker, owner)
    instrument = default_instrument()
    return Assessment.objects.create(
        case=case,
        region_id=case.region_id,
        instrument=instrument,
        kind=AssessmentKind.INITIAL,
        assessed_on=timezone.localdate(),
        assessor=case.worker,
        scores={d["code"]: {"score": 3, "evidence": marker} for d in instrument.domains},
        summary=marker,
    )


@register_factory(ServicePlan)
def make_plan(*, region_code: str, marker: str = "", owner=None, case=None) -> ServicePlan:
    case = case or _case(region_code, marker, owner)
    return ServicePlan.objects.create(case=case, region_id=case.region_id, summary=marker)


@register_factory(PlanGoal)
def make_goal(*, region_code: str, marker: str = "", owner=None, plan=None) -> PlanGoal:
    plan = plan or make_plan(region_code=region_code, marker=marker, owner=owner)
    return PlanGoal.objects.create(
        plan=plan,
        case=plan.case,
        region_id=plan.region_id,
        need="income",
        description=marker or "家庭年人均纯收入提高到脱贫线以上",
        measures="链接就业岗位,申请产业补贴",
        target_date=timezone.localdate() + datetime.timedelta(days=90),
    )


@register_factory(PlanTask)
def make_task(*, region_code: str, marker: str = "", owner=None, plan=None) -> PlanTask:
    plan = plan or make_plan(region_code=region_code, marker="", owner=owner)
    return PlanTask.objects.create(
        plan=plan,
        case=plan.case,
        region_id=plan.region_id,
        title=marker or "陪同就医",
        assignee_kind=AssigneeKind.VOLUNTEER,
        assignee=owner,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )


@register_factory(ServiceRecord)
def make_service(*, region_code: str, marker: str = "", owner=None, case=None) -> ServiceRecord:
    case = case or _case(region_code, marker, owner)
    return ServiceRecord.objects.create(
        case=case,
        region_id=case.region_id,
        service_type=ServiceType.LIVING,
        served_on=timezone.localdate(),
        duration_minutes=60,
        place="服务对象家中",
        content=marker or "入户走访,了解家庭生活状况",
        worker=case.worker,
    )


@register_factory(Referral)
def make_referral(*, region_code: str, marker: str = "", owner=None, case=None) -> Referral:
    case = case or _case(region_code, marker, owner)
    institution = make_institution(region_code=case.region_id[:6] + "000000")
    today = timezone.localdate()
    return Referral.objects.create(
        case=case,
        region_id=case.region_id,
        institution=institution,
        need=marker or "申请临时救助",
        consent_on=today,
        sent_on=today,
        due_on=today + datetime.timedelta(days=7),
        created_by=case.worker,
    )


@register_factory(FollowUp)
def make_follow_up(*, region_code: str, marker: str = "", owner=None, case=None) -> FollowUp:
    case = case or _case(region_code, marker, owner)
    return FollowUp.objects.create(
        case=case,
        region_id=case.region_id,
        due_on=timezone.localdate() + datetime.timedelta(days=14),
        purpose=marker or "了解就业适应情况",
        assigned_to=case.worker,
    )


@register_factory(Evaluation)
def make_evaluation(*, region_code: str, marker: str = "", owner=None, case=None) -> Evaluation:
    case = case or _case(region_code, marker, owner)
    return Evaluation.objects.create(
        case=case,
        region_id=case.region_id,
        evaluated_on=timezone.localdate(),
        summary=marker or "目标基本达成",
        evaluator=case.worker,
    )


@register_factory(ConfidentialNote)
def make_note(*, region_code: str, marker: str = "", owner=None, case=None) -> ConfidentialNote:
    case = case or _case(region_code, marker, owner)
    return ConfidentialNote.objects.create(
        case=case, region_id=case.region_id, author=case.worker, body=marker or "家庭矛盾细节"
    )


@register_factory(CaseStudy)
def make_case_study(*, region_code: str, marker: str = "", owner=None, case=None) -> CaseStudy:
    case = case or _case(region_code, marker, owner)
    return CaseStudy.objects.create(
        case=case,
        region_id=case.region_id,
        organisation=case.organisation,
        author=case.worker,
        title=marker or "因病致贫家庭的资源链接",
        background="一户因病致贫的家庭",
        needs=["income", "health"],
        service_types=["resource_linking"],
        process="链接医疗救助与就业岗位",
        outcome="家庭收入提高",
    )
