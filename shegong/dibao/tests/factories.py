"""Dibao records for tests: a county standard, and applications at any step of the procedure,
made through the services (so every row is as the pages would leave it)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shegong.core.testing import next_seq, register_factory
from shegong.registry.tests.factories import make_household, make_person

from .. import services
from ..models import (
    Alert,
    Application,
    ApplicationStep,
    Asset,
    Award,
    CheckContract,
    CheckSample,
    CountyPolicy,
    Deduction,
    DemocraticReview,
    Evidence,
    HomeVisit,
    Income,
    Interview,
    JobRefusal,
    Member,
    PaymentLine,
    PaymentList,
    Review,
    SelfCareCheck,
    Standard,
)

HENAN_2016_RURAL_YEARLY = Decimal("2960")


def county_of(code: str) -> str:
    return code[:6] + "000000"


def township_of(code: str) -> str:
    return code[:9] + "000"


def officers(village: str) -> tuple[Any, Any]:
    """(a township officer of the village's township, a civil-affairs officer of its county),
    made once per test database."""
    from shegong.conftest import make_user
    from shegong.core.models import User

    t_name, c_name = f"tsp{township_of(village)[:9]}", f"cty{county_of(village)[:6]}"
    township = User.objects.filter(username=t_name).first() or make_user(
        t_name, "township_officer", township_of(village)
    )
    county = User.objects.filter(username=c_name).first() or make_user(
        c_name, "civil_affairs_officer", county_of(village)
    )
    return township, county


def make_standard(
    village: str,
    *,
    valid_from: datetime.date = datetime.date(2016, 1, 1),
    yearly: Decimal = HENAN_2016_RURAL_YEARLY,
    area: str = "rural",
) -> Standard:
    existing = Standard.objects.filter(
        region_id=county_of(village), area=area, valid_from=valid_from
    ).first()
    if existing:
        return existing
    _township, county = officers(village)
    from shegong.core.models import Region

    monthly = (yearly / 12).quantize(Decimal("0.01"))
    return services.standard_enter(
        actor=county,
        region=Region.objects.get(code=county_of(village)),
        area=area,
        valid_from=valid_from,
        yearly=yearly,
        hardship_basic=(monthly * Decimal("1.3")).quantize(Decimal("0.01")) + 1,
        care_self=Decimal("50"),
        care_partial=Decimal("150"),
        care_full=Decimal("300"),
        note="豫民〔2016〕测试",
    )


def make_application(
    village: str,
    *,
    programme: str = "dibao",
    accepted_on: datetime.date | None = None,
    consent: bool = True,
    marker: str = "",
    members: int = 3,
    **fields: Any,
) -> Application:
    township, _county = officers(village)
    make_standard(village)
    household = make_household(village, head_name=f"{marker}王建国"[:20])
    for k in range(members - 1):
        make_person(household, f"{marker}王{k}"[:20], relation="son" if k else "spouse")
    household.member_count = members
    household.save()
    head = household.members.get(relation="head")
    return services.application_accept(
        actor=township,
        household=household,
        applicant=head,
        programme=programme,
        area="rural",
        channel="written",
        applied_by="household",
        reasons=f"{marker}因病致贫,无稳定收入",
        accepted_on=accepted_on or timezone.localdate(),
        consent_data_matching=consent,
        **fields,
    )


def investigate(
    application: Application,
    *,
    on: datetime.date | None = None,
    yearly_income: Decimal = Decimal("3600"),
) -> Application:
    """Start the investigation, visit with two investigators, record income, sign the form,
    request and receive data matching."""
    on = on or application.accepted_on
    township, county = officers(application.region_id)
    a = services.investigation_start(
        actor=township, application=application, on=on, version=application.version
    )
    services.visit_add(
        actor=township,
        application=a,
        visited_on=on,
        investigators="张三, 李四",
        members_present="王建国",
        findings="住房简陋,户主患病",
        signed=True,
        version=a.version,
    )
    a.refresh_from_db()
    services.income_add(
        actor=township, application=a, source="wages", yearly=yearly_income, version=a.version
    )
    a.refresh_from_db()
    a = services.form_sign(actor=township, application=a, on=on, version=a.version)
    a = services.matching_request(actor=township, application=a, on=on, version=a.version)
    a = services.matching_result(
        actor=county,
        application=a,
        on=on,
        findings="未发现车辆、房产",
        assets_flagged=False,
        version=a.version,
    )
    return a


DAY = datetime.timedelta(days=1)


def days_ago(n: int) -> datetime.date:
    """A day `n` days before today (services refuse dates in the future)."""
    return timezone.localdate() - n * DAY


def put_on_notice(
    application: Application,
    on: datetime.date,
    *,
    opinion: str = "approve",
    reasons: str = "家庭人均收入低于标准",
    notice_days: int = 7,
) -> Application:
    """The township's first opinion on `on`, on notice from that day for `notice_days` days."""
    township, _county = officers(application.region_id)
    return services.opinion_give(
        actor=township,
        application=application,
        on=on,
        opinion=opinion,
        reasons=reasons,
        notice_from=on,
        notice_to=on + (notice_days - 1) * DAY,
        version=application.version,
    )


def send_to_county(application: Application, on: datetime.date | None = None) -> Application:
    """File to the county the day after the notice ends (or on `on`)."""
    township, _county = officers(application.region_id)
    assert application.notice_to is not None
    return services.to_county(
        actor=township,
        application=application,
        on=on or application.notice_to + DAY,
        version=application.version,
    )


def county_visit(application: Application, on: datetime.date, findings: str = "属实") -> Any:
    _township, county = officers(application.region_id)
    return services.county_visit(
        actor=county,
        application=application,
        visited_on=on,
        investigators="赵五, 钱六",
        members_present="王建国",
        findings=findings,
        signed=True,
        version=application.version,
    )


def decide_case(
    application: Application,
    on: datetime.date,
    *,
    approve: bool = True,
    refusal_reasons: str = "",
    irregular_income: bool = False,
) -> Application:
    """The county's decision on `on`, after its own home visit where one is needed."""
    _township, county = officers(application.region_id)
    if (
        application.spot_check or application.separately_registered or application.complaint
    ) and application.county_visit_on is None:
        county_visit(application, application.county_received_on or on)
        application.refresh_from_db()
    return services.decide(
        actor=county,
        application=application,
        on=on,
        approve=approve,
        refusal_reasons=refusal_reasons,
        irregular_income=irregular_income,
        version=application.version,
    )


def at_county(
    village: str,
    *,
    accepted_on: datetime.date | None = None,
    marker: str = "",
    yearly_income: Decimal = Decimal("3600"),
    **fields: Any,
) -> Application:
    """An application filed to the county: accepted, investigated and on notice on
    `accepted_on` (60 days ago unless given), filed the day after its 7-day notice ends."""
    on = accepted_on or days_ago(60)
    a = make_application(village, accepted_on=on, marker=marker, **fields)
    a = investigate(a, on=on, yearly_income=yearly_income)
    a = put_on_notice(a, on, reasons=f"{marker}家庭人均收入低于标准")
    return send_to_county(a)


def make_award(
    village: str,
    *,
    accepted_on: datetime.date | None = None,
    marker: str = "",
    members: int = 3,
    yearly_income: Decimal = Decimal("3600"),
    irregular_income: bool = False,
) -> Award:
    """An award decided ten days after acceptance (60 days ago unless given)."""
    on = accepted_on or days_ago(60)
    a = at_county(
        village, accepted_on=on, marker=marker, members=members, yearly_income=yearly_income
    )
    a = decide_case(a, on + 10 * DAY, irregular_income=irregular_income)
    return a.award


def make_hardship_application(
    village: str,
    *,
    birth: datetime.date,
    disability_grade: int | None = None,
    accepted_on: datetime.date | None = None,
    marker: str = "",
) -> Application:
    """A one-person household applying for special hardship, its applicant born on `birth`."""
    from shegong.registry.models import Household

    township, _county = officers(village)
    make_standard(village)
    household = Household.objects.create(
        number=f"4100{next_seq():012d}", region_id=village, member_count=1
    )
    head = make_person(
        household,
        f"{marker}李老汉"[:20],
        relation="head",
        birth=birth.strftime("%Y%m%d"),
        disability_grade=disability_grade,
    )
    return services.application_accept(
        actor=township,
        household=household,
        applicant=head,
        programme="hardship",
        area="rural",
        channel="written",
        applied_by="household",
        reasons=f"{marker}无劳动能力,无生活来源",
        accepted_on=accepted_on or timezone.localdate(),
        consent_data_matching=True,
    )


def make_hardship_award(
    village: str,
    *,
    birth: datetime.date = datetime.date(1950, 3, 1),
    accepted_on: datetime.date | None = None,
    marker: str = "",
) -> Award:
    """Special-hardship support decided ten days after acceptance (60 days ago unless given):
    no income, no able supporter, supported at home."""
    on = accepted_on or days_ago(60)
    township, _county = officers(village)
    a = make_hardship_application(village, birth=birth, accepted_on=on, marker=marker)
    a = investigate(a, on=on, yearly_income=Decimal("0"))
    a = services.hardship_facts_set(
        actor=township,
        application=a,
        supporters=f"{marker}无法定义务人",
        supporter_able=False,
        disability_kind="",
        support_mode="home",
        version=a.version,
    )
    a = put_on_notice(a, on, reasons=f"{marker}符合特困人员认定条件")
    a = send_to_county(a)
    return decide_case(a, on + 10 * DAY).award


@register_factory(Application)
def application_factory(*, region_code: str, marker: str, owner=None) -> Application:
    return make_application(region_code, marker=marker)


@register_factory(Award)
def award_factory(*, region_code: str, marker: str, owner=None) -> Award:
    return make_award(region_code, marker=marker)


@register_factory(Standard)
def standard_factory(*, region_code: str, marker: str, owner=None) -> Standard:
    return make_standard(region_code)


# --- a factory for every scoped model (the jurisdiction harness makes one inside and one outside
# each persona's region, and checks the outside one's marker never reaches the persona) ----------


def _county_region(region_code: str) -> Any:
    from shegong.core.models import Region

    return Region.objects.get(code=county_of(region_code))


def _investigating(region_code: str, marker: str) -> Application:
    township, _county = officers(region_code)
    a = make_application(region_code, marker=marker, accepted_on=days_ago(20))
    return services.investigation_start(
        actor=township, application=a, on=a.accepted_on, version=a.version
    )


@register_factory(CountyPolicy)
def county_policy_factory(*, region_code: str, marker: str, owner=None) -> CountyPolicy:
    # No text field: the policy is the county's (one per county, set again if it exists).
    _township, county = officers(region_code)
    return services.policy_set(
        actor=county,
        region=_county_region(region_code),
        amount_method="gap",
        bands=[],
        review_every_case=False,
        abc_schedule=False,
    )


@register_factory(ApplicationStep)
def step_factory(*, region_code: str, marker: str, owner=None) -> ApplicationStep:
    township, _county = officers(region_code)
    a = make_application(region_code, marker=marker, accepted_on=days_ago(20))
    services.complaint_record(actor=township, application=a, note=marker, version=a.version)
    return ApplicationStep.objects.get(application=a, step="complaint")


@register_factory(HomeVisit)
def visit_factory(*, region_code: str, marker: str, owner=None) -> HomeVisit:
    township, _county = officers(region_code)
    a = _investigating(region_code, marker)
    return services.visit_add(
        actor=township,
        application=a,
        visited_on=a.accepted_on,
        investigators="张三, 李四",
        members_present=f"{marker}王建国"[:200],
        findings=marker,
        signed=True,
        version=a.version,
    )


@register_factory(Interview)
def interview_factory(*, region_code: str, marker: str, owner=None) -> Interview:
    township, _county = officers(region_code)
    a = _investigating(region_code, marker)
    return services.interview_add(
        actor=township,
        application=a,
        on=a.accepted_on,
        who=f"邻居{marker}"[:100],
        said=marker,
        version=a.version,
    )


@register_factory(Evidence)
def evidence_factory(*, region_code: str, marker: str, owner=None) -> Evidence:
    township, _county = officers(region_code)
    a = _investigating(region_code, marker)
    return services.evidence_add(
        actor=township, application=a, description=marker[:200], version=a.version
    )


@register_factory(Member)
def member_factory(*, region_code: str, marker: str, owner=None) -> Member:
    """An excluded member, the exclusion's note the marker."""
    township, _county = officers(region_code)
    a = make_application(region_code, marker=marker, accepted_on=days_ago(20))
    spouse = a.household.members.get(relation="spouse")
    services.investigation_start(
        actor=township,
        application=a,
        on=a.accepted_on,
        exclusions={spouse.pk: ("not_co_resident", marker[:200])},
        version=a.version,
    )
    return Member.objects.get(application=a, person=spouse)


@register_factory(Income)
def income_factory(*, region_code: str, marker: str, owner=None) -> Income:
    township, _county = officers(region_code)
    a = _investigating(region_code, marker)
    return services.income_add(
        actor=township,
        application=a,
        source="wages",
        yearly="1200",
        note=marker[:200],
        version=a.version,
    )


@register_factory(Asset)
def asset_factory(*, region_code: str, marker: str, owner=None) -> Asset:
    township, _county = officers(region_code)
    a = _investigating(region_code, marker)
    return services.asset_add(
        actor=township,
        application=a,
        kind="vehicle",
        value="8000",
        note=marker[:200],
        version=a.version,
    )


@register_factory(Deduction)
def deduction_factory(*, region_code: str, marker: str, owner=None) -> Deduction:
    township, _county = officers(region_code)
    a = _investigating(region_code, marker)
    return services.deduction_add(
        actor=township, application=a, description=marker[:200], yearly="2400", version=a.version
    )


@register_factory(DemocraticReview)
def review_meeting_factory(*, region_code: str, marker: str, owner=None) -> DemocraticReview:
    township, _county = officers(region_code)
    a = _investigating(region_code, marker)
    return services.review_record(
        actor=township,
        application=a,
        held_on=a.accepted_on,
        members=9,
        present=7,
        in_favour=6,
        against=1,
        record=marker,
        version=a.version,
    )


@register_factory(SelfCareCheck)
def care_check_factory(*, region_code: str, marker: str, owner=None) -> SelfCareCheck:
    # No text field: the person checked carries the marker in their name.
    township, _county = officers(region_code)
    a = make_hardship_application(
        region_code, birth=datetime.date(1950, 3, 1), accepted_on=days_ago(20), marker=marker
    )
    a = services.investigation_start(
        actor=township, application=a, on=a.accepted_on, version=a.version
    )
    return services.care_check(
        actor=township,
        application=a,
        person=a.applicant,
        checked_on=a.accepted_on,
        items={"eating": True, "dressing": True, "transfer": False},
        version=a.version,
    )


@register_factory(Review)
def award_review_factory(*, region_code: str, marker: str, owner=None) -> Review:
    township, _county = officers(region_code)
    award = make_award(region_code, marker=marker)
    return services.award_review(
        actor=township,
        award=award,
        reviewed_on=timezone.localdate(),
        outcome="continue",
        reason=marker,
        version=award.version,
    )


@register_factory(JobRefusal)
def job_offer_factory(*, region_code: str, marker: str, owner=None) -> JobRefusal:
    township, _county = officers(region_code)
    award = make_award(region_code, marker=marker)
    return services.job_offer_record(
        actor=township,
        award=award,
        person=award.household.members.get(relation="spouse"),
        offered_on=timezone.localdate(),
        job=marker[:200],
        refused=False,
        version=award.version,
    )


def _free_month() -> datetime.date:
    n = next_seq()
    return datetime.date(2000 + n // 12 % 26, n % 12 + 1, 1)


@register_factory(PaymentList)
def payment_list_factory(*, region_code: str, marker: str, owner=None) -> PaymentList:
    # No text field. Made directly: a list of its own month, no lines.
    return PaymentList.objects.create(region=_county_region(region_code), month=_free_month())


@register_factory(PaymentLine)
def payment_line_factory(*, region_code: str, marker: str, owner=None) -> PaymentLine:
    # No text field: the snapshot names the household's members (the marker in their names).
    award = make_award(region_code, marker=marker)
    payments = PaymentList.objects.create(region=_county_region(region_code), month=_free_month())
    return PaymentLine.objects.create(
        payment_list=payments,
        region_id=award.region_id,
        month=payments.month,
        award=award,
        household=award.household,
        amount=award.amount,
        members=award.members,
        snapshot=award.snapshot,
    )


@register_factory(Alert)
def alert_factory(*, region_code: str, marker: str, owner=None) -> Alert:
    from shegong.core.models import RuleSet

    household = make_household(region_code, head_name=f"{marker}王建国"[:20])
    return Alert.objects.create(
        region_id=region_code,
        household=household,
        rule="income_rise",
        detail=marker[:300],
        opened_on=timezone.localdate(),
        rules=RuleSet.objects.filter(kind="dibao_review").order_by("-valid_from").first(),
    )


def _evaluator(organisation: Any, region_code: str) -> Any:
    from shegong.conftest import make_user

    return make_user(f"ev{next_seq()}", "evaluator", county_of(region_code), organisation)


def _contract(region_code: str, marker: str) -> tuple[CheckContract, Application]:
    """A contract drawing every decision of the county on the day this one was decided."""
    from shegong.workforce.tests.factories import organisation_factory

    award = make_award(region_code, marker=marker)
    decided_on = award.application.decided_on
    assert decided_on is not None
    _township, county = officers(region_code)
    contract = services.check_contract_create(
        actor=county,
        county=_county_region(region_code),
        organisation=organisation_factory(region_code=region_code, marker=f"{marker}核查机构"),
        title=marker[:200],
        period_from=decided_on,
        period_to=decided_on,
        sample_percent=100,
    )
    return contract, award.application


@register_factory(CheckContract)
def check_contract_factory(*, region_code: str, marker: str, owner=None) -> CheckContract:
    return _contract(region_code, marker)[0]


@register_factory(CheckSample)
def check_sample_factory(*, region_code: str, marker: str, owner=None) -> CheckSample:
    """This application's sample, found wrongly included with the marker as the reasons."""
    contract, application = _contract(region_code, marker)
    return services.sample_verdict(
        actor=_evaluator(contract.organisation, region_code),
        sample=contract.samples.get(application=application),
        verdict="wrongly_included",
        reasons=marker,
        checked_on=timezone.localdate(),
    )
