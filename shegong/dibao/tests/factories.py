"""Dibao records for tests: a county standard, and applications at any step of the procedure,
made through the services (so every row is as the pages would leave it)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shegong.core.testing import register_factory
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


@register_factory(Application)
def application_factory(*, region_code: str, marker: str, owner=None) -> Application:
    return make_application(region_code, marker=marker)


@register_factory(Award)
def award_factory(*, region_code: str, marker: str, owner=None) -> Award:
    past = timezone.localdate() - datetime.timedelta(days=60)
    a = investigate(make_application(region_code, marker=marker, accepted_on=past), on=past)
    township, county = officers(region_code)
    a = services.opinion_give(
        actor=township,
        application=a,
        on=past,
        opinion="approve",
        reasons=f"{marker}符合条件",
        notice_from=past,
        notice_to=past + datetime.timedelta(days=6),
        version=a.version,
    )
    a = services.to_county(
        actor=township, application=a, on=past + datetime.timedelta(days=8), version=a.version
    )
    if a.spot_check or a.separately_registered:
        services.county_visit(
            actor=county,
            application=a,
            visited_on=past + datetime.timedelta(days=9),
            investigators="赵五, 钱六",
            members_present="王建国",
            findings="属实",
            signed=True,
            version=a.version,
        )
        a.refresh_from_db()
    a = services.decide(
        actor=county,
        application=a,
        on=past + datetime.timedelta(days=10),
        approve=True,
        version=a.version,
    )
    return a.award


@register_factory(Standard)
def standard_factory(*, region_code: str, marker: str, owner=None) -> Standard:
    return make_standard(region_code)
