"""The rules of Dibao and special hardship as pure functions: no ORM, every number from a rule
set (`rulesets`) or a county's standard, passed in. Services call them and store the version.

Deadlines count working days on the statutory calendar (`core.workdays`): a start that lands in
a year with no calendar entered gives an *estimated* deadline (weekends only), shown as such.
A public notice runs in calendar days (公示 7 天: the notice's first day counts as day 1).
Money is Decimal throughout.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from shegong.core.workdays import (
    Deadline,
    WorkCalendar,
    add_working_days_or_estimate,
    working_days_between,
)

from .rulesets import EVERY_CASE, ROUND_FEN, ROUND_JIAO, ROUND_YUAN

CENT = Decimal("0.01")
ZERO = Decimal("0")
MONTHS_IN_YEAR = Decimal(12)

# --- deadlines -------------------------------------------------------------------------------


def due(start: datetime.date, days: int, cal: WorkCalendar) -> Deadline:
    """`days` working days after `start` (the day itself not counted)."""
    return add_working_days_or_estimate(start, days, cal)


def notice_last_day(first: datetime.date, days: int) -> datetime.date:
    """The last day of a public notice of `days` calendar days starting on `first`."""
    return first + datetime.timedelta(days=days - 1)


def notice_problems(first: datetime.date, last: datetime.date, days: int) -> list[str]:
    """Why a notice from `first` to `last` is shorter than the rule's `days` (or backwards)."""
    if last < first:
        return [_("公示结束日期不能早于开始日期。")]
    if (last - first).days + 1 < days:
        return [
            _("公示期不少于 %(days)d 天:%(first)s 起至少公示到 %(last)s。")
            % {
                "days": days,
                "first": first.isoformat(),
                "last": notice_last_day(first, days).isoformat(),
            }
        ]
    return []


def total_limit(rules: Mapping[str, Any], extended: bool) -> int:
    """The working days the whole procedure may take (0: no limit under this version)."""
    return int(rules["extended_days"] if extended else rules["total_days"])


def working_days_taken(start: datetime.date, end: datetime.date, cal: WorkCalendar) -> int:
    return working_days_between(start, end, cal)


@dataclass(frozen=True)
class Due:
    """One deadline of an open application: what is due, by when, whether estimated."""

    step: str
    label: str
    by: datetime.date
    estimated: bool

    def state(self, today: datetime.date, soon_days: int = 2) -> str:
        if today > self.by:
            return "overdue"
        if (self.by - today).days <= soon_days:
            return "soon"
        return "ok"


# --- democratic review ------------------------------------------------------------------------


def review_required(rules: Mapping[str, Any], *, objection: bool, county_every_case: bool) -> bool:
    """Whether a democratic review must be held before the county decides."""
    return EVERY_CASE in rules["democratic_review"] or county_every_case or objection


def review_count_problems(members: int, present: int, in_favour: int, against: int) -> dict:
    """{field: message} for counts that cannot be (nothing is valid with them)."""
    problems: dict[str, str] = {}
    if members < 1:
        problems["members"] = _("评议小组成员数至少为 1。")
    if present > members:
        problems["present"] = _("到会人数(%(present)d)不能多于评议小组成员数(%(members)d)。") % {
            "present": present,
            "members": members,
        }
    if in_favour + against > present:
        problems["in_favour"] = _(
            "同意票与不同意票之和(%(votes)d)不能多于到会人数(%(present)d)。"
        ) % {"votes": in_favour + against, "present": present}
    return problems


def review_outcome(
    rules: Mapping[str, Any], members: int, present: int, in_favour: int
) -> tuple[bool, bool]:
    """(valid, passed): valid with at least quorum_num/quorum_den of members present, passed
    with at least pass_num/pass_den of those present in favour. Integer arithmetic: exactly
    2/3 counts."""
    valid = present * rules["quorum_den"] >= members * rules["quorum_num"] and present > 0
    passed = valid and in_favour * rules["pass_den"] >= present * rules["pass_num"]
    return valid, passed


# --- income and amounts -----------------------------------------------------------------------


def monthly_per_person(
    incomes: Iterable[tuple[str, Decimal]],
    deductions: Iterable[Decimal],
    members: int,
    excluded_sources: frozenset[str],
) -> Decimal:
    """Per-person monthly income of the co-resident household: counted yearly income less rigid
    costs (never below zero), over 12 months and the members counted. Unrounded."""
    if members < 1:
        raise ValueError("no member counted")
    counted = sum((amount for source, amount in incomes if source not in excluded_sources), ZERO)
    net = max(counted - sum(deductions, ZERO), ZERO)
    return net / MONTHS_IN_YEAR / members


