from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.forms import apply_validation_error
from shegong.core.roles import Perm, Role
from shegong.core.scoping import can
from shegong.core.selectors import region_list, region_roots
from shegong.core.services import StaleEdit

from .forms import OrganisationForm, SupervisionAssignForm, SupervisionEndForm
from .models import OrganisationKind
from .selectors import (
    agency_staff,
    organisation_get,
    organisation_list,
    supervision_agencies,
    supervision_get,
    supervision_list,
    supervisor_loads,
)
from .services import (
    organisation_create,
    organisation_update,
    supervision_assign,
    supervision_end,
)


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


# --- supervision -----------------------------------------------------------------------------


def _agency(actor, raw):
    """The agency the page is about: the one asked for if the actor manages it, else the first."""
    agencies = list(supervision_agencies(actor=actor))
    wanted = str(raw or "")
    for agency in agencies:
        if str(agency.pk) == wanted:
            return agency, agencies
    return (agencies[0] if agencies else None), agencies


def _assign_form(org, data=None):
    return SupervisionAssignForm(
        data,
        supervisors=agency_staff(organisation=org, role=Role.SUPERVISOR),
        supervisees=agency_staff(organisation=org, role=Role.SOCIAL_WORKER),
    )


def _supervision_page(request, actor, org, agencies, form=None, end_errors=None, status=200):
    links = list(supervision_list(actor=actor, organisation=org)) if org else []
    for link in links:
        link.end_form = SupervisionEndForm(prefix=f"end{link.pk}")
        link.end_errors = (end_errors or {}).get(link.pk, [])
    return render(
        request,
        "workforce/supervision_list.html",
        {
            "org": org,
            "agencies": agencies,
            "links": links,
            "loads": supervisor_loads(organisation=org) if org else [],
            "form": form or (_assign_form(org) if org else None),
        },
        status=status,
    )


@login_required
def supervision_list_view(request):
    """An agency's supervision links: who supervises whom, the load against the norm, the
    assignment form and an end button per link in force."""
    actor = request.user
    if not can(actor, Perm.MANAGE_SUPERVISION):
        raise PermissionDenied(_("您无权管理督导关系。"))
    org, agencies = _agency(actor, request.POST.get("org") or request.GET.get("org"))
    form = None
    if request.method == "POST" and org is not None:
        form = _assign_form(org, request.POST)
        if form.is_valid():
            try:
                link = supervision_assign(actor=actor, organisation=org, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("督导已指派。"))
                if link.load_warning:
                    messages.warning(request, link.load_warning)
                return redirect(f"{reverse('workforce:supervision_list')}?org={org.pk}")
    return _supervision_page(request, actor, org, agencies, form)


@login_required
@require_POST
def supervision_end_view(request, pk):
    actor = request.user
    if not can(actor, Perm.MANAGE_SUPERVISION):
        raise PermissionDenied(_("您无权管理督导关系。"))
    link = supervision_get(actor=actor, pk=pk)
    form = SupervisionEndForm(request.POST, prefix=f"end{link.pk}")
    errors = []
    if form.is_valid():
        try:
            supervision_end(actor=actor, supervision=link, end=form.cleaned_data["end"])
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("督导关系已结束。"))
            return redirect(f"{reverse('workforce:supervision_list')}?org={link.organisation_id}")
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    org, agencies = _agency(actor, link.organisation_id)
    return _supervision_page(request, actor, org, agencies, end_errors={link.pk: errors})
