"""Properties of working-day arithmetic over generated calendars.

Any calendar (any exceptions to Monday–Friday, both ways) must give deadlines that are working
days, move forward with the count and the start, and that counting back undoes.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.core.workdays import (
    CalendarYearMissing,
    WorkCalendar,
    add_working_days,
    working_days_between,
)

FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)
YEARS = frozenset({2024, 2025, 2026})
FIRST, LAST = datetime.date(2024, 1, 1), datetime.date(2026, 12, 31)

calendars = st.dictionaries(st.dates(FIRST, LAST), st.booleans(), max_size=40).map(
    lambda exceptions: WorkCalendar(known_years=YEARS, exceptions=exceptions)
)
starts = st.dates(FIRST, datetime.date(2026, 6, 30))
counts = st.integers(0, 60)


@FAST
@given(calendars, starts, counts)
def test_a_deadline_is_a_working_day_counted_from_the_day_after(cal, start, n):
    due = add_working_days(start, n, cal)
    assert cal.is_workday(due)
    if n == 0:
        assert due >= start
        assert all(
            not cal.is_workday(start + datetime.timedelta(d)) for d in range((due - start).days)
        )
    else:
        assert due > start
        assert working_days_between(start, due, cal) == n
        # No earlier day would do: the day before has one working day fewer.
        assert working_days_between(start, due - datetime.timedelta(days=1), cal) == n - 1


@FAST
@given(calendars, starts, counts)
def test_one_more_working_day_is_a_later_deadline(cal, start, n):
    later, earlier = add_working_days(start, n + 1, cal), add_working_days(start, n, cal)
    if n == 0 and not cal.is_workday(start):
        # From a day off, "0 days" is the next working day, which is also the first one counted.
        assert later == earlier
    else:
        assert later > earlier


@FAST
@given(calendars, starts, starts, counts)
def test_a_later_start_never_gives_an_earlier_deadline(cal, a, b, n):
    early, late = min(a, b), max(a, b)
    assert add_working_days(early, n, cal) <= add_working_days(late, n, cal)


@FAST
@given(calendars, starts, starts)
def test_counting_between_is_antisymmetric_and_adds_up(cal, a, b):
    middle = a + (b - a) / 2
    assert working_days_between(a, b, cal) == -working_days_between(b, a, cal)
    assert working_days_between(a, b, cal) == working_days_between(
        a, middle, cal
    ) + working_days_between(middle, b, cal)


@FAST
@given(calendars, st.dates(datetime.date(2026, 12, 1), LAST), st.integers(25, 60))
def test_a_count_that_runs_into_an_unknown_year_raises_instead_of_guessing(cal, start, n):
    with pytest.raises(CalendarYearMissing) as caught:
        add_working_days(start, n, cal)
    assert caught.value.year == 2027
