"""Every route, every persona: nothing from 新蔡 reaches 固始 and the other way round."""

import ast
from pathlib import Path

import pytest
from django.urls import clear_url_caches

import shegong
from shegong.conftest import GUSHI, XINCAI, make_user
from shegong.core.leakcheck import Persona, check_routes, iter_routes
from shegong.core.models import Region
from shegong.core.scoping import is_scoped_model
from shegong.core.testing import FACTORIES, make_village

pytestmark = pytest.mark.django_db


def _township(county):
    return Region.objects.filter(parent_id=county).order_by("code").first().code


@pytest.fixture
def villages(db):
    return make_village(_township(GUSHI)).code, make_village(_township(XINCAI)).code


def _personas(p, villages):
    gushi, xincai = villages
    return [
        Persona("gushi_officer", p["gushi_officer"], gushi, xincai),
        Persona("gushi_worker", p["gushi_worker"], gushi, xincai),
        Persona("xincai_officer", p["xincai_officer"], xincai, gushi),
        Persona("xincai_worker", p["xincai_worker"], xincai, gushi),
        Persona("province_admin", p["province_admin"], gushi, None),
        Persona("volunteer", p["volunteer"], gushi, xincai),
        Persona("anonymous", None, None, None),
    ]


def test_no_route_leaks_across_jurisdictions(personas, villages, capsys):
    stranger = make_user("stranger", None, None)
    walked = _personas(personas, villages)
    failures = check_routes(walked, other_owner=stranger)
    routes = sum(1 for _r in iter_routes())
    with capsys.disabled():
        print(
            f"\njurisdiction harness: {routes} routes x {len(walked)} personas "
            f"= {routes * len(walked)} route checks"
        )
    assert failures == []


def test_every_scoped_model_has_a_factory():
    from django.apps import apps

    missing = [
        m._meta.label
        for m in apps.get_app_configs()
        for m in m.get_models()
        if m.__module__.startswith("shegong.") and is_scoped_model(m) and m not in FACTORIES
    ]
    assert missing == []


def test_the_harness_covers_pages_and_api():
    names = {r.name for r in iter_routes()}
    assert "core:user_detail" in names
    assert "api:organisation-detail" in names
    assert "api:region-list" in names


@pytest.fixture
def leaky_urls(settings):
    settings.ROOT_URLCONF = "shegong.core.tests.leaky_urls"
    clear_url_caches()
    yield
    clear_url_caches()


def test_a_deliberately_unscoped_view_makes_the_harness_fail(personas, villages, leaky_urls):
    stranger = make_user("stranger", None, None)
    failures = check_routes(
        _personas(personas, villages),
        urlconf="shegong.core.tests.leaky_urls",
        other_owner=stranger,
    )
    leaky = [f for f in failures if f.startswith("leaky_org_detail as gushi_officer")]
    assert any("outside object got 200" in f for f in leaky)
    assert any("shows outside data" in f for f in leaky)
    assert any(
        f.startswith("leaky_org_list as xincai_officer") and "shows outside data" in f
        for f in failures
    )
    assert any("undeclared" in f and "route declares nothing" in f for f in failures)


# --- views and APIs never call .objects on a scoped model -----------------------------------


def _scoped_model_names() -> set[str]:
    from django.apps import apps

    return {
        m.__name__
        for m in apps.get_models()
        if m.__module__.startswith("shegong.") and is_scoped_model(m)
    }


def _view_and_api_files() -> list[Path]:
    root = Path(shegong.__file__).parent
    files = [*root.glob("*/views.py"), *root.glob("*/views/*.py"), *root.glob("*/api.py")]
    return [f for f in files if "tests" not in f.parts]


def find_unscoped_calls(source: str, scoped: set[str]) -> list[str]:
    """`Model.objects` / `Model._default_manager` where Model is scoped: a leak waiting."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager", "_base_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in scoped
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_views_and_apis_never_touch_scoped_managers():
    scoped = _scoped_model_names()
    offenders = {
        str(f): hits
        for f in _view_and_api_files()
        if (hits := find_unscoped_calls(f.read_text(), scoped))
    }
    assert offenders == {}


def test_the_static_check_catches_a_direct_query():
    source = "def v(request, pk):\n    return Organisation.objects.get(pk=pk)\n"
    assert find_unscoped_calls(source, {"Organisation"}) == ["line 2: Organisation.objects"]
    assert find_unscoped_calls(source, {"Region"}) == []
