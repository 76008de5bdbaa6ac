"""Every numbered rule of `dibao.rules`, as tables: each threshold from both sides.

The rule values are the seeded ones (migration `dibao/0002`: the 2021 measures, special hardship,
review); the working-day calendar is the statutory one the database is seeded from
(chinese-calendar), built here as a `WorkCalendar` so the tables stay pure.
"""

from __future__ import annotations

import datetime
import importlib
import math
import random
from decimal import Decimal

import pytest

from shegong.core.workdays import WorkCalendar, seed_exceptions_from_chinese_calendar

from .. import rules

SEED = importlib.import_module("shegong.dibao.migrations.0002_seed_rule_sets")
PROCEDURE_2012 = SEED.PROCEDURE_2012
PROCEDURE_2021 = SEED.PROCEDURE_2021
HARDSHIP = SEED.HARDSHIP_2021
REVIEW = SEED.REVIEW

D = datetime.date
M = Decimal


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    years, exceptions = seed_exceptions_from_chinese_calendar()
    assert {2021, 2025, 2026} <= set(years) and 2027 not in years
    return WorkCalendar.from_named_exceptions(years, exceptions)


# --- deadlines in working days ------------------------------------------------------------------

# 2026: the Spring Festival holiday runs Sun 15 – Mon 23 February; Saturdays 14 and 28 February
# are make-up working days. 2025: holiday Tue 28 January – Tue 4 February; Sunday 26 January and
# Saturday 8 February are working days.
FESTIVAL = [
    # start, working days, due
    (D(2026, 2, 12), 1, D(2026, 2, 13)),  # Thursday → Friday
    (D(2026, 2, 12), 2, D(2026, 2, 14)),  # the make-up Saturday counts
    (D(2026, 2, 12), 3, D(2026, 2, 24)),  # then nothing until the day after the holiday
    (D(2026, 2, 13), 3, D(2026, 2, 25)),
    (D(2026, 2, 14), 3, D(2026, 2, 26)),  # from the make-up Saturday itself (not counted)
    (D(2026, 2, 15), 1, D(2026, 2, 24)),  # accepted on a holiday
    (D(2026, 2, 12), 10, D(2026, 3, 4)),  # the second make-up Saturday (28 Feb) counts too
    (D(2026, 2, 27), 1, D(2026, 2, 28)),
    (D(2026, 2, 27), 2, D(2026, 3, 2)),
    (D(2026, 2, 2), 30, D(2026, 3, 20)),  # the whole procedure across the festival
    (D(2025, 1, 24), 1, D(2025, 1, 26)),  # a make-up Sunday
    (D(2025, 1, 24), 3, D(2025, 2, 5)),
    (D(2025, 2, 5), 3, D(2025, 2, 8)),  # a make-up Saturday
    (D(2026, 11, 2), 30, D(2026, 12, 14)),  # no holiday in between: six weeks
]


@pytest.mark.parametrize(("start", "n", "expected"), FESTIVAL)
def test_a_deadline_counts_working_days_on_the_statutory_calendar(cal, start, n, expected):
    deadline = rules.due(start, n, cal)
    assert deadline.due == expected
    assert deadline.estimated_year is None
    assert rules.working_days_taken(start, expected, cal) == n
    assert rules.working_days_taken(start, expected - datetime.timedelta(days=1), cal) < n


@pytest.mark.parametrize(
    ("start", "n", "expected", "estimated"),
    [
        # 2027 has no calendar yet: Monday to Friday, shown as an estimate (1 January 2027 is
        # really a holiday: the estimate is a day early, which is why it must say so).
        (D(2026, 12, 28), 5, D(2027, 1, 4), 2027),
        (D(2026, 12, 30), 1, D(2026, 12, 31), None),
        (D(2026, 12, 31), 1, D(2027, 1, 1), 2027),
        (D(2027, 3, 5), 1, D(2027, 3, 8), 2027),
    ],
)
def test_a_deadline_in_a_year_with_no_calendar_is_estimated(cal, start, n, expected, estimated):
    deadline = rules.due(start, n, cal)
    assert deadline.due == expected
    assert deadline.estimated_year == estimated


