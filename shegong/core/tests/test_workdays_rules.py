"""Rules for deadlines counted in working days under the State Council holiday arrangement.

Pure: no database and no project settings, so the module also runs with ``-p no:django``.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.conf import settings

from shegong.core.workdays import (
    CalendarYearMissing,
    WorkCalendar,
    add_working_days,
    seed_exceptions_from_chinese_calendar,
    working_days_between,
)

if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
    settings.configure(USE_I18N=False)

D = datetime.date
SEED = seed_exceptions_from_chinese_calendar()
CAL = WorkCalendar.from_named_exceptions(*SEED)


def plain_calendar(*years: int) -> WorkCalendar:
    return WorkCalendar(known_years=frozenset(years), exceptions={})


# --- the seed from chinese_calendar ---


def test_the_seed_knows_every_year_from_2004_through_2026_and_no_later() -> None:
    known_years, _exceptions = SEED
    assert known_years == frozenset(range(2004, 2027))


def test_the_seed_holds_only_exceptions_to_monday_to_friday() -> None:
    _known_years, exceptions = SEED
    for day, (is_workday, _name) in exceptions.items():
        assert is_workday == (day.weekday() >= 5), day


def test_the_seed_names_holidays_in_chinese_and_make_up_days_as_such() -> None:
    _known_years, exceptions = SEED
    assert exceptions[D(2025, 1, 1)] == (False, "元旦")
    assert exceptions[D(2025, 4, 4)] == (False, "清明节")
    assert exceptions[D(2025, 5, 1)] == (False, "劳动节")
    assert exceptions[D(2025, 6, 2)] == (False, "端午节")
    assert exceptions[D(2025, 9, 28)] == (True, "调休上班")
    names = {name for _is_workday, name in exceptions.values()}
    assert all(not name.isascii() for name in names)


def test_a_combined_holiday_block_is_named_after_both_festivals_in_order() -> None:
    _known_years, exceptions = SEED
    assert exceptions[D(2025, 10, 1)] == (False, "国庆节、中秋节")
    assert exceptions[D(2025, 10, 6)] == (False, "国庆节、中秋节")
    assert exceptions[D(2023, 9, 29)] == (False, "中秋节、国庆节")
    assert exceptions[D(2026, 9, 25)] == (False, "中秋节")


def test_weekend_days_inside_a_holiday_block_are_not_stored() -> None:
    _known_years, exceptions = SEED
    assert D(2025, 10, 4) not in exceptions  # Saturday, off anyway


def test_the_seed_is_deterministic_and_sorted() -> None:
    again = seed_exceptions_from_chinese_calendar()
    assert again == SEED
    assert list(again[1]) == sorted(again[1])


# --- the calendar ---


def test_weekends_are_off_and_weekdays_are_working_without_exceptions() -> None:
    cal = plain_calendar(2024)
    assert cal.is_workday(D(2024, 3, 8))  # Friday
    assert not cal.is_workday(D(2024, 3, 9))  # Saturday
    assert not cal.is_workday(D(2024, 3, 10))  # Sunday


def test_exceptions_override_the_weekday_rule_both_ways() -> None:
    cal = WorkCalendar(
        known_years=frozenset({2024}),
        exceptions={D(2024, 3, 8): False, D(2024, 3, 9): True},
    )
    assert not cal.is_workday(D(2024, 3, 8))
    assert cal.is_workday(D(2024, 3, 9))


def test_a_calendar_is_not_changed_by_mutating_the_dict_it_was_built_from() -> None:
    exceptions = {D(2024, 3, 8): False}
    cal = WorkCalendar(known_years=frozenset({2024}), exceptions=exceptions)
    exceptions[D(2024, 3, 8)] = True
    assert not cal.is_workday(D(2024, 3, 8))


def test_national_day_and_mid_autumn_2025_are_off_with_two_make_up_days() -> None:
    for offset in range(8):
        assert not CAL.is_workday(D(2025, 10, 1) + datetime.timedelta(days=offset))
    assert CAL.is_workday(D(2025, 9, 28))  # Sunday
    assert CAL.is_workday(D(2025, 10, 11))  # Saturday
    assert CAL.is_workday(D(2025, 10, 9))


def test_spring_festival_2026_is_off_with_two_make_up_saturdays() -> None:
    for offset in range(9):
        assert not CAL.is_workday(D(2026, 2, 15) + datetime.timedelta(days=offset))
    assert CAL.is_workday(D(2026, 2, 14))
    assert CAL.is_workday(D(2026, 2, 28))


def test_a_year_not_entered_raises_calendar_year_missing_naming_the_year() -> None:
    with pytest.raises(CalendarYearMissing) as excinfo:
        CAL.is_workday(D(2027, 1, 4))
    assert excinfo.value.year == 2027
    assert "2027 年" in str(excinfo.value)


def test_calendar_year_missing_is_a_value_error() -> None:
    assert issubclass(CalendarYearMissing, ValueError)


# --- add_working_days ---


def test_the_start_day_is_not_counted() -> None:
    assert add_working_days(D(2025, 3, 3), 1, CAL) == D(2025, 3, 4)  # Monday -> Tuesday


def test_a_deadline_from_a_friday_skips_the_weekend() -> None:
    assert add_working_days(D(2025, 3, 7), 3, CAL) == D(2025, 3, 12)


def test_a_start_on_a_weekend_counts_from_the_next_working_day() -> None:
    assert add_working_days(D(2025, 3, 8), 1, CAL) == D(2025, 3, 10)
    assert add_working_days(D(2025, 3, 8), 3, CAL) == add_working_days(D(2025, 3, 7), 3, CAL)


def test_a_deadline_skips_national_day_2025() -> None:
    assert add_working_days(D(2025, 9, 30), 1, CAL) == D(2025, 10, 9)
    assert add_working_days(D(2025, 9, 30), 2, CAL) == D(2025, 10, 10)
    assert add_working_days(D(2025, 9, 30), 3, CAL) == D(2025, 10, 11)  # make-up Saturday
    assert add_working_days(D(2025, 9, 30), 4, CAL) == D(2025, 10, 13)


def test_a_make_up_sunday_counts_as_a_working_day() -> None:
    assert add_working_days(D(2025, 9, 26), 1, CAL) == D(2025, 9, 28)


def test_a_deadline_across_spring_festival_2026() -> None:
    assert add_working_days(D(2026, 2, 13), 1, CAL) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2, CAL) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 12), 10, CAL) == D(2026, 3, 4)


def test_a_deadline_crossing_into_an_unknown_year_raises() -> None:
    assert add_working_days(D(2026, 12, 28), 3, CAL) == D(2026, 12, 31)
    with pytest.raises(CalendarYearMissing) as excinfo:
        add_working_days(D(2026, 12, 28), 4, CAL)
    assert excinfo.value.year == 2027


def test_zero_working_days_from_a_working_day_is_that_day() -> None:
    assert add_working_days(D(2025, 10, 11), 0, CAL) == D(2025, 10, 11)


def test_zero_working_days_from_a_day_off_is_the_next_working_day() -> None:
    assert add_working_days(D(2025, 3, 8), 0, CAL) == D(2025, 3, 10)
    assert add_working_days(D(2025, 10, 1), 0, CAL) == D(2025, 10, 9)


def test_zero_working_days_in_an_unknown_year_raises() -> None:
    with pytest.raises(CalendarYearMissing):
        add_working_days(D(2027, 3, 1), 0, CAL)


def test_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(D(2025, 3, 3), -1, CAL)


# --- working_days_between ---


def test_working_days_between_counts_the_end_but_not_the_start() -> None:
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 9), CAL) == 1
    assert working_days_between(D(2025, 9, 27), D(2025, 9, 28), CAL) == 1
    assert working_days_between(D(2025, 9, 28), D(2025, 9, 28), CAL) == 0


def test_working_days_between_is_antisymmetric() -> None:
    pairs = [
        (D(2025, 9, 25), D(2025, 10, 15)),
        (D(2026, 2, 10), D(2026, 3, 3)),
        (D(2025, 12, 29), D(2026, 1, 6)),
        (D(2025, 3, 8), D(2025, 3, 9)),
    ]
    for start, end in pairs:
        forward = working_days_between(start, end, CAL)
        assert forward > 0 or start.weekday() >= 5
        assert working_days_between(end, start, CAL) == -forward


def test_working_days_between_undoes_add_working_days() -> None:
    for start in [D(2025, 9, 26), D(2025, 9, 30), D(2025, 10, 4), D(2026, 2, 13)]:
        for n in range(1, 30):
            assert working_days_between(start, add_working_days(start, n, CAL), CAL) == n


def test_working_days_between_raises_for_an_unknown_year() -> None:
    with pytest.raises(CalendarYearMissing):
        working_days_between(D(2026, 12, 1), D(2027, 1, 10), CAL)
