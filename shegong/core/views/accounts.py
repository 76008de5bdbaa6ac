"""Account management (the level above manages the level below) and one's own account page.

Each action on an account has its own route; a refused action answers like a missing account
(404) when the actor may not manage it at all, so no page tells an agency administrator which
officers exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import (
    ApiTokenForm,
    MembershipForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    apply_validation_error,
)
from ..organisations import organisation_choices
from ..roles import Perm
from ..scoping import can
from ..selectors import (
    api_token_get,
    api_token_list,
    membership_get,
    region_list,
    region_roots,
    user_get,
    user_list,
)
from ..services import (
    StaleEdit,
    api_token_issue,
    api_token_revoke,
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


def _detail(request, user, **forms):
    actor = request.user
    context = {
        "subject": user,
        "edit": forms.get("edit")
        or UserEditForm(
            initial={
                "full_name": user.full_name,
                "phone": user.phone,
                "is_active": user.is_active,
                "version": user.version,
            }
        ),
        "add": forms.get("add") or MembershipForm(**_membership_form_kwargs(actor)),
        "reset": forms.get("reset") or PasswordResetForm(),
        "memberships": user.memberships.select_related("region__parent", "organisation").order_by(
            "region"
        ),
    }
    return render(request, "core/user_detail.html", context)


@login_required
def user_detail_view(request, pk):
    return _detail(request, user_get(actor=request.user, pk=pk))


def _account_action(request, pk, *, slot, form, service, done):
    """Send one account form to its service: back to the account with `done` said, or the
    account page again with the form's problems in its own place (`slot`), nothing changed."""
    user = user_get(actor=request.user, pk=pk)
    if form.is_valid():
        try:
            service(actor=request.user, user=user, **form.cleaned_data)
        except StaleEdit as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("core:user_detail", pk=user.pk)
    return _detail(request, user, **{slot: form})


@require_POST
@login_required
def user_edit_view(request, pk):
    return _account_action(
        request,
        pk,
        slot="edit",
        form=UserEditForm(request.POST),
        service=user_update,
        done=_("用户信息已保存。"),
    )


@require_POST
@login_required
def user_password_reset_view(request, pk):
    return _account_action(
        request,
        pk,
        slot="reset",
        form=PasswordResetForm(request.POST),
        service=user_password_reset,
        done=_("密码已重置,该用户的 API 令牌已全部失效。"),
    )


@require_POST
@login_required
def membership_add_view(request, pk):
    return _account_action(
        request,
        pk,
        slot="add",
        form=MembershipForm(request.POST, **_membership_form_kwargs(request.user)),
        service=membership_add,
        done=_("已添加角色授权。"),
    )


@require_POST
@login_required
def membership_remove_view(request, pk):
    membership = membership_get(actor=request.user, pk=pk)
    try:
        membership_remove(actor=request.user, membership=membership)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已撤销角色授权。"))
    return redirect("core:user_detail", pk=membership.user_id)


# --- one's own account ------------------------------------------------------------------------


@login_required
def account_view(request, form=None, new_key=None):
    context = {
        "tokens": api_token_list(actor=request.user),
        "form": form or ApiTokenForm(),
        "new_key": new_key,
    }
    return render(request, "core/account.html", context)


@require_POST
@login_required
def api_token_issue_view(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return account_view(request, form=form)
    token, key = api_token_issue(actor=request.user, name=form.cleaned_data["name"])
    messages.success(request, _("已签发令牌,请立即复制保存:关闭本页后将无法再次查看。"))
    return account_view(request, new_key=key)


@require_POST
@login_required
def api_token_revoke_view(request, pk):
    token = api_token_get(actor=request.user, pk=pk)
    try:
        api_token_revoke(actor=request.user, token=token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("令牌已撤销。"))
    return redirect("core:account")
