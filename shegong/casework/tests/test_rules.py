"""The stage rules, needs ranking and record checks as pure functions."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shegong.casework import rules
from shegong.casework.instrument import DEFAULT_DOMAINS
from shegong.casework.rules import STAGES, CaseFacts, stage_problems
from shegong.core.workdays import Deadline, WorkCalendar

# The need threshold of the seeded `assessment` rule set (version 1).
NEED = 3


def ready(stage: str, **kw) -> CaseFacts:
    """Facts with everything every stage asks for."""
    base = dict(
        stage=stage,
        consent=True,
        initial_assessments=1,
        plan_status="approved",
        plan_goals=1,
        services=1,
        evaluations=1,
        closure_reason="goals_met",
    )
    base.update(kw)
    return CaseFacts(**base)


@pytest.mark.parametrize("i", range(len(STAGES) - 1))
def test_each_next_stage_is_allowed_when_its_needs_are_met(i):
    assert stage_problems(ready(STAGES[i]), STAGES[i + 1]) == []


@pytest.mark.parametrize(
    "current,target",
    [(a, b) for a in STAGES[:-1] for b in STAGES if STAGES.index(b) - STAGES.index(a) > 1],
)
def test_no_stage_may_be_skipped(current, target):
    problems = stage_problems(ready(current), target)
    assert problems and "跳过" in problems[0]


def test_going_back_only_where_the_work_goes_back():
    assert stage_problems(ready("intervention"), "planning") == []
    assert stage_problems(ready("evaluation"), "intervention") == []
    assert stage_problems(ready("evaluation"), "planning") == []
    assert stage_problems(ready("planning"), "intake")
    assert stage_problems(ready("intervention"), "assessment")


def test_a_closed_case_moves_nowhere():
    for target in STAGES:
        assert stage_problems(ready("closed"), target)


def test_same_stage_and_unknown_stage_are_refused():
    assert stage_problems(ready("planning"), "planning")
    assert stage_problems(ready("planning"), "finished")


def test_assessment_needs_consent():
    assert stage_problems(ready("intake", consent=False), "assessment") == [
        "进入预估前须记录服务对象的知情同意。"
    ]


def test_no_plan_without_an_assessment():
    assert stage_problems(ready("assessment", initial_assessments=0), "planning")


def test_intervention_needs_a_goal_and_approval_when_the_agency_asks():
    assert stage_problems(ready("planning", plan_goals=0), "intervention")
    draft = ready("planning", plan_status="draft", plans_need_approval=True)
    assert "督导审批" in stage_problems(draft, "intervention")[0]
    assert stage_problems(ready("planning", plan_status="draft"), "intervention") == []


def test_evaluation_needs_a_service():
    assert stage_problems(ready("intervention", services=0), "evaluation")


def test_no_closure_without_an_evaluation_and_a_reason():
    assert stage_problems(ready("evaluation", evaluations=0), "closed")
    assert stage_problems(ready("evaluation", closure_reason=""), "closed")
    other = ready("evaluation", closure_reason="other", closure_note=" ")
    assert stage_problems(other, "closed") == ["结案原因为“其他”时须填写说明。"]


def scores(**given):
    return {
        d["code"]: {"score": given.get(d["code"], 5), "evidence": "依据"} for d in DEFAULT_DOMAINS
    }


def test_scores_must_be_one_to_five_with_evidence_for_a_need():
    s = scores(income=0)
    assert "income" in rules.score_problems(DEFAULT_DOMAINS, s, need_threshold=NEED)
    s = scores(income=6)
    assert "income" in rules.score_problems(DEFAULT_DOMAINS, s, need_threshold=NEED)
    s = scores(income=2)
    s["income"]["evidence"] = ""
    assert "请填写依据" in rules.score_problems(DEFAULT_DOMAINS, s, need_threshold=NEED)["income"]
    s = scores(income=4)
    s["income"]["evidence"] = ""
    assert rules.score_problems(DEFAULT_DOMAINS, s, need_threshold=NEED) == {}
    s = scores()
    del s["housing"]
    assert "housing" in rules.score_problems(DEFAULT_DOMAINS, s, need_threshold=NEED)
    s = scores()
    s["astrology"] = {"score": 3, "evidence": "x"}
    assert "astrology" in rules.score_problems(DEFAULT_DOMAINS, s, need_threshold=NEED)
    s = scores()
    s["income"]["score"] = True  # a checkbox value is not a score
    assert "income" in rules.score_problems(DEFAULT_DOMAINS, s, need_threshold=NEED)


def test_needs_are_ranked_by_weight_times_distance_and_only_at_or_below_three():
    ranked = rules.rank_needs(
        DEFAULT_DOMAINS, scores(family=1, income=3, employment=2, health=4), need_threshold=NEED
    )
    # family: 1 × 4 = 4; income 3 × 2 = 6; employment 3 × 3 = 9; health (4) is no need.
    assert [n.code for n in ranked] == ["employment", "income", "family"]
    assert [n.priority for n in ranked] == [9, 6, 4]
    assert rules.suggested_services(ranked) == [
        "skills",
        "resource_linking",
        "living",
        "family_relations",
        "counselling",
    ]


def test_ranking_ties_go_to_the_lower_score_then_instrument_order():
    # health (weight 2, score 1) = 8; income (3, score 3) = 6; housing (2, score 1) = 8.
    ranked = rules.rank_needs(
        DEFAULT_DOMAINS, scores(health=1, income=3, housing=1), need_threshold=NEED
    )
    assert [n.code for n in ranked] == ["health", "housing", "income"]


@given(st.dictionaries(st.sampled_from([d["code"] for d in DEFAULT_DOMAINS]), st.integers(1, 5)))
def test_ranking_is_sorted_and_never_includes_a_good_score(given_scores):
    ranked = rules.rank_needs(DEFAULT_DOMAINS, scores(**given_scores), need_threshold=NEED)
    assert all(n.score <= NEED for n in ranked)
    assert [n.priority for n in ranked] == sorted((n.priority for n in ranked), reverse=True)


def test_capability_is_the_mean_score_and_compare_shows_change():
    before, after = scores(income=1, employment=2), scores(income=3, employment=2)
    assert str(rules.capability(before)) == "4.22"  # (1 + 2 + 7 × 5) / 9
    assert str(rules.capability(after)) == "4.44"
    assert rules.capability({}) is None
    rows = {r["code"]: r for r in rules.compare(DEFAULT_DOMAINS, before, after)}
    assert rows["income"]["change"] == 2 and rows["employment"]["change"] == 0


TODAY = datetime.date(2026, 11, 20)
OPENED = datetime.date(2026, 10, 1)


@pytest.mark.parametrize(
    "served_on,minutes,field",
    [
        (TODAY + datetime.timedelta(days=1), 60, "served_on"),
        (OPENED - datetime.timedelta(days=1), 60, "served_on"),
        (TODAY, 0, "duration_minutes"),
        (TODAY, 1441, "duration_minutes"),
    ],
)
def test_service_record_limits(served_on, minutes, field):
    problems = rules.service_problems(
        served_on=served_on, duration_minutes=minutes, today=TODAY, opened_on=OPENED
    )
    assert list(problems) == [field]


def test_service_record_edges_are_accepted():
    for served_on, minutes in ((TODAY, 1440), (OPENED, 1)):
        assert (
            rules.service_problems(
                served_on=served_on, duration_minutes=minutes, today=TODAY, opened_on=OPENED
            )
            == {}
        )


def test_referral_due_dates():
    # 2025-09-26 is a Friday; the National Day block 10-01..10-08 and the make-up Sunday 09-28
    # and Saturday 10-11 of the 2025 arrangement are what a calendar holds.
    cal = WorkCalendar(
        known_years=frozenset({2025}),
        exceptions={
            **{datetime.date(2025, 10, d): False for d in (1, 2, 3, 6, 7, 8)},
            datetime.date(2025, 9, 28): True,
            datetime.date(2025, 10, 11): True,
        },
    )
    sent = datetime.date(2025, 9, 26)
    assert rules.referral_due("sent", sent, cal) == Deadline(datetime.date(2025, 10, 13))
    assert rules.referral_due("accepted", sent, cal) == Deadline(datetime.date(2025, 10, 26))
    assert rules.referral_due("served", sent, cal) is None
    assert rules.REFERRAL_NEXT["sent"] == {"accepted", "declined", "cancelled"}
    assert rules.REFERRAL_NEXT["declined"] == set()
