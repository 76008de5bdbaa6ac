"""Registry rules as pure functions over plain values and the rule set in force (no ORM).

The exit rule (脱贫标准) and the three left-behind groups (三留守); their numbers come from the
`poverty_exit` and `left_behind` rule sets (`registry.rulesets`), passed in by the services.

The exit rule:

Net income per person stably above the year's poverty line, and 两不愁三保障 (food and
clothing secure; compulsory schooling, basic medical care and safe housing assured), after the
steps in order: village review → township verification → the household agrees → public notice
with no objection → announcement.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _


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


def poverty_line_for(rules: Mapping[str, Any], year: int) -> Decimal | None:
    """The line of `year` in a `poverty_exit` rule set; None when that year has none entered.

    Never the line of an earlier year: lines rise every year, so borrowing one lets a household
    out below the real line (a 2018 exit passed at 3,000 yuan against 2016's 2,952)."""
    return rules["poverty_lines"].get(year)


def exit_problems(
    checks: ExitChecks,
    poverty_line: Decimal,
    *,
    notice_days: int,
    today: datetime.date | None = None,
) -> list[str]:
    """Every reason the household cannot yet be marked out of poverty; [] when it can.
    `notice_days` comes from the `poverty_exit` rule set in force."""
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


# --- the three left-behind groups (三留守) -----------------------------------------------------
#
# Who is related how is read from each member's relation to the head of household (户主), the
# only kinship the registry records. Written out so a reader can check every line:
#
#   parents of a 之子 / 之女 ............ the 户主 and the 配偶
#   parents of the 户主 or a 兄弟姐妹 ..... the 之父 and the 之母
#   parents of a 之孙子 / 之孙女 ......... the one couple of the next generation: a 之儿媳 with
#                                        the 之子, or a 之女婿 with the 之女; when no in-law is
#                                        registered, the one 之子 or 之女. With several couples
#                                        (or both kinds of in-law) it is not known whose child
#                                        it is, and every 之子/之女/之儿媳/之女婿 is a possible
#                                        parent (see `_left_behind_child`).
#   children of the 户主 / 配偶 ........... the 之子 and the 之女
#   children of the 之父 / 之母 ........... the 户主 and the 兄弟姐妹
#   husband of the 配偶 / of the 户主 ..... the 户主 / the 配偶 (a man)
#   husband of a 之儿媳 / of a 之女 ....... a 之子 / a 之女婿
#   husband of the 之母 .................. the 之父
#
# Other relations (其他, a 之女婿 as a child, ...) name no parent, child or husband here.

PARENTS_OF: dict[str, tuple[str, ...]] = {
    "son": ("head", "spouse"),
    "daughter": ("head", "spouse"),
    "head": ("father", "mother"),
    "sibling": ("father", "mother"),
}
GRANDCHILDREN = ("grandson", "granddaughter")
CHILDREN_OF: dict[str, tuple[str, ...]] = {
    "head": ("son", "daughter"),
    "spouse": ("son", "daughter"),
    "father": ("head", "sibling"),
    "mother": ("head", "sibling"),
}
HUSBAND_OF: dict[str, tuple[str, ...]] = {
    "spouse": ("head",),
    "head": ("spouse",),
    "daughter_in_law": ("son",),
    "daughter": ("son_in_law",),
    "mother": ("father",),
}
# Unable to act as guardian: recorded as having no labour capacity of either kind (丧失劳动力 or
# 无劳动力), seriously ill, or severely disabled. Grades 1 and 2 are the severe ones in the
# national classification (GB/T 26341); they are a definition, not a local figure. A capacity
# not recorded (blank) is not taken as inability.
NO_LABOUR = ("lost", "none")
SEVERE_DISABILITY_GRADES = (1, 2)


@dataclass(frozen=True)
class MemberFacts:
    key: int
    relation: str
    sex: str
    birth_date: datetime.date
    work_status: str
    months_away: int | None
    labour: str
    health: str = "healthy"
    disability_grade: int | None = None


def age_on(birth: datetime.date, today: datetime.date) -> int:
    """Whole years: someone born on 10 October is 15 until the 10 October of their 16th year."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _is_away(m: MemberFacts, rules: Mapping[str, Any]) -> bool:
    return m.work_status in rules["away_statuses"] and (m.months_away or 0) >= rules["away_months"]


def _able_at_home(m: MemberFacts, rules: Mapping[str, Any]) -> bool:
    return (
        not _is_away(m, rules)
        and m.labour not in NO_LABOUR
        and m.health != "serious"
        and not (m.health == "disabled" and m.disability_grade in SEVERE_DISABILITY_GRADES)
    )


def _with(members: list[MemberFacts], relations: tuple[str, ...]) -> list[MemberFacts]:
    return [m for m in members if m.relation in relations]


def parents_of(child: MemberFacts, members: list[MemberFacts]) -> list[MemberFacts]:
    """The registered members who are (or, when it cannot be told, may be) the child's parents."""
    if child.relation in PARENTS_OF:
        return _with(members, PARENTS_OF[child.relation])
    if child.relation not in GRANDCHILDREN:
        return []
    sons, daughters = _with(members, ("son",)), _with(members, ("daughter",))
    in_laws_f, in_laws_m = _with(members, ("daughter_in_law",)), _with(members, ("son_in_law",))
    if len(in_laws_f) == 1 and not in_laws_m and len(sons) <= 1:
        return sons + in_laws_f
    if len(in_laws_m) == 1 and not in_laws_f and len(daughters) <= 1:
        return daughters + in_laws_m
    if not in_laws_f and not in_laws_m and len(sons) + len(daughters) == 1:
        return sons + daughters
    return sons + daughters + in_laws_f + in_laws_m


def _left_behind_child(
    child: MemberFacts, members: list[MemberFacts], rules: Mapping[str, Any]
) -> bool:
    """A parent works away and no parent is at home able to guard. Other relatives (an older
    sibling, an uncle, grandparents) do not change it. When the parents cannot be told apart
    (several couples), this holds only if it holds whoever the parents are."""
    parents = [p for p in parents_of(child, members) if p.key != child.key]
    return any(_is_away(p, rules) for p in parents) and not any(
        _able_at_home(p, rules) for p in parents
    )


def _all_away(relatives: list[MemberFacts], rules: Mapping[str, Any]) -> bool:
    return bool(relatives) and all(_is_away(r, rules) for r in relatives)


def derive_left_behind(
    members: list[MemberFacts], today: datetime.date, rules: Mapping[str, Any]
) -> dict[int, str]:
    """Suggested left-behind group per member: 'child', 'woman', 'elderly' or ''.

    `rules` is the `left_behind` rule set in force (who counts as away, the age limits).

    - child: under `child_under`, not away, a parent away and no parent at home able to guard;
    - elderly: `elderly_from` or older, not away, every registered child away;
    - woman: a wife or daughter-in-law (any woman past `child_under`) at home whose husband
      is away.

    One group per person, in that order. A worker confirms every suggestion; nothing here is
    final. The registry holds rural poor households, so every child here is rural-registered.
    """
    result: dict[int, str] = {}
    for m in members:
        age = age_on(m.birth_date, today)
        group = ""
        if _is_away(m, rules):
            pass
        elif age < rules["child_under"]:
            if _left_behind_child(m, members, rules):
                group = "child"
        elif age >= rules["elderly_from"] and _all_away(
            _with(members, CHILDREN_OF.get(m.relation, ())), rules
        ):
            group = "elderly"
        elif m.sex == "female" and _all_away(
            [h for h in _with(members, HUSBAND_OF.get(m.relation, ())) if h.sex == "male"], rules
        ):
            group = "woman"
        result[m.key] = group
    return result


# The changes a household page offers, each with its own route (`registry:household_<change>`).
HOUSEHOLD_CHANGES = (
    "member_add",
    "member_remove",
    "member_move",
    "head",
    "split",
    "exit",
    "relapse",
)


@dataclass(frozen=True)
class HouseholdFacts:
    """What decides which actions the household page offers."""

    poverty_status: str  # not_out, out, relapse_risk
    may_edit: bool = False  # the actor keeps the registry where the household lives
    may_reveal: bool = False  # the actor may read full ID numbers there


def household_actions(facts: HouseholdFacts) -> frozenset[str]:
    """The actions the household page offers: the changes of the registry (an exit only for a
    household not yet out, a relapse risk only for one not already marked) and revealing the
    members' full ID numbers."""
    out: set[str] = set()
    if facts.may_edit:
        out |= set(HOUSEHOLD_CHANGES)
        if facts.poverty_status == "out":
            out.discard("exit")
        if facts.poverty_status == "relapse_risk":
            out.discard("relapse")
    if facts.may_reveal:
        out.add("reveal")
    return frozenset(out)
