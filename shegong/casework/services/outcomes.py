"""Evaluation and outcomes, confidential notes, and the log of who read a case."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor

from .. import rules
from ..models import (
    AssessmentKind,
    Attainment,
    Case,
    ConfidentialNote,
    Evaluation,
    Stage,
)
from ..scoping import may_read_confidential
from .access import (
    current_plan,
    lock_case,
    may_approve,
    may_work,
    not_future,
    require_worker,
    required_text,
    touch_case,
)

# --- evaluation and outcomes ----------------------------------------------------------------


@transaction.atomic
def evaluation_record(
    *,
    actor: Actor,
    case: Case,
    summary: str,
    attainment: dict[int, str],
    left_poverty: bool,
    evaluated_on: datetime.date | None = None,
    income_before: Decimal | None = None,
    income_after: Decimal | None = None,
    employed_before: int | None = None,
    employed_after: int | None = None,
) -> Evaluation:
    """Record the outcome: goal attainment, income and employment change, capability before and
    after (from the first assessment and the reassessment), whether the household left poverty."""
    case = lock_case(case)
    require_worker(actor, case)
    if case.stage != Stage.EVALUATION:
        raise ValidationError(_("结案评估在评估阶段进行。"))
    first = case.assessments.filter(kind=AssessmentKind.INITIAL).order_by("id").first()
    again = case.assessments.filter(kind=AssessmentKind.REASSESSMENT).order_by("-id").first()
    if again is None:
        raise ValidationError(_("请先完成评估期复评,再填写结案评估。"))
    plan = current_plan(case)
    goals = list(plan.goals.all()) if plan else []
    missing = [g for g in goals if attainment.get(g.pk) not in Attainment.values]
    if missing:
        raise ValidationError(
            {
                "attainment": _("请为每个服务目标选择达成情况(缺:{g})。").format(
                    g="、".join(g.description for g in missing)
                )
            }
        )
    for value, field in ((income_before, "income_before"), (income_after, "income_after")):
        if value is not None and value < 0:
            raise ValidationError({field: _("收入不能为负数。")})
    for g in goals:
        g.attainment = attainment[g.pk]
        g.save(update_fields=["attainment"])
    evaluated_on = evaluated_on or timezone.localdate()
    not_future(evaluated_on, "evaluated_on")
    evaluation = Evaluation.objects.create(
        case=case,
        region_id=case.region_id,
        evaluated_on=evaluated_on,
        reassessment=again,
        income_before=income_before,
        income_after=income_after,
        employed_before=employed_before,
        employed_after=employed_after,
        capability_before=rules.capability(first.scores) if first else None,
        capability_after=rules.capability(again.scores),
        goals_met=sum(1 for g in goals if g.attainment == Attainment.MET),
        goals_total=len(goals),
        left_poverty=left_poverty,
        summary=required_text(summary, "summary", _("请填写评估结论。")),
        evaluator=actor,
    )
    touch_case(case)
    audit.record(
        actor=actor,
        action="casework.evaluation",
        target=case,
        changes={
            "goals_met": evaluation.goals_met,
            "goals_total": evaluation.goals_total,
            "left_poverty": left_poverty,
        },
    )
    return evaluation


# --- confidential notes and reads ------------------------------------------------------------


@transaction.atomic
def note_add(*, actor: Actor, case: Case, body: str) -> ConfidentialNote:
    if not (may_work(actor, case) or may_approve(actor, case)):
        raise PermissionDenied(_("只有负责社工和督导可以写保密记录。"))
    note = ConfidentialNote.objects.create(
        case=case,
        region_id=case.region_id,
        author=actor,
        body=required_text(body, "body", _("请填写内容。")),
    )
    audit.record(actor=actor, action="casework.note_add", target=case, changes={"note": note.pk})
    return note


def record_read(*, actor: Actor, case: Case) -> None:
    """Log a read of the case by anyone but its own worker. A supervisor's read shows the
    confidential notes, so it is logged too, and says so."""
    if actor is not None and case.worker_id == getattr(actor, "pk", None):
        return
    detail = "confidential_notes" if may_read_confidential(actor, case) else ""
    audit.record_access(actor=actor, action="casework.case_read", target=case, detail=detail)
