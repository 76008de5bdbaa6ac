from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.pagination import keyset_page
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.services import StaleEdit

from .. import services
from ..forms import (
    ExitForm,
    HeadChangeForm,
    HouseholdFilterForm,
    PersonAddForm,
    PersonFilterForm,
    PersonMoveForm,
    PersonRemoveForm,
    RelapseForm,
    SplitForm,
)
from ..selectors import (
    exit_list,
    household_by_number,
    household_get,
    household_history,
    household_members,
    household_search,
    person_get,
    person_search,
    with_head_name,
)


def _require_view(request):
    if not can(request.user, Perm.VIEW_REGISTRY):
        raise PermissionDenied(_("您无权查看建档立卡信息。"))


@login_required
def household_list_view(request):
    _require_view(request)
    form = HouseholdFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = keyset_page(
        with_head_name(household_search(actor=request.user, filters=filters)), request, size=50
    )
    return render(request, "registry/household_list.html", {"form": form, "page": page})


@login_required
def person_list_view(request):
    _require_view(request)
    form = PersonFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = keyset_page(person_search(actor=request.user, filters=filters), request, size=50)
    for person in page.items:
        person.id_display = mask_citizen_id(person.id_number)
    return render(request, "registry/person_list.html", {"form": form, "page": page})


def _forms(household, members, data=None, action=None):
    def bound(name):
        return data if action == name else None

    version = {"version": household.version}
    return {
        "add": PersonAddForm(bound("add")),
        "remove": PersonRemoveForm(bound("remove"), members=members),
        "move": PersonMoveForm(bound("move"), members=members),
        "head": HeadChangeForm(bound("head"), members=members, initial=version),
        "split": SplitForm(bound("split"), members=members),
        "exit": ExitForm(bound("exit"), initial=version),
        "relapse": RelapseForm(bound("relapse"), initial=version),
    }


def _apply(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _run(request, household, action, form):
    """Call the service for one household change; True when it succeeded."""
    actor = request.user
    data = form.cleaned_data
    if action == "add":
        services.person_add(actor=actor, household=household, **data)
    elif action == "remove":
        services.person_remove(actor=actor, person=data["person"], reason=data["reason"])
    elif action == "move":
        try:
            target = household_by_number(actor=actor, number=data["to_household"])
        except Http404:
            raise ValidationError(
                {"to_household": _("没有找到该户编号,或不在您的管辖范围内。")}
            ) from None
        services.person_move(
            actor=actor,
            person=data["person"],
            to_household=target,
            relation=data["relation"],
            reason=data["reason"],
        )
    elif action == "head":
        services.head_change(actor=actor, household=household, **data)
    elif action == "split":
        services.household_split(actor=actor, household=household, **data)
    elif action == "exit":
        services.household_exit(
            actor=actor,
            household=household,
            year=data["year"],
            checks=form.checks(),
            version=data["version"],
        )
    elif action == "relapse":
        services.household_mark_relapse_risk(actor=actor, household=household, **data)


@login_required
def household_detail_view(request, pk):
    actor = request.user
    household = household_get(actor=actor, pk=pk)
    members = household_members(household)
    may_edit = can(actor, Perm.EDIT_REGISTRY, household.region_id)
    may_reveal = can(actor, Perm.REVEAL_ID_NUMBER, household.region_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _forms(household, members, request.POST, action)
    reveal = False
    if action == "reveal":
        if not may_reveal:
            raise PermissionDenied(_("您无权查看完整证件号码。"))
        audit.record_access(actor=actor, action="registry.reveal_id", target=household)
        reveal = True
    elif action:
        if not may_edit:
            raise PermissionDenied(_("您无权修改该户的建档立卡信息。"))
        form = forms.get(action)
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                _run(request, household, action, form)
            except StaleEdit as exc:
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("registry:household_detail", pk=household.pk)
    members = list(members)
    for person in members:
        person.id_display = person.id_number if reveal else mask_citizen_id(person.id_number)
    context = {
        "household": household,
        "members": members,
        "history": household_history(actor=actor, household=household),
        "exits": exit_list(actor=actor, household=household),
        "forms": forms,
        "open_action": action,
        "may_edit": may_edit,
        "may_reveal": may_reveal and not reveal,
    }
    return render(request, "registry/household_detail.html", context)


@login_required
def person_detail_view(request, pk):
    person = person_get(actor=request.user, pk=pk)
    person.id_display = mask_citizen_id(person.id_number)
    return render(request, "registry/person_detail.html", {"person": person})
