"""One case on one page: its stage, household, and the records of every stage.

`case_detail_view` shows the case. Each action has its own POST-only route
(`casework:case_<action>`, see `action_view`): it runs that action's service, then returns to
the page, or shows the page again with that form's problems and what the user typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shegong.core.idnumbers import mask_citizen_id
from shegong.core.params import id_param

from .. import rules, selectors, services
from ..forms import FollowUpDoneForm, ReferralUpdateForm
from ..models import Stage
from ._common import run
from ._page import Page
from .case_actions import ACTIONS, ANCHORS
from .plan_actions import need_choices


def _domains(case, file) -> list:
    first = file.first_assessment
    if first is not None:
        return first.instrument.domains
    if case.stage == Stage.ASSESSMENT:
        try:
            return services.active_instrument().domains
        except Exception:  # no instrument configured: the form says so when posted
            return []
    return []


def _page(request, pk) -> Page:
    actor = request.user
    case = selectors.case_get(actor=actor, pk=pk)
    file = selectors.case_file(actor=actor, case=case)
    page = Page(
        actor=actor,
        case=case,
        file=file,
        work=services.may_work(actor, case),
        approve=services.may_approve(actor, case),
        assign=services.may_assign(actor, case.region_id, case.organisation_id),
    )
    page.domains = _domains(case, file)
    return page


def _stages(case) -> list[dict]:
    current = rules.STAGES.index(case.stage)
    return [
        {
            "value": value,
            "label": label,
            "state": "done" if i < current else "current" if i == current else "todo",
        }
        for i, (value, label) in enumerate(Stage.choices)
    ]


def _moves(case) -> list[dict]:
    """Stage buttons: the next stage (closing has its own form) and the allowed steps back."""
    if case.stage == Stage.CLOSED:
        return []
    i = rules.STAGES.index(case.stage)
    out = []
    nxt = rules.STAGES[i + 1]
    if nxt != Stage.CLOSED:
        out.append({"to": nxt, "label": Stage(nxt).label, "back": False})
    for before, after in sorted(rules.BACKWARD):
        if before == case.stage:
            out.append({"to": after, "label": Stage(after).label, "back": True})
    return out


def _row_forms(page: Page, bound_action: str, bound_form) -> tuple[dict, dict]:
    """One small update form per open referral and per scheduled follow-up."""
    referral_forms = {}
    for r in page.file.referrals:
        if r.status in ("sent", "accepted"):
            referral_forms[r.pk] = ReferralUpdateForm(
                initial={"referral": r.pk, "version": r.version}, auto_id=f"id_r{r.pk}_%s"
            )
    follow_forms = {}
    for f in page.file.follow_ups:
        if f.status == "scheduled":
            follow_forms[f.pk] = FollowUpDoneForm(
                initial={"follow_up": f.pk, "version": f.version}, auto_id=f"id_f{f.pk}_%s"
            )
    if bound_form is not None and bound_form.is_bound:
        key = id_param(bound_form.data.get("referral") or bound_form.data.get("follow_up"))
        target = referral_forms if bound_action == "referral_update" else follow_forms
        rows = bound_action in ("referral_update", "follow_up_done")
        if rows and key is not None and key in target:
            bound_form.auto_id = (
                f"id_r{key}_%s" if bound_action == "referral_update" else f"id_f{key}_%s"
            )
            target[key] = bound_form
    return referral_forms, follow_forms


def _placed(bound, file) -> bool:
    rows = [getattr(r, "update_form", None) for r in file.referrals]
    rows += [getattr(f, "done_form", None) for f in file.follow_ups]
    return any(form is bound for form in rows)


def _context(page: Page, action: str = "", bound=None) -> dict:
    case, file = page.case, page.file
    allowed = page.actions()
    forms = {}
    for name in sorted(allowed - {"referral_update", "follow_up_done"}):
        keep = name == action and bound is not None
        forms[name] = bound if keep else ACTIONS[name](page, None)[0]
        # Many forms share field names (summary, note, version): each its own ids, so that a
        # label points at its own field.
        forms[name].auto_id = f"id_{name}_%s"
    referral_forms, follow_forms = _row_forms(page, action, bound)
    for person in file.members:
        person.id_display = mask_citizen_id(person.id_number)
    for r in file.referrals:
        r.update_form = referral_forms.get(r.pk) if "referral_update" in allowed else None  # type: ignore[attr-defined]
    for f in file.follow_ups:
        f.done_form = follow_forms.get(f.pk) if "follow_up_done" in allowed else None  # type: ignore[attr-defined]
    needs = dict(need_choices(page)) if page.domains else {}
    for g in file.goals:
        g.need_label = needs.get(g.need, g.need)
    for e in file.log:
        e.from_value, e.to_value = _stage_label(e.from_value), _stage_label(e.to_value)
    return {
        "case": case,
        "file": file,
        "head": next((p for p in file.members if p.relation == "head"), None),
        "stages": _stages(case),
        "moves": _moves(case) if "move" in allowed else [],
        "forms": forms,
        "open_action": action,
        "may_work": page.work,
        "may_approve": page.approve,
        "may_assign": page.assign,
        "suggested": [(s, _service_label(s)) for s in file.suggested],
        "domains": page.domains,
        "scores": _score_rows(page),
        "today": timezone.localdate(),
        # A posted form this page does not show (the stage moved on meanwhile): its problems
        # go at the top.
        "stray": None if bound is None or action in forms or _placed(bound, file) else bound,
    }


def _stage_label(value: str) -> str:
    return str(Stage(value).label) if value in Stage.values else value


def _service_label(code: str) -> str:
    from ..models import ServiceType

    return str(ServiceType(code).label) if code in ServiceType.values else code


def _score_rows(page: Page) -> list[dict]:
    """The initial assessment, domain by domain, for reading."""
    first = page.file.first_assessment
    if first is None:
        return []
    return [
        {
            "label": d["label"],
            "score": (first.scores.get(d["code"]) or {}).get("score"),
            "evidence": (first.scores.get(d["code"]) or {}).get("evidence", ""),
        }
        for d in first.instrument.domains
    ]


@login_required
@require_safe
def case_detail_view(request, pk):
    page = _page(request, pk)
    services.record_read(actor=request.user, case=page.case)
    return render(request, "casework/case_detail.html", _context(page))


def action_view(action: str):
    """The view of one action of the case page, for its own route."""
    build = ACTIONS[action]

    @login_required
    @require_POST
    def view(request, pk):
        page = _page(request, pk)
        form, call = build(page, request.POST)
        if run(form, call):
            messages.success(request, _("已保存。"))
            url = reverse("casework:case_detail", kwargs={"pk": page.case.pk})
            anchor = ANCHORS.get(action)
            return redirect(f"{url}#{anchor}" if anchor else url)
        # The page shown again with the form's errors is a read like any other.
        services.record_read(actor=request.user, case=page.case)
        return render(request, "casework/case_detail.html", _context(page, action, form))

    view.__name__ = view.__qualname__ = f"case_{action}_view"
    return view
