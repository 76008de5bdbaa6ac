"""The procedure through the services: approval, an objection that reopens the investigation,
a refusal, and the refusals of steps out of order, each changing nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.conftest import GUSHI, XINCAI, _township
from shegong.core.models import AuditEvent, RuleSet
from shegong.core.testing import make_village

from .. import services
from ..models import Application, ApplicationStep, Award, Stage
from .factories import investigate, make_application, officers

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
START = datetime.date(2026, 11, 2)  # a Monday


@pytest.fixture
def village():
    return make_village(_township(GUSHI)).code


def _notice(a, township, on, days=7):
    return services.opinion_give(
        actor=township,
        application=a,
        on=on,
        opinion="approve",
        reasons="家庭人均收入低于标准",
        notice_from=on,
        notice_to=on + (days - 1) * DAY,
        version=a.version,
    )


def test_an_application_goes_from_acceptance_to_payment(village):
    township, county = officers(village)
    a = make_application(village, accepted_on=START)
    assert a.stage == Stage.ACCEPTED and a.number.startswith("DB411525")
    assert a.rules.kind == "dibao_procedure" and a.rules.valid_from == datetime.date(2021, 7, 1)
    a = investigate(a, on=START + DAY, yearly_income=Decimal("3600"))
    a = _notice(a, township, START + 2 * DAY)
    assert a.stage == Stage.NOTICE
    # 3 members, 3600 a year: 100 a month per person; standard 2960/12 = 246.67.
    assert a.proposed_amount == Decimal("440.01")
    a = services.to_county(actor=township, application=a, on=START + 9 * DAY, version=a.version)
    assert a.stage == Stage.COUNTY
    a = services.decide(
        actor=county, application=a, on=START + 10 * DAY, approve=True, version=a.version
    )
    assert a.stage == Stage.APPROVED and a.amount == Decimal("440.01")
    assert a.payment_from == datetime.date(2026, 12, 1)
    award = Award.objects.get(application=a)
    assert award.members == 3 and award.snapshot["amount"] == "440.01"
    assert award.next_review_on == datetime.date(2027, 11, 12)  # stable: a year on
    steps = list(
        ApplicationStep.objects.filter(application=a).values_list("step", "rules__valid_from")
    )
    assert [s for s, _ in steps][:3] == ["accepted", "investigation_started", "visit"]
    assert all(v == datetime.date(2021, 7, 1) for _, v in steps)


def test_an_objection_reopens_the_investigation_and_a_refusal_needs_reasons(village):
    township, county = officers(village)
    a = investigate(make_application(village, accepted_on=START), on=START)
    a = _notice(a, township, START + DAY)
    a = services.objection_record(
        actor=township, application=a, on=START + 3 * DAY, note="邻居反映有车", version=a.version
    )
    assert a.stage == Stage.OBJECTION
    with pytest.raises(ValidationError):
        services.to_county(actor=township, application=a, on=START + 9 * DAY, version=a.version)
    review = services.review_record(
        actor=township,
        application=a,
        held_on=START + 4 * DAY,
        members=9,
        present=6,
        in_favour=4,
        against=2,
        record="评议记录",
        version=a.version,
    )
    assert review.valid and review.passed  # 6 of 9 is exactly 2/3; 4 of 6 is exactly 2/3
    a.refresh_from_db()
    a = _notice(a, township, START + 5 * DAY)
    a = services.to_county(actor=township, application=a, on=START + 12 * DAY, version=a.version)
    with pytest.raises(ValidationError) as no_reason:
        services.decide(
            actor=county, application=a, on=START + 13 * DAY, approve=False, version=a.version
        )
    assert "refusal_reasons" in no_reason.value.message_dict
    a = services.decide(
        actor=county,
        application=a,
        on=START + 13 * DAY,
        approve=False,
        refusal_reasons="核实有机动车辆",
        version=a.version,
    )
    assert a.stage == Stage.REFUSED and not Award.objects.filter(application=a).exists()


def test_a_notice_shorter_than_seven_days_and_a_decision_before_it_ends_are_refused(village):
    township, county = officers(village)
    a = investigate(make_application(village, accepted_on=START), on=START)
    with pytest.raises(ValidationError) as short:
        _notice(a, township, START + DAY, days=6)
    assert "notice_to" in short.value.message_dict
    a.refresh_from_db()
    assert a.stage == Stage.INVESTIGATING and a.notice_from is None
    a = _notice(a, township, START + DAY)
    with pytest.raises(ValidationError):
        services.to_county(actor=township, application=a, on=START + 7 * DAY, version=a.version)
    a.refresh_from_db()
    assert a.stage == Stage.NOTICE


def test_other_countys_officer_and_a_county_officer_for_township_steps_are_refused(village):
    township, county = officers(village)
    a = make_application(village, accepted_on=START)
    other_village = make_village(_township(XINCAI)).code
    other_township, other_county = officers(other_village)
    events = AuditEvent.objects.count()
    for actor in (other_township, county):
        with pytest.raises(PermissionDenied):
            services.investigation_start(actor=actor, application=a, on=START, version=a.version)
    a.refresh_from_db()
    assert a.stage == Stage.ACCEPTED and AuditEvent.objects.count() == events


def test_an_application_without_consent_is_stored_with_the_missing_consent_listed(village):
    township, _county = officers(village)
    a = make_application(village, accepted_on=START, consent=False)
    assert Application.objects.filter(pk=a.pk).exists()
    assert "核对授权书" in a.materials_missing and a.materials_complete_on is None
    with pytest.raises(ValidationError):
        services.investigation_start(actor=township, application=a, on=START, version=a.version)


def test_steps_record_the_2012_rules_on_a_day_before_july_2021(village):
    a = make_application(village, accepted_on=datetime.date(2021, 6, 30))
    assert a.rules == RuleSet.objects.get(kind="dibao_procedure", version=1)


def test_the_due_list_gives_each_level_its_own_steps(village):
    from django.utils import timezone

    from ..selectors import due_steps

    township, county = officers(village)
    long_ago = timezone.localdate() - 60 * DAY
    a = make_application(village, accepted_on=long_ago)  # investigation start overdue
    b = investigate(make_application(village, accepted_on=long_ago), on=long_ago)
    b.refresh_from_db()
    steps = {(i.application.pk, i.due.step) for i in due_steps(actor=township)}
    assert (a.pk, "investigation_started") in steps and (a.pk, "total") in steps
    assert not any(step in ("decided", "notified", "matching_result") for _pk, step in steps)
    county_steps = {(i.application.pk, i.due.step) for i in due_steps(actor=county)}
    assert (a.pk, "investigation_started") not in county_steps and (a.pk, "total") in county_steps
