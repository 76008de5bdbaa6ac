"""What Dibao shows on the home page: the officer's overdue and nearly-due steps."""

from __future__ import annotations

from typing import Any

from shegong.core.panels import register_panel

# How many steps the home page lists; the rest are on `dibao:due_list`.
HOME_ROWS = 5


def home_due(actor: Any, target: Any) -> dict[str, Any] | None:
    """The first few steps for a township or county officer who acts on Dibao; no panel for
    anyone else (nor above a county: see `acts_in_a_county`)."""
    from .views.records import acts_in_a_county, due_rows

    if not acts_in_a_county(actor):
        return None
    return {"rows": due_rows(actor, limit=HOME_ROWS)}


def register() -> None:
    """Called from `DibaoConfig.ready`."""
    register_panel(
        "core.home", name="dibao.due", order=20, template="dibao/_home_due.html", context=home_due
    )
