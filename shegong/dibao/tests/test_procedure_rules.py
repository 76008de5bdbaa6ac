"""The procedure's rules as the services apply them: the overall limit and its extension, the
2012-era version (a review on every case, county spot checks), the county's own home visit,
a county that reviews every case, the conditions of special hardship, amounts by bands, job
refusals and reviews after approval. Every refusal leaves everything as it was: the row, the
step log, the awards and the audit trail."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shegong.conftest import GUSHI, _township
from shegong.core.models import AuditEvent, Region, RuleSet
from shegong.core.selectors import work_calendar
from shegong.core.testing import make_village

from .. import rules, services
from ..models import (
    Application,
    ApplicationStep,
    Award,
    DemocraticReview,
    HomeVisit,
    JobRefusal,
    Review,
    Stage,
)
from . import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)
TRACKED = (Application, ApplicationStep, Award, Review, JobRefusal, DemocraticReview, HomeVisit)


@pytest.fixture
def village() -> str:
    return make_village(_township(GUSHI)).code


def _row(obj: Any) -> dict[str, Any]:
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}


@contextmanager
def nothing_changes(*objs: Any, field: str | None = None) -> Iterator[None]:
    """The block must be refused (a ValidationError, naming `field` if given) and leave the
    rows, the row counts of the procedure's tables and the audit trail as they were."""
    counts = {model: model._default_manager.count() for model in TRACKED}
    events = AuditEvent.objects.count()
    rows = [_row(o) for o in objs]
    with pytest.raises(ValidationError) as refused:
        yield
    if field is not None:
        assert field in refused.value.message_dict
    assert AuditEvent.objects.count() == events
    assert {model: model._default_manager.count() for model in TRACKED} == counts
    assert [_row(o) for o in objs] == rows


def _to_county(village: str, accepted_on: datetime.date, **fields: Any) -> Application:
    return f.at_county(village, accepted_on=accepted_on, **fields)


def _decide(a: Application, on: datetime.date, **kw: Any) -> Application:
    _township, county = f.officers(a.region_id)
    return services.decide(
        actor=county, application=a, on=on, approve=True, version=a.version, **kw
    )


# --- the overall limit of 30 working days ------------------------------------------------------

# 1 September 2026: the 30th working day after it is 19 October (the Mid-autumn Festival and
# National Day holidays, the make-up Sunday 20 September and Saturday 10 October in between).
ACCEPTED = D(2026, 9, 1)
DAY_30 = D(2026, 10, 19)
DAY_31 = D(2026, 10, 20)


def test_the_thirtieth_working_day_is_counted_on_the_stored_calendar():
    cal = work_calendar()
    assert rules.due(ACCEPTED, 30, cal).due == DAY_30
    assert rules.working_days_taken(ACCEPTED, DAY_31, cal) == 31


def test_a_decision_on_the_thirtieth_working_day_is_allowed(village):
    a = _decide(_to_county(village, ACCEPTED), DAY_30)
    assert a.stage == Stage.APPROVED and a.decided_on == DAY_30
    assert a.payment_from == D(2026, 11, 1)


def test_a_decision_past_thirty_working_days_needs_the_extension_on_record(village):
    a = _to_county(village, ACCEPTED)
    with nothing_changes(a):
        _decide(a, DAY_31)
    _township, county = f.officers(village)
    a = services.extend(
        actor=county, application=a, reason="申请人住院,入户核查推迟", version=a.version
    )
    a = _decide(a, DAY_31)
    assert a.stage == Stage.APPROVED
    assert Award.objects.filter(application=a).count() == 1


def test_a_refusal_past_thirty_working_days_needs_the_extension_too(village):
    a = _to_county(village, ACCEPTED)
    _township, county = f.officers(village)
    with nothing_changes(a):
        services.decide(
            actor=county,
            application=a,
            on=DAY_31,
            approve=False,
            refusal_reasons="有机动车辆",
            version=a.version,
        )


# --- the step deadlines on the step log -----------------------------------------------------------


