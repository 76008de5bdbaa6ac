"""Every read of the registry that a page, export or API serves. Always scoped."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Case, QuerySet, Value, When

from shegong.core.actors import Actor
from shegong.core.idnumbers import normalise_citizen_id
from shegong.core.regions import is_code, prefix_bounds, prefix_of
from shegong.core.roles import Perm
from shegong.core.scoping import access, jurisdiction, prefixes_q

from .models import DuplicateCandidate, Household, ImportBatch, Person, PovertyExit

INITIALS_RE = re.compile(r"^[a-z]{2,8}$")
HOUSEHOLD_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{6,32}$")


# Columns a list may sort by (`?sort=`, `core.pagination`): each has an index that serves it.
HOUSEHOLD_SORTS = ("number",)  # unique
PERSON_SORTS = ("name",)  # person_name_birth


def _region_filter(qs: QuerySet, field: str, region: Any) -> QuerySet:
    """That region and everything under it; `region` is a Region (a list filter) or a code."""
    code = getattr(region, "code", region)
    if code and is_code(code):
        low, high = prefix_bounds(prefix_of(code))
        return qs.filter(**{f"{field}__gte": low, f"{field}__lt": high})
    return qs


def person_search(*, actor: Actor, filters: dict[str, Any]) -> QuerySet:
    """Persons matching a name, pinyin initials (`zw` finds 张伟), an ID number or a household
    number, inside a region, newest first. Filters: q, region, left_behind, is_dibao."""
    qs: QuerySet = Person.objects.visible_to(actor, Perm.VIEW_REGISTRY).select_related(
        "household", "region__parent"
    )
    q = (filters.get("q") or "").strip()
    if q:
        ident = normalise_citizen_id(q)
        if len(ident) == 18 and ident[:17].isdigit():
            # Finding a person by the full number is for roles that may reveal it there: for
            # anyone else a hit would confirm a guessed number, one query per guess.
            reveal = jurisdiction(actor, Perm.REVEAL_ID_NUMBER)
            qs = qs.filter(prefixes_q("region_id", reveal), id_number=ident)
        elif INITIALS_RE.match(q.lower()):
            qs = qs.filter(name_initials__startswith=q.lower())
        elif HOUSEHOLD_NUMBER_RE.match(q) and any(c.isdigit() for c in q):
            qs = qs.filter(household__number=q)
        else:
            qs = qs.filter(name__startswith=q)
    qs = _region_filter(qs, "region_id", filters.get("region") or "")
    if filters.get("left_behind"):
        qs = qs.filter(left_behind=filters["left_behind"])
    if filters.get("is_dibao") in (True, "1", "true"):
        qs = qs.filter(is_dibao=True)
    return qs


def household_search(*, actor: Actor, filters: dict[str, Any]) -> QuerySet:
    """Households by number, head's name or ID, region, type and poverty status."""
    qs: QuerySet = Household.objects.visible_to(actor, Perm.VIEW_REGISTRY).select_related(
        "region__parent"
    )
    q = (filters.get("q") or "").strip()
    if q:
        if HOUSEHOLD_NUMBER_RE.match(q) and any(c.isdigit() for c in q) and len(q) != 18:
            qs = qs.filter(number=q)
        else:
            persons = person_search(actor=actor, filters={"q": q}).values("household_id")
            qs = qs.filter(pk__in=persons)
    qs = _region_filter(qs, "region_id", filters.get("region") or "")
    if filters.get("household_type"):
        qs = qs.filter(household_type=filters["household_type"])
    if filters.get("poverty_status"):
        qs = qs.filter(poverty_status=filters["poverty_status"])
    return qs


def household_get(*, actor: Actor, pk: Any) -> Household:
    return access(
        Household.objects.select_related("region__parent"), actor, Perm.VIEW_REGISTRY, pk=pk
    )


def household_members(household: Household) -> QuerySet:
    """Members, head first, then by birth date."""
    head_first = Case(When(relation="head", then=Value(0)), default=Value(1))
    return household.members.order_by(head_first, "birth_date", "id")


def person_get(*, actor: Actor, pk: Any) -> Person:
    return access(
        Person.objects.select_related("household", "region"), actor, Perm.VIEW_REGISTRY, pk=pk
    )


def exit_list(*, actor: Actor, household: Household) -> QuerySet:
    return (
        PovertyExit.objects.visible_to(actor, Perm.VIEW_REGISTRY)
        .filter(household=household)
        .order_by("-recorded_at")
    )


def import_list(*, actor: Actor) -> QuerySet:
    return ImportBatch.objects.visible_to(actor, Perm.IMPORT_REGISTRY).select_related(
        "region", "actor"
    )


def import_get(*, actor: Actor, pk: Any) -> ImportBatch:
    return access(
        ImportBatch.objects.select_related("region", "progress"), actor, Perm.IMPORT_REGISTRY, pk=pk
    )


def duplicate_list(*, actor: Actor, status: str = "pending") -> QuerySet:
    qs = DuplicateCandidate.objects.visible_to(actor, Perm.REVIEW_DUPLICATES)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person_a__household", "person_b__household").order_by("-score", "id")


def duplicate_get(*, actor: Actor, pk: Any) -> DuplicateCandidate:
    return access(
        DuplicateCandidate.objects.select_related("person_a__household", "person_b__household"),
        actor,
        Perm.REVIEW_DUPLICATES,
        pk=pk,
    )


def household_by_number(*, actor: Actor, number: str, perm: str = Perm.EDIT_REGISTRY) -> Household:
    return access(Household.objects.all(), actor, perm, number=number.strip())


def household_history(*, actor: Actor, household: Household, limit: int = 100) -> QuerySet:
    """What happened to the household: its audit events, newest first."""
    from shegong.core.models import AuditEvent

    return (
        AuditEvent.objects.visible_to(actor, Perm.VIEW_REGISTRY)
        .filter(target_type="registry.household", target_id=str(household.pk))
        .order_by("-id")[:limit]
    )


def with_head_name(qs: QuerySet) -> QuerySet:
    """Annotate each household with its head's name in the same query (no N+1)."""
    from django.db.models import OuterRef, Subquery

    heads = Person.objects.filter(household=OuterRef("pk"), relation="head").values("name")[:1]
    return qs.annotate(head_name=Subquery(heads))


def left_behind_reviews(*, actor: Actor) -> Any:
    """Open reviews of confirmed left-behind flags the facts no longer support, in the actor's
    reach for confirming flags."""
    from .models import LeftBehindReview, ReviewStatus

    return (
        LeftBehindReview.objects.visible_to(actor, Perm.CONFIRM_LEFT_BEHIND)
        .filter(status=ReviewStatus.OPEN)
        .select_related("person", "person__household")
        .order_by("opened_on", "id")
    )
