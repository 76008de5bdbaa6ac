"""Third-party checks: an agency under contract re-verifies a sample of a county's decisions,
chosen by the system (stratified by township, a recorded seed so the draw can be shown again),
records for each whether the decision was right, and returns the discrepancies to the county
with reasons. A social worker's needs and capacity assessment is attached to an application."""

from __future__ import annotations

import datetime
import random
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.roles import Perm
from shegong.core.scoping import can

from .. import rules
from ..models import Application, CheckContract, CheckSample, Stage, Verdict
from ..scoping import evaluator_organisations

STRATA = {
    "township": _("按乡镇分层"),
    "programme": _("按救助类别分层"),
    "outcome": _("按审核结果分层"),
}


def _stratum(application: Application, strata: str) -> str:
    if strata == "programme":
        return application.programme
    if strata == "outcome":
        return application.stage
    return application.region_id[:9]


@transaction.atomic
def check_contract_create(
    *,
    actor: Actor,
    county: Any,
    organisation: Any,
    title: str,
    period_from: datetime.date,
    period_to: datetime.date,
    sample_percent: int,
    strata: str = "township",
) -> CheckContract:
    """A county contracts an agency to re-verify `sample_percent` % of the decisions made in
    the period, drawn at once by the system."""
    if not can(actor, Perm.DECIDE_DIBAO, county.code):
        raise PermissionDenied(_("只有本县(市、区)民政部门可以委托第三方核查。"))
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = _("请填写项目名称。")
    if period_to < period_from:
        problems["period_to"] = _("结束日期不能早于开始日期。")
    if not 1 <= sample_percent <= 100:
        problems["sample_percent"] = _("抽样比例须在 1% 至 100% 之间。")
    if strata not in STRATA:
        problems["strata"] = _("请选择分层方式。")
    if organisation.region_id[:6] != county.code[:6] and not organisation.region_id.startswith(
        county.code[:4]
    ):
        problems["organisation"] = _("请选择本县或本市的社会组织。")
    if problems:
        raise ValidationError(problems)
    decided = list(
        Application.objects.filter(
            region__code__startswith=county.code[:6],
            stage__in=[Stage.APPROVED, Stage.REFUSED],
            decided_on__gte=period_from,
            decided_on__lte=period_to,
        ).order_by("id")
    )
    if not decided:
        raise ValidationError({"period_from": _("该期间本县没有已审核确认的申请,无法抽样。")})
    seed = secrets.token_hex(8)
    chosen = rules.sample(
        decided, {a: _stratum(a, strata) for a in decided}, sample_percent, random.Random(seed)
    )
    contract = CheckContract.objects.create(
        region=county,
        organisation=organisation,
        title=title.strip(),
        period_from=period_from,
        period_to=period_to,
        sample_percent=sample_percent,
        strata=strata,
        seed=seed,
        created_by=actor,
    )
    CheckSample.objects.bulk_create(
        [
            CheckSample(
                contract=contract,
                region_id=a.region_id,
                application=a,
                stratum=_stratum(a, strata),
            )
            for a in sorted(chosen, key=lambda a: a.pk)
        ]
    )
    audit.record(
        actor=actor,
        action="dibao.check_contract_create",
        target=contract,
        changes={
            "organisation": organisation.name,
            "sample_percent": sample_percent,
            "strata": strata,
            "decided": len(decided),
            "sampled": len(chosen),
            "seed": seed,
        },
    )
    return contract


def _evaluator_of(actor: Actor, sample: CheckSample) -> None:
    mine = {
        org for org, prefix in evaluator_organisations(actor) if sample.region_id.startswith(prefix)
    }
    if sample.contract.organisation_id not in mine:
        raise PermissionDenied(_("只有受委托的第三方机构可以填写核查结论。"))


@transaction.atomic
def sample_verdict(
    *,
    actor: Actor,
    sample: CheckSample,
    verdict: str,
    reasons: str,
    checked_on: datetime.date,
) -> CheckSample:
    """The agency's finding on one sampled decision; anything but "right" needs its reasons."""
    sample = CheckSample.objects.select_for_update().select_related("contract").get(pk=sample.pk)
    _evaluator_of(actor, sample)
    problems: dict[str, str] = {}
    if verdict not in Verdict.values:
        problems["verdict"] = _("请选择核查结论。")
    elif verdict != Verdict.RIGHT and not reasons.strip():
        problems["reasons"] = _("认定有误须写明理由。")
    if checked_on > timezone.localdate():
        problems["checked_on"] = _("日期不能晚于今天。")
    if sample.returned_on is not None:
        problems["verdict"] = _("该样本的核查结论已反馈县级,不能再修改。")
    if problems:
        raise ValidationError(problems)
    before = sample.verdict
    sample.verdict, sample.reasons, sample.checked_on = verdict, reasons.strip(), checked_on
    sample.save()
    audit.record(
        actor=actor,
        action="dibao.sample_verdict",
        target=sample.application,
        changes={"verdict": [before, verdict], "reasons": reasons.strip()},
    )
    return sample


@transaction.atomic
def samples_return(*, actor: Actor, contract: CheckContract, on: datetime.date) -> int:
    """Return the checked samples to the county: the discrepancies with their reasons reach
    the county's contract page; returned findings no longer change. Returns how many."""
    contract = CheckContract.objects.select_for_update().get(pk=contract.pk)
    mine = {org for org, _prefix in evaluator_organisations(actor)}
    if contract.organisation_id not in mine:
        raise PermissionDenied(_("只有受委托的第三方机构可以反馈核查结论。"))
    pending = contract.samples.filter(returned_on__isnull=True).exclude(verdict="")
    count = pending.count()
    if not count:
        raise ValidationError(_("没有待反馈的核查结论。"))
    wrong = pending.exclude(verdict=Verdict.RIGHT).count()
    pending.update(returned_on=on)
    audit.record(
        actor=actor,
        action="dibao.samples_return",
        target=contract,
        changes={"returned": count, "discrepancies": wrong},
    )
    return count


@transaction.atomic
def assessment_attach(
    *, actor: Actor, application: Application, assessment: Any, note: str, version: int | None
) -> Application:
    """A social worker attaches their needs and capacity assessment (from a case on the same
    household, which they may see) to the application, with their opinion."""
    from shegong.casework.selectors import case_get

    from ..workflow import lock, save

    application = lock(application, version)
    if not can(actor, Perm.VIEW_DIBAO, application.region_id) or not can(
        actor, Perm.WORK_CASES, application.region_id
    ):
        raise PermissionDenied(_("只有负责该户的社会工作者可以附上需求评估。"))
    case = case_get(actor=actor, pk=assessment.case_id)  # 404 if the worker may not see it
    if case.household_id != application.household_id:
        raise ValidationError({"assessment": _("只能附上本户个案的需求评估。")})
    if not note.strip():
        raise ValidationError({"note": _("请写明社工的评估意见。")})
    application.assessment = assessment
    application.assessment_note = note.strip()
    save(application)
    audit.record(
        actor=actor,
        action="dibao.assessment_attach",
        target=application,
        changes={"assessment": assessment.pk, "note": note.strip()},
    )
    return application
