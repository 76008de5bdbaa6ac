"""The Dibao application pages: the list, a new application, and one application on one page.

`application_detail_view` shows the application with everything recorded on it and one form
per action `selectors.application_actions` allows. Each action has its own POST-only route
(`dibao:application_<action>`, see `action_view`): it runs that action's service, then returns
to the page, or shows the page again with that form's problems and what the user typed.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shegong.core.forms import apply_validation_error
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.lists import filters_of, list_controls
from shegong.core.models import RuleSet
from shegong.core.pagination import KeysetPage, keyset_page
from shegong.core.params import id_param
from shegong.core.roles import Perm
from shegong.core.rulesets import KINDS
from shegong.core.scoping import can
from shegong.core.selectors import work_calendar
from shegong.core.services import StaleEdit
from shegong.registry.selectors import household_by_number, household_members

from .. import calculations, procedure, rules, selectors, services
from ..forms import ApplicationFilterForm, ApplicationNewForm, HouseholdFindForm, ItemRemoveForm
from ..models import OPEN_STAGES, Application, Stage
from .application_actions import ACTIONS, LABELS, Page

# The stage bar: the procedure's main line (objection and the ends are marked on it).
STAGE_LINE = (Stage.ACCEPTED, Stage.INVESTIGATING, Stage.NOTICE, Stage.COUNTY, Stage.APPROVED)


def run(form: forms.Form, call: Callable[[], Any]) -> bool:
    """Call a service for a valid form; show what it refused on the form. True on success."""
    if not form.is_valid():
        return False
    try:
        call()
    except StaleEdit as exc:
        form.add_error(None, exc.messages)
        return False
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return False
    return True


# --- deadlines --------------------------------------------------------------------------------


class _Deadlines:
    """Deadlines of many applications, reading each programme's rules once."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.cal = work_calendar()
        self.values: dict[str, Any] = {}

    def of(self, a: Application) -> list[rules.Due]:
        if not (a.is_open or (a.stage in (Stage.APPROVED, Stage.REFUSED) and not a.notified_on)):
            return []
        if a.programme not in self.values:
            try:
                self.values[a.programme] = calculations.procedure(a, self.today)
            except ValidationError:
                self.values[a.programme] = None
        values = self.values[a.programme]
        return procedure.deadlines(a, values, self.cal) if values is not None else []

    def next(self, a: Application) -> dict[str, Any] | None:
        dues = sorted(self.of(a), key=lambda d: d.by)
        if not dues:
            return None
        d = dues[0]
        return {"due": d, "state": d.state(self.today)}


def _overdue_only(qs: Any, today: datetime.date) -> Any:
    """Keep the open applications with a step past its deadline (read from their dates)."""
    deadlines = _Deadlines(today)
    late = [
        a.pk
        for a in qs.filter(stage__in=[*OPEN_STAGES, Stage.APPROVED, Stage.REFUSED])[:2000]
        if any(d.state(today) == "overdue" for d in deadlines.of(a))
    ]
    return qs.filter(pk__in=late)


# --- the list and a new application -----------------------------------------------------------


@login_required
@require_safe
def application_list_view(request):
    if not can(request.user, Perm.VIEW_DIBAO):
        raise PermissionDenied(_("您无权查看低保特困申请。"))
    form = ApplicationFilterForm(request.GET or None, actor=request.user)
    page = KeysetPage.empty()
    today = timezone.localdate()
    if (filters := filters_of(form)) is not None:
        region = filters.get("region")
        qs = selectors.application_list(
            actor=request.user,
            filters={
                "stage": filters.get("stage", ""),
                "programme": filters.get("programme", ""),
                "region": region.code if region else "",
            },
        )
        if filters.get("overdue"):
            qs = _overdue_only(qs, today)
        page = keyset_page(selectors.with_head_name(qs), request, count=True)
    deadlines = _Deadlines(today)
    for a in page.items:
        a.next_due = deadlines.next(a)
    return render(
        request,
        "dibao/application_list.html",
        {
            "form": form,
            "page": page,
            "controls": list_controls(form, page, request.GET),
            "may_accept": can(request.user, Perm.HANDLE_DIBAO),
        },
    )