@pytest.mark.parametrize(("started_on", "late"), [(D(2026, 9, 30), False), (D(2026, 10, 8), True)])
def test_the_investigation_starts_within_three_working_days(village, started_on, late):
    # Accepted on Friday 25 September 2026 (the Mid-autumn Festival): due Wednesday 30th.
    township, _county = f.officers(village)
    a = f.make_application(village, accepted_on=D(2026, 9, 25))
    services.investigation_start(actor=township, application=a, on=started_on, version=a.version)
    started = ApplicationStep.objects.get(application=a, step="investigation_started")
    assert (started.due, started.late) == (D(2026, 9, 30), late)


@pytest.mark.parametrize(
    ("notified_on", "late"), [(D(2026, 10, 10), False), (D(2026, 10, 12), True)]
)
def test_a_refusal_is_notified_within_three_working_days(village, notified_on, late):
    # Refused on 30 September 2026: National Day, then Thursday 8, Friday 9 and the make-up
    # Saturday 10 October.
    _township, county = f.officers(village)
    a = _to_county(village, D(2026, 9, 15))
    a = services.decide(
        actor=county,
        application=a,
        on=D(2026, 9, 30),
        approve=False,
        refusal_reasons="家庭人均收入高于标准",
        version=a.version,
    )
    services.notify(actor=county, application=a, on=notified_on, version=a.version)
    step = ApplicationStep.objects.get(application=a, step="notified")
    assert (step.due, step.late) == (D(2026, 10, 10), late)


# --- the 2012-era version (steps before 1 July 2021) ----------------------------------------------


@pytest.fixture
def spot_checks(monkeypatch) -> list[int]:
    """Every spot-check draw's percentage; the draw always chooses the case."""
    drawn: list[int] = []

    def choose(percent: int, rng: Any) -> bool:
        drawn.append(percent)
        return percent > 0

    monkeypatch.setattr(rules, "spot_check_chosen", choose)
    return drawn


def _review(a: Application, held_on: datetime.date, present: int = 6) -> DemocraticReview:
    township, _county = f.officers(a.region_id)
    return services.review_record(
        actor=township,
        application=a,
        held_on=held_on,
        members=9,
        present=present,
        in_favour=present,
        against=0,
        record="村民代表评议,一致同意",
        version=a.version,
    )


def _on_notice(village: str, accepted_on: datetime.date, **fields: Any) -> Application:
    a = f.make_application(village, accepted_on=accepted_on, **fields)
    a = f.investigate(a, on=accepted_on)
    return f.put_on_notice(a, accepted_on + DAY)


def test_the_2012_era_needs_a_review_on_every_case_and_draws_30_percent_spot_checks(
    village, spot_checks
):
    assert 2021 in work_calendar().known_years
    a = _on_notice(village, D(2021, 4, 1))
    assert a.rules == RuleSet.objects.get(kind="dibao_procedure", version=1)
    with nothing_changes(a):
        f.send_to_county(a, D(2021, 4, 12))
    _review(a, D(2021, 4, 9), present=5)  # 5 of 9: not valid, does not count
    a.refresh_from_db()
    with nothing_changes(a):
        f.send_to_county(a, D(2021, 4, 12))
    _review(a, D(2021, 4, 9), present=6)
    a.refresh_from_db()
    a = f.send_to_county(a, D(2021, 4, 12))
    assert spot_checks == [30] and a.spot_check
    # Chosen for a spot check: the county visits before it decides.
    with nothing_changes(a):
        _decide(a, D(2021, 4, 20))
    f.county_visit(a, D(2021, 4, 15))
    a.refresh_from_db()
    # No overall limit under the 2012-era measures.
    assert rules.working_days_taken(D(2021, 4, 1), D(2021, 6, 30), work_calendar()) > 45
    a = _decide(a, D(2021, 6, 30))
    assert a.stage == Stage.APPROVED
    assert set(a.steps.values_list("rules__version", flat=True)) == {1}


def test_the_2021_rules_need_no_review_and_draw_no_spot_check(village, spot_checks):
    a = _on_notice(village, D(2026, 11, 2))
    assert a.rules == RuleSet.objects.get(kind="dibao_procedure", version=2)
    a = f.send_to_county(a)
    assert spot_checks == [0] and not a.spot_check
    assert _decide(a, a.county_received_on + DAY).stage == Stage.APPROVED