@pytest.mark.django_db
def test_the_test_database_holds_the_same_festival_calendar(cal):
    from shegong.core.selectors import work_calendar

    stored = work_calendar()
    assert {2021, 2026} <= stored.known_years
    for start, n, expected in FESTIVAL:
        assert rules.due(start, n, stored).due == expected


@pytest.mark.parametrize(("extended", "limit"), [(False, 30), (True, 45)])
def test_the_overall_limit_and_its_extension(extended, limit):
    assert rules.total_limit(PROCEDURE_2021, extended) == limit
    assert rules.total_limit(PROCEDURE_2012, extended) == 0  # the 2012-era measures set none


@pytest.mark.parametrize(
    ("by", "state"),
    [
        (D(2026, 11, 9), "overdue"),
        (D(2026, 11, 10), "soon"),
        (D(2026, 11, 12), "soon"),
        (D(2026, 11, 13), "ok"),
    ],
)
def test_a_due_step_is_overdue_soon_or_ok(by, state):
    assert rules.Due("decided", "审核确认", by, False).state(D(2026, 11, 10)) == state


# --- public notice (calendar days, the first day counts) ------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "ok"),
    [
        (D(2026, 11, 2), D(2026, 11, 8), True),  # exactly 7 days
        (D(2026, 11, 2), D(2026, 11, 20), True),
        (D(2026, 11, 2), D(2026, 11, 7), False),  # 6 days
        (D(2026, 11, 2), D(2026, 11, 2), False),
        (D(2026, 2, 12), D(2026, 2, 18), True),  # holidays count: calendar days
        (D(2026, 2, 25), D(2026, 3, 3), True),  # across the end of February
        (D(2026, 2, 25), D(2026, 3, 2), False),
    ],
)
def test_a_notice_runs_at_least_seven_calendar_days(first, last, ok):
    problems = rules.notice_problems(first, last, PROCEDURE_2021["notice_days"])
    assert (problems == []) is ok
    if not ok:
        assert len(problems) == 1
        assert rules.notice_last_day(first, 7).isoformat() in problems[0]


def test_a_notice_ending_before_it_starts_is_refused():
    problems = rules.notice_problems(D(2026, 11, 8), D(2026, 11, 2), 7)
    assert len(problems) == 1 and "早于" in problems[0]


@pytest.mark.parametrize(
    ("first", "days", "last"),
    [
        (D(2026, 11, 2), 7, D(2026, 11, 8)),
        (D(2026, 2, 25), 7, D(2026, 3, 3)),
        (D(2026, 1, 1), 1, D(2026, 1, 1)),
    ],
)
def test_the_last_day_of_a_notice(first, days, last):
    assert rules.notice_last_day(first, days) == last


# --- democratic review ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "present", "in_favour", "valid", "passed"),
    [
        (9, 6, 4, True, True),  # exactly 2/3 present, exactly 2/3 of them in favour
        (9, 6, 3, True, False),
        (9, 5, 5, False, False),  # 5 of 9 present: not valid, however they vote
        (9, 9, 6, True, True),
        (9, 9, 5, True, False),
        (10, 7, 5, True, True),  # 21 ≥ 20 present; 15 ≥ 14 in favour
        (10, 7, 4, True, False),
        (10, 6, 6, False, False),  # 18 < 20
        (3, 2, 2, True, True),
        (3, 2, 1, True, False),
        (1, 1, 1, True, True),
        (1, 0, 0, False, False),  # nobody present is never valid
        (0, 0, 0, False, False),
    ],
)
def test_a_review_is_valid_with_two_thirds_present_and_passes_with_two_thirds_in_favour(
    members, present, in_favour, valid, passed
):
    assert rules.review_outcome(PROCEDURE_2021, members, present, in_favour) == (valid, passed)


@pytest.mark.parametrize(
    ("members", "present", "in_favour", "against", "fields"),
    [
        (9, 6, 4, 2, set()),
        (9, 9, 9, 0, set()),
        (9, 9, 5, 4, set()),
        (1, 1, 1, 0, set()),  # a group of one
        (9, 10, 6, 0, {"present"}),  # more present than members
        (9, 6, 4, 3, {"in_favour"}),  # more votes than present
        (9, 6, 7, 0, {"in_favour"}),
        (0, 0, 0, 0, {"members"}),
        (0, 1, 1, 1, {"members", "present", "in_favour"}),
    ],
)
def test_impossible_counts(members, present, in_favour, against, fields):
    assert set(rules.review_count_problems(members, present, in_favour, against)) == fields