_QUANTUM = {ROUND_FEN: CENT, ROUND_JIAO: Decimal("0.1"), ROUND_YUAN: Decimal("1")}


def rounded(amount: Decimal, rounding: Sequence[str]) -> Decimal:
    """An amount rounded half up as the rule says (to the fen, jiao or yuan), with two places."""
    quantum = _QUANTUM[rounding[0]] if rounding else CENT
    return amount.quantize(quantum, rounding=ROUND_HALF_UP).quantize(CENT)


def gap_amount(standard: Decimal, per_person: Decimal, members: int) -> Decimal:
    """(standard − per-person income) × members, never negative; unrounded."""
    return max(standard - per_person, ZERO) * members


def band_amount(bands: Sequence[Mapping[str, Any]], per_person: Decimal, members: int) -> Decimal:
    """The per-person amount of the first band whose `below` the per-person income is under,
    × members; nothing when the income is above every band."""
    for band in sorted(bands, key=lambda b: Decimal(str(b["below"]))):
        if per_person < Decimal(str(band["below"])):
            return Decimal(str(band["amount"])) * members
    return ZERO


def band_problems(bands: Any, standard: Decimal | None = None) -> list[str]:
    """Why a county's bands cannot be used (each band: below > 0, amount ≥ 0, distinct)."""
    if not isinstance(bands, list) or not bands:
        return [_("分档标准至少需要一档。")]
    seen: set[Decimal] = set()
    problems = []
    for n, band in enumerate(bands, start=1):
        try:
            below, amount = Decimal(str(band["below"])), Decimal(str(band["amount"]))
        except Exception:
            problems.append(_("第 %(n)d 档的格式不正确。") % {"n": n})
            continue
        if not below.is_finite() or below <= 0 or not amount.is_finite() or amount < 0:
            problems.append(_("第 %(n)d 档的收入上限须大于 0,金额不能为负。") % {"n": n})
        elif below in seen:
            problems.append(_("第 %(n)d 档的收入上限与前面的档重复。") % {"n": n})
        elif standard is not None and below > standard:
            problems.append(
                _("第 %(n)d 档的收入上限(%(below)s)高于低保标准(%(standard)s)。")
                % {"n": n, "below": below, "standard": standard}
            )
        seen.add(below)
    return problems


def household_amount(
    *,
    method: str,
    standard: Decimal,
    per_person: Decimal,
    members: int,
    bands: Sequence[Mapping[str, Any]] = (),
    rounding: Sequence[str] = (ROUND_FEN,),
) -> Decimal:
    """The household's monthly Dibao: by the gap rule or by the county's bands, rounded."""
    raw = (
        band_amount(bands, per_person, members)
        if method == "bands"
        else gap_amount(standard, per_person, members)
    )
    return rounded(raw, rounding)


def eligible_by_income(per_person: Decimal, standard: Decimal) -> bool:
    """Below the standard (equal is not below)."""
    return per_person < standard


def near_poor(per_person: Decimal, standard: Decimal, factor: Decimal) -> bool:
    """At or above the standard but below factor × standard (低保边缘家庭)."""
    return standard <= per_person < standard * factor


def payment_start(decided_on: datetime.date) -> datetime.date:
    """Payment starts the month after the decision (first day of that month)."""
    first = decided_on.replace(day=1)
    return (first + datetime.timedelta(days=32)).replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day where it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


# --- special hardship -------------------------------------------------------------------------


def care_tier(items: Sequence[bool], rules: Mapping[str, Any]) -> str:
    """The care tier from the six-item self-care check (True = manages alone): all six → self
    care; failing `partial_from_failed`..`full_from_failed`−1 → partial; failing
    `full_from_failed` or more → full."""
    if len(items) != 6:
        raise ValueError("six items")
    failed = sum(1 for ok in items if not ok)
    if failed >= rules["full_from_failed"]:
        return "full"
    if failed >= rules["partial_from_failed"]:
        return "partial"
    return "self"


