"""The case itself: open, edit, move through the stages, close, reopen, transfer; assessments."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.roles import Perm, Role
from shegong.core.scoping import can, memberships_of

from .. import rules
from ..models import (
    Assessment,
    AssessmentInstrument,
    AssessmentKind,
    AssigneeKind,
    Case,
    CaseLogKind,
    ClosureReason,
    FollowUp,
    FollowUpStatus,
    PlanStatus,
    PlanTask,
    Priority,
    Referral,
    ReferralStatus,
    Reminder,
    Stage,
    TaskStatus,
)
from ..rulesets import assessment_rules
from ..selectors import open_items
from .access import (
    current_plan,
    lock_case,
    log_case_change,
    may_approve,
    may_assign,
    may_work,
    not_future,
    region_startswith,
    require_worker,
    required_text,
    touch_case,
    worker_membership,
)

# --- the case itself --------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    household: Any,
    presenting_problem: str,
    source: str,
    consent: bool,
    priority: str = Priority.NORMAL,
    person: Any = None,
    worker: Any = None,
    opened_on: datetime.date | None = None,
) -> Case:
    """Take a household (or one person in it) on as a case.

    A social worker opens a case for themselves; an officer or agency administrator opens it
    for a named worker, whose agency then carries it.
    """
    region = household.region_id
    worker = worker or actor
    membership = worker_membership(worker, region)
    if membership is None:
        raise ValidationError({"worker": _("负责社工须是在该户所在区域服务的社会工作者。")})
    if worker.pk == actor.pk:
        if not can(actor, Perm.WORK_CASES, region):
            raise PermissionDenied(_("您无权在该区域接案。"))
    elif not may_assign(actor, region, membership.organisation_id):
        raise PermissionDenied(_("您无权为该社工分派个案。"))
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": _("服务对象须是该户的成员。")})
    problem = required_text(presenting_problem, "presenting_problem", _("请填写求助问题。"))
    opened_on = opened_on or timezone.localdate()
    not_future(opened_on, "opened_on")
    if Case.objects.filter(household=household, person=person).exclude(stage=Stage.CLOSED).exists():
        raise ValidationError(_("该户(服务对象)已有未结案的个案,请在原个案中继续服务。"))
    case = Case.objects.create(
        region_id=region,
        household=household,
        person=person,
        organisation_id=membership.organisation_id,
        worker=worker,
        source=source,
        priority=priority,
        presenting_problem=problem,
        consent=consent,
        opened_on=opened_on,
    )
    log_case_change(case, actor, CaseLogKind.OPENED, after=worker.display_name)
    audit.record(
        actor=actor,
        action="casework.case_open",
        target=case,
        changes={"household": household.pk, "worker": worker.pk, "source": source},
    )
    return case


CASE_EDITABLE = ["presenting_problem", "priority", "consent"]


@transaction.atomic
def case_update(*, actor: Actor, case: Case, version: int | None, **fields: Any) -> Case:
    case = lock_case(case, version)
    require_worker(actor, case)
    if case.stage == Stage.CLOSED:
        raise ValidationError(_("个案已结案,不能修改。"))
    unknown = set(fields) - set(CASE_EDITABLE)
    if unknown:
        raise ValidationError(_("不能修改这些字段:{f}").format(f="、".join(sorted(unknown))))
    if (
        case.consent_withdrawn_on is not None
        and fields.get("consent", case.consent) != case.consent
    ):
        raise ValidationError(
            {"consent": _("服务对象已撤回同意:请使用“重新取得同意”记录再次同意。")}
        )
    before = audit.snapshot(case, fields)
    for name, value in fields.items():
        setattr(case, name, value)
    case.presenting_problem = required_text(
        case.presenting_problem, "presenting_problem", _("请填写求助问题。")
    )
    case.full_clean(exclude=["household", "person", "organisation", "worker", "region"])
    case.version += 1
    case.updated_at = timezone.now()
    case.save()
    changes = audit.diff(before, audit.snapshot(case, fields))
    audit.record(actor=actor, action="casework.case_update", target=case, changes=changes)
    return case


@transaction.atomic
def consent_withdraw(
    *,
    actor: Actor,
    case: Case,
    note: str,
    version: int | None,
    on: datetime.date | None = None,
) -> Case:
    """The client withdraws consent (self-determination): the case records it, and no new
    service or referral may be recorded until consent is given again."""
    case = lock_case(case, version)
    require_worker(actor, case)
    if case.stage == Stage.CLOSED:
        raise ValidationError(_("个案已结案。"))
    if case.consent_withdrawn_on is not None:
        raise ValidationError(_("服务对象已于 {d} 撤回同意。").format(d=case.consent_withdrawn_on))
    if not case.consent:
        raise ValidationError(_("尚未记录服务对象的知情同意,无需撤回。"))
    on = on or timezone.localdate()
    not_future(on, "on")
    if on < case.opened_on:
        raise ValidationError({"on": _("日期不能早于接案日期({d})。").format(d=case.opened_on)})
    note = required_text(note, "note", _("请记录服务对象撤回同意的情况。"))
    case.consent = False
    case.consent_withdrawn_on = on
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=["consent", "consent_withdrawn_on", "version", "updated_at"])
    log_case_change(case, actor, CaseLogKind.CONSENT_WITHDRAWN, after=str(on), note=note)
    audit.record(
        actor=actor,
        action="casework.consent_withdraw",
        target=case,
        changes={"consent_withdrawn_on": on, "note": note},
    )
    return case


@transaction.atomic
def consent_regain(
    *,
    actor: Actor,
    case: Case,
    version: int | None,
    note: str = "",
    on: datetime.date | None = None,
) -> Case:
    """Consent is given again after a withdrawal: services and referrals may go on."""
    case = lock_case(case, version)
    require_worker(actor, case)
    if case.stage == Stage.CLOSED:
        raise ValidationError(_("个案已结案。"))
    withdrawn_on = case.consent_withdrawn_on
    if withdrawn_on is None:
        raise ValidationError(_("服务对象没有撤回同意。"))
    on = on or timezone.localdate()
    not_future(on, "on")
    if on < withdrawn_on:
        raise ValidationError({"on": _("日期不能早于撤回同意的日期({d})。").format(d=withdrawn_on)})
    note = (note or "").strip()
    case.consent = True
    case.consent_withdrawn_on = None
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=["consent", "consent_withdrawn_on", "version", "updated_at"])
    log_case_change(
        case,
        actor,
        CaseLogKind.CONSENT_REGAINED,
        before=str(withdrawn_on),
        after=str(on),
        note=note,
    )
    audit.record(
        actor=actor,
        action="casework.consent_regain",
        target=case,
        changes={"consent_withdrawn_on": [withdrawn_on, None], "on": on, "note": note},
    )
    return case


def case_facts(case: Case) -> rules.CaseFacts:
    plan = current_plan(case)
    return rules.CaseFacts(
        stage=case.stage,
        consent=case.consent,
        initial_assessments=case.assessments.filter(kind=AssessmentKind.INITIAL).count(),
        plan_status=plan.status if plan else "",
        plan_goals=plan.goals.count() if plan else 0,
        plans_need_approval=case.organisation.plans_need_approval,
        services=case.services.count(),
        evaluations=case.evaluations.count(),
        closure_reason=case.closure_reason,
        closure_note=case.closure_note,
    )


@transaction.atomic
def case_move(*, actor: Actor, case: Case, to: str, version: int | None, note: str = "") -> Case:
    """Move a case to another stage (not to closed: see case_close)."""
    case = lock_case(case, version)
    require_worker(actor, case)
    if to == Stage.CLOSED:
        raise ValidationError(_("结案请使用“结案”操作,并填写结案原因。"))
    problems = rules.stage_problems(case_facts(case), to)
    if problems:
        raise ValidationError(problems)
    before = case.stage
    if to == Stage.INTERVENTION:
        plan = current_plan(case)
        if plan and plan.status == PlanStatus.DRAFT:
            # No approval asked for: the plan takes effect as the work starts.
            plan.status = PlanStatus.APPROVED
            plan.save(update_fields=["status"])
    case.stage = to
    case.closure_pending = False
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=["stage", "closure_pending", "version", "updated_at"])
    log_case_change(case, actor, CaseLogKind.STAGE, before=before, after=to, note=note)
    audit.record(
        actor=actor,
        action="casework.case_stage",
        target=case,
        changes={"stage": [before, to], "note": note},
    )
    return case


TASK_OUTCOME = {
    "done": TaskStatus.DONE,
    "cancel": TaskStatus.CANCELLED,
    "hand_over": TaskStatus.HANDED_OVER,
}
REFERRAL_OUTCOME = {
    "done": ReferralStatus.SERVED,
    "cancel": ReferralStatus.CANCELLED,
    "hand_over": ReferralStatus.HANDED_OVER,
}


def _resolve(items: list[rules.OpenItem], resolutions: dict[str, tuple[str, str]]) -> None:
    today = timezone.localdate()
    for kind in ("task", "referral"):
        # Reminders already on someone's home page about these items go with them.
        Reminder.objects.filter(
            kind=kind, object_id__in=[i.pk for i in items if i.kind == kind], read_at__isnull=True
        ).update(read_at=timezone.now())
    for item in items:
        choice, note = resolutions[item.key]
        note = note.strip()
        if item.kind == "task":
            PlanTask.objects.filter(pk=item.pk, status=TaskStatus.OPEN).update(
                status=TASK_OUTCOME[choice], done_on=today, result=note, version=F("version") + 1
            )
            continue
        served = choice == "done"
        Referral.objects.filter(pk=item.pk, status=item.status).update(
            status=REFERRAL_OUTCOME[choice],
            outcome=note,
            served_on=today if served else None,
            due_on=None,
            due_estimated_year=None,
            version=F("version") + 1,
        )


@transaction.atomic
def case_close(
    *,
    actor: Actor,
    case: Case,
    reason: str,
    note: str = "",
    version: int | None,
    resolutions: dict[str, tuple[str, str]] | None = None,
) -> Case:
    """Close a case after its evaluation; where the agency asks, a supervisor approves first.

    Every task and referral still open must be resolved in the same step: done, cancelled or
    handed over, each with a note (`resolutions[item.key] = (choice, note)`), so that nobody
    is left with work on a closed case on their list.
    """
    case = lock_case(case, version)
    require_worker(actor, case)
    if case.stage != Stage.EVALUATION:
        raise ValidationError(_("个案须在评估阶段完成结案评估后才能结案。"))
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": _("请选择结案原因。")})
    facts = case_facts(case)
    facts.closure_reason, facts.closure_note = reason, note or ""
    problems = rules.stage_problems(facts, Stage.CLOSED)
    resolutions = {k: (c or "", n or "") for k, (c, n) in (resolutions or {}).items()}
    items = open_items(case=case)
    item_problems = rules.closure_item_problems(items, resolutions)
    if problems or item_problems:
        # Everything at once: the case's own problems at the top, each item's beside it.
        raise ValidationError(
            {**({NON_FIELD_ERRORS: problems} if problems else {}), **item_problems}
        )
    _resolve(items, resolutions)
    case.closure_reason, case.closure_note = reason, (note or "").strip()
    if case.organisation.closures_need_approval:
        case.closure_pending = True
        kind = CaseLogKind.CLOSURE_REQUESTED
    else:
        _close(case)
        kind = CaseLogKind.STAGE
    case.version += 1
    case.updated_at = timezone.now()
    case.save()
    log_case_change(
        case, actor, kind, before=Stage.EVALUATION, after=case.stage, note=case.closure_note
    )
    audit.record(
        actor=actor,
        action="casework.case_close",
        target=case,
        changes={
            "reason": reason,
            "pending": case.closure_pending,
            "items": {item.key: resolutions[item.key][0] for item in items},
        },
    )
    return case


def _close(case: Case) -> None:
    case.stage = Stage.CLOSED
    case.closed_on = timezone.localdate()
    case.closure_pending = False


@transaction.atomic
def closure_review(
    *, actor: Actor, case: Case, approve: bool, note: str = "", version: int | None
) -> Case:
    case = lock_case(case, version)
    if not may_approve(actor, case):
        raise PermissionDenied(_("只有该社工的督导可以审批结案。"))
    if not case.closure_pending:
        raise ValidationError(_("该个案没有待审批的结案申请。"))
    if approve and open_items(case=case):
        raise ValidationError(
            _("申请结案后又有新的未完成事项(任务或转介),请退回由社工处理后再申请。")
        )
    if approve:
        _close(case)
        kind = CaseLogKind.CLOSURE_APPROVED
    else:
        required_text(note, "note", _("退回时请填写意见。"))
        case.closure_pending = False
        kind = CaseLogKind.CLOSURE_RETURNED
    case.version += 1
    case.updated_at = timezone.now()
    case.save()
    log_case_change(case, actor, kind, note=note)
    audit.record(
        actor=actor,
        action="casework.closure_review",
        target=case,
        changes={"approved": approve, "note": note},
    )
    return case


@transaction.atomic
def case_reopen(*, actor: Actor, case: Case, reason: str, version: int | None) -> Case:
    """Reopen a closed case: the work starts again from a fresh assessment."""
    case = lock_case(case, version)
    if not (may_work(actor, case) or may_assign(actor, case.region_id, case.organisation_id)):
        raise PermissionDenied(_("您无权重新开启该个案。"))
    if case.stage != Stage.CLOSED:
        raise ValidationError(_("只有已结案的个案可以重新开案。"))
    reason = required_text(reason, "reason", _("请填写重新开案的原因。"))
    case.stage = Stage.ASSESSMENT
    case.closed_on = None
    case.closure_reason = ""
    case.closure_note = ""
    case.times_reopened += 1
    case.version += 1
    case.updated_at = timezone.now()
    case.save()
    log_case_change(
        case, actor, CaseLogKind.REOPEN, before=Stage.CLOSED, after=Stage.ASSESSMENT, note=reason
    )
    audit.record(
        actor=actor, action="casework.case_reopen", target=case, changes={"reason": reason}
    )
    return case


@transaction.atomic
def case_transfer(
    *, actor: Actor, case: Case, to_worker: Any, reason: str, version: int | None
) -> Case:
    """Hand a case to another worker (of the same or another agency); history stays."""
    case = lock_case(case, version)
    membership = worker_membership(to_worker, case.region_id)
    if membership is None:
        raise ValidationError({"to_worker": _("接收人须是在该户所在区域服务的社会工作者。")})
    if to_worker.pk == case.worker_id:
        raise ValidationError({"to_worker": _("接收人就是当前负责社工。")})
    same_agency = membership.organisation_id == case.organisation_id
    allowed = may_assign(actor, case.region_id, case.organisation_id) and (
        same_agency
        or any(
            m.role in (Role.PROVINCE_ADMIN, Role.CIVIL_AFFAIRS_OFFICER)
            and region_startswith(case.region_id, m)
            for m in memberships_of(actor)
        )
    )
    if not allowed and may_work(actor, case) and same_agency:
        allowed = True  # a worker may hand over to a colleague of the same agency
    if not allowed:
        raise PermissionDenied(
            _("您无权转出该个案(转到其他机构须由民政部门办理)。")
            if not same_agency
            else _("您无权转出该个案。")
        )
    reason = required_text(reason, "reason", _("请填写转案原因。"))
    before = f"{case.worker.display_name}({case.organisation.name})"
    case.worker = to_worker
    case.organisation_id = membership.organisation_id
    case.version += 1
    case.updated_at = timezone.now()
    case.save()
    after = f"{to_worker.display_name}({membership.organisation.name})"
    log_case_change(case, actor, CaseLogKind.TRANSFER, before=before, after=after, note=reason)
    # Open follow-ups and the worker's own open tasks move with the case.
    FollowUp.objects.filter(case=case, status=FollowUpStatus.SCHEDULED).update(
        assigned_to=to_worker
    )
    PlanTask.objects.filter(
        case=case, status=TaskStatus.OPEN, assignee_kind=AssigneeKind.WORKER
    ).update(assignee=to_worker)
    audit.record(
        actor=actor,
        action="casework.case_transfer",
        target=case,
        changes={"worker": [before, after], "reason": reason},
    )
    return case


# --- assessment -------------------------------------------------------------------------------


def active_instrument() -> AssessmentInstrument:
    instrument = (
        AssessmentInstrument.objects.filter(is_active=True).order_by("-version", "-id").first()
    )
    if instrument is None:
        raise ValidationError(_("没有启用的需求评估量表,请联系管理员。"))
    return instrument


@transaction.atomic
def assessment_record(
    *,
    actor: Actor,
    case: Case,
    scores: dict[str, Any],
    summary: str = "",
    assessed_on: datetime.date | None = None,
    instrument: AssessmentInstrument | None = None,
) -> Assessment:
    """Record a needs assessment: the initial one at the assessment stage, a reassessment at
    evaluation (with the same instrument as the first, so the two compare)."""
    case = lock_case(case)
    require_worker(actor, case)
    first = case.assessments.filter(kind=AssessmentKind.INITIAL).order_by("id").first()
    if case.stage == Stage.ASSESSMENT:
        kind = AssessmentKind.INITIAL
        instrument = instrument or active_instrument()
    elif case.stage == Stage.EVALUATION:
        if first is None:
            raise ValidationError(_("该个案没有初次预估,无法复评。"))
        kind = AssessmentKind.REASSESSMENT
        instrument = first.instrument
    else:
        raise ValidationError(_("需求评估在预估阶段进行,复评在评估阶段进行。"))
    assessed_on = assessed_on or timezone.localdate()
    not_future(assessed_on, "assessed_on")
    thresholds = assessment_rules(assessed_on)
    problems = rules.score_problems(
        instrument.domains, scores, need_threshold=thresholds["need_threshold"]
    )
    if problems:
        raise ValidationError(problems)
    clean = {
        code: {"score": item["score"], "evidence": str(item.get("evidence", "")).strip()}
        for code, item in scores.items()
    }
    assessment = Assessment.objects.create(
        case=case,
        region_id=case.region_id,
        instrument=instrument,
        kind=kind,
        assessed_on=assessed_on,
        assessor=actor,
        scores=clean,
        summary=(summary or "").strip(),
        rules_id=thresholds.pk,
    )
    touch_case(case)
    audit.record(
        actor=actor,
        action="casework.assessment",
        target=case,
        changes={"kind": kind, "scores": {c: v["score"] for c, v in clean.items()}},
    )
    return assessment
