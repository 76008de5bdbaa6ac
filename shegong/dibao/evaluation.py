"""Evaluation figures of Dibao and special hardship for one region (a county, or a township or
village in it) and one period: what a county's assessment reads (DOMAIN.md, "Evaluation").

- Volume: applications accepted in the period; decided (审核确认) in it, approved and refused;
  the approval rate (approved of decided).
- Timeliness: working days from acceptance to decision, on the statutory calendar, for those
  decided in the period (median and mean); steps recorded late in the period, by step.
- Accuracy: households found not (or no longer) eligible by reviews of awards in the period
  (outcome terminate or suspend, each with its written reason) and by third-party checks
  (`CheckSample.verdict`: wrongly included, wrongly excluded, wrong amount).
- Social work: applications accepted in the period with a social worker's needs and capacity
  assessment attached.

`evaluation()` reads only rows the actor may see, in a fixed number of queries, and returns a
plain data structure; `Evaluation.as_dict()` gives it as JSON-ready values for a reports module.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.actors import Actor
from shegong.core.charts import Chart, Series
from shegong.core.regions import prefix_bounds, prefix_of
from shegong.core.roles import Perm
from shegong.core.selectors import work_calendar
from shegong.core.workdays import CalendarYearMissing, working_days_between

from .models import Application, ApplicationStep, CheckSample, Review, ReviewOutcome, Stage, Verdict
from .procedure import STEPS

# Regions an evaluation is made for: a county, or a part of one (the figures are live counts).
LEVELS = ("county", "township", "village")
ONE_PLACE = Decimal("0.1")


def _one_place(value: Decimal | float) -> Decimal:
    return Decimal(str(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LateStep:
    step: str
    label: str
    count: int


@dataclass
class Evaluation:
    region_code: str
    region_name: str
    period_from: datetime.date
    period_to: datetime.date
    accepted: int = 0
    decided: int = 0
    approved: int = 0
    refused: int = 0
    # Per cent of decided, one place; None when nothing was decided (no rate to give).
    approval_rate: Decimal | None = None
    # Working days from acceptance to decision of those decided; None when none or when the
    # calendar lacks a year (`days_problem` then says which).
    days_counted: int = 0
    days_median: Decimal | None = None
    days_mean: Decimal | None = None
    days_problem: str = ""
    late_steps: list[LateStep] = field(default_factory=list)
    late_total: int = 0
    reviews: int = 0
    reviews_wrongly_included: int = 0  # terminated or suspended on review, with a reason
    reviews_amount_changed: int = 0
    checks_sampled: int = 0  # samples checked in the period
    checks_right: int = 0
    checks_wrongly_included: int = 0
    checks_wrongly_excluded: int = 0
    checks_amount: int = 0
    # Applications accepted in the period with a social worker's assessment attached; None
    # when applications cannot hold one (the link does not exist).
    assessments: int | None = None
    assessments_note: str = ""

    @property
    def wrongly_included(self) -> int:
        return self.reviews_wrongly_included + self.checks_wrongly_included

    @property
    def wrongly_excluded(self) -> int:
        return self.checks_wrongly_excluded

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (dates ISO, decimals as strings, None where not available)."""

        def plain(v: Any) -> Any:
            if isinstance(v, Decimal):
                return str(v)
            if isinstance(v, datetime.date):
                return v.isoformat()
            return v

        out = {k: plain(v) for k, v in self.__dict__.items() if k not in ("late_steps",)}
        out["late_steps"] = {s.step: s.count for s in self.late_steps}
        out["wrongly_included"] = self.wrongly_included
        out["wrongly_excluded"] = self.wrongly_excluded
        return out

    def volume_chart(self) -> Chart:
        return Chart(
            key="dibao-eval-volume",
            title=gettext_lazy("申请与审核确认"),
            category_label=gettext_lazy("项目"),
            categories=(
                gettext_lazy("受理"),
                gettext_lazy("审核确认"),
                gettext_lazy("批准"),
                gettext_lazy("不予批准"),
            ),
            series=(
                Series(
                    gettext_lazy("件数"),
                    (self.accepted, self.decided, self.approved, self.refused),
                ),
            ),
            unit=gettext_lazy("件"),
        )

    def late_chart(self) -> Chart:
        return Chart(
            key="dibao-eval-late",
            title=gettext_lazy("逾期办理的环节"),
            category_label=gettext_lazy("环节"),
            categories=tuple(s.label for s in self.late_steps),
            series=(Series(gettext_lazy("逾期次数"), tuple(s.count for s in self.late_steps)),),
            unit=gettext_lazy("次"),
        )

    def accuracy_chart(self) -> Chart:
        return Chart(
            key="dibao-eval-accuracy",
            title=gettext_lazy("认定准确性"),
            category_label=gettext_lazy("发现途径"),
            categories=(gettext_lazy("复核"), gettext_lazy("第三方核查")),
            series=(
                Series(
                    gettext_lazy("错保"),
                    (self.reviews_wrongly_included, self.checks_wrongly_included),
                ),
                Series(gettext_lazy("漏保"), (0, self.checks_wrongly_excluded)),
            ),
            unit=gettext_lazy("户"),
        )


