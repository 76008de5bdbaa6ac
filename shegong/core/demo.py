"""Demo data: real regions, made-up villages, agencies and one account per role.

Everything generated here says so: villages carry `is_synthetic`, organisations are named
(演示), and the accounts exist only when `shegong demo` runs. Idempotent: running it twice
changes nothing the second time.
"""

from __future__ import annotations

from django.db import transaction

from . import audit
from .models import Membership, Region, RegionLevel, User
from .roles import Role

DEMO_PASSWORD = "Shegong2026demo"
GUSHI, XINCAI, PROVINCE = "411525000000", "411729000000", "410000000000"
VILLAGE_NAMES = ["李庄村", "王湾村", "张楼村", "刘岗村", "陈集村"]

# (username, full name, role, region, organisation key)
ACCOUNTS = [
    ("province", "省厅管理员", Role.PROVINCE_ADMIN, PROVINCE, None),
    ("gushi_officer", "固始县民政局干部", Role.CIVIL_AFFAIRS_OFFICER, GUSHI, None),
    ("gushi_worker", "固始社工", Role.SOCIAL_WORKER, GUSHI, "gushi"),
    ("gushi_orgadmin", "固始机构管理员", Role.ORG_ADMIN, GUSHI, "gushi"),
    ("gushi_supervisor", "固始督导", Role.SUPERVISOR, GUSHI, "gushi"),
    ("xincai_officer", "新蔡县民政局干部", Role.CIVIL_AFFAIRS_OFFICER, XINCAI, None),
    ("xincai_worker", "新蔡社工", Role.SOCIAL_WORKER, XINCAI, "xincai"),
    ("volunteer", "志愿者", Role.VOLUNTEER, GUSHI, None),
    ("gushi_township", "固始乡镇经办人", Role.TOWNSHIP_OFFICER, "411525001000", None),
]

ORGANISATIONS = {
    # Valid unified social credit codes built for the demo (civil affairs, private non-enterprise).
    "gushi": ("固始县阳光社会工作服务中心(演示)", GUSHI),
    "xincai": ("新蔡县同心社会工作服务中心(演示)", XINCAI),
}


def make_villages(county_code: str, per_township: int = 3) -> int:
    """Made-up village committees (codes 200–) under each real township of a county."""
    townships = Region.objects.filter(parent_id=county_code, level=RegionLevel.TOWNSHIP)
    existing = set(
        Region.objects.filter(
            code__startswith=county_code[:6], level=RegionLevel.VILLAGE
        ).values_list("code", flat=True)
    )
    new = []
    for township in townships:
        for i in range(per_township):
            code = f"{township.code[:9]}{200 + i:03d}"
            if code not in existing:
                name = VILLAGE_NAMES[i % len(VILLAGE_NAMES)]
                new.append(
                    Region(
                        code=code,
                        name=name,
                        level=RegionLevel.VILLAGE,
                        parent=township,
                        is_synthetic=True,
                    )
                )
    Region.objects.bulk_create(new)
    return len(new)


def _uscc_for(seed: int, division: str) -> str:
    from stdnum.cn import uscc

    body = f"52{division[:6]}MJ{seed:07d}"[:17]
    return body + uscc.calc_check_digit(body)


@transaction.atomic
def load_demo() -> dict[str, int]:
    from shegong.workforce.models import Organisation, OrganisationKind

    villages = make_villages(GUSHI) + make_villages(XINCAI)
    Region.objects.filter(code__in=[GUSHI, XINCAI]).update(is_poverty_county=True, is_sanqu=True)
    orgs = {}
    for n, (key, (name, region)) in enumerate(ORGANISATIONS.items(), start=1):
        orgs[key], _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": OrganisationKind.SOCIAL_WORK_AGENCY,
                "region_id": region,
                "uscc": _uscc_for(n, region),
                "contact_person": "演示联系人",
            },
        )
    users = 0
    for username, full_name, role, region, org in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name)
            user.set_password(DEMO_PASSWORD)
            user.save()
            users += 1
            audit.record(actor=None, action="demo.user_create", target=user, region_id=region)
        Membership.objects.get_or_create(
            user=user,
            role=role,
            region_id=region,
            defaults={"organisation": orgs.get(org) if org else None},
        )
    from shegong.workforce.models import Supervision
    from shegong.workforce.services import supervision_assign

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
    from shegong.registry.demo import load as load_registry

    households = load_registry()
    from shegong.resources.demo import load as load_resources

    load_resources()
    from shegong.casework.demo import load as load_casework

    return {
        "villages": villages,
        "users": users,
        "households": households,
        "cases": load_casework(),
    }


def demo_logins() -> list[tuple[str, str]]:
    return [(u, f"{Role(r).label} · {name}") for u, name, r, _reg, _o in ACCOUNTS]
