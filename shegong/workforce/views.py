from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shegong.core.forms import apply_validation_error
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.selectors import region_list, region_roots
from shegong.core.services import StaleEdit

from .forms import OrganisationForm
from .models import OrganisationKind
from .selectors import organisation_get, organisation_list
from .services import organisation_create, organisation_update


def _form(actor, *args, **kwargs):
    return OrganisationForm(
        *args,
        regions=region_list(actor=actor, perm=Perm.MANAGE_ORGANISATIONS),
        roots=region_roots(actor, Perm.MANAGE_ORGANISATIONS),
        **kwargs,
    )


@login_required
def organisation_list_view(request):
    actor = request.user
    if not can(actor, Perm.VIEW_ORGANISATIONS):
        raise PermissionDenied(_("您无权查看机构名录。"))
    query = request.GET.get("q", "")[:50]
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrganisationKind.values else ""
    page = Paginator(organisation_list(actor=actor, query=query, kind=kind), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workforce/organisation_list.html",
        {
            "page": page,
            "query": query,
            "kind": kind,
            "kinds": OrganisationKind.choices,
            "may_create": can(actor, Perm.MANAGE_ORGANISATIONS),
        },
    )


@login_required
def organisation_create_view(request):
    actor = request.user
    if not can(actor, Perm.MANAGE_ORGANISATIONS):
        raise PermissionDenied(_("您无权登记机构。"))
    form = _form(actor, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            org = organisation_create(actor=actor, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("机构已登记。"))
            return redirect("workforce:organisation_detail", pk=org.pk)
    return render(request, "workforce/organisation_form.html", {"form": form})


@login_required
def organisation_detail_view(request, pk):
    actor = request.user
    org = organisation_get(actor=actor, pk=pk)
    may_edit = can(actor, Perm.MANAGE_ORGANISATIONS, org.region_id)
    form = None
    if may_edit:
        initial = {
            f: getattr(org, f)
            for f in (
                "name",
                "uscc",
                "kind",
                "address",
                "contact_person",
                "phone",
                "is_active",
                "version",
            )
        }
        initial["region"] = org.region_id
        form = _form(actor, request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                organisation_update(actor=actor, organisation=org, **form.cleaned_data)
            except StaleEdit as exc:
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("机构信息已保存。"))
                return redirect("workforce:organisation_detail", pk=org.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("您无权修改该机构。"))
    return render(
        request,
        "workforce/organisation_detail.html",
        {"org": org, "form": form, "may_edit": may_edit},
    )
