"""My work (a worker's and a supervisor's due items) and the tasks given to volunteers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.roles import Perm, Role
from shegong.core.scoping import can, memberships_of

from .. import reminders, selectors, services
from ..forms import TaskDoneForm
from ..models import TaskStatus
from ._common import run, version_of


def _require_tasks(request) -> None:
    if not can(request.user, Perm.VIEW_TASKS):
        raise PermissionDenied(_("您无权查看个案工作。"))


@login_required
def my_work_view(request):
    _require_tasks(request)
    actor = request.user
    if not can(actor, Perm.VIEW_CASES):
        # Volunteers see no cases: only the tasks given to them.
        return task_list_view(request)
    mine = selectors.my_work(actor=actor)
    supervises = any(m.role == Role.SUPERVISOR for m in memberships_of(actor))
    team = selectors.my_work(actor=actor, team=True) if supervises else None
    return render(
        request,
        "casework/my_work.html",
        {
            "mine": mine,
            "team": team,
            "today": mine.today,
            "reminders": reminders.latest_reminders(actor=actor),
        },
    )


@login_required
@require_POST
def reminders_read_view(request):
    _require_tasks(request)
    reminders.reminders_read_all(actor=request.user)
    return redirect("casework:my_work")


@login_required
def task_list_view(request):
    _require_tasks(request)
    tasks = list(selectors.tasks_for(actor=request.user)[:200])
    return render(request, "casework/task_list.html", {"tasks": tasks})


@login_required
def task_detail_view(request, pk):
    """A task as the person doing it sees it: what to do, where (the village), by when.
    How to reach the household (its phone) and the worker who gave the task; no names of
    household members, no ID numbers."""
    actor = request.user
    task = selectors.task_get(actor=actor, pk=pk)
    may_complete = task.status == TaskStatus.OPEN and (
        task.assignee_id == actor.pk or services.may_work(actor, task.case)
    )
    form = TaskDoneForm(request.POST or None, initial={"version": task.version})
    if request.method == "POST":
        if not may_complete and task.status == TaskStatus.OPEN:
            raise PermissionDenied(_("只有任务执行人或负责社工可以更新该任务。"))

        def call():
            d = form.cleaned_data
            services.task_complete(
                actor=actor,
                task=task,
                result=d["result"],
                done_on=d["done_on"],
                version=version_of(form),
            )

        if run(form, call):
            messages.success(request, _("任务已完成。"))
            return redirect("casework:task_detail", pk=task.pk)
    return render(
        request,
        "casework/task_detail.html",
        {
            "task": task,
            "form": form,
            "may_complete": may_complete or (request.method == "POST"),
            "may_see_case": can(actor, Perm.VIEW_CASES, task.region_id),
        },
    )
