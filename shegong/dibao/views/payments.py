"""The payment list pages: a county's lists by month, one list with its lines and totals, and
the POST-only routes that build, finalise and export it (each through its service)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from shegong.core.forms import apply_validation_error
from shegong.core.lists import list_controls
from shegong.core.pagination import keyset_page
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.selectors import region_list
from shegong.core.tasks import job_start

from .. import exports
from ..models import ListStatus
from ..selectors_payments import (
    first_of_month,
    next_month,
    payment_list_get,
    payment_list_lines,
    payment_list_list,
    totals_problems,
)
from ..services.payments import payment_list_build, payment_list_finalise

MONTHS_BACK = 12
LINES_PER_PAGE = 100


def _months(today: datetime.date) -> list[tuple[str, str]]:
    """Next month, this month and the eleven before, newest first."""
    month = next_month(first_of_month(today))
    choices = []
    for _i in range(MONTHS_BACK + 1):
        choices.append((f"{month:%Y-%m}", f"{month:%Y年%m月}"))
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return choices


class BuildForm(forms.Form):
    county = forms.ChoiceField(label=gettext_lazy("县(市、区)"))
    month = forms.ChoiceField(label=gettext_lazy("发放月份"))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.counties = {
            r.code: r
            for r in region_list(actor=actor, perm=Perm.DECIDE_DIBAO)
            .filter(level="county")
            .order_by("code")
        }
        county, month = self.fields["county"], self.fields["month"]
        assert isinstance(county, forms.ChoiceField) and isinstance(month, forms.ChoiceField)
        county.choices = [(c, r.name) for c, r in self.counties.items()]
        month.choices = _months(timezone.localdate())
        if len(self.counties) == 1:
            self.fields["county"].initial = next(iter(self.counties))
        self.fields["month"].initial = f"{first_of_month(timezone.localdate()):%Y-%m}"

    def clean_month(self) -> datetime.date:
        value = self.cleaned_data["month"]
        return datetime.date(int(value[:4]), int(value[5:7]), 1)


class ExportForm(forms.Form):
    full_ids = forms.BooleanField(
        label=gettext_lazy("导出完整身份证号(仅限有权查看完整号码的人员)"), required=False
    )


def _require_view(actor: Any) -> None:
    if not can(actor, Perm.VIEW_DIBAO):
        raise PermissionDenied(_("您无权查看低保特困发放名册。"))


def _index(request, build_form: BuildForm | None = None, status: int = 200):
    actor = request.user
    lists = list(payment_list_list(actor=actor)[:120])
    may_build = can(actor, Perm.DECIDE_DIBAO)
    if may_build and build_form is None:
        build_form = BuildForm(actor=actor)
    return render(
        request,
        "dibao/payment_list_index.html",
        {"lists": lists, "build_form": build_form if may_build else None},
        status=status,
    )


@login_required
@require_safe
def payment_list_index_view(request):
    _require_view(request.user)
    return _index(request)


@login_required
@require_POST
def payment_list_build_view(request):
    actor = request.user
    if not can(actor, Perm.DECIDE_DIBAO):
        raise PermissionDenied(_("只有县(市、区)民政部门可以编制发放名册。"))
    form = BuildForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            payment_list = payment_list_build(
                actor=actor,
                county=form.counties[form.cleaned_data["county"]],
                month=form.cleaned_data["month"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("已编制发放名册:%(households)d 户,%(persons)d 人,合计 %(total)s 元。")
                % {
                    "households": payment_list.households,
                    "persons": payment_list.persons,
                    "total": payment_list.total,
                },
            )
            return redirect("dibao:payment_list_detail", pk=payment_list.pk)
    return _index(request, form, status=400)


def _detail(request, payment_list: Any, *, export_form: ExportForm | None = None, status=200):
    actor = request.user
    page = keyset_page(
        payment_list_lines(actor=actor, payment_list=payment_list).order_by(),
        request,
        size=LINES_PER_PAGE,
        default="pk",
    )
    may_decide = can(actor, Perm.DECIDE_DIBAO, payment_list.region_id)
    return render(
        request,
        "dibao/payment_list_detail.html",
        {
            "payment_list": payment_list,
            "page": page,
            "controls": list_controls(forms.Form(), page, request.GET),
            "problems": totals_problems(payment_list),
            "may_finalise": may_decide and payment_list.status == ListStatus.DRAFT,
            "may_rebuild": may_decide and payment_list.status == ListStatus.DRAFT,
            "export_form": export_form or ExportForm(),
        },
        status=status,
    )


@login_required
@require_safe
def payment_list_detail_view(request, pk):
    _require_view(request.user)
    return _detail(request, payment_list_get(actor=request.user, pk=pk))


@login_required
@require_POST
def payment_list_finalise_view(request, pk):
    actor = request.user
    payment_list = payment_list_get(actor=actor, pk=pk)
    try:
        payment_list_finalise(actor=actor, payment_list=payment_list)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("发放名册已确认,不能再修改。"))
    return redirect("dibao:payment_list_detail", pk=payment_list.pk)


@login_required
@require_POST
def payment_list_rebuild_view(request, pk):
    """Build the draft again (after awards changed), from its own page."""
    actor = request.user
    payment_list = payment_list_get(actor=actor, pk=pk)
    try:
        payment_list = payment_list_build(
            actor=actor, county=payment_list.region, month=payment_list.month
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已重新编制:%(households)d 户,%(persons)d 人,合计 %(total)s 元。")
            % {
                "households": payment_list.households,
                "persons": payment_list.persons,
                "total": payment_list.total,
            },
        )
    return redirect("dibao:payment_list_detail", pk=payment_list.pk)


@login_required
@require_POST
def payment_list_export_view(request, pk):
    actor = request.user
    payment_list = payment_list_get(actor=actor, pk=pk)
    form = ExportForm(request.POST)
    if not form.is_valid():  # pragma: no cover - a checkbox is always valid
        return _detail(request, payment_list, export_form=form, status=400)
    progress = job_start(
        owner=actor,
        kind="dibao_payment_export",
        title=exports.export_title(payment_list),
        job=exports.payment_list_export_xlsx,
        args=(payment_list.pk, bool(form.cleaned_data["full_ids"])),
    )
    return redirect("core:task_detail", pk=progress.pk)
