"""Casework services: the whole journey, every stage rule through the database, who may do
what (both ways, nothing changed on refusal), concurrency."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shegong.casework import services
from shegong.casework.instrument import DEFAULT_DOMAINS
from shegong.casework.models import (
    Case,
    CaseLog,
    FollowUp,
    PlanStatus,
    PlanTask,
    Referral,
    ServiceRecord,
    Stage,
)
from shegong.casework.tests.factories import make_worker
from shegong.conftest import GUSHI, XINCAI, make_user
from shegong.core.models import AuditEvent, Membership
from shegong.core.services import StaleEdit
from shegong.core.testing import make_village
from shegong.registry.tests.factories import make_household
from shegong.resources.tests.factories import make_institution
from shegong.workforce.models import Supervision

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def village(db):
    from shegong.core.models import Region

    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_village(township.code).code


@pytest.fixture
def household(village):
    return make_household(village, head_name="李桂兰")


@pytest.fixture
def case(gushi_worker, household):
    return services.case_open(
        actor=gushi_worker,
        household=household,
        presenting_problem="丈夫因病去世,家中缺少劳动力",
        source="outreach",
        consent=True,
    )


@pytest.fixture
def supervisor(gushi_org, gushi_worker):
    sup = make_user("sup", "supervisor", GUSHI, gushi_org)
    Supervision.objects.create(organisation=gushi_org, supervisor=sup, supervisee=gushi_worker)
    return sup


def scores(**low):
    return {
        d["code"]: {"score": low.get(d["code"], 4), "evidence": "入户了解"} for d in DEFAULT_DOMAINS
    }


def fresh(obj):
    return type(obj)._default_manager.get(pk=obj.pk)


def move(case, actor, to):
    return services.case_move(actor=actor, case=case, to=to, version=fresh(case).version)


def to_intervention(case, worker):
    move(case, worker, Stage.ASSESSMENT)
    services.assessment_record(actor=worker, case=case, scores=scores(income=1, employment=2))
    move(case, worker, Stage.PLANNING)
    plan = services.plan_start(actor=worker, case=fresh(case))
    services.goal_add(
        actor=worker,
        plan=plan,
        need="income",
        description="家庭年人均纯收入超过当年贫困线",
        measures="链接公益岗位",
        target_date=TODAY + datetime.timedelta(days=60),
    )
    move(case, worker, Stage.INTERVENTION)
    return fresh(plan)


def to_evaluation(case, worker):
    plan = to_intervention(case, worker)
    services.service_add(
        actor=worker,
        case=fresh(case),
        service_type="resource_linking",
        served_on=TODAY,
        duration_minutes=90,
        place="村委会",
        content="联系镇就业服务站,推荐公益岗位",
    )
    move(case, worker, Stage.EVALUATION)
    return plan


def evaluate(case, worker, plan):
    services.assessment_record(
        actor=worker, case=fresh(case), scores=scores(income=3, employment=4)
    )
    goal = plan.goals.get()
    return services.evaluation_record(
        actor=worker,
        case=fresh(case),
        summary="家庭收入稳定",
        attainment={goal.pk: "met"},
        left_poverty=True,
        income_before=Decimal("3200"),
        income_after=Decimal("5600"),
        employed_before=0,
        employed_after=1,
    )


def test_the_whole_journey_from_intake_to_closure(case, gushi_worker):
    plan = to_evaluation(case, gushi_worker)
    evaluation = evaluate(case, gushi_worker, plan)
    assert evaluation.goals_met == evaluation.goals_total == 1
    assert evaluation.capability_before < evaluation.capability_after
    closed = services.case_close(
        actor=gushi_worker, case=fresh(case), reason="goals_met", version=fresh(case).version
    )
    assert closed.stage == Stage.CLOSED and closed.closed_on == TODAY
    assert fresh(plan).status == PlanStatus.APPROVED  # took effect at intervention
    kinds = list(
        CaseLog.objects.filter(case=case).order_by("at", "id").values_list("to_value", flat=True)
    )
    assert kinds[1:] == ["assessment", "planning", "intervention", "evaluation", "closed"]
    actions = set(
        AuditEvent.objects.filter(target_id=str(case.pk)).values_list("action", flat=True)
    )
    assert {"casework.case_open", "casework.case_stage", "casework.case_close"} <= actions


def test_a_stage_jump_is_refused_and_changes_nothing(case, gushi_worker):
    with pytest.raises(ValidationError) as err:
        move(case, gushi_worker, Stage.PLANNING)
    assert "跳过" in str(err.value)
    assert fresh(case).stage == Stage.INTAKE and fresh(case).version == case.version


def test_no_plan_without_assessment_through_the_database(case, gushi_worker):
    move(case, gushi_worker, Stage.ASSESSMENT)
    with pytest.raises(ValidationError, match="没有需求预估"):
        move(case, gushi_worker, Stage.PLANNING)


def test_closing_needs_the_evaluation_and_a_reason(case, gushi_worker):
    to_evaluation(case, gushi_worker)
    with pytest.raises(ValidationError, match="结案评估"):
        services.case_close(
            actor=gushi_worker, case=fresh(case), reason="goals_met", version=fresh(case).version
        )
    with pytest.raises(ValidationError):
        services.case_close(actor=gushi_worker, case=fresh(case), reason="", version=None)
    with pytest.raises(ValidationError, match="结案"):
        services.case_move(actor=gushi_worker, case=fresh(case), to=Stage.CLOSED, version=None)
    assert fresh(case).stage == Stage.EVALUATION


def test_supervisor_approves_plans_and_closures_when_the_agency_asks(
    case, gushi_worker, gushi_org, supervisor
):
    gushi_org.plans_need_approval = gushi_org.closures_need_approval = True
    gushi_org.save()
    move(case, gushi_worker, Stage.ASSESSMENT)
    services.assessment_record(actor=gushi_worker, case=fresh(case), scores=scores(income=2))
    move(case, gushi_worker, Stage.PLANNING)
    plan = services.plan_start(actor=gushi_worker, case=fresh(case))
    services.goal_add(
        actor=gushi_worker,
        plan=plan,
        need="income",
        description="增收",
        measures="技能培训",
        target_date=TODAY + datetime.timedelta(days=30),
    )
    with pytest.raises(ValidationError, match="督导审批"):
        move(case, gushi_worker, Stage.INTERVENTION)
    services.plan_submit(actor=gushi_worker, plan=plan, version=fresh(plan).version)
    # The worker cannot approve their own plan; the supervisor can, and must say why to return.
    with pytest.raises(PermissionDenied):
        services.plan_review(actor=gushi_worker, plan=plan, approve=True, version=None)
    with pytest.raises(ValidationError):
        services.plan_review(actor=supervisor, plan=plan, approve=False, note="", version=None)
    services.plan_review(actor=supervisor, plan=plan, approve=True, version=fresh(plan).version)
    assert fresh(plan).status == PlanStatus.APPROVED and fresh(plan).approved_by == supervisor
    move(case, gushi_worker, Stage.INTERVENTION)
    services.service_add(
        actor=gushi_worker,
        case=fresh(case),
        service_type="skills",
        served_on=TODAY,
        duration_minutes=120,
        place="镇培训中心",
        content="参加电商培训",
    )
    move(case, gushi_worker, Stage.EVALUATION)
    evaluate(case, gushi_worker, plan)
    pending = services.case_close(
        actor=gushi_worker, case=fresh(case), reason="goals_met", version=fresh(case).version
    )
    assert pending.stage == Stage.EVALUATION and pending.closure_pending
    services.closure_review(actor=supervisor, case=fresh(case), approve=True, version=None)
    assert fresh(case).stage == Stage.CLOSED and not fresh(case).closure_pending


def test_a_supervisor_of_someone_else_cannot_approve(case, gushi_worker, gushi_org):
    other = make_user("other_sup", "supervisor", GUSHI, gushi_org)
    with pytest.raises(PermissionDenied):
        services.closure_review(actor=other, case=case, approve=True, version=None)


def test_only_the_cases_worker_works_on_it(case, gushi_org, xincai_worker, gushi_officer):
    colleague, _ = make_worker(GUSHI, gushi_org)
    for actor in (colleague, xincai_worker, gushi_officer):
        with pytest.raises(PermissionDenied):
            services.case_move(actor=actor, case=case, to=Stage.ASSESSMENT, version=None)
    assert fresh(case).stage == Stage.INTAKE


def test_a_worker_cannot_open_a_case_outside_their_region(xincai_worker, household):
    with pytest.raises(ValidationError):
        services.case_open(
            actor=xincai_worker,
            household=household,
            presenting_problem="x",
            source="outreach",
            consent=True,
        )
    assert not Case.objects.exists()


def test_an_officer_assigns_a_case_to_a_worker_of_the_county(
    gushi_officer, gushi_worker, household
):
    case = services.case_open(
        actor=gushi_officer,
        household=household,
        presenting_problem="低保边缘户,需要评估",
        source="registry",
        consent=False,
        worker=gushi_worker,
    )
    assert (
        case.worker == gushi_worker
        and case.organisation_id == gushi_worker.memberships.get().organisation_id
    )


def test_a_xincai_officer_cannot_assign_in_gushi(xincai_officer, gushi_worker, household):
    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=xincai_officer,
            household=household,
            presenting_problem="x",
            source="registry",
            consent=True,
            worker=gushi_worker,
        )
    assert not Case.objects.exists()


def test_one_open_case_per_household_and_person(case, gushi_worker, household):
    with pytest.raises(ValidationError, match="未结案"):
        services.case_open(
            actor=gushi_worker,
            household=household,
            presenting_problem="y",
            source="outreach",
            consent=True,
        )


def test_the_second_save_of_the_same_case_is_refused_and_nothing_is_lost(case, gushi_worker):
    seen = case.version
    services.case_update(actor=gushi_worker, case=case, version=seen, priority="urgent")
    with pytest.raises(StaleEdit):
        services.case_update(actor=gushi_worker, case=case, version=seen, presenting_problem="覆盖")
    stored = fresh(case)
    assert stored.priority == "urgent" and stored.presenting_problem == case.presenting_problem


def test_the_second_save_of_the_same_plan_is_refused(case, gushi_worker):
    plan = to_intervention(case, gushi_worker)
    seen = plan.version
    services.plan_save(actor=gushi_worker, plan=plan, summary="第一版", version=seen)
    with pytest.raises(StaleEdit):
        services.plan_save(actor=gushi_worker, plan=plan, summary="第二版", version=seen)
    assert fresh(plan).summary == "第一版"


@pytest.mark.parametrize(
    "change,field",
    [
        ({"served_on": TODAY + datetime.timedelta(days=1)}, "served_on"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"content": "  "}, "content"),
        ({"service_type": "magic"}, "service_type"),
    ],
)
def test_bad_service_records_are_refused(case, gushi_worker, change, field):
    to_intervention(case, gushi_worker)
    data = dict(
        service_type="living",
        served_on=TODAY,
        duration_minutes=30,
        place="家中",
        content="送米面油",
    )
    data.update(change)
    with pytest.raises(ValidationError) as err:
        services.service_add(actor=gushi_worker, case=fresh(case), **data)
    assert field in err.value.message_dict
    assert not ServiceRecord.objects.exists()


def test_referral_only_within_reach_and_with_consent(case, gushi_worker):
    to_intervention(case, gushi_worker)
    far = make_institution(region_code=XINCAI)
    with pytest.raises(ValidationError, match="服务范围"):
        services.referral_add(
            actor=gushi_worker, case=fresh(case), institution=far, need="医疗救助", consent_on=TODAY
        )
    near = make_institution(region_code=GUSHI)
    with pytest.raises(ValidationError, match="同意"):
        services.referral_add(
            actor=gushi_worker, case=fresh(case), institution=near, need="医疗救助", consent_on=None
        )
    assert not Referral.objects.exists()
    province = make_institution(region_code="410000000000")
    # Sent on Friday 2025-09-26: seven working days of the 2025 calendar (make-up Sunday
    # 09-28, National Day 10-01..10-08, make-up Saturday 10-11) end on Monday 10-13.
    referral = services.referral_add(
        actor=gushi_worker,
        case=fresh(case),
        institution=province,
        need="法律援助",
        consent_on=datetime.date(2025, 9, 26),
        sent_on=datetime.date(2025, 9, 26),
    )
    assert (referral.due_on, referral.due_estimated_year) == (datetime.date(2025, 10, 13), None)


def test_referral_moves_sent_accepted_served_and_not_backwards(case, gushi_worker):
    to_intervention(case, gushi_worker)
    referral = services.referral_add(
        actor=gushi_worker,
        case=fresh(case),
        institution=make_institution(region_code=GUSHI),
        need="就业岗位",
        consent_on=TODAY,
    )
    with pytest.raises(ValidationError):
        services.referral_update(
            actor=gushi_worker, referral=referral, status="served", version=None
        )
    r = services.referral_update(
        actor=gushi_worker, referral=referral, status="accepted", version=1
    )
    assert r.due_on == TODAY + datetime.timedelta(days=30)
    with pytest.raises(StaleEdit):
        services.referral_update(
            actor=gushi_worker, referral=referral, status="served", version=1, note="已上岗"
        )
    with pytest.raises(ValidationError):
        services.referral_update(actor=gushi_worker, referral=referral, status="served", version=2)
    r = services.referral_update(
        actor=gushi_worker, referral=referral, status="served", version=2, note="已上岗"
    )
    assert r.status == "served" and r.due_on is None and not r.is_overdue


def test_an_unanswered_referral_becomes_overdue(case, gushi_worker):
    to_intervention(case, gushi_worker)
    referral = services.referral_add(
        actor=gushi_worker,
        case=fresh(case),
        institution=make_institution(region_code=GUSHI),
        need="助学",
        # Thirty calendar days hold seven working days in any arrangement.
        consent_on=TODAY - datetime.timedelta(days=30),
        sent_on=TODAY - datetime.timedelta(days=30),
    )
    assert referral.is_overdue
    on_time = Referral.objects.filter(pk=referral.pk)
    on_time.update(sent_on=TODAY - datetime.timedelta(days=7), due_on=TODAY)
    assert not on_time.get().is_overdue


def test_transfer_keeps_history_and_moves_open_follow_ups(case, gushi_worker, gushi_org):
    colleague, _ = make_worker(GUSHI, gushi_org)
    follow_up = services.follow_up_add(
        actor=gushi_worker, case=case, due_on=TODAY + datetime.timedelta(days=3), purpose="回访"
    )
    services.case_transfer(
        actor=gushi_worker, case=case, to_worker=colleague, reason="工作调整", version=case.version
    )
    assert fresh(case).worker == colleague
    assert fresh(follow_up).assigned_to == colleague
    log = CaseLog.objects.get(case=case, kind="transfer")
    assert "工作调整" in log.note and log.from_value.startswith("测试gushi_worker")


def test_a_worker_cannot_transfer_to_another_agency(case, gushi_worker, gushi_officer):
    stranger, agency = make_worker(GUSHI)
    with pytest.raises(PermissionDenied):
        services.case_transfer(
            actor=gushi_worker, case=case, to_worker=stranger, reason="x", version=None
        )
    assert fresh(case).worker == gushi_worker
    services.case_transfer(
        actor=gushi_officer,
        case=case,
        to_worker=stranger,
        reason="政府购买服务更换承接机构",
        version=None,
    )
    assert fresh(case).organisation == agency


def test_reopen_starts_again_from_assessment(case, gushi_worker):
    plan = to_evaluation(case, gushi_worker)
    evaluate(case, gushi_worker, plan)
    services.case_close(actor=gushi_worker, case=fresh(case), reason="goals_met", version=None)
    with pytest.raises(ValidationError):
        services.case_reopen(actor=gushi_worker, case=fresh(case), reason=" ", version=None)
    reopened = services.case_reopen(
        actor=gushi_worker, case=fresh(case), reason="返贫风险", version=None
    )
    assert reopened.stage == Stage.ASSESSMENT and reopened.times_reopened == 1


def test_follow_up_and_task_limits(case, gushi_worker, volunteer):
    with pytest.raises(ValidationError):
        services.follow_up_add(
            actor=gushi_worker, case=case, due_on=TODAY - datetime.timedelta(days=1), purpose="x"
        )
    assert not FollowUp.objects.exists()
    plan = to_intervention(case, gushi_worker)
    task = services.task_add(
        actor=gushi_worker,
        plan=plan,
        title="陪同就医",
        assignee_kind="volunteer",
        assignee=volunteer,
        due_on=TODAY + datetime.timedelta(days=5),
    )
    # The volunteer finishes their own task; a stranger may not.
    stranger = make_user("stranger", "volunteer", GUSHI)
    with pytest.raises(PermissionDenied):
        services.task_complete(actor=stranger, task=task, result="完成", version=None)
    done = services.task_complete(actor=volunteer, task=task, result="已陪同到县医院", version=1)
    assert done.status == "done"
    assert PlanTask.objects.visible_to(volunteer).filter(pk=task.pk).exists()


def test_volunteer_from_another_county_cannot_be_given_a_task(case, gushi_worker):
    plan = to_intervention(case, gushi_worker)
    far = make_user("far_volunteer", "volunteer", XINCAI)
    with pytest.raises(ValidationError):
        services.task_add(
            actor=gushi_worker,
            plan=plan,
            title="x",
            assignee_kind="volunteer",
            assignee=far,
            due_on=TODAY,
        )


def test_scoping_agency_supervision_and_region(
    case, gushi_worker, gushi_org, supervisor, xincai_worker, gushi_officer, volunteer
):
    other_agency_worker, _ = make_worker(GUSHI)
    colleague, _ = make_worker(GUSHI, gushi_org)
    visible = lambda user: Case.objects.visible_to(user).filter(pk=case.pk).exists()  # noqa: E731
    assert visible(gushi_worker) and visible(colleague) and visible(gushi_officer)
    assert visible(supervisor)
    assert not visible(other_agency_worker)
    assert not visible(xincai_worker)
    assert not visible(volunteer)
    # A supervisor whose link has ended sees nothing any more.
    Supervision.objects.update(ended_on=TODAY)
    fresh_sup = type(supervisor).objects.get(pk=supervisor.pk)
    assert not visible(fresh_sup)


def test_a_worker_assigned_to_one_township_sees_only_that_township(case, gushi_org):
    from shegong.core.models import Region

    townships = list(Region.objects.filter(parent_id=GUSHI).order_by("code")[:2])
    user = make_user("narrow", None, None)
    Membership.objects.create(
        user=user, role="social_worker", region=townships[1], organisation=gushi_org
    )
    assert case.region_id.startswith(townships[0].code[:9])
    assert not Case.objects.visible_to(user).filter(pk=case.pk).exists()


def test_confidential_notes_only_for_worker_and_supervisor_and_reads_are_logged(
    case, gushi_worker, supervisor, gushi_officer
):
    from shegong.casework.models import ConfidentialNote

    services.note_add(actor=gushi_worker, case=case, body="家暴线索,勿外传")
    with pytest.raises(PermissionDenied):
        services.note_add(actor=gushi_officer, case=case, body="x")
    assert ConfidentialNote.objects.visible_to(gushi_worker).count() == 1
    assert ConfidentialNote.objects.visible_to(supervisor).count() == 1
    assert ConfidentialNote.objects.visible_to(gushi_officer).count() == 0
    before = AuditEvent.objects.filter(action="casework.case_read").count()
    services.record_read(actor=gushi_worker, case=case)
    assert AuditEvent.objects.filter(action="casework.case_read").count() == before
    # The supervisor's read shows the confidential notes: logged, and says so.
    services.record_read(actor=supervisor, case=case)
    read = AuditEvent.objects.get(action="casework.case_read", actor=supervisor)
    assert read.changes == {"detail": "confidential_notes"}
    services.record_read(actor=gushi_officer, case=case)
    assert AuditEvent.objects.filter(action="casework.case_read", actor=gushi_officer).count() == 1


def test_case_study_is_checked_for_names_and_ids_before_publishing(case, gushi_worker, household):
    plan = to_evaluation(case, gushi_worker)
    evaluate(case, gushi_worker, plan)
    services.case_close(actor=gushi_worker, case=fresh(case), reason="goals_met", version=None)
    member_id = household.members.get().id_number
    study = services.study_save(
        actor=gushi_worker,
        case=fresh(case),
        needs=["income"],
        service_types=["resource_linking"],
        title="丧偶家庭的就业支持",
        background=f"桂兰(身份证{member_id})丧偶后独自抚养孩子",
        process="链接公益岗位,电话13912345678",
        outcome="收入提高",
    )
    with pytest.raises(ValidationError) as err:
        services.study_publish(actor=gushi_worker, study=study, version=study.version)
    problems = err.value.message_dict
    assert problems["background"] == [
        f"含有可识别个人身份的信息:姓名“桂兰”、身份证号“{member_id}”,请删去或改用化名。"
    ]
    assert problems["process"] == ["含有可识别个人身份的信息:电话“13912345678”,请删去或改用化名。"]
    assert fresh(study).status == "draft"
    study = services.study_save(
        actor=gushi_worker,
        case=fresh(case),
        study=study,
        version=study.version,
        needs=["income"],
        service_types=["resource_linking"],
        background="L女士丧偶后独自抚养孩子",
        process="链接公益岗位",
    )
    published = services.study_publish(actor=gushi_worker, study=study, version=study.version)
    assert published.status == "published"
    from shegong.casework.models import CaseStudy

    far = make_user("far_officer", "civil_affairs_officer", XINCAI)
    assert CaseStudy.objects.visible_to(far).filter(pk=study.pk).exists()


def test_no_case_study_before_closure(case, gushi_worker):
    with pytest.raises(ValidationError, match="结案后"):
        services.study_save(
            actor=gushi_worker,
            case=case,
            needs=[],
            service_types=[],
            title="t",
            background="b",
            process="p",
            outcome="o",
        )
