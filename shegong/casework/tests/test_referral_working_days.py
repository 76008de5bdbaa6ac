"""Referral replies are due in working days on the statutory calendar; a deadline counted into
a year with no calendar is estimated Monday to Friday and says so on the referral."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from shegong.casework import services
from shegong.casework.tests.test_services import TODAY, fresh, to_intervention
from shegong.core.models import CalendarYear
from shegong.core.workdays import Deadline, WorkCalendar, add_working_days_or_estimate
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db
D = datetime.date
CAL_2025 = WorkCalendar(
    known_years=frozenset({2025}),
    exceptions={
        **{D(2025, 10, d): False for d in (1, 2, 3, 6, 7, 8)},
        D(2025, 9, 28): True,
        D(2025, 10, 11): True,
    },
)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2025, 9, 26), 7, Deadline(D(2025, 10, 13))),  # across National Day, make-up days
        (D(2025, 9, 30), 1, Deadline(D(2025, 10, 9))),
        (D(2025, 9, 27), 0, Deadline(D(2025, 9, 28))),  # Saturday → the make-up Sunday
        (D(2025, 12, 29), 3, Deadline(D(2026, 1, 1), (2026,))),  # 2026 unknown: Mon–Fri
        (D(2025, 12, 31), 7, Deadline(D(2026, 1, 9), (2026,))),
        (D(2026, 3, 6), 1, Deadline(D(2026, 3, 9), (2026,))),  # Friday → Monday, estimated
        (D(2025, 12, 24), 5, Deadline(D(2025, 12, 31))),  # stays inside the known year
    ],
)
def test_working_days_with_an_estimate_where_the_calendar_is_missing(start, n, expected):
    assert add_working_days_or_estimate(start, n, CAL_2025) == expected


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        add_working_days_or_estimate(D(2025, 1, 1), -1, CAL_2025)


def test_a_referral_into_a_year_without_calendar_shows_the_estimate(client, case, gushi_worker):
    to_intervention(case, gushi_worker)
    CalendarYear.objects.filter(year__gte=TODAY.year).delete()
    referral = services.referral_add(
        actor=gushi_worker,
        case=fresh(case),
        institution=make_institution(region_code=case.region_id[:6] + "000000"),
        need="助学",
        consent_on=TODAY,
    )
    year = (TODAY + datetime.timedelta(days=1)).year
    cal = WorkCalendar(known_years=frozenset(), exceptions={})
    assert (referral.due_on, referral.due_estimated_year) == (
        add_working_days_or_estimate(TODAY, 7, cal).due,
        year,
    )
    client.force_login(gushi_worker)
    body = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert f"{year} 年工作日历未录入,期限按周一至周五估算" in body
    # Accepted: the service deadline counts calendar days and is exact.
    accepted = services.referral_update(
        actor=gushi_worker, referral=referral, status="accepted", version=referral.version
    )
    assert (accepted.due_on, accepted.due_estimated_year) == (
        TODAY + datetime.timedelta(days=30),
        None,
    )
    body = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "工作日历未录入" not in body
