"""Working-day arithmetic under the State Council's yearly holiday arrangement.

Public holidays move every year and some weekends become working days (调休). Next year's
arrangement is published only late in the year before, so the calendar is data, not code: a set
of years whose arrangement is known plus the exceptions to "Monday to Friday". A date in a year
that is not known raises instead of guessing, because a wrong deadline is worse than none.

Pure functions, no ORM: callers build a WorkCalendar from wherever the data is stored.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.utils.translation import gettext as _

ONE_DAY = datetime.timedelta(days=1)
MAKE_UP_WORKDAY_NAME = "调休上班"

# chinese_calendar names holidays in English (its Holiday enum values).
_HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class CalendarYearMissing(ValueError):
    """The holiday arrangement of ``year`` has not been entered yet."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            _("%(year)d 年的法定节假日安排尚未录入，无法计算工作日期限。请管理员在工作日历中录入。")
            % {"year": year}
        )


@dataclass(frozen=True)
class WorkCalendar:
    """Known years plus exceptions: True = working weekend day, False = weekday holiday."""

    known_years: frozenset[int]
    exceptions: Mapping[datetime.date, bool]

    def __post_init__(self) -> None:
        # Copy into read-only containers so a frozen calendar cannot change under a caller.
        object.__setattr__(self, "known_years", frozenset(self.known_years))
        object.__setattr__(self, "exceptions", MappingProxyType(dict(self.exceptions)))

    @classmethod
    def from_named_exceptions(
        cls,
        known_years: Iterable[int],
        exceptions: Mapping[datetime.date, tuple[bool, str]],
    ) -> WorkCalendar:
        """Build from the ``date -> (is_workday, name)`` shape the seed and the database use."""
        return cls(
            known_years=frozenset(known_years),
            exceptions={day: is_workday for day, (is_workday, _name) in exceptions.items()},
        )

    def is_workday(self, day: datetime.date) -> bool:
        if day.year not in self.known_years:
            raise CalendarYearMissing(day.year)
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception
        return day.weekday() < 5


