"""Casework's charts: the summary page's and the social worker's home-page caseload.

Chart reads live here, beside their registration (see core.charts): each takes the actor
and reads through the scoped `cases()`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy

from shegong.core.charts import Chart, Series, register_home
from shegong.core.roles import Role
from shegong.core.scoping import memberships_of

from .models import Stage
from .selectors import cases

SUMMARY_GROUP_LABELS = {
    "worker": gettext_lazy("社工"),
    "agency": gettext_lazy("承接机构"),
    "county": gettext_lazy("县(市、区)"),
}


def caseload_summary_chart(rows: list[dict[str, Any]], by: str) -> Chart:
    """Open and closed cases of the summary's rows, for the chart beside its table."""
    return Chart(
        key="caseload-summary",
        title=gettext_lazy("在案与已结案个案"),
        category_label=SUMMARY_GROUP_LABELS[by],
        categories=tuple(r["label"] for r in rows),
        series=(
            Series(gettext_lazy("在案"), tuple(r["open"] for r in rows)),
            Series(gettext_lazy("已结案"), tuple(r["closed"] for r in rows)),
        ),
        unit=gettext_lazy("件"),
    )


@register_home
def my_caseload_chart(actor: Any) -> Chart | None:
    """A social worker's open cases by stage: one grouped count on their own cases."""
    if not any(m.role == Role.SOCIAL_WORKER for m in memberships_of(actor)):
        return None
    counts = dict(
        cases(actor)
        .filter(worker_id=actor.pk)
        .exclude(stage=Stage.CLOSED)
        .values_list("stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Chart.counts(
        key="my-caseload",
        title=gettext_lazy("我的在案个案(按阶段)"),
        category_label=gettext_lazy("阶段"),
        choices=Stage,
        counts=counts,
        series_name=gettext_lazy("个案数"),
        unit=gettext_lazy("件"),
        only=[v for v in Stage.values if v != Stage.CLOSED],
    )
