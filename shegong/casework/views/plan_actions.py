"""The service-plan forms of the case page: start, summary, goals, tasks, approval."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import selectors, services
from ..forms import DecisionForm, GoalForm, PlanForm, TaskForm
from ._common import version_of
from ._page import Built, Page


def build_plan_start(page: Page, data: Any) -> Built:
    form = PlanForm(data)

    def call():
        services.plan_start(actor=page.actor, case=page.case, summary=form.cleaned_data["summary"])

    return form, call


def _need_plan(page: Page) -> Any:
    if page.plan is None:
        raise ValidationError(_("请先开始制定服务计划。"))
    return page.plan


def build_plan(page: Page, data: Any) -> Built:
    plan = page.plan
    initial = {"summary": plan.summary, "version": plan.version} if plan else {}
    form = PlanForm(data, initial=initial)

    def call():
        services.plan_save(
            actor=page.actor,
            plan=_need_plan(page),
            summary=form.cleaned_data["summary"],
            version=version_of(form),
        )

    return form, call


def need_choices(page: Page) -> list[tuple[str, str]]:
    ranked = [(n.code, n.label) for n in page.file.ranked_needs]
    codes = {c for c, _label in ranked}
    return ranked + [(d["code"], d["label"]) for d in page.domains if d["code"] not in codes]


def build_goal(page: Page, data: Any) -> Built:
    form = GoalForm(data, needs=need_choices(page))

    def call():
        d = form.cleaned_data
        services.goal_add(
            actor=page.actor,
            plan=_need_plan(page),
            need=d["need"],
            description=d["description"],
            measures=d["measures"],
            target_date=d["target_date"],
        )

    return form, call


def build_task(page: Page, data: Any) -> Built:
    c = page.case
    form = TaskForm(
        data,
        people=selectors.task_assignees(case=c),
        partners=selectors.referral_institutions(actor=page.actor, case=c),
        goals=selectors.plan_goals(plan=page.plan),
    )

    def call():
        d = form.cleaned_data
        services.task_add(
            actor=page.actor,
            plan=_need_plan(page),
            title=d["title"],
            assignee_kind=d["assignee_kind"],
            assignee=d["assignee"],
            partner=d["partner"],
            goal=d["goal"],
            due_on=d["due_on"],
            detail=d["detail"],
        )

    return form, call


def build_plan_submit(page: Page, data: Any) -> Built:
    form = PlanForm(data, initial={"version": page.plan.version} if page.plan else {})

    def call():
        services.plan_submit(actor=page.actor, plan=_need_plan(page), version=version_of(form))

    return form, call


def build_plan_review(page: Page, data: Any) -> Built:
    form = DecisionForm(data, initial={"version": page.plan.version} if page.plan else {})

    def call():
        d = form.cleaned_data
        services.plan_review(
            actor=page.actor,
            plan=_need_plan(page),
            approve=d["decision"] == "approve",
            note=d["note"],
            version=version_of(form),
        )

    return form, call
