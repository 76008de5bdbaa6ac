"""The caseload, opening a case from the registry, and the caseload summary."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shegong.core.lists import filters_of, list_controls
from shegong.core.pagination import KeysetPage, keyset_page
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.registry.selectors import household_get, household_members

from .. import selectors, services
from ..charts import caseload_summary_chart
from ..forms import CaseFilterForm, CaseOpenForm, SummaryForm
from ._common import run


def _require(request, perm: str, message: str) -> None:
    if not can(request.user, perm):
        raise PermissionDenied(message)


@login_required
def case_list_view(request):
    _require(request, Perm.VIEW_CASES, _("您无权查看个案。"))
    form = CaseFilterForm(request.GET or None, actor=request.user)
    page = KeysetPage.empty()
    if (filters := filters_of(form)) is not None:
        region = filters.get("region")
        qs = selectors.case_list(
            actor=request.user,
            stage=filters.get("stage", ""),
            region_code=region.code if region else "",
            q=filters.get("q", ""),
            mine=bool(filters.get("mine")),
        )
        qs = selectors.with_head_name(qs)
        page = keyset_page(qs, request, sortable=selectors.CASE_SORTS, count=True)
    return render(
        request,
        "casework/case_list.html",
        {
            "form": form,
            "page": page,
            "controls": list_controls(form, page, request.GET),
            "may_open": can(request.user, Perm.WORK_CASES),
        },
    )


def _may_assign_here(actor, region_code: str) -> bool:
    return can(actor, Perm.ASSIGN_CASES, region_code)


@login_required
def case_new_view(request):
    """Open a case for a household chosen on the registry (?household=<pk>)."""
    actor = request.user
    _require(request, Perm.VIEW_CASES, _("您无权开案。"))
    if not request.GET.get("household"):
        # Cases are opened from a household's registry page; say so rather than guess.
        return render(request, "casework/case_new.html", {"form": None, "household": None})
    household = household_get(actor=actor, pk=request.GET.get("household", ""))
    region = household.region_id
    assigning = _may_assign_here(actor, region)
    if not (assigning or can(actor, Perm.WORK_CASES, region)):
        raise PermissionDenied(_("您无权在该区域接案。"))
    workers = selectors.region_workers(region_code=region) if assigning else None
    form = CaseOpenForm(
        request.POST or None,
        members=household_members(household),
        workers=workers,
        initial={"source": "outreach", "priority": "normal"},
    )
    holder: dict = {}
    if request.method == "POST":

        def call():
            data = form.cleaned_data
            holder["case"] = services.case_open(
                actor=actor,
                household=household,
                person=data["person"],
                source=data["source"],
                priority=data["priority"],
                presenting_problem=data["presenting_problem"],
                consent=data["consent"],
                worker=data.get("worker"),
            )

        if run(form, call):
            messages.success(request, _("已开案。"))
            return redirect("casework:case_detail", pk=holder["case"].pk)
    return render(request, "casework/case_new.html", {"form": form, "household": household})


@login_required
def summary_view(request):
    _require(request, Perm.VIEW_CASES, _("您无权查看个案统计。"))
    form = SummaryForm(request.GET or None)
    by = (form.cleaned_data.get("by") if form.is_valid() else "") or "worker"
    rows = selectors.caseload_summary(actor=request.user, by=by)
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("total", "open", "closed", "evaluated", "left_poverty")
    }
    return render(
        request,
        "casework/summary.html",
        {
            "form": form,
            "rows": rows,
            "by": by,
            "totals": totals,
            "chart": caseload_summary_chart(rows, by),
        },
    )
