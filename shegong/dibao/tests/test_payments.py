"""Monthly payment lists: who is paid, how much, never twice, totals, finalising, the pages and
the bank's spreadsheet."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shegong.conftest import GUSHI, XINCAI, _township
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village

from .. import services
from ..models import Award, AwardStatus, ListStatus, PaymentLine, PaymentList, PaymentPerson
from ..selectors_payments import first_of_month, next_month
from ..services.payments import payment_list_build, payment_list_finalise
from .factories import days_ago, make_award, officers

pytestmark = pytest.mark.django_db


def _prev(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


THIS_MONTH = first_of_month(timezone.localdate())
LAST_MONTH = _prev(THIS_MONTH)
NEXT_MONTH = next_month(THIS_MONTH)


@pytest.fixture
def village():
    return make_village(_township(GUSHI)).code


@pytest.fixture
def xincai_village():
    return make_village(_township(XINCAI)).code


def county(code: str) -> Region:
    return Region.objects.get(code=code[:6] + "000000")


def _award(village: str, marker: str = "", **fields) -> Award:
    """An award paying from last month (decided 50 days ago), then changed by `fields`."""
    award = make_award(village, marker=marker, accepted_on=days_ago(60))
    award.payment_from = LAST_MONTH
    for key, value in fields.items():
        setattr(award, key, value)
    award.save()
    return award


def build(village: str, month: datetime.date = THIS_MONTH) -> PaymentList:
    _township_officer, county_officer = officers(village)
    return payment_list_build(actor=county_officer, county=county(village), month=month)


def test_one_line_per_paying_award_and_none_for_the_others(village):
    paying = _award(village, "甲")
    exiting = _award(
        village, "乙", status=AwardStatus.GRADUAL_EXIT, payment_to=NEXT_MONTH
    )  # gradual exit: paid until its last month
    _award(village, "丙", status=AwardStatus.SUSPENDED)
    _award(village, "丁", status=AwardStatus.TERMINATED, payment_to=LAST_MONTH)
    _award(village, "戊", payment_from=NEXT_MONTH)  # not yet started
    ended = _award(village, "己", status=AwardStatus.GRADUAL_EXIT, payment_to=LAST_MONTH)
    pl = build(village)
    lines = {line.award_id: line for line in pl.lines.all()}
    assert set(lines) == {paying.pk, exiting.pk}
    line = lines[paying.pk]
    assert line.amount == paying.amount and line.members == paying.members
    assert line.snapshot["application"] == paying.application.number
    assert line.snapshot["award"] == paying.pk
    assert Decimal(line.snapshot["amount"]) == paying.amount
    assert line.snapshot["head"].startswith("甲")
    assert len(line.snapshot["persons"]) == paying.members
    assert PaymentPerson.objects.filter(line=line).count() == paying.members
    # A gradual exit is paid up to its last month, not after.
    assert ended.pk in set(build(village, LAST_MONTH).lines.values_list("award_id", flat=True))
    assert exiting.pk in set(build(village, NEXT_MONTH).lines.values_list("award_id", flat=True))


def test_totals_match_the_lines(village):
    a, b = _award(village, "甲"), _award(village, "乙", amount=Decimal("123.45"), members=2)
    pl = build(village)
    assert pl.households == 2
    assert pl.persons == a.members + 2
    assert pl.total == a.amount + Decimal("123.45")
    assert isinstance(pl.total, Decimal)
    stored = PaymentList.objects.get(pk=pl.pk)
    assert stored.total == pl.total and stored.status == ListStatus.DRAFT
    event = AuditEvent.objects.filter(action="dibao.payment_list_build").latest("id")
    assert event.changes["month"] == f"{THIS_MONTH:%Y-%m}"
    assert b.pk in set(stored.lines.values_list("award_id", flat=True))


def test_an_adjusted_amount_is_paid_from_its_effective_month(village):
    award = _award(village, "甲")
    old = award.amount
    township, _county = officers(village)
    # Reviewed last month: the new amount from this month (the month after the review).
    review = services.award_review(
        actor=township,
        award=award,
        reviewed_on=max(LAST_MONTH, award.application.decided_on),
        outcome="adjust",
        reason="家庭收入增加",
        amount_after=Decimal("200.50"),
        version=award.version,
    )
    assert review.effective_from == THIS_MONTH
    last = build(village, LAST_MONTH).lines.get()
    now = build(village, THIS_MONTH).lines.get()
    assert last.amount == old
    assert now.amount == Decimal("200.50")
    assert Decimal(last.snapshot["amount"]) == old


def test_a_later_registry_edit_does_not_rewrite_what_was_paid(village):
    award = _award(village, "甲")
    pl = build(village)
    head = award.household.members.get(relation="head")
    head.name = "改名后"
    head.save()
    line = pl.lines.get()
    assert line.snapshot["head"].startswith("甲")


def test_rebuilding_a_draft_replaces_it_and_a_final_list_cannot_change(village):
    _award(village, "甲")
    pl = build(village)
    _award(village, "乙")
    again = build(village)
    assert again.pk == pl.pk and again.households == 2
    assert PaymentLine.objects.filter(payment_list=pl).count() == 2
    _township_officer, county_officer = officers(village)
    final = payment_list_finalise(actor=county_officer, payment_list=again)
    assert final.status == ListStatus.FINAL
    _award(village, "丙")
    with pytest.raises(ValidationError, match="已确认"):
        build(village)
    with pytest.raises(ValidationError, match="已确认"):
        payment_list_finalise(actor=county_officer, payment_list=final)
    assert PaymentLine.objects.filter(payment_list=pl).count() == 2
    assert AuditEvent.objects.filter(action="dibao.payment_list_finalise").count() == 1


def test_the_same_household_in_another_countys_list_is_refused(village, xincai_village):
    gushi = _award(village, "甲")
    xincai = _award(xincai_village, "乙")
    build(village)
    # The Xincai award names the Gushi household (a data error): refused, naming both.
    Award.objects.filter(pk=xincai.pk).update(household=gushi.household)
    with pytest.raises(ValidationError) as refused:
        build(xincai_village)
    message = " ".join(refused.value.messages)
    assert gushi.household.number in message and "固始县" in message
    assert not PaymentLine.objects.filter(award=xincai).exists()


def test_the_same_person_in_another_countys_list_is_refused(village, xincai_village):
    gushi = _award(village, "甲")
    xincai = _award(xincai_village, "乙")
    build(village)
    person = gushi.household.members.get(relation="head")
    snapshot = xincai.snapshot
    snapshot["members"].append({"person": person.pk, "name": person.name, "counted": True})
    Award.objects.filter(pk=xincai.pk).update(snapshot=snapshot)
    with pytest.raises(ValidationError) as refused:
        build(xincai_village)
    message = " ".join(refused.value.messages)
    assert person.name in message and "固始县" in message
    assert not PaymentLine.objects.filter(award=xincai).exists()


def test_two_paying_awards_of_one_household_are_refused(village):
    a = _award(village, "甲")
    b = _award(village, "乙")
    Award.objects.filter(pk=b.pk).update(household=a.household)
    with pytest.raises(ValidationError, match=a.household.number):
        build(village)


def test_only_the_county_builds_and_finalises(village, xincai_village):
    _award(village, "甲")
    township, county_officer = officers(village)
    _t, xincai_county = officers(xincai_village)
    with pytest.raises(PermissionDenied):
        payment_list_build(actor=township, county=county(village), month=THIS_MONTH)
    with pytest.raises(PermissionDenied):
        payment_list_build(actor=xincai_county, county=county(village), month=THIS_MONTH)
    pl = payment_list_build(actor=county_officer, county=county(village), month=THIS_MONTH)
    with pytest.raises(PermissionDenied):
        payment_list_finalise(actor=xincai_county, payment_list=pl)
    with pytest.raises(PermissionDenied):
        payment_list_finalise(actor=township, payment_list=pl)
    assert PaymentList.objects.get(pk=pl.pk).status == ListStatus.DRAFT


def test_a_month_is_its_first_day_and_at_most_next_month(village):
    with pytest.raises(ValidationError):
        build(village, THIS_MONTH.replace(day=2))
    with pytest.raises(ValidationError):
        build(village, next_month(NEXT_MONTH))
    _township_officer, county_officer = officers(village)
    with pytest.raises(ValidationError):
        payment_list_build(
            actor=county_officer, county=Region.objects.get(code=village), month=THIS_MONTH
        )


def test_an_empty_list_cannot_be_finalised(village):
    pl = build(village)
    assert pl.households == 0 and pl.total == 0
    _township_officer, county_officer = officers(village)
    with pytest.raises(ValidationError):
        payment_list_finalise(actor=county_officer, payment_list=pl)


def test_the_build_takes_the_same_queries_for_one_award_or_four(village, xincai_village):
    _award(village, "甲")
    _township_officer, county_officer = officers(village)
    payment_list_build(actor=county_officer, county=county(village), month=LAST_MONTH)
    with CaptureQueriesContext(connection) as one:
        payment_list_build(actor=county_officer, county=county(village), month=THIS_MONTH)
    for k in range(4):
        _award(xincai_village, f"新{k}")
    _t, xincai_county = officers(xincai_village)
    payment_list_build(actor=xincai_county, county=county(xincai_village), month=LAST_MONTH)
    with CaptureQueriesContext(connection) as four:
        payment_list_build(actor=xincai_county, county=county(xincai_village), month=THIS_MONTH)
    assert PaymentLine.objects.filter(month=THIS_MONTH, region_id__gte="411729").count() == 4
    assert len(four) == len(one)
