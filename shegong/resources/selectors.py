"""Every read of the resource directory that a page, the casework or the API serves."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from shegong.core.actors import Actor
from shegong.core.regions import is_code, prefix_bounds, prefix_of
from shegong.core.roles import Perm
from shegong.core.scoping import access

from .models import Institution, InstitutionKind

# The policy's order of institution kinds, so a list reads like the policy's list.
KIND_ORDER = Case(
    *[When(kind=value, then=Value(n)) for n, value in enumerate(InstitutionKind.values)],
    default=Value(len(InstitutionKind.values)),
    output_field=IntegerField(),
)


def _text(qs: QuerySet, q: str) -> QuerySet:
    if q := (q or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(services__icontains=q))
    return qs


def _kind(qs: QuerySet, kind: str | None) -> QuerySet:
    return qs.filter(kind=kind) if kind in InstitutionKind.values else qs


def institution_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    """Institutions the actor may see. Filters: kind, region (a code: that region and below),
    q (in the name or the services), include_inactive (active only unless true)."""
    filters = filters or {}
    qs: QuerySet = Institution.objects.visible_to(actor, Perm.VIEW_RESOURCES).select_related(
        "region__parent"
    )
    qs = _kind(qs, filters.get("kind"))
    region = filters.get("region") or ""
    region = getattr(region, "code", region)
    if region and is_code(region):
        low, high = prefix_bounds(prefix_of(region))
        qs = qs.filter(region_id__gte=low, region_id__lt=high)
    qs = _text(qs, filters.get("q") or "")
    if not filters.get("include_inactive"):
        qs = qs.filter(is_active=True)
    return qs.order_by(KIND_ORDER, "name", "id")


def institution_get(*, actor: Actor, pk: Any) -> Institution:
    return access(
        Institution.objects.select_related("region__parent"), actor, Perm.VIEW_RESOURCES, pk=pk
    )


def institutions_for_case(
    *, actor: Actor, region_code: str, kind: str | None = None, q: str = ""
) -> QuerySet:
    """Active institutions the actor may see whose reach includes a case in `region_code`:
    where a social worker can refer the household. By kind, then name."""
    if not is_code(region_code or ""):
        return Institution.objects.none()
    qs: QuerySet = (
        Institution.objects.visible_to(actor, Perm.VIEW_RESOURCES)
        .active()
        .serving(region_code)
        .select_related("region")
    )
    qs = _text(_kind(qs, kind), q)
    return qs.order_by(KIND_ORDER, "name", "id")
