"""The evaluation page (`dibao:evaluation`): one region (a county or a part of it) and one
period, chosen with the shared region picker and two dates; the figures as a table and as
charts with their tables. A period ending before it starts, an unknown place or one above a
county is an error beside the field, and no figures are shown."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.forms import FilterForm, RegionFilterField
from shegong.core.params import BoundedDateField
from shegong.core.roles import Perm
from shegong.core.scoping import jurisdiction

from .. import evaluation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EvaluationForm(FilterForm):
    region = RegionFilterField(
        perm=Perm.VIEW_DIBAO, required=True, label=gettext_lazy("县(市、区)或乡镇、村")
    )
    period_from = BoundedDateField(label=gettext_lazy("开始日期"), widget=DATE)
    period_to = BoundedDateField(label=gettext_lazy("结束日期"), widget=DATE)

    def clean(self):
        data = super().clean()
        region = data.get("region")
        if region is not None and region.level not in evaluation.LEVELS:
            self.add_error("region", _("请选择一个县(市、区),或县内的乡镇、村。"))
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", _("结束日期不能早于开始日期。"))
        return data


def _initial(actor: Any) -> dict[str, Any] | None:
    """The actor's own county (or township) and this year so far, when there is one place."""
    region = evaluation.default_region(actor)
    if region is None:
        return None
    today = timezone.localdate()
    return {
        "region": region.code,
        "period_from": datetime.date(today.year, 1, 1).isoformat(),
        "period_to": today.isoformat(),
    }


@login_required
def evaluation_view(request):
    if not jurisdiction(request.user, Perm.VIEW_DIBAO):
        raise PermissionDenied(_("您无权查看低保评估数据。"))
    data = request.GET if request.GET else _initial(request.user)
    form = EvaluationForm(data, actor=request.user)
    figures = None
    if data is not None and form.is_valid():
        figures = evaluation.evaluation(
            actor=request.user,
            region=form.cleaned_data["region"],
            period_from=form.cleaned_data["period_from"],
            period_to=form.cleaned_data["period_to"],
        )
    return render(request, "dibao/evaluation.html", {"form": form, "ev": figures})
