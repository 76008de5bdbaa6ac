"""Charts with their tables: one small figure object, drawn twice from the same numbers.

A selector returns a `Chart`; the page renders it with `{% chart c %}` (`core/_chart.html`):
a `<figure>` holding a `<table>` of the figures, which is the source of truth and what a
screen reader or a browser without JavaScript gets, and a JSON data island from which
`static/js/app.js` draws the ECharts bar chart. Both come from `Chart.data()`, so they cannot
disagree.

Home-page charts: each app lists its charts in its own `charts.py` (found at start-up by
`autodiscover_modules("charts")`) with `register_home(fn)`; `fn(actor)` returns a `Chart` or
`None` when it does not apply to that actor. A home-page chart may read live only within a
county (a grouped count on an indexed column); province and city figures come from summary
tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices


@dataclass(frozen=True)
class Series:
    name: Any
    values: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    """Figures for one chart: a value per category in each series."""

    key: str  # unique on the page: names the data island
    title: Any
    category_label: Any
    categories: tuple[Any, ...]
    series: tuple[Series, ...]
    unit: Any = ""

    def __post_init__(self) -> None:
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"series {s.name!r}: one value per category")

    @classmethod
    def counts(
        cls,
        *,
        key: str,
        title: Any,
        category_label: Any,
        choices: type[TextChoices],
        counts: Mapping[str, int],
        series_name: Any,
        unit: Any = "",
        only: Iterable[str] | None = None,
    ) -> Chart:
        """One series of counts per choice, in the choices' order, zero where none."""
        wanted = list(only) if only is not None else list(choices.values)
        labels = dict(choices.choices)
        return cls(
            key=key,
            title=title,
            category_label=category_label,
            categories=tuple(labels[v] for v in wanted),
            series=(Series(series_name, tuple(int(counts.get(v, 0)) for v in wanted)),),
            unit=unit,
        )

    @property
    def rows(self) -> list[tuple[Any, list[int]]]:
        """(category, [value per series]) for the table."""
        return [(c, [s.values[i] for s in self.series]) for i, c in enumerate(self.categories)]

    def data(self) -> dict[str, Any]:
        """The figures as plain JSON for the data island (lazy texts made strings)."""
        return {
            "title": str(self.title),
            "unit": str(self.unit),
            "categories": [str(c) for c in self.categories],
            "series": [{"name": str(s.name), "values": list(s.values)} for s in self.series],
        }


HomeChart = Callable[[Any], "Chart | None"]
HOME_CHARTS: list[HomeChart] = []


def register_home(fn: HomeChart) -> HomeChart:
    """Add a chart to the home page; usable as a decorator."""
    if fn not in HOME_CHARTS:
        HOME_CHARTS.append(fn)
    return fn


def home_charts(actor: Any) -> list[Chart]:
    """The home-page charts that apply to the actor, in registration order."""
    return [c for fn in HOME_CHARTS if (c := fn(actor)) is not None]
