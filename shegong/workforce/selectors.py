from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shegong.core.actors import Actor
from shegong.core.roles import Perm
from shegong.core.scoping import access

from .models import Organisation


def organisation_list(*, actor: Actor, query: str = "", kind: str = "") -> QuerySet:
    qs = Organisation.objects.visible_to(actor, Perm.VIEW_ORGANISATIONS).select_related("region")
    if query := query.strip():
        qs = qs.filter(Q(name__icontains=query) | Q(uscc=query.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name", "id")


def organisation_get(*, actor: Actor, pk: Any) -> Organisation:
    return access(
        Organisation.objects.select_related("region"), actor, Perm.VIEW_ORGANISATIONS, pk=pk
    )


def organisation_choices(*, actor: Actor) -> QuerySet:
    """Organisations an account manager may attach a membership to."""
    return Organisation.objects.visible_to(actor, Perm.MANAGE_USERS).filter(is_active=True)


# --- supervision -----------------------------------------------------------------------------


def supervision_agencies(*, actor: Actor) -> QuerySet:
    """Agencies whose supervision links the actor manages."""
    from .models import agency_q

    return (
        Organisation.objects.filter(agency_q(actor, None), is_active=True)
        .select_related("region")
        .order_by("name", "id")
    )


def supervision_list(*, actor: Actor, organisation: Organisation) -> QuerySet:
    """An agency's links, those in force first, each with its supervisor and supervisee."""
    from django.db.models import F

    from .models import Supervision

    return (
        Supervision.objects.visible_to(actor)
        .filter(organisation=organisation)
        .select_related("supervisor", "supervisee")
        .order_by(F("ended_on").desc(nulls_first=True), "supervisor__full_name", "id")
    )


def supervision_get(*, actor: Actor, pk: Any) -> Any:
    from .models import Supervision

    return access(Supervision.objects.select_related("organisation"), actor, pk=pk)


def agency_staff(*, organisation: Organisation, role: str) -> QuerySet:
    """Active users holding `role` in the agency (the choices of the assignment form)."""
    from shegong.core.models import User

    return (
        User.objects.filter(
            is_active=True, memberships__role=role, memberships__organisation=organisation
        )
        .distinct()
        .order_by("full_name", "username")
    )


def supervisor_loads(*, organisation: Organisation) -> list[dict[str, Any]]:
    """Each supervisor of the agency with how many workers they supervise today, against
    the local norm."""
    from shegong.core.roles import Role

    from .models import Supervision
    from .rules import over_norm, supervision_norm

    norm = supervision_norm()
    counts: dict[int, int] = {}
    for supervisor_id in (
        Supervision.objects.current()
        .filter(organisation=organisation)
        .values_list("supervisor_id", flat=True)
    ):
        counts[supervisor_id] = counts.get(supervisor_id, 0) + 1
    return [
        {
            "user": u,
            "count": counts.get(u.pk, 0),
            "norm": norm.workers_per_supervisor,
            "over": over_norm(counts.get(u.pk, 0), norm),
        }
        for u in agency_staff(organisation=organisation, role=Role.SUPERVISOR)
    ]
