"""Special hardship through the services: the conditions at the opinion, the care tier and
its amount, a reported change re-assessed, and termination on notice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shegong.conftest import GUSHI, _township
from shegong.core.testing import make_village
from shegong.registry.tests.factories import make_household

from .. import services
from ..models import AwardStatus, Review
from .factories import investigate, make_standard, officers

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
TODAY = timezone.localdate()
START = TODAY - 40 * DAY
ALL_SIX = dict.fromkeys(("eating", "dressing", "transfer", "toileting", "walking", "bathing"), True)


@pytest.fixture
def village():
    return make_village(_township(GUSHI)).code


def _hardship(village, birth: str):
    township, county = officers(village)
    standard = make_standard(village)
    household = make_household(village, head_name="孙老汉")
    head = household.members.get()
    type(head).objects.filter(pk=head.pk).update(
        birth_date=datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
        id_number=head.id_number[:6] + birth + head.id_number[14:],
    )
    head.refresh_from_db()
    a = services.application_accept(
        actor=township,
        household=household,
        applicant=head,
        programme="hardship",
        area="rural",
        channel="written",
        applied_by="household",
        reasons="无劳动能力,无生活来源,无赡养人",
        accepted_on=START,
        consent_data_matching=True,
    )
    a = investigate(a, on=START, yearly_income=Decimal("600"))
    a = services.hardship_facts_set(
        actor=township,
        application=a,
        supporters="无子女,配偶已故",
        supporter_able=False,
        disability_kind="",
        support_mode="home",
        version=a.version,
    )
    services.care_check(
        actor=township,
        application=a,
        person=head,
        checked_on=START,
        items={**ALL_SIX, "bathing": False},
        version=a.version,
    )
    a.refresh_from_db()
    return a, standard, township, county


def _opinion(a, township):
    return services.opinion_give(
        actor=township,
        application=a,
        on=START + DAY,
        opinion="approve",
        reasons="符合特困条件",
        notice_from=START + DAY,
        notice_to=START + 7 * DAY,
        version=a.version,
    )


def _born(years_ago: int, later_this_year: bool) -> str:
    """A birth date `years_ago` years before the opinion's day (START + 1), or a day after it
    when `later_this_year` (so the birthday has not come yet on that day)."""
    day = (START + DAY).replace(year=START.year - years_ago)
    if later_this_year:
        day += DAY
    return day.strftime("%Y%m%d")


def test_sixty_on_the_day_is_unable_to_work_and_a_day_short_is_not(village):
    a, _s, township, _c = _hardship(village, _born(60, later_this_year=True))
    with pytest.raises(ValidationError) as refused:
        _opinion(a, township)
    assert "无劳动能力" in str(refused.value)
    b, standard, township, _c = _hardship(make_village(_township(GUSHI)).code, _born(60, False))
    b = _opinion(b, township)
    assert b.care_tier == "partial"  # one of six failed
    assert b.proposed_amount == standard.hardship_basic + standard.care_partial


def _approved(village):
    a, standard, township, county = _hardship(village, "19500101")
    a = _opinion(a, township)
    a = services.to_county(actor=township, application=a, on=START + 9 * DAY, version=a.version)
    if a.spot_check:
        services.county_visit(
            actor=county,
            application=a,
            visited_on=START + 10 * DAY,
            investigators="赵五, 钱六",
            members_present="孙老汉",
            findings="属实",
            signed=True,
            version=a.version,
        )
        a.refresh_from_db()
    a = services.decide(
        actor=county, application=a, on=START + 11 * DAY, approve=True, version=a.version
    )
    return a.award, standard, township


def test_a_reported_change_is_reassessed_and_changes_the_care_standard(village):
    award, standard, township = _approved(village)
    person = award.application.applicant
    services.care_reassess(
        actor=township,
        award=award,
        person=person,
        change_reported_on=TODAY - 3 * DAY,
        checked_on=TODAY,
        items={**ALL_SIX, "eating": False, "dressing": False, "walking": False, "bathing": False},
        version=award.version,
    )
    award.refresh_from_db()
    assert award.care_tier == "full"
    assert award.amount == standard.hardship_basic + standard.care_full
    assert Review.objects.filter(award=award, outcome="adjust").count() == 1


def test_ending_support_goes_on_notice_and_takes_effect_the_month_after(village):
    award, _standard, township = _approved(village)
    with pytest.raises(ValidationError) as no_notice:
        services.award_review(
            actor=township,
            award=award,
            reviewed_on=TODAY,
            outcome="terminate",
            reason="已有赡养人",
            version=award.version,
        )
    assert "notice_from" in no_notice.value.message_dict
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE
    services.award_review(
        actor=township,
        award=award,
        reviewed_on=TODAY,
        outcome="terminate",
        reason="已有赡养人",
        notice_from=TODAY,
        version=award.version,
    )
    award.refresh_from_db()
    notice_end = TODAY + 6 * DAY
    first_of_next = (notice_end.replace(day=1) + 32 * DAY).replace(day=1)
    assert award.status == AwardStatus.TERMINATED
    # Paid through the month in which the notice ends.
    assert award.payment_to == (first_of_next - DAY).replace(day=1)
