from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shegong.core.roles import Perm
from shegong.core.scoping import access

from .models import Organisation


def organisation_list(*, actor: Any, query: str = "", kind: str = "") -> QuerySet:
    qs = Organisation.objects.visible_to(actor, Perm.VIEW_ORGANISATIONS).select_related("region")
    if query := query.strip():
        qs = qs.filter(Q(name__icontains=query) | Q(uscc=query.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name", "id")


def organisation_get(*, actor: Any, pk: Any) -> Organisation:
    return access(
        Organisation.objects.select_related("region"), actor, Perm.VIEW_ORGANISATIONS, pk=pk
    )


def organisation_choices(*, actor: Any) -> QuerySet:
    """Organisations an account manager may attach a membership to."""
    return Organisation.objects.visible_to(actor, Perm.MANAGE_USERS).filter(is_active=True)
