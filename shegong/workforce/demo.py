"""Demo agencies: two social-work service centres, their staff's memberships and one
supervision link, as the agency administrator assigns it."""

from __future__ import annotations

from stdnum.cn import uscc

from shegong.core.demo import ACCOUNTS, GUSHI, XINCAI, register_demo
from shegong.core.models import Membership, User

from .models import Organisation, OrganisationKind, Supervision
from .services import supervision_assign

ORGANISATIONS = {
    # Valid unified social credit codes built for the demo (civil affairs, private non-enterprise).
    "gushi": ("固始县阳光社会工作服务中心(演示)", GUSHI),
    "xincai": ("新蔡县同心社会工作服务中心(演示)", XINCAI),
}


def uscc_for(seed: int, division: str) -> str:
    body = f"52{division[:6]}MJ{seed:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def load() -> dict[str, int]:
    orgs = {}
    for n, (key, (name, region)) in enumerate(ORGANISATIONS.items(), start=1):
        orgs[key], _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": OrganisationKind.SOCIAL_WORK_AGENCY,
                "region_id": region,
                "uscc": uscc_for(n, region),
                "contact_person": "演示联系人",
            },
        )
    for username, _name, role, region, org in ACCOUNTS:
        if org is not None:
            Membership.objects.get_or_create(
                user=User.objects.get(username=username),
                role=role,
                region_id=region,
                defaults={"organisation": orgs[org]},
            )
    supervisor = User.objects.get(username="gushi_supervisor")
    supervisee = User.objects.get(username="gushi_worker")
    if (
        not Supervision.objects.current()
        .filter(supervisor=supervisor, supervisee=supervisee)
        .exists()
    ):
        # Assigned by the agency's administrator, as on the supervision page.
        supervision_assign(
            actor=User.objects.get(username="gushi_orgadmin"),
            organisation=orgs["gushi"],
            supervisor=supervisor,
            supervisee=supervisee,
        )
    return {}


register_demo("workforce", order=10, load=load)