def test_impossible_counts_say_what_they_are():
    problems = rules.review_count_problems(9, 10, 8, 4)
    assert "10" in problems["present"] and "9" in problems["present"]
    assert "12" in problems["in_favour"] and "10" in problems["in_favour"]
    assert "1" in rules.review_count_problems(0, 0, 0, 0)["members"]


@pytest.mark.parametrize(
    ("values", "objection", "county_every_case", "required"),
    [
        (PROCEDURE_2012, False, False, True),  # every case under the 2012-era measures
        (PROCEDURE_2021, False, False, False),
        (PROCEDURE_2021, True, False, True),
        (PROCEDURE_2021, False, True, True),  # the county holds one on every case
    ],
)
def test_when_a_review_is_required(values, objection, county_every_case, required):
    assert (
        rules.review_required(values, objection=objection, county_every_case=county_every_case)
        is required
    )


# --- income and amounts --------------------------------------------------------------------------

EXCLUDED = frozenset({"merit", "family_planning", "scholarship", "assistance", "basic_pension"})


@pytest.mark.parametrize(
    ("incomes", "deductions", "members", "expected"),
    [
        ([("wages", M("3600"))], [], 3, M("100")),
        ([("wages", M("3600")), ("merit", M("1200")), ("scholarship", M("800"))], [], 3, M("100")),
        ([("wages", M("3600")), ("business", M("1200"))], [], 4, M("100")),
        ([("wages", M("3600"))], [M("600")], 2, M("125")),
        ([("wages", M("3600"))], [M("3600")], 2, M("0")),  # costs equal to income
        ([("wages", M("3600"))], [M("5000"), M("1")], 2, M("0")),  # never below zero
        ([("assistance", M("9000"))], [], 1, M("0")),  # only excluded income
        ([], [], 1, M("0")),
    ],
)
def test_per_person_monthly_income(incomes, deductions, members, expected):
    assert rules.monthly_per_person(incomes, deductions, members, EXCLUDED) == expected


def test_per_person_income_is_unrounded():
    per_person = rules.monthly_per_person([("wages", M("1000"))], [], 3, EXCLUDED)
    assert M("27.77") < per_person < M("27.78")
    assert rules.rounded(per_person, ("fen",)) == M("27.78")


def test_per_person_income_needs_a_member():
    with pytest.raises(ValueError):
        rules.monthly_per_person([("wages", M("1"))], [], 0, EXCLUDED)


@pytest.mark.parametrize(
    ("standard", "per_person", "members", "expected"),
    [
        (M("246.67"), M("100"), 3, M("440.01")),
        (M("246.67"), M("0"), 1, M("246.67")),
        (M("246.67"), M("246.66"), 2, M("0.02")),
        (M("246.67"), M("246.67"), 3, M("0")),  # at the standard: nothing
        (M("246.67"), M("300"), 3, M("0")),  # above: never negative
    ],
)
def test_the_gap_amount(standard, per_person, members, expected):
    assert rules.gap_amount(standard, per_person, members) == expected


# Given out of order: the rule sorts them by `below`.
BANDS = [{"below": "200", "amount": "150"}, {"below": "100.00", "amount": "300"}]


@pytest.mark.parametrize(
    ("per_person", "members", "expected"),
    [
        (M("0"), 2, M("600")),
        (M("99.99"), 2, M("600")),
        (M("100"), 2, M("300")),  # at the edge: the next band
        (M("100.01"), 1, M("150")),
        (M("199.99"), 3, M("450")),
        (M("200"), 3, M("0")),  # above every band
        (M("500"), 3, M("0")),
    ],
)
def test_the_band_amount_at_the_band_edges(per_person, members, expected):
    assert rules.band_amount(BANDS, per_person, members) == expected


