"""Shared fixtures: the personas every module's tests use.

A county officer and a social worker in 固始县 (411525), the same roles in 新蔡县 (411729) who
must see nothing of 固始, a provincial administrator, a volunteer.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest

import shegong

GUSHI = "411525000000"
XINCAI = "411729000000"
PROVINCE = "410000000000"
PASSWORD = "Zq8-shegong-test"


def _load_factories() -> None:
    for module in pkgutil.iter_modules(shegong.__path__):
        try:
            importlib.import_module(f"shegong.{module.name}.tests.factories")
        except ModuleNotFoundError as exc:
            if exc.name != f"shegong.{module.name}.tests.factories" and not (
                exc.name and exc.name.startswith(f"shegong.{module.name}")
            ):
                raise


_load_factories()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "zh-hans"


def _township(county: str) -> str:
    from shegong.core.models import Region

    return (
        Region.objects.filter(parent_id=county).order_by("code").values_list("code", flat=True)[0]
    )


def make_user(username: str, role: str | None, region: Any, organisation=None):
    from shegong.core.models import Membership, User

    user = User.objects.create_user(
        username=username, password=PASSWORD, full_name=f"测试{username}"
    )
    if role:
        Membership.objects.create(user=user, role=role, region_id=region, organisation=organisation)
    return user


def make_org(name: str, region: str):
    from shegong.workforce.models import Organisation, OrganisationKind

    return Organisation.objects.create(
        name=name, region_id=region, kind=OrganisationKind.SOCIAL_WORK_AGENCY
    )


@pytest.fixture
def gushi_org(db):
    return make_org("固始测试社工中心", GUSHI)


@pytest.fixture
def xincai_org(db):
    return make_org("新蔡测试社工中心", XINCAI)


@pytest.fixture
def gushi_officer(db):
    return make_user("gushi_officer", "civil_affairs_officer", GUSHI)


@pytest.fixture
def gushi_worker(db, gushi_org):
    return make_user("gushi_worker", "social_worker", GUSHI, gushi_org)


@pytest.fixture
def xincai_officer(db):
    return make_user("xincai_officer", "civil_affairs_officer", XINCAI)


@pytest.fixture
def xincai_worker(db, xincai_org):
    return make_user("xincai_worker", "social_worker", XINCAI, xincai_org)


@pytest.fixture
def province_admin(db):
    return make_user("province", "province_admin", PROVINCE)


@pytest.fixture
def volunteer(db):
    return make_user("volunteer", "volunteer", _township(GUSHI))


@pytest.fixture
def personas(gushi_officer, gushi_worker, xincai_officer, xincai_worker, province_admin, volunteer):
    return {
        "gushi_officer": gushi_officer,
        "gushi_worker": gushi_worker,
        "xincai_officer": xincai_officer,
        "xincai_worker": xincai_worker,
        "province_admin": province_admin,
        "volunteer": volunteer,
        "anonymous": None,
    }
