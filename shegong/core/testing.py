"""Test support every module's tests share: factories for scoped models and the personas.

Lives outside `tests/` so each app's tests can register factories for its own models; the
jurisdiction harness then makes, for every route, one object inside and one outside the
persona's jurisdiction.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from django.db import models

FACTORIES: dict[type[models.Model], Callable[..., models.Model]] = {}
_seq = itertools.count(1)


def register_factory(model: type[models.Model]):
    """Register `fn(*, region_code, marker, owner)` that makes one `model` in that region."""

    def deco(fn: Callable[..., models.Model]):
        FACTORIES[model] = fn
        return fn

    return deco


def next_seq() -> int:
    return next(_seq)


def make_village(township_code: str, name: str = "") -> Any:
    """A made-up village (committee code 200–399) under a real township."""
    from .models import Region, RegionLevel

    for n in range(200, 400):
        code = f"{township_code[:9]}{n:03d}"
        if not Region.objects.filter(code=code).exists():
            return Region.objects.create(
                code=code,
                name=name or f"演示村{n}",
                level=RegionLevel.VILLAGE,
                parent_id=township_code,
                is_synthetic=True,
            )
    raise RuntimeError("no free village code")