@pytest.mark.parametrize(
    ("amount", "rounding", "expected"),
    [
        (M("1.005"), ["fen"], "1.01"),  # half up, not half even
        (M("1.0049"), ["fen"], "1.00"),
        (M("2.675"), ["fen"], "2.68"),
        (M("1.05"), ["jiao"], "1.10"),
        (M("1.15"), ["jiao"], "1.20"),
        (M("1.0499"), ["jiao"], "1.00"),
        (M("2.5"), ["yuan"], "3.00"),
        (M("3.5"), ["yuan"], "4.00"),
        (M("2.4999"), ["yuan"], "2.00"),
        (M("440.01"), ["yuan"], "440.00"),
        (M("1.005"), [], "1.01"),  # no rule: to the fen
    ],
)
def test_rounding_half_up_to_the_fen_jiao_or_yuan(amount, rounding, expected):
    assert str(rules.rounded(amount, rounding)) == expected


@pytest.mark.parametrize(
    ("method", "per_person", "rounding", "expected"),
    [
        ("gap", M("100"), ["fen"], M("440.01")),
        ("gap", M("100"), ["jiao"], M("440.00")),
        ("gap", M("100.005"), ["fen"], M("440.00")),  # 146.665 × 3 = 439.995, half up
        ("gap", M("300"), ["fen"], M("0.00")),
        ("bands", M("99.99"), ["fen"], M("900.00")),
        ("bands", M("150"), ["yuan"], M("450.00")),
        ("bands", M("250"), ["fen"], M("0.00")),
    ],
)
def test_the_household_amount_by_gap_or_bands(method, per_person, rounding, expected):
    amount = rules.household_amount(
        method=method,
        standard=M("246.67"),
        per_person=per_person,
        members=3,
        bands=BANDS,
        rounding=rounding,
    )
    assert amount == expected


@pytest.mark.parametrize(
    ("per_person", "eligible"),
    [(M("246.66"), True), (M("246.67"), False), (M("246.68"), False), (M("0"), True)],
)
def test_eligible_by_income_only_below_the_standard(per_person, eligible):
    assert rules.eligible_by_income(per_person, M("246.67")) is eligible


@pytest.mark.parametrize(
    ("per_person", "near"),
    [
        (M("199.99"), False),  # below the standard: Dibao, not near-poor
        (M("200"), True),
        (M("299.99"), True),
        (M("300"), False),  # exactly 1.5 ×
        (M("300.01"), False),
    ],
)
def test_near_poor_below_one_and_a_half_times_the_standard(per_person, near):
    assert rules.near_poor(per_person, M("200"), M(REVIEW["near_poor_factor"])) is near


@pytest.mark.parametrize(
    ("bands", "standard", "problems"),
    [
        ([{"below": "100", "amount": "300"}, {"below": "200", "amount": "0"}], None, 0),
        ([], None, 1),
        ("not a list", None, 1),
        ([{"below": "0", "amount": "300"}], None, 1),
        ([{"below": "-1", "amount": "300"}], None, 1),
        ([{"below": "1", "amount": "300"}], None, 0),
        ([{"below": "0.50", "amount": "0"}], None, 0),
        ([{"below": "100", "amount": "-1"}], None, 1),
        ([{"below": "100", "amount": "300"}, {"below": "100", "amount": "200"}], None, 1),
        ([{"below": "abc", "amount": "300"}], None, 1),
        ([{"amount": "300"}], None, 1),
        ([{"below": "246.67", "amount": "10"}], M("246.67"), 0),
        ([{"below": "246.68", "amount": "10"}], M("246.67"), 1),  # above the standard
    ],
)
def test_band_problems(bands, standard, problems):
    assert len(rules.band_problems(bands, standard)) == problems


def test_band_problems_name_each_band_at_fault():
    bands = [
        {"below": "100", "amount": "300"},
        {"below": "x", "amount": "1"},  # malformed: reported, and the others still checked
        {"below": "100", "amount": "200"},
        {"below": "300", "amount": "10"},
        {"below": "0", "amount": "10"},
    ]
    problems = rules.band_problems(bands, M("246.67"))
    assert len(problems) == 4
    for n, problem in zip((2, 3, 4, 5), problems, strict=True):
        assert f"第 {n} 档" in problem
    assert "300" in problems[2] and "246.67" in problems[2]


