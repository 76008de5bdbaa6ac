"""Reads of the payment lists and of the Dibao API: always with the actor, scoped.

A payment list belongs to its county (county officers and the offices above see it); its
lines belong to their villages, so a township officer sees the lines of their township. A
third-party evaluator sees the applications, awards and reviews of their contract's sample
(`CheckSample`, scoped by the contract's organisation) and nothing else.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from shegong.core.actors import Actor
from shegong.core.regions import prefix_bounds, prefix_of
from shegong.core.roles import Perm
from shegong.core.scoping import jurisdiction, prefixes_q

from .models import (
    PAYING,
    Alert,
    Application,
    Award,
    CheckSample,
    PaymentLine,
    PaymentList,
    Review,
)

CENT = Decimal("0.01")


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


# --- who is paid, and how much ----------------------------------------------------------------


def paying_awards(county_code: str, month: datetime.date) -> QuerySet:
    """The awards of the county paying in `month`, with the amount in force then
    (`amount_then`: the `amount_before` of the earliest review taking effect after `month`,
    else the award's amount) and the head's name (`head_name`)."""
    from shegong.registry.models import Person

    low, high = prefix_bounds(county_code[:6])
    later_review = Review.objects.filter(award=OuterRef("pk"), effective_from__gt=month).order_by(
        "effective_from", "id"
    )
    head = Person.objects.filter(household_id=OuterRef("household_id"), relation="head").order_by(
        "id"
    )
    return (
        Award.objects.filter(region_id__gte=low, region_id__lt=high, status__in=PAYING)
        .filter(payment_from__lte=month)
        .filter(Q(payment_to__isnull=True) | Q(payment_to__gte=month))
        .annotate(
            amount_then=Coalesce(
                Subquery(later_review.values("amount_before")[:1]),
                "amount",
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
            head_name=Coalesce(Subquery(head.values("name")[:1]), Value("")),
        )
        .order_by("region_id", "household_id", "id")
    )


@dataclass(frozen=True)
class Totals:
    households: int
    persons: int
    total: Decimal


def list_totals(payment_list: PaymentList) -> Totals:
    """The totals of the list's lines, as stored."""
    row = PaymentLine.objects.filter(payment_list=payment_list).aggregate(
        households=Count("id"), persons=Sum("members"), total=Sum("amount")
    )
    return Totals(
        households=row["households"] or 0,
        persons=row["persons"] or 0,
        total=Decimal(row["total"] or 0).quantize(CENT),
    )


def totals_problems(payment_list: PaymentList) -> list[str]:
    """What does not add up between the list's header and its lines; [] when it does."""
    lines = list_totals(payment_list)
    problems = []
    if lines.households != payment_list.households:
        problems.append(
            _("户数不符:表头 %(head)d 户,明细 %(lines)d 户。")
            % {"head": payment_list.households, "lines": lines.households}
        )
    if lines.persons != payment_list.persons:
        problems.append(
            _("人数不符:表头 %(head)d 人,明细 %(lines)d 人。")
            % {"head": payment_list.persons, "lines": lines.persons}
        )
    if lines.total != Decimal(payment_list.total).quantize(CENT):
        problems.append(
            _("金额不符:表头 %(head)s 元,明细合计 %(lines)s 元。")
            % {"head": payment_list.total, "lines": lines.total}
        )
    # A person twice in a month (here or on another list) the database refuses outright
    # (PaymentPerson's constraint), so it is not counted again here.
    return problems


# --- payment lists ----------------------------------------------------------------------------


def payment_list_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    """The lists the actor may see, newest month first; filters: region (a code: the lists of
    the counties under it), month (a date: that month), status."""
    filters = filters or {}
    qs = PaymentList.objects.visible_to(actor, Perm.VIEW_DIBAO).select_related("region")
    if value := filters.get("region"):
        # Lists are a county's: a township or village code means its county's lists.
        low, high = prefix_bounds(prefix_of(value)[:6])
        qs = qs.filter(region_id__gte=low, region_id__lt=high)
    if value := filters.get("month"):
        qs = qs.filter(month=first_of_month(value))
    if value := filters.get("status"):
        qs = qs.filter(status=value)
    return qs.order_by("-month", "region_id", "-id")


def payment_list_get(*, actor: Actor, pk: Any) -> PaymentList:
    return _get(payment_list_list(actor=actor), pk)


def payment_lines(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    """Payment lines the actor may see (their villages' lines), with household, head and
    village; filters: payment_list (an id), month, region (a code)."""
    from shegong.registry.models import Person

    filters = filters or {}
    head = Person.objects.filter(household_id=OuterRef("household_id"), relation="head").order_by(
        "id"
    )
    qs = (
        PaymentLine.objects.visible_to(actor, Perm.VIEW_DIBAO)
        .select_related("household", "region", "payment_list")
        .annotate(
            head_id_number=Coalesce(Subquery(head.values("id_number")[:1]), Value("")),
        )
    )
    if value := filters.get("payment_list"):
        qs = qs.filter(payment_list_id=value)
    if value := filters.get("month"):
        qs = qs.filter(month=first_of_month(value))
    if value := filters.get("region"):
        low, high = prefix_bounds(prefix_of(value))
        qs = qs.filter(region_id__gte=low, region_id__lt=high)
    return qs.order_by("payment_list_id", "id")


def payment_line_get(*, actor: Actor, pk: Any) -> PaymentLine:
    return _get(payment_lines(actor=actor), pk)


def payment_list_lines(*, actor: Actor, payment_list: PaymentList) -> QuerySet:
    """The lines of one list the actor may see, in the order of the list (village, then
    household)."""
    return payment_lines(actor=actor, filters={"payment_list": payment_list.pk}).order_by(
        "region_id", "household__number", "id"
    )


# --- the API's reads --------------------------------------------------------------------------


def _evaluator(actor: Actor) -> bool:
    return bool(jurisdiction(actor, Perm.CHECK_DIBAO_SAMPLE))


def _visible_or_sampled(qs: QuerySet, actor: Actor, application_path: str) -> QuerySet:
    q = prefixes_q("region_id", jurisdiction(actor, Perm.VIEW_DIBAO))
    if _evaluator(actor):
        from .scoping import evaluator_organisations

        orgs = [org for org, _prefix in evaluator_organisations(actor)]
        samples = CheckSample.objects.visible_to(actor).filter(contract__organisation_id__in=orgs)
        q |= Q(**{f"{application_path}__in": samples.values("application_id")})
    return qs.filter(q)


def api_applications(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    """Applications: the actor's jurisdiction, or for an evaluator their contract's sample;
    filters: stage, programme, region."""
    filters = filters or {}
    qs = _visible_or_sampled(Application.objects.all(), actor, "pk").select_related(
        "household", "applicant", "region"
    )
    if value := filters.get("stage"):
        qs = qs.filter(stage=value)
    if value := filters.get("programme"):
        qs = qs.filter(programme=value)
    if value := filters.get("region"):
        low, high = prefix_bounds(prefix_of(value))
        qs = qs.filter(region_id__gte=low, region_id__lt=high)
    return qs.order_by("-id")


def api_application_get(*, actor: Actor, pk: Any) -> Application:
    return _get(api_applications(actor=actor), pk)


def api_awards(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    filters = filters or {}
    qs = _visible_or_sampled(Award.objects.all(), actor, "application_id").select_related(
        "household", "application"
    )
    if value := filters.get("status"):
        qs = qs.filter(status=value)
    if value := filters.get("programme"):
        qs = qs.filter(programme=value)
    if value := filters.get("region"):
        low, high = prefix_bounds(prefix_of(value))
        qs = qs.filter(region_id__gte=low, region_id__lt=high)
    return qs.order_by("-id")


def api_award_get(*, actor: Actor, pk: Any) -> Award:
    return _get(api_awards(actor=actor), pk)


def api_reviews(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    filters = filters or {}
    qs = _visible_or_sampled(Review.objects.all(), actor, "award__application_id").select_related(
        "award__application"
    )
    if value := filters.get("award"):
        qs = qs.filter(award_id=value)
    if value := filters.get("outcome"):
        qs = qs.filter(outcome=value)
    return qs.order_by("-id")


def api_review_get(*, actor: Actor, pk: Any) -> Review:
    return _get(api_reviews(actor=actor), pk)


def api_alerts(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    filters = filters or {}
    qs = Alert.objects.visible_to(actor, Perm.VIEW_DIBAO).select_related("household")
    if value := filters.get("status"):
        qs = qs.filter(status=value)
    if value := filters.get("rule"):
        qs = qs.filter(rule=value)
    if value := filters.get("region"):
        low, high = prefix_bounds(prefix_of(value))
        qs = qs.filter(region_id__gte=low, region_id__lt=high)
    return qs.order_by("-id")


def api_alert_get(*, actor: Actor, pk: Any) -> Alert:
    return _get(api_alerts(actor=actor), pk)


def _get(qs: QuerySet, pk: Any) -> Any:
    from django.core.exceptions import ObjectDoesNotExist, ValidationError
    from django.http import Http404

    try:
        return qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError, OverflowError) as exc:
        raise Http404 from exc
