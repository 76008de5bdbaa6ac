"""The caseload's region filter takes a 12-digit code and keeps that region and everything
under it, through the shared prefix rule: 汪棚镇 411525110000 never matches 张广庙镇
411525111000 (stripping zeros made "4115251" of it, which matched both)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shegong.casework import selectors
from shegong.casework.tests.factories import make_case
from shegong.core.testing import make_village

pytestmark = pytest.mark.django_db

WANGPENG = "411525110000"  # 汪棚镇
ZHANGGUANGMIAO = "411525111000"  # 张广庙镇


@pytest.fixture
def two_townships(gushi_worker):
    here = make_case(region_code=make_village(WANGPENG).code, owner=gushi_worker, marker="汪棚")
    there = make_case(
        region_code=make_village(ZHANGGUANGMIAO).code, owner=gushi_worker, marker="张广庙"
    )
    return here, there


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (WANGPENG, ["here"]),
        (ZHANGGUANGMIAO, ["there"]),
        ("411525000000", ["there", "here"]),
        ("411729000000", []),
        ("410000000000", ["there", "here"]),
    ],
)
def test_a_code_keeps_its_region_and_below(two_townships, gushi_worker, code, expected):
    here, there = two_townships
    names = {here.pk: "here", there.pk: "there"}
    rows = selectors.case_list(actor=gushi_worker, region_code=code)
    assert [names[c.pk] for c in rows] == expected


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (WANGPENG, True),
        ("4115251", False),  # a raw prefix is not a code
        ("411525", False),
        ("41152511000０", False),  # a full-width digit
        ("411525110000\n", True),  # surrounding space is trimmed
        ("abc", False),
    ],
)
def test_the_page_takes_a_code_and_says_so_next_to_the_field(
    client, two_townships, gushi_worker, value, ok
):
    client.force_login(gushi_worker)
    response = client.get(reverse("casework:case_list"), {"region": value})
    assert response.status_code == 200
    body = response.content.decode()
    message = f"找不到“{value.strip()}”:请从列表中选择,或输入 12 位区划代码。"
    assert (message in body) is not ok
    if ok:
        assert "汪棚" in body and "张广庙" not in body
    else:  # the filter is not dropped: nothing is listed until the place is clear
        assert "汪棚" not in body and "张广庙" not in body


@pytest.mark.parametrize(
    ("value", "status", "count"),
    [(WANGPENG, 200, 1), ("4115251", 400, None), ("411525110000\n", 200, 1)],  # trimmed
)
def test_the_api_takes_a_code(two_townships, gushi_worker, value, status, count):
    api = APIClient()
    api.force_authenticate(gushi_worker)
    response = api.get("/api/v1/cases/", {"region": value})
    assert response.status_code == status
    if count is not None:
        assert len(response.json()["results"]) == count
    else:
        assert response.json() == {"region": ["请填写12位区划代码,例如 411525000000。"]}
