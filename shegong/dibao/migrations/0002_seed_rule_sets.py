"""The Dibao and special-hardship rule sets as DOMAIN.md gives them. Values are copied here, not
imported: a migration must keep meaning the same thing when the code changes.

`dibao_procedure` has two versions: the 2012-era trial measures (民发〔2012〕220号) from
2000-01-01, so that every step on record finds a version, and the 2021 measures
(最低生活保障审核确认办法) from 2021-07-01, the one in force. The 2012-era measures set no
3-day start, no overall limit and no separate registration; the start and county figures of
version 1 are the local practice of that period and can be corrected by entering a version.
"""

import datetime

from django.db import migrations

EARLIEST = datetime.date(2000, 1, 1)
MEASURES_2021 = datetime.date(2021, 7, 1)

PROCEDURE_2012 = {
    "investigation_start_days": 10,
    "matching_start_days": 10,
    "min_investigators": 2,
    "notice_days": 7,
    "county_decision_days": 20,
    "notify_days": 3,
    "total_days": 0,
    "extended_days": 0,
    "democratic_review": ["every_case"],
    "quorum_num": 2,
    "quorum_den": 3,
    "pass_num": 2,
    "pass_den": 3,
    "spot_check_percent": 30,
    "separate_registration": 0,
}
PROCEDURE_2021 = {
    **PROCEDURE_2012,
    "investigation_start_days": 3,
    "matching_start_days": 3,
    "county_decision_days": 10,
    "total_days": 30,
    "extended_days": 45,
    "democratic_review": ["on_objection"],
    "spot_check_percent": 0,
    "separate_registration": 1,
}
HARDSHIP_2021 = {
    "investigation_days": 15,
    "notice_days": 7,
    "reinvestigation_days": 15,
    "county_decision_days": 15,
    "notify_days": 3,
    "spot_check_percent": 30,
    "reassess_days": 10,
    "basic_factor_min": "1.3",
    "elderly_from": 60,
    "child_under": 16,
    "minor_until": 18,
    "intellectual_grade_max": 3,
    "physical_grade_max": 2,
    "visual_grade_max": 1,
    "partial_from_failed": 1,
    "full_from_failed": 4,
}
REVIEW = {
    "stable_months": 12,
    "irregular_months": 6,
    "a_months": 12,
    "b_months": 12,
    "c_town_months": 3,
    "c_village_months": 6,
    "job_refusal_limit": 3,
    "gradual_exit_months": 6,
    "near_poor_factor": "1.5",
    "rounding": ["fen"],
}

SEEDS = [
    ("dibao_procedure", 1, EARLIEST, PROCEDURE_2012, "民发〔2012〕220号 最低生活保障审核审批办法(试行)时期"),
    ("dibao_procedure", 2, MEASURES_2021, PROCEDURE_2021, "民政部 最低生活保障审核确认办法(2021)"),
    ("hardship_procedure", 1, EARLIEST, HARDSHIP_2021, "民政部 特困人员认定办法(2021)"),
    ("dibao_review", 1, EARLIEST, REVIEW, "审核确认办法(2021)复核周期;A/B/C 为河南此前做法;渐退期为本地做法"),
]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("core", "RuleSet")
    RuleSet.objects.bulk_create(
        [
            RuleSet(kind=kind, version=version, valid_from=valid_from, values=values, note=note)
            for kind, version, valid_from, values, note in SEEDS
        ]
    )


def unseed(apps, schema_editor):
    RuleSet = apps.get_model("core", "RuleSet")
    for kind, version, _valid_from, _values, _note in SEEDS:
        RuleSet.objects.filter(kind=kind, version=version).delete()


class Migration(migrations.Migration):
    dependencies = [("dibao", "0001_initial"), ("core", "0010_audit_target_repr_prefix")]
    operations = [migrations.RunPython(seed, unseed)]