def evaluation(
    *,
    actor: Actor,
    region: Any,
    period_from: datetime.date,
    period_to: datetime.date,
) -> Evaluation:
    """The figures for `region` (a Region of county level or below) from `period_from` to
    `period_to`, both days included, over the rows the actor may see there."""
    if period_to < period_from:
        raise ValueError("period ends before it starts")
    low, high = prefix_bounds(prefix_of(region.code))
    within = {"region_id__gte": low, "region_id__lt": high}
    period = (period_from, period_to)
    ev = Evaluation(
        region_code=region.code,
        region_name=region.label,
        period_from=period_from,
        period_to=period_to,
    )
    apps = Application.objects.visible_to(actor, Perm.VIEW_DIBAO).filter(**within)
    ev.accepted = apps.filter(accepted_on__range=period).count()

    decided = list(
        apps.filter(
            decided_on__range=period, stage__in=[Stage.APPROVED, Stage.REFUSED]
        ).values_list("stage", "accepted_on", "decided_on")
    )
    ev.decided = len(decided)
    ev.approved = sum(1 for stage, _a, _d in decided if stage == Stage.APPROVED)
    ev.refused = ev.decided - ev.approved
    if ev.decided:
        ev.approval_rate = _one_place(Decimal(ev.approved * 100) / ev.decided)
    _timeliness(ev, [(a, d) for _s, a, d in decided])

    late = dict(
        ApplicationStep.objects.visible_to(actor, Perm.VIEW_DIBAO)
        .filter(**within, late=True, on__range=period)
        .values_list("step")
        .annotate(n=Count("id"))
        .values_list("step", "n")
    )
    order = list(STEPS)
    ev.late_steps = [
        LateStep(step, str(STEPS.get(step, step)), int(n))
        for step, n in sorted(
            late.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0])
        )
    ]
    ev.late_total = sum(s.count for s in ev.late_steps)

    reviews = dict(
        Review.objects.visible_to(actor, Perm.VIEW_DIBAO)
        .filter(**within, reviewed_on__range=period)
        .exclude(reason="")
        .values_list("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    ev.reviews = sum(reviews.values())
    ev.reviews_wrongly_included = reviews.get(ReviewOutcome.TERMINATE, 0) + reviews.get(
        ReviewOutcome.SUSPEND, 0
    )
    ev.reviews_amount_changed = reviews.get(ReviewOutcome.ADJUST, 0)

    verdicts = dict(
        CheckSample.objects.visible_to(actor, Perm.VIEW_DIBAO)
        .filter(**within, checked_on__range=period)
        .exclude(verdict="")
        .values_list("verdict")
        .annotate(n=Count("id"))
        .values_list("verdict", "n")
    )
    ev.checks_sampled = sum(verdicts.values())
    ev.checks_right = verdicts.get(Verdict.RIGHT, 0)
    ev.checks_wrongly_included = verdicts.get(Verdict.WRONGLY_INCLUDED, 0)
    ev.checks_wrongly_excluded = verdicts.get(Verdict.WRONGLY_EXCLUDED, 0)
    ev.checks_amount = verdicts.get(Verdict.AMOUNT, 0)

    if _has_assessment_link():
        ev.assessments = apps.filter(accepted_on__range=period, assessment__isnull=False).count()
    else:
        ev.assessments_note = _("申请尚不能关联社工评估,该项暂无数据。")
    return ev


def default_region(actor: Actor) -> Any:
    """The one region the actor sees Dibao in, when it is a county or lies within one."""
    from shegong.core.models import Region
    from shegong.core.scoping import jurisdiction

    prefixes = jurisdiction(actor, Perm.VIEW_DIBAO)
    if len(prefixes) != 1 or len(prefixes[0]) < 6:
        return None
    region = Region.objects.filter(code=prefixes[0].ljust(12, "0")).first()
    return region if region is not None and region.level in LEVELS else None


def _has_assessment_link() -> bool:
    return any(f.name == "assessment" for f in Application._meta.get_fields())


def _timeliness(ev: Evaluation, pairs: list[tuple[datetime.date, datetime.date]]) -> None:
    if not pairs:
        return
    cal = work_calendar()
    try:
        days = [working_days_between(a, d, cal) for a, d in pairs]
    except CalendarYearMissing as exc:
        ev.days_problem = str(exc)
        return
    ev.days_counted = len(days)
    ev.days_median = _one_place(statistics.median(days))
    ev.days_mean = _one_place(Decimal(sum(days)) / len(days))
