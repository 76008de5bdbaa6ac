"""Duplicate detection scores by the `duplicates` rule set in force on the day it runs, and each
pair records the version it was scored under."""

import datetime

import pytest
from django.utils import timezone

from shegong.core.rulesets import rules_for
from shegong.core.services_rulesets import ruleset_enter
from shegong.registry.duplicates import PersonFacts, find_duplicates, pair_verdict
from shegong.registry.models import DuplicateCandidate
from shegong.registry.tests.test_duplicates import member
from shegong.registry.tests.test_duplicates import villages as villages  # the fixture

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _v2(province_admin, **changes):
    values = dict(rules_for("duplicates", TODAY))
    values = {k: (dict(v) if hasattr(v, "items") else v) for k, v in values.items()} | changes
    return ruleset_enter(
        actor=province_admin, kind="duplicates", valid_from=TODAY, values=values, note="调整"
    )


def test_each_pair_records_the_version_it_was_scored_under(villages, province_admin):
    g1, _g2, _x = villages
    member(g1, "张伟", birth="19850315")
    member(g1, "张伟", birth="19850315")
    assert find_duplicates(region_prefix="411525") == 1
    first = DuplicateCandidate.objects.get()
    assert (first.score, first.rules.kind, first.rules.version) == (95, "duplicates", 1)
    entered = _v2(province_admin, same_name_score=99)
    member(g1, "李娜", birth="19900101")
    member(g1, "李娜", birth="19900101")
    assert find_duplicates(region_prefix="411525") == 1
    second = DuplicateCandidate.objects.exclude(pk=first.pk).get()
    assert (second.score, second.rules_id) == (99, entered.pk)
    first.refresh_from_db()
    assert (first.score, first.rules.version) == (95, 1)  # decided under v1, left as it was


def test_the_scores_and_folds_are_the_rule_sets():
    day = datetime.date(1985, 3, 15)
    a = PersonFacts(1, "张英", day, "411525100200", "male")
    b = PersonFacts(2, "詹音", day, "411525100201", "male")
    rules = rules_for("duplicates", TODAY)
    assert pair_verdict(a, b, rules) is not None  # zhan ying ~ zhang yin after the folds
    no_folds = dict(rules) | {"fuzzy_initials": {}, "fuzzy_finals": {}}
    assert pair_verdict(a, b, no_folds) is None
    same = PersonFacts(2, "张英", day, "411525100201", "female")
    assert pair_verdict(a, same, dict(rules) | {"sex_differs_penalty": 40})[0] == 55
