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


def chart_figures(html: str, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The figures of chart `key` on a page, read twice: from its table and from its data
    island, each as {"categories": [...], "series": {name: [values]}}."""
    import json
    import re
    from html import unescape

    figure = re.search(
        rf'<figure class="chart" aria-labelledby="chart-{key}-title">(.*?)</figure>', html, re.S
    )
    if figure is None:
        raise AssertionError(f"no chart {key} on the page")
    body = figure.group(1)
    names = [unescape(n) for n in re.findall(r'<th scope="col" class="num">(.*?)</th>', body)]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', body, re.S)
    values = [[int(v) for v in re.findall(r'<td class="num">(\d+)</td>', c)] for _, c in rows]
    table = {
        "categories": [unescape(c) for c, _ in rows],
        "series": {n: [row[i] for row in values] for i, n in enumerate(names)},
    }
    island = re.search(
        rf'<script id="chart-{key}-data" type="application/json">(.*?)</script>', body, re.S
    )
    if island is None:
        raise AssertionError(f"no data island for chart {key}")
    data = json.loads(island.group(1))
    return table, {
        "categories": data["categories"],
        "series": {s["name"]: s["values"] for s in data["series"]},
    }
