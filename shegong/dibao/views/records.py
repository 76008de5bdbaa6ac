"""The records of the Dibao module beside the applications: the counties' standards and own
choices, the awards in force with their reviews and job offers, and the officer's overdue and
nearly-due steps.

Each form posts to its own route; a refused form shows the page again with the problems next
to their fields and what was typed, and nothing stored.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shegong.core.forms import apply_validation_error
from shegong.core.lists import filters_of, list_controls
from shegong.core.pagination import KeysetPage, keyset_page
from shegong.core.regions import prefix_of
from shegong.core.roles import Perm, role_has
from shegong.core.rulesets import RulesNotInForce
from shegong.core.scoping import can, memberships_of
from shegong.core.selectors import region_get, region_list, work_calendar
from shegong.core.services import StaleEdit
from shegong.core.workdays import CalendarYearMissing, WorkCalendar, working_days_between
from shegong.registry.codes import Relation
from shegong.registry.selectors import person_get

from .. import rules, selectors, services
from ..forms_records import (
    AwardFilterForm,
    JobOfferForm,
    PolicyForm,
    ReviewForm,
    StandardFilterForm,
    StandardForm,
    bands_text,
)
from ..models import (
    EXCLUDED_INCOME,
    PAYING,
    AmountMethod,
    AwardStatus,
    CareTier,
    Exclusion,
    IncomeSource,
    ReviewSchedule,
)
from ..rulesets import procedure_rules, review_rules

# The standards page lists at most this many rows; a narrower county filter shows the rest.
STANDARD_ROWS = 300


def _require(actor: Any, perm: str, message: str) -> None:
    if not can(actor, perm):
        raise PermissionDenied(message)


def _run(form: forms.Form, call: Callable[[], Any]) -> bool:
    """Call a service for a valid form; show what it refused on the form. True on success."""
    if not form.is_valid():
        return False
    try:
        call()
    except StaleEdit as exc:
        form.add_error(None, exc.messages)
        return False
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return False
    return True


def _seen_version(form: forms.Form, record: Any) -> int | None:
    """The version the form was opened on; a post without one for an existing record counts as
    stale (never as "skip the check")."""
    seen = form.cleaned_data.get("version")
    if seen is None and record is not None:
        return -1
    return seen


def _rules_or_none(lookup: Callable[[], Any]) -> Any:
    try:
        return lookup()
    except RulesNotInForce:
        return None


def application_url(pk: int) -> str:
    """The application's page, where the applications part of the module has one."""
    try:
        return reverse("dibao:application_detail", kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


# --- standards ---------------------------------------------------------------------------------


def _county_label(region: Any) -> str:
    parent = region.parent.name if region.parent_id and region.parent else ""
    return f"{parent}{region.name}"


@login_required
@require_safe
def standard_list_view(request):
    actor = request.user
    _require(actor, Perm.VIEW_DIBAO, _("您无权查看低保标准。"))
    form = StandardFilterForm(request.GET or None, actor=actor)
    today = timezone.localdate()
    rows: list[Any] = []
    more = False
    filters = filters_of(form)
    if filters is not None:
        qs = selectors.standard_list(actor=actor, region=filters.get("region"))
        found = list(qs.select_related("region__parent")[: STANDARD_ROWS + 1])
        more = len(found) > STANDARD_ROWS
        rows = found[:STANDARD_ROWS]
    review = _rules_or_none(lambda: review_rules(today))
    factor = review["near_poor_factor"] if review is not None else None
    current: set[tuple[str, str]] = set()
    for s in rows:  # newest first within each county and area: the first not in the future
        s.county_label = _county_label(s.region)
        s.near_poor = rules.rounded(s.monthly * factor, ("fen",)) if factor else None
        key = (s.region_id, s.area)
        s.in_force = key not in current and s.valid_from <= today
        if s.in_force:
            current.add(key)
    may_set = can(actor, Perm.SET_DIBAO_STANDARDS)
    return render(
        request,
        "dibao/standard_list.html",
        {
            "form": form,
            "rows": rows,
            "more": more,
            "limit": STANDARD_ROWS,
            "factor": factor,
            "review": review,
            "may_set": may_set,
            "policy_counties": _policy_counties(actor, filters) if may_set else [],
        },
    )


def _policy_counties(actor: Any, filters: dict[str, Any] | None) -> list[Any]:
    """The counties whose policy the page links to: all the actor's, when a few (a county or a
    city office); the county filtered on, for the province."""
    counties = _set_counties(actor)
    region = (filters or {}).get("region")
    if region is not None:
        counties = counties.filter(code__startswith=prefix_of(region.code)[:6])
    found = list(counties[:21])
    if len(found) > 20:
        return []
    for c in found:
        c.county_label = _county_label(c)
    return found


def _set_counties(actor: Any) -> Any:
    """The counties where the actor enters standards and sets the county's policy."""
    return (
        region_list(actor=actor, perm=Perm.SET_DIBAO_STANDARDS)
        .filter(level="county")
        .select_related("parent")
        .order_by("code")
    )


def _basic_factor(on: datetime.date | None = None) -> Any:
    values = _rules_or_none(lambda: procedure_rules(on or timezone.localdate(), hardship=True))
    return values["basic_factor_min"] if values is not None else None


@login_required
def standard_new_view(request):
    actor = request.user
    _require(actor, Perm.SET_DIBAO_STANDARDS, _("只有县级及以上民政部门可以录入保障标准。"))
    counties = _set_counties(actor)
    initial: dict[str, Any] = {"area": "rural"}
    if len(counties[:2]) == 1:
        initial["region"] = counties[0].pk
    form = StandardForm(
        request.POST or None, counties=counties, basic_factor=_basic_factor(), initial=initial
    )
    if request.method == "POST":

        def call() -> None:
            d = form.cleaned_data
            services.standard_enter(
                actor=actor,
                region=d["region"],
                area=d["area"],
                valid_from=d["valid_from"],
                monthly=d.get("monthly"),
                yearly=d.get("yearly"),
                hardship_basic=d["hardship_basic"],
                care_self=d["care_self"],
                care_partial=d["care_partial"],
                care_full=d["care_full"],
                note=d["note"],
            )

        if _run(form, call):
            messages.success(request, _("保障标准已录入。"))
            return redirect(
                f"{reverse('dibao:standard_list')}?region={form.cleaned_data['region'].pk}"
            )
    return render(request, "dibao/standard_new.html", {"form": form})


# --- county policy -----------------------------------------------------------------------------


def _county(actor: Any, pk: str) -> Any:
    region = region_get(actor=actor, code=str(pk), perm=Perm.SET_DIBAO_STANDARDS)
    if region.level != "county":
        raise Http404
    return region


@login_required
def policy_edit_view(request, pk):
    actor = request.user
    _require(actor, Perm.SET_DIBAO_STANDARDS, _("只有县级及以上民政部门可以设置县级低保政策。"))
    county = _county(actor, pk)
    policy = selectors.policy_get(actor=actor, county_code=county.code)
    initial: dict[str, Any] = {"amount_method": AmountMethod.GAP}
    if policy is not None:
        initial = {
            "amount_method": policy.amount_method,
            "bands": bands_text(policy.bands),
            "review_every_case": policy.review_every_case,
            "abc_schedule": policy.abc_schedule,
            "asset_limit_per_person": policy.asset_limit_per_person,
            "version": policy.version,
        }
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST":

        def call() -> None:
            d = form.cleaned_data
            services.policy_set(
                actor=actor,
                region=county,
                amount_method=d["amount_method"],
                bands=d["bands"],
                review_every_case=d["review_every_case"],
                abc_schedule=d["abc_schedule"],
                asset_limit_per_person=d.get("asset_limit_per_person"),
                version=_seen_version(form, policy),
            )

        if _run(form, call):
            messages.success(request, _("县级低保政策已保存。"))
            return redirect("dibao:policy_edit", pk=county.code)
    return render(
        request,
        "dibao/policy_edit.html",
        {
            "county": county,
            "county_label": _county_label(county),
            "policy": policy,
            "bands": policy.bands if policy is not None else [],
            "form": form,
        },
    )


# --- awards ------------------------------------------------------------------------------------


def _head_name(snapshot: dict[str, Any]) -> str:
    members = snapshot.get("members") or []
    head = next((m for m in members if m.get("relation") == "head"), None)
    return str((head or (members[0] if members else {})).get("name", ""))


@login_required
@require_safe
def award_list_view(request):
    actor = request.user
    _require(actor, Perm.VIEW_DIBAO, _("您无权查看低保特困保障对象。"))
    form = AwardFilterForm(request.GET or None, actor=actor)
    page = KeysetPage.empty()
    if (filters := filters_of(form)) is not None:
        page = keyset_page(
            selectors.award_list(actor=actor, filters=filters),
            request,
            sortable=selectors.AWARD_SORTS,
            count=True,
        )
    today = timezone.localdate()
    for a in page.items:
        a.head_name = _head_name(a.snapshot or {})
        a.review_overdue = a.status != AwardStatus.TERMINATED and a.next_review_on < today
    return render(
        request,
        "dibao/award_list.html",
        {"form": form, "page": page, "controls": list_controls(form, page, request.GET)},
    )


def _label(choices: Any, value: Any) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def _snapshot_view(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The household as decided, labelled for reading (never today's registry)."""
    members = []
    names = {}
    for m in snapshot.get("members") or []:
        names[m.get("person")] = m.get("name", "")
        members.append(
            {
                "person": m.get("person"),
                "name": m.get("name", ""),
                "relation": _label(Relation, m.get("relation")),
                "counted": bool(m.get("counted")),
                "exclusion": _label(Exclusion, m.get("exclusion")) if m.get("exclusion") else "",
            }
        )
    incomes = [
        {
            "source": _label(IncomeSource, i.get("source")),
            "person": names.get(i.get("person"), "") if i.get("person") else "",
            "yearly": i.get("yearly", ""),
            "excluded": i.get("source") in EXCLUDED_INCOME,
        }
        for i in snapshot.get("incomes") or []
    ]
    deductions = snapshot.get("deductions") or []
    total = sum((Decimal(str(d)) for d in deductions), Decimal(0)) if deductions else None
    return {
        "on": snapshot.get("on", ""),
        "household": snapshot.get("household", ""),
        "members": members,
        "counted": sum(1 for m in members if m["counted"]),
        "excluded": sum(1 for m in members if not m["counted"]),
        "incomes": incomes,
        "deductions_total": total,
        "per_person": snapshot.get("per_person", ""),
        "standard": snapshot.get("standard", ""),
        "standard_from": snapshot.get("standard_from", ""),
        "amount": snapshot.get("amount", ""),
        "care_tier": _label(CareTier, snapshot.get("care_tier"))
        if snapshot.get("care_tier")
        else "",
    }


def _counted_members(award: Any) -> list[tuple[int, str]]:
    return [
        (int(m["person"]), f"{m.get('name', '')}({_label(Relation, m.get('relation'))})")
        for m in (award.snapshot or {}).get("members") or []
        if m.get("counted") and str(m.get("person", "")).isdigit()
    ]


def _job_rows(award: Any, offers: list[Any], limit: int | None) -> list[dict[str, Any]]:
    """Per counted member: the offers in date order, the refusals in a row, whether the
    member's own share has stopped."""
    by_person: dict[int, list[Any]] = {}
    for o in offers:
        by_person.setdefault(o.person_id, []).append(o)
    rows = []
    for person, label in _counted_members(award):
        history = by_person.pop(person, [])
        in_a_row = rules.refusals_in_a_row([o.refused for o in history])
        rows.append(
            {
                "label": label,
                "offers": history,
                "in_a_row": in_a_row,
                "stopped": limit is not None and in_a_row >= limit,
            }
        )
    return rows


def _may_act(actor: Any, award: Any) -> bool:
    return can(actor, Perm.HANDLE_DIBAO, award.region_id) or can(
        actor, Perm.DECIDE_DIBAO, award.region_id
    )


def _award_context(
    actor: Any, award: Any, *, review_form: Any = None, job_form: Any = None
) -> dict[str, Any]:
    file = selectors.award_file(actor=actor, award=award)
    today = timezone.localdate()
    values = _rules_or_none(lambda: review_rules(today))
    limit = values["job_refusal_limit"] if values is not None else None
    may_act = _may_act(actor, award)
    forms_: dict[str, Any] = {}
    if may_act and award.status != AwardStatus.TERMINATED:
        forms_["review"] = review_form or ReviewForm(initial={"version": award.version})
        forms_["review"].auto_id = "id_review_%s"
    members = _counted_members(award)
    if may_act and award.status in PAYING and members:
        forms_["job"] = job_form or JobOfferForm(
            members=members, initial={"version": award.version}
        )
        forms_["job"].auto_id = "id_job_%s"
    for r in file.reviews:
        r.rule_label = (
            _("第 %(v)s 版(%(d)s 起)") % {"v": r.rules.version, "d": r.rules.valid_from.isoformat()}
            if r.rules_id
            else ""
        )
    return {
        "award": award,
        "file": file,
        "snap": _snapshot_view(award.snapshot or {}),
        "application_url": application_url(award.application_id),
        "review_overdue": award.status != AwardStatus.TERMINATED and award.next_review_on < today,
        "schedule": _label(ReviewSchedule, award.schedule),
        "jobs": _job_rows(award, file.job_offers, limit),
        "job_limit": limit,
        "forms": forms_,
        "may_act": may_act,
        "open_action": "review"
        if review_form is not None
        else "job"
        if job_form is not None
        else "",
        # A posted form the page no longer offers (the award was stopped meanwhile).
        "stray": next(
            (f for f in (review_form, job_form) if f is not None and f not in forms_.values()),
            None,
        ),
    }


@login_required
@require_safe
def award_detail_view(request, pk):
    award = selectors.award_get(actor=request.user, pk=pk)
    return render(request, "dibao/award_detail.html", _award_context(request.user, award))


@login_required
@require_POST
def award_review_view(request, pk):
    actor = request.user
    award = selectors.award_get(actor=actor, pk=pk)
    form = ReviewForm(request.POST)

    def call() -> None:
        d = form.cleaned_data
        services.award_review(
            actor=actor,
            award=award,
            reviewed_on=d["reviewed_on"],
            outcome=d["outcome"],
            reason=d["reason"],
            amount_after=d.get("amount_after"),
            gradual_exit=d["gradual_exit"],
            version=_seen_version(form, award),
        )

    if _run(form, call):
        messages.success(request, _("复核结果已记录。"))
        return redirect(f"{reverse('dibao:award_detail', kwargs={'pk': award.pk})}#reviews")
    award.refresh_from_db()
    return render(
        request, "dibao/award_detail.html", _award_context(actor, award, review_form=form)
    )


@login_required
@require_POST
def award_job_offer_view(request, pk):
    actor = request.user
    award = selectors.award_get(actor=actor, pk=pk)
    form = JobOfferForm(request.POST, members=_counted_members(award))

    def call() -> None:
        d = form.cleaned_data
        try:
            person = person_get(actor=actor, pk=d["person"])
        except Http404:
            raise ValidationError({"person": _("请从计入保障的家庭成员中选择。")}) from None
        services.job_offer_record(
            actor=actor,
            award=award,
            person=person,
            offered_on=d["offered_on"],
            job=d["job"],
            refused=d["refused"],
            note=d.get("note") or "",
            version=_seen_version(form, award),
        )

    if _run(form, call):
        messages.success(request, _("就业推荐已记录。"))
        return redirect(f"{reverse('dibao:award_detail', kwargs={'pk': award.pk})}#jobs")
    award.refresh_from_db()
    return render(request, "dibao/award_detail.html", _award_context(actor, award, job_form=form))


# --- overdue and nearly-due steps --------------------------------------------------------------


def acts_on_dibao(actor: Any) -> bool:
    return can(actor, Perm.HANDLE_DIBAO) or can(actor, Perm.DECIDE_DIBAO)


def acts_in_a_county(actor: Any) -> bool:
    """Whether the actor handles or decides Dibao in a county or a township: the home page
    lists their steps live. Above a county (a city, the province) a live list would read a
    whole city's applications on every visit; they open `dibao:due_list` instead."""
    return any(
        (role_has(m.role, Perm.HANDLE_DIBAO) or role_has(m.role, Perm.DECIDE_DIBAO))
        and len(prefix_of(m.region_id)) >= 6
        for m in memberships_of(actor)
    )


def _weekdays_between(start: datetime.date, end: datetime.date) -> int:
    """Monday-to-Friday days in (start, end], negative when `end` is before `start`: the
    estimate for a year whose holiday arrangement is not entered."""
    if end < start:
        return -_weekdays_between(end, start)
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += day.weekday() < 5
    return count


def working_days_left(today: datetime.date, by: datetime.date, cal: WorkCalendar | None) -> int:
    if cal is None:
        cal = work_calendar()
    try:
        return working_days_between(today, by, cal)
    except CalendarYearMissing:
        return _weekdays_between(today, by)


def due_rows(actor: Any, *, limit: int, today: datetime.date | None = None) -> list[dict]:
    """The actor's overdue and nearly-due steps, most urgent first, for a page or a panel."""
    today = today or timezone.localdate()
    items = selectors.due_steps(actor=actor, limit=limit, today=today)
    cal = work_calendar() if items else None
    rows = []
    for item in items:
        a, due = item.application, item.due
        left = working_days_left(today, due.by, cal)
        rows.append(
            {
                "application": a,
                "url": application_url(a.pk),
                "label": due.label,
                "by": due.by,
                "state": item.state,
                "left": left,
                "over": -left,
                "estimated": due.estimated,
                "estimated_year": due.by.year if due.estimated else None,
            }
        )
    return rows


@login_required
@require_safe
def due_list_view(request):
    actor = request.user
    _require(actor, Perm.VIEW_DIBAO, _("您无权查看低保特困办理期限。"))
    acts = acts_on_dibao(actor)
    rows = due_rows(actor, limit=200) if acts else []
    return render(
        request,
        "dibao/due_list.html",
        {
            "rows": rows,
            "acts": acts,
            "overdue": sum(1 for r in rows if r["state"] == "overdue"),
            "estimated_years": sorted({r["estimated_year"] for r in rows if r["estimated"]}),
        },
    )