def age_on(birth: datetime.date, on: datetime.date) -> int:
    """Full years on `on` (a birthday later in the year has not come yet)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class HardshipFacts:
    birth: datetime.date
    disability_kind: str  # "", physical, visual, intellectual, mental, hearing, speech
    disability_grade: int | None
    per_person: Decimal
    standard: Decimal
    assets_within_limit: bool
    supporter_able: bool  # someone legally obliged and able to support them


def unable_to_work(facts: HardshipFacts, on: datetime.date, rules: Mapping[str, Any]) -> bool:
    age = age_on(facts.birth, on)
    if age >= rules["elderly_from"] or age < rules["child_under"]:
        return True
    grade = facts.disability_grade
    if grade is None:
        return False
    limits = {
        "intellectual": rules["intellectual_grade_max"],
        "mental": rules["intellectual_grade_max"],
        "physical": rules["physical_grade_max"],
        "visual": rules["visual_grade_max"],
    }
    limit = limits.get(facts.disability_kind)
    return limit is not None and grade <= limit


def hardship_problems(
    facts: HardshipFacts, on: datetime.date, rules: Mapping[str, Any]
) -> list[str]:
    """The conditions of special hardship a person does not meet (all three are needed)."""
    problems = []
    if not unable_to_work(facts, on, rules):
        problems.append(
            _(
                "不符合“无劳动能力”:须年满 %(old)d 周岁或未满 %(young)d 周岁,或为 %(mental)d 级以上"
                "智力、精神残疾,%(physical)d 级以上肢体残疾,%(visual)d 级视力残疾。"
            )
            % {
                "old": rules["elderly_from"],
                "young": rules["child_under"],
                "mental": rules["intellectual_grade_max"],
                "physical": rules["physical_grade_max"],
                "visual": rules["visual_grade_max"],
            }
        )
    if not (facts.per_person < facts.standard and facts.assets_within_limit):
        problems.append(_("不符合“无生活来源”:收入须低于当地低保标准,且财产符合当地规定。"))
    if facts.supporter_able:
        problems.append(_("不符合“无法定赡养、抚养、扶养义务人或其无履行能力”。"))
    return problems


def hardship_basic_problems(basic: Decimal, dibao: Decimal, factor: Decimal) -> list[str]:
    if basic < dibao * factor:
        return [
            _("特困人员基本生活标准不得低于低保标准的 %(factor)s 倍(至少 %(min)s 元)。")
            % {"factor": factor, "min": rounded(dibao * factor, (ROUND_FEN,))}
        ]
    return []


def hardship_support_ends(
    birth: datetime.date, rules: Mapping[str, Any], in_school: bool
) -> datetime.date | None:
    """A minor's support runs to their `minor_until` birthday unless they are in school; None
    for others (no age end)."""
    if in_school:
        return None
    year = birth.year + rules["minor_until"]
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February
        return datetime.date(year, 3, 1)


# --- review schedule and dynamic management --------------------------------------------------


_SCHEDULE_FIELD = {
    "stable": "stable_months",
    "irregular": "irregular_months",
    "a": "a_months",
    "b": "b_months",
    "c_town": "c_town_months",
    "c_village": "c_village_months",
}


def review_interval(schedule: str, rules: Mapping[str, Any]) -> int:
    return int(rules[_SCHEDULE_FIELD[schedule]])


def next_review(on: datetime.date, schedule: str, rules: Mapping[str, Any]) -> datetime.date:
    return add_months(on, review_interval(schedule, rules))


def default_schedule(*, irregular_income: bool, able_members: bool, abc: bool, town: bool) -> str:
    """The schedule a decision starts with: under the 2021 rules, every 6 months for irregular
    income with members able to work, else yearly; under A/B/C, C for those (quarterly in towns,
    six-monthly in villages), A when no one can work, B otherwise."""
    if abc:
        if irregular_income and able_members:
            return "c_town" if town else "c_village"
        return "b" if able_members else "a"
    return "irregular" if irregular_income and able_members else "stable"


def refusals_in_a_row(history: Sequence[bool]) -> int:
    """Refusals since the last accepted offer (history in date order, True = refused)."""
    count = 0
    for refused in reversed(history):
        if not refused:
            break
        count += 1
    return count


def share_stops(history: Sequence[bool], rules: Mapping[str, Any]) -> bool:
    return refusals_in_a_row(history) >= rules["job_refusal_limit"]


# --- random choices the system makes -----------------------------------------------------------


def spot_check_chosen(percent: int, rng: random.Random) -> bool:
    """Whether a case is chosen for a county home check at `percent` %: drawn by the system."""
    if percent <= 0:
        return False
    if percent >= 100:
        return True
    return rng.randrange(100) < percent


def sample(
    items: Sequence[Any], strata: Mapping[Any, str], percent: int, rng: random.Random
) -> list[Any]:
    """A stratified random sample: from each stratum, ceil(percent % of its items), at least one
    where percent > 0. `strata` maps each item to its stratum."""
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(strata[item], []).append(item)
    chosen: list[Any] = []
    for key in sorted(groups):
        group = groups[key]
        n = min(len(group), max(1, -(-len(group) * percent // 100))) if percent > 0 else 0
        chosen.extend(rng.sample(group, n))
    return chosen
