"""What casework shows on other modules' pages (registered in `CaseworkConfig.ready`)."""

from __future__ import annotations

from typing import Any

from shegong.core.actors import Actor
from shegong.core.panels import register_panel
from shegong.core.roles import Perm
from shegong.core.scoping import can

from .selectors import cases_of_household


def household_cases(actor: Actor, household: Any) -> dict[str, Any] | None:
    """The household's cases the actor may see, and whether they may open one there."""
    may_view = can(actor, Perm.VIEW_CASES, household.region_id)
    may_open = can(actor, Perm.WORK_CASES, household.region_id) or can(
        actor, Perm.ASSIGN_CASES, household.region_id
    )
    if not (may_view or may_open):
        return None
    return {
        "cases": cases_of_household(actor=actor, household=household) if may_view else None,
        "may_open_case": may_open,
    }


def register() -> None:
    register_panel(
        "registry.household",
        name="casework.cases",
        order=20,
        template="casework/_household_cases.html",
        context=household_cases,
    )
