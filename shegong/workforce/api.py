import django_filters
from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, serializers

from shegong.core.actors import signed_in
from shegong.core.api_base import ScopedReadOnlyViewSet, pop_version
from shegong.core.api_filters import YesNoFilter
from shegong.core.models import Region
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.selectors import region_list

from .models import Organisation
from .selectors import organisation_get, organisation_list
from .services import organisation_create, organisation_update


class OrganisationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "uscc",
            "kind",
            "region",
            "address",
            "contact_person",
            "phone",
            "is_active",
            "version",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {"uscc": {"validators": []}, "version": {"required": False}}


class OrganisationFilter(django_filters.FilterSet):
    is_active = YesNoFilter()

    class Meta:
        model = Organisation
        fields = ["kind", "is_active"]


class OrganisationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    serializer_class = OrganisationSerializer
    scoped_model = Organisation
    required_perm = Perm.VIEW_ORGANISATIONS
    cursor_ordering = "id"
    filterset_class = OrganisationFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return organisation_list(
            actor=self.request.user, query=self.request.query_params.get("q", "")
        )

    def get_object(self):
        return organisation_get(actor=self.request.user, pk=self.kwargs["pk"])

    def _region(self, code: str) -> Region:
        region = (
            region_list(actor=signed_in(self.request.user), perm=Perm.MANAGE_ORGANISATIONS)
            .filter(code=code)
            .first()
        )
        if region is None:
            raise exceptions.ValidationError({"region": [_("该区划不存在或不在您的管辖范围内。")]})
        return region

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        region = self._region(data.pop("region_id", ""))
        data.pop("version", None)
        serializer.instance = organisation_create(actor=self.request.user, region=region, **data)

    def perform_update(self, serializer):
        org = serializer.instance
        if not can(self.request.user, Perm.MANAGE_ORGANISATIONS, org.region_id):
            raise exceptions.PermissionDenied(_("您无权修改该机构。"))
        data = {
            f: getattr(org, f)
            for f in ("name", "uscc", "kind", "address", "contact_person", "phone", "is_active")
        }
        incoming = dict(serializer.validated_data)
        code = incoming.pop("region_id", None)
        version = pop_version(incoming)
        data.update(incoming)
        region = self._region(code) if code else org.region
        serializer.instance = organisation_update(
            actor=self.request.user, organisation=org, version=version, region=region, **data
        )
