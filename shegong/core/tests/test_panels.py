"""Panels: a page shows other modules' records through the registry in core.panels."""

from __future__ import annotations

import pytest

from shegong.core import panels as registry
from shegong.core.panels import Panel, panels, register_panel


@pytest.fixture
def empty_slot(monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", {})
    return "test.slot"


def test_panels_come_in_order_and_a_none_context_hides_one(empty_slot):
    register_panel(empty_slot, name="b", order=20, template="b.html", context=lambda a, t: {"t": t})
    register_panel(empty_slot, name="a", order=10, template="a.html", context=lambda a, t: {"n": 1})
    register_panel(empty_slot, name="hidden", order=5, template="h.html", context=lambda a, t: None)
    register_panel("other.slot", name="c", order=1, template="c.html", context=lambda a, t: {})
    assert panels(empty_slot, actor=None, target=7) == [
        Panel("a", "a.html", {"n": 1}),
        Panel("b", "b.html", {"t": 7}),
    ]


def test_registering_a_name_again_replaces_the_panel(empty_slot):
    register_panel(empty_slot, name="a", order=10, template="old.html", context=lambda a, t: {})
    register_panel(empty_slot, name="a", order=10, template="new.html", context=lambda a, t: {})
    assert [p.template for p in panels(empty_slot, actor=None, target=None)] == ["new.html"]


def test_casework_registers_its_household_panel():
    spec = registry._REGISTRY[("registry.household", "casework.cases")]
    assert (spec.order, spec.template) == (20, "casework/_household_cases.html")
