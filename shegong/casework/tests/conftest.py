"""Fixtures of the casework tests that use a household in a made-up 固始 village and a case
open on it (the same world as test_services)."""

from __future__ import annotations

import pytest

from shegong.casework import services
from shegong.conftest import GUSHI
from shegong.core.testing import make_village
from shegong.registry.tests.factories import make_household


@pytest.fixture
def village(db):
    from shegong.core.models import Region

    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_village(township.code, name="李庄村").code


@pytest.fixture
def household(village):
    return make_household(village, head_name="李桂兰")


@pytest.fixture
def case(gushi_worker, household):
    return services.case_open(
        actor=gushi_worker,
        household=household,
        presenting_problem="丈夫因病去世,家中缺少劳动力",
        source="outreach",
        consent=True,
    )
