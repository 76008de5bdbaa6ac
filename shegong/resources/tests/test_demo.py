"""The demo directory loads once and serves both demo counties."""

import pytest

from shegong.conftest import GUSHI, XINCAI
from shegong.resources import demo
from shegong.resources.models import Institution

pytestmark = pytest.mark.django_db


def test_the_demo_directory_is_idempotent_and_covers_both_counties():
    assert demo.load() == len(demo.INSTITUTIONS)
    assert demo.load() == 0
    assert Institution.objects.count() == len(demo.INSTITUTIONS)
    for county in (GUSHI, XINCAI):
        reach = [i for i in Institution.objects.all() if i.serves(county[:6] + "101200")]
        assert len(reach) >= 7
        assert {i.kind for i in reach} >= {"health", "employment", "education", "disability"}
