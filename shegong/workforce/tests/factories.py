from shegong.core.testing import register_factory
from shegong.workforce.models import Organisation, OrganisationKind, Supervision


@register_factory(Organisation)
def organisation_factory(*, region_code: str, marker: str, owner=None) -> Organisation:
    return Organisation.objects.create(
        name=marker, region_id=region_code, kind=OrganisationKind.SOCIAL_WORK_AGENCY
    )


@register_factory(Supervision)
def supervision_factory(*, region_code: str, marker: str, owner=None) -> Supervision:
    """A link in a new agency of the region's county, its supervisor named `marker`."""
    from shegong.core.models import Membership, User
    from shegong.core.roles import Role
    from shegong.core.testing import next_seq

    county = region_code[:6] + "000000"
    agency = Organisation.objects.create(
        name=f"督导测试机构{next_seq()}", region_id=county, kind=OrganisationKind.SOCIAL_WORK_AGENCY
    )
    people = []
    for role, name in ((Role.SUPERVISOR, marker), (Role.SOCIAL_WORKER, "测试社工")):
        user = User.objects.create_user(username=f"s{next_seq()}", password="x", full_name=name)
        Membership.objects.create(user=user, role=role, region_id=county, organisation=agency)
        people.append(user)
    return Supervision.objects.create(
        organisation=agency, supervisor=people[0], supervisee=people[1]
    )
