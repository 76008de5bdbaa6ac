"""Casework rules as pure functions: which stage may follow which, and what each stage needs;
how an assessment ranks needs; what a service record may say. No ORM here."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from shegong.core.workdays import Deadline, WorkCalendar, add_working_days_or_estimate

STAGES = ["intake", "assessment", "planning", "intervention", "evaluation", "closed"]

# Going back is allowed where the work really goes back: a plan revised during intervention or
# after an evaluation that found goals unmet, more intervention after an evaluation.
BACKWARD = {
    ("intervention", "planning"),
    ("evaluation", "intervention"),
    ("evaluation", "planning"),
}

SCORE_MIN, SCORE_MAX = 1, 5
MAX_SERVICE_MINUTES = 24 * 60
# What a referral waits for at each status: the rule-set value (`casework.rulesets`, kind
# "referral") that says how long, and how it counts. The institution's reply counts working
# days on the statutory calendar (an office answers on its working days); the service itself
# counts calendar days (people are served on any day).
REFERRAL_DEADLINES: dict[str, tuple[str, str]] = {
    "sent": ("reply_days", "working"),
    "accepted": ("service_days", "calendar"),
}
# The values seeded as rule-set version 1 (core/0008), for tests and property checks.
REFERRAL_REPLY_DAYS = 7
REFERRAL_SERVICE_DAYS = 30


@dataclass
class CaseFacts:
    """What the stage rules look at, gathered by the service from the database."""

    stage: str
    consent: bool = False
    initial_assessments: int = 0
    plan_status: str = ""  # "", draft, pending, approved
    plan_goals: int = 0
    plans_need_approval: bool = False
    services: int = 0
    evaluations: int = 0
    closure_reason: str = ""
    closure_note: str = ""


def stage_problems(facts: CaseFacts, target: str) -> list[str]:
    """Why the case may not move to `target` now; [] when it may."""
    current = facts.stage
    if target not in STAGES:
        return [_("未知的阶段。")]
    if current == "closed":
        return [_("个案已结案,如需继续服务请重新开案。")]
    if target == current:
        return [_("个案已处于该阶段。")]
    step = STAGES.index(target) - STAGES.index(current)
    if step < 0 and (current, target) not in BACKWARD:
        return [_("不能从“{a}”退回到“{b}”。").format(a=_label(current), b=_label(target))]
    if step > 1:
        return [
            _("不能跳过阶段:“{a}”之后应进入“{b}”。").format(
                a=_label(current), b=_label(STAGES[STAGES.index(current) + 1])
            )
        ]
    if step < 0:
        return []
    problems: list[str] = []
    if target == "assessment" and not facts.consent:
        problems.append(_("进入预估前须记录服务对象的知情同意。"))
    if target == "planning" and facts.initial_assessments == 0:
        problems.append(_("没有需求预估,不能制定服务计划。"))
    if target == "intervention":
        if facts.plan_goals == 0:
            problems.append(_("服务计划至少要有一个目标,才能进入介入阶段。"))
        if facts.plans_need_approval and facts.plan_status != "approved":
            problems.append(_("本机构要求服务计划经督导审批通过后才能进入介入阶段。"))
    if target == "evaluation" and facts.services == 0:
        problems.append(_("还没有任何服务记录,不能进入评估阶段。"))
    if target == "closed":
        if facts.evaluations == 0:
            problems.append(_("结案前须完成结案评估。"))
        if not facts.closure_reason:
            problems.append(_("请选择结案原因。"))
        elif facts.closure_reason == "other" and not facts.closure_note.strip():
            problems.append(_("结案原因为“其他”时须填写说明。"))
    return problems


def _label(stage: str) -> str:
    from .models import Stage

    return str(Stage(stage).label)


# --- assessment -------------------------------------------------------------------------------


def score_problems(
    domains: list[dict[str, Any]], scores: dict[str, Any], *, need_threshold: int
) -> dict[str, str]:
    """{domain code: problem} for every domain missing a score in 1–5 or evidence for a need
    (a score at or below `need_threshold`, from the `assessment` rule set)."""
    problems: dict[str, str] = {}
    for domain in domains:
        item = scores.get(domain["code"]) or {}
        score = item.get("score")
        if (
            not isinstance(score, int)
            or isinstance(score, bool)
            or not (SCORE_MIN <= score <= SCORE_MAX)
        ):
            problems[domain["code"]] = _("请为“{d}”评分(1-5分)。").format(d=domain["label"])
        elif score <= need_threshold and not str(item.get("evidence", "")).strip():
            problems[domain["code"]] = _("“{d}”存在困难,请填写依据。").format(d=domain["label"])
    unknown = set(scores) - {d["code"] for d in domains}
    for code in sorted(unknown):
        problems[code] = _("量表中没有“{d}”这一维度。").format(d=code)
    return problems


@dataclass(frozen=True)
class RankedNeed:
    code: str
    label: str
    score: int
    priority: int  # weight × distance below "good"; higher comes first
    services: tuple[str, ...]


def rank_needs(
    domains: list[dict[str, Any]], scores: dict[str, Any], *, need_threshold: int
) -> list[RankedNeed]:
    """Needs (domains at or below the threshold), most pressing first.

    Priority is the domain's weight times how far the score is below 5; ties go to the lower
    score, then to the instrument's order.
    """
    ranked = []
    for order, domain in enumerate(domains):
        score = (scores.get(domain["code"]) or {}).get("score")
        if not isinstance(score, int) or score > need_threshold:
            continue
        priority = int(domain.get("weight", 1)) * (SCORE_MAX - score)
        ranked.append(
            (
                -priority,
                score,
                order,
                RankedNeed(
                    domain["code"],
                    domain["label"],
                    score,
                    priority,
                    tuple(domain.get("services", ())),
                ),
            )
        )
    return [r[-1] for r in sorted(ranked, key=lambda r: r[:3])]


def suggested_services(needs: list[RankedNeed]) -> list[str]:
    """Service types in the order the ranked needs ask for them, each once."""
    seen: list[str] = []
    for need in needs:
        for service in need.services:
            if service not in seen:
                seen.append(service)
    return seen


def capability(scores: dict[str, Any]) -> Decimal | None:
    """The mean score (1–5) of an assessment, two decimals; None without scores."""
    values = [
        v["score"]
        for v in scores.values()
        if isinstance(v, dict) and isinstance(v.get("score"), int)
    ]
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def compare(
    domains: list[dict[str, Any]], before: dict[str, Any], after: dict[str, Any]
) -> list[dict[str, Any]]:
    """Per domain: label, score before, after and the change (for the re-assessment view)."""
    rows = []
    for domain in domains:
        b = (before.get(domain["code"]) or {}).get("score")
        a = (after.get(domain["code"]) or {}).get("score")
        change = a - b if isinstance(a, int) and isinstance(b, int) else None
        rows.append(
            {
                "code": domain["code"],
                "label": domain["label"],
                "before": b,
                "after": a,
                "change": change,
            }
        )
    return rows


# --- service records and dates ---------------------------------------------------------------


def service_problems(
    *,
    served_on: datetime.date,
    duration_minutes: int,
    today: datetime.date,
    opened_on: datetime.date,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if served_on > today:
        problems["served_on"] = _("服务日期不能晚于今天。")
    elif served_on < opened_on:
        problems["served_on"] = _("服务日期不能早于接案日期({d})。").format(d=opened_on)
    if duration_minutes <= 0:
        problems["duration_minutes"] = _("服务时长须大于0分钟。")
    elif duration_minutes > MAX_SERVICE_MINUTES:
        problems["duration_minutes"] = _("一次服务时长不能超过一天(1440分钟)。")
    return problems


def withdrawn_consent_problem(
    withdrawn_on: datetime.date | None, on: datetime.date, what: str
) -> str:
    """Why a service or referral dated `on` may not be recorded while consent is withdrawn;
    "" when it may. Work done before the withdrawal may still be written up late."""
    if withdrawn_on is None or on < withdrawn_on:
        return ""
    if what == "referral":
        return _("服务对象已于 {d} 撤回同意,重新取得同意前不能转介。").format(d=withdrawn_on)
    return _("服务对象已于 {d} 撤回同意,重新取得同意前不能记录新的服务。").format(d=withdrawn_on)


REFERRAL_NEXT = {
    "sent": {"accepted", "declined", "cancelled"},
    "accepted": {"served", "cancelled"},
    "declined": set(),
    "served": set(),
    "cancelled": set(),
    "handed_over": set(),
}


def referral_due(
    status: str, on: datetime.date, cal: WorkCalendar, days: Mapping[str, Any] | None = None
) -> Deadline | None:
    """When the next step of a referral falls due, counted from the day it reached `status`;
    `days` holds the rule-set values in force (`reply_days`, `service_days`).

    Working days are counted on the statutory calendar; where the count enters a year whose
    calendar is not entered yet, those days count Monday to Friday and the result says which
    year was estimated, so the page can show it rather than pretend."""
    rule = REFERRAL_DEADLINES.get(status)
    if rule is None:
        return None
    days = days or {"reply_days": REFERRAL_REPLY_DAYS, "service_days": REFERRAL_SERVICE_DAYS}
    key, unit = rule
    count = int(days[key])
    if unit == "working":
        return add_working_days_or_estimate(on, count, cal)
    return Deadline(on + datetime.timedelta(days=count))


# --- closure with open work -----------------------------------------------------------------

# What may become of work still open when a case closes: done (a referral: served), cancelled,
# or handed over to someone outside the case. Each needs a note saying what happened or why.
CLOSURE_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("task", "open"): ("done", "cancel", "hand_over"),
    ("referral", "sent"): ("cancel", "hand_over"),
    ("referral", "accepted"): ("done", "cancel", "hand_over"),
}


@dataclass(frozen=True)
class OpenItem:
    """A task or referral still open on a case; `key` names it in forms and errors."""

    kind: str  # task, referral
    pk: int
    status: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}_{self.pk}"

    @property
    def choices(self) -> tuple[str, ...]:
        return CLOSURE_CHOICES.get((self.kind, self.status), ())


def closure_item_problems(
    items: list[OpenItem], resolutions: dict[str, tuple[str, str]]
) -> dict[str, str]:
    """{key: problem} for every open item without a valid choice and note, and for every
    resolution naming an item that is not open (the page was out of date)."""
    problems: dict[str, str] = {}
    keys = {item.key for item in items}
    for item in items:
        choice, note = resolutions.get(item.key, ("", ""))
        if not choice:
            problems[item.key] = _("“{i}”尚未完成:请选择完成、取消或移交。").format(i=item.label)
        elif choice not in item.choices:
            problems[item.key] = _("“{i}”不能这样处理,请重新选择。").format(i=item.label)
        elif not (note or "").strip():
            problems[f"{item.key}_note"] = _("请说明“{i}”的完成情况、取消或移交的原因。").format(
                i=item.label
            )
    for key in sorted(set(resolutions) - keys):
        problems[key] = _("该事项已不在未完成之列,请刷新页面。")
    return problems


@dataclass(frozen=True)
class ActionFacts:
    """What decides which actions the case page offers: who the actor is to the case, and the
    state of its plan, consent and closure."""

    work: bool = False  # the actor works the case
    approve: bool = False  # the actor supervises it
    assign: bool = False  # the actor assigns cases in its region
    plan_status: str = ""  # "", draft, pending, approved
    plans_need_approval: bool = False
    has_first_assessment: bool = False
    consent: bool = False
    consent_withdrawn: bool = False
    closure_pending: bool = False


# Every action of the case page; each has its own route (`casework:case_<action>`).
CASE_ACTIONS = frozenset(
    {
        "edit",
        "move",
        "assess",
        "plan_start",
        "plan",
        "goal",
        "task",
        "plan_submit",
        "plan_review",
        "service",
        "referral",
        "referral_update",
        "follow_up",
        "follow_up_done",
        "evaluation",
        "close",
        "consent_withdraw",
        "consent_regain",
        "closure_review",
        "reopen",
        "transfer",
        "note",
    }
)


def _work_actions(stage: str, f: ActionFacts) -> set[str]:
    """What the case's worker may do at this stage."""
    open_case = stage != "closed"
    out = {"follow_up_done"}
    if open_case:
        out |= {"move", "follow_up", "referral", "referral_update", "note"}
    if stage == "intake":
        out.add("edit")
    if stage == "assessment" or (stage == "evaluation" and f.has_first_assessment):
        out.add("assess")
    if stage in ("planning", "intervention"):
        if stage == "planning" and f.plan_status in ("", "approved"):
            out.add("plan_start")
        if f.plan_status and f.plan_status != "pending":
            out |= {"plan", "goal", "task"}
        if f.plan_status == "draft" and f.plans_need_approval:
            out.add("plan_submit")
    if stage not in ("intake", "closed"):
        out.add("service")
    if open_case and f.consent_withdrawn:
        # No new services or referrals until consent is given again.
        out -= {"service", "referral"}
        out.add("consent_regain")
    elif open_case and f.consent:
        out.add("consent_withdraw")
    if stage == "evaluation":
        out.add("evaluation")
        if not f.closure_pending:
            out.add("close")
    return out


def case_actions(stage: str, facts: ActionFacts) -> frozenset[str]:
    """The actions the case page offers this actor on a case at `stage` (the services check
    each again when it is posted)."""
    out: set[str] = _work_actions(stage, facts) if facts.work else set()
    if facts.approve:
        out.add("note")
        if facts.plan_status == "pending":
            out.add("plan_review")
        if facts.closure_pending:
            out.add("closure_review")
    if facts.work or facts.assign:
        out.add("reopen" if stage == "closed" else "transfer")
    return frozenset(out)
