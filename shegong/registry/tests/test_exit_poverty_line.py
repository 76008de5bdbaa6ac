"""An exit uses the poverty line of its own year from the `poverty_exit` rule set in force, and
records that version; a year with no line is refused (never an earlier year's line), until the
province administrator enters it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shegong.conftest import GUSHI
from shegong.core.models import AuditEvent, Region
from shegong.core.rulesets import rules_for
from shegong.core.services_rulesets import ruleset_enter
from shegong.core.testing import make_village
from shegong.registry import services
from shegong.registry.models import Household, PovertyExit
from shegong.registry.rules import ExitChecks
from shegong.registry.tests.factories import make_household

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MISSING = (
    "{y} 年的贫困线尚未录入,不能办理该年度的脱贫(不会借用往年的贫困线)。"
    "请省民政厅管理员在“规则设置 › 脱贫标准”中录入该年度的贫困线。"
)


@pytest.fixture
def household():
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    village = make_village(township.code).code
    return make_household(village, number="411525001200077", head_name="王强")


def _checks(income, notice_days=7):
    d = datetime.date(2019, 9, 1)
    return ExitChecks(
        net_income_per_person=income,
        food_clothing_secure=True,
        schooling_assured=True,
        medical_assured=True,
        housing_assured=True,
        village_review_date=d,
        verification_date=d,
        household_agreed=True,
        notice_start=d,
        notice_end=d + datetime.timedelta(days=notice_days - 1),
        objections="",
        announced_date=d + datetime.timedelta(days=notice_days + 1),
    )


def _state(household):
    household.refresh_from_db()
    return (
        household.poverty_status,
        household.year_out,
        household.version,
        PovertyExit.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("year", [2017, 2018, 2011, 2021])
def test_a_year_with_no_line_is_refused_and_nothing_changes(gushi_officer, household, year):
    before = _state(household)
    with pytest.raises(ValidationError) as exc:
        services.household_exit(
            actor=gushi_officer, household=household, year=year, checks=_checks(3000)
        )
    assert exc.value.message_dict == {"year": [MISSING.format(y=year)]}
    assert _state(household) == before


@pytest.mark.parametrize(("year", "line"), [(2015, 2855), (2016, 2952), (2019, 3218), (2020, 4000)])
def test_the_line_of_the_year_itself_applies_on_both_sides(gushi_officer, household, year, line):
    before = _state(household)
    with pytest.raises(ValidationError) as exc:
        services.household_exit(
            actor=gushi_officer, household=household, year=year, checks=_checks(line)
        )
    assert f"未超过当年贫困线 {line} 元" in " ".join(exc.value.messages)
    assert _state(household) == before
    record = services.household_exit(
        actor=gushi_officer, household=household, year=year, checks=_checks(line + 1)
    )
    assert (record.poverty_line, record.rules.kind, record.rules.version) == (
        line,
        "poverty_exit",
        1,
    )


def test_once_the_administrator_enters_2018_an_exit_in_2018_uses_it_and_records_the_version(
    gushi_officer, province_admin, household
):
    current = rules_for("poverty_exit", TODAY)
    lines = {str(y): str(a) for y, a in current["poverty_lines"].items()} | {"2018": "3535"}
    entered = ruleset_enter(
        actor=province_admin,
        kind="poverty_exit",
        valid_from=TODAY,
        values={"poverty_lines": lines, "notice_days": 7},
        note="2018 年贫困线",
    )
    with pytest.raises(ValidationError) as exc:
        services.household_exit(
            actor=gushi_officer, household=household, year=2018, checks=_checks(3000)
        )
    assert "未超过当年贫困线 3535 元" in " ".join(exc.value.messages)
    record = services.household_exit(
        actor=gushi_officer, household=household, year=2018, checks=_checks(3536)
    )
    assert (record.poverty_line, record.rules_id) == (3535, entered.pk)
    assert Household.objects.get(pk=household.pk).year_out == 2018


def test_the_notice_period_comes_from_the_rule_set(gushi_officer, province_admin, household):
    current = rules_for("poverty_exit", TODAY)
    lines = {str(y): str(a) for y, a in current["poverty_lines"].items()}
    ruleset_enter(
        actor=province_admin,
        kind="poverty_exit",
        valid_from=TODAY,
        values={"poverty_lines": lines, "notice_days": 10},
        note="公示期改为 10 天",
    )
    before = _state(household)
    with pytest.raises(ValidationError) as exc:
        services.household_exit(
            actor=gushi_officer, household=household, year=2019, checks=_checks(5000, 9)
        )
    assert "公示期不少于 10 天。" in exc.value.messages
    assert _state(household) == before
    record = services.household_exit(
        actor=gushi_officer, household=household, year=2019, checks=_checks(5000, 10)
    )
    assert record.rules.version == 2
