import datetime

import pytest
from django.urls import reverse

from shegong.core.models import AuditEvent, CalendarDay, CalendarYear
from shegong.core.selectors import work_calendar
from shegong.core.workdays import CalendarYearMissing, add_working_days

pytestmark = pytest.mark.django_db

# One weekday for each national holiday (the 2027 dates are for testing, not the notice).
HOLIDAYS_2027 = (
    "2027-01-01 元旦\n2027-02-08 春节\n2027-02-09 春节\n2027-04-05 清明节\n2027-05-03 劳动节\n"
    "2027-06-09 端午节\n2027-09-15 中秋节\n2027-10-01 国庆节"
)
WORKDAYS_2027 = "2027-02-06 春节调休"


def test_seeded_calendar_knows_national_day_2025():
    cal = work_calendar()
    assert 2025 in cal.known_years
    # 2025-09-30 (Tue) + 1 working day skips 10-01..10-08 and lands on Thursday 10-09.
    assert add_working_days(datetime.date(2025, 9, 30), 1, cal) == datetime.date(2025, 10, 9)
    # 2025-09-28 was a Sunday worked in exchange.
    assert cal.is_workday(datetime.date(2025, 9, 28))


def test_a_deadline_in_an_unknown_year_is_refused_loudly():
    cal = work_calendar()
    assert 2027 not in cal.known_years
    with pytest.raises(CalendarYearMissing) as exc:
        add_working_days(datetime.date(2026, 12, 28), 10, cal)
    assert "2027" in str(exc.value)


def _enter(client, **over):
    data = {
        "year": 2027,
        "holidays": HOLIDAYS_2027,
        "workdays": WORKDAYS_2027,
        "source": "国务院办公厅通知",
    }
    data.update(over)
    return client.post(reverse("core:calendar"), data)


def test_province_admin_enters_next_year(client, province_admin):
    client.force_login(province_admin)
    assert "尚未录入" in client.get(reverse("core:calendar")).content.decode()
    response = _enter(client)
    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()
    assert CalendarDay.objects.filter(date__year=2027).count() == 9
    cal = work_calendar()
    assert add_working_days(datetime.date(2026, 12, 31), 1, cal) == datetime.date(2027, 1, 4)
    assert AuditEvent.objects.filter(action="calendar.year_enter").count() == 1


def test_bad_dates_are_refused_with_the_line_and_nothing_saved(client, province_admin):
    client.force_login(province_admin)
    response = _enter(client, holidays="2027-02-30 春节")
    assert "第 1 行" in response.content.decode()
    response = _enter(client, holidays="2026-10-01 国庆")
    assert "不在 2027 年内" in response.content.decode()
    response = _enter(client, holidays="2027-01-02 周六")
    assert "是周末" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_county_officer_cannot_change_the_calendar(client, gushi_officer):
    client.force_login(gushi_officer)
    assert client.get(reverse("core:calendar")).status_code == 200
    assert _enter(client).status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()
