from shegong.core.testing import register_factory
from shegong.workforce.models import Organisation, OrganisationKind


@register_factory(Organisation)
def organisation_factory(*, region_code: str, marker: str, owner=None) -> Organisation:
    return Organisation.objects.create(
        name=marker, region_id=region_code, kind=OrganisationKind.SOCIAL_WORK_AGENCY
    )
