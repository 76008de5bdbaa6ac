"""Properties of the casework rules over generated facts, scores and records."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.casework import rules
from shegong.casework.instrument import DEFAULT_DOMAINS
from shegong.casework.rules import BACKWARD, STAGES, CaseFacts, stage_problems
from shegong.core.workdays import WorkCalendar, add_working_days

FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)

facts = st.builds(
    CaseFacts,
    stage=st.sampled_from(STAGES),
    consent=st.booleans(),
    initial_assessments=st.integers(0, 2),
    plan_status=st.sampled_from(["", "draft", "pending", "approved"]),
    plan_goals=st.integers(0, 2),
    plans_need_approval=st.booleans(),
    services=st.integers(0, 2),
    evaluations=st.integers(0, 2),
    closure_reason=st.sampled_from(["", "goals_met", "other"]),
    closure_note=st.sampled_from(["", " ", "迁出本县"]),
)

# The need threshold of the seeded `assessment` rule set (version 1).
NEED = 3


@FAST
@given(facts, st.sampled_from(STAGES))
def test_only_the_next_stage_or_an_allowed_step_back_can_ever_pass(f, target):
    problems = stage_problems(f, target)
    step = STAGES.index(target) - STAGES.index(f.stage)
    if f.stage == "closed" or step == 0 or step > 1:
        assert len(problems) == 1
    elif step < 0:
        # Going back needs nothing but being one of the allowed moves.
        assert (problems == []) == ((f.stage, target) in BACKWARD)


@FAST
@given(facts, st.text(max_size=8).filter(lambda t: t not in STAGES))
def test_an_unknown_stage_is_always_refused(f, target):
    assert stage_problems(f, target) == ["未知的阶段。"]


@FAST
@given(facts)
def test_moving_on_passes_exactly_when_the_next_stage_has_what_it_needs(f):
    if f.stage == "closed":
        return
    target = STAGES[STAGES.index(f.stage) + 1]
    needs = {
        "assessment": f.consent,
        "planning": f.initial_assessments > 0,
        "intervention": f.plan_goals > 0
        and (not f.plans_need_approval or f.plan_status == "approved"),
        "evaluation": f.services > 0,
        "closed": f.evaluations > 0
        and f.closure_reason != ""
        and (f.closure_reason != "other" or f.closure_note.strip() != ""),
    }
    assert (stage_problems(f, target) == []) == needs[target]


DOMAINS = [{"code": d["code"], "label": d["label"]} for d in DEFAULT_DOMAINS]
CODES = [d["code"] for d in DOMAINS]


@FAST
@given(st.sampled_from(CODES), st.integers(-1, 7), st.sampled_from(["", " ", "依据"]))
def test_a_score_needs_one_to_five_and_evidence_exactly_at_or_below_three(code, score, evidence):
    scores = {c: {"score": 5, "evidence": ""} for c in CODES}
    scores[code] = {"score": score, "evidence": evidence}
    problems = rules.score_problems(DOMAINS, scores, need_threshold=NEED)
    valid = 1 <= score <= 5 and (score > NEED or evidence.strip() != "")
    assert (problems == {}) == valid
    assert set(problems) <= {code}


score_maps = st.dictionaries(st.sampled_from(CODES), st.integers(1, 5)).map(
    lambda d: {c: {"score": s, "evidence": "x"} for c, s in d.items()}
)


@FAST
@given(score_maps)
def test_every_need_is_ranked_once_with_weight_times_distance(scores):
    ranked = rules.rank_needs(DEFAULT_DOMAINS, scores, need_threshold=NEED)
    weights = {d["code"]: int(d.get("weight", 1)) for d in DEFAULT_DOMAINS}
    assert sorted(n.code for n in ranked) == sorted(
        c for c, v in scores.items() if v["score"] <= NEED
    )
    for need in ranked:
        assert need.priority == weights[need.code] * (5 - need.score)
    assert len(rules.suggested_services(ranked)) == len(set(rules.suggested_services(ranked)))


@FAST
@given(score_maps)
def test_capability_lies_between_the_lowest_and_highest_score(scores):
    value = rules.capability(scores)
    if not scores:
        assert value is None
    else:
        values = [v["score"] for v in scores.values()]
        assert min(values) <= value <= max(values)


@FAST
@given(score_maps, score_maps)
def test_compare_shows_after_minus_before(before, after):
    for row in rules.compare(DOMAINS, before, after):
        b, a = before.get(row["code"]), after.get(row["code"])
        expected = a["score"] - b["score"] if a and b else None
        assert row["change"] == expected


TODAY = datetime.date(2024, 6, 15)


@FAST
@given(st.integers(-3, 3), st.integers(-3, 3), st.integers(-1, 1442))
def test_a_service_record_passes_exactly_within_its_limits(served_delta, opened_delta, minutes):
    served = TODAY + datetime.timedelta(days=served_delta)
    opened = TODAY + datetime.timedelta(days=opened_delta)
    problems = rules.service_problems(
        served_on=served, duration_minutes=minutes, today=TODAY, opened_on=opened
    )
    assert ("served_on" in problems) == (served > TODAY or served < opened)
    assert ("duration_minutes" in problems) == (not 0 < minutes <= rules.MAX_SERVICE_MINUTES)


@FAST
@given(st.sampled_from(list(rules.REFERRAL_NEXT)), st.dates())
def test_only_an_open_referral_falls_due_and_a_final_one_moves_nowhere(status, on):
    # No calendar at all: working days are estimated Monday to Friday and say so.
    cal = WorkCalendar(known_years=frozenset(), exceptions={})
    due = rules.referral_due(status, on, cal) if on < datetime.date(9999, 1, 1) else None
    if status == "sent" and due is not None:
        assert due.due == add_working_days(
            on, rules.REFERRAL_REPLY_DAYS, WorkCalendar(frozenset({on.year, due.due.year}), {})
        )
        assert due.estimated_year == (on + datetime.timedelta(days=1)).year
        assert rules.REFERRAL_NEXT[status]
    elif status == "accepted" and due is not None:
        assert due.due == on + datetime.timedelta(days=rules.REFERRAL_SERVICE_DAYS)
        assert due.estimated_year is None
        assert rules.REFERRAL_NEXT[status]
    elif status not in ("sent", "accepted"):
        assert due is None
        assert rules.REFERRAL_NEXT[status] == set()
