"""Demo households look like families: siblings born years apart, no two members with one
name; the demo directory's institutions are marked as demo data."""

from __future__ import annotations

import datetime

import pytest

from shegong.conftest import GUSHI, XINCAI
from shegong.core.models import Region
from shegong.core.testing import make_village
from shegong.registry import demo
from shegong.registry.demo import _child_years
from shegong.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", range(200))
def test_sibling_years_are_two_or_three_apart_within_2008_to_2022(seed):
    import random

    rng = random.Random(seed)
    years = _child_years(rng, 3)
    assert years[0] >= 2008 and years[-1] <= 2022
    assert all(b - a in (2, 3) for a, b in zip(years, years[1:], strict=False))


def test_demo_siblings_are_born_at_least_a_year_apart_and_names_are_unique():
    for county in (GUSHI, XINCAI):
        township = Region.objects.filter(parent_id=county).order_by("code").first()
        for i in range(5):
            make_village(township.code, name=f"演示{i}村")
    assert demo.load(per_village=4) == 40
    for household in Household.objects.prefetch_related("members"):
        members = [p for p in household.members.all() if p.relation != "other"]
        names = [p.name for p in members]
        assert len(names) == len(set(names)), names
        births = sorted(p.birth_date for p in members if p.relation in ("son", "daughter"))
        gaps = [b - a for a, b in zip(births, births[1:], strict=False)]
        assert all(g > datetime.timedelta(days=365) for g in gaps), births


def test_demo_institutions_are_marked_as_demo_data():
    from shegong.resources import demo as directory
    from shegong.resources.models import Institution

    assert directory.load() == len(directory.INSTITUTIONS)
    names = list(Institution.objects.values_list("name", flat=True))
    assert len(names) == 18
    assert [n for n in names if not n.endswith("(演示)")] == []
