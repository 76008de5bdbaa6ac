"""The rule set of the daily monitoring run (`dibao_monitoring`), version 1. Values are copied
here, not imported: a migration must keep meaning the same thing when the code changes."""

import datetime

from django.db import migrations

EARLIEST = datetime.date(2000, 1, 1)

MONITORING = {
    "rules": [
        "review_overdue",
        "income_above",
        "member_working",
        "size_changed",
        "member_gone",
        "assets_flagged",
        "hardship_condition",
        "near_poor",
    ],
    "review_grace_days": 0,
    "income_factor": "1",
    "working_statuses": ["township", "county", "province", "out_of_province"],
    "months_away_min": 6,
    "near_poor_watch_months": 12,
}
NOTE = "审核确认办法(2021)动态管理;阈值为本地做法,可录入新版本调整"


def seed(apps, schema_editor):
    RuleSet = apps.get_model("core", "RuleSet")
    RuleSet.objects.create(
        kind="dibao_monitoring", version=1, valid_from=EARLIEST, values=MONITORING, note=NOTE
    )


def unseed(apps, schema_editor):
    apps.get_model("core", "RuleSet").objects.filter(kind="dibao_monitoring", version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("dibao", "0003_application_assessment")]
    operations = [migrations.RunPython(seed, unseed)]
