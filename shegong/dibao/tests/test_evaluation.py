"""Evaluation figures from a known set of applications: approval rate, working days from
acceptance to decision on the statutory calendar (across a weekend and the National Day
holiday), late steps, reviews and third-party checks, attached assessments; the page and its
refusals of bad periods and places."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shegong.casework.tests.factories import make_assessment
from shegong.conftest import GUSHI, XINCAI, _township, make_org
from shegong.core.models import CalendarDay, Region
from shegong.core.testing import chart_figures, make_village

from .. import services
from ..evaluation import evaluation
from ..models import Application, ApplicationStep, CheckContract, CheckSample, Stage
from .factories import award_factory, make_application, officers

pytestmark = pytest.mark.django_db
FROM, TO = datetime.date(2026, 9, 1), datetime.date(2026, 11, 30)


def _app(village: str, accepted: datetime.date, decided=None, stage=Stage.ACCEPTED, marker=""):
    a = make_application(village, accepted_on=accepted, marker=marker)
    Application.objects.filter(pk=a.pk).update(stage=stage, decided_on=decided)
    a.refresh_from_db()
    return a


@pytest.fixture
def village():
    return make_village(_township(GUSHI)).code


@pytest.fixture
def known(village):
    """Four decided in the period and one open; one decided before it; one in another county."""
    # The 2026 arrangement as the State Council published it: 1–7 October off, Saturday 10
    # October worked.
    assert not CalendarDay.objects.get(date=datetime.date(2026, 10, 5)).is_workday
    assert CalendarDay.objects.get(date=datetime.date(2026, 10, 10)).is_workday
    d = datetime.date
    apps = {
        # Mon 28 Sep → Mon 12 Oct: 29, 30 Sep, 8, 9, 10 (Saturday worked), 12 Oct = 6.
        "holiday": _app(village, d(2026, 9, 28), d(2026, 10, 12), Stage.APPROVED),
        # Fri 6 Nov → Mon 9 Nov: the weekend does not count = 1.
        "weekend": _app(village, d(2026, 11, 6), d(2026, 11, 9), Stage.APPROVED),
        # Mon 2 Nov → Fri 13 Nov = 9.
        "fortnight": _app(village, d(2026, 11, 2), d(2026, 11, 13), Stage.APPROVED),
        # Mon 2 Nov → Wed 4 Nov = 2.
        "refused": _app(village, d(2026, 11, 2), d(2026, 11, 4), Stage.REFUSED),
        "open": _app(village, d(2026, 11, 20)),
        # Accepted before the period, decided in it: a decision, not an acceptance (3 days).
        "early": _app(village, d(2026, 8, 27), d(2026, 9, 1), Stage.APPROVED),
        # Decided after the period: an acceptance only.
        "late": _app(village, d(2026, 11, 25), d(2026, 12, 1), Stage.APPROVED),
    }
    other = make_village(_township(XINCAI)).code
    apps["other_county"] = _app(other, d(2026, 10, 12), d(2026, 10, 13), Stage.REFUSED)
    a = apps["open"]
    for step, on, late in (
        ("investigation_started", d(2026, 11, 27), True),
        ("investigation_started", d(2026, 10, 9), True),
        ("decided", d(2026, 11, 13), True),
        ("decided", d(2026, 8, 31), True),  # before the period
        ("visit", d(2026, 11, 27), False),
    ):
        ApplicationStep.objects.create(
            application=a, region_id=a.region_id, step=step, on=on, late=late, rules=a.rules
        )
    return apps


def test_the_figures_of_a_known_set_of_applications(village, known):
    _township_officer, county = officers(village)
    ev = evaluation(
        actor=county, region=Region.objects.get(code=GUSHI), period_from=FROM, period_to=TO
    )
    # Accepted in the period: holiday, weekend, fortnight, refused, open, late.
    assert ev.accepted == 6
    # Decided in the period: holiday, weekend, fortnight, refused, early.
    assert (ev.decided, ev.approved, ev.refused) == (5, 4, 1)
    assert ev.approval_rate == Decimal("80.0")
    # Working days 6, 1, 9, 2, 3: median 3, mean 4.2.
    assert ev.days_counted == 5
    assert ev.days_median == Decimal("3.0") and ev.days_mean == Decimal("4.2")
    assert [(s.step, s.count) for s in ev.late_steps] == [
        ("investigation_started", 2),
        ("decided", 1),
    ]
    assert ev.late_steps[0].label == "启动家庭经济状况调查" and ev.late_total == 3
    assert ev.assessments == 0
    data = ev.as_dict()
    assert data["approval_rate"] == "80.0" and data["period_from"] == "2026-09-01"
    assert data["late_steps"] == {"investigation_started": 2, "decided": 1}


def test_the_median_of_an_even_count_across_the_holiday(village, known):
    _township_officer, county = officers(village)
    ev = evaluation(
        actor=county,
        region=Region.objects.get(code=GUSHI),
        period_from=datetime.date(2026, 10, 1),
        period_to=TO,
    )
    # holiday 6, weekend 1, fortnight 9, refused 2: median (2 + 6) / 2 = 4, mean 4.5.
    assert (ev.decided, ev.approval_rate) == (4, Decimal("75.0"))
    assert ev.days_median == Decimal("4.0") and ev.days_mean == Decimal("4.5")


def test_a_township_sees_its_township_and_another_county_nothing(village, known):
    township_officer, _county = officers(village)
    county = Region.objects.get(code=GUSHI)
    ev = evaluation(actor=township_officer, region=county, period_from=FROM, period_to=TO)
    assert ev.decided == 5  # every application is in the officer's township
    from shegong.conftest import make_user

    outsider = make_user("xincai_eval", "civil_affairs_officer", XINCAI)
    ev = evaluation(actor=outsider, region=county, period_from=FROM, period_to=TO)
    assert (ev.accepted, ev.decided, ev.late_total) == (0, 0, 0)
    assert ev.approval_rate is None and ev.days_median is None


def test_reviews_and_checks_count_wrongly_included_and_excluded(village, known, gushi_officer):
    township, county = officers(village)
    awards = [award_factory(region_code=village, marker=f"复{k}") for k in range(3)]
    # Decided long before the period, so only their reviews count here.
    Application.objects.filter(pk__in=[w.application_id for w in awards]).update(
        accepted_on=datetime.date(2025, 1, 2), decided_on=datetime.date(2025, 1, 10)
    )
    for award, outcome in zip(awards, ("terminate", "suspend", "continue"), strict=True):
        services.award_review(
            actor=township,
            award=award,
            reviewed_on=datetime.date(2026, 11, 16),
            outcome=outcome,
            reason="复核发现家庭成员有稳定工资收入",
            version=award.version,
        )
    contract = CheckContract.objects.create(
        region_id=GUSHI,
        organisation=make_org("固始核查机构", GUSHI),
        title="2026年第三方核查",
        period_from=FROM,
        period_to=TO,
        sample_percent=30,
    )
    for a, verdict, on in (
        (known["holiday"], "wrongly_included", datetime.date(2026, 11, 20)),
        (known["weekend"], "right", datetime.date(2026, 11, 20)),
        (known["refused"], "wrongly_excluded", datetime.date(2026, 11, 21)),
        (known["fortnight"], "wrongly_excluded", datetime.date(2026, 12, 2)),  # after
        (known["early"], "", None),  # not checked yet
    ):
        CheckSample.objects.create(
            contract=contract,
            region_id=a.region_id,
            application=a,
            stratum="township",
            verdict=verdict,
            checked_on=on,
        )
    make_assessment(region_code=village)
    assessment = make_assessment(region_code=village)
    Application.objects.filter(pk=known["open"].pk).update(assessment=assessment)
    ev = evaluation(
        actor=county, region=Region.objects.get(code=GUSHI), period_from=FROM, period_to=TO
    )
    assert (ev.reviews, ev.reviews_wrongly_included, ev.reviews_amount_changed) == (3, 2, 0)
    assert (ev.checks_sampled, ev.checks_right) == (3, 1)
    assert (ev.checks_wrongly_included, ev.checks_wrongly_excluded) == (1, 1)
    assert (ev.wrongly_included, ev.wrongly_excluded) == (3, 1)
    assert ev.assessments == 1


def test_a_missing_calendar_year_is_said_not_guessed(village):
    _township_officer, county = officers(village)
    a = _app(village, datetime.date(2026, 11, 2))
    Application.objects.filter(pk=a.pk).update(
        accepted_on=datetime.date(1999, 3, 1),
        decided_on=datetime.date(1999, 3, 9),
        stage=Stage.APPROVED,
    )
    ev = evaluation(
        actor=county,
        region=Region.objects.get(code=GUSHI),
        period_from=datetime.date(1999, 1, 1),
        period_to=datetime.date(1999, 12, 31),
    )
    assert ev.decided == 1 and ev.approval_rate == Decimal("100.0")
    assert ev.days_median is None and "1999" in ev.days_problem


def test_the_page_shows_the_figures_the_charts_and_zero_as_zero(client, village, known):
    _township_officer, county = officers(village)
    client.force_login(county)
    query = {"region": GUSHI, "period_from": "2026-09-01", "period_to": "2026-11-30"}
    response = client.get(reverse("dibao:evaluation"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "低保特困工作评估" in html
    assert 'data-figure="approval_rate">80.0%<' in html
    assert 'data-figure="days_median">3.0<' in html
    assert 'data-figure="checks_wrongly_excluded">0<' in html
    assert 'data-figure="assessments">0<' in html
    table, island = chart_figures(html, "dibao-eval-volume")
    assert table == island
    assert table["series"]["件数"] == [6, 5, 4, 1]
    table, island = chart_figures(html, "dibao-eval-late")
    assert table == island and table["series"]["逾期次数"] == [2, 1]
    # Nothing in the period: every count 0, the rate not applicable, never a dash.
    query = {"region": GUSHI, "period_from": "2020-01-01", "period_to": "2020-01-31"}
    html = client.get(reverse("dibao:evaluation"), query).content.decode()
    assert 'data-figure="accepted">0<' in html and 'data-figure="late_total">0<' in html
    assert "不适用(本期无审核确认)" in html
    assert 'data-figure="accepted">—' not in html


def test_the_page_reads_a_fixed_number_of_queries(client, village, known):
    _township_officer, county = officers(village)
    client.force_login(county)
    query = {"region": GUSHI, "period_from": "2026-09-01", "period_to": "2026-11-30"}
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dibao:evaluation"), query)
    for k in range(5):
        _app(
            village,
            datetime.date(2026, 11, 2),
            datetime.date(2026, 11, 9),
            Stage.APPROVED,
            f"多{k}",
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("dibao:evaluation"), query)
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "query, field, message",
    [
        (
            {"region": GUSHI, "period_from": "2026-11-30", "period_to": "2026-09-01"},
            "period_to",
            "结束日期不能早于开始日期",
        ),
        (
            {"region": GUSHI, "period_from": "2026-02-30", "period_to": "2026-09-01"},
            "period_from",
            "",
        ),
        (
            {"region": GUSHI, "period_from": "0001-01-01", "period_to": "9999-12-31"},
            "period_from",
            "",
        ),
        ({"region": GUSHI, "period_from": "", "period_to": ""}, "period_from", ""),
        (
            {"region": "411500000000", "period_from": "2026-09-01", "period_to": "2026-11-30"},
            "region",
            "",
        ),
        (
            {"region": "没有这个地方", "period_from": "2026-09-01", "period_to": "2026-11-30"},
            "region",
            "找不到",
        ),
        ({"region": XINCAI, "period_from": "2026-09-01", "period_to": "2026-11-30"}, "region", ""),
    ],
)
def test_bad_periods_and_places_are_refused_beside_the_field(
    client, village, known, query, field, message
):
    _township_officer, county = officers(village)
    client.force_login(county)
    response = client.get(reverse("dibao:evaluation"), query)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    if message:
        assert message in response.content.decode()
    assert response.context["ev"] is None
    assert 'data-figure="accepted"' not in response.content.decode()


def test_the_page_for_a_county_officer_opens_on_their_county_and_a_volunteer_is_refused(
    client, village, known, volunteer
):
    _township_officer, county = officers(village)
    client.force_login(county)
    response = client.get(reverse("dibao:evaluation"))
    assert response.status_code == 200 and response.context["ev"] is not None
    assert response.context["ev"].region_code == GUSHI
    client.force_login(volunteer)
    assert client.get(reverse("dibao:evaluation")).status_code in (403, 404)