def test_a_county_that_reviews_every_case_needs_the_review_under_the_2021_rules(village):
    _township, county = f.officers(village)
    services.policy_set(
        actor=county,
        region=Region.objects.get(code=f.county_of(village)),
        amount_method="gap",
        bands=[],
        review_every_case=True,
        abc_schedule=False,
    )
    a = _on_notice(village, D(2026, 11, 2))
    with nothing_changes(a):
        f.send_to_county(a)
    _review(a, D(2026, 11, 5))
    a.refresh_from_db()
    assert f.send_to_county(a).stage == Stage.COUNTY


# --- the county's own home visit ------------------------------------------------------------------


def _complaint(a: Application) -> Application:
    township, _county = f.officers(a.region_id)
    return services.complaint_record(
        actor=township, application=a, note="群众举报其子女有稳定工作", version=a.version
    )


@pytest.mark.parametrize("why", ["separately_registered", "complaint"])
def test_the_county_visits_before_deciding_a_separately_registered_case_or_a_complaint(
    village, why
):
    fields = (
        {"separately_registered": True, "relation_to_staff": "村委会主任之弟"}
        if why == "separately_registered"
        else {}
    )
    a = _to_county(village, D(2026, 11, 2), **fields)
    if why == "complaint":
        a = _complaint(a)
    assert a.county_visit_on is None
    decided_on = a.county_received_on + 2 * DAY
    with nothing_changes(a):
        _decide(a, decided_on)
    f.county_visit(a, a.county_received_on + DAY)
    a.refresh_from_db()
    assert _decide(a, decided_on).stage == Stage.APPROVED


def test_a_separately_registered_case_names_the_relation(village):
    township, _county = f.officers(village)
    household = f.make_household(village)
    with pytest.raises(ValidationError) as refused:
        services.application_accept(
            actor=township,
            household=household,
            applicant=household.members.get(),
            programme="dibao",
            area="rural",
            channel="written",
            applied_by="household",
            reasons="无稳定收入",
            accepted_on=D(2026, 11, 2),
            consent_data_matching=True,
            separately_registered=True,
        )
    assert "relation_to_staff" in refused.value.message_dict
    assert not Application.objects.filter(household=household).exists()


# --- special hardship -----------------------------------------------------------------------------

OPINION_ON = D(2026, 11, 3)


def _hardship(village: str, birth: datetime.date, grade: int | None = None) -> Application:
    a = f.make_hardship_application(
        village, birth=birth, disability_grade=grade, accepted_on=OPINION_ON - DAY
    )
    return f.investigate(a, on=a.accepted_on, yearly_income=Decimal("0"))


def _facts(a: Application, disability_kind: str = "") -> Application:
    township, _county = f.officers(a.region_id)
    return services.hardship_facts_set(
        actor=township,
        application=a,
        supporters="无子女,配偶已去世",
        supporter_able=False,
        disability_kind=disability_kind,
        support_mode="home",
        version=a.version,
    )


def test_special_hardship_refuses_an_applicant_aged_59_without_disability(village):
    a = _facts(_hardship(village, OPINION_ON.replace(year=OPINION_ON.year - 60) + DAY))
    assert rules.age_on(a.applicant.birth_date, OPINION_ON) == 59
    with nothing_changes(a, field="opinion"):
        f.put_on_notice(a, OPINION_ON)


def test_special_hardship_accepts_an_applicant_on_their_60th_birthday(village):
    a = _facts(_hardship(village, OPINION_ON.replace(year=OPINION_ON.year - 60)))
    a = f.put_on_notice(a, OPINION_ON)
    assert a.stage == Stage.NOTICE
    standard = f.make_standard(village)
    assert a.proposed_amount == standard.hardship_basic + standard.care_self


@pytest.mark.parametrize(
    ("kind", "grade", "accepted"), [("physical", 2, True), ("physical", 3, False)]
)
def test_special_hardship_at_59_with_a_disability(village, kind, grade, accepted):
    a = _hardship(village, OPINION_ON.replace(year=OPINION_ON.year - 60) + DAY, grade=grade)
    a = _facts(a, disability_kind=kind)
    if accepted:
        assert f.put_on_notice(a, OPINION_ON).stage == Stage.NOTICE
    else:
        with nothing_changes(a, field="opinion"):
            f.put_on_notice(a, OPINION_ON)


