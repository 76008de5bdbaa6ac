"""Closing a case with open tasks or referrals: the closure lists them and requires each to be
done, cancelled or handed over with a note; nobody keeps a closed case's task on their list."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from shegong.casework import rules, selectors, services
from shegong.casework.models import PlanTask, Referral, Reminder, Stage
from shegong.casework.tests.test_services import TODAY, evaluate, fresh, to_evaluation
from shegong.core.models import AuditEvent
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db

TASK = rules.OpenItem("task", 1, "open", "入户回访")
SENT = rules.OpenItem("referral", 2, "sent", "转介至县残联")
ACCEPTED = rules.OpenItem("referral", 3, "accepted", "转介至县医院")


@pytest.mark.parametrize(
    ("items", "resolutions", "expected"),
    [
        ([], {}, {}),
        ([TASK], {"task_1": ("done", "已完成回访")}, {}),
        ([TASK], {"task_1": ("hand_over", "交村委会跟进")}, {}),
        ([TASK], {}, {"task_1": "“入户回访”尚未完成:请选择完成、取消或移交。"}),
        (
            [TASK],
            {"task_1": ("cancel", " ")},
            {"task_1_note": "请说明“入户回访”的完成情况、取消或移交的原因。"},
        ),
        ([TASK], {"task_1": ("served", "x")}, {"task_1": "“入户回访”不能这样处理,请重新选择。"}),
        (
            [SENT],
            {"referral_2": ("done", "x")},
            {"referral_2": "“转介至县残联”不能这样处理,请重新选择。"},
        ),
        ([SENT], {"referral_2": ("cancel", "服务对象不再需要")}, {}),
        ([ACCEPTED], {"referral_3": ("done", "已完成康复评估")}, {}),
        ([], {"task_9": ("done", "x")}, {"task_9": "该事项已不在未完成之列,请刷新页面。"}),
    ],
)
def test_the_closure_item_rule(items, resolutions, expected):
    assert rules.closure_item_problems(items, resolutions) == expected


@pytest.fixture
def open_work(case, gushi_worker, volunteer):
    """A case at evaluation with a volunteer's open task, a sent and an accepted referral."""
    from shegong.core.models import Membership

    Membership.objects.filter(user=volunteer).update(region_id=case.region_id[:6] + "000000")
    plan = to_evaluation(case, gushi_worker)
    evaluate(case, gushi_worker, plan)
    task = PlanTask.objects.create(
        plan=plan,
        case=case,
        region_id=case.region_id,
        title="陪同办理残疾证",
        assignee_kind="volunteer",
        assignee=volunteer,
        due_on=TODAY + datetime.timedelta(days=3),
    )
    institution = make_institution(region_code=case.region_id[:6] + "000000")
    sent = services.referral_add(
        actor=gushi_worker, case=fresh(case), institution=institution, need="助学", consent_on=TODAY
    )
    accepted = services.referral_add(
        actor=gushi_worker, case=fresh(case), institution=institution, need="康复", consent_on=TODAY
    )
    services.referral_update(
        actor=gushi_worker, referral=accepted, status="accepted", version=accepted.version
    )
    Reminder.objects.create(
        user=volunteer,
        case=case,
        kind="task",
        object_id=task.pk,
        due_on=task.due_on,
        message="陪同办理残疾证 3 天后到期",
    )
    return task, fresh(sent), fresh(accepted)


def _close(case, worker, resolutions=None):
    return services.case_close(
        actor=worker, case=fresh(case), reason="goals_met", version=None, resolutions=resolutions
    )


def test_closure_is_refused_until_every_open_item_is_resolved(case, gushi_worker, open_work):
    task, sent, accepted = open_work
    assert [i.key for i in selectors.open_items(case=case)] == [
        f"task_{task.pk}",
        f"referral_{sent.pk}",
        f"referral_{accepted.pk}",
    ]
    with pytest.raises(ValidationError) as err:
        _close(case, gushi_worker, {f"task_{task.pk}": ("done", "已办好")})
    assert err.value.message_dict == {
        f"referral_{sent.pk}": [
            f"“转介至{sent.institution.name}”尚未完成:请选择完成、取消或移交。"
        ],
        f"referral_{accepted.pk}": [
            f"“转介至{accepted.institution.name}”尚未完成:请选择完成、取消或移交。"
        ],
    }
    assert fresh(case).stage == Stage.EVALUATION
    assert fresh(task).status == "open"
    assert not AuditEvent.objects.filter(action="casework.case_close").exists()


