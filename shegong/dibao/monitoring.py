"""The findings of the daily monitoring run as pure functions of plain facts: no ORM, every
threshold from the `dibao_monitoring` rule set (and `dibao_review`, `hardship_procedure`),
passed in. Each answers the finding's detail (what a township officer reads), or None when the
rule does not find anything. `services.monitoring.monitor_run` selects, set-based, the rows a
rule could find something on and asks these functions for the answer.

What each rule compares:

- review_overdue: the award's next review date is more than `review_grace_days` before the
  run day.
- income_above: the registry household's net income per person (yearly, as the registry keeps
  it) at or above `income_factor` × the county's yearly standard in force on the run day for the
  award's area. The registry is what changes between reviews; the decision's own figures are in
  the snapshot and stay as decided.
- member_working: a member counted at the decision who works now (a work status in
  `working_statuses`, or `months_away_min` months away or more) and did not then: the
  snapshot's own work status of the member where it holds one; for snapshots written without it,
  no wage income recorded for the member in the snapshot.
- size_changed: the registry household's member count differs from the size the township last
  recorded: the latest review's (a review keeps the registry's member count), else the number
  of members the decision's snapshot lists.
- member_gone: a member the decision listed who is no longer in the household (moved out or
  removed from the registry), unless the latest review's household already leaves them out.
- assets_flagged: the data matching of the application flagged assets above the limit.
- hardship_condition: a special-hardship person who no longer meets the "unable to work"
  condition: aged `child_under` or more (and `minor_until` or more: minors keep support until
  then), under `elderly_from`, not in school, and without a qualifying disability.
- near_poor: a registry household not receiving Dibao or support whose income is below
  `near_poor_factor` × the standard (rural, the registry's households being rural).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import rules
from .rulesets import (
    R_ASSETS_FLAGGED,
    R_HARDSHIP_CONDITION,
    R_INCOME_ABOVE,
    R_MEMBER_GONE,
    R_MEMBER_WORKING,
    R_NEAR_POOR,
    R_REVIEW_OVERDUE,
    R_SIZE_CHANGED,
)

RULE_LABELS: dict[str, Any] = {
    R_REVIEW_OVERDUE: gettext_lazy("复核逾期"),
    R_INCOME_ABOVE: gettext_lazy("人均收入达到低保标准"),
    R_MEMBER_WORKING: gettext_lazy("家庭成员新就业或外出务工"),
    R_SIZE_CHANGED: gettext_lazy("家庭人口变化"),
    R_MEMBER_GONE: gettext_lazy("家庭成员死亡或迁出"),
    R_ASSETS_FLAGGED: gettext_lazy("信息核对发现财产线索"),
    R_HARDSHIP_CONDITION: gettext_lazy("特困人员不再符合认定条件"),
    R_NEAR_POOR: gettext_lazy("低保边缘家庭未纳入保障"),
}

NOT_WORKING = ("", "none")
NOT_IN_SCHOOL = ("", "none")
DETAIL_MAX = 300


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str  # "" or a person's id
    detail: str


def _cut(text: str) -> str:
    return text if len(text) <= DETAIL_MAX else text[: DETAIL_MAX - 1] + "…"


def _money(value: Decimal) -> str:
    return str(rules.rounded(value, ("fen",)))


def review_overdue(
    next_review_on: datetime.date, on: datetime.date, values: Mapping[str, Any]
) -> str | None:
    """Overdue when the next review date is more than `review_grace_days` before `on`."""
    late = (on - next_review_on).days
    if late <= values["review_grace_days"]:
        return None
    return _("下次复核日期为 %(date)s,已逾期 %(days)d 天未复核。") % {
        "date": next_review_on.isoformat(),
        "days": late,
    }


def income_above(
    per_person_yearly: Decimal | None, standard_yearly: Decimal, values: Mapping[str, Any]
) -> str | None:
    """At or above `income_factor` × the standard (equal counts: not below the standard)."""
    if per_person_yearly is None:
        return None
    line = standard_yearly * values["income_factor"]
    if per_person_yearly < line:
        return None
    return _(
        "建档立卡登记的家庭年人均纯收入 %(income)s 元,达到或超过本县低保标准 %(standard)s 元/年。"
    ) % {"income": _money(per_person_yearly), "standard": _money(line)}


def working(status: str | None, months_away: int | None, values: Mapping[str, Any]) -> bool:
    """Working in the rule's sense: a work status it lists, or enough months away."""
    if (status or "") in values["working_statuses"]:
        return True
    return months_away is not None and months_away >= values["months_away_min"]


def worked_at_decision(
    person_id: int, snapshot: Mapping[str, Any], values: Mapping[str, Any]
) -> bool:
    """Whether the snapshot shows the member working when the award was decided: its own work
    status of the member where it has one, else wage income recorded for the member."""
    for member in snapshot.get("members") or ():
        if member.get("person") == person_id and "work_status" in member:
            return working(member.get("work_status"), member.get("months_away"), values)
    return any(
        i.get("person") == person_id and i.get("source") == "wages"
        for i in snapshot.get("incomes") or ()
    )