@login_required
def application_new_view(request):
    """Accept an application: find the household by its number in the officer's township,
    then fill in the application (stored whatever materials are missing)."""
    actor = request.user
    if not can(actor, Perm.HANDLE_DIBAO):
        raise PermissionDenied(_("只有乡镇(街道)经办人可以受理申请。"))
    find = HouseholdFindForm(request.GET or None, auto_id="id_find_%s")
    household = None
    if find.is_bound and find.is_valid():
        try:
            household = household_by_number(
                actor=actor, number=find.cleaned_data["household"], perm=Perm.HANDLE_DIBAO
            )
        except Http404:
            find.add_error(
                "household",
                _("在您所在的乡镇(街道)找不到户编号为“%(n)s”的建档立卡户。")
                % {"n": find.cleaned_data["household"]},
            )
    form = None
    if household is not None:
        form = ApplicationNewForm(
            request.POST or None, members=household_members(household), auto_id="id_%s"
        )
        holder: dict[str, Application] = {}
        if request.method == "POST":

            def call():
                d = form.cleaned_data
                holder["application"] = services.application_accept(
                    actor=actor,
                    household=household,
                    applicant=d["applicant"],
                    programme=d["programme"],
                    area=d["area"],
                    channel=d["channel"],
                    applied_by=d["applied_by"],
                    authorisation=d["authorisation"],
                    consent_data_matching=d["consent_data_matching"],
                    materials_missing=d["materials_missing"],
                    separately_registered=d["separately_registered"],
                    relation_to_staff=d["relation_to_staff"],
                    applies_alone=d["applies_alone"],
                    alone_reason=d["alone_reason"],
                    reasons=d["reasons"],
                    accepted_on=d["accepted_on"],
                )

            if run(form, call):
                a = holder["application"]
                if a.materials_missing:
                    messages.warning(
                        request,
                        _("已受理。请一次性告知申请人补齐以下材料:%(m)s")
                        % {"m": a.materials_missing.replace("\n", "、")},
                    )
                else:
                    messages.success(request, _("已受理。"))
                return redirect("dibao:application_detail", pk=a.pk)
    return render(
        request,
        "dibao/application_new.html",
        {"find": find, "household": household, "form": form},
    )


# --- one application --------------------------------------------------------------------------


def _page(request, pk) -> Page:
    application = selectors.application_get(actor=request.user, pk=pk)
    file = selectors.application_file(actor=request.user, application=application)
    return Page(actor=request.user, application=application, file=file, files=request.FILES)


def _stages(a: Application) -> list[dict[str, Any]]:
    line: list[str] = list(STAGE_LINE)
    if a.stage == Stage.REFUSED:
        line[-1] = Stage.REFUSED
    current = Stage.NOTICE if a.stage == Stage.OBJECTION else a.stage
    index = line.index(current) if current in line else -1
    out = []
    for i, value in enumerate(line):
        state = "done" if i < index else "current" if i == index else "todo"
        if a.stage == Stage.WITHDRAWN:
            state = "todo"
        label = Stage(value).label
        if value == Stage.NOTICE and a.stage == Stage.OBJECTION:
            label = Stage.OBJECTION.label
        out.append({"label": label, "state": state})
    return out


def _rules_label(rs: RuleSet) -> str:
    kind = KINDS.get(rs.kind)
    name = str(kind.label) if kind else rs.kind
    return _("%(name)s 第 %(v)s 版(%(d)s 起施行)") % {
        "name": name,
        "v": rs.version,
        "d": rs.valid_from.isoformat(),
    }


def _figures(page: Page) -> dict[str, Any] | None:
    """Per-person income and the amount the rules give today (when there are members)."""
    a = page.application
    if not page.file.members:
        return None
    today = timezone.localdate()
    out: dict[str, Any] = {
        "counted": sum(1 for m in page.file.members if not m.exclusion),
        "per_person": rules.rounded(calculations.per_person_income(a), ("fen",)),
    }
    try:
        out["standard"] = calculations.standard_for(a, today)
        out["amount"] = calculations.amount_for(a, today)
        out["problems"] = calculations.eligibility_problems(a, today)
    except ValidationError as exc:
        out["error"] = " ".join(exc.messages)
    return out


def _forms(page: Page, allowed: frozenset[str], action: str, bound: Any) -> dict[str, Any]:
    out = {}
    for name in [n for n in LABELS if n in allowed and n != "item_remove"]:
        keep = name == action and bound is not None
        form = bound if keep else ACTIONS[name](page, None)[0]
        # Many forms share field names (on, note, version): each its own ids.
        form.auto_id = f"id_{name}_%s"
        summary, button, section = LABELS[name]
        out[name] = {
            "name": name,
            "form": form,
            "summary": summary,
            "button": button,
            "section": section,
            "open": keep,
            "url": reverse(f"dibao:application_{name}", kwargs={"pk": page.application.pk}),
            "multipart": name == "evidence_add",
        }
    return out


