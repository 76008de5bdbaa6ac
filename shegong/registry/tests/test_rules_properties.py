"""Properties of the exit rule and the left-behind suggestions over generated households."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.registry.rules import HUSBAND_OF, MemberFacts, derive_left_behind, exit_problems
from shegong.registry.tests.test_exit_rules import GOOD, TODAY
from shegong.registry.tests.test_left_behind_rules import RULES

FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)
LINE = Decimal("4000")
cents = st.integers(-100_00, 100_00).map(lambda c: Decimal(c) / 100)


@FAST
@given(cents)
def test_income_passes_exactly_when_above_the_line_by_any_amount(delta):
    problems = exit_problems(
        dataclasses.replace(GOOD, net_income_per_person=LINE + delta),
        LINE,
        notice_days=7,
        today=TODAY,
    )
    assert (problems == []) == (delta > 0)
    assert len(problems) == (0 if delta > 0 else 1)


@FAST
@given(st.integers(0, 14), st.integers(1, 14))
def test_the_notice_passes_exactly_from_its_required_length(span, required):
    start = GOOD.notice_start
    checks = dataclasses.replace(
        GOOD,
        notice_end=start + datetime.timedelta(days=span),
        announced_date=start + datetime.timedelta(days=20),
    )
    problems = exit_problems(checks, LINE, today=TODAY, notice_days=required)
    assert (problems == []) == (span + 1 >= required)


@FAST
@given(
    st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.text(max_size=3)
)
def test_every_failed_check_is_one_problem(food, school, medical, housing, agreed, objections):
    checks = dataclasses.replace(
        GOOD,
        food_clothing_secure=food,
        schooling_assured=school,
        medical_assured=medical,
        housing_assured=housing,
        household_agreed=agreed,
        objections=objections,
    )
    failed = [not food, not school, not medical, not housing, not agreed, bool(objections.strip())]
    assert len(exit_problems(checks, LINE, notice_days=7, today=TODAY)) == sum(failed)


# --- left-behind -----------------------------------------------------------------------------

ON = datetime.date(2024, 6, 15)
STATUSES = ["none", "township", *RULES["away_statuses"]]
RELATIONS = [
    "head",
    "spouse",
    "son",
    "daughter",
    "daughter_in_law",
    "son_in_law",
    "grandson",
    "granddaughter",
    "father",
    "mother",
    "sibling",
    "other",
]


@st.composite
def members(draw):
    count = draw(st.integers(1, 6))
    result = []
    for key in range(count):
        age_days = draw(st.integers(0, 90 * 366))
        result.append(
            MemberFacts(
                key=key,
                relation=draw(st.sampled_from(RELATIONS)),
                sex=draw(st.sampled_from(["male", "female"])),
                birth_date=ON - datetime.timedelta(days=age_days),
                work_status=draw(st.sampled_from(STATUSES)),
                months_away=draw(st.one_of(st.none(), st.integers(0, 12))),
                labour=draw(st.sampled_from(["ordinary", "skilled", "lost", "none"])),
                health=draw(st.sampled_from(["healthy", "chronic", "serious", "disabled"])),
                disability_grade=draw(st.one_of(st.none(), st.integers(1, 4))),
            )
        )
    return result


def _age(m: MemberFacts) -> int:
    b = m.birth_date
    return ON.year - b.year - ((ON.month, ON.day) < (b.month, b.day))


def _away(m: MemberFacts) -> bool:
    return m.work_status in RULES["away_statuses"] and (m.months_away or 0) >= 6


@FAST
@given(members())
def test_each_suggestion_stays_within_its_group_and_needs_someone_away(household):
    groups = derive_left_behind(household, ON, RULES)
    assert sorted(groups) == [m.key for m in household]
    anyone_away = any(_away(m) for m in household)
    for m in household:
        group = groups[m.key]
        assert group in ("", "child", "woman", "elderly")
        if group:
            assert anyone_away
        if group == "child":
            assert _age(m) < 16
        if group == "elderly":
            assert _age(m) >= 60 and not _away(m)
        if group == "woman":
            assert m.sex == "female" and _age(m) >= 16 and not _away(m)
            assert m.relation in HUSBAND_OF


@FAST
@given(members(), st.randoms(use_true_random=False))
def test_the_order_of_members_changes_nothing(household, random):
    shuffled = list(household)
    random.shuffle(shuffled)
    assert derive_left_behind(shuffled, ON, RULES) == derive_left_behind(household, ON, RULES)


@FAST
@given(st.integers(0, 12), st.integers(-2, 2))
def test_away_starts_at_six_months_and_childhood_ends_on_the_sixteenth_birthday(months, days):
    child_birth = ON.replace(year=ON.year - 16) + datetime.timedelta(days=days)
    household = [
        MemberFacts(0, "head", "male", datetime.date(1985, 1, 1), "province", months, "ordinary"),
        MemberFacts(1, "daughter", "female", child_birth, "none", None, "none"),
    ]
    groups = derive_left_behind(household, ON, RULES)
    is_child = days > 0  # born after ON sixteen years ago: not 16 yet
    assert groups[1] == ("child" if months >= 6 and is_child else "")
