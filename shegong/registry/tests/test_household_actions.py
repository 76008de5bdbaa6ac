"""Which actions the household page offers: one pure rule, one route each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shegong.conftest import GUSHI
from shegong.core.models import Region
from shegong.core.testing import make_village
from shegong.registry.rules import HOUSEHOLD_CHANGES, HouseholdFacts, household_actions
from shegong.registry.tests.factories import make_household
from shegong.registry.urls import CHANGE_PATHS
from shegong.registry.views.households import CALLS, CHANGES


@pytest.fixture
def household(db):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_household(make_village(township.code).code, head_name="张伟")


ALL = {"member_add", "member_remove", "member_move", "head", "split", "exit", "relapse"}


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (HouseholdFacts("not_out", may_edit=True), ALL),
        (HouseholdFacts("out", may_edit=True), ALL - {"exit"}),
        (HouseholdFacts("relapse_risk", may_edit=True), ALL - {"relapse"}),
        (HouseholdFacts("out", may_edit=True, may_reveal=True), ALL - {"exit"} | {"reveal"}),
        (HouseholdFacts("not_out", may_reveal=True), {"reveal"}),
        (HouseholdFacts("not_out"), set()),
    ],
)
def test_the_page_offers_exactly_these_actions(facts, expected):
    assert household_actions(facts) == frozenset(expected)


def test_every_change_has_a_form_a_call_and_a_route():
    assert set(HOUSEHOLD_CHANGES) == set(CHANGES) == set(CALLS) == set(CHANGE_PATHS) == ALL
    assert reverse("registry:household_member_add", args=[5]) == (
        "/registry/households/5/members/add/"
    )
    assert reverse("registry:household_relapse", args=[5]) == (
        "/registry/households/5/relapse-risk/"
    )
    assert reverse("registry:household_reveal", args=[5]) == "/registry/households/5/reveal/"


def test_an_exited_household_offers_no_exit_form(client, gushi_officer, household):
    household.poverty_status = "out"
    household.save(update_fields=["poverty_status"])
    client.force_login(gushi_officer)
    body = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert reverse("registry:household_exit", args=[household.pk]) not in body
    assert reverse("registry:household_relapse", args=[household.pk]) in body


def test_the_household_page_takes_no_post(client, gushi_officer, household):
    client.force_login(gushi_officer)
    url = reverse("registry:household_detail", args=[household.pk])
    assert client.post(url, {"reason": "x", "version": household.version}).status_code == 405


def test_reveal_takes_no_get(client, gushi_officer, household):
    client.force_login(gushi_officer)
    url = reverse("registry:household_reveal", args=[household.pk])
    assert client.get(url).status_code == 405
