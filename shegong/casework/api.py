"""`/api/v1/cases/`, `/service-records/`, `/referrals/`, `/follow-ups/`: the same selectors and
services as the case pages, so the API sees and may do exactly what the pages allow.

A record outside the actor's reach answers 404 in the URL; named in a request body (a case, a
household, an institution, a worker) it is a 400 on that field, the same for "not there" and
"not yours".
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shegong.core.api_base import ScopedViewSetMixin, pop_version
from shegong.core.roles import Perm
from shegong.core.routing import RouteSpec
from shegong.registry.selectors import household_get, household_members

from . import selectors, services
from .models import Case, FollowUp, Referral, ServiceRecord
from .serializers import (
    CaseCloseSerializer,
    CaseCreateSerializer,
    CaseFilterSerializer,
    CaseMoveSerializer,
    CaseReopenSerializer,
    CaseRowFilterSerializer,
    CaseSerializer,
    CaseTransferSerializer,
    CaseUpdateSerializer,
    FollowUpCompleteSerializer,
    FollowUpCreateSerializer,
    FollowUpFilterSerializer,
    FollowUpSerializer,
    ReferralCreateSerializer,
    ReferralFilterSerializer,
    ReferralSerializer,
    ReferralStatusSerializer,
    ServiceRecordCreateSerializer,
    ServiceRecordSerializer,
)


class _CaseworkViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    required_perm = Perm.VIEW_CASES
    cursor_ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    @classmethod
    def route_spec(cls, pattern: Any) -> RouteSpec:
        # An action on one record answers POST only: the harness posts to it rather than
        # expecting a page.
        spec = super().route_spec(pattern)
        actions = getattr(pattern.callback, "actions", None) or {}
        if spec.kind == "object" and "get" not in actions:
            return dataclasses.replace(spec, post_only=True)
        return spec

    def _filters(self, serializer_class: Any) -> dict[str, Any]:
        params = serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)

    def _input(self, serializer_class: Any) -> dict[str, Any]:
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)


def _case_in_body(actor: Any, pk: int) -> Case:
    try:
        return selectors.case_get(actor=actor, pk=pk)
    except Http404:
        raise exceptions.ValidationError(
            {"case": [_("该个案不存在或不在您的管辖范围内。")]}
        ) from None


def _case_out(case: Case, code: int = status.HTTP_200_OK) -> Response:
    return Response(CaseSerializer(case).data, status=code)


# --- cases ------------------------------------------------------------------------------------


class CaseViewSet(_CaseworkViewSet):
    """Cases through the six stages; every write is one casework service."""

    serializer_class = CaseSerializer
    scoped_model = Case

    def get_queryset(self):
        f = self._filters(CaseFilterSerializer)
        return selectors.case_list(
            actor=self.request.user,
            stage=f.get("stage", ""),
            worker_id=f.get("worker"),
            region_code=f.get("region", ""),
            mine=f.get("mine", False),
        )

    def get_object(self):
        return selectors.case_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[CaseFilterSerializer])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CaseSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        services.record_read(actor=request.user, case=case)
        return Response(CaseSerializer(case).data)

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        data = self._input(CaseCreateSerializer)
        try:
            household = household_get(actor=request.user, pk=data.pop("household"))
        except Http404:
            raise exceptions.ValidationError(
                {"household": [_("该户不存在或不在您的管辖范围内。")]}
            ) from None
        person_id, worker_id = data.pop("person"), data.pop("worker")
        person = None
        if person_id is not None:
            person = household_members(household).filter(pk=person_id).first()
            if person is None:
                raise exceptions.ValidationError({"person": [_("服务对象须是该户的成员。")]})
        worker = None
        if worker_id is not None and worker_id != request.user.pk:
            worker = (
                selectors.region_workers(region_code=household.region_id)
                .filter(pk=worker_id)
                .first()
            )
            if worker is None:
                raise exceptions.ValidationError(
                    {"worker": [_("负责社工须是在该户所在区域服务的社会工作者。")]}
                )
        case = services.case_open(
            actor=request.user, household=household, person=person, worker=worker, **data
        )
        return _case_out(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseSerializer)
    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        data = CaseUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = pop_version(fields)
        case = services.case_update(actor=request.user, case=case, version=version, **fields)
        return _case_out(case)

    @extend_schema(request=CaseMoveSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the case to another stage (forward one step, or back where the work goes back)."""
        case = self.get_object()
        data = self._input(CaseMoveSerializer)
        version = pop_version(data)
        case = services.case_move(
            actor=request.user, case=case, to=data["to"], note=data["note"], version=version
        )
        return _case_out(case)

    @extend_schema(request=CaseCloseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the case after its evaluation (pending the supervisor where the agency asks)."""
        case = self.get_object()
        data = self._input(CaseCloseSerializer)
        version = pop_version(data)
        case = services.case_close(
            actor=request.user,
            case=case,
            reason=data["reason"],
            note=data["note"],
            version=version,
            resolutions={r["item"]: (r["choice"], r["note"]) for r in data["resolutions"]},
        )
        return _case_out(case)

    @extend_schema(request=CaseReopenSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseReopenSerializer)
        version = pop_version(data)
        case = services.case_reopen(
            actor=request.user, case=case, reason=data["reason"], version=version
        )
        return _case_out(case)

    @extend_schema(request=CaseTransferSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        case = self.get_object()
        data = self._input(CaseTransferSerializer)
        version = pop_version(data)
        to_worker = (
            selectors.region_workers(region_code=case.region_id)
            .filter(pk=data["to_worker"])
            .first()
        )
        if to_worker is None:
            raise exceptions.ValidationError(
                {"to_worker": [_("接收人须是在该户所在区域服务的社会工作者。")]}
            )
        case = services.case_transfer(
            actor=request.user,
            case=case,
            to_worker=to_worker,
            reason=data["reason"],
            version=version,
        )
        return _case_out(case)


# --- service records --------------------------------------------------------------------------


class ServiceRecordViewSet(_CaseworkViewSet):
    """Service records: listed and added; a record once written is not edited."""

    serializer_class = ServiceRecordSerializer
    scoped_model = ServiceRecord
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        f = self._filters(CaseRowFilterSerializer)
        return selectors.service_list(actor=self.request.user, case_id=f.get("case"))

    def get_object(self):
        return selectors.service_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[CaseRowFilterSerializer])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ServiceRecordSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(ServiceRecordSerializer(self.get_object()).data)

    @extend_schema(request=ServiceRecordCreateSerializer, responses={201: ServiceRecordSerializer})
    def create(self, request, *args, **kwargs):
        data = self._input(ServiceRecordCreateSerializer)
        case = _case_in_body(request.user, data.pop("case"))
        record = services.service_add(actor=request.user, case=case, **data)
        return Response(ServiceRecordSerializer(record).data, status=status.HTTP_201_CREATED)


# --- referrals --------------------------------------------------------------------------------


class ReferralViewSet(_CaseworkViewSet):
    """Referrals to institutions of the resource directory, and their answers."""

    serializer_class = ReferralSerializer
    scoped_model = Referral
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        f = self._filters(ReferralFilterSerializer)
        return selectors.referral_list(
            actor=self.request.user,
            case_id=f.get("case"),
            status=f.get("status", ""),
            overdue=f.get("overdue", False),
        )

    def get_object(self):
        return selectors.referral_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[ReferralFilterSerializer])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ReferralSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(ReferralSerializer(self.get_object()).data)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request, *args, **kwargs):
        data = self._input(ReferralCreateSerializer)
        case = _case_in_body(request.user, data.pop("case"))
        # An institution that does not serve the case's area is refused by the service.
        institution = (
            selectors.referral_institutions(actor=request.user, case=case)
            .filter(pk=data.pop("institution"))
            .first()
        )
        referral = services.referral_add(
            actor=request.user, case=case, institution=institution, **data
        )
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReferralStatusSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Record the institution's answer (accepted / declined), the service given, or a
        withdrawal."""
        referral = self.get_object()
        data = self._input(ReferralStatusSerializer)
        version = pop_version(data)
        referral = services.referral_update(
            actor=request.user, referral=referral, version=version, **data
        )
        return Response(ReferralSerializer(referral).data)


# --- follow-ups -------------------------------------------------------------------------------


class FollowUpViewSet(_CaseworkViewSet):
    """Follow-up visits: scheduled on a case, then recorded (or cancelled)."""

    serializer_class = FollowUpSerializer
    scoped_model = FollowUp
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        f = self._filters(FollowUpFilterSerializer)
        return selectors.follow_up_list(
            actor=self.request.user,
            case_id=f.get("case"),
            status=f.get("status", ""),
            mine=f.get("mine", False),
        )

    def get_object(self):
        return selectors.follow_up_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[FollowUpFilterSerializer])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(FollowUpSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(FollowUpSerializer(self.get_object()).data)

    @extend_schema(request=FollowUpCreateSerializer, responses={201: FollowUpSerializer})
    def create(self, request, *args, **kwargs):
        data = self._input(FollowUpCreateSerializer)
        case = _case_in_body(request.user, data.pop("case"))
        assigned_id = data.pop("assigned_to")
        assigned_to = None
        if assigned_id is not None and assigned_id != request.user.pk:
            assigned_to = (
                selectors.region_workers(
                    region_code=case.region_id, organisation_id=case.organisation_id
                )
                .filter(pk=assigned_id)
                .first()
            )
            if assigned_to is None:
                raise exceptions.ValidationError(
                    {"assigned_to": [_("回访人须是本机构在该区域服务的社工。")]}
                )
        follow_up = services.follow_up_add(
            actor=request.user, case=case, assigned_to=assigned_to, **data
        )
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FollowUpCompleteSerializer, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Record the visit (or, with `cancel`, why it did not happen)."""
        follow_up = self.get_object()
        data = self._input(FollowUpCompleteSerializer)
        version = pop_version(data)
        follow_up = services.follow_up_complete(
            actor=request.user, follow_up=follow_up, version=version, **data
        )
        return Response(FollowUpSerializer(follow_up).data)


__all__ = ["CaseViewSet", "FollowUpViewSet", "ReferralViewSet", "ServiceRecordViewSet"]
