"""A calendar year must name the seven national holidays (or be confirmed explicitly), since
an empty year would count every festival as a working day, silently."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shegong.core import services
from shegong.core.models import AuditEvent, CalendarDay, CalendarYear
from shegong.core.workdays import (
    NATIONAL_HOLIDAYS,
    missing_national_holidays,
    seed_exceptions_from_chinese_calendar,
)

pytestmark = pytest.mark.django_db

ALL = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


@pytest.mark.parametrize(
    ("names", "missing"),
    [
        ([], ALL),
        (["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"], []),
        (["元旦", "除夕", "清明", "五一", "端午", "国庆节、中秋节"], []),  # the ways offices write
        (["中秋节、国庆节"], ["元旦", "春节", "清明节", "劳动节", "端午节"]),
        (["元旦"], ["春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]),
        (["调休", "假日", "国庆"], ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节"]),
        (["劳动"], ALL),  # "劳动" alone is not 劳动节
        (["元旦 ", "春节（初一）", "清明节", "劳动节", "端午节", "中秋节", "国庆节"], []),
    ],
)
def test_which_national_holidays_a_year_lacks(names, missing):
    assert missing_national_holidays(names) == missing


def test_the_seeded_years_name_every_holiday_but_the_known_exceptions():
    """清明, 端午 and 中秋 became holidays in 2008; in 2015 中秋 fell on a Sunday with no
    weekday off, and in 2020 it fell on 10-01, inside the block the package names 国庆节.
    Those are the years an administrator would confirm; every other year passes as is."""
    years, exceptions = seed_exceptions_from_chinese_calendar()
    by_year: dict[int, list[str]] = {}
    for day, (is_workday, name) in exceptions.items():
        if not is_workday:
            by_year.setdefault(day.year, []).append(name)
    lacking = {
        year: missing
        for year in sorted(years)
        if (missing := missing_national_holidays(by_year.get(year, [])))
    }
    before_2008 = ["清明节", "端午节", "中秋节"]
    assert lacking == {
        **{year: before_2008 for year in range(2004, 2008)},
        2015: ["中秋节"],
        2020: ["中秋节"],
    }
    assert len(NATIONAL_HOLIDAYS) == 7


def _enter(actor, **over):
    data = {
        "actor": actor,
        "year": 2031,
        "holidays": [(datetime.date(2031, 1, 1), "元旦")],
        "workdays": [],
        "source": "国务院办公厅通知",
    }
    data.update(over)
    return services.calendar_year_enter(**data)


def test_an_empty_year_is_refused_and_nothing_saved(province_admin):
    with pytest.raises(ValidationError) as err:
        _enter(province_admin, holidays=[])
    assert err.value.message_dict == {
        "holidays": [
            "放假日期中没有这些法定节假日:元旦、春节、清明节、劳动节、端午节、中秋节、国庆节。"
            "请按国务院办公厅通知逐日录入(名称中写明节日,例如 2027-10-01 国庆节);"
            "如该年确无这些节日的安排,请勾选“确认该年无法定节假日安排”。"
        ]
    }
    assert not CalendarYear.objects.filter(year=2031).exists()
    assert not AuditEvent.objects.filter(action="calendar.year_enter").exists()


def test_a_confirmed_partial_year_is_saved_and_the_audit_names_what_is_missing(province_admin):
    entry = _enter(province_admin, confirm_no_statutory_holidays=True)
    assert entry.year == 2031
    assert list(CalendarDay.objects.filter(date__year=2031).values_list("name", flat=True)) == [
        "元旦"
    ]
    event = AuditEvent.objects.get(action="calendar.year_enter")
    assert event.changes["confirmed_missing"] == ALL[1:]


def test_the_page_shows_the_refusal_next_to_the_holidays_and_offers_the_checkbox(
    client, province_admin
):
    client.force_login(province_admin)
    data = {"year": 2031, "holidays": "2031-01-01 元旦", "workdays": "", "source": "通知"}
    response = client.post(reverse("core:calendar"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "放假日期中没有这些法定节假日:春节、清明节" in body
    assert "确认该年无法定节假日安排" in body
    assert not CalendarYear.objects.filter(year=2031).exists()
    response = client.post(
        reverse("core:calendar"), {**data, "confirm_no_statutory_holidays": "on"}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2031).exists()