def test_special_hardship_refuses_an_applicant_with_an_able_supporter(village):
    a = _hardship(village, D(1950, 1, 1))
    township, _county = f.officers(village)
    a = services.hardship_facts_set(
        actor=township,
        application=a,
        supporters="儿子在县城工作,有赡养能力",
        supporter_able=True,
        disability_kind="",
        support_mode="home",
        version=a.version,
    )
    with nothing_changes(a, field="opinion"):
        f.put_on_notice(a, OPINION_ON)


def test_special_hardship_draws_30_percent_county_checks_under_the_2021_rules(village, spot_checks):
    a = f.put_on_notice(_facts(_hardship(village, D(1950, 1, 1))), OPINION_ON)
    a = f.send_to_county(a)
    assert spot_checks == [30] and a.spot_check
    with nothing_changes(a):
        _decide(a, a.county_received_on + DAY)
    f.county_visit(a, a.county_received_on)
    a.refresh_from_db()
    a = _decide(a, a.county_received_on + DAY)
    assert a.stage == Stage.APPROVED and a.award.programme == "hardship"


def test_the_care_tier_sets_the_hardship_amount(village):
    a = _facts(_hardship(village, D(1950, 1, 1)))
    township, _county = f.officers(village)
    check = services.care_check(
        actor=township,
        application=a,
        person=a.applicant,
        checked_on=a.accepted_on,
        items={"eating": True, "dressing": True, "transfer": True, "toileting": True},
        version=a.version,
    )
    assert check.tier == "partial"
    a.refresh_from_db()
    a = f.put_on_notice(a, OPINION_ON)
    standard = f.make_standard(village)
    assert a.proposed_amount == standard.hardship_basic + standard.care_partial


# --- the amount by bands --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yearly", "amount"),
    [
        (Decimal("3599.64"), Decimal("900.00")),  # 99.99 a person: the first band, 300 each
        (Decimal("3600"), Decimal("450.00")),  # exactly 100: the second band, 150 each
        (Decimal("7199.64"), Decimal("450.00")),  # 199.99
    ],
)
def test_a_county_with_bands_pays_by_the_band(village, yearly, amount):
    _township, county = f.officers(village)
    services.policy_set(
        actor=county,
        region=Region.objects.get(code=f.county_of(village)),
        amount_method="bands",
        bands=[{"below": "200", "amount": "150"}, {"below": "100", "amount": "300"}],
        review_every_case=False,
        abc_schedule=False,
    )
    a = f.at_county(village, accepted_on=D(2026, 11, 2), yearly_income=yearly)
    assert a.proposed_amount == amount
    a = _decide(a, a.county_received_on + DAY)
    assert a.amount == amount and a.award.amount == amount


def test_a_band_amount_of_nothing_cannot_be_approved(village):
    _township, county = f.officers(village)
    services.policy_set(
        actor=county,
        region=Region.objects.get(code=f.county_of(village)),
        amount_method="bands",
        bands=[{"below": "100", "amount": "300"}],
        review_every_case=False,
        abc_schedule=False,
    )
    # 200 a person is below the standard (246.67) but above every band.
    a = f.at_county(village, accepted_on=D(2026, 11, 2), yearly_income=Decimal("7200"))
    assert a.proposed_amount == Decimal("0.00")
    with nothing_changes(a):
        _decide(a, a.county_received_on + DAY)


# --- job offers -----------------------------------------------------------------------------------


def _offer(award: Award, person: Any, on: datetime.date, refused: bool) -> JobRefusal:
    township, _county = f.officers(award.region_id)
    award.refresh_from_db()
    return services.job_offer_record(
        actor=township,
        award=award,
        person=person,
        offered_on=on,
        job="县城物业保洁",
        refused=refused,
        version=award.version,
    )


