"""A volunteer does the task a social worker gave them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

pytestmark = [
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def give_the_volunteer_a_task() -> str:
    """The social worker adds a task for the volunteer to the plan of a demo case."""
    from shegong.casework import services
    from shegong.casework.models import AssigneeKind, Case, Stage
    from shegong.core.models import User

    worker = User.objects.get(username="gushi_worker")
    case = Case.objects.get(worker=worker, stage=Stage.PLANNING)
    plan = services.current_plan(case)
    assert plan is not None, "the demo case in planning has a plan"
    services.task_add(
        actor=worker,
        plan=plan,
        title="入户送学习用品并陪伴孩子做作业",
        assignee_kind=AssigneeKind.VOLUNTEER,
        assignee=User.objects.get(username="volunteer"),
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    return case.household.number


def test_volunteer_does_a_task(journey):
    household_number = give_the_volunteer_a_task()
    j = journey("volunteer")
    page = j.page

    j.open("/")
    page.get_by_role("link", name="我的工作").first.click()
    j.check("my_work", phone=True)
    page.goto(f"{j.base_url}/casework/tasks/")
    page.get_by_role("link", name="入户送学习用品并陪伴孩子做作业").click()
    detail = j.main()
    assert "入户送学习用品并陪伴孩子做作业" in detail
    # A volunteer sees where and what, never the household's members or numbers.
    assert household_number not in detail, detail
    j.check("task", phone=True)
    page.get_by_label("完成情况").fill("已送去书包和文具,陪孩子完成了数学作业")
    page.get_by_role("button", name="完成", exact=True).click()
    page.wait_for_load_state()
    done = j.main()
    assert "待办" not in done and "已完成" in done, done
    assert "已送去书包和文具,陪孩子完成了数学作业" in done, done
    j.check("done")
