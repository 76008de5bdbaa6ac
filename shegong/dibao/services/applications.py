"""The Dibao and special-hardship procedure, one service per step.

Each service is keyword-only and atomic, checks who may act where (townships in their township,
counties in their county), checks the version the caller saw, applies the rule version in force
on the step's day and stores it with the step, and writes the audit trail in the same
transaction. An application is stored at acceptance whatever is missing: what is missing is
listed at once, in one notice, and the investigation waits for it.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.roles import Perm

from .. import rules
from ..calculations import (
    amount_for,
    counted_members,
    county_visit_needed,
    dibao_procedure,
    eligibility_problems,
    policy_for,
    procedure,
    review_needed,
    snapshot,
)
from ..models import (
    OPEN_STAGES,
    Application,
    AppliedBy,
    Area,
    Asset,
    AssetKind,
    Award,
    AwardStatus,
    Channel,
    Deduction,
    DemocraticReview,
    Evidence,
    Exclusion,
    HomeVisit,
    Income,
    IncomeSource,
    Interview,
    Member,
    Opinion,
    Programme,
    SelfCareCheck,
    Stage,
    SupportMode,
)
from ..rulesets import procedure_rules, review_rules
from ..workflow import (
    calendar,
    lock,
    not_before,
    not_future,
    require,
    rules_pk,
    save,
    step,
)

TOWNSHIP_ONLY = _("只有申请人所在乡镇(街道)的经办人可以办理这一步。")
COUNTY_ONLY = _("只有申请人所在县(市、区)民政部门可以办理这一步。")
CONSENT_MATERIAL = _("家庭经济状况核对授权书(全体共同生活家庭成员签字)")


def _township(actor: Actor, application: Application) -> None:
    require(actor, Perm.HANDLE_DIBAO, application.region_id, TOWNSHIP_ONLY)


def _county(actor: Actor, application: Application) -> None:
    require(actor, Perm.DECIDE_DIBAO, application.region_id, COUNTY_ONLY)


def _stage(application: Application, *stages: str) -> None:
    if application.stage not in stages:
        raise ValidationError(
            _("申请当前处于“%(stage)s”环节,不能办理这一步。")
            % {"stage": application.get_stage_display()}
        )


# --- acceptance --------------------------------------------------------------------------------


@transaction.atomic
def application_accept(
    *,
    actor: Actor,
    household: Any,
    applicant: Any,
    programme: str,
    area: str,
    channel: str,
    applied_by: str,
    reasons: str,
    accepted_on: datetime.date,
    consent_data_matching: bool,
    authorisation: str = "",
    materials_missing: str = "",
    separately_registered: bool = False,
    relation_to_staff: str = "",
    applies_alone: bool = False,
    alone_reason: str = "",
) -> Application:
    """Accept an application at the township. Stored whatever materials are missing (they are
    listed, with the consent form when consent is not given, in one notice)."""
    require(actor, Perm.HANDLE_DIBAO, household.region_id, TOWNSHIP_ONLY)
    problems: dict[str, str] = {}
    if programme not in Programme.values:
        problems["programme"] = _("请选择救助类别。")
    if area not in Area.values:
        problems["area"] = _("请选择城市或农村。")
    if channel not in Channel.values:
        problems["channel"] = _("请选择申请方式。")
    if applied_by not in AppliedBy.values:
        problems["applied_by"] = _("请选择申请人类型。")
    elif applied_by != AppliedBy.HOUSEHOLD and not authorisation.strip():
        problems["authorisation"] = _("代为申请须写明委托书或代为申请的情况。")
    if applicant.household_id != household.pk:
        problems["applicant"] = _("申请人须为该户成员。")
    if not (reasons or "").strip():
        problems["reasons"] = _("请填写申请理由。")
    if accepted_on > timezone.localdate():
        problems["accepted_on"] = _("日期不能晚于今天。")
    if applies_alone and not alone_reason.strip():
        problems["alone_reason"] = _("单独提出申请须写明理由(如重度残疾、重病)。")
    rules_now = (
        procedure_rules(accepted_on, hardship=programme == Programme.HARDSHIP)
        if "programme" not in problems
        else None
    )
    if (
        separately_registered
        and dibao_procedure(accepted_on)["separate_registration"]
        and not relation_to_staff.strip()
    ):
        problems["relation_to_staff"] = _("单独登记备案须写明与经办人员或村干部的关系。")
    if problems:
        raise ValidationError(problems)
    assert rules_now is not None
    if Application.objects.filter(
        household=household, programme=programme, stage__in=OPEN_STAGES
    ).exists():
        raise ValidationError(_("该户已有一份正在办理的同类申请,请在原申请中继续办理。"))
    missing = [line.strip() for line in (materials_missing or "").splitlines() if line.strip()]
    if not consent_data_matching and CONSENT_MATERIAL not in missing:
        missing.append(str(CONSENT_MATERIAL))
    application = Application(
        region_id=household.region_id,
        household=household,
        applicant=applicant,
        number="",
        programme=programme,
        area=area,
        applies_alone=applies_alone,
        alone_reason=alone_reason.strip(),
        channel=channel,
        applied_by=applied_by,
        authorisation=authorisation.strip(),
        consent_data_matching=consent_data_matching,
        separately_registered=separately_registered,
        relation_to_staff=relation_to_staff.strip(),
        reasons=reasons.strip(),
        accepted_on=accepted_on,
        materials_missing="\n".join(missing),
        materials_complete_on=None if missing else accepted_on,
        rules_id=rules_pk(rules_now),
        created_by=actor,
    )
    # Unique until the real number (from the row id) replaces it; fits the 32 characters.
    application.number = f"tmp-{random.getrandbits(96):024x}"
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(_("该户已有一份正在办理的同类申请,请在原申请中继续办理。")) from None
    prefix = "TK" if programme == Programme.HARDSHIP else "DB"
    application.number = f"{prefix}{household.region_id[:6]}{accepted_on:%Y}{application.pk:07d}"
    application.save(update_fields=["number"])
    step(application, actor, "accepted", accepted_on, rules_now, note="\n".join(missing))
    audit.record(
        actor=actor,
        action="dibao.application_accept",
        target=application,
        changes={
            "programme": programme,
            "household": household.number,
            "materials_missing": application.materials_missing,
            "separately_registered": separately_registered,
        },
    )
    return application


@transaction.atomic
def materials_complete(
    *, actor: Actor, application: Application, on: datetime.date, version: int | None
) -> Application:
    application = lock(application, version)
    _township(actor, application)
    _stage(application, Stage.ACCEPTED, Stage.INVESTIGATING)
    not_future(on, "on")
    not_before(on, application.accepted_on, "on", _("受理日期"))
    application.materials_complete_on = on
    application.consent_data_matching = True
    save(application)
    step(application, actor, "materials_complete", on, procedure(application, on))
    audit.record(
        actor=actor,
        action="dibao.materials_complete",
        target=application,
        changes={"on": on, "materials_missing": application.materials_missing},
    )
    return application


@transaction.atomic
def investigation_start(
    *,
    actor: Actor,
    application: Application,
    on: datetime.date,
    exclusions: dict[int, tuple[str, str]] | None = None,
    version: int | None,
) -> Application:
    """Start the economic-status investigation: the registry household's members become the
    application's members, each counted or excluded with the reason (`exclusions[person id] =
    (exclusion code, note)`). Due within the rule's working days of acceptance."""
    application = lock(application, version)
    _township(actor, application)
    _stage(application, Stage.ACCEPTED)
    not_future(on, "on")
    not_before(on, application.accepted_on, "on", _("受理日期"))
    if application.materials_complete_on is None:
        raise ValidationError(
            _("材料尚未补齐(%(missing)s),补齐后才能启动调查。")
            % {"missing": application.materials_missing.replace("\n", "、")}
        )
    values = procedure(application, on)
    days = (
        values["investigation_days"]
        if application.programme == Programme.HARDSHIP
        else values["investigation_start_days"]
    )
    deadline = rules.due(application.accepted_on, days, calendar())
    members = list(application.household.members.order_by("id"))
    exclusions = exclusions or {}
    rows = []
    for person in members:
        code, note = exclusions.get(person.pk, ("", ""))
        if code not in Exclusion.values:
            raise ValidationError({"exclusions": _("不计入的理由不正确。")})
        if code and not (note or "").strip() and code == Exclusion.NOT_CO_RESIDENT:
            raise ValidationError(
                {
                    "exclusions": _("%(name)s:不计入共同生活家庭成员须写明情况。")
                    % {"name": person.name}
                }
            )
        if application.applies_alone:
            code = code or ("" if person.pk == application.applicant_id else "not_co_resident")
            note = note or ("" if person.pk == application.applicant_id else _("单独提出申请"))
        rows.append(
            Member(
                application=application,
                region_id=application.region_id,
                person=person,
                exclusion=code,
                note=(note or "").strip(),
            )
        )
    if not any(not row.exclusion for row in rows):
        raise ValidationError({"exclusions": _("至少须有一名计入的共同生活家庭成员。")})
    Member.objects.bulk_create(rows)
    application.investigation_started_on = on
    application.stage = Stage.INVESTIGATING
    save(application)
    step(application, actor, "investigation_started", on, values, due=deadline.due)
    audit.record(
        actor=actor,
        action="dibao.investigation_start",
        target=application,
        changes={
            "on": on,
            "counted": [r.person.name for r in rows if not r.exclusion],
            "excluded": {r.person.name: r.exclusion for r in rows if r.exclusion},
        },
    )
    return application


@transaction.atomic
def member_set(
    *,
    actor: Actor,
    application: Application,
    member: Member,
    exclusion: str,
    note: str,
    version: int | None,
) -> Member:
    application = lock(application, version)
    _township(actor, application)
    _stage(application, Stage.INVESTIGATING, Stage.OBJECTION)
    if member.application_id != application.pk:
        raise ValidationError(_("该成员不属于这份申请。"))
    if exclusion not in Exclusion.values:
        raise ValidationError({"exclusion": _("请选择是否计入。")})
    if exclusion == Exclusion.NOT_CO_RESIDENT and not note.strip():
        raise ValidationError({"note": _("不计入共同生活家庭成员须写明情况。")})
    others = application.members.exclude(pk=member.pk).filter(exclusion="").exists()
    if exclusion and not others:
        raise ValidationError({"exclusion": _("至少须有一名计入的共同生活家庭成员。")})
    before = member.exclusion
    member.exclusion, member.note = exclusion, note.strip()
    member.save()
    save(application)
    audit.record(
        actor=actor,
        action="dibao.member_set",
        target=application,
        changes={"person": member.person.name, "exclusion": [before, exclusion], "note": note},
    )
    return member


# --- investigation records ---------------------------------------------------------------------


def _investigating(actor: Actor, application: Application, version: int | None) -> Application:
    application = lock(application, version)
    _township(actor, application)
    _stage(application, Stage.INVESTIGATING, Stage.OBJECTION)
    return application


def _names(text_or_list: Any) -> list[str]:
    if isinstance(text_or_list, str):
        parts = text_or_list.replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
    else:
        parts = list(text_or_list)
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


@transaction.atomic
def visit_add(
    *,
    actor: Actor,
    application: Application,
    visited_on: datetime.date,
    investigators: Any,
    members_present: str,
    findings: str,
    signed: bool,
    remote: bool = False,
    emergency: str = "",
    version: int | None,
) -> HomeVisit:
    """A home visit by the township: at least the rule's number of investigators (2), in person
    unless an emergency is declared; the investigators and members present sign."""
    application = _investigating(actor, application, version)
    return _visit(
        actor,
        application,
        visited_on=visited_on,
        investigators=investigators,
        members_present=members_present,
        findings=findings,
        signed=signed,
        remote=remote,
        emergency=emergency,
        by_county=False,
    )


def _visit(actor: Actor, application: Application, **fields: Any) -> HomeVisit:
    on = fields["visited_on"]
    not_future(on, "visited_on")
    not_before(on, application.accepted_on, "visited_on", _("受理日期"))
    values = dibao_procedure(on)
    names = _names(fields["investigators"])
    problems: dict[str, str] = {}
    if len(names) < values["min_investigators"]:
        problems["investigators"] = _(
            "入户调查须由至少 %(n)d 名工作人员进行,请填写每位调查人员的姓名。"
        ) % {"n": values["min_investigators"]}
    if fields["remote"] and not fields["emergency"].strip():
        problems["emergency"] = _("只有在紧急状态下才可电话或视频入户,请写明紧急状态。")
    if not fields["members_present"].strip():
        problems["members_present"] = _("请填写在场的家庭成员。")
    if not fields["findings"].strip():
        problems["findings"] = _("请填写入户情况。")
    if problems:
        raise ValidationError(problems)
    visit = HomeVisit.objects.create(
        application=application,
        region_id=application.region_id,
        by_county=fields["by_county"],
        visited_on=on,
        investigators=names,
        members_present=fields["members_present"].strip(),
        remote=fields["remote"],
        emergency=fields["emergency"].strip(),
        findings=fields["findings"].strip(),
        signed=fields["signed"],
        recorded_by=actor,
    )
    if fields["by_county"]:
        application.county_visit_on = on
    save(application)
    step(application, actor, "county_visit" if fields["by_county"] else "visit", on, values)
    audit.record(
        actor=actor,
        action="dibao.county_visit" if fields["by_county"] else "dibao.visit_add",
        target=application,
        changes={"on": on, "investigators": names, "remote": fields["remote"]},
    )
    return visit


@transaction.atomic
def county_visit(
    *,
    actor: Actor,
    application: Application,
    visited_on: datetime.date,
    investigators: Any,
    members_present: str,
    findings: str,
    signed: bool,
    version: int | None,
) -> HomeVisit:
    """The county's own home visit (separately registered cases, complaints, spot checks)."""
    application = lock(application, version)
    _county(actor, application)
    _stage(application, Stage.COUNTY)
    return _visit(
        actor,
        application,
        visited_on=visited_on,
        investigators=investigators,
        members_present=members_present,
        findings=findings,
        signed=signed,
        remote=False,
        emergency="",
        by_county=True,
    )


@transaction.atomic
def interview_add(
    *,
    actor: Actor,
    application: Application,
    on: datetime.date,
    who: str,
    said: str,
    version: int | None,
) -> Interview:
    application = _investigating(actor, application, version)
    not_future(on, "on")
    if not who.strip() or not said.strip():
        raise ValidationError(
            {
                **({"who": _("请填写访问对象。")} if not who.strip() else {}),
                **({"said": _("请填写了解到的情况。")} if not said.strip() else {}),
            }
        )
    interview = Interview.objects.create(
        application=application, region_id=application.region_id, on=on, who=who, said=said
    )
    save(application)
    audit.record(
        actor=actor, action="dibao.interview_add", target=application, changes={"who": who}
    )
    return interview


@transaction.atomic
def evidence_add(
    *,
    actor: Actor,
    application: Application,
    description: str,
    file: Any = None,
    version: int | None,
) -> Evidence:
    application = _investigating(actor, application, version)
    if not description.strip():
        raise ValidationError({"description": _("请填写材料名称。")})
    evidence = Evidence(
        application=application,
        region_id=application.region_id,
        description=description.strip(),
        added_by=actor,
    )
    if file is not None:
        evidence.file = file
    evidence.save()
    save(application)
    audit.record(
        actor=actor,
        action="dibao.evidence_add",
        target=application,
        changes={"description": evidence.description, "file": bool(file)},
    )
    return evidence


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except Exception:
        raise ValidationError({field: _("请填写金额。")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("金额不能为负数。")})
    if amount >= Decimal("1e10") or amount != amount.quantize(rules.CENT):
        raise ValidationError({field: _("金额最多两位小数,且须小于 100 亿元。")})
    return amount


@transaction.atomic
def income_add(
    *,
    actor: Actor,
    application: Application,
    source: str,
    yearly: Any,
    person: Any = None,
    note: str = "",
    version: int | None,
) -> Income:
    application = _investigating(actor, application, version)
    if source not in IncomeSource.values:
        raise ValidationError({"source": _("请选择收入类别。")})
    amount = _money(yearly, "yearly")
    if person is not None and not application.members.filter(person=person).exists():
        raise ValidationError({"person": _("该成员不属于这份申请。")})
    income = Income.objects.create(
        application=application,
        region_id=application.region_id,
        person=person,
        source=source,
        yearly=amount,
        note=note.strip(),
    )
    save(application)
    audit.record(
        actor=actor,
        action="dibao.income_add",
        target=application,
        changes={"source": source, "yearly": amount},
    )
    return income


@transaction.atomic
def asset_add(
    *,
    actor: Actor,
    application: Application,
    kind: str,
    value: Any,
    exempt: bool = False,
    note: str = "",
    version: int | None,
) -> Asset:
    application = _investigating(actor, application, version)
    if kind not in AssetKind.values:
        raise ValidationError({"kind": _("请选择财产类别。")})
    amount = _money(value, "value")
    asset = Asset.objects.create(
        application=application,
        region_id=application.region_id,
        kind=kind,
        value=amount,
        exempt=exempt,
        note=note.strip(),
    )
    save(application)
    audit.record(
        actor=actor,
        action="dibao.asset_add",
        target=application,
        changes={"kind": kind, "value": amount, "exempt": exempt},
    )
    return asset


@transaction.atomic
def deduction_add(
    *,
    actor: Actor,
    application: Application,
    description: str,
    yearly: Any,
    version: int | None,
) -> Deduction:
    application = _investigating(actor, application, version)
    if not description.strip():
        raise ValidationError({"description": _("请填写刚性支出的内容。")})
    amount = _money(yearly, "yearly")
    deduction = Deduction.objects.create(
        application=application,
        region_id=application.region_id,
        description=description.strip(),
        yearly=amount,
    )
    save(application)
    audit.record(
        actor=actor,
        action="dibao.deduction_add",
        target=application,
        changes={"description": deduction.description, "yearly": amount},
    )
    return deduction


_ITEMS: dict[str, Any] = {
    "income": Income,
    "asset": Asset,
    "deduction": Deduction,
    "interview": Interview,
}


@transaction.atomic
def item_remove(
    *, actor: Actor, application: Application, kind: str, pk: Any, version: int | None
) -> None:
    """Remove an income, asset, deduction or interview entered by mistake (audited with what
    it said)."""
    application = _investigating(actor, application, version)
    model = _ITEMS.get(kind)
    item = model.objects.filter(application=application, pk=pk).first() if model else None
    if item is None:
        raise ValidationError(_("要删除的记录不存在。"))
    said = str(item)
    item.delete()
    save(application)
    audit.record(
        actor=actor,
        action="dibao.item_remove",
        target=application,
        changes={"kind": kind, "item": said},
    )


@transaction.atomic
def form_sign(
    *, actor: Actor, application: Application, on: datetime.date, version: int | None
) -> Application:
    """The economic-status verification form signed by the investigators and the members
    present: needs a signed in-person (or declared-emergency) visit by enough investigators."""
    application = _investigating(actor, application, version)
    not_future(on, "on")
    if not application.visits.filter(by_county=False, signed=True).exists():
        raise ValidationError(_("须先记录一次调查人员和在场成员已签字的入户调查。"))
    application.form_signed_on = on
    save(application)
    step(application, actor, "form_signed", on, procedure(application, on))
    audit.record(actor=actor, action="dibao.form_sign", target=application, changes={"on": on})
    return application


@transaction.atomic
def matching_request(
    *, actor: Actor, application: Application, on: datetime.date, version: int | None
) -> Application:
    application = _investigating(actor, application, version)
    not_future(on, "on")
    if not application.consent_data_matching:
        raise ValidationError(_("申请人尚未签署核对授权书,不能申请信息核对。"))
    application.matching_requested_on = on
    save(application)
    step(application, actor, "matching_requested", on, procedure(application, on))
    audit.record(
        actor=actor, action="dibao.matching_request", target=application, changes={"on": on}
    )
    return application


@transaction.atomic
def matching_result(
    *,
    actor: Actor,
    application: Application,
    on: datetime.date,
    findings: str,
    assets_flagged: bool,
    version: int | None,
) -> Application:
    """The county's data-matching result, due within the rule's working days of the request."""
    application = lock(application, version)
    _county(actor, application)
    _stage(application, Stage.INVESTIGATING, Stage.OBJECTION)
    if application.matching_requested_on is None:
        raise ValidationError(_("乡镇尚未申请信息核对。"))
    not_future(on, "on")
    not_before(on, application.matching_requested_on, "on", _("申请核对日期"))
    if not findings.strip():
        raise ValidationError({"findings": _("请填写核对结果。")})
    values = dibao_procedure(application.matching_requested_on)
    deadline = rules.due(
        application.matching_requested_on, values["matching_start_days"], calendar()
    )
    application.matching_result_on = on
    application.matching_findings = findings.strip()
    application.matching_assets_flagged = assets_flagged
    save(application)
    step(application, actor, "matching_result", on, values, due=deadline.due)
    audit.record(
        actor=actor,
        action="dibao.matching_result",
        target=application,
        changes={"on": on, "assets_flagged": assets_flagged},
    )
    return application


# --- opinion, notice, objection, review ---------------------------------------------------------


@transaction.atomic
def opinion_give(
    *,
    actor: Actor,
    application: Application,
    on: datetime.date,
    opinion: str,
    reasons: str,
    notice_from: datetime.date,
    notice_to: datetime.date,
    version: int | None,
) -> Application:
    """The township's first opinion (again after an objection), put on public notice for at
    least the rule's days in the village."""
    application = _investigating(actor, application, version)
    not_future(on, "on")
    values = procedure(application, on)
    problems: dict[str, Any] = {}
    if opinion not in Opinion.values:
        problems["opinion"] = _("请选择初审意见。")
    if not reasons.strip():
        problems["reasons"] = _("请写明初审理由。")
    if notice_from < on:
        problems["notice_from"] = _("公示不能早于初审日期。")
    notice = rules.notice_problems(notice_from, notice_to, values["notice_days"])
    if notice:
        problems["notice_to"] = notice
    if application.form_signed_on is None:
        problems["__all__"] = [_("家庭经济状况核查表尚未签字。")]
    elif application.programme == Programme.DIBAO and application.matching_result_on is None:
        problems["__all__"] = [_("尚未收到县级信息核对结果。")]
    if problems:
        raise ValidationError(problems)
    proposed = None
    if opinion == Opinion.APPROVE:
        refusals = eligibility_problems(application, on)
        if refusals:
            raise ValidationError({"opinion": refusals})
        proposed = amount_for(application, on)
    application.opinion = opinion
    application.opinion_on = on
    application.opinion_reasons = reasons.strip()
    application.proposed_amount = proposed
    application.notice_from, application.notice_to = notice_from, notice_to
    application.objection_note, application.objection_on = "", None
    application.stage = Stage.NOTICE
    save(application)
    due = None
    if application.programme == Programme.HARDSHIP:
        due = rules.due(application.accepted_on, values["investigation_days"], calendar()).due
    step(application, actor, "opinion", on, values, due=due, note=reasons.strip())
    audit.record(
        actor=actor,
        action="dibao.opinion_give",
        target=application,
        changes={
            "opinion": opinion,
            "proposed_amount": proposed,
            "notice_from": notice_from,
            "notice_to": notice_to,
        },
    )
    return application


@transaction.atomic
def objection_record(
    *,
    actor: Actor,
    application: Application,
    on: datetime.date,
    note: str,
    version: int | None,
) -> Application:
    """An objection during the notice reopens the investigation: re-investigation or a
    democratic review, then a new first opinion and notice."""
    application = lock(application, version)
    _township(actor, application)
    _stage(application, Stage.NOTICE)
    not_future(on, "on")
    not_before(on, application.notice_from, "on", _("公示开始日期"))
    if not note.strip():
        raise ValidationError({"note": _("请写明异议内容。")})
    application.objection_on, application.objection_note = on, note.strip()
    application.stage = Stage.OBJECTION
    save(application)
    step(application, actor, "objection", on, procedure(application, on), note=note.strip())
    audit.record(
        actor=actor, action="dibao.objection_record", target=application, changes={"on": on}
    )
    return application


@transaction.atomic
def review_record(
    *,
    actor: Actor,
    application: Application,
    held_on: datetime.date,
    members: int,
    present: int,
    in_favour: int,
    against: int,
    record: str,
    version: int | None,
) -> DemocraticReview:
    """A democratic review: valid with at least 2/3 of members present, passed with at least
    2/3 of those present in favour (the fractions of the rule in force on the day)."""
    application = lock(application, version)
    _township(actor, application)
    _stage(application, Stage.INVESTIGATING, Stage.NOTICE, Stage.OBJECTION)
    not_future(held_on, "held_on")
    problems: dict[str, Any] = dict(
        rules.review_count_problems(members, present, in_favour, against)
    )
    if not record.strip():
        problems["record"] = _("请填写评议记录。")
    if problems:
        raise ValidationError(problems)
    values = dibao_procedure(held_on)
    valid, passed = rules.review_outcome(values, members, present, in_favour)
    review = DemocraticReview.objects.create(
        application=application,
        region_id=application.region_id,
        held_on=held_on,
        members=members,
        present=present,
        in_favour=in_favour,
        against=against,
        record=record.strip(),
        valid=valid,
        passed=passed,
        rules_id=rules_pk(values),
    )
    save(application)
    step(application, actor, "democratic_review", held_on, values)
    audit.record(
        actor=actor,
        action="dibao.review_record",
        target=application,
        changes={
            "members": members,
            "present": present,
            "in_favour": in_favour,
            "against": against,
            "valid": valid,
            "passed": passed,
        },
    )
    return review


@transaction.atomic
def to_county(
    *, actor: Actor, application: Application, on: datetime.date, version: int | None
) -> Application:
    """No objection by the end of the notice: the file goes to the county, which must decide
    within the rule's working days. Under a rule with county spot checks the system draws
    whether this case is checked at home."""
    application = lock(application, version)
    _township(actor, application)
    _stage(application, Stage.NOTICE)
    not_future(on, "on")
    assert application.notice_to is not None
    if on <= application.notice_to:
        raise ValidationError(
            {
                "on": _("公示期到 %(date)s 结束,结束后才能报县级审核确认。")
                % {"date": application.notice_to}
            }
        )
    if (
        review_needed(application)
        and not application.democratic_reviews.filter(valid=True).exists()
    ):
        raise ValidationError(_("按规定须先进行民主评议(有效评议须 2/3 以上成员到会)。"))
    values = procedure(application, on)
    application.county_received_on = on
    application.spot_check = rules.spot_check_chosen(
        values["spot_check_percent"], random.SystemRandom()
    )
    application.stage = Stage.COUNTY
    save(application)
    step(
        application,
        actor,
        "to_county",
        on,
        values,
        note=_("系统随机抽中县级入户抽查") if application.spot_check else "",
    )
    audit.record(
        actor=actor,
        action="dibao.to_county",
        target=application,
        changes={"on": on, "spot_check": application.spot_check},
    )
    return application


@transaction.atomic
def decide(
    *,
    actor: Actor,
    application: Application,
    on: datetime.date,
    approve: bool,
    refusal_reasons: str = "",
    irregular_income: bool = False,
    version: int | None,
) -> Application:
    """The county's decision. An approval fixes the amount by the rules (payment from the next
    month) and creates the award with a snapshot of the household as decided; a refusal needs
    its reasons. Past the overall limit a reason for the extension must be on record."""
    application = lock(application, version)
    _county(actor, application)
    _stage(application, Stage.COUNTY)
    not_future(on, "on")
    assert application.notice_to is not None and application.county_received_on is not None
    if on <= application.notice_to:
        raise ValidationError({"on": _("公示期结束前不能作出审核确认。")})
    not_before(on, application.county_received_on, "on", _("县级收到材料日期"))
    if county_visit_needed(application) and application.county_visit_on is None:
        raise ValidationError(
            _("该申请为单独登记备案、有投诉举报或被抽中入户抽查,县级须先入户核查。")
        )
    values = procedure(application, on)
    cal = calendar()
    if application.programme == Programme.DIBAO and values["total_days"]:
        taken = rules.working_days_taken(application.accepted_on, on, cal)
        if taken > values["total_days"] and not application.extension_reason:
            raise ValidationError(
                _(
                    "自受理已 %(taken)d 个工作日,超过 %(limit)d 个工作日的办理时限,"
                    "请先记录延长办理期限的理由。"
                )
                % {"taken": taken, "limit": values["total_days"]}
            )
    deadline = rules.due(application.county_received_on, values["county_decision_days"], cal)
    if approve:
        amount = amount_for(application, on)
        if amount <= 0:
            raise ValidationError(_("按规则计算的保障金额为 0,不能批准,请核实收入或选择不予批准。"))
        application.amount = amount
        application.payment_from = rules.payment_start(on)
        application.stage = Stage.APPROVED
    else:
        if not refusal_reasons.strip():
            raise ValidationError({"refusal_reasons": _("不予批准须写明理由。")})
        application.refusal_reasons = refusal_reasons.strip()
        application.stage = Stage.REFUSED
    application.decided_on = on
    save(application)
    step(application, actor, "decided", on, values, due=deadline.due)
    if approve:
        _award_create(application, on, irregular_income)
    audit.record(
        actor=actor,
        action="dibao.decide",
        target=application,
        changes={
            "approved": approve,
            "amount": application.amount,
            "payment_from": application.payment_from,
            "refusal_reasons": application.refusal_reasons,
        },
    )
    return application


def _award_create(application: Application, on: datetime.date, irregular_income: bool) -> Award:
    review = review_rules(on)
    policy = policy_for(application.region_id)
    counted = counted_members(application)
    able = any(m.person.labour in ("ordinary", "skilled") for m in counted)
    schedule = rules.default_schedule(
        irregular_income=irregular_income,
        able_members=able,
        abc=policy.abc_schedule,
        town=application.area == Area.URBAN,
    )
    assert application.payment_from is not None and application.amount is not None
    return Award.objects.create(
        region_id=application.region_id,
        household=application.household,
        application=application,
        programme=application.programme,
        status=AwardStatus.ACTIVE,
        amount=application.amount,
        members=len(counted),
        payment_from=application.payment_from,
        schedule=schedule,
        next_review_on=rules.next_review(on, schedule, review),
        care_tier=application.care_tier,
        support_mode=application.support_mode,
        snapshot=snapshot(application, on),
        rules_id=rules_pk(review),
    )


@transaction.atomic
def notify(
    *, actor: Actor, application: Application, on: datetime.date, version: int | None
) -> Application:
    """The written notice of the decision (a refusal with its reasons), due within the rule's
    working days of the decision."""
    application = lock(application, version)
    _county(actor, application)
    _stage(application, Stage.APPROVED, Stage.REFUSED)
    not_future(on, "on")
    assert application.decided_on is not None
    not_before(on, application.decided_on, "on", _("审核确认日期"))
    if application.notified_on:
        raise ValidationError(_("已书面告知。"))
    values = procedure(application, on)
    deadline = rules.due(application.decided_on, values["notify_days"], calendar())
    application.notified_on = on
    save(application)
    step(application, actor, "notified", on, values, due=deadline.due)
    audit.record(actor=actor, action="dibao.notify", target=application, changes={"on": on})
    return application


@transaction.atomic
def publish(
    *, actor: Actor, application: Application, on: datetime.date, version: int | None
) -> Application:
    application = lock(application, version)
    _county(actor, application)
    _stage(application, Stage.APPROVED)
    not_future(on, "on")
    application.published_on = on
    save(application)
    step(application, actor, "published", on, procedure(application, on))
    audit.record(actor=actor, action="dibao.publish", target=application, changes={"on": on})
    return application


@transaction.atomic
def withdraw(
    *,
    actor: Actor,
    application: Application,
    on: datetime.date,
    reason: str,
    version: int | None,
) -> Application:
    application = lock(application, version)
    _township(actor, application)
    _stage(application, Stage.ACCEPTED, Stage.INVESTIGATING, Stage.NOTICE, Stage.OBJECTION)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明撤回原因。")})
    application.stage = Stage.WITHDRAWN
    save(application)
    step(application, actor, "withdrawn", on, procedure(application, on), note=reason.strip())
    audit.record(
        actor=actor, action="dibao.withdraw", target=application, changes={"reason": reason}
    )
    return application


@transaction.atomic
def extend(
    *, actor: Actor, application: Application, reason: str, version: int | None
) -> Application:
    """Record the special circumstance that lets the procedure run to the extended limit."""
    application = lock(application, version)
    _county(actor, application)
    _stage(application, *OPEN_STAGES)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明延长办理期限的理由。")})
    application.extension_reason = reason.strip()[:200]
    save(application)
    step(
        application,
        actor,
        "extended",
        timezone.localdate(),
        procedure(application, timezone.localdate()),
        note=reason.strip(),
    )
    audit.record(actor=actor, action="dibao.extend", target=application, changes={"reason": reason})
    return application


@transaction.atomic
def complaint_record(
    *, actor: Actor, application: Application, note: str, version: int | None
) -> Application:
    """A complaint about the application: the county must then visit the household itself."""
    application = lock(application, version)
    if not (
        _can(actor, Perm.HANDLE_DIBAO, application) or _can(actor, Perm.DECIDE_DIBAO, application)
    ):
        raise ValidationError(TOWNSHIP_ONLY)
    _stage(application, *OPEN_STAGES)
    if not note.strip():
        raise ValidationError({"note": _("请写明投诉举报的内容。")})
    application.complaint = True
    save(application)
    today = timezone.localdate()
    step(application, actor, "complaint", today, procedure(application, today), note=note.strip())
    audit.record(
        actor=actor, action="dibao.complaint_record", target=application, changes={"note": note}
    )
    return application


def _can(actor: Actor, perm: str, application: Application) -> bool:
    from shegong.core.scoping import can

    return can(actor, perm, application.region_id)


@transaction.atomic
def care_check(
    *,
    actor: Actor,
    application: Application,
    person: Any,
    checked_on: datetime.date,
    items: dict[str, bool],
    version: int | None,
) -> SelfCareCheck:
    """The six-item self-care check of a special-hardship applicant: sets the care tier."""
    application = _investigating(actor, application, version)
    if application.programme != Programme.HARDSHIP:
        raise ValidationError(_("生活自理能力评估只用于特困人员申请。"))
    not_future(checked_on, "checked_on")
    values = procedure(application, checked_on)
    order = ("eating", "dressing", "transfer", "toileting", "walking", "bathing")
    tier = rules.care_tier([bool(items.get(k)) for k in order], values)
    check = SelfCareCheck.objects.create(
        application=application,
        region_id=application.region_id,
        person=person,
        checked_on=checked_on,
        tier=tier,
        rules_id=rules_pk(values),
        **{k: bool(items.get(k)) for k in order},
    )
    application.care_tier = tier
    save(application)
    audit.record(
        actor=actor,
        action="dibao.care_check",
        target=application,
        changes={"person": person.name, "tier": tier},
    )
    return check


@transaction.atomic
def hardship_facts_set(
    *,
    actor: Actor,
    application: Application,
    supporters: str,
    supporter_able: bool,
    disability_kind: str,
    support_mode: str,
    version: int | None,
) -> Application:
    """What the special-hardship conditions need beyond the registry: the legal supporters and
    whether they are able, the applicant's disability kind, and the support mode asked for."""
    application = _investigating(actor, application, version)
    if application.programme != Programme.HARDSHIP:
        raise ValidationError(_("只用于特困人员申请。"))
    problems: dict[str, str] = {}
    if not supporters.strip():
        problems["supporters"] = _("请写明法定义务人的情况(没有义务人也请写明)。")
    if disability_kind not in DISABILITY_KINDS:
        problems["disability_kind"] = _("请选择残疾类别。")
    if support_mode not in SupportMode.values:
        problems["support_mode"] = _("请选择供养方式。")
    if problems:
        raise ValidationError(problems)
    application.supporters, application.supporter_able = supporters.strip(), supporter_able
    application.support_mode = support_mode
    save(application)
    Member.objects.filter(application=application, person_id=application.applicant_id).update(
        disability_kind=disability_kind
    )
    audit.record(
        actor=actor,
        action="dibao.hardship_facts_set",
        target=application,
        changes={
            "supporter_able": supporter_able,
            "disability_kind": disability_kind,
            "support_mode": support_mode,
        },
    )
    return application


# "" = no disability.
DISABILITY_KINDS = ("", "physical", "visual", "hearing", "speech", "intellectual", "mental")