def test_the_third_refusal_in_a_row_stops_that_members_share(village):
    award = f.make_award(village, accepted_on=D(2026, 9, 1))
    before, members = award.amount, award.members
    spouse = award.household.members.get(relation="spouse")
    son = award.household.members.get(relation="son")
    on = D(2026, 10, 1)
    for k, refused in enumerate([True, True, False, True, True]):  # an acceptance resets
        _offer(award, spouse, on + k * DAY, refused)
    _offer(award, son, on + 5 * DAY, True)  # another member's refusal does not count
    award.refresh_from_db()
    assert (award.amount, award.members) == (before, members)
    assert not Review.objects.filter(award=award).exists()
    seen = set(AuditEvent.objects.values_list("pk", flat=True))
    _offer(award, spouse, on + 6 * DAY, True)
    township, _county = f.officers(village)
    events = AuditEvent.objects.exclude(pk__in=seen).order_by("pk")
    assert [(e.action, e.actor_id) for e in events] == [
        ("dibao.job_offer_record", township.pk),
        ("dibao.award_review", township.pk),  # the share stopped, on the trail as a review
    ]
    award.refresh_from_db()
    share = (before / members).quantize(Decimal("0.01"))
    assert award.amount == before - share and award.members == members - 1
    review = Review.objects.get(award=award)
    assert review.outcome == "adjust" and spouse.name in review.reason
    assert (review.amount_before, review.amount_after) == (before, before - share)
    assert review.effective_from == D(2026, 11, 1)
    # A fourth refusal in a row does not take the share a second time.
    _offer(award, spouse, on + 7 * DAY, True)
    award.refresh_from_db()
    assert award.amount == before - share and Review.objects.filter(award=award).count() == 1


def test_a_job_offer_to_someone_not_counted_is_refused(village):
    award = f.make_award(village, accepted_on=D(2026, 9, 1))
    stranger = f.make_household(village).members.get()
    with nothing_changes(award, field="person"):
        _offer(award, stranger, D(2026, 10, 1), True)


# --- reviews after approval -----------------------------------------------------------------------

REVIEWED = D(2026, 11, 20)


def _award_review(award: Award, outcome: str, **kw: Any) -> Review:
    township, _county = f.officers(award.region_id)
    award.refresh_from_db()
    return services.award_review(
        actor=township,
        award=award,
        reviewed_on=REVIEWED,
        outcome=outcome,
        reason="入户复核",
        version=award.version,
        **kw,
    )


@pytest.fixture
def award(village) -> Award:
    return f.make_award(village, accepted_on=D(2026, 9, 1))


def test_an_adjustment_takes_effect_next_month(award):
    review = _award_review(award, "adjust", amount_after=award.amount - Decimal("100"))
    fresh = Award.objects.get(pk=award.pk)
    assert fresh.amount == award.amount - Decimal("100") and fresh.status == "active"
    assert review.effective_from == D(2026, 12, 1)
    assert (review.amount_before, review.amount_after) == (award.amount, fresh.amount)
    assert fresh.next_review_on == rules.add_months(REVIEWED, 12)


@pytest.mark.parametrize(
    ("amount_after", "field"),
    [
        ("same", "amount_after"),
        ("0", "amount_after"),
        ("1.001", "amount_after"),
        ("", "amount_after"),
    ],
)
def test_an_adjustment_needs_a_new_amount(award, amount_after, field):
    value = award.amount if amount_after == "same" else amount_after
    with nothing_changes(award, field=field):
        _award_review(award, "adjust", amount_after=value)


def test_a_suspension_and_its_lifting(award):
    _award_review(award, "suspend")
    assert Award.objects.get(pk=award.pk).status == "suspended"
    _award_review(award, "continue")
    assert Award.objects.get(pk=award.pk).status == "active"


def test_termination_stops_payment_after_this_month(award):
    _award_review(award, "terminate")
    fresh = Award.objects.get(pk=award.pk)
    assert fresh.status == "terminated"
    assert fresh.payment_to == D(2026, 11, 1) and fresh.gradual_exit_to is None
    with nothing_changes(fresh, field="outcome"):
        _award_review(fresh, "continue")


def test_termination_with_a_gradual_exit_pays_six_months_more(award):
    _award_review(award, "terminate", gradual_exit=True)
    fresh = Award.objects.get(pk=award.pk)
    assert fresh.status == "gradual_exit"
    assert fresh.gradual_exit_to == D(2027, 5, 31)
    assert fresh.payment_to == D(2027, 5, 1)
    assert fresh.amount == award.amount


def test_a_review_without_a_reason_or_outcome_is_refused(award):
    township, _county = f.officers(award.region_id)
    with nothing_changes(award, field="reason"):
        services.award_review(
            actor=township,
            award=award,
            reviewed_on=REVIEWED,
            outcome="continue",
            reason=" ",
            version=award.version,
        )
    with nothing_changes(award, field="outcome"):
        services.award_review(
            actor=township,
            award=award,
            reviewed_on=REVIEWED,
            outcome="maybe",
            reason="入户复核",
            version=award.version,
        )
