"""The first version of every rule-set kind, with the figures the code used before they became
data (DOMAIN.md and the policy texts). Values are copied here, not imported: a migration must
keep meaning the same thing when the code changes.

Valid from 2000-01-01 so that every step on record finds a version; a province administrator
enters later versions from the rule-set page.
"""

import datetime

from django.db import migrations

VALID_FROM = datetime.date(2000, 1, 1)

SEEDS = {
    "poverty_exit": (
        {
            # Nominal national lines (2,300 at 2010 prices); 2011-2014, 2017 and 2018 are not
            # published figures here and stay unentered: an exit in such a year is refused.
            "poverty_lines": {
                "2010": "2300",
                "2015": "2855",
                "2016": "2952",
                "2019": "3218",
                "2020": "4000",
            },
            "notice_days": 7,
        },
        "国家统计局公布的贫困线;公示期为河南 2016 年做法",
    ),
    "left_behind": (
        {
            "away_statuses": ["county", "province", "out_of_province"],
            "away_months": 6,
            "child_under": 16,
            "elderly_from": 60,
        },
        "国发〔2016〕13号;外出务工满 6 个月",
    ),
    "duplicates": (
        {
            "same_name_score": 95,
            "same_name_other_county_score": 90,
            "pinyin_threshold": 90,
            "pinyin_score_min": 60,
            "pinyin_score_max": 80,
            "sex_differs_penalty": 15,
            "fuzzy_initials": {"zh": "z", "ch": "c", "sh": "s", "n": "l"},
            "fuzzy_finals": {"ang": "an", "eng": "en", "ing": "in"},
        },
        "查重规则 2024-1",
    ),
    "referral": ({"reply_days": 7, "service_days": 30}, "本地做法"),
    "assessment": ({"need_threshold": 3}, "需求评估表第 1 版:3 分(一般)及以下为需求"),
}


def seed(apps, schema_editor):
    RuleSet = apps.get_model("core", "RuleSet")
    RuleSet.objects.bulk_create(
        [
            RuleSet(kind=kind, version=1, valid_from=VALID_FROM, values=values, note=note)
            for kind, (values, note) in SEEDS.items()
        ]
    )


def unseed(apps, schema_editor):
    apps.get_model("core", "RuleSet").objects.filter(kind__in=SEEDS, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0007_rule_sets")]
    operations = [migrations.RunPython(seed, unseed)]
