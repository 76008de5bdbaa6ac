"""The exit rule (脱贫标准): pure functions over plain values, tested exhaustively.

Net income per person stably above the year's poverty line, and 两不愁三保障 (food and
clothing secure; compulsory schooling, basic medical care and safe housing assured), after the
steps in order: village review → township verification → the household agrees → public notice
with no objection → announcement.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

# Rule table, versioned: the notice period is local practice and may change.
EXIT_RULES = {"version": "豫 2016", "notice_days": 7}


@dataclass(frozen=True)
class ExitChecks:
    net_income_per_person: Decimal
    food_clothing_secure: bool
    schooling_assured: bool
    medical_assured: bool
    housing_assured: bool
    village_review_date: datetime.date
    verification_date: datetime.date
    household_agreed: bool
    notice_start: datetime.date
    notice_end: datetime.date
    objections: str
    announced_date: datetime.date

    def as_fields(self) -> dict:
        return asdict(self)


def exit_problems(
    checks: ExitChecks,
    poverty_line: Decimal,
    *,
    today: datetime.date | None = None,
    notice_days: int = EXIT_RULES["notice_days"],  # type: ignore[assignment]
) -> list[str]:
    """Every reason the household cannot yet be marked out of poverty; [] when it can."""
    today = today or datetime.date.today()
    problems = []
    if checks.net_income_per_person <= poverty_line:
        problems.append(
            _("家庭年人均纯收入 %(income)s 元未超过当年贫困线 %(line)s 元。")
            % {"income": checks.net_income_per_person, "line": poverty_line}
        )
    for flag, label in (
        (checks.food_clothing_secure, _("不愁吃、不愁穿")),
        (checks.schooling_assured, _("义务教育有保障")),
        (checks.medical_assured, _("基本医疗有保障")),
        (checks.housing_assured, _("住房安全有保障")),
    ):
        if not flag:
            problems.append(_("“%(item)s”尚未达到。") % {"item": label})
    steps = [
        (checks.village_review_date, _("村民主评议")),
        (checks.verification_date, _("乡镇核实")),
        (checks.notice_start, _("公示开始")),
        (checks.notice_end, _("公示结束")),
        (checks.announced_date, _("公告")),
    ]
    for (earlier, first), (later, second) in zip(steps, steps[1:], strict=False):
        if later < earlier:
            problems.append(
                _("“%(second)s”日期不能早于“%(first)s”。") % {"first": first, "second": second}
            )
    if (checks.notice_end - checks.notice_start).days + 1 < notice_days:
        problems.append(_("公示期不少于 %(days)s 天。") % {"days": notice_days})
    if not checks.household_agreed:
        problems.append(_("贫困户尚未认可脱贫结果。"))
    if checks.objections.strip():
        problems.append(_("公示期间有异议,须核实处理后再脱贫。"))
    if checks.announced_date > today:
        problems.append(_("公告日期不能晚于今天。"))
    return problems


# Who counts as away, and the age limits of the three left-behind groups (三留守).
LEFT_BEHIND_RULES: dict[str, Any] = {
    "version": "国发〔2016〕13号",
    "away_statuses": ("county", "province", "out_of_province"),
    "away_months": 6,
    "child_under": 16,
    "elderly_from": 60,
}


@dataclass(frozen=True)
class MemberFacts:
    key: int
    relation: str
    sex: str
    birth_date: datetime.date
    work_status: str
    months_away: int | None
    labour: str


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def derive_left_behind(members: list[MemberFacts], today: datetime.date) -> dict[int, str]:
    """Suggested left-behind group per member: 'child', 'woman', 'elderly' or ''.

    Someone is away when working outside the township for at least six months. Children under
    16 are left behind when every working-age adult of the household is away, or when one is
    away and the only other has lost labour capacity (cannot act as guardian). A woman is left
    behind when her spouse (or the head, for a spouse) is away and she is not. Elderly people
    (60+) who are not away are left behind when all their working-age children are away.
    A worker confirms every suggestion; nothing here is final.
    """
    rules = LEFT_BEHIND_RULES

    def away(m: MemberFacts) -> bool:
        return (
            m.work_status in rules["away_statuses"] and (m.months_away or 0) >= rules["away_months"]
        )

    ages = {m.key: _age(m.birth_date, today) for m in members}
    adults = [m for m in members if 16 <= ages[m.key] < rules["elderly_from"]]  # type: ignore[operator]
    adults_away = [m for m in adults if away(m)]
    home_adults = [m for m in adults if not away(m)]
    nobody_to_guard = bool(adults_away) and all(m.labour in ("lost",) for m in home_adults)
    result: dict[int, str] = {}
    for m in members:
        group = ""
        age = ages[m.key]
        if age < rules["child_under"] and nobody_to_guard:  # type: ignore[operator]
            group = "child"
        elif age >= rules["elderly_from"] and not away(m) and adults and not home_adults:
            group = "elderly"
        elif (
            m.sex == "female"
            and 16 <= age < rules["elderly_from"]  # type: ignore[operator]
            and not away(m)
            and m.relation in ("head", "spouse")
            and any(a.relation in ("head", "spouse") and a.key != m.key for a in adults_away)
        ):
            group = "woman"
        result[m.key] = group
    return result
