"""Third-party checks: the system draws a stratified sample, the contracted agency sees only
its samples and records findings, the county reads the discrepancies; a social worker attaches
an assessment."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shegong.conftest import GUSHI, XINCAI, _township, make_org, make_user
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village

from .. import services
from ..models import CheckSample, Stage
from .factories import award_factory, officers

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def villages():
    township = _township(GUSHI)
    return [make_village(township).code, make_village(township).code]


@pytest.fixture
def decided(villages):
    return [
        award_factory(region_code=v, marker=f"核{k}").application
        for k, v in enumerate(villages * 2)
    ]


def _contract(county_officer, org, percent=50):
    return services.check_contract_create(
        actor=county_officer,
        county=Region.objects.get(code=GUSHI),
        organisation=org,
        title="2026 年低保第三方核查",
        period_from=TODAY - datetime.timedelta(days=365),
        period_to=TODAY,
        sample_percent=percent,
    )


def test_the_sample_is_drawn_per_stratum_and_only_the_agency_sees_it(client, villages, decided):
    _township_officer, county = officers(villages[0])
    agency, other = make_org("核查机构", GUSHI), make_org("别的机构", GUSHI)
    contract = _contract(county, agency, percent=50)
    samples = list(contract.samples.all())
    # Four decisions in one township: half of them, drawn at random with the seed kept.
    assert len(samples) == 2 and len(contract.seed) == 16
    assert all(s.application.stage in (Stage.APPROVED, Stage.REFUSED) for s in samples)
    evaluator = make_user("eval_a", "evaluator", GUSHI, agency)
    stranger = make_user("eval_b", "evaluator", GUSHI, other)
    client.force_login(evaluator)
    page = client.get(reverse("dibao:check_detail", args=[contract.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for s in samples:
        assert s.application.number in text
        assert s.application.applicant.id_number not in text  # masked
    client.force_login(stranger)
    assert client.get(reverse("dibao:check_detail", args=[contract.pk])).status_code == 404
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.sample_verdict(
            actor=stranger, sample=samples[0], verdict="right", reasons="", checked_on=TODAY
        )
    assert AuditEvent.objects.count() == before
    assert CheckSample.objects.get(pk=samples[0].pk).verdict == ""


def test_a_wrong_decision_needs_reasons_and_reaches_the_county(client, villages, decided):
    _township_officer, county = officers(villages[0])
    agency = make_org("核查机构", GUSHI)
    contract = _contract(county, agency, percent=100)
    evaluator = make_user("eval_a", "evaluator", GUSHI, agency)
    sample = contract.samples.order_by("id").first()
    with pytest.raises(ValidationError) as no_reason:
        services.sample_verdict(
            actor=evaluator, sample=sample, verdict="wrongly_included", reasons="", checked_on=TODAY
        )
    assert "reasons" in no_reason.value.message_dict
    services.sample_verdict(
        actor=evaluator,
        sample=sample,
        verdict="wrongly_included",
        reasons="家中有营运车辆",
        checked_on=TODAY,
    )
    assert services.samples_return(actor=evaluator, contract=contract, on=TODAY) == 1
    with pytest.raises(ValidationError):  # returned findings no longer change
        services.sample_verdict(
            actor=evaluator, sample=sample, verdict="right", reasons="", checked_on=TODAY
        )
    client.force_login(county)
    page = client.get(reverse("dibao:check_detail", args=[contract.pk])).content.decode()
    assert "家中有营运车辆" in page and "核查发现的问题" in page


def test_a_county_cannot_contract_for_another_county(villages, decided):
    xincai_village = make_village(_township(XINCAI)).code
    _t, xincai_county = officers(xincai_village)
    with pytest.raises(PermissionDenied):
        _contract(xincai_county, make_org("核查机构", GUSHI))


def test_the_new_check_page_refuses_a_period_ending_before_it_starts(client, villages, decided):
    _t, county = officers(villages[0])
    agency = make_org("核查机构", GUSHI)
    client.force_login(county)
    response = client.post(
        reverse("dibao:check_new"),
        {
            "county": GUSHI,
            "organisation": agency.pk,
            "title": "核查",
            "period_from": "2026-06-01",
            "period_to": "2026-01-01",
            "sample_percent": "10",
            "strata": "township",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["period_to"] == ["结束日期不能早于开始日期。"]


def test_a_social_worker_attaches_an_assessment_of_a_case_on_the_same_household(villages):
    from shegong.casework.models import Case
    from shegong.casework.tests.factories import make_assessment, make_case

    from .factories import make_application

    application = make_application(villages[0])
    case = make_case(region_code=villages[0])
    Case.objects.filter(pk=case.pk).update(household=application.household)
    assessment = make_assessment(region_code=villages[0], case=Case.objects.get(pk=case.pk))
    worker = case.worker
    done = services.assessment_attach(
        actor=worker,
        application=application,
        assessment=assessment,
        note="户主有就业意愿,需技能培训",
        version=application.version,
    )
    assert done.assessment == assessment
    other = make_assessment(region_code=villages[0])  # a case on another household
    with pytest.raises(ValidationError):
        services.assessment_attach(
            actor=other.case.worker,
            application=done,
            assessment=other,
            note="x",
            version=done.version,
        )
    township_officer, _county = officers(villages[0])
    with pytest.raises(PermissionDenied):  # not a social worker
        services.assessment_attach(
            actor=township_officer,
            application=done,
            assessment=assessment,
            note="x",
            version=done.version,
        )