def test_each_item_is_done_cancelled_or_handed_over(case, gushi_worker, volunteer, open_work):
    task, sent, accepted = open_work
    closed = _close(
        case,
        gushi_worker,
        {
            f"task_{task.pk}": ("hand_over", "交村委会继续协助"),
            f"referral_{sent.pk}": ("cancel", "服务对象已入学,不再需要"),
            f"referral_{accepted.pk}": ("done", "已完成康复评估"),
        },
    )
    assert closed.stage == Stage.CLOSED
    task, sent, accepted = fresh(task), fresh(sent), fresh(accepted)
    assert (task.status, task.result, task.done_on) == ("handed_over", "交村委会继续协助", TODAY)
    assert (sent.status, sent.outcome, sent.due_on) == (
        "cancelled",
        "服务对象已入学,不再需要",
        None,
    )
    assert (accepted.status, accepted.served_on, accepted.due_on) == ("served", TODAY, None)
    # The volunteer no longer has it to do, and yesterday's reminder is gone from their page.
    assert list(selectors.my_work(actor=volunteer).tasks) == []
    assert Reminder.objects.get(object_id=task.pk).read_at is not None
    event = AuditEvent.objects.get(action="casework.case_close")
    assert event.changes["items"] == {
        f"task_{task.pk}": "hand_over",
        f"referral_{sent.pk}": "cancel",
        f"referral_{accepted.pk}": "done",
    }


def test_approval_is_refused_when_new_work_appeared_meanwhile(
    case, gushi_worker, gushi_org, open_work
):
    from shegong.conftest import GUSHI, make_user
    from shegong.workforce.models import Supervision

    sup = make_user("sup10", "supervisor", GUSHI, gushi_org)
    Supervision.objects.create(organisation=gushi_org, supervisor=sup, supervisee=gushi_worker)
    type(gushi_org).objects.filter(pk=gushi_org.pk).update(closures_need_approval=True)
    task, sent, accepted = open_work
    _close(
        case,
        gushi_worker,
        {
            f"task_{task.pk}": ("cancel", "不再需要"),
            f"referral_{sent.pk}": ("cancel", "不再需要"),
            f"referral_{accepted.pk}": ("hand_over", "机构继续"),
        },
    )
    assert fresh(case).closure_pending is True
    late = services.referral_add(
        actor=gushi_worker,
        case=fresh(case),
        institution=sent.institution,
        need="法律援助",
        consent_on=TODAY,
    )
    with pytest.raises(ValidationError, match="申请结案后又有新的未完成事项"):
        services.closure_review(actor=sup, case=fresh(case), approve=True, version=None)
    assert fresh(case).stage == Stage.EVALUATION
    assert Referral.objects.get(pk=late.pk).status == "sent"


def test_the_api_closes_with_a_resolution_per_item(case, gushi_worker, open_work):
    from rest_framework.test import APIClient

    task, sent, accepted = open_work
    api = APIClient()
    api.force_authenticate(gushi_worker)
    url = f"/api/v1/cases/{case.pk}/close/"
    data = {"reason": "goals_met", "version": fresh(case).version}
    refused = api.post(url, data, format="json")
    assert refused.status_code == 400
    assert sorted(refused.json()) == sorted(
        [f"referral_{accepted.pk}", f"referral_{sent.pk}", f"task_{task.pk}"]
    )
    assert fresh(case).stage == Stage.EVALUATION
    data["resolutions"] = [
        {"item": f"task_{task.pk}", "choice": "cancel", "note": "不再需要"},
        {"item": f"referral_{sent.pk}", "choice": "hand_over", "note": "机构继续"},
        {"item": f"referral_{accepted.pk}", "choice": "done", "note": "已服务"},
    ]
    closed = api.post(url, data, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["stage"] == "closed"
    assert fresh(sent).status == "handed_over"
