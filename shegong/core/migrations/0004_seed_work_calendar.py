"""Seed the statutory working-day calendar from the chinese-calendar package.

Only the exceptions to Monday–Friday are stored: weekday holidays and weekend make-up days.
Years the package does not know are left out on purpose, so a deadline in such a year fails
loudly until an administrator enters the State Council's arrangement.
"""

import datetime

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    years = sorted({d.year for d in chinese_calendar.holidays})
    days = []
    for d, holiday in chinese_calendar.holidays.items():
        if d.weekday() < 5:
            name = getattr(holiday, "value", str(holiday))
            days.append(CalendarDay(date=d, is_workday=False, name=NAMES.get(name, name)))
    for d, holiday in chinese_calendar.workdays.items():
        if d.weekday() >= 5:
            days.append(CalendarDay(date=d, is_workday=True, name="调休上班"))
    CalendarDay.objects.bulk_create(days, batch_size=500)
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="chinese-calendar") for y in years]
    )
    assert all(isinstance(d.date, datetime.date) for d in days)


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.all().delete()
    apps.get_model("core", "CalendarYear").objects.filter(source="chinese-calendar").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_load_henan_divisions")]
    operations = [migrations.RunPython(seed, unseed)]