# --- dates of payment and review -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided", "start"),
    [
        (D(2026, 11, 1), D(2026, 12, 1)),
        (D(2026, 11, 30), D(2026, 12, 1)),
        (D(2026, 12, 1), D(2027, 1, 1)),  # a December decision: January of the next year
        (D(2026, 12, 31), D(2027, 1, 1)),
        (D(2026, 1, 31), D(2026, 2, 1)),
        (D(2024, 2, 29), D(2024, 3, 1)),
    ],
)
def test_payment_starts_the_month_after_the_decision(decided, start):
    assert rules.payment_start(decided) == start


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 1, 30), 1, D(2026, 2, 28)),
        (D(2026, 1, 29), 1, D(2026, 2, 28)),
        (D(2024, 1, 29), 1, D(2024, 2, 29)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 12, 31), 12, D(2027, 12, 31)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 5, 15), 0, D(2026, 5, 15)),
        (D(2026, 5, 15), 24, D(2028, 5, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert rules.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("stable", D(2027, 8, 31)),
        ("irregular", D(2027, 2, 28)),
        ("a", D(2027, 8, 31)),
        ("b", D(2027, 8, 31)),
        ("c_town", D(2026, 11, 30)),
        ("c_village", D(2027, 2, 28)),
    ],
)
def test_the_next_review_by_schedule(schedule, expected):
    assert rules.next_review(D(2026, 8, 31), schedule, REVIEW) == expected


@pytest.mark.parametrize(
    ("irregular", "able", "abc", "town", "schedule"),
    [
        (True, True, False, False, "irregular"),
        (True, True, False, True, "irregular"),
        (True, False, False, False, "stable"),
        (False, True, False, False, "stable"),
        (False, False, False, True, "stable"),
        (True, True, True, True, "c_town"),
        (True, True, True, False, "c_village"),
        (False, True, True, True, "b"),
        (False, True, True, False, "b"),
        (True, False, True, True, "a"),
        (False, False, True, False, "a"),
    ],
)
def test_the_schedule_a_decision_starts_with(irregular, able, abc, town, schedule):
    assert (
        rules.default_schedule(irregular_income=irregular, able_members=able, abc=abc, town=town)
        == schedule
    )


# --- special hardship -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failed", "tier"), [(0, "self"), (1, "partial"), (3, "partial"), (4, "full"), (6, "full")]
)
def test_the_care_tier_from_the_six_items(failed, tier):
    items = [False] * failed + [True] * (6 - failed)
    assert rules.care_tier(items, HARDSHIP) == tier
    assert rules.care_tier(list(reversed(items)), HARDSHIP) == tier


@pytest.mark.parametrize("count", [5, 7])
def test_the_care_check_has_six_items(count):
    with pytest.raises(ValueError):
        rules.care_tier([True] * count, HARDSHIP)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (D(1966, 12, 1), D(2026, 11, 30), 59),  # the birthday later in the year
        (D(1966, 12, 1), D(2026, 12, 1), 60),  # on the birthday
        (D(1966, 12, 1), D(2026, 12, 2), 60),
        (D(1966, 1, 1), D(2026, 12, 31), 60),
        (D(2000, 2, 29), D(2021, 2, 28), 20),
        (D(2000, 2, 29), D(2021, 3, 1), 21),
        (D(2010, 6, 15), D(2026, 6, 14), 15),
        (D(2010, 6, 15), D(2026, 6, 15), 16),
    ],
)
def test_age_in_full_years(birth, on, age):
    assert rules.age_on(birth, on) == age


SIXTY_ON_1_DECEMBER_2026 = D(1966, 12, 1)
LOW_INCOME = M("100")


def _facts(
    birth: datetime.date = SIXTY_ON_1_DECEMBER_2026,
    kind: str = "",
    grade: int | None = None,
    per_person: Decimal = LOW_INCOME,
    assets: bool = True,
    supporter: bool = False,
) -> rules.HardshipFacts:
    return rules.HardshipFacts(
        birth=birth,
        disability_kind=kind,
        disability_grade=grade,
        per_person=per_person,
        standard=M("246.67"),
        assets_within_limit=assets,
        supporter_able=supporter,
    )


