"""What Dibao shows on other modules' pages: the household page's Dibao record."""

from __future__ import annotations

from typing import Any

from shegong.core.actors import Actor
from shegong.core.panels import register_panel
from shegong.core.roles import Perm
from shegong.core.scoping import can

from .selectors import household_dibao


def household_panel(actor: Actor, household: Any) -> dict[str, Any] | None:
    """The household's applications, awards in force (amount, next review) and open alerts,
    for those who may see Dibao records there; whether they may accept an application."""
    found = household_dibao(actor=actor, household=household)
    if found is None:
        return None
    return {**found, "may_accept": can(actor, Perm.HANDLE_DIBAO, household.region_id)}


def register() -> None:
    """Called from `DibaoConfig.ready`."""
    register_panel(
        "registry.household",
        name="dibao.record",
        order=30,
        template="dibao/_household_dibao.html",
        context=household_panel,
    )
