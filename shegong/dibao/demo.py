"""Demo Dibao: Henan's 2016 rural standard (2,960 yuan a year) for 固始 and 新蔡, and a handful
of applications in 固始's first township at different steps, written through the services so
every record is one the township and the county could have made. Each demo application says
(演示数据) in its reasons. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shegong.core.demo import GUSHI, XINCAI, register_demo
from shegong.core.models import Region, User
from shegong.registry.models import Household

from . import services
from .models import Application, Standard

DEMO = "(演示数据)"
TOWNSHIP = "411525001"
# Henan 2016–17: rural standard 2,960 yuan per person per year (246.67 a month); the
# special-hardship basic standard at least 1.3 × that; care standards per tier (yuan a month).
YEARLY = Decimal("2960")
HARDSHIP_BASIC = Decimal("321")
CARE = {"care_self": Decimal("60"), "care_partial": Decimal("150"), "care_full": Decimal("300")}
STANDARD_FROM = datetime.date(2016, 1, 1)

# (reasons, step to reach, programme, days ago accepted)
STORIES: list[tuple[str, str, str, int]] = [
    ("户主患慢性病,家中无稳定收入,材料尚未带齐", "accepted", "dibao", 2),
    ("丈夫因病去世,两个孩子上学,靠零工维持", "investigating", "dibao", 8),
    ("户主残疾,妻子照料,无劳动收入", "notice", "dibao", 5),
    ("老两口年迈多病,子女外出务工少有接济", "county", "dibao", 20),
    ("户主重病,长期住院,家庭收入低于标准", "approved", "dibao", 28),
    ("独居老人,无劳动能力,无法定赡养人", "accepted", "hardship", 1),
]


def _standards(officers: dict[str, Any]) -> int:
    made = 0
    for county in (GUSHI, XINCAI):
        actor = officers.get(county)
        if actor is None or Standard.objects.filter(region_id=county, area="rural").exists():
            continue
        services.standard_enter(
            actor=actor,
            region=Region.objects.get(code=county),
            area="rural",
            valid_from=STANDARD_FROM,
            yearly=YEARLY,
            hardship_basic=HARDSHIP_BASIC,
            note="河南省2016年农村低保标准(每人每年2960元)" + DEMO,
            **CARE,
        )
        made += 1
    return made


def _fresh(a: Application) -> Application:
    return Application.objects.get(pk=a.pk)


def _investigate(a: Application, township: Any, county: Any, on: datetime.date) -> Application:
    a = services.investigation_start(actor=township, application=a, on=on, version=a.version)
    head = a.household.members.filter(relation="head").first()
    services.visit_add(
        actor=township,
        application=a,
        visited_on=on,
        investigators="陈明, 刘芳",
        members_present=head.name if head else "户主",
        findings="住房为砖木结构,家中无大件电器,户主患病在家" + DEMO,
        signed=True,
        version=a.version,
    )
    a = _fresh(a)
    services.income_add(
        actor=township,
        application=a,
        source="wages",
        yearly=Decimal("1800"),
        note="家庭成员零星务工",
        version=a.version,
    )
    a = _fresh(a)
    a = services.form_sign(actor=township, application=a, on=on, version=a.version)
    a = services.matching_request(actor=township, application=a, on=on, version=a.version)
    return services.matching_result(
        actor=county,
        application=a,
        on=on,
        findings="未发现机动车辆、商品房和大额存款",
        assets_flagged=False,
        version=a.version,
    )


def _advance(a: Application, target: str, township: Any, county: Any, start: datetime.date):
    if target == "accepted":
        return
    day = datetime.timedelta(days=1)
    a = _investigate(a, township, county, start + day)
    if target == "investigating":
        return
    opinion_on = start + 2 * day
    a = services.opinion_give(
        actor=township,
        application=a,
        on=opinion_on,
        opinion="approve",
        reasons="家庭月人均收入低于当地低保标准",
        notice_from=opinion_on,
        notice_to=opinion_on + 6 * day,
        version=a.version,
    )
    if target == "notice":
        return
    a = services.to_county(
        actor=township, application=a, on=opinion_on + 8 * day, version=a.version
    )
    if target == "county":
        return
    if a.spot_check:
        services.county_visit(
            actor=county,
            application=a,
            visited_on=opinion_on + 9 * day,
            investigators="县民政局王强, 李娜",
            members_present="户主",
            findings="情况属实",
            signed=True,
            version=a.version,
        )
        a = _fresh(a)
    decided = opinion_on + 11 * day
    a = services.decide(actor=county, application=a, on=decided, approve=True, version=a.version)
    a = services.notify(actor=county, application=a, on=decided + day, version=a.version)
    services.publish(actor=county, application=a, on=decided + 2 * day, version=a.version)


@transaction.atomic
def load() -> dict[str, int]:
    users = {u.username: u for u in User.objects.filter(username__in=_NAMES)}
    officers = {GUSHI: users.get("gushi_officer"), XINCAI: users.get("xincai_officer")}
    standards = _standards(officers)
    township, county = users.get("gushi_township"), users.get("gushi_officer")
    if township is None or county is None:
        return {"dibao_standards": standards, "dibao_applications": 0}
    if Application.objects.filter(region__code__startswith=TOWNSHIP).exists():
        return {"dibao_standards": standards, "dibao_applications": 0}
    households = list(
        Household.objects.filter(region__code__startswith=TOWNSHIP).order_by("number")[
            : len(STORIES)
        ]
    )
    today = timezone.localdate()
    made = 0
    for household, (reasons, target, programme, ago) in zip(households, STORIES, strict=False):
        applicant = household.members.filter(relation="head").first()
        if applicant is None:
            continue
        start = today - datetime.timedelta(days=ago)
        a = services.application_accept(
            actor=township,
            household=household,
            applicant=applicant,
            programme=programme,
            area="rural",
            channel="written",
            applied_by="household",
            reasons=reasons + DEMO,
            accepted_on=start,
            consent_data_matching=ago > 2,
            materials_missing="" if ago > 2 else "户口簿复印件\n近三个月医疗费用票据",
        )
        _advance(a, target, township, county, start)
        made += 1
    return {"dibao_standards": standards, "dibao_applications": made}


_NAMES = ("gushi_officer", "xincai_officer", "gushi_township")

register_demo("dibao", order=50, load=load)
