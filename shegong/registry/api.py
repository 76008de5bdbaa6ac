"""`/api/v1/households/` and `/api/v1/persons/`: the same selectors and services as the pages.

ID numbers are masked for everyone by default, as on the pages. `?reveal=1` on the person list
or a person asks for the full numbers: allowed to roles that may reveal ID numbers, for the
persons in their reveal jurisdiction, through the same service as the pages' button, which
writes one access event naming exactly the persons shown. Birth dates go only to roles that
may reveal there; everyone gets the age.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.response import Response

from shegong.core.actors import signed_in
from shegong.core.api_base import ScopedReadOnlyViewSet, pop_version
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.params import ApiIdField
from shegong.core.roles import Perm
from shegong.core.selectors import region_list

from . import services
from .codes import Cause, Health, HouseholdType, Labour, PovertyStatus, WorkStatus
from .forms import HouseholdApiFilterForm, PersonApiFilterForm
from .models import Household, Person
from .selectors import household_get, household_search, person_get, person_search
from .services_reveal import Disclosure, id_numbers_reveal


class PersonSerializer(serializers.ModelSerializer):
    """A person as the actor may see them: `context["disclosure"]` says where the birth date may
    be shown, `context["revealed"]` holds the ids of the persons revealed for this request."""

    id_number = serializers.SerializerMethodField()
    birth_date = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField()
    household_number = serializers.CharField(source="household.number", read_only=True)
    warnings = serializers.ListField(
        child=serializers.CharField(),
        source="entry_warnings",
        read_only=True,
        help_text="Set on the response that created the person: an accepted ID number whose "
        "birthplace code is not a current division (可能是旧代码). Empty otherwise.",
    )
    # Ranges are record_rules.person_problems' (through the service), as for the page and import.
    disability_grade = serializers.IntegerField(required=False, allow_null=True)
    months_away = serializers.IntegerField(required=False, allow_null=True)

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
            "age",
            "relation",
            *services.PERSON_EDITABLE,
            "left_behind",
            "left_behind_confirmed",
            "version",
            "warnings",
        ]
        read_only_fields = [
            "id",
            "household",
            "region",
            "sex",
            "relation",
            "left_behind",
            "left_behind_confirmed",
        ]

    def _disclosure(self) -> Disclosure:
        return self.context["disclosure"]

    def get_id_number(self, person: Person) -> str:
        if person.pk in self.context.get("revealed", ()):
            return person.id_number
        return mask_citizen_id(person.id_number)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_birth_date(self, person: Person) -> Any:
        """The birth date for a role that may reveal ID numbers there, otherwise null."""
        birth = self._disclosure().birth_date(person)
        return birth.isoformat() if birth is not None else None

    def get_age(self, person: Person) -> int:
        return self._disclosure().age(person)


class PersonCreateSerializer(serializers.Serializer):
    household = ApiIdField()
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30)
    relation = serializers.CharField(max_length=16)
    reason = serializers.CharField(max_length=200)
    # How these fit together is record_rules.person_problems', applied by the service.
    health = serializers.ChoiceField(Health.choices, required=False, allow_blank=True)
    disability_grade = serializers.IntegerField(required=False, allow_null=True)
    labour = serializers.ChoiceField(Labour.choices, required=False, allow_blank=True)
    work_status = serializers.ChoiceField(WorkStatus.choices, required=False, allow_blank=True)
    months_away = serializers.IntegerField(required=False, allow_null=True)


class HouseholdSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    warnings = serializers.ListField(
        child=serializers.CharField(),
        source="entry_warnings",
        read_only=True,
        help_text="Set on the response that created the household: the head's ID number was "
        "accepted but its birthplace code is not a current division. Empty otherwise.",
    )

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
            "warnings",
        ]
        read_only_fields = ["id", "number", "region", "poverty_status", "year_out", "member_count"]


class HouseholdCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=32)
    region = serializers.CharField(max_length=12)
    head_name = serializers.CharField(max_length=50)
    head_id_number = serializers.CharField(max_length=30)
    household_type = serializers.ChoiceField(HouseholdType.choices, default="ordinary")
    main_cause = serializers.ChoiceField(
        Cause.choices, required=False, default="", allow_blank=True
    )
    # A list of cause codes; record_rules.cause_problems judges it (through the service).
    secondary_causes = serializers.JSONField(required=False)
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
            filters=_filters(HouseholdApiFilterForm, self.request.query_params),
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


REVEAL_PARAMETER = OpenApiParameter(
    "reveal",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description=(
        "1: show full ID numbers. Only for roles that may reveal ID numbers (permission "
        "core.reveal_id_number), only for persons in their jurisdiction for it; anyone else "
        "gets 403. Each such request writes one access event (registry.reveal_id) listing the "
        "persons revealed. Without it, ID numbers are masked for everyone."
    ),
)


@extend_schema_view(
    list=extend_schema(parameters=[REVEAL_PARAMETER]),
    retrieve=extend_schema(parameters=[REVEAL_PARAMETER]),
)
class PersonViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    serializer_class = PersonSerializer
    scoped_model = Person
    required_perm = Perm.VIEW_REGISTRY
    cursor_ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return person_search(
            actor=self.request.user,
            filters=_filters(PersonApiFilterForm, self.request.query_params),
        )

    def get_object(self):
        return person_get(actor=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return PersonCreateSerializer if self.action == "create" else PersonSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["disclosure"] = Disclosure(self.request.user)
        context["revealed"] = set()
        return context

    def _reveal_wanted(self) -> bool:
        value = self.request.query_params.get("reveal", "").strip().lower()
        if value in ("", "0", "false"):
            return False
        if value in ("1", "true"):
            return True
        raise exceptions.ValidationError({"reveal": [_("reveal 只能是 1 或 0。")]})

    def _shown(self, persons: list[Person], *, target: Person | None = None) -> dict[str, Any]:
        """The serializer context for `persons`, revealing them first when asked to."""
        context = self.get_serializer_context()
        if self._reveal_wanted():
            context["revealed"] = id_numbers_reveal(
                actor=signed_in(self.request.user), persons=persons, via="api", target=target
            )
        return context

    def list(self, request, *args, **kwargs):
        self._reveal_wanted()  # a bad value is refused before anything is read
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        persons = list(page if page is not None else queryset)
        data = PersonSerializer(persons, many=True, context=self._shown(persons)).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        self._reveal_wanted()
        person = self.get_object()
        context = self._shown([person], target=person)
        return Response(PersonSerializer(person, context=context).data)

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


__all__ = ["HouseholdViewSet", "PersonViewSet", "PovertyStatus"]