ON = D(2026, 12, 1)


@pytest.mark.parametrize(
    ("birth", "unable"),
    [
        (D(1966, 12, 1), True),  # 60 today
        (D(1966, 12, 2), False),  # 59
        (D(1940, 1, 1), True),
        (D(2010, 12, 1), False),  # 16 today
        (D(2010, 12, 2), True),  # 15
        (D(2026, 1, 1), True),
        (D(1986, 5, 5), False),
    ],
)
def test_unable_to_work_by_age(birth, unable):
    assert rules.unable_to_work(_facts(birth=birth), ON, HARDSHIP) is unable


@pytest.mark.parametrize(
    ("kind", "grade", "unable"),
    [
        ("intellectual", 1, True),
        ("intellectual", 3, True),
        ("intellectual", 4, False),
        ("mental", 3, True),
        ("mental", 4, False),
        ("physical", 1, True),
        ("physical", 2, True),
        ("physical", 3, False),
        ("visual", 1, True),
        ("visual", 2, False),
        ("hearing", 1, False),  # not a kind that counts
        ("speech", 1, False),
        ("", 1, False),  # a grade without a kind
        ("physical", None, False),
    ],
)
def test_unable_to_work_by_disability_grade_per_kind(kind, grade, unable):
    facts = _facts(birth=D(1986, 5, 5), kind=kind, grade=grade)
    assert rules.unable_to_work(facts, ON, HARDSHIP) is unable


@pytest.mark.parametrize(
    ("facts", "problems"),
    [
        (_facts(), 0),
        (_facts(birth=D(1966, 12, 2)), 1),  # 59, no disability
        (_facts(birth=D(1986, 5, 5), kind="physical", grade=2), 0),
        (_facts(per_person=M("246.66")), 0),
        (_facts(per_person=M("246.67")), 1),  # income at the standard: a livelihood
        (_facts(assets=False), 1),
        (_facts(supporter=True), 1),
        (_facts(birth=D(1966, 12, 2), per_person=M("300"), supporter=True), 3),
    ],
)
def test_the_three_conditions_of_special_hardship(facts, problems):
    assert len(rules.hardship_problems(facts, ON, HARDSHIP)) == problems


@pytest.mark.parametrize(
    ("facts", "says"),
    [
        (_facts(birth=D(1966, 12, 2)), "无劳动能力"),
        (_facts(per_person=M("246.67")), "无生活来源"),
        (_facts(assets=False), "无生活来源"),
        (_facts(supporter=True), "义务人"),
    ],
)
def test_each_unmet_condition_is_named(facts, says):
    (problem,) = rules.hardship_problems(facts, ON, HARDSHIP)
    assert says in problem


def test_the_work_condition_gives_the_ages_and_grades():
    (problem,) = rules.hardship_problems(_facts(birth=D(1966, 12, 2)), ON, HARDSHIP)
    assert all(str(n) in problem for n in (60, 16, 3, 2, 1))


@pytest.mark.parametrize(
    ("basic", "dibao", "ok"),
    [
        (M("260"), M("200"), True),  # exactly 1.3 ×
        (M("259.99"), M("200"), False),
        (M("320.68"), M("246.67"), True),  # 1.3 × 246.67 = 320.671
        (M("320.67"), M("246.67"), False),
        (M("1000"), M("246.67"), True),
    ],
)
def test_the_hardship_basic_standard_at_least_1_3_times_dibao(basic, dibao, ok):
    problems = rules.hardship_basic_problems(basic, dibao, M(HARDSHIP["basic_factor_min"]))
    assert (problems == []) is ok
    if not ok:
        assert str(rules.rounded(dibao * M("1.3"), ["fen"])) in problems[0]


@pytest.mark.parametrize(
    ("birth", "in_school", "ends"),
    [
        (D(2010, 5, 4), False, D(2028, 5, 4)),
        (D(2010, 5, 4), True, None),
        (D(2008, 2, 29), False, D(2026, 3, 1)),
    ],
)
def test_a_minors_support_ends_at_eighteen_unless_in_school(birth, in_school, ends):
    assert rules.hardship_support_ends(birth, HARDSHIP, in_school) == ends


