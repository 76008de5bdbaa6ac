"""Assessments and referrals apply the casework rule sets in force on the day of the step and
record the version they used; a later version changes new decisions only."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shegong.casework import selectors, services
from shegong.casework.models import Stage
from shegong.casework.tests.test_services import fresh, move, scores, to_intervention
from shegong.conftest import GUSHI
from shegong.core.rulesets import rules_for
from shegong.core.services_rulesets import ruleset_enter
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_an_assessment_records_its_version_and_keeps_ranking_by_it(
    case, gushi_worker, province_admin
):
    move(case, gushi_worker, Stage.ASSESSMENT)
    # Under version 1 (threshold 3) a 3 is a need and needs evidence.
    no_evidence = scores(income=3)
    no_evidence["income"]["evidence"] = ""
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(actor=gushi_worker, case=fresh(case), scores=no_evidence)
    assert "请填写依据" in str(exc.value)
    first = services.assessment_record(
        actor=gushi_worker, case=fresh(case), scores=scores(income=3, employment=2)
    )
    assert (first.rules.kind, first.rules.version) == ("assessment", 1)
    entered = ruleset_enter(
        actor=province_admin,
        kind="assessment",
        valid_from=TODAY,
        values={"need_threshold": 2},
        note="调整门槛",
    )
    # The recorded assessment still ranks by its own version: income (3) stays a need.
    file = selectors.case_file(actor=gushi_worker, case=fresh(case))
    assert [n.code for n in file.ranked_needs] == ["employment", "income"]
    # A new assessment is checked under version 2: a 3 is no need and needs no evidence.
    assert rules_for("assessment", TODAY).pk == entered.pk
    again = services.assessment_record(actor=gushi_worker, case=fresh(case), scores=no_evidence)
    assert again.rules_id == entered.pk


def test_a_referral_records_the_version_whose_days_it_used(case, gushi_worker, province_admin):
    to_intervention(case, gushi_worker)
    institution = make_institution(region_code=GUSHI)
    first = services.referral_add(
        actor=gushi_worker, case=fresh(case), institution=institution, need="就业", consent_on=TODAY
    )
    assert first.rules.version == 1
    entered = ruleset_enter(
        actor=province_admin,
        kind="referral",
        valid_from=TODAY,
        values={"reply_days": 7, "service_days": 10},
        note="服务期限 10 天",
    )
    accepted = services.referral_update(
        actor=gushi_worker, referral=first, status="accepted", version=1
    )
    assert (accepted.due_on, accepted.rules_id) == (
        TODAY + datetime.timedelta(days=10),
        entered.pk,
    )
