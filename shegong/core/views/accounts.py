from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.workforce.selectors import organisation_choices

from ..forms import (
    MembershipForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    apply_validation_error,
)
from ..roles import Perm
from ..scoping import can
from ..selectors import membership_get, region_list, region_roots, user_get, user_list
from ..services import (
    StaleEdit,
    grantable_roles,
    membership_add,
    membership_remove,
    user_create,
    user_password_reset,
    user_update,
)


def _require(request):
    if not can(request.user, Perm.MANAGE_USERS):
        raise PermissionDenied(_("您无权管理用户。"))


def _membership_form_kwargs(actor):
    return {
        "roles": grantable_roles(actor),
        "regions": region_list(actor=actor, perm=Perm.MANAGE_USERS),
        "roots": region_roots(actor, Perm.MANAGE_USERS),
        "organisations": organisation_choices(actor=actor),
    }


@login_required
def user_list_view(request):
    _require(request)
    query = request.GET.get("q", "")[:50]
    page = Paginator(user_list(actor=request.user, query=query), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "core/user_list.html", {"page": page, "query": query})


@login_required
def user_create_view(request):
    _require(request)
    actor = request.user
    form = UserCreateForm(request.POST or None, **_membership_form_kwargs(actor))
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已创建用户 %(name)s。") % {"name": user.username})
            return redirect("core:user_detail", pk=user.pk)
    return render(request, "core/user_form.html", {"form": form})


@login_required
def user_detail_view(request, pk):
    actor = request.user
    user = user_get(actor=actor, pk=pk)
    edit = UserEditForm(
        initial={
            "full_name": user.full_name,
            "phone": user.phone,
            "is_active": user.is_active,
            "version": user.version,
        }
    )
    add = MembershipForm(**_membership_form_kwargs(actor))
    reset = PasswordResetForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "edit":
                edit = UserEditForm(request.POST)
                if edit.is_valid():
                    user_update(actor=actor, user=user, **edit.cleaned_data)
                    messages.success(request, _("用户信息已保存。"))
                    return redirect("core:user_detail", pk=user.pk)
            elif action == "membership":
                add = MembershipForm(request.POST, **_membership_form_kwargs(actor))
                if add.is_valid():
                    membership_add(actor=actor, user=user, **add.cleaned_data)
                    messages.success(request, _("已添加角色授权。"))
                    return redirect("core:user_detail", pk=user.pk)
            elif action == "password":
                reset = PasswordResetForm(request.POST)
                if reset.is_valid():
                    user_password_reset(actor=actor, user=user, **reset.cleaned_data)
                    messages.success(request, _("密码已重置。"))
                    return redirect("core:user_detail", pk=user.pk)
        except StaleEdit as exc:
            edit.add_error(None, exc.messages)
        except ValidationError as exc:
            target = {"edit": edit, "membership": add, "password": reset}[action]
            apply_validation_error(target, exc)
    memberships = user.memberships.select_related("region__parent", "organisation").order_by(
        "region"
    )
    context = {
        "subject": user,
        "edit": edit,
        "add": add,
        "reset": reset,
        "memberships": memberships,
    }
    return render(request, "core/user_detail.html", context)


@require_POST
@login_required
def membership_remove_view(request, pk):
    membership = membership_get(actor=request.user, pk=pk)
    try:
        membership_remove(actor=request.user, membership=membership)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销角色授权。"))
    return redirect("core:user_detail", pk=membership.user_id)