# --- job offers -----------------------------------------------------------------------------------

T, F = True, False


@pytest.mark.parametrize(
    ("history", "in_a_row", "stops"),
    [
        ([], 0, False),
        ([T], 1, False),
        ([T, T], 2, False),
        ([T, T, T], 3, True),  # exactly 3
        ([T, T, T, T], 4, True),
        ([T, T, F], 0, False),  # an accepted offer resets the count
        ([T, T, F, T, T], 2, False),
        ([F, T, T, T], 3, True),
        ([T, F, T, T], 2, False),
        ([T, T, T, F], 0, False),
    ],
)
def test_refusals_in_a_row_and_when_the_share_stops(history, in_a_row, stops):
    assert rules.refusals_in_a_row(history) == in_a_row
    assert rules.share_stops(history, REVIEW) is stops


# --- random choices -------------------------------------------------------------------------------


@pytest.mark.parametrize(("percent", "chosen"), [(0, False), (-5, False), (100, True), (150, True)])
def test_spot_check_at_none_or_all(percent, chosen):
    rng = random.Random(1)
    assert {rules.spot_check_chosen(percent, rng) for _ in range(200)} == {chosen}


@pytest.mark.parametrize("percent", [1, 2, 30, 99])
def test_spot_check_draws_the_percentage(percent):
    # Within five standard deviations of the binomial mean: a draw one point off (percent
    # + 1, or out of 101) is caught at 99 %, 1 % and 30 %.
    rng = random.Random(2026)
    draws = 100_000
    chosen = sum(rules.spot_check_chosen(percent, rng) for _ in range(draws))
    p = percent / 100
    assert abs(chosen - draws * p) < 5 * math.sqrt(draws * p * (1 - p))


def test_a_seeded_spot_check_draws_the_same_again():
    a, b = random.Random(7), random.Random(7)
    draws = [rules.spot_check_chosen(30, a) for _ in range(50)]
    assert draws == [rules.spot_check_chosen(30, b) for _ in range(50)]
    assert True in draws and False in draws


ITEMS = [f"a{n}" for n in range(10)] + ["b0", "b1", "b2", "c0"]
STRATA = {item: item[0] for item in ITEMS}


@pytest.mark.parametrize(
    ("percent", "sizes"),
    [
        (0, {}),
        (1, {"a": 1, "b": 1, "c": 1}),  # at least one from every stratum
        (10, {"a": 1, "b": 1, "c": 1}),
        (11, {"a": 2, "b": 1, "c": 1}),  # ceil(1.1)
        (25, {"a": 3, "b": 1, "c": 1}),  # ceil(2.5), ceil(0.75)
        (30, {"a": 3, "b": 1, "c": 1}),  # exactly 3 of 10, not 4
        (34, {"a": 4, "b": 2, "c": 1}),  # ceil(1.02)
        (50, {"a": 5, "b": 2, "c": 1}),
        (100, {"a": 10, "b": 3, "c": 1}),
    ],
)
def test_a_stratified_sample_takes_ceil_percent_of_each_stratum(percent, sizes):
    chosen = rules.sample(ITEMS, STRATA, percent, random.Random(31))
    assert len(chosen) == len(set(chosen))
    counts: dict[str, int] = {}
    for item in chosen:
        counts[STRATA[item]] = counts.get(STRATA[item], 0) + 1
    assert counts == sizes


@pytest.mark.parametrize(("size", "percent", "taken"), [(100, 1, 1), (101, 1, 2), (200, 1, 2)])
def test_a_sample_rounds_up_never_down(size, percent, taken):
    items = list(range(size))
    chosen = rules.sample(items, dict.fromkeys(items, "x"), percent, random.Random(5))
    assert len(chosen) == taken


def test_a_sample_drawn_with_the_same_seed_is_the_same():
    assert rules.sample(ITEMS, STRATA, 30, random.Random("3f2a")) == rules.sample(
        ITEMS, STRATA, 30, random.Random("3f2a")
    )
    seeds = {tuple(rules.sample(ITEMS, STRATA, 30, random.Random(s))) for s in range(20)}
    assert len(seeds) > 1  # the seed does choose
