"""The registry's charts: a county officer's households by poverty status on the home page.

Chart reads live here, beside their registration (see core.charts).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy

from shegong.core.charts import Chart, register_home
from shegong.core.roles import Perm, Role
from shegong.core.scoping import jurisdiction, memberships_of

from .codes import PovertyStatus
from .models import Household

OFFICER_ROLES = frozenset({Role.CIVIL_AFFAIRS_OFFICER, Role.TOWNSHIP_OFFICER})


@register_home
def households_by_status_chart(actor: Any) -> Chart | None:
    """A county or township officer's households by poverty status, counted live.

    Only within a county (every prefix six digits or longer): a county holds tens of
    thousands of households, one grouped count over its region range. A city's or the
    province's figures come from summary tables, so they get no live chart here.
    """
    if not any(m.role in OFFICER_ROLES for m in memberships_of(actor)):
        return None
    prefixes = jurisdiction(actor, Perm.VIEW_REGISTRY)
    if not prefixes or any(len(p) < 6 for p in prefixes):
        return None
    counts = dict(
        Household.objects.visible_to(actor, Perm.VIEW_REGISTRY)
        .values_list("poverty_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Chart.counts(
        key="households-by-status",
        title=gettext_lazy("本辖区贫困户(按脱贫状态)"),
        category_label=gettext_lazy("脱贫状态"),
        choices=PovertyStatus,
        counts=counts,
        series_name=gettext_lazy("户数"),
        unit=gettext_lazy("户"),
    )
