"""The audit cases of the Dibao services, one per service, collected by
`shegong/core/tests/test_audit_completeness.py` (which runs them).

Each case is a function `_<service name>(w: World) -> Arranged` decorated with `@case(keys...)`:
it sets up what the service needs with the factories, and returns the actor the event must name
and the one call whose event is counted, with the exact set of keys of that event's `changes`.
A new service of the module adds its case to its section below (monitoring and payments have
theirs at the end).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from shegong.core.tests.test_audit_completeness import TODAY, Arranged, World, case, fresh

from .. import services
from ..models import Application
from . import factories as f

DAY = datetime.timedelta(days=1)


def _accepted(w: World, **fields: Any) -> Application:
    return f.make_application(w.village, accepted_on=f.days_ago(20), **fields)


def _investigating(w: World) -> Application:
    """An application whose investigation started 20 days ago (nothing recorded yet)."""
    township, _county = f.officers(w.village)
    a = _accepted(w)
    return services.investigation_start(
        actor=township, application=a, on=a.accepted_on, version=a.version
    )


def _investigated(w: World) -> Application:
    """Visited, income recorded, form signed, data matching done, 20 days ago."""
    on = f.days_ago(20)
    return f.investigate(f.make_application(w.village, accepted_on=on), on=on)


def _on_notice(w: World) -> Application:
    """Investigated and on notice from 20 days ago (the notice has ended)."""
    a = _investigated(w)
    return f.put_on_notice(a, a.accepted_on)


def _decided(w: World, approve: bool = True) -> Application:
    a = f.at_county(w.village)
    assert a.county_received_on is not None
    return f.decide_case(
        a, a.county_received_on + DAY, approve=approve, refusal_reasons="" if approve else "有车"
    )


def _hardship_investigating(w: World) -> Application:
    township, _county = f.officers(w.village)
    a = f.make_hardship_application(
        w.village, birth=datetime.date(1950, 3, 1), accepted_on=f.days_ago(20)
    )
    return services.investigation_start(
        actor=township, application=a, on=a.accepted_on, version=a.version
    )


# --- acceptance -------------------------------------------------------------------------------


@case("programme", "household", "materials_missing", "separately_registered")
def _application_accept(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    f.make_standard(w.village)
    household = w.household(head_name="王秀英")
    head = household.members.get()
    return township, lambda: services.application_accept(
        actor=township,
        household=household,
        applicant=head,
        programme="dibao",
        area="rural",
        channel="written",
        applied_by="household",
        reasons="丈夫因病去世,无稳定收入",
        accepted_on=TODAY,
        consent_data_matching=False,
    )


@case("on", "materials_missing")
def _materials_complete(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _accepted(w, consent=False)
    return township, lambda: services.materials_complete(
        actor=township, application=a, on=TODAY, version=a.version
    )


@case("on", "counted", "excluded")
def _investigation_start(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _accepted(w)
    spouse = a.household.members.get(relation="spouse")
    return township, lambda: services.investigation_start(
        actor=township,
        application=a,
        on=TODAY,
        exclusions={spouse.pk: ("prison", "")},
        version=a.version,
    )


@case("person", "exclusion", "note")
def _member_set(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    member = a.members.exclude(person=a.applicant).first()
    return township, lambda: services.member_set(
        actor=township,
        application=a,
        member=member,
        exclusion="not_co_resident",
        note="已成年,在外地独立生活",
        version=a.version,
    )


# --- investigation ----------------------------------------------------------------------------


@case("on", "investigators", "remote")
def _visit_add(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    return township, lambda: services.visit_add(
        actor=township,
        application=a,
        visited_on=TODAY,
        investigators="张三、李四",
        members_present="王建国",
        findings="住房简陋",
        signed=True,
        version=a.version,
    )


@case("on", "investigators", "remote")
def _county_visit(w: World) -> Arranged:
    _township, county = f.officers(w.village)
    a = f.at_county(w.village)
    return county, lambda: services.county_visit(
        actor=county,
        application=a,
        visited_on=TODAY,
        investigators="赵五, 钱六",
        members_present="王建国",
        findings="与乡镇调查一致",
        signed=True,
        version=a.version,
    )


@case("who")
def _interview_add(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    return township, lambda: services.interview_add(
        actor=township,
        application=a,
        on=TODAY,
        who="邻居张某",
        said="户主常年患病",
        version=a.version,
    )


@case("description", "file")
def _evidence_add(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    return township, lambda: services.evidence_add(
        actor=township, application=a, description="诊断证明", version=a.version
    )


@case("source", "yearly")
def _income_add(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    return township, lambda: services.income_add(
        actor=township, application=a, source="business", yearly="1200.50", version=a.version
    )


@case("kind", "value", "exempt")
def _asset_add(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    return township, lambda: services.asset_add(
        actor=township, application=a, kind="deposits", value="3000", version=a.version
    )


@case("description", "yearly")
def _deduction_add(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    return township, lambda: services.deduction_add(
        actor=township, application=a, description="慢性病药费", yearly="2400", version=a.version
    )


@case("kind", "item")
def _item_remove(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    income = services.income_add(
        actor=township, application=a, source="wages", yearly="100", version=a.version
    )
    return township, lambda: services.item_remove(
        actor=township, application=a, kind="income", pk=income.pk, version=fresh(a).version
    )


@case("on")
def _form_sign(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    services.visit_add(
        actor=township,
        application=a,
        visited_on=a.accepted_on,
        investigators="张三, 李四",
        members_present="王建国",
        findings="住房简陋",
        signed=True,
        version=a.version,
    )
    return township, lambda: services.form_sign(
        actor=township, application=a, on=TODAY, version=fresh(a).version
    )


@case("on")
def _matching_request(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    return township, lambda: services.matching_request(
        actor=township, application=a, on=TODAY, version=a.version
    )


@case("on", "assets_flagged")
def _matching_result(w: World) -> Arranged:
    township, county = f.officers(w.village)
    a = _investigating(w)
    a = services.matching_request(
        actor=township, application=a, on=a.accepted_on, version=a.version
    )
    return county, lambda: services.matching_result(
        actor=county,
        application=a,
        on=TODAY,
        findings="未发现车辆",
        assets_flagged=False,
        version=a.version,
    )


# --- opinion, notice, objection, review ---------------------------------------------------------


@case("opinion", "proposed_amount", "notice_from", "notice_to")
def _opinion_give(w: World) -> Arranged:
    a = _investigated(w)
    township, _county = f.officers(w.village)
    return township, lambda: f.put_on_notice(a, TODAY - 6 * DAY)


@case("on")
def _objection_record(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _on_notice(w)
    return township, lambda: services.objection_record(
        actor=township, application=a, on=TODAY, note="邻居反映家中有车", version=a.version
    )


@case("members", "present", "in_favour", "against", "valid", "passed")
def _review_record(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _on_notice(w)
    return township, lambda: services.review_record(
        actor=township,
        application=a,
        held_on=TODAY,
        members=9,
        present=6,
        in_favour=4,
        against=2,
        record="评议记录",
        version=a.version,
    )


@case("on", "spot_check")
def _to_county(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _on_notice(w)
    return township, lambda: f.send_to_county(a, TODAY)


# --- the county ---------------------------------------------------------------------------------


@case("approved", "amount", "payment_from", "refusal_reasons")
def _decide(w: World) -> Arranged:
    _township, county = f.officers(w.village)
    a = f.at_county(w.village)
    return county, lambda: services.decide(
        actor=county, application=a, on=TODAY - 40 * DAY, approve=True, version=a.version
    )


@case("on")
def _notify(w: World) -> Arranged:
    _township, county = f.officers(w.village)
    a = _decided(w, approve=False)
    return county, lambda: services.notify(actor=county, application=a, on=TODAY, version=a.version)


@case("on")
def _publish(w: World) -> Arranged:
    _township, county = f.officers(w.village)
    a = _decided(w)
    return county, lambda: services.publish(
        actor=county, application=a, on=TODAY, version=a.version
    )


@case("reason")
def _extend(w: World) -> Arranged:
    _township, county = f.officers(w.village)
    a = _investigating(w)
    return county, lambda: services.extend(
        actor=county, application=a, reason="申请人外出务工,核查需延期", version=a.version
    )


# --- withdrawal and complaints ------------------------------------------------------------------


@case("reason")
def _withdraw(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _accepted(w)
    return township, lambda: services.withdraw(
        actor=township, application=a, on=TODAY, reason="申请人自愿撤回", version=a.version
    )


@case("note")
def _complaint_record(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _investigating(w)
    return township, lambda: services.complaint_record(
        actor=township, application=a, note="有群众举报其子女有稳定工作", version=a.version
    )


# --- special hardship ---------------------------------------------------------------------------


@case("person", "tier")
def _care_check(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _hardship_investigating(w)
    items = dict.fromkeys(("eating", "dressing", "transfer", "toileting", "walking"), True)
    return township, lambda: services.care_check(
        actor=township,
        application=a,
        person=a.applicant,
        checked_on=TODAY,
        items={**items, "bathing": False},
        version=a.version,
    )


@case("supporter_able", "disability_kind", "support_mode")
def _hardship_facts_set(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    a = _hardship_investigating(w)
    return township, lambda: services.hardship_facts_set(
        actor=township,
        application=a,
        supporters="无子女,配偶已去世",
        supporter_able=False,
        disability_kind="",
        support_mode="home",
        version=a.version,
    )


@case("person", "tier", "late")
def _care_reassess(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    award = f.make_hardship_award(w.village)
    items = dict.fromkeys(("eating", "dressing", "transfer", "toileting", "walking", "bathing"), 1)
    return township, lambda: services.care_reassess(
        actor=township,
        award=award,
        person=award.application.applicant,
        change_reported_on=TODAY - 3 * DAY,
        checked_on=TODAY,
        items={k: bool(v) for k, v in items.items()},
        version=award.version,
    )


# --- standards and a county's choices -------------------------------------------------------------


@case("area", "valid_from", "monthly", "yearly", "hardship_basic")
def _standard_enter(w: World) -> Arranged:
    from shegong.core.models import Region

    _township, county = f.officers(w.village)
    region = Region.objects.get(code=f.county_of(w.village))
    return county, lambda: services.standard_enter(
        actor=county,
        region=region,
        area="urban",
        valid_from=TODAY,
        monthly="600",
        hardship_basic="780",
        care_self="50",
        care_partial="150",
        care_full="300",
        note="固政〔2026〕1号",
    )


@case("amount_method", "bands", "review_every_case", "abc_schedule")
def _policy_set(w: World) -> Arranged:
    from shegong.core.models import Region

    _township, county = f.officers(w.village)
    region = Region.objects.get(code=f.county_of(w.village))
    return county, lambda: services.policy_set(
        actor=county,
        region=region,
        amount_method="bands",
        bands=[{"below": "100", "amount": "200"}, {"below": "200", "amount": "100"}],
        review_every_case=True,
        abc_schedule=False,
    )


# --- after approval -------------------------------------------------------------------------------


@case("outcome", "reason", "amount", "next_review_on")
def _award_review(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    award = f.make_award(w.village)
    return township, lambda: services.award_review(
        actor=township,
        award=award,
        reviewed_on=TODAY,
        outcome="adjust",
        reason="家庭收入增加",
        amount_after=award.amount - Decimal("100"),
        version=award.version,
    )


@case("person", "job", "refused")
def _job_offer_record(w: World) -> Arranged:
    township, _county = f.officers(w.village)
    award = f.make_award(w.village)
    person = award.household.members.get(relation="spouse")
    return township, lambda: services.job_offer_record(
        actor=township,
        award=award,
        person=person,
        offered_on=TODAY,
        job="县城物业保洁",
        refused=True,
        version=award.version,
    )


# --- third-party checks and the social worker's assessment ----------------------------------------


def _contract_create(w: World) -> tuple[Any, Any, Any]:
    """(county officer, the agency, the call contracting it to check every decision of the
    world's county in the last 60 days: at least the one decided here)."""
    from shegong.core.models import Region
    from shegong.workforce.tests.factories import organisation_factory

    _decided(w)
    _township, county = f.officers(w.village)
    agency = organisation_factory(region_code=w.village, marker="核查机构")
    return (
        county,
        agency,
        lambda: services.check_contract_create(
            actor=county,
            county=Region.objects.get(code=f.county_of(w.village)),
            organisation=agency,
            title="低保认定第三方核查",
            period_from=TODAY - 60 * DAY,
            period_to=TODAY,
            sample_percent=100,
        ),
    )


def _contract(w: World) -> tuple[Any, Any]:
    """A contract with its sample drawn, and an evaluator of its agency."""
    from shegong.conftest import make_user

    _county, agency, create = _contract_create(w)
    evaluator = make_user("audit_evaluator", "evaluator", f.county_of(w.village), agency)
    return create(), evaluator


@case("organisation", "sample_percent", "strata", "decided", "sampled", "seed")
def _check_contract_create(w: World) -> Arranged:
    county, _agency, create = _contract_create(w)
    return county, create


@case("verdict", "reasons")
def _sample_verdict(w: World) -> Arranged:
    contract, evaluator = _contract(w)
    sample = contract.samples.first()
    return evaluator, lambda: services.sample_verdict(
        actor=evaluator,
        sample=sample,
        verdict="wrongly_included",
        reasons="入户发现家中有营运车辆",
        checked_on=TODAY,
    )


@case("returned", "discrepancies")
def _samples_return(w: World) -> Arranged:
    contract, evaluator = _contract(w)
    services.sample_verdict(
        actor=evaluator,
        sample=contract.samples.first(),
        verdict="right",
        reasons="",
        checked_on=TODAY,
    )
    return evaluator, lambda: services.samples_return(actor=evaluator, contract=contract, on=TODAY)


@case("assessment", "note")
def _assessment_attach(w: World) -> Arranged:
    from shegong.casework.models import Case
    from shegong.casework.tests.factories import make_assessment

    township, _county = f.officers(w.village)
    case_ = w.case()
    f.make_standard(w.village)
    household = case_.household
    application = services.application_accept(
        actor=township,
        household=household,
        applicant=household.members.get(relation="head"),
        programme="dibao",
        area="rural",
        channel="written",
        applied_by="household",
        reasons="丈夫因病去世,家中缺少劳动力",
        accepted_on=TODAY,
        consent_data_matching=True,
    )
    assessment = make_assessment(region_code=w.village, case=Case.objects.get(pk=case_.pk))
    return w.worker, lambda: services.assessment_attach(
        actor=w.worker,
        application=application,
        assessment=assessment,
        note="户主有就业意愿,需技能培训",
        version=application.version,
    )


# --- monitoring (monitor_run, alert_close, ...) ---------------------------------------------------


MONITOR_KEYS = (
    "on",
    "county",
    "rules",
    "review_overdue",
    "income_above",
    "member_working",
    "size_changed",
    "member_gone",
    "assets_flagged",
    "hardship_condition",
    "near_poor",
    "opened",
)


@case(*MONITOR_KEYS, system="the daily monitoring run is started by cron, not by a user")
def _monitor_run(w: World) -> Arranged:
    from ..services.monitoring import monitor_run

    award = f.award_factory(region_code=w.village, marker="监测")
    return None, lambda: monitor_run(on=award.next_review_on + DAY, county=f.county_of(w.village))


@case("rule", "outcome")
def _alert_close(w: World) -> Arranged:
    from ..models import Alert
    from ..services.monitoring import alert_close, monitor_run

    award = f.award_factory(region_code=w.village, marker="预警")
    monitor_run(on=award.next_review_on + DAY, county=f.county_of(w.village))
    alert = Alert.objects.get(award=award, rule="review_overdue")
    township, _county = f.officers(w.village)
    return township, lambda: alert_close(actor=township, alert=alert, outcome="已入户复核")


# --- payments (payment_list_build, ...) -----------------------------------------------------------


def _paying_county(w: World) -> tuple[Any, Any, datetime.date]:
    """An award paying this month in the world's village; (county officer, county, month)."""
    from shegong.core.models import Region

    f.award_factory(region_code=w.village, marker="发放")
    _township, county = f.officers(w.village)
    return county, Region.objects.get(code=f.county_of(w.village)), TODAY.replace(day=1)


@case("month", "rebuilt", "households", "persons", "total")
def _payment_list_build(w: World) -> Arranged:
    from ..services.payments import payment_list_build

    officer, county, month = _paying_county(w)
    return officer, lambda: payment_list_build(actor=officer, county=county, month=month)


@case("month", "status", "households", "persons", "total")
def _payment_list_finalise(w: World) -> Arranged:
    from ..services.payments import payment_list_build, payment_list_finalise

    officer, county, month = _paying_county(w)
    payment_list = payment_list_build(actor=officer, county=county, month=month)
    return officer, lambda: payment_list_finalise(actor=officer, payment_list=payment_list)
