"""Jurisdiction: which records an actor may see, computed one way for every module.

An actor's jurisdiction is the set of code prefixes of their memberships (a county membership
`411525000000` gives `411525`). A scoped QuerySet's `visible_to(actor)` ORs one half-open code
range per prefix. Anything outside answers 404, exactly like a record that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from .regions import minimal_prefixes, prefix_bounds, prefix_of
from .roles import role_has

if TYPE_CHECKING:
    from .models import Membership

M = TypeVar("M", bound=models.Model)

_CACHE_ATTR = "_shegong_memberships"


def memberships_of(actor: Any) -> list[Membership]:
    """The actor's memberships, loaded once per request and kept on the user object."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    cached = getattr(actor, _CACHE_ATTR, None)
    if cached is None:
        cached = list(actor.memberships.select_related("region__parent", "organisation").all())
        setattr(actor, _CACHE_ATTR, cached)
    return cached


def forget_memberships(actor: Any) -> None:
    if hasattr(actor, _CACHE_ATTR):
        delattr(actor, _CACHE_ATTR)


def jurisdiction(actor: Any, perm: str | None = None) -> list[str]:
    """Code prefixes the actor may act in; with `perm`, only memberships whose role grants it.

    A superuser (the operator who installed the system) sees the whole database: prefix ''.
    """
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    if actor.is_superuser:
        return [""]
    prefixes = [
        prefix_of(m.region_id)
        for m in memberships_of(actor)
        if perm is None or role_has(m.role, perm)
    ]
    return minimal_prefixes(prefixes)


def can(actor: Any, perm: str, region_code: str | None = None) -> bool:
    """Whether the actor holds `perm` somewhere, or, given a region, over that region."""
    prefixes = jurisdiction(actor, perm)
    if region_code is None:
        return bool(prefixes)
    return any(region_code.startswith(p) for p in prefixes)


def prefixes_q(field: str, prefixes: Iterable[str]) -> Q:
    """One code range per prefix, ORed; an empty list matches nothing."""
    q = Q(pk__in=[])
    for prefix in prefixes:
        if prefix == "":
            return Q()
        low, high = prefix_bounds(prefix)
        q |= Q(**{f"{field}__gte": low, f"{field}__lt": high})
    return q


class ScopedQuerySet(models.QuerySet):
    """A QuerySet whose rows belong to a region; `visible_to` is the only way views read it."""

    scope_field = "region_id"
    # Permission that decides which memberships count; None means any membership.
    scope_perm: str | None = None

    def visible_to(self, actor: Any, perm: str | None = None) -> ScopedQuerySet:
        """Rows inside the actor's jurisdiction (for `perm`, when given)."""
        prefixes = jurisdiction(actor, perm or self.scope_perm)
        if not prefixes:
            return self.none()
        return self.filter(prefixes_q(self.scope_field, prefixes))


class ScopedManager(models.Manager):
    """Marks a model as scoped; the static check forbids `.objects` on it in views and APIs."""

    def visible_to(self, actor: Any, perm: str | None = None) -> Any:
        return self.get_queryset().visible_to(actor, perm)  # type: ignore[attr-defined]


def access(queryset: models.QuerySet[M], actor: Any, perm: str | None = None, **lookup) -> M:
    """Fetch one record the actor may see; 404 alike for 'not there' and 'not yours'."""
    try:
        return queryset.visible_to(actor, perm).get(**lookup)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    except Exception as exc:  # malformed lookups such as a bad UUID
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise Http404 from exc
        raise


def is_scoped_model(model: type[models.Model]) -> bool:
    return hasattr(model._default_manager, "visible_to")
