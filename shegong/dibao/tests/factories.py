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
from ..models import Application, Award, Standard

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


@register_factory(Application)
def application_factory(*, region_code: str, marker: str, owner=None) -> Application:
    return make_application(region_code, marker=marker)


@register_factory(Award)
def award_factory(*, region_code: str, marker: str, owner=None) -> Award:
    return make_award(region_code, marker=marker)


@register_factory(Standard)
def standard_factory(*, region_code: str, marker: str, owner=None) -> Standard:
    return make_standard(region_code)