def member_working(
    *,
    person_id: int,
    name: str,
    status: str | None,
    months_away: int | None,
    snapshot: Mapping[str, Any],
    values: Mapping[str, Any],
    status_label: str = "",
) -> str | None:
    if not working(status, months_away, values):
        return None
    if worked_at_decision(person_id, snapshot, values):
        return None
    shown = status_label or status or ""
    if months_away is not None and months_away >= values["months_away_min"]:
        return _cut(
            _("家庭成员 %(name)s 现登记为%(status)s,外出务工 %(months)d 个月,审批时未就业。")
            % {"name": name, "status": shown or _("务工"), "months": months_away}
        )
    return _cut(
        _("家庭成员 %(name)s 现登记为%(status)s,审批时未就业。") % {"name": name, "status": shown}
    )


def size_changed(now: int, decided: int) -> str | None:
    if now == decided:
        return None
    return _("建档立卡登记的家庭人口为 %(now)d 人,审批时为 %(then)d 人。") % {
        "now": now,
        "then": decided,
    }


def member_gone(
    *,
    name: str,
    now_household: int | None,
    award_household: int,
    person_id: int | None = None,
    reviewed_members: Collection[int] | None = None,
) -> str | None:
    """A member listed at the decision who is no longer in the household (or the registry),
    unless the latest review (`reviewed_members`: the persons it listed) already left them out."""
    if now_household == award_household:
        return None
    if reviewed_members is not None and person_id not in reviewed_members:
        return None
    if now_household is None:
        return _cut(
            _("审批时的家庭成员 %(name)s 已不在建档立卡登记中(死亡或注销)。") % {"name": name}
        )
    return _cut(_("审批时的家庭成员 %(name)s 已迁出本户(死亡或迁出)。") % {"name": name})


def assets_flagged(flagged: bool, findings: str = "") -> str | None:
    if not flagged:
        return None
    text = _("审批前的信息核对发现财产超标线索。")
    if findings.strip():
        text += _("核对结果:%(findings)s") % {"findings": findings.strip()}
    return _cut(text)


def hardship_condition(
    *,
    name: str,
    birth: datetime.date,
    disability_kind: str,
    disability_grade: int | None,
    in_school: str | None,
    on: datetime.date,
    values: Mapping[str, Any],
) -> str | None:
    """Whether a special-hardship person still meets "unable to work" on `on`: minors keep
    support until `minor_until`, longer while in school (`rules.hardship_support_ends`)."""
    age = rules.age_on(birth, on)
    if age < values["minor_until"] or (in_school or "") not in NOT_IN_SCHOOL:
        return None
    facts = rules.HardshipFacts(
        birth=birth,
        disability_kind=disability_kind or "",
        disability_grade=disability_grade,
        per_person=rules.ZERO,
        standard=rules.ZERO,
        assets_within_limit=True,
        supporter_able=False,
    )
    if rules.unable_to_work(facts, on, values):
        return None
    return _cut(
        _(
            "特困人员 %(name)s 已满 %(age)d 周岁,不在校,且不属于规定等级的残疾人,"
            "不再符合“无劳动能力”条件。"
        )
        % {"name": name, "age": age}
    )


def hardship_age_bounds(
    on: datetime.date, values: Mapping[str, Any]
) -> tuple[datetime.date, datetime.date]:
    """(born on or before, born after): a slightly wider birth-date range than the ages
    `hardship_condition` can find something at, for the run's selection."""
    youngest = max(values["child_under"], values["minor_until"])
    latest = rules.add_months(on, -12 * youngest) + datetime.timedelta(days=1)
    earliest = rules.add_months(on, -12 * values["elderly_from"]) - datetime.timedelta(days=1)
    return latest, earliest


def near_poor(
    per_person_yearly: Decimal | None, standard_yearly: Decimal, factor: Decimal
) -> str | None:
    """Below `factor` × the standard, not receiving Dibao or support."""
    if per_person_yearly is None or per_person_yearly >= standard_yearly * factor:
        return None
    if per_person_yearly < standard_yearly:
        return _(
            "家庭年人均纯收入 %(income)s 元,低于本县低保标准 %(standard)s 元/年,"
            "未享受低保或特困供养。"
        ) % {"income": _money(per_person_yearly), "standard": _money(standard_yearly)}
    return _(
        "家庭年人均纯收入 %(income)s 元,低于低保标准的 %(factor)s 倍(%(line)s 元/年),"
        "属低保边缘家庭,未纳入保障。"
    ) % {
        "income": _money(per_person_yearly),
        "factor": factor,
        "line": _money(standard_yearly * factor),
    }


def standards_in_force(
    rows: Iterable[tuple[str, str, datetime.date, Decimal]],
) -> dict[tuple[str, str], Decimal]:
    """{(county, area): yearly} of the latest row per county and area, from rows
    (county, area, valid_from, yearly) already limited to those in force by the day."""
    best: dict[tuple[str, str], tuple[datetime.date, Decimal]] = {}
    for county, area, valid_from, yearly in rows:
        key = (county, area)
        if key not in best or valid_from > best[key][0]:
            best[key] = (valid_from, yearly)
    return {key: yearly for key, (_from, yearly) in best.items()}
