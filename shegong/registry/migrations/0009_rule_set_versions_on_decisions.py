"""Exits and duplicate pairs record the rule-set version they were decided under; the poverty
lines move into the `poverty_exit` rule set (seeded by core/0008 with the same figures)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_seed_rule_sets"),
        ("registry", "0008_left_behind_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="povertyexit",
            name="rules",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.ruleset",
                verbose_name="适用规则版本",
            ),
        ),
        migrations.AddField(
            model_name="duplicatecandidate",
            name="rules",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.ruleset",
                verbose_name="适用规则版本",
            ),
        ),
        migrations.DeleteModel(name="PovertyLine"),
    ]
