"""The casework pages: who sees them, a case taken from intake to closure in the browser, and
what the pages do with bad or stale input."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.casework.models import (
    Case,
    CaseStudy,
    FollowUp,
    PlanTask,
    ServicePlan,
    ServiceRecord,
    Stage,
)
from shegong.casework.tests.factories import (
    make_case,
    make_goal,
    make_plan,
    make_task,
    make_worker,
)
from shegong.conftest import GUSHI, PASSWORD, XINCAI, make_user
from shegong.core.models import AuditEvent, Region
from shegong.registry.tests.factories import make_household, make_person
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db


def _village(county: str) -> str:
    from shegong.core.testing import make_village

    township = Region.objects.filter(parent_id=county).order_by("code").first()
    return make_village(township.code).code


@pytest.fixture
def village():
    return _village(GUSHI)


@pytest.fixture
def worker_client(client, gushi_worker):
    client.force_login(gushi_worker)
    return client


def _case(village, worker, **fields):
    return make_case(region_code=village, owner=worker, **fields)


def _post(client, case, action, **data):
    return client.post(reverse(f"casework:case_{action}", args=[case.pk]), data)


def _today(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# --- who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["casework:case_list", "casework:my_work", "casework:summary", "casework:study_list"]
)
def test_the_list_pages_render_for_a_worker(worker_client, name):
    response = worker_client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name", ["casework:case_list", "casework:summary", "casework:study_list", "casework:case_new"]
)
def test_a_volunteer_is_refused_the_case_pages(client, volunteer, name):
    client.force_login(volunteer)
    assert client.get(reverse(name)).status_code == 403


def test_the_summary_renders_for_every_grouping(client, gushi_officer, gushi_worker, village):
    _case(village, gushi_worker)
    client.force_login(gushi_officer)
    for by in ("worker", "agency", "county", "nonsense"):
        response = client.get(reverse("casework:summary"), {"by": by})
        assert response.status_code == 200
    assert "测试gushi_worker" in client.get(reverse("casework:summary")).content.decode()


def test_the_case_page_shows_the_case_and_masks_ids(worker_client, gushi_worker, village):
    case = _case(village, gushi_worker)
    head = case.household.members.get()
    response = worker_client.get(reverse("casework:case_detail", args=[case.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert case.number in body
    assert head.id_number not in body
    assert "*" * 16 + head.id_number[-2:] in body


def test_another_county_gets_404_and_nothing_changes(client, xincai_officer, gushi_worker, village):
    case = _case(village, gushi_worker)
    client.force_login(xincai_officer)
    url = reverse("casework:case_detail", args=[case.pk])
    assert client.get(url).status_code == 404
    move = reverse("casework:case_move", args=[case.pk])
    response = client.post(move, {"to": "assessment", "version": 1})
    assert response.status_code == 404
    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.INTAKE, 1)


def test_an_officer_may_read_but_not_work_the_case(client, gushi_officer, gushi_worker, village):
    case = _case(village, gushi_worker)
    client.force_login(gushi_officer)
    response = _post(client, case, "move", to="assessment", version=case.version)
    assert response.status_code == 403
    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.INTAKE, 1)
    # The officer's read is logged; the worker's own reads are not.
    client.get(reverse("casework:case_detail", args=[case.pk]))
    assert AuditEvent.objects.filter(action="casework.case_read", actor=gushi_officer).count() == 1


def test_the_worker_reading_their_case_writes_no_read_log(worker_client, gushi_worker, village):
    case = _case(village, gushi_worker)
    worker_client.get(reverse("casework:case_detail", args=[case.pk]))
    assert AuditEvent.objects.filter(action="casework.case_read").count() == 0


def test_confidential_notes_show_only_to_worker_and_supervisor(
    client, gushi_worker, gushi_officer, gushi_org, village
):
    from shegong.workforce.models import Supervision

    case = _case(village, gushi_worker)
    case.notes.create(region_id=case.region_id, author=gushi_worker, body="家暴线索保密")
    sup = make_user("sup", "supervisor", GUSHI, gushi_org)
    Supervision.objects.create(organisation=gushi_org, supervisor=sup, supervisee=gushi_worker)
    url = reverse("casework:case_detail", args=[case.pk])
    for user, sees in ((gushi_worker, True), (sup, True), (gushi_officer, False)):
        client.force_login(user)
        assert ("家暴线索保密" in client.get(url).content.decode()) is sees


# --- the journey --------------------------------------------------------------------------------


def test_a_case_goes_from_intake_to_closure_in_the_browser(worker_client, gushi_worker, village):
    household = make_household(village, head_name="李桂兰")
    make_person(household, "李小明", relation="son", birth="20100101")
    institution = make_institution(region_code=GUSHI, name="固始县社会救助服务中心")
    c = worker_client

    page = c.get(reverse("casework:case_new") + f"?household={household.pk}")
    assert page.status_code == 200
    response = c.post(
        reverse("casework:case_new") + f"?household={household.pk}",
        {
            "source": "outreach",
            "priority": "high",
            "presenting_problem": "因病致贫,需要医疗救助和就业支持",
            "consent": "on",
        },
    )
    case = Case.objects.get(household=household)
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case_detail", args=[case.pk])

    def move(to):
        case.refresh_from_db()
        r = _post(c, case, "move", to=to, version=case.version)
        assert r.status_code == 302, r.content.decode()
        case.refresh_from_db()
        assert case.stage == to

    move("assessment")
    scores = {f"score_{code}": "4" for code in _domain_codes()}
    scores.update({"score_income": "1", "evidence_income": "年人均收入不足两千元"})
    scores.update({"score_health": "2", "evidence_health": "户主患慢性病"})
    r = _post(c, case, "assess", assessed_on=_today(), summary="收入低、疾病", **scores)
    assert r.status_code == 302
    body = c.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "需求排序" in body and "生活帮扶" in body

    move("planning")
    assert _post(c, case, "plan_start", summary="就业与医疗救助").status_code == 302
    r = _post(
        c,
        case,
        "goal",
        need="income",
        description="家庭年人均纯收入超过脱贫线",
        measures="链接就业岗位",
        target_date=_today(90),
    )
    assert r.status_code == 302
    r = _post(
        c,
        case,
        "task",
        title="联系县就业服务中心",
        assignee_kind="worker",
        assignee=gushi_worker.pk,
        due_on=_today(7),
    )
    assert r.status_code == 302, r.content.decode()
    move("intervention")

    r = _post(
        c,
        case,
        "service",
        service_type="resource_linking",
        served_on=_today(),
        duration_minutes="90",
        place="服务对象家中",
        people_present="户主、儿子",
        content="协助申请医疗救助",
        next_step="跟进审批结果",
    )
    assert r.status_code == 302
    r = _post(
        c, case, "referral", institution=institution.pk, need="申请临时救助", consent_on=_today()
    )
    assert r.status_code == 302, r.content.decode()
    referral = case.referrals.get()
    r = _post(
        c, case, "referral_update", referral=referral.pk, status="accepted", version=1, on=_today()
    )
    assert r.status_code == 302
    r = _post(c, case, "follow_up", due_on=_today(14), purpose="了解就业适应情况")
    assert r.status_code == 302
    follow_up = FollowUp.objects.get(case=case)
    r = _post(
        c, case, "follow_up_done", follow_up=follow_up.pk, version=1, note="上岗", done_on=_today()
    )
    assert r.status_code == 302
    move("evaluation")

    again = {f"score_{code}": "4" for code in _domain_codes()}
    r = _post(c, case, "assess", assessed_on=_today(), **again)
    assert r.status_code == 302
    body = c.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "服务前后对比" in body
    goal = case.plans.get().goals.get()
    r = _post(
        c,
        case,
        "evaluation",
        **{f"goal_{goal.pk}": "met"},
        income_before="2000",
        income_after="4500",
        employed_before="0",
        employed_after="1",
        left_poverty="on",
        summary="目标达成,家庭收入提高",
    )
    assert r.status_code == 302, r.content.decode()
    case.refresh_from_db()
    # The task and the accepted referral are still open: the closure lists them and refuses
    # to close until each one is resolved, with a note.
    task = case.tasks.get()
    body = c.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "还有 2 项未完成" in body and "联系县就业服务中心" in body
    r = _post(c, case, "close", reason="goals_met", note="", version=case.version)
    assert r.status_code == 200
    assert "“联系县就业服务中心”尚未完成:请选择完成、取消或移交。" in r.content.decode()
    assert fresh_stage(case) == Stage.EVALUATION
    r = _post(
        c,
        case,
        "close",
        reason="goals_met",
        note="",
        version=case.version,
        **{
            f"task_{task.pk}": "done",
            f"task_{task.pk}_note": "已上岗",
            f"referral_{referral.pk}": "hand_over",
            f"referral_{referral.pk}_note": "临时救助由县救助中心继续办理",
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    task.refresh_from_db()
    referral.refresh_from_db()
    assert (task.status, task.result) == ("done", "已上岗")
    assert (referral.status, referral.outcome, referral.due_on) == (
        "handed_over",
        "临时救助由县救助中心继续办理",
        None,
    )
    assert ServiceRecord.objects.filter(case=case).count() == 1

    # A closed case is written up and published without identifying details.
    r = c.post(
        reverse("casework:study_new", args=[case.pk]),
        {
            "title": "因病致贫家庭的就业支持",
            "background": "李桂兰一家因病致贫",
            "needs": ["income"],
            "service_types": ["resource_linking"],
            "process": "链接就业岗位",
            "outcome": "收入提高",
        },
    )
    study = CaseStudy.objects.get(case=case)
    assert r.status_code == 302
    r = c.post(reverse("casework:study_detail", args=[study.pk]), {"version": study.version})
    body = r.content.decode()
    assert r.status_code == 200
    assert "案例背景" in body and "李桂兰" in body and "化名" in body
    study.refresh_from_db()
    assert study.status == "draft"


def _domain_codes():
    from shegong.casework.instrument import DEFAULT_DOMAINS

    return [d["code"] for d in DEFAULT_DOMAINS]


# --- bad and stale input ------------------------------------------------------------------------


def test_moving_without_consent_shows_the_rule_and_changes_nothing(
    worker_client, gushi_worker, village
):
    case = _case(village, gushi_worker, consent=False)
    response = _post(worker_client, case, "move", to="assessment", version=case.version)
    assert response.status_code == 200
    assert "进入预估前须记录服务对象的知情同意。" in response.content.decode()
    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.INTAKE, 1)


def test_a_stale_version_is_refused_with_the_message(worker_client, gushi_worker, village):
    case = _case(village, gushi_worker)
    response = _post(
        worker_client,
        case,
        "edit",
        presenting_problem="改过的问题",
        priority="urgent",
        version=case.version - 1 if case.version > 1 else 99,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "该个案已被他人修改" in body
    assert "改过的问题" in body  # what the user typed is kept
    case.refresh_from_db()
    assert case.presenting_problem != "改过的问题"


def test_a_service_record_in_the_future_shows_the_message(worker_client, gushi_worker, village):
    case = _case(village, gushi_worker, stage=Stage.INTERVENTION)
    response = _post(
        worker_client,
        case,
        "service",
        service_type="living",
        served_on=_today(3),
        duration_minutes="60",
        place="家中",
        content="走访",
    )
    assert response.status_code == 200
    assert "服务日期不能晚于今天。" in response.content.decode()
    assert ServiceRecord.objects.filter(case=case).count() == 0


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("move", {"to": "nowhere", "version": "x"}),
        ("assess", {"score_income": "9"}),
        ("referral_update", {"referral": "999999", "status": "accepted"}),
        ("evaluation", {"income_before": "-1"}),
        ("transfer", {"to_worker": "abc"}),
    ],
)
def test_garbage_never_gives_a_server_error(worker_client, gushi_worker, village, action, data):
    case = _case(village, gushi_worker)
    response = worker_client.post(reverse(f"casework:case_{action}", args=[case.pk]), data)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.version == 1


def test_opening_a_case_outside_the_jurisdiction_is_404(worker_client):
    household = make_household(_village(XINCAI))
    url = reverse("casework:case_new") + f"?household={household.pk}"
    assert worker_client.get(url).status_code == 404
    assert worker_client.post(url, {"presenting_problem": "x"}).status_code == 404
    assert Case.objects.count() == 0


def test_opening_without_a_problem_shows_the_message(worker_client, village):
    household = make_household(village)
    url = reverse("casework:case_new") + f"?household={household.pk}"
    response = worker_client.post(url, {"source": "outreach", "priority": "normal"})
    assert response.status_code == 200
    assert "该字段是必填项" in response.content.decode()
    assert Case.objects.count() == 0


# --- supervisors ----------------------------------------------------------------------------


def test_a_supervisor_approves_a_plan_from_the_case_page(client, gushi_worker, gushi_org, village):
    from shegong.workforce.models import Supervision

    gushi_org.plans_need_approval = True
    gushi_org.save()
    sup = make_user("sup", "supervisor", GUSHI, gushi_org)
    Supervision.objects.create(organisation=gushi_org, supervisor=sup, supervisee=gushi_worker)
    case = _case(village, gushi_worker, stage=Stage.PLANNING)
    plan = make_plan(region_code=village, case=case)
    make_goal(region_code=village, plan=plan)
    client.force_login(gushi_worker)
    assert _post(client, case, "plan_submit", version=plan.version).status_code == 302
    plan.refresh_from_db()
    client.force_login(sup)
    work = client.get(reverse("casework:my_work")).content.decode()
    assert case.number in work
    r = _post(client, case, "plan_review", decision="approve", note="", version=plan.version)
    assert r.status_code == 302
    assert ServicePlan.objects.get(pk=plan.pk).status == "approved"


# --- volunteers --------------------------------------------------------------------------------


def test_a_volunteer_sees_the_task_but_no_ids_or_members(client, volunteer, gushi_worker, village):
    case = _case(village, gushi_worker)
    make_person(case.household, "王小红", relation="daughter", birth="20120101")
    plan = make_plan(region_code=village, case=case)
    task = make_task(region_code=village, plan=plan, owner=volunteer, marker="陪同就医")
    client.force_login(volunteer)
    assert "陪同就医" in client.get(reverse("casework:my_work")).content.decode()
    listing = client.get(reverse("casework:task_list")).content.decode()
    assert "陪同就医" in listing
    body = client.get(reverse("casework:task_detail", args=[task.pk])).content.decode()
    assert "陪同就医" in body and case.region.name in body
    for person in case.household.members.all():
        assert person.id_number not in body and person.id_number[-4:] not in body
        assert person.name not in body
    assert case.household.number not in body
    assert client.get(reverse("casework:case_detail", args=[case.pk])).status_code == 404
    r = client.post(
        reverse("casework:task_detail", args=[task.pk]),
        {"result": "已陪同就医", "done_on": _today(), "version": task.version},
    )
    assert r.status_code == 302
    assert PlanTask.objects.get(pk=task.pk).status == "done"


def test_a_volunteer_gets_404_for_someone_elses_task(client, volunteer, gushi_worker, village):
    other = make_user("other_vol", "volunteer", GUSHI)
    task = make_task(region_code=village, owner=other)
    client.force_login(volunteer)
    url = reverse("casework:task_detail", args=[task.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"result": "x"}).status_code == 404
    assert PlanTask.objects.get(pk=task.pk).status == "open"


# --- the caseload list ---------------------------------------------------------------------------


def _fill(village, n):
    worker, org = make_worker(GUSHI)
    for _ in range(n):
        make_case(region_code=village, owner=worker)


# session (read and touched), user, memberships (cached for the request), the page of cases
# with its household, worker, agency and region (with its township) joined, the capped count,
# and the menu.
CASE_LIST_QUERIES = 8


def test_the_caseload_list_does_not_grow_queries_with_cases(
    client, gushi_officer, village, django_assert_num_queries
):
    client.force_login(gushi_officer)
    _fill(village, 3)
    with django_assert_num_queries(CASE_LIST_QUERIES):
        response = client.get(reverse("casework:case_list"))
    assert response.content.decode().count('data-label="个案编号"') == 3
    _fill(village, 27)
    with django_assert_num_queries(CASE_LIST_QUERIES):
        response = client.get(reverse("casework:case_list"))
    assert response.content.decode().count('data-label="个案编号"') == 30


def test_the_caseload_filters(client, gushi_officer, gushi_worker, village):
    mine = _case(village, gushi_worker, stage=Stage.PLANNING)
    other = make_case(region_code=village)
    client.force_login(gushi_worker)
    body = client.get(reverse("casework:case_list"), {"mine": "on"}).content.decode()
    assert mine.number in body
    client.force_login(gushi_officer)
    body = client.get(reverse("casework:case_list"), {"stage": "planning"}).content.decode()
    assert mine.number in body and other.number not in body
    number = other.household.number
    body = client.get(reverse("casework:case_list"), {"q": number}).content.decode()
    assert other.number in body and mine.number not in body
    response = client.get(reverse("casework:case_list"), {"region": "abc", "before": "x"})
    assert response.status_code == 200


def test_the_household_page_lists_its_cases_and_offers_to_open_one(client, gushi_worker, village):
    case = _case(village, gushi_worker)
    client.force_login(gushi_worker)
    body = client.get(
        reverse("registry:household_detail", args=[case.household.pk])
    ).content.decode()
    assert case.number in body
    assert f"{reverse('casework:case_new')}?household={case.household.pk}" in body


def test_login_page_is_used_for_anonymous_visitors(client, gushi_worker, village):
    case = _case(village, gushi_worker)
    response = client.get(reverse("casework:case_detail", args=[case.pk]))
    assert response.status_code == 302
    assert PASSWORD  # the personas' password is shared with the other tests


def test_a_missing_score_shows_on_its_domain_row(worker_client, gushi_worker, village):
    case = _case(village, gushi_worker, stage=Stage.ASSESSMENT)
    scores = {f"score_{code}": "4" for code in _domain_codes()}
    scores["score_income"] = "2"  # a need, without evidence
    response = _post(worker_client, case, "assess", assessed_on=_today(), **scores)
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["forms"]["assess"].errors["score_income"] == [
        "“经济收入”存在困难,请填写依据。"
    ]
    assert case.assessments.count() == 0
    assert "“经济收入”存在困难,请填写依据。" in body


def fresh_stage(case):
    return type(case).objects.get(pk=case.pk).stage
