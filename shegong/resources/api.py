"""`/api/v1/institutions/`: the resource directory over the same selectors and services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, serializers

from shegong.core.actors import signed_in
from shegong.core.api_base import ScopedReadOnlyViewSet, pop_version
from shegong.core.models import Region
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.selectors import region_list

from . import services
from .forms import InstitutionApiFilterForm
from .models import Institution
from .selectors import institution_get, institution_list


class InstitutionSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", max_length=12)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "region_name",
            "services",
            "capacity",
            "contact_person",
            "phone",
            "address",
            "opening_hours",
            "is_active",
            "version",
        ]
        read_only_fields = ["id", "is_active"]
        extra_kwargs = {"version": {"required": False}}


def _filters(params: Any) -> dict[str, Any]:
    form = InstitutionApiFilterForm(params or None)
    if form.is_bound and not form.is_valid():
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        raise exceptions.ValidationError(errors)
    return form.cleaned_data if form.is_bound else {}


class InstitutionViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Institutions the caller may see. Filters: kind, region, q, include_inactive."""

    serializer_class = InstitutionSerializer
    scoped_model = Institution
    required_perm = Perm.VIEW_RESOURCES
    cursor_ordering = "id"
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return institution_list(
            actor=self.request.user, filters=_filters(self.request.query_params)
        )

    def get_object(self):
        return institution_get(actor=self.request.user, pk=self.kwargs["pk"])

    def _region(self, code: str) -> Region:
        region = (
            region_list(actor=signed_in(self.request.user), perm=Perm.MANAGE_RESOURCES)
            .filter(code=code)
            .first()
        )
        if region is None:
            raise exceptions.ValidationError({"region": [_("该区划不存在或不在您的管辖范围内。")]})
        return region

    def perform_create(self, serializer):
        if not can(self.request.user, Perm.MANAGE_RESOURCES):
            raise exceptions.PermissionDenied(_("您无权维护资源名录。"))
        data = dict(serializer.validated_data)
        region = self._region(data.pop("region_id", ""))
        data.pop("version", None)
        serializer.instance = services.institution_create(
            actor=self.request.user, region=region, **data
        )

    def perform_update(self, serializer):
        institution = serializer.instance
        data = {f: getattr(institution, f) for f in services.EDITABLE}
        incoming = dict(serializer.validated_data)
        code = incoming.pop("region_id", None)
        version = pop_version(incoming)
        data.update(incoming)
        region = self._region(code) if code else institution.region
        serializer.instance = services.institution_update(
            actor=self.request.user,
            institution=institution,
            version=version,
            region=region,
            **data,
        )
