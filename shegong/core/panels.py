"""Panels: how one module's page shows another module's records without importing it.

A page owns a slot ("registry.household"); each module that has something to show there
registers a panel in its `AppConfig.ready()`. The page asks `panels(slot, actor=, target=)`
and includes each panel's template with its context. The module that registers the panel
decides what the actor may see (its selectors scope the records); the page knows nothing of
the module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .actors import Actor

# context(actor, target) -> the template's context, or None when the actor sees no panel.
PanelContext = Callable[[Actor, Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class PanelSpec:
    slot: str
    name: str
    order: int
    template: str
    context: PanelContext


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: dict[str, Any]


_REGISTRY: dict[tuple[str, str], PanelSpec] = {}


def register_panel(
    slot: str, *, name: str, order: int, template: str, context: PanelContext
) -> None:
    """Add (or replace, by name) a panel in a slot; lower `order` shows first."""
    _REGISTRY[(slot, name)] = PanelSpec(slot, name, order, template, context)


def panels(slot: str, *, actor: Actor, target: Any) -> list[Panel]:
    """The panels of a slot this actor sees for this record, in order."""
    specs = sorted(
        (spec for spec in _REGISTRY.values() if spec.slot == slot),
        key=lambda spec: (spec.order, spec.name),
    )
    shown = []
    for spec in specs:
        context = spec.context(actor, target)
        if context is not None:
            shown.append(Panel(spec.name, spec.template, context))
    return shown
