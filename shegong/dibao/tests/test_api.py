"""The Dibao API: each role sees its own and nothing else (both ways), the filters, and ID
numbers masked."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from shegong.conftest import GUSHI, XINCAI, make_org, make_user
from shegong.core.models import Region
from shegong.core.testing import make_village

from ..models import CheckContract, CheckSample
from ..selectors_payments import first_of_month
from ..services.payments import payment_list_build
from .factories import make_application, make_award, officers

pytestmark = pytest.mark.django_db

THIS_MONTH = first_of_month(timezone.localdate())


def _village(county: str, nth: int = 0) -> str:
    township = Region.objects.filter(parent_id=county).order_by("code")[nth]
    return make_village(township.code).code


@pytest.fixture
def world():
    """固始: an award in each of two townships; 新蔡: one award; an open application in 固始."""
    gushi_a, gushi_b, xincai = _village(GUSHI, 0), _village(GUSHI, 1), _village(XINCAI, 0)
    awards = {
        "gushi_a": make_award(gushi_a, marker="甲"),
        "gushi_b": make_award(gushi_b, marker="乙"),
        "xincai": make_award(xincai, marker="丙"),
    }
    for award in awards.values():
        type(award).objects.filter(pk=award.pk).update(payment_from=THIS_MONTH)
    open_application = make_application(gushi_a, marker="丁")
    return {"villages": (gushi_a, gushi_b, xincai), "awards": awards, "open": open_application}


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(client: APIClient, url: str, **params) -> set[int]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_township_sees_its_township_and_a_county_its_county(world):
    gushi_a, gushi_b, _xincai = world["villages"]
    awards = world["awards"]
    township_a, gushi_county = officers(gushi_a)
    township_b, _same = officers(gushi_b)
    _t, xincai_county = officers(world["villages"][2])
    apps = {k: a.application_id for k, a in awards.items()}
    assert _ids(_client(township_a), "/api/v1/dibao-applications/") == {
        apps["gushi_a"],
        world["open"].pk,
    }
    assert _ids(_client(township_b), "/api/v1/dibao-applications/") == {apps["gushi_b"]}
    assert _ids(_client(gushi_county), "/api/v1/dibao-applications/") == {
        apps["gushi_a"],
        apps["gushi_b"],
        world["open"].pk,
    }
    assert _ids(_client(xincai_county), "/api/v1/dibao-applications/") == {apps["xincai"]}
    assert _ids(_client(gushi_county), "/api/v1/dibao-awards/") == {
        awards["gushi_a"].pk,
        awards["gushi_b"].pk,
    }
    # Outside answers 404, as a record that does not exist.
    for url in (
        f"/api/v1/dibao-applications/{apps['xincai']}/",
        f"/api/v1/dibao-awards/{awards['xincai'].pk}/",
        "/api/v1/dibao-awards/2000000000/",
    ):
        assert _client(gushi_county).get(url).status_code == 404
    assert _client(township_b).get(f"/api/v1/dibao-awards/{awards['gushi_a'].pk}/").status_code == (
        404
    )
    assert _client(xincai_county).get(
        f"/api/v1/dibao-awards/{awards['xincai'].pk}/"
    ).status_code == (200)


def test_payment_lists_for_the_county_and_lines_for_the_township(world):
    gushi_a, gushi_b, xincai = world["villages"]
    township_a, gushi_county = officers(gushi_a)
    _t, xincai_county = officers(xincai)
    pl = payment_list_build(
        actor=gushi_county, county=Region.objects.get(code=GUSHI), month=THIS_MONTH
    )
    other = payment_list_build(
        actor=xincai_county, county=Region.objects.get(code=XINCAI), month=THIS_MONTH
    )
    assert _ids(_client(gushi_county), "/api/v1/dibao-payment-lists/") == {pl.pk}
    assert _ids(_client(xincai_county), "/api/v1/dibao-payment-lists/") == {other.pk}
    assert _ids(_client(township_a), "/api/v1/dibao-payment-lists/") == set()
    body = _client(gushi_county).get(f"/api/v1/dibao-payment-lists/{pl.pk}/").json()
    assert body["households"] == 2 and body["total"] == str(pl.total)
    assert _client(gushi_county).get(f"/api/v1/dibao-payment-lists/{other.pk}/").status_code == 404
    lines = _client(gushi_county).get("/api/v1/dibao-payment-lines/", {"payment_list": pl.pk})
    assert {r["household"] for r in lines.json()["results"]} == {
        world["awards"]["gushi_a"].household_id,
        world["awards"]["gushi_b"].household_id,
    }
    # The township sees its own village's line only.
    mine = _client(township_a).get("/api/v1/dibao-payment-lines/").json()["results"]
    assert [r["household"] for r in mine] == [world["awards"]["gushi_a"].household_id]
    row = mine[0]
    head = world["awards"]["gushi_a"].household.members.get(relation="head")
    assert row["head_name"] == head.name
    assert row["head_id_number"].endswith(head.id_number[-2:])
    assert head.id_number not in str(mine)
    assert row["amount"] == str(world["awards"]["gushi_a"].amount)
    assert _ids(_client(xincai_county), "/api/v1/dibao-payment-lines/", payment_list=pl.pk) == set()


def test_an_evaluator_sees_only_the_sample_of_their_contract(world):
    gushi_a, gushi_b, xincai = world["villages"]
    awards = world["awards"]
    org = make_org("固始第三方评估中心", GUSHI)
    other_org = make_org("另一评估机构", GUSHI)
    evaluator = make_user("gushi_evaluator", "evaluator", GUSHI, org)
    contract = CheckContract.objects.create(
        region_id=GUSHI,
        organisation=org,
        title="2026年低保第三方核查",
        period_from=datetime.date(2026, 1, 1),
        period_to=datetime.date(2026, 12, 31),
        sample_percent=10,
    )
    theirs = CheckContract.objects.create(
        region_id=GUSHI,
        organisation=other_org,
        title="另一项目",
        period_from=datetime.date(2026, 1, 1),
        period_to=datetime.date(2026, 12, 31),
        sample_percent=10,
    )
    sampled = awards["gushi_a"].application
    CheckSample.objects.create(
        contract=contract, region_id=sampled.region_id, application=sampled, stratum="t"
    )
    CheckSample.objects.create(
        contract=theirs,
        region_id=awards["gushi_b"].region_id,
        application=awards["gushi_b"].application,
        stratum="t",
    )
    client = _client(evaluator)
    assert _ids(client, "/api/v1/dibao-applications/") == {sampled.pk}
    assert _ids(client, "/api/v1/dibao-awards/") == {awards["gushi_a"].pk}
    assert client.get(f"/api/v1/dibao-applications/{sampled.pk}/").status_code == 200
    for award in (awards["gushi_b"], awards["xincai"]):
        assert client.get(f"/api/v1/dibao-applications/{award.application_id}/").status_code == 404
        assert client.get(f"/api/v1/dibao-awards/{award.pk}/").status_code == 404
    # No alerts or payments for an evaluator.
    assert client.get("/api/v1/dibao-alerts/").status_code == 403
    assert client.get("/api/v1/dibao-payment-lists/").status_code == 403
    # And the county does not lose its own by the samples.
    _t, gushi_county = officers(gushi_a)
    assert len(_ids(_client(gushi_county), "/api/v1/dibao-applications/")) == 3


def test_the_filters(world):
    gushi_a, gushi_b, _xincai = world["villages"]
    _t, county = officers(gushi_a)
    client = _client(county)
    url = "/api/v1/dibao-applications/"
    approved = {
        world["awards"]["gushi_a"].application_id,
        world["awards"]["gushi_b"].application_id,
    }
    assert _ids(client, url, stage="approved") == approved
    assert _ids(client, url, stage="accepted") == {world["open"].pk}
    assert _ids(client, url, programme="hardship") == set()
    assert _ids(client, url, programme="dibao") == approved | {world["open"].pk}
    assert _ids(client, url, region=gushi_b) == {world["awards"]["gushi_b"].application_id}
    assert _ids(client, url, region=gushi_b[:9] + "000") == {
        world["awards"]["gushi_b"].application_id
    }
    for bad in ({"stage": "nope"}, {"region": "4115"}, {"programme": "' OR 1=1 --"}):
        response = client.get(url, bad)
        assert response.status_code == 400
        assert list(bad)[0] in response.json()
    assert _ids(client, "/api/v1/dibao-awards/", status="active") == {
        world["awards"]["gushi_a"].pk,
        world["awards"]["gushi_b"].pk,
    }
    assert _ids(client, "/api/v1/dibao-awards/", status="suspended") == set()
    assert client.get("/api/v1/dibao-payment-lists/", {"month": "2026-02-30"}).status_code == 400


def test_id_numbers_are_masked(world):
    gushi_a = world["villages"][0]
    _t, county = officers(gushi_a)
    response = _client(county).get("/api/v1/dibao-applications/")
    text = response.content.decode()
    for row in response.json()["results"]:
        application = (
            world["open"]
            if row["id"] == world["open"].pk
            else next(
                a.application for a in world["awards"].values() if a.application_id == row["id"]
            )
        )
        full = application.applicant.id_number
        assert full not in text
        assert row["applicant_id_number"].endswith(full[-2:])
        assert set(row["applicant_id_number"][:-2]) == {"*"}


def test_reviews_and_alerts_are_scoped_both_ways(world):
    from .. import services
    from .factories import alert_factory, days_ago

    gushi_a, gushi_b, xincai = world["villages"]
    township_a, gushi_county = officers(gushi_a)
    township_b, _same = officers(gushi_b)
    _t, xincai_county = officers(xincai)
    award = world["awards"]["gushi_a"]
    review = services.award_review(
        actor=township_a,
        award=award,
        reviewed_on=max(days_ago(1), award.application.decided_on),
        outcome="continue",
        reason="家庭状况无变化",
        version=award.version,
    )
    assert _ids(_client(township_a), "/api/v1/dibao-reviews/") == {review.pk}
    assert _ids(_client(gushi_county), "/api/v1/dibao-reviews/", award=award.pk) == {review.pk}
    assert _ids(_client(township_b), "/api/v1/dibao-reviews/") == set()
    assert _ids(_client(xincai_county), "/api/v1/dibao-reviews/") == set()
    assert _client(xincai_county).get(f"/api/v1/dibao-reviews/{review.pk}/").status_code == 404
    body = _client(township_a).get(f"/api/v1/dibao-reviews/{review.pk}/").json()
    assert body["outcome"] == "continue" and body["amount_after"] == str(award.amount)
    mine = alert_factory(region_code=gushi_a, marker="预警甲")
    theirs = alert_factory(region_code=xincai, marker="预警乙")
    assert _ids(_client(gushi_county), "/api/v1/dibao-alerts/") == {mine.pk}
    assert _ids(_client(xincai_county), "/api/v1/dibao-alerts/") == {theirs.pk}
    assert _ids(_client(township_b), "/api/v1/dibao-alerts/") == set()
    assert _ids(_client(gushi_county), "/api/v1/dibao-alerts/", status="closed") == set()
    assert _client(gushi_county).get(f"/api/v1/dibao-alerts/{theirs.pk}/").status_code == 404
    assert _client(gushi_county).get(f"/api/v1/dibao-alerts/{mine.pk}/").status_code == 200


def test_a_role_without_dibao_gets_nothing(world, volunteer):
    client = _client(volunteer)
    for url in ("/api/v1/dibao-applications/", "/api/v1/dibao-awards/", "/api/v1/dibao-reviews/"):
        assert _ids(client, url) == set()
    for url in (
        "/api/v1/dibao-alerts/",
        "/api/v1/dibao-payment-lists/",
        "/api/v1/dibao-payment-lines/",
    ):
        assert client.get(url).status_code == 403
    assert client.get(f"/api/v1/dibao-awards/{world['awards']['gushi_a'].pk}/").status_code == 404
    assert APIClient().get("/api/v1/dibao-applications/").status_code in (401, 403)
