"""The steps of an application and which actions each stage allows: the page asks this module,
it never decides. Pure data and functions, no ORM."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from shegong.core.workdays import WorkCalendar

from . import rules
from .models import Stage

# Step codes as the step log stores them, with their labels.
STEPS: dict[str, Any] = {
    "accepted": _("受理申请"),
    "materials_complete": _("材料补齐"),
    "investigation_started": _("启动家庭经济状况调查"),
    "visit": _("入户调查"),
    "county_visit": _("县级入户核查"),
    "form_signed": _("核查表签字"),
    "matching_requested": _("申请信息核对"),
    "matching_result": _("信息核对结果"),
    "opinion": _("乡镇初审并公示"),
    "objection": _("公示异议"),
    "democratic_review": _("民主评议"),
    "to_county": _("报县级审核确认"),
    "decided": _("审核确认"),
    "notified": _("书面告知"),
    "published": _("公布"),
    "withdrawn": _("撤回申请"),
    "extended": _("延长办理期限"),
    "complaint": _("投诉举报"),
}

# Who answers for each deadline `deadlines` gives: the township, the county, or both (the
# whole procedure's limit).
TOWNSHIP_STEPS = frozenset({"investigation_started", "opinion", "to_county", "total"})
COUNTY_STEPS = frozenset({"matching_result", "decided", "notified", "total"})

# Actions of the application page (each its own POST route): the township's, the county's.
TOWNSHIP_ACTIONS = frozenset(
    {
        "materials_complete",
        "investigation_start",
        "member_set",
        "visit_add",
        "interview_add",
        "evidence_add",
        "income_add",
        "asset_add",
        "deduction_add",
        "item_remove",
        "form_sign",
        "matching_request",
        "opinion_give",
        "objection_record",
        "review_record",
        "to_county",
        "withdraw",
        "complaint_record",
        "care_check",
        "hardship_facts",
    }
)
# The social worker's part: their needs and capacity assessment, attached with an opinion.
SOCIAL_WORK_ACTIONS = frozenset({"assessment_attach"})
COUNTY_ACTIONS = frozenset(
    {"matching_result", "county_visit", "decide", "notify", "publish", "extend"}
)
APPLICATION_ACTIONS = TOWNSHIP_ACTIONS | COUNTY_ACTIONS | SOCIAL_WORK_ACTIONS

_BY_STAGE: dict[str, frozenset[str]] = {
    Stage.ACCEPTED: frozenset(
        {
            "materials_complete",
            "investigation_start",
            "withdraw",
            "complaint_record",
            "extend",
            "assessment_attach",
        }
    ),
    Stage.INVESTIGATING: frozenset(
        {
            "member_set",
            "visit_add",
            "interview_add",
            "evidence_add",
            "income_add",
            "asset_add",
            "deduction_add",
            "item_remove",
            "form_sign",
            "matching_request",
            "matching_result",
            "opinion_give",
            "review_record",
            "withdraw",
            "complaint_record",
            "care_check",
            "hardship_facts",
            "assessment_attach",
            "extend",
        }
    ),
    Stage.NOTICE: frozenset(
        {
            "objection_record",
            "review_record",
            "to_county",
            "withdraw",
            "complaint_record",
            "extend",
            "assessment_attach",
        }
    ),
    Stage.OBJECTION: frozenset(
        {
            "visit_add",
            "interview_add",
            "evidence_add",
            "income_add",
            "asset_add",
            "deduction_add",
            "item_remove",
            "member_set",
            "review_record",
            "opinion_give",
            "withdraw",
            "complaint_record",
            "care_check",
            "hardship_facts",
            "assessment_attach",
            "extend",
        }
    ),
    Stage.COUNTY: frozenset(
        {"county_visit", "decide", "complaint_record", "extend", "assessment_attach"}
    ),
    Stage.APPROVED: frozenset({"notify", "publish"}),
    Stage.REFUSED: frozenset({"notify"}),
    Stage.WITHDRAWN: frozenset(),
}


@dataclass(frozen=True)
class Facts:
    """What the action matrix needs to know of an application besides its stage."""

    stage: str
    investigation_started: bool
    matching_requested: bool
    matching_done: bool
    notified: bool
    published: bool
    hardship: bool


def actions(
    facts: Facts, *, township: bool, county: bool, social_worker: bool = False
) -> frozenset[str]:
    """The actions the page offers: those the stage allows, that this actor's level takes."""
    allowed = set(_BY_STAGE.get(facts.stage, frozenset()))
    if facts.stage == Stage.INVESTIGATING:
        if facts.matching_requested:
            allowed.discard("matching_request")
        if not facts.matching_requested or facts.matching_done:
            allowed.discard("matching_result")
    if facts.stage == Stage.ACCEPTED and facts.investigation_started:
        allowed.discard("investigation_start")
    if facts.notified:
        allowed.discard("notify")
    if facts.published or facts.stage != Stage.APPROVED:
        allowed.discard("publish")
    if not facts.hardship:
        allowed.discard("care_check")
        allowed.discard("hardship_facts")
    mine = (
        (TOWNSHIP_ACTIONS if township else frozenset())
        | (COUNTY_ACTIONS if county else frozenset())
        | (SOCIAL_WORK_ACTIONS if social_worker else frozenset())
    )
    return frozenset(allowed & mine)


def deadlines(
    application: Any,
    procedure_values: Mapping[str, Any],
    cal: WorkCalendar,
) -> list[rules.Due]:
    """What is due next on an open application, by when (from the stored dates)."""
    a = application
    hardship = a.programme == "hardship"
    out: list[rules.Due] = []

    def add(step: str, label: Any, start: datetime.date, days: int) -> None:
        d = rules.due(start, days, cal)
        out.append(rules.Due(step, str(label), d.due, d.estimated_year is not None))

    start_days = (
        procedure_values["investigation_days"]
        if hardship
        else procedure_values["investigation_start_days"]
    )
    if a.stage == Stage.ACCEPTED:
        add("investigation_started", STEPS["investigation_started"], a.accepted_on, start_days)
    if hardship and a.stage == Stage.INVESTIGATING:
        add("opinion", STEPS["opinion"], a.accepted_on, start_days)
    if (
        not hardship
        and a.matching_requested_on
        and not a.matching_result_on
        and a.stage == Stage.INVESTIGATING
    ):
        add(
            "matching_result",
            STEPS["matching_result"],
            a.matching_requested_on,
            procedure_values["matching_start_days"],
        )
    if hardship and a.stage == Stage.OBJECTION and a.objection_on:
        add("opinion", STEPS["opinion"], a.objection_on, procedure_values["reinvestigation_days"])
    if a.stage == Stage.NOTICE and a.notice_to:
        out.append(rules.Due("to_county", str(STEPS["to_county"]), a.notice_to, False))
    if a.stage == Stage.COUNTY and a.county_received_on:
        add(
            "decided",
            STEPS["decided"],
            a.county_received_on,
            procedure_values["county_decision_days"],
        )
    if a.stage in (Stage.APPROVED, Stage.REFUSED) and a.decided_on and not a.notified_on:
        add("notified", STEPS["notified"], a.decided_on, procedure_values["notify_days"])
    if a.stage in (
        Stage.ACCEPTED,
        Stage.INVESTIGATING,
        Stage.NOTICE,
        Stage.OBJECTION,
        Stage.COUNTY,
    ):
        limit = rules.total_limit(procedure_values, bool(a.extension_reason)) if not hardship else 0
        if limit:
            add("total", _("全程办结"), a.accepted_on, limit)
    return out
