"""Reads: constant query counts, my-work lists, summaries, case-study search."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shegong.casework import selectors
from shegong.casework.models import CaseStudyStatus, Evaluation, Stage
from shegong.casework.tests.factories import (
    make_case,
    make_case_study,
    make_follow_up,
    make_plan,
    make_referral,
    make_service,
    make_task,
    make_worker,
)
from shegong.conftest import GUSHI, XINCAI, make_user
from shegong.core.models import Region
from shegong.core.testing import make_village
from shegong.workforce.models import Supervision

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def village(db):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_village(township.code).code


def queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _page(actor):
    rows = list(selectors.case_list(actor=actor)[:50])
    shown = [  # everything a caseload row shows
        (c.household.number, c.worker.display_name, c.organisation.name, c.region.name)
        for c in rows
    ]
    return shown


def test_caseload_list_queries_do_not_grow_with_cases(gushi_worker, village):
    make_case(region_code=village, owner=gushi_worker)
    gushi_worker = type(gushi_worker).objects.get(pk=gushi_worker.pk)
    few = queries(lambda: _page(gushi_worker))
    for _ in range(12):
        make_case(region_code=village, owner=gushi_worker)
    gushi_worker = type(gushi_worker).objects.get(pk=gushi_worker.pk)
    assert len(_page(gushi_worker)) == 13
    gushi_worker = type(gushi_worker).objects.get(pk=gushi_worker.pk)
    assert queries(lambda: _page(gushi_worker)) == few


def test_case_file_queries_do_not_grow_with_records(gushi_worker, village):
    case = make_case(region_code=village, owner=gushi_worker)
    plan = make_plan(region_code=village, case=case)
    make_task(region_code=village, plan=plan, owner=gushi_worker)
    make_service(region_code=village, case=case)
    make_referral(region_code=village, case=case)
    make_follow_up(region_code=village, case=case)

    def read():
        f = selectors.case_file(actor=gushi_worker, case=case)
        shown = [r.institution.name for r in f.referrals]
        shown += [(t.assignee, t.partner, t.goal) for t in f.tasks]
        shown += [s.worker.display_name for s in f.services]
        return shown

    one = queries(read)
    for _ in range(4):
        make_task(region_code=village, plan=plan, owner=gushi_worker)
        make_service(region_code=village, case=case)
        make_referral(region_code=village, case=case)
        make_follow_up(region_code=village, case=case)
    assert queries(read) == one


def test_my_work_lists_due_and_overdue_and_the_team_for_a_supervisor(
    gushi_worker, gushi_org, village
):
    case = make_case(region_code=village, owner=gushi_worker)
    soon = make_follow_up(region_code=village, case=case)
    soon.due_on = TODAY + datetime.timedelta(days=3)
    soon.save()
    late = make_follow_up(region_code=village, case=case)
    late.due_on = TODAY - datetime.timedelta(days=2)
    late.save()
    far = make_follow_up(region_code=village, case=case)
    far.due_on = TODAY + datetime.timedelta(days=40)
    far.save()
    work = selectors.my_work(actor=gushi_worker)
    assert {f.pk for f in work.follow_ups} == {soon.pk, late.pk}
    assert work.overdue_count == 1

    sup = make_user("sup", "supervisor", GUSHI, gushi_org)
    assert selectors.my_work(actor=sup, team=True).follow_ups == []
    Supervision.objects.create(organisation=gushi_org, supervisor=sup, supervisee=gushi_worker)
    sup = type(sup).objects.get(pk=sup.pk)
    assert {f.pk for f in selectors.my_work(actor=sup, team=True).follow_ups} == {soon.pk, late.pk}


def test_volunteer_sees_only_their_own_tasks(gushi_worker, volunteer, village):
    plan = make_plan(region_code=village, owner=gushi_worker)
    mine = make_task(region_code=village, plan=plan, owner=volunteer)
    make_task(region_code=village, plan=plan, owner=gushi_worker)
    assert [t.pk for t in selectors.tasks_for(actor=volunteer)] == [mine.pk]
    assert not selectors.cases(volunteer).exists()


def test_summary_per_worker_agency_and_county(gushi_worker, gushi_officer, village):
    a = make_case(region_code=village, owner=gushi_worker)
    make_case(region_code=village, owner=gushi_worker, stage=Stage.CLOSED)
    Evaluation.objects.create(
        case=a,
        region_id=a.region_id,
        evaluated_on=TODAY,
        summary="x",
        evaluator=gushi_worker,
        left_poverty=True,
    )
    other, _ = make_worker(GUSHI)
    make_case(region_code=village, owner=other)
    xincai_village = make_village(
        Region.objects.filter(parent_id=XINCAI).order_by("code").first().code
    ).code
    make_case(region_code=xincai_village)
    by_worker = {r["key"]: r for r in selectors.caseload_summary(actor=gushi_officer, by="worker")}
    assert by_worker[gushi_worker.pk]["total"] == 2
    assert by_worker[gushi_worker.pk]["closed"] == 1
    assert by_worker[gushi_worker.pk]["left_poverty"] == 1
    assert by_worker[other.pk]["total"] == 1
    by_agency = selectors.caseload_summary(actor=gushi_officer, by="agency")
    assert sorted(r["total"] for r in by_agency) == [1, 2]
    by_county = selectors.caseload_summary(actor=gushi_officer, by="county")
    assert [(r["total"], r["open"]) for r in by_county] == [(3, 2)]
    # The worker's own summary holds only their agency's cases.
    assert sum(r["total"] for r in selectors.caseload_summary(actor=gushi_worker)) == 2


def test_case_study_search_by_need_service_and_text(gushi_worker, xincai_officer, village):
    hit = make_case_study(region_code=village, owner=gushi_worker)
    hit.status = CaseStudyStatus.PUBLISHED
    hit.published_at = timezone.now()
    hit.needs, hit.service_types = ["income", "health"], ["resource_linking"]
    hit.save()
    other = make_case_study(region_code=village, owner=gushi_worker, marker="留守儿童的监护指导")
    other.status = CaseStudyStatus.PUBLISHED
    other.published_at = timezone.now()
    other.needs, other.service_types = ["education"], ["guardianship"]
    other.save()
    make_case_study(region_code=village, owner=gushi_worker, marker="未发布的草稿")

    def found(**kw):
        return [s.pk for s in selectors.case_studies(actor=xincai_officer, **kw)]

    assert set(found()) == {hit.pk, other.pk}
    assert found(need="income") == [hit.pk]
    assert found(need="inc") == []
    assert found(service_type="guardianship") == [other.pk]
    assert found(q="监护") == [other.pk]
