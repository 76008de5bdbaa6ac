from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shegong.core.forms import apply_validation_error
from shegong.core.lists import filters_of, list_controls
from shegong.core.pagination import KeysetPage, keyset_page
from shegong.core.panels import panels
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.services import StaleEdit

from .. import rules, services
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
    HOUSEHOLD_SORTS,
    PERSON_SORTS,
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
    form = HouseholdFilterForm(request.GET or None, actor=request.user)
    page = KeysetPage.empty()
    if (filters := filters_of(form)) is not None:
        qs = with_head_name(household_search(actor=request.user, filters=filters))
        page = keyset_page(qs, request, sortable=HOUSEHOLD_SORTS, count=True)
    return render(
        request,
        "registry/household_list.html",
        {
            "form": form,
            "page": page,
            "controls": list_controls(form, page, request.GET),
            "may_export": can(request.user, Perm.EXPORT_REGISTRY),
            "may_export_full_ids": can(request.user, Perm.REVEAL_ID_NUMBER),
            "may_import": can(request.user, Perm.IMPORT_REGISTRY),
        },
    )


@login_required
def person_list_view(request):
    _require_view(request)
    form = PersonFilterForm(request.GET or None, actor=request.user)
    page = KeysetPage.empty()
    if (filters := filters_of(form)) is not None:
        qs = person_search(actor=request.user, filters=filters)
        page = keyset_page(qs, request, sortable=PERSON_SORTS, count=True)
    disclosure = Disclosure(request.user)
    for person in page.items:
        disclosure.show(person)
    return render(
        request,
        "registry/person_list.html",
        {
            "form": form,
            "page": page,
            "controls": list_controls(form, page, request.GET),
            "may_export": can(request.user, Perm.EXPORT_REGISTRY),
            "may_export_full_ids": can(request.user, Perm.REVEAL_ID_NUMBER),
        },
    )


# Each change of the household page: its form, whether the form lists the members, its title.
CHANGES = {
    "member_add": (PersonAddForm, False, _l("添加家庭成员")),
    "member_remove": (PersonRemoveForm, True, _l("减少家庭成员")),
    "member_move": (PersonMoveForm, True, _l("成员迁入其他户")),
    "head": (HeadChangeForm, True, _l("变更户主")),
    "split": (SplitForm, True, _l("分户")),
    "exit": (ExitForm, False, _l("标记脱贫")),
    "relapse": (RelapseForm, False, _l("标记返贫风险")),
}


def _change_form(change, household, members, data=None):
    """One household-change form; the page loads each only when its section is opened."""
    form_class, needs_members, _title = CHANGES[change]
    kwargs = {"members": members} if needs_members else {}
    return form_class(data, initial={"version": household.version}, **kwargs)


def _member_add(actor, household, form) -> list[str]:
    person = services.person_add(actor=actor, household=household, **form.cleaned_data)
    return [
        _("%(name)s的证件号码:%(warning)s") % {"name": person.name, "warning": w}
        for w in person.entry_warnings
    ]


def _member_remove(actor, household, form) -> list[str]:
    data = form.cleaned_data
    services.person_remove(actor=actor, person=data["person"], reason=data["reason"])
    return []


def _member_move(actor, household, form) -> list[str]:
    data = form.cleaned_data
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
    return []


def _head(actor, household, form) -> list[str]:
    services.head_change(actor=actor, household=household, **form.cleaned_data)
    return []


def _split(actor, household, form) -> list[str]:
    services.household_split(actor=actor, household=household, **form.cleaned_data)
    return []


def _exit(actor, household, form) -> list[str]:
    data = form.cleaned_data
    services.household_exit(
        actor=actor,
        household=household,
        year=data["year"],
        checks=form.checks(),
        version=data["version"],
    )
    return []


def _relapse(actor, household, form) -> list[str]:
    services.household_mark_relapse_risk(actor=actor, household=household, **form.cleaned_data)
    return []


# The service call of each change; it returns the warnings to show with its success (an
# accepted ID number whose birthplace code is not a current division).
CALLS = {
    "member_add": _member_add,
    "member_remove": _member_remove,
    "member_move": _member_move,
    "head": _head,
    "split": _split,
    "exit": _exit,
    "relapse": _relapse,
}


def _actions(actor, household) -> frozenset[str]:
    facts = rules.HouseholdFacts(
        poverty_status=household.poverty_status,
        may_edit=can(actor, Perm.EDIT_REGISTRY, household.region_id),
        may_reveal=can(actor, Perm.REVEAL_ID_NUMBER, household.region_id),
    )
    return rules.household_actions(facts)


def _detail(request, household, members, *, form=None, open_change="", revealed=frozenset()):
    """The household page, with one change form open or the members' numbers revealed."""
    actor = request.user
    actions = _actions(actor, household)
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
        "open_change": open_change,
        "changes": [(key, CHANGES[key][2]) for key in CHANGES if key in actions],
        "may_edit": bool(actions - {"reveal"}),
        "may_reveal": "reveal" in actions and not revealed,
        # Other modules' records (each module decides what the actor may see).
        "panels": panels("registry.household", actor=actor, target=household),
    }
    return render(request, "registry/household_detail.html", context)


@login_required
@require_safe
def household_detail_view(request, pk):
    household = household_get(actor=request.user, pk=pk)
    return _detail(request, household, household_members(household))


@login_required
@require_POST
def household_reveal_view(request, pk):
    """The page again with the members' full ID numbers, which writes an access event."""
    actor = request.user
    household = household_get(actor=actor, pk=pk)
    if "reveal" not in _actions(actor, household):
        raise PermissionDenied(_("您无权查看完整证件号码。"))
    members = household_members(household)
    revealed = id_numbers_reveal(actor=actor, persons=members, via="page", target=household)
    return _detail(request, household, members, revealed=revealed)


def change_view(change: str):
    """The view of one household change, for its own route: GET gives its form (the fragment
    for htmx, else the page with the form open), POST runs its service."""
    call = CALLS[change]

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk):
        actor = request.user
        household = household_get(actor=actor, pk=pk)
        if not can(actor, Perm.EDIT_REGISTRY, household.region_id):
            if request.method == "GET":
                raise Http404
            raise PermissionDenied(_("您无权修改该户的建档立卡信息。"))
        members = household_members(household)
        if request.method == "GET":
            form = _change_form(change, household, members)
            if request.headers.get("HX-Request") == "true":
                context = {"form": form, "change": change, "household": household}
                return render(request, "registry/_change_form.html", context)
            return _detail(request, household, members, form=form, open_change=change)
        form = _change_form(change, household, members, request.POST)
        if form.is_valid():
            try:
                warnings = call(actor, household, form)
            except StaleEdit as exc:
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("已保存。"))
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("registry:household_detail", pk=household.pk)
        return _detail(request, household, members, form=form, open_change=change)

    view.__name__ = view.__qualname__ = f"household_{change}_view"
    return view


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
