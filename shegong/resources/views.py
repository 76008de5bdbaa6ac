from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.forms import apply_validation_error
from shegong.core.lists import filters_of, list_controls
from shegong.core.pagination import KeysetPage, keyset_page
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.selectors import region_list, region_roots
from shegong.core.services import StaleEdit

from . import services
from .forms import InstitutionFilterForm, InstitutionForm, VersionForm
from .selectors import institution_get, institution_list


def _form(actor, *args, **kwargs):
    return InstitutionForm(
        *args,
        regions=region_list(actor=actor, perm=Perm.MANAGE_RESOURCES),
        roots=region_roots(actor, Perm.MANAGE_RESOURCES),
        **kwargs,
    )


def _require_manage(actor):
    if not can(actor, Perm.MANAGE_RESOURCES):
        raise PermissionDenied(_("您无权维护资源名录。"))


@login_required
def institution_list_view(request):
    actor = request.user
    if not can(actor, Perm.VIEW_RESOURCES):
        raise PermissionDenied(_("您无权查看资源名录。"))
    form = InstitutionFilterForm(request.GET or None, actor=actor)
    page = KeysetPage.empty()
    if (filters := filters_of(form)) is not None:
        page = keyset_page(institution_list(actor=actor, filters=filters), request, count=True)
    return render(
        request,
        "resources/institution_list.html",
        {
            "form": form,
            "page": page,
            "controls": list_controls(form, page, request.GET),
            "may_create": can(actor, Perm.MANAGE_RESOURCES),
        },
    )


@login_required
def institution_create_view(request):
    actor = request.user
    _require_manage(actor)
    roots = region_roots(actor, Perm.MANAGE_RESOURCES)
    # Most officers manage one county or township: start the picker there.
    initial = {"region": roots[0].code} if len(roots) == 1 else {}
    form = _form(actor, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            institution = services.institution_create(actor=actor, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("资源机构已登记。"))
            return redirect("resources:institution_detail", pk=institution.pk)
    return render(request, "resources/institution_form.html", {"form": form, "institution": None})


@login_required
def institution_detail_view(request, pk):
    actor = request.user
    institution = institution_get(actor=actor, pk=pk)
    return render(
        request,
        "resources/institution_detail.html",
        {
            "institution": institution,
            "may_manage": can(actor, Perm.MANAGE_RESOURCES, institution.region_id),
        },
    )


def _managed(request, pk):
    """The institution, when the actor may change it: 404 when unseen, 403 when only seen."""
    actor = request.user
    _require_manage(actor)
    institution = institution_get(actor=actor, pk=pk)
    if not can(actor, Perm.MANAGE_RESOURCES, institution.region_id):
        raise PermissionDenied(_("您无权修改该机构。"))
    return institution


@login_required
def institution_edit_view(request, pk):
    actor = request.user
    institution = _managed(request, pk)
    initial = {f: getattr(institution, f) for f in [*services.EDITABLE, "version"]}
    initial["region"] = institution.region_id
    form = _form(actor, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_update(actor=actor, institution=institution, **form.cleaned_data)
        except StaleEdit as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("机构信息已保存。"))
            return redirect("resources:institution_detail", pk=institution.pk)
    return render(
        request, "resources/institution_form.html", {"form": form, "institution": institution}
    )


def _toggle(request, pk, service, done):
    institution = _managed(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求不完整,请刷新页面后重试。"))
    else:
        try:
            service(actor=request.user, institution=institution, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
    return redirect("resources:institution_detail", pk=institution.pk)


@require_POST
@login_required
def institution_deactivate_view(request, pk):
    return _toggle(
        request, pk, services.institution_deactivate, _("机构已停用,不再出现在转介列表中。")
    )


@require_POST
@login_required
def institution_reactivate_view(request, pk):
    return _toggle(request, pk, services.institution_reactivate, _("机构已恢复使用。"))
