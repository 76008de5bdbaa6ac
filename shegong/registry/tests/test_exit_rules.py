import dataclasses
import datetime
from decimal import Decimal

import pytest

from shegong.registry.rules import ExitChecks, exit_problems

D = datetime.date
GOOD = ExitChecks(
    net_income_per_person=Decimal("4500"),
    food_clothing_secure=True,
    schooling_assured=True,
    medical_assured=True,
    housing_assured=True,
    village_review_date=D(2020, 9, 1),
    verification_date=D(2020, 9, 5),
    household_agreed=True,
    notice_start=D(2020, 9, 10),
    notice_end=D(2020, 9, 16),
    objections="",
    announced_date=D(2020, 9, 20),
)
TODAY = D(2020, 12, 1)


def _problems(**changes):
    return exit_problems(
        dataclasses.replace(GOOD, **changes), Decimal("4000"), notice_days=7, today=TODAY
    )


def test_a_household_meeting_every_check_may_exit():
    assert _problems() == []


@pytest.mark.parametrize(("income", "ok"), [("4000", False), ("4000.01", True), ("3999", False)])
def test_income_must_be_strictly_above_the_line(income, ok):
    assert (_problems(net_income_per_person=Decimal(income)) == []) is ok


@pytest.mark.parametrize(
    "flag",
    [
        "food_clothing_secure",
        "schooling_assured",
        "medical_assured",
        "housing_assured",
        "household_agreed",
    ],
)
def test_each_assurance_is_required(flag):
    assert len(_problems(**{flag: False})) == 1


def test_notice_of_seven_days_counts_both_ends():
    assert _problems(notice_end=D(2020, 9, 16)) == []
    assert len(_problems(notice_end=D(2020, 9, 15))) == 1


def test_steps_must_be_in_order():
    problems = _problems(verification_date=D(2020, 8, 1))
    assert any("乡镇核实" in p for p in problems)


def test_objections_block_the_exit():
    assert len(_problems(objections="邻居反映有新购车辆")) == 1


def test_announcement_cannot_be_in_the_future():
    assert len(_problems(announced_date=D(2021, 1, 1))) == 1
