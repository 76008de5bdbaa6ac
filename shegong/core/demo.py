"""Demo data: real regions, made-up villages and one account per role; then each app's
`demo.py` adds its own records (agencies, households, institutions, cases) in order.

Everything generated here says so: villages carry `is_synthetic`, organisations are named
(演示), and the accounts exist only when `shegong demo` runs. Idempotent: running it twice
changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from . import audit
from .models import Membership, Region, RegionLevel, User
from .roles import Role

DEMO_PASSWORD = "Shegong2026demo"
GUSHI, XINCAI, PROVINCE = "411525000000", "411729000000", "410000000000"
VILLAGE_NAMES = ["李庄村", "王湾村", "张楼村", "刘岗村", "陈集村"]

# (username, full name, role, region, organisation key: see workforce.demo.ORGANISATIONS)
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


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    load: Callable[[], dict[str, int]]


_STEPS: dict[str, DemoStep] = {}


def register_demo(name: str, *, order: int, load: Callable[[], dict[str, int]]) -> None:
    """Called at the end of an app's `demo.py`: `load()` makes that app's demo records (after
    every step of a lower `order`) and returns the counts it reports."""
    _STEPS[name] = DemoStep(name, order, load)


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Regions and accounts here, then every app's `demo.py` step in order (found by name)."""
    autodiscover_modules("demo")
    villages = make_villages(GUSHI) + make_villages(XINCAI)
    Region.objects.filter(code__in=[GUSHI, XINCAI]).update(is_poverty_county=True, is_sanqu=True)
    counts = {"villages": villages, "users": _load_accounts()}
    for step in sorted(_STEPS.values(), key=lambda step: (step.order, step.name)):
        counts.update(step.load())
    return counts


def _load_accounts() -> int:
    """One user per row of ACCOUNTS; memberships in an agency are the workforce step's."""
    users = 0
    for username, full_name, role, region, org in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name)
            user.set_password(DEMO_PASSWORD)
            user.save()
            users += 1
            audit.record(actor=None, action="demo.user_create", target=user, region_id=region)
        if org is None:
            Membership.objects.get_or_create(
                user=user, role=role, region_id=region, defaults={"organisation": None}
            )
    return users


def demo_logins() -> list[tuple[str, str]]:
    return [(u, f"{Role(r).label} · {name}") for u, name, r, _reg, _o in ACCOUNTS]
