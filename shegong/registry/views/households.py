from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shegong.core.forms import apply_validation_error
from shegong.core.pagination import keyset_page
from shegong.core.panels import panels
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.services import StaleEdit

from .. import services
from ..forms import (
    ExitForm,
    HeadChangeForm,
    HouseholdFilterForm,
    LeftBehindForm,
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
from ..services_reveal import Disclosure, id_numbers_reveal


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
    return render(
        request,
        "registry/household_list.html",
        {
            "form": form,
            "page": page,
            "may_export": can(request.user, Perm.EXPORT_REGISTRY),
            "may_export_full_ids": can(request.user, Perm.REVEAL_ID_NUMBER),
            "may_import": can(request.user, Perm.IMPORT_REGISTRY),
        },
    )


@login_required
def person_list_view(request):
    _require_view(request)
    form = PersonFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = keyset_page(person_search(actor=request.user, filters=filters), request, size=50)
    disclosure = Disclosure(request.user)
    for person in page.items:
        disclosure.show(person)
    return render(
        request,
        "registry/person_list.html",
        {
            "form": form,
            "page": page,
            "may_export": can(request.user, Perm.EXPORT_REGISTRY),
            "may_export_full_ids": can(request.user, Perm.REVEAL_ID_NUMBER),
        },
    )


CHANGES = {
    "add": (PersonAddForm, False),
    "remove": (PersonRemoveForm, True),
    "move": (PersonMoveForm, True),
    "head": (HeadChangeForm, True),
    "split": (SplitForm, True),
    "exit": (ExitForm, False),
    "relapse": (RelapseForm, False),
}


CHANGE_TITLES = [
    ("add", _l("添加家庭成员")),
    ("remove", _l("减少家庭成员")),
    ("move", _l("成员迁入其他户")),
    ("head", _l("变更户主")),
    ("split", _l("分户")),
    ("exit", _l("标记脱贫")),
    ("relapse", _l("标记返贫风险")),
]


def _change_form(action, household, members, data=None):
    """One household-change form; the page loads each only when its section is opened."""
    form_class, needs_members = CHANGES[action]
    kwargs = {"members": members} if needs_members else {}
    return form_class(data, initial={"version": household.version}, **kwargs)


def _run(request, household, action, form) -> list[str]:
    """Call the service for one household change; the warnings to show with its success (an
    accepted ID number whose birthplace code is not a current division)."""
    actor = request.user
    data = form.cleaned_data
    if action == "add":
        person = services.person_add(actor=actor, household=household, **data)
        return [
            _("%(name)s的证件号码:%(warning)s") % {"name": person.name, "warning": w}
            for w in person.entry_warnings
        ]
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
    return []


@login_required
def household_detail_view(request, pk):
    actor = request.user
    household = household_get(actor=actor, pk=pk)
    members = household_members(household)
    may_edit = can(actor, Perm.EDIT_REGISTRY, household.region_id)
    may_reveal = can(actor, Perm.REVEAL_ID_NUMBER, household.region_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    wanted = request.GET.get("form", "")
    if request.method == "GET" and wanted:
        if not may_edit or wanted not in CHANGES:
            raise Http404
        form = _change_form(wanted, household, members)
        if request.headers.get("HX-Request") == "true":
            return render(
                request,
                "registry/_change_form.html",
                {"form": form, "action": wanted, "household": household},
            )
        action = wanted  # without htmx: the whole page with this form open
    else:
        form = None
    revealed: set[int] = set()
    if action == "reveal":
        if not may_reveal:
            raise PermissionDenied(_("您无权查看完整证件号码。"))
        revealed = id_numbers_reveal(actor=actor, persons=members, via="page", target=household)
    elif action and request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("您无权修改该户的建档立卡信息。"))
        if action not in CHANGES:
            raise Http404
        form = _change_form(action, household, members, request.POST)
        if form.is_valid():
            try:
                warnings = _run(request, household, action, form)
            except StaleEdit as exc:
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("已保存。"))
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("registry:household_detail", pk=household.pk)
    members = list(members)
    disclosure = Disclosure(actor)
    for person in members:
        disclosure.show(person, revealed=person.pk in revealed)
    context = {
        "household": household,
        "members": members,
        "history": household_history(actor=actor, household=household),
        "exits": exit_list(actor=actor, household=household),
        "form": form,
        "open_action": action,
        "changes": CHANGE_TITLES,
        "may_edit": may_edit,
        "may_reveal": may_reveal and not revealed,
        # Other modules' records (each module decides what the actor may see).
        "panels": panels("registry.household", actor=actor, target=household),
    }
    return render(request, "registry/household_detail.html", context)


@login_required
def person_detail_view(request, pk):
    actor = request.user
    person = person_get(actor=actor, pk=pk)
    may_confirm = can(actor, Perm.CONFIRM_LEFT_BEHIND, person.region_id)
    form = LeftBehindForm(request.POST or None, initial={"group": person.left_behind})
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied(_("您无权核实三留守信息。"))
        if form.is_valid():
            services.person_confirm_left_behind(
                actor=actor, person=person, group=form.cleaned_data["group"]
            )
            messages.success(request, _("三留守信息已核实。"))
            return redirect("registry:person_detail", pk=person.pk)
    Disclosure(actor).show(person)
    return render(
        request,
        "registry/person_detail.html",
        {"person": person, "form": form, "may_confirm": may_confirm},
    )
