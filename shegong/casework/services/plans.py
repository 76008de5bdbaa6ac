"""Service plans: goals linked to needs, tasks for the worker, a volunteer or a partner,
and the supervisor's approval where the agency asks for it."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.roles import Role
from shegong.core.scoping import memberships_of
from shegong.core.services import check_version

from ..models import (
    AssessmentInstrument,
    AssessmentKind,
    AssigneeKind,
    Case,
    CaseLogKind,
    PlanGoal,
    PlanStatus,
    PlanTask,
    ServicePlan,
    Stage,
    TaskStatus,
)
from .access import (
    current_plan,
    lock_case,
    log_case_change,
    may_approve,
    may_work,
    not_future,
    require_worker,
    required_text,
    worker_membership,
)
from .cases import active_instrument

# --- plan -------------------------------------------------------------------------------------


def _plan_open_for_edit(actor: Actor, plan: ServicePlan, version: int | None) -> ServicePlan:
    plan = ServicePlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    require_worker(actor, plan.case)
    check_version(
        plan, version, _("该服务计划已被他人修改,请刷新页面后重新操作。您填写的内容尚未保存。")
    )
    if plan.case.stage not in (Stage.PLANNING, Stage.INTERVENTION):
        raise ValidationError(_("服务计划只能在计划或介入阶段修改。"))
    return plan


def _plan_changed(plan: ServicePlan) -> None:
    """An approved plan that changes goes back to its supervisor where the agency asks."""
    if plan.case.organisation.plans_need_approval and plan.status == PlanStatus.APPROVED:
        plan.status = PlanStatus.DRAFT
    plan.version += 1
    plan.updated_at = timezone.now()
    plan.save()


@transaction.atomic
def plan_start(*, actor: Actor, case: Case, summary: str = "") -> ServicePlan:
    case = lock_case(case)
    require_worker(actor, case)
    if case.stage != Stage.PLANNING:
        raise ValidationError(_("服务计划在计划阶段制定。"))
    plan = current_plan(case)
    if plan is not None and plan.status != PlanStatus.APPROVED:
        return plan
    plan = ServicePlan.objects.create(case=case, region_id=case.region_id, summary=summary)
    audit.record(actor=actor, action="casework.plan_save", target=case, changes={"plan": plan.pk})
    return plan


@transaction.atomic
def plan_save(*, actor: Actor, plan: ServicePlan, summary: str, version: int | None) -> ServicePlan:
    plan = _plan_open_for_edit(actor, plan, version)
    before = plan.summary
    plan.summary = (summary or "").strip()
    _plan_changed(plan)
    audit.record(
        actor=actor,
        action="casework.plan_save",
        target=plan.case,
        changes={"summary": [before, plan.summary]},
    )
    return plan


@transaction.atomic
def goal_add(
    *,
    actor: Actor,
    plan: ServicePlan,
    need: str,
    description: str,
    measures: str,
    target_date: datetime.date,
    version: int | None = None,
) -> PlanGoal:
    plan = _plan_open_for_edit(actor, plan, version)
    codes = {d["code"] for d in _instrument_of(plan.case).domains}
    if need not in codes:
        raise ValidationError({"need": _("请选择该目标对应的需求。")})
    description = required_text(description, "description", _("请填写目标。"))
    measures = required_text(measures, "measures", _("请填写服务措施。"))
    if target_date < timezone.localdate():
        raise ValidationError({"target_date": _("目标日期不能早于今天。")})
    goal = PlanGoal.objects.create(
        plan=plan,
        case=plan.case,
        region_id=plan.region_id,
        need=need,
        description=description,
        measures=measures,
        target_date=target_date,
    )
    _plan_changed(plan)
    audit.record(
        actor=actor,
        action="casework.goal_add",
        target=plan.case,
        changes={"goal": description, "need": need},
    )
    return goal


def _instrument_of(case: Case) -> AssessmentInstrument:
    first = case.assessments.filter(kind=AssessmentKind.INITIAL).order_by("id").first()
    return first.instrument if first else active_instrument()


@transaction.atomic
def task_add(
    *,
    actor: Actor,
    plan: ServicePlan,
    title: str,
    assignee_kind: str,
    due_on: datetime.date,
    assignee: Any = None,
    partner: Any = None,
    goal: PlanGoal | None = None,
    detail: str = "",
    version: int | None = None,
) -> PlanTask:
    plan = _plan_open_for_edit(actor, plan, version)
    case = plan.case
    title = required_text(title, "title", _("请填写任务。"))
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("完成期限不能早于今天。")})
    if goal is not None and goal.plan_id != plan.pk:
        raise ValidationError({"goal": _("目标不属于该服务计划。")})
    if assignee_kind == AssigneeKind.WORKER:
        assignee = assignee or actor
        m = worker_membership(assignee, case.region_id)
        if m is None or m.organisation_id != case.organisation_id:
            raise ValidationError({"assignee": _("执行社工须是本机构在该区域服务的社工。")})
        partner = None
    elif assignee_kind == AssigneeKind.VOLUNTEER:
        if assignee is None or not any(
            m.role == Role.VOLUNTEER and m.region_id[:6] == case.region_id[:6]
            for m in memberships_of(assignee)
        ):
            raise ValidationError({"assignee": _("请选择在该县服务的志愿者。")})
        partner = None
    elif assignee_kind == AssigneeKind.PARTNER:
        if partner is None or not partner.serves(case.region_id):
            raise ValidationError({"partner": _("请选择服务范围覆盖该户的合作机构。")})
        assignee = None
    else:
        raise ValidationError({"assignee_kind": _("请选择执行人类型。")})
    task = PlanTask.objects.create(
        plan=plan,
        goal=goal,
        case=case,
        region_id=case.region_id,
        title=title,
        detail=(detail or "").strip(),
        assignee_kind=assignee_kind,
        assignee=assignee,
        partner=partner,
        due_on=due_on,
    )
    _plan_changed(plan)
    audit.record(
        actor=actor,
        action="casework.task_add",
        target=case,
        changes={"task": title, "assignee_kind": assignee_kind},
    )
    return task


@transaction.atomic
def task_complete(
    *,
    actor: Actor,
    task: PlanTask,
    result: str,
    version: int | None,
    done_on: datetime.date | None = None,
    cancel: bool = False,
) -> PlanTask:
    """The person a task was given to (or the case's worker) reports it done or cancels it."""
    task = PlanTask.objects.select_for_update().select_related("case").get(pk=task.pk)
    if not (task.assignee_id == actor.pk or may_work(actor, task.case)):
        raise PermissionDenied(_("只有任务执行人或负责社工可以更新该任务。"))
    if cancel and not may_work(actor, task.case):
        raise PermissionDenied(_("只有负责社工可以取消任务。"))
    check_version(task, version, _("该任务已被他人更新,请刷新页面。您填写的内容尚未保存。"))
    if task.status != TaskStatus.OPEN:
        raise ValidationError(_("该任务已完成或已取消。"))
    done_on = done_on or timezone.localdate()
    not_future(done_on, "done_on")
    result = required_text(result, "result", _("请填写完成情况或取消原因。"))
    task.status = TaskStatus.CANCELLED if cancel else TaskStatus.DONE
    task.done_on = done_on
    task.result = result
    task.version += 1
    task.save()
    audit.record(
        actor=actor,
        action="casework.task_update",
        target=task.case,
        changes={"task": task.pk, "status": task.status},
    )
    return task


@transaction.atomic
def plan_submit(*, actor: Actor, plan: ServicePlan, version: int | None) -> ServicePlan:
    plan = _plan_open_for_edit(actor, plan, version)
    if not plan.case.organisation.plans_need_approval:
        raise ValidationError(_("本机构的服务计划无需督导审批。"))
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("该计划不在草拟状态。"))
    if not plan.goals.exists():
        raise ValidationError(_("服务计划至少要有一个目标。"))
    plan.status = PlanStatus.PENDING
    plan.version += 1
    plan.save()
    log_case_change(plan.case, actor, CaseLogKind.PLAN_SUBMITTED)
    audit.record(
        actor=actor, action="casework.plan_review", target=plan.case, changes={"submitted": plan.pk}
    )
    return plan


@transaction.atomic
def plan_review(
    *, actor: Actor, plan: ServicePlan, approve: bool, note: str = "", version: int | None
) -> ServicePlan:
    plan = ServicePlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    if not may_approve(actor, plan.case):
        raise PermissionDenied(_("只有该社工的督导可以审批服务计划。"))
    check_version(plan, version, _("该服务计划已被修改,请刷新页面后重新审批。"))
    if plan.status != PlanStatus.PENDING:
        raise ValidationError(_("该计划没有待审批的申请。"))
    if not approve:
        required_text(note, "note", _("退回时请填写意见。"))
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.DRAFT
    plan.review_note = (note or "").strip()
    if approve:
        plan.approved_by, plan.approved_at = actor, timezone.now()
    plan.version += 1
    plan.save()
    log_case_change(
        plan.case,
        actor,
        CaseLogKind.PLAN_APPROVED if approve else CaseLogKind.PLAN_RETURNED,
        note=plan.review_note,
    )
    audit.record(
        actor=actor,
        action="casework.plan_review",
        target=plan.case,
        changes={"approved": approve, "note": plan.review_note},
    )
    return plan
