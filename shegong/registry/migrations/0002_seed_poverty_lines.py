"""Poverty lines by year (nominal yuan per person per year; 2,300 at 2010 prices).

Figures from the national statistics bureau's published lines; years between published figures
are left for an administrator to enter rather than guessed.
"""

from django.db import migrations

LINES = {2010: "2300", 2015: "2855", 2016: "2952", 2019: "3218", 2020: "4000"}


def seed(apps, schema_editor):
    PovertyLine = apps.get_model("registry", "PovertyLine")
    PovertyLine.objects.bulk_create(
        [PovertyLine(year=y, amount=a, source="国家统计局") for y, a in LINES.items()]
    )


def unseed(apps, schema_editor):
    apps.get_model("registry", "PovertyLine").objects.filter(year__in=LINES).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_registry_households_persons")]
    operations = [migrations.RunPython(seed, unseed)]
