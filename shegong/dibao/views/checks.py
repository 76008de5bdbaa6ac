"""Third-party check pages: a county contracts an agency and the system draws the sample; the
agency sees only its sample, de-identified beyond what a home re-verification needs, records a
finding for each and returns them; the county reads the discrepancies with their reasons."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.forms import apply_validation_error
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.roles import Perm
from shegong.core.scoping import can

from .. import rules, selectors, services
from ..calculations import per_person_income
from ..forms_checks import CheckContractForm, ReturnForm, VerdictForm
from ..models import Verdict
from ..scoping import evaluator_organisations


def _counties(actor) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in selectors.decision_counties(actor=actor)]


def _organisations(actor) -> list[tuple[int, str]]:
    return [(o.pk, o.name) for o in selectors.check_organisations(actor=actor)]


@login_required
def check_list_view(request):
    actor = request.user
    contracts = selectors.check_list(actor=actor)
    return render(
        request,
        "dibao/check_list.html",
        {"contracts": contracts, "may_create": can(actor, Perm.DECIDE_DIBAO)},
    )


@login_required
def check_new_view(request):
    actor = request.user
    if not can(actor, Perm.DECIDE_DIBAO):
        raise PermissionDenied(_("只有县级民政部门可以委托第三方核查。"))
    form = CheckContractForm(
        request.POST or None, counties=_counties(actor), organisations=_organisations(actor)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contract = services.check_contract_create(
                actor=actor,
                county=next(
                    r for r in selectors.decision_counties(actor=actor) if r.code == data["county"]
                ),
                organisation=next(
                    o
                    for o in selectors.check_organisations(actor=actor)
                    if o.pk == data["organisation"]
                ),
                title=data["title"],
                period_from=data["period_from"],
                period_to=data["period_to"],
                sample_percent=data["sample_percent"],
                strata=data["strata"],
            )
        except (ValidationError, PermissionDenied) as exc:
            apply_validation_error(
                form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            messages.success(request, _("已抽取 %(n)d 个样本。") % {"n": contract.samples.count()})
            return redirect("dibao:check_detail", pk=contract.pk)
    return render(request, "dibao/check_new.html", {"form": form})


def _sample_rows(actor, contract):
    evaluator = any(org == contract.organisation_id for org, _p in evaluator_organisations(actor))
    rows = []
    for sample in selectors.check_samples(contract=contract):
        a = sample.application
        row = {
            "sample": sample,
            "application": a,
            "village": a.region,
            "head": a.applicant.name,
            "id_display": mask_citizen_id(a.applicant.id_number),
            "members": a.members.filter(exclusion="").count(),
            "per_person": rules.rounded(per_person_income(a), ("fen",))
            if a.members.filter(exclusion="").exists()
            else None,
            "form": VerdictForm(
                initial={"verdict": sample.verdict or Verdict.RIGHT, "reasons": sample.reasons},
                auto_id=f"id_s{sample.pk}_%s",
            )
            if evaluator and sample.returned_on is None
            else None,
        }
        rows.append(row)
    return evaluator, rows


@login_required
def check_detail_view(request, pk, bound=None, bound_pk=None):
    actor = request.user
    contract = selectors.check_get(actor=actor, pk=pk)
    evaluator, rows = _sample_rows(actor, contract)
    if bound is not None:
        for row in rows:
            if row["sample"].pk == bound_pk:
                bound.auto_id = f"id_s{bound_pk}_%s"
                row["form"] = bound
    wrong = [r for r in rows if r["sample"].verdict and r["sample"].verdict != Verdict.RIGHT]
    return render(
        request,
        "dibao/check_detail.html",
        {
            "contract": contract,
            "rows": rows,
            "evaluator": evaluator,
            "wrong": wrong,
            "checked": sum(1 for r in rows if r["sample"].verdict),
            "return_form": ReturnForm(auto_id="id_return_%s") if evaluator else None,
        },
    )


@require_POST
@login_required
def check_verdict_view(request, pk):
    actor = request.user
    sample = selectors.sample_get(actor=actor, pk=pk)
    form = VerdictForm(request.POST)
    if form.is_valid():
        try:
            services.sample_verdict(actor=actor, sample=sample, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存核查结论。"))
            return redirect("dibao:check_detail", pk=sample.contract_id)
    return check_detail_view(request, sample.contract_id, bound=form, bound_pk=sample.pk)


@require_POST
@login_required
def check_return_view(request, pk):
    actor = request.user
    contract = selectors.check_get(actor=actor, pk=pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            n = services.samples_return(actor=actor, contract=contract, on=form.cleaned_data["on"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已向县级反馈 %(n)d 个样本的核查结论。") % {"n": n})
    else:
        messages.error(request, _("请填写反馈日期。"))
    return redirect("dibao:check_detail", pk=contract.pk)
