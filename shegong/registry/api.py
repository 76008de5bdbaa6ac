"""`/api/v1/households/` and `/api/v1/persons/`: the same selectors and services as the pages.

ID numbers are masked unless the role may reveal them in that region; every full ID the API
returns writes an access event.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.response import Response

from shegong.core import audit
from shegong.core.api_base import ScopedReadOnlyViewSet, pop_version
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.selectors import region_list

from . import services
from .codes import Cause, HouseholdType, PovertyStatus
from .forms import HouseholdFilterForm, PersonFilterForm
from .models import Household, Person
from .selectors import household_get, household_search, person_get, person_search


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()
    household_number = serializers.CharField(source="household.number", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "household_number",
            "region",
            "id_number",
            "sex",
            "birth_date",
            "relation",
            *services.PERSON_EDITABLE,
            "left_behind",
            "left_behind_confirmed",
            "version",
        ]
        read_only_fields = [
            "id",
            "household",
            "region",
            "sex",
            "birth_date",
            "relation",
            "left_behind",
            "left_behind_confirmed",
        ]

    def get_id_number(self, person: Person) -> str:
        revealed = self.context.get("revealed", set())
        return (
            person.id_number if person.region_id in revealed else mask_citizen_id(person.id_number)
        )


class PersonCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30)
    relation = serializers.CharField(max_length=16)
    reason = serializers.CharField(max_length=200)


class HouseholdSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = Household
        # What the services let a client change, plus what it may only read.
        fields = [
            "id",
            "number",
            "region",
            *services.HOUSEHOLD_EDITABLE,
            "poverty_status",
            "year_out",
            "member_count",
            "version",
        ]
        read_only_fields = ["id", "number", "region", "poverty_status", "year_out", "member_count"]


class HouseholdCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=32)
    region = serializers.CharField(max_length=12)
    head_name = serializers.CharField(max_length=50)
    head_id_number = serializers.CharField(max_length=30)
    household_type = serializers.ChoiceField(HouseholdType.choices, default="ordinary")
    main_cause = serializers.ChoiceField(Cause.choices, required=False, default="")
    address = serializers.CharField(max_length=200, required=False, default="")


def _filters(form_class, params) -> dict[str, Any]:
    form = form_class(params or None)
    if form.is_bound and not form.is_valid():
        raise exceptions.ValidationError(form.errors)
    return form.cleaned_data if form.is_bound else {}


class HouseholdViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    serializer_class = HouseholdSerializer
    scoped_model = Household
    required_perm = Perm.VIEW_REGISTRY
    cursor_ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return household_search(
            actor=self.request.user,
            filters=_filters(HouseholdFilterForm, self.request.query_params),
        )

    def get_object(self):
        return household_get(actor=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return HouseholdCreateSerializer if self.action == "create" else HouseholdSerializer

    def create(self, request, *args, **kwargs):
        serializer = HouseholdCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        code = data.pop("region")
        region = region_list(actor=request.user, perm=Perm.EDIT_REGISTRY).filter(code=code).first()
        if region is None:
            raise exceptions.ValidationError({"region": [_("该区划不存在或不在您的管辖范围内。")]})
        household = services.household_create(actor=request.user, region=region, **data)
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = pop_version(data)
        serializer.instance = services.household_update(
            actor=self.request.user, household=serializer.instance, version=version, **data
        )


class PersonViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    serializer_class = PersonSerializer
    scoped_model = Person
    required_perm = Perm.VIEW_REGISTRY
    cursor_ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return person_search(
            actor=self.request.user, filters=_filters(PersonFilterForm, self.request.query_params)
        )

    def get_object(self):
        return person_get(actor=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return PersonCreateSerializer if self.action == "create" else PersonSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["revealed"] = _RevealSet(self.request.user)
        return context

    def create(self, request, *args, **kwargs):
        serializer = PersonCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        household = household_get(actor=request.user, pk=data.pop("household"))
        person = services.person_add(actor=request.user, household=household, **data)
        out = PersonSerializer(person, context=self.get_serializer_context())
        return Response(out.data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = pop_version(data)
        serializer.instance = services.person_update(
            actor=self.request.user, person=serializer.instance, version=version, **data
        )


class _RevealSet:
    """Regions where the actor may see full ID numbers; each use is logged once per region."""

    def __init__(self, actor: Any):
        self.actor = actor
        self.logged: set[str] = set()

    def __contains__(self, region_id: object) -> bool:
        if not isinstance(region_id, str) or not can(self.actor, Perm.REVEAL_ID_NUMBER, region_id):
            return False
        if region_id not in self.logged:
            self.logged.add(region_id)
            audit.record(
                actor=self.actor,
                action="registry.reveal_id",
                region_id=region_id,
                changes={"detail": "api"},
            )
        return True


__all__ = ["HouseholdViewSet", "PersonViewSet", "PovertyStatus"]
