"""The forms of the case page and the service each one calls.

Every action is a builder: given the page's state and the posted data (or None to show an
empty form), it returns the form and the call that runs its service. The case page shows the
forms the actor may use at the case's stage and runs the one that was posted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import selectors, services
from ..forms import (
    AssessmentForm,
    CaseEditForm,
    CloseForm,
    ConsentRegainForm,
    ConsentWithdrawForm,
    DecisionForm,
    EvaluationForm,
    FollowUpDoneForm,
    FollowUpForm,
    MoveForm,
    NoteForm,
    ReferralForm,
    ReferralUpdateForm,
    ReopenForm,
    ServiceForm,
    TransferForm,
)
from ._common import version_of
from ._page import Built, Page
from .plan_actions import (
    build_goal,
    build_plan,
    build_plan_review,
    build_plan_start,
    build_plan_submit,
    build_task,
)


def _v(page: Page) -> dict[str, Any]:
    return {"version": page.case.version}


def _edit(page: Page, data: Any) -> Built:
    c = page.case
    form = CaseEditForm(
        data,
        initial={
            "presenting_problem": c.presenting_problem,
            "priority": c.priority,
            "consent": c.consent,
            **_v(page),
        },
    )

    def call():
        d = form.cleaned_data
        services.case_update(
            actor=page.actor,
            case=c,
            version=version_of(form),
            presenting_problem=d["presenting_problem"],
            priority=d["priority"],
            consent=d["consent"],
        )

    return form, call


def _move(page: Page, data: Any) -> Built:
    form = MoveForm(data, initial=_v(page))

    def call():
        d = form.cleaned_data
        services.case_move(
            actor=page.actor, case=page.case, to=d["to"], version=version_of(form), note=d["note"]
        )

    return form, call


def _assess(page: Page, data: Any) -> Built:
    form = AssessmentForm(data, domains=page.domains)

    def call():
        d = form.cleaned_data
        try:
            services.assessment_record(
                actor=page.actor,
                case=page.case,
                scores=form.scores(),
                summary=d["summary"],
                assessed_on=d["assessed_on"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            # The service names domains by code; show each problem on its score row.
            raise ValidationError(
                {form.field_for(code): errors for code, errors in exc.error_dict.items()}
            ) from exc

    return form, call


def _service(page: Page, data: Any) -> Built:
    form = ServiceForm(data)

    def call():
        services.service_add(actor=page.actor, case=page.case, **form.cleaned_data)

    return form, call


def _referral(page: Page, data: Any) -> Built:
    form = ReferralForm(
        data, institutions=selectors.referral_institutions(actor=page.actor, case=page.case)
    )

    def call():
        d = form.cleaned_data
        services.referral_add(
            actor=page.actor,
            case=page.case,
            institution=d["institution"],
            need=d["need"],
            consent_on=d["consent_on"],
            sent_on=d["sent_on"],
        )

    return form, call


def _row(rows: list[Any], pk: Any) -> Any:
    found = next((r for r in rows if r.pk == pk), None)
    if found is None:
        raise ValidationError(_("没有找到该记录,请刷新页面。"))
    return found


def _referral_update(page: Page, data: Any) -> Built:
    form = ReferralUpdateForm(data)

    def call():
        d = form.cleaned_data
        services.referral_update(
            actor=page.actor,
            referral=_row(page.file.referrals, d["referral"]),
            status=d["status"],
            version=version_of(form),
            on=d["on"],
            note=d["note"],
        )

    return form, call


def _follow_up(page: Page, data: Any) -> Built:
    form = FollowUpForm(data)

    def call():
        d = form.cleaned_data
        services.follow_up_add(
            actor=page.actor, case=page.case, due_on=d["due_on"], purpose=d["purpose"]
        )

    return form, call


def _follow_up_done(page: Page, data: Any) -> Built:
    form = FollowUpDoneForm(data)

    def call():
        d = form.cleaned_data
        services.follow_up_complete(
            actor=page.actor,
            follow_up=_row(page.file.follow_ups, d["follow_up"]),
            note=d["note"],
            done_on=d["done_on"],
            version=version_of(form),
        )

    return form, call


def _evaluation(page: Page, data: Any) -> Built:
    form = EvaluationForm(data, goals=page.file.goals)

    def call():
        d = form.cleaned_data
        services.evaluation_record(
            actor=page.actor,
            case=page.case,
            summary=d["summary"],
            attainment=form.attainment(),
            left_poverty=d["left_poverty"],
            income_before=d["income_before"],
            income_after=d["income_after"],
            employed_before=d["employed_before"],
            employed_after=d["employed_after"],
        )

    return form, call


def _close(page: Page, data: Any) -> Built:
    form = CloseForm(data, initial=_v(page), items=page.file.open_items)

    def call():
        d = form.cleaned_data
        services.case_close(
            actor=page.actor,
            case=page.case,
            reason=d["reason"],
            note=d["note"],
            version=version_of(form),
            resolutions=form.resolutions(),
        )

    return form, call


def _consent_withdraw(page: Page, data: Any) -> Built:
    form = ConsentWithdrawForm(data, initial=_v(page))

    def call():
        d = form.cleaned_data
        services.consent_withdraw(
            actor=page.actor, case=page.case, on=d["on"], note=d["note"], version=version_of(form)
        )

    return form, call


def _consent_regain(page: Page, data: Any) -> Built:
    form = ConsentRegainForm(data, initial=_v(page))

    def call():
        d = form.cleaned_data
        services.consent_regain(
            actor=page.actor, case=page.case, on=d["on"], note=d["note"], version=version_of(form)
        )

    return form, call


def _closure_review(page: Page, data: Any) -> Built:
    form = DecisionForm(data, initial=_v(page))

    def call():
        d = form.cleaned_data
        services.closure_review(
            actor=page.actor,
            case=page.case,
            approve=d["decision"] == "approve",
            note=d["note"],
            version=version_of(form),
        )

    return form, call


def _reopen(page: Page, data: Any) -> Built:
    form = ReopenForm(data, initial=_v(page))

    def call():
        services.case_reopen(
            actor=page.actor,
            case=page.case,
            reason=form.cleaned_data["reason"],
            version=version_of(form),
        )

    return form, call


def _transfer(page: Page, data: Any) -> Built:
    c = page.case
    org = None if page.assign else c.organisation_id
    workers = selectors.region_workers(region_code=c.region_id, organisation_id=org).exclude(
        pk=c.worker_id
    )
    form = TransferForm(data, workers=workers, initial=_v(page))

    def call():
        d = form.cleaned_data
        services.case_transfer(
            actor=page.actor,
            case=c,
            to_worker=d["to_worker"],
            reason=d["reason"],
            version=version_of(form),
        )

    return form, call


def _note(page: Page, data: Any) -> Built:
    form = NoteForm(data)

    def call():
        services.note_add(actor=page.actor, case=page.case, body=form.cleaned_data["body"])

    return form, call


ACTIONS: dict[str, Callable[[Page, Any], Built]] = {
    "edit": _edit,
    "move": _move,
    "assess": _assess,
    "plan_start": build_plan_start,
    "plan": build_plan,
    "goal": build_goal,
    "task": build_task,
    "plan_submit": build_plan_submit,
    "plan_review": build_plan_review,
    "service": _service,
    "referral": _referral,
    "referral_update": _referral_update,
    "follow_up": _follow_up,
    "follow_up_done": _follow_up_done,
    "evaluation": _evaluation,
    "close": _close,
    "consent_withdraw": _consent_withdraw,
    "consent_regain": _consent_regain,
    "closure_review": _closure_review,
    "reopen": _reopen,
    "transfer": _transfer,
    "note": _note,
}

# Where the page scrolls to after each action.
ANCHORS = {
    "edit": "intake",
    "assess": "assessment",
    "plan_start": "plan",
    "plan": "plan",
    "goal": "plan",
    "task": "plan",
    "plan_submit": "plan",
    "plan_review": "plan",
    "service": "services",
    "referral": "referrals",
    "referral_update": "referrals",
    "follow_up": "follow-ups",
    "follow_up_done": "follow-ups",
    "evaluation": "evaluation",
    "close": "closure",
    "consent_withdraw": "intake",
    "consent_regain": "top",
    "closure_review": "closure",
    "reopen": "closure",
    "transfer": "transfer",
    "note": "notes",
}
