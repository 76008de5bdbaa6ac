"""The monitoring alerts: the list (status, rule and place filters, keyset paging) and one
alert with the township's close form (its own POST-only route).

An alert stays open until the township closes it with what it found and did: the run never
closes one, even when its finding no longer holds (the page says so).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from shegong.core.forms import FilterForm, RegionFilterField, apply_validation_error
from shegong.core.lists import filters_of, list_controls
from shegong.core.pagination import KeysetPage, keyset_page
from shegong.core.regions import prefix_bounds, prefix_of
from shegong.core.roles import Perm
from shegong.core.rulesets import values_of
from shegong.core.scoping import can

from .. import selectors
from ..models import Alert, AlertStatus
from ..monitoring import RULE_LABELS
from ..services.monitoring import alert_close


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class AlertFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), required=False, choices=_blank(AlertStatus.choices)
    )
    rule = forms.ChoiceField(
        label=gettext_lazy("监测规则"), required=False, choices=_blank(RULE_LABELS.items())
    )
    region = RegionFilterField(perm=Perm.VIEW_DIBAO)


class AlertCloseForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("核实情况和处理结果"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _require_view(actor: Any) -> None:
    if not can(actor, Perm.VIEW_DIBAO):
        raise PermissionDenied(_("您无权查看低保动态监测预警。"))


@login_required
@require_safe
def alert_list_view(request):
    actor = request.user
    _require_view(actor)
    form = AlertFilterForm(request.GET or None, actor=actor)
    page = KeysetPage.empty()
    if (filters := filters_of(form)) is not None:
        qs = selectors.alert_list(
            actor=actor, filters={k: filters.get(k) for k in ("status", "rule")}
        ).select_related("region__parent")
        if region := filters.get("region"):
            low, high = prefix_bounds(prefix_of(region.code))
            qs = qs.filter(region_id__gte=low, region_id__lt=high)
        page = keyset_page(qs, request, count=True)
    for alert in page.items:
        alert.rule_label = RULE_LABELS.get(alert.rule, alert.rule)
    return render(
        request,
        "dibao/alert_list.html",
        {"form": form, "page": page, "controls": list_controls(form, page, request.GET)},
    )


def _alert(actor: Any, pk: Any) -> Alert:
    return selectors.alert_get(actor=actor, pk=pk)


def _page(request, alert: Alert, form: AlertCloseForm | None = None, status: int = 200):
    may_close = alert.status == AlertStatus.OPEN and can(
        request.user, Perm.HANDLE_DIBAO, alert.region_id
    )
    return render(
        request,
        "dibao/alert_detail.html",
        {
            "alert": alert,
            "rule_label": RULE_LABELS.get(alert.rule, alert.rule),
            "rules_label": values_of(alert.rules).label,
            "form": (form or AlertCloseForm()) if may_close else None,
        },
        status=status,
    )


@login_required
@require_safe
def alert_detail_view(request, pk):
    return _page(request, _alert(request.user, pk))


@login_required
@require_POST
def alert_close_view(request, pk):
    actor = request.user
    alert = _alert(actor, pk)
    if not can(actor, Perm.HANDLE_DIBAO, alert.region_id):
        raise PermissionDenied(_("只有该户所在乡镇(街道)的低保经办人可以处理这条预警。"))
    form = AlertCloseForm(request.POST)
    if form.is_valid():
        try:
            alert_close(actor=actor, alert=alert, outcome=form.cleaned_data["outcome"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("预警已处理。"))
            return redirect("dibao:alert_detail", pk=alert.pk)
    alert.refresh_from_db()
    if alert.status != AlertStatus.OPEN:
        messages.error(request, " ".join(form.non_field_errors()) or _("这条预警已处理。"))
        return redirect("dibao:alert_detail", pk=alert.pk)
    return _page(request, alert, form)
