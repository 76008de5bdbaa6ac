"""Organisations live in `workforce` (USCC, kind, staff); core's memberships point at them by
the lazy reference "workforce.Organisation" and reach them in code only through this hook,
which `WorkforceConfig.ready` fills, so core imports no domain app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from .actors import Actor

_choices: Callable[..., QuerySet[Any]] | None = None


def register_organisation_choices(choices: Callable[..., QuerySet[Any]]) -> None:
    """`choices(actor=)`: the organisations an account manager may attach a membership to."""
    global _choices
    _choices = choices


def organisation_choices(*, actor: Actor) -> QuerySet[Any]:
    if _choices is None:
        raise LookupError("no app provides organisations (is shegong.workforce installed?)")
    return _choices(actor=actor)
