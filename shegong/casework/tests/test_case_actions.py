"""Which actions the case page offers: one pure rule (`rules.case_actions`), one route each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shegong.casework.rules import CASE_ACTIONS, STAGES, ActionFacts, case_actions
from shegong.casework.views.case_actions import ACTIONS

WORK = ActionFacts(work=True, consent=True)


@pytest.mark.parametrize(
    ("stage", "facts", "expected"),
    [
        (
            "intake",
            WORK,
            {"edit", "move", "follow_up", "referral", "referral_update", "note"}
            | {"follow_up_done", "consent_withdraw", "transfer"},
        ),
        (
            "assessment",
            WORK,
            {"assess", "service", "move", "follow_up", "referral", "referral_update", "note"}
            | {"follow_up_done", "consent_withdraw", "transfer"},
        ),
        (
            "planning",
            WORK,
            {"plan_start", "service", "move", "follow_up", "referral", "referral_update"}
            | {"note", "follow_up_done", "consent_withdraw", "transfer"},
        ),
        (
            "planning",
            ActionFacts(work=True, consent=True, plan_status="draft", plans_need_approval=True),
            {"plan", "goal", "task", "plan_submit", "service", "move", "follow_up", "referral"}
            | {"referral_update", "note", "follow_up_done", "consent_withdraw", "transfer"},
        ),
        (
            "intervention",
            ActionFacts(work=True, consent_withdrawn=True, plan_status="approved"),
            {"plan", "goal", "task", "move", "follow_up", "referral_update", "note"}
            | {"follow_up_done", "consent_regain", "transfer"},
        ),
        (
            "evaluation",
            ActionFacts(work=True, consent=True, has_first_assessment=True, closure_pending=True),
            {"assess", "evaluation", "service", "move", "follow_up", "referral"}
            | {"referral_update", "note", "follow_up_done", "consent_withdraw", "transfer"},
        ),
        ("closed", WORK, {"follow_up_done", "reopen"}),
        ("closed", ActionFacts(assign=True), {"reopen"}),
        ("intake", ActionFacts(), set()),
        (
            "evaluation",
            ActionFacts(approve=True, plan_status="pending", closure_pending=True),
            {"note", "plan_review", "closure_review"},
        ),
    ],
)
def test_each_stage_offers_exactly_its_actions(stage, facts, expected):
    assert case_actions(stage, facts) == frozenset(expected)


@pytest.mark.parametrize("stage", STAGES)
def test_every_offered_action_is_a_known_action(stage):
    everything = ActionFacts(
        work=True,
        approve=True,
        assign=True,
        plan_status="draft",
        plans_need_approval=True,
        has_first_assessment=True,
        consent=True,
        closure_pending=True,
    )
    assert case_actions(stage, everything) <= CASE_ACTIONS


def test_every_action_has_a_form_and_a_route():
    assert set(ACTIONS) == CASE_ACTIONS
    assert reverse("casework:case_move", args=[7]) == ("/casework/cases/7/move/")
    assert reverse("casework:case_referral_update", args=[7]) == (
        "/casework/cases/7/referral-update/"
    )


@pytest.fixture
def worker_client(client, gushi_worker):
    client.force_login(gushi_worker)
    return client


def test_the_case_page_itself_takes_no_post(worker_client, case):
    url = reverse("casework:case_detail", args=[case.pk])
    assert worker_client.post(url, {"to": "assessment", "version": 1}).status_code == 405
    case.refresh_from_db()
    assert (case.stage, case.version) == ("intake", 1)


def test_an_action_route_takes_no_get(worker_client, case):
    assert worker_client.get(reverse("casework:case_move", args=[case.pk])).status_code == 405