def _remove_forms(page: Page, allowed: frozenset[str], action: str, bound: Any) -> None:
    """One small remove form per income, asset, deduction and interview."""
    rows = (
        ("income", page.file.incomes),
        ("asset", page.file.assets),
        ("deduction", page.file.deductions),
        ("interview", page.file.interviews),
    )
    key = None
    if action == "item_remove" and bound is not None:
        key = (bound.data.get("kind"), id_param(bound.data.get("item")))
    for kind, items in rows:
        for item in items:
            form = None
            if "item_remove" in allowed:
                if key == (kind, item.pk):
                    form = bound
                else:
                    form = ItemRemoveForm(initial={"kind": kind, "item": item.pk, **page.version})
                form.auto_id = f"id_rm_{kind}{item.pk}_%s"
            item.remove_form = form


def _print_forms(application: Any, *, has_review: bool) -> list[tuple[Any, str]]:
    """(title, url) of the printable forms that make sense for the application now."""
    from django.urls import reverse

    from ..documents import FORMS, available_forms

    return [
        (FORMS[code], reverse(f"dibao:print_{code}", args=[application.pk]))
        for code in available_forms(application, has_review=has_review)
    ]


def _context(page: Page, action: str = "", bound: Any = None) -> dict[str, Any]:
    a, file = page.application, page.file
    allowed = selectors.application_actions(actor=page.actor, application=a)
    forms_ = _forms(page, allowed, action, bound)
    _remove_forms(page, allowed, action, bound)
    for m in file.members:
        m.id_display = mask_citizen_id(m.person.id_number)
    today = timezone.localdate()
    for s in file.steps:
        s.label = procedure.STEPS.get(s.step, s.step)
        s.rules_label = _rules_label(s.rules)
    dues = [{"due": d, "state": d.state(today)} for d in file.deadlines]
    placed = action in forms_ or (
        action == "item_remove"
        and any(
            getattr(i, "remove_form", None) is bound
            for i in [*file.incomes, *file.assets, *file.deductions, *file.interviews]
        )
    )
    sections: dict[str, list[Any]] = {}
    for f in forms_.values():
        sections.setdefault(f["section"], []).append(f)
    return {
        "application": a,
        "file": file,
        "applicant_id": mask_citizen_id(a.applicant.id_number),
        "stages": _stages(a),
        "dues": dues,
        "forms": forms_,
        "sections": sections,
        "figures": _figures(page),
        "print_forms": _print_forms(a, has_review=bool(file.reviews)),
        "today": today,
        "stray": None if bound is None or placed else bound,
    }


@login_required
@require_safe
def application_detail_view(request, pk):
    page = _page(request, pk)
    return render(request, "dibao/application_detail.html", _context(page))


def _level_allows(actor: Any, application: Application, action: str) -> bool:
    """Whether the actor's level takes this action at all (at some stage)."""
    region = application.region_id
    if action in procedure.COUNTY_ACTIONS and can(actor, Perm.DECIDE_DIBAO, region):
        return True
    return action in procedure.TOWNSHIP_ACTIONS and can(actor, Perm.HANDLE_DIBAO, region)


# Where the page scrolls to after each action.
def _anchor(action: str) -> str:
    return LABELS[action][2]


def action_view(action: str):
    """The view of one action of the application page, for its own route."""
    build = ACTIONS[action]

    @login_required
    @require_POST
    def view(request, pk):
        page = _page(request, pk)
        allowed = selectors.application_actions(actor=request.user, application=page.application)
        if action not in allowed and not _level_allows(request.user, page.application, action):
            raise PermissionDenied(_("您无权办理这一步。"))
        form, call = build(page, request.POST)
        if action not in allowed:
            form.is_valid()
            form.add_error(
                None,
                _("申请当前处于“%(stage)s”环节,不能办理这一步。")
                % {"stage": page.application.get_stage_display()},
            )
        elif run(form, call):
            messages.success(request, _("已保存。"))
            url = reverse("dibao:application_detail", kwargs={"pk": page.application.pk})
            return redirect(f"{url}#{_anchor(action)}")
        page = _page(request, pk)
        return render(request, "dibao/application_detail.html", _context(page, action, form))

    view.__name__ = view.__qualname__ = f"application_{action}_view"
    return view


@login_required
@require_safe
def evidence_view(request, pk):
    """The application's evidence files; `?item=<id>` downloads one (access as the page)."""
    page = _page(request, pk)
    item = id_param(request.GET.get("item", ""))
    if item is None:
        return render(
            request,
            "dibao/application_evidence.html",
            {"application": page.application, "file": page.file},
        )
    found = next((e for e in page.file.evidence if e.pk == item and e.file), None)
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(found.file.name))
