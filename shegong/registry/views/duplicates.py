"""Duplicate review (查重): the queue, a pair side by side, and the decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from shegong.core.idnumbers import mask_citizen_id
from shegong.core.params import id_param
from shegong.core.roles import Perm
from shegong.core.scoping import can, jurisdiction
from shegong.core.tasks import job_start

from .. import duplicates
from ..models import DuplicateStatus, Person
from ..selectors import duplicate_get, duplicate_list, household_members
from ..services_reveal import id_numbers_reveal

PAGE_SIZE = 30


def _require(request) -> None:
    if not can(request.user, Perm.REVIEW_DUPLICATES):
        raise PermissionDenied(_("您无权核查疑似重复人员。"))


@require_GET
@login_required
def duplicate_list_view(request):
    _require(request)
    status = request.GET.get("status", DuplicateStatus.PENDING)
    if status not in DuplicateStatus.values:
        status = DuplicateStatus.PENDING
    pairs = duplicate_list(actor=request.user, status=status).select_related(
        "region__parent", "region_b__parent"
    )
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _list_rows(request.user, list(page.object_list))
    context = {"page": page, "rows": rows, "status": status, "statuses": DuplicateStatus.choices}
    return render(request, "registry/duplicate_list.html", context)


@require_POST
@login_required
def duplicate_run_view(request):
    """Look for new pairs in the actor's jurisdiction, in the background."""
    _require(request)
    prefixes = [p or "41" for p in jurisdiction(request.user, Perm.REVIEW_DUPLICATES)]
    progress = job_start(
        owner=request.user,
        kind="duplicates_detect",
        title=_("查找疑似重复人员"),
        job=duplicates.duplicates_detect,
        args=(prefixes,),
    )
    return redirect("core:task_detail", pk=progress.pk)


def _list_rows(actor: Any, pairs: list[Any]) -> list[dict[str, Any]]:
    """Each pair with, per side, whether the actor may see that household (else only the
    person's name, birth year and county are listed)."""
    people = [p for c in pairs for p in (c.person_a, c.person_b)]
    whole = duplicates.households_open_to(actor=actor, persons=people)
    counties = duplicates.county_names(p.region_id for p in people if p is not None)
    rows = []
    for i, c in enumerate(pairs):
        sides = [
            {
                "person": p,
                "region": region,
                "whole": whole[2 * i + j],
                "county": counties.get(p.region_id[:6], ""),
            }
            if p is not None
            else None
            for j, (p, region) in enumerate(((c.person_a, c.region), (c.person_b, c.region_b)))
        ]
        rows.append({"candidate": c, "sides": sides})
    return rows


def _side(
    person: Person | None, reveal: bool, whole: bool, counties: dict[str, str]
) -> dict[str, Any] | None:
    """One side of the pair. `whole`: the actor may see this household, so show it all;
    otherwise only what deciding the pair needs, never the household, address, members,
    phone or full birth date."""
    if person is None:
        return None
    side: dict[str, Any] = {
        "person": person,
        "whole": whole,
        "id_display": person.id_number if reveal and whole else mask_citizen_id(person.id_number),
        "county": counties.get(person.region_id[:6], ""),
        "birth_year": person.birth_date.year,
    }
    if whole:
        household = person.household
        side.update(
            household=household,
            members=household_members(household),
            is_head=person.relation == "head",
        )
    return side


def _may_reveal(actor, people) -> list[bool]:
    return [p is not None and can(actor, Perm.REVEAL_ID_NUMBER, p.region_id) for p in people]


@require_safe
@login_required
def duplicate_detail_view(request, pk):
    """The pair side by side. ID numbers are masked; a reviewer who may see them in a person's
    region reveals them with a button (`duplicate_reveal_view`)."""
    _require(request)
    candidate = duplicate_get(actor=request.user, pk=pk)
    return _detail(request, candidate)


@require_POST
@login_required
def duplicate_reveal_view(request, pk):
    """The pair with full ID numbers, which writes an access event."""
    _require(request)
    actor = request.user
    candidate = duplicate_get(actor=actor, pk=pk)
    people = [candidate.person_a, candidate.person_b]
    if not any(_may_reveal(actor, people)):
        raise PermissionDenied(_("您无权查看完整证件号码。"))
    shown = id_numbers_reveal(
        actor=actor, persons=[p for p in people if p is not None], via="page", target=candidate
    )
    return _detail(request, candidate, reveal=[p is not None and p.pk in shown for p in people])


def _detail(request, candidate, reveal=(False, False)):
    actor = request.user
    people = [candidate.person_a, candidate.person_b]
    may_reveal = _may_reveal(actor, people)
    merge = duplicates.merge_of(candidate)
    snapshot = merge.removed_snapshot if merge is not None else None
    removed = (snapshot or {}).get("person") or {}
    removed_id = removed.get("id_number") or ""
    whole = duplicates.households_open_to(actor=actor, persons=people)
    counties = duplicates.county_names(
        [p.region_id for p in people if p is not None] + ([merge.region_id] if merge else [])
    )
    context = {
        "candidate": candidate,
        "sides": [_side(p, r, w, counties) for p, r, w in zip(people, reveal, whole, strict=True)],
        "merge": merge,
        "removed": removed,
        "removed_id": mask_citizen_id(removed_id) if removed_id else "",
        # A merge removed someone from this household: its number only to those who see it.
        "removed_whole": bool(merge and can(actor, Perm.VIEW_REGISTRY, merge.region_id)),
        "removed_county": counties.get(merge.region_id[:6], "") if merge else "",
        "may_undo": bool(
            merge
            and merge.undone_at is None
            and can(actor, Perm.REVIEW_DUPLICATES, merge.region_id)
        ),
        "pending": candidate.status == DuplicateStatus.PENDING,
        "may_merge": None not in people,
        "may_reveal": any(may_reveal) and not any(reveal),
    }
    return render(request, "registry/duplicate_detail.html", context)


def _decide(request, pk, decide) -> Any:
    """Run one decision; its refusal (already decided, a head, outside) becomes a message."""
    _require(request)
    candidate = duplicate_get(actor=request.user, pk=pk)
    try:
        done = decide(candidate)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return redirect("registry:duplicate_detail", pk=candidate.pk)
    messages.success(request, done)
    return redirect("registry:duplicate_list")


@require_POST
@login_required
def duplicate_merge_view(request, pk):
    keep = request.POST.get("keep", "")

    def merge(candidate) -> str:
        kept = duplicates.duplicate_merge(
            actor=request.user, candidate=candidate, keep_id=id_param(keep)
        )
        return _("已合并,保留 %(name)s。如有误,可在“已合并”中撤销。") % {"name": kept.name}

    return _decide(request, pk, merge)


@require_POST
@login_required
def duplicate_distinct_view(request, pk):
    def distinct(candidate) -> str:
        duplicates.duplicate_mark_distinct(actor=request.user, candidate=candidate)
        return _("已确认为不同的人,今后不会再提示这一对。")

    return _decide(request, pk, distinct)


@require_POST
@login_required
def merge_undo_view(request, pk):
    _require(request)
    record = duplicates.merge_record_get(actor=request.user, pk=pk)
    try:
        person = duplicates.merge_undo(actor=request.user, record=record)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(
            request, _("已撤销合并,%(name)s 已恢复,这一对重新待核查。") % {"name": person.name}
        )
    return redirect("registry:duplicate_detail", pk=record.candidate_id)
