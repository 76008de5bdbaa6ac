"""`/api/v1/dibao-applications/`, `/dibao-awards/`, `/dibao-reviews/`, `/dibao-alerts/`,
`/dibao-payment-lists/`, `/dibao-payment-lines/`: read-only, through the same scoped reads as
the pages.

Townships see their township, counties their county, the province everything; a third-party
evaluator sees only the applications (with their awards and reviews) in the sample of a
contract held by their own organisation, and no alerts or payments. A record outside the
actor's reach answers 404, exactly like one that does not exist. ID numbers are masked.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from shegong.core.api_base import ScopedReadOnlyViewSet
from shegong.core.roles import Perm

from . import selectors_payments as reads
from .models import Alert, Application, Award, PaymentLine, PaymentList, Review
from .serializers import (
    AlertFilterSerializer,
    AlertSerializer,
    ApplicationFilterSerializer,
    ApplicationSerializer,
    AwardFilterSerializer,
    AwardSerializer,
    PaymentLineFilterSerializer,
    PaymentLineSerializer,
    PaymentListFilterSerializer,
    PaymentListSerializer,
    ReviewFilterSerializer,
    ReviewSerializer,
)


class _DibaoViewSet(ScopedReadOnlyViewSet):
    cursor_ordering = "-id"
    http_method_names = ["get", "head", "options"]
    filter_serializer: Any = None

    def _filters(self) -> dict[str, Any]:
        params = self.filter_serializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)

    def _list(self, queryset: Any) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def list(self, request, *args, **kwargs):
        return self._list(self.get_queryset())

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema(tags=["dibao"])
class ApplicationViewSet(_DibaoViewSet):
    """Dibao and special-hardship applications with their stage, dates and amounts."""

    serializer_class = ApplicationSerializer
    scoped_model = Application
    # Offices and townships by region; evaluators their contract's sample (the scope decides).
    required_perm = None
    filter_serializer = ApplicationFilterSerializer

    def get_queryset(self):
        return reads.api_applications(actor=self.request.user, filters=self._filters())

    def get_object(self):
        return reads.api_application_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[ApplicationFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["dibao"])
class AwardViewSet(_DibaoViewSet):
    """Decisions in force (保障对象): status, amount, members, payment months."""

    serializer_class = AwardSerializer
    scoped_model = Award
    required_perm = None
    filter_serializer = AwardFilterSerializer

    def get_queryset(self):
        return reads.api_awards(actor=self.request.user, filters=self._filters())

    def get_object(self):
        return reads.api_award_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[AwardFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["dibao"])
class ReviewViewSet(_DibaoViewSet):
    """Reviews of awards, with the amount before and after and the month it takes effect."""

    serializer_class = ReviewSerializer
    scoped_model = Review
    required_perm = None
    filter_serializer = ReviewFilterSerializer

    def get_queryset(self):
        return reads.api_reviews(actor=self.request.user, filters=self._filters())

    def get_object(self):
        return reads.api_review_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[ReviewFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["dibao"])
class AlertViewSet(_DibaoViewSet):
    """Findings of the monitoring run on households."""

    serializer_class = AlertSerializer
    scoped_model = Alert
    required_perm = Perm.VIEW_DIBAO
    filter_serializer = AlertFilterSerializer

    def get_queryset(self):
        return reads.api_alerts(actor=self.request.user, filters=self._filters())

    def get_object(self):
        return reads.api_alert_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[AlertFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["dibao"])
class PaymentListViewSet(_DibaoViewSet):
    """A county's monthly payment lists (发放名册) with their totals; the lines are
    `/dibao-payment-lines/?payment_list=<id>`."""

    serializer_class = PaymentListSerializer
    scoped_model = PaymentList
    required_perm = Perm.VIEW_DIBAO
    filter_serializer = PaymentListFilterSerializer

    def get_queryset(self):
        return reads.payment_list_list(actor=self.request.user, filters=self._filters())

    def get_object(self):
        return reads.payment_list_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[PaymentListFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["dibao"])
class PaymentLineViewSet(_DibaoViewSet):
    """The lines of payment lists as paid: a township sees its own villages' lines."""

    serializer_class = PaymentLineSerializer
    scoped_model = PaymentLine
    required_perm = Perm.VIEW_DIBAO
    cursor_ordering = "id"
    filter_serializer = PaymentLineFilterSerializer

    def get_queryset(self):
        return reads.payment_lines(actor=self.request.user, filters=self._filters())

    def get_object(self):
        return reads.payment_line_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[PaymentLineFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


__all__ = [
    "AlertViewSet",
    "ApplicationViewSet",
    "AwardViewSet",
    "PaymentLineViewSet",
    "PaymentListViewSet",
    "ReviewViewSet",
]
