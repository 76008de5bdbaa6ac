"""Routes say what they serve, so the jurisdiction harness can test every one of them.

`route()` wraps `path()` and attaches a `RouteSpec`: which scoped model an object route serves
(the harness makes one inside and one outside each persona's jurisdiction), or that the route
is a list, a public page or an action. A route that declares nothing fails the harness, so a new
module cannot forget to join. API viewsets declare the same through `scoped_model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import path


@dataclass(frozen=True)
class RouteSpec:
    kind: str  # "public", "list", "object"
    model: type[models.Model] | None = None
    # Permission needed to see the page at all (None: any signed-in user).
    perm: str | None = None
    # Only POST is meaningful (the harness posts an empty form to the outside object).
    post_only: bool = False


def route(
    pattern: str,
    view: Any,
    *,
    name: str,
    kind: str,
    model: type[models.Model] | None = None,
    perm: str | None = None,
    post_only: bool = False,
):
    if kind not in {"public", "list", "object"}:
        raise ValueError(kind)
    if kind == "object" and model is None:
        raise ValueError(f"object route {name} must name its model")
    p = path(pattern, view, name=name)
    p.shegong = RouteSpec(kind=kind, model=model, perm=perm, post_only=post_only)  # type: ignore[attr-defined]
    return p


def spec_of(pattern: Any) -> RouteSpec | None:
    spec = getattr(pattern, "shegong", None)
    if spec is not None:
        return spec
    cls = getattr(pattern.callback, "cls", None)
    if cls is not None and hasattr(cls, "route_spec"):
        return cls.route_spec(pattern)
    return None
