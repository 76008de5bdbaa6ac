"""The banner asking for next year's holidays is for those who can enter them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.core.models import CalendarYear

pytestmark = pytest.mark.django_db


def banner() -> str:
    y = timezone.localdate().year + 1
    return f"{y} 年的法定节假日安排尚未录入"


@pytest.fixture(autouse=True)
def _next_year_missing():
    CalendarYear.objects.filter(year=timezone.localdate().year + 1).delete()


def test_the_province_administrator_is_asked_to_enter_next_year(client, province_admin):
    client.force_login(province_admin)
    body = client.get(reverse("core:calendar")).content.decode()
    assert body.count(banner()) == 1


@pytest.mark.parametrize("persona", ["gushi_officer", "gushi_worker"])
def test_roles_that_cannot_enter_the_year_see_no_banner(client, personas, persona):
    client.force_login(personas[persona])
    response = client.get(reverse("core:calendar"))
    assert response.status_code == 200
    assert banner() not in response.content.decode()