def add_working_days(start: datetime.date, n: int, cal: WorkCalendar) -> datetime.date:
    """The n-th working day after ``start``.

    Convention: ``start`` itself is never counted, as in Chinese law, where a period counted in
    days begins on the day after the event (民法典 第二百零一条). So a request received on a
    Friday with "3 working days" is due on the following Wednesday, and one received on a
    Saturday is due on the same Wednesday. ``start`` need not be a working day.

    ``n == 0`` means "today if today is a working day, else the next working day".

    Raises CalendarYearMissing when the count reaches a year whose arrangement is unknown.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    if n == 0:
        while not cal.is_workday(day):
            day += ONE_DAY
        return day
    remaining = n
    while remaining:
        day += ONE_DAY
        if cal.is_workday(day):
            remaining -= 1
    return day


@dataclass(frozen=True)
class Deadline:
    """A date counted in working days, and the years it had to estimate (no calendar there)."""

    due: datetime.date
    estimated_years: tuple[int, ...] = ()

    @property
    def estimated_year(self) -> int | None:
        """The first year counted Monday to Friday for want of its calendar, or None."""
        return self.estimated_years[0] if self.estimated_years else None


def add_working_days_or_estimate(start: datetime.date, n: int, cal: WorkCalendar) -> Deadline:
    """As add_working_days, but a day in a year without a calendar counts Monday to Friday
    instead of raising, and the result names those years so that the page can say the date
    is an estimate. For deadlines a record must carry anyway (a referral's reply), where an
    estimate that says so is better than no deadline at all."""
    if n < 0:
        raise ValueError("n must not be negative")
    missing: list[int] = []

    def workday(day: datetime.date) -> bool:
        if day.year in cal.known_years:
            return cal.is_workday(day)
        if day.year not in missing:
            missing.append(day.year)
        return day.weekday() < 5

    day = start
    if n == 0:
        while not workday(day):
            day += ONE_DAY
        return Deadline(day, tuple(missing))
    remaining = n
    while remaining:
        day += ONE_DAY
        if workday(day):
            remaining -= 1
    return Deadline(day, tuple(missing))


def working_days_between(start: datetime.date, end: datetime.date, cal: WorkCalendar) -> int:
    """Working days in (start, end]; negative when ``end`` is before ``start``.

    The half-open interval matches add_working_days:
    ``working_days_between(s, add_working_days(s, n, cal), cal) == n`` for every n >= 1, and
    ``working_days_between(a, b, cal) == -working_days_between(b, a, cal)``.
    """
    if end < start:
        return -working_days_between(end, start, cal)
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if cal.is_workday(day):
            count += 1
    return count


# The statutory holidays every year's arrangement has (全国年节及纪念日放假办法), each with the
# words that recognise it in a holiday's name. A State Council notice names a block after its
# festival ("春节", "国庆节、中秋节"), so a name containing a keyword counts for it; "五一" and
# "除夕" are how offices commonly write two of them.
NATIONAL_HOLIDAYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("元旦", ("元旦",)),
    ("春节", ("春节", "除夕")),
    ("清明节", ("清明",)),
    ("劳动节", ("劳动节", "五一")),
    ("端午节", ("端午",)),
    ("中秋节", ("中秋",)),
    ("国庆节", ("国庆",)),
)


def missing_national_holidays(names: Iterable[str]) -> list[str]:
    """The national holidays (in calendar order) that no name in `names` mentions."""
    text = "\n".join(unicodedata.normalize("NFKC", n or "") for n in names)
    return [
        holiday
        for holiday, keywords in NATIONAL_HOLIDAYS
        if not any(word in text for word in keywords)
    ]


def seed_exceptions_from_chinese_calendar() -> tuple[
    frozenset[int], dict[datetime.date, tuple[bool, str]]
]:
    """Years known to the installed chinese_calendar and their exceptions, for seeding the DB.

    Returns the years from the first to the last year in the package's data, and only the
    exceptions: weekday holidays as ``(False, "<holiday>")`` and working weekend days as
    ``(True, "调休上班")``. A holiday block containing two festivals is named after both in the
    order they occur, as the State Council notices do ("国庆节、中秋节" in 2025, "中秋节、国庆节"
    in 2023). Deterministic: the result depends only on the package's data, sorted by date.
    """
    # Imported here: only seeding depends on the package, whose data ends with its release;
    # at run time the calendar comes from the database, where administrators extend it.
    import chinese_calendar

    holidays = {day: _holiday_name(value) for day, value in chinese_calendar.holidays.items()}
    workdays = set(chinese_calendar.workdays)
    years = {day.year for day in holidays} | {day.year for day in workdays}
    known_years = frozenset(range(min(years), max(years) + 1))

    exceptions: dict[datetime.date, tuple[bool, str]] = {}
    for block in _consecutive_blocks(sorted(holidays)):
        name = "、".join(dict.fromkeys(holidays[day] for day in block))
        for day in block:
            if day.weekday() < 5:
                exceptions[day] = (False, name)
    for day in workdays:
        if day.weekday() >= 5:
            exceptions[day] = (True, MAKE_UP_WORKDAY_NAME)
    return known_years, dict(sorted(exceptions.items()))


def _holiday_name(value: object) -> str:
    # Values are Holiday enum members in some releases and their plain string values in others.
    english = str(getattr(value, "value", value))
    # An unknown name from a newer release is kept in English rather than failing a migration:
    # the name is only a label, and the dates are what matter.
    return _HOLIDAY_NAMES_ZH.get(english, english)


def _consecutive_blocks(days: list[datetime.date]) -> list[list[datetime.date]]:
    blocks: list[list[datetime.date]] = []
    for day in days:
        if blocks and day - blocks[-1][-1] == ONE_DAY:
            blocks[-1].append(day)
        else:
            blocks.append([day])
    return blocks
