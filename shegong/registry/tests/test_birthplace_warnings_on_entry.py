"""Manual entry accepts an ID number whose birthplace code is not a current Henan division and
shows the warning: on the household page after adding a member, and as `warnings` in the API
responses that create a household or a person. A known code gives no warning; a bad number is
still refused and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shegong.conftest import GUSHI
from shegong.core.models import Region
from shegong.core.testing import make_village
from shegong.registry.models import Household, Person
from shegong.registry.tests.factories import make_household, make_id_number

pytestmark = pytest.mark.django_db

OLD = "412701"  # 周口地区 before the 2000 renumbering: not a current division
WARNING = "出生地代码 412701 不在现行区划中，可能是旧代码，请核对。"


@pytest.fixture
def village():
    return make_village(Region.objects.filter(parent_id=GUSHI).order_by("code").first().code)


@pytest.fixture
def api(gushi_officer):
    client = APIClient()
    client.force_authenticate(gushi_officer)
    return client


def _household(api, village, head_id):
    return api.post(
        "/api/v1/households/",
        {
            "number": "411525001200901",
            "region": village.code,
            "head_name": "刘长顺",
            "head_id_number": head_id,
        },
        format="json",
    )


def test_api_household_with_an_old_birthplace_is_created_with_the_warning(api, village):
    response = _household(api, village, make_id_number(OLD, "19650312"))
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == [WARNING]
    assert Household.objects.get().number == "411525001200901"


def test_api_household_with_a_current_birthplace_has_no_warning(api, village):
    response = _household(api, village, make_id_number("411525", "19650312"))
    assert response.status_code == 201
    assert response.json()["warnings"] == []


def test_a_number_from_another_province_is_not_checked(api, village):
    response = _household(api, village, make_id_number("320102", "19650312"))
    assert response.status_code == 201
    assert response.json()["warnings"] == []


def test_api_person_with_an_old_birthplace_is_added_with_the_warning(api, village):
    household = make_household(village.code)
    response = api.post(
        "/api/v1/persons/",
        {
            "household": household.pk,
            "name": "王秀兰",
            "id_number": make_id_number(OLD, "19660101", sex="female"),
            "relation": "spouse",
            "reason": "婚入",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == [WARNING]
    assert Person.objects.filter(household=household).count() == 2
    # Reading the person back: the warning belonged to the save, nothing is stored.
    again = api.get(f"/api/v1/persons/{response.json()['id']}/")
    assert again.json()["warnings"] == []


def test_a_bad_number_is_still_refused_and_changes_nothing(api, village):
    number = make_id_number(OLD, "19650312")
    bad = number[:17] + ("1" if number[17] != "1" else "2")
    response = _household(api, village, bad)
    assert response.status_code == 400
    assert response.json()["head_id_number"] == ["身份证号码校验位错误。"]
    assert not Household.objects.exists() and not Person.objects.exists()


def test_page_adds_a_member_and_shows_the_warning(client, gushi_officer, village):
    household = make_household(village.code)
    client.force_login(gushi_officer)
    url = reverse("registry:household_member_add", args=[household.pk])
    response = client.post(
        url,
        {
            "name": "张小红",
            "relation": "daughter",
            "id_number": make_id_number(OLD, "19900607", sex="female"),
            "reason": "迁入",
            "ethnicity": "汉族",
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["已保存。", "张小红的证件号码:" + WARNING]
    assert Person.objects.filter(household=household, name="张小红").exists()


def test_page_shows_no_warning_for_a_current_birthplace(client, gushi_officer, village):
    household = make_household(village.code)
    client.force_login(gushi_officer)
    url = reverse("registry:household_member_add", args=[household.pk])
    response = client.post(
        url,
        {
            "name": "张小红",
            "relation": "daughter",
            "id_number": make_id_number("411525", "20150607", sex="female"),
            "reason": "出生",
            "ethnicity": "汉族",
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["已保存。"]
