"""The household and person lists: a place filter by name that says when it cannot tell the
place, the township beside the village, sorting by an indexed column, both ways through the
pages, a capped count and the filters applied. Queries do not grow with the rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shegong.core.testing import make_village

from .factories import make_household

pytestmark = pytest.mark.django_db

CHENLINZI = "411525101000"  # 陈淋子镇
WANGPENG = "411525110000"  # 汪棚镇


@pytest.fixture
def places():
    return make_village(CHENLINZI, "张楼村"), make_village(WANGPENG, "张楼村")


def _rows(response, label):
    return response.content.decode().count(f'data-label="{label}"')


def test_an_ambiguous_place_lists_nothing_and_offers_the_townships(client, gushi_officer, places):
    chen, wang = places
    make_household(chen.code, number="410000000000000001")
    make_household(wang.code, number="410000000000000002")
    client.force_login(gushi_officer)
    body = client.get(reverse("registry:household_list"), {"region": "张楼村"}).content.decode()
    assert "“张楼村”有 2 处,请选择乡镇。" in body
    assert "410000000000000001" not in body and "410000000000000002" not in body
    assert f'<option value="{wang.code}">汪棚镇张楼村 · 固始县</option>' in body
    chosen = client.get(
        reverse("registry:household_list") + f"?region=张楼村&region_pick={wang.code}"
    ).content.decode()
    assert "410000000000000002" in chosen and "410000000000000001" not in chosen
    assert '<td data-label="所在区划">汪棚镇张楼村</td>' in chosen
    assert "区划:汪棚镇张楼村" in chosen


def test_an_unknown_place_says_so_and_lists_nothing(client, gushi_officer, places):
    make_household(places[0].code, number="410000000000000001")
    client.force_login(gushi_officer)
    body = client.get(reverse("registry:person_list"), {"region": "张楼"}).content.decode()
    assert "“张楼”有 2 处,请选择乡镇。" in body
    body = client.get(reverse("registry:person_list"), {"region": "李家庄"}).content.decode()
    assert "找不到“李家庄”:请从列表中选择,或输入 12 位区划代码。" in body
    assert _rows(client.get(reverse("registry:person_list"), {"region": "李家庄"}), "姓名") == 0
    assert _rows(client.get(reverse("registry:person_list"), {"region": "cl"}), "姓名") == 1


def test_households_sort_by_number_and_page_back(client, gushi_officer, places):
    for n in (3, 1, 4, 2, 5):
        make_household(places[0].code, number=f"41000000000000000{n}")
    client.force_login(gushi_officer)
    url = reverse("registry:household_list")
    body = client.get(url, {"sort": "number"}).content.decode()
    numbers = [f"41000000000000000{n}" for n in range(1, 6)]
    assert [body.index(n) for n in numbers] == sorted(body.index(n) for n in numbers)
    assert "共 5 条" in body
    assert '<th aria-sort="ascending"><a class="sort sorted"' in body
    assert "户编号 ↑</a></th>" in body
    assert "不能按" in client.get(url, {"sort": "head_name"}).content.decode()


def test_pages_link_forward_and_back(client, gushi_officer, places, monkeypatch):
    from shegong.core import pagination

    houses = [make_household(places[0].code) for _ in range(5)]
    original = pagination.keyset_page

    def small(qs, request, **kw):
        return original(qs, request, **{**kw, "size": 2})

    monkeypatch.setattr("shegong.registry.views.households.keyset_page", small)
    client.force_login(gushi_officer)
    url = reverse("registry:household_list")
    second = client.get(url, {"before": houses[3].pk}).content.decode()
    assert [h.number in second for h in houses] == [False, True, True, False, False]
    assert f'href="?after={houses[2].pk}">上一页</a>' in second
    assert f'href="?before={houses[1].pk}">下一页</a>' in second
    back = client.get(url, {"after": houses[2].pk}).content.decode()
    assert [h.number in back for h in houses] == [False, False, False, True, True]


# session, user, memberships, the place filter's region, the page (head's name and region with
# its township joined), the capped count, and the session touched (savepoint, update, release).
LIST_QUERIES = 9


@pytest.mark.parametrize(("name", "label"), [("household_list", "户编号"), ("person_list", "姓名")])
def test_the_lists_do_not_grow_queries_with_rows(
    client, gushi_officer, places, django_assert_num_queries, name, label
):
    client.force_login(gushi_officer)
    url = reverse(f"registry:{name}")
    for _ in range(3):
        make_household(places[0].code)
    client.get(url)
    with django_assert_num_queries(LIST_QUERIES) as few:
        response = client.get(url, {"region": "陈淋子镇张楼村"})
    assert _rows(response, label) == 3
    for _ in range(27):
        make_household(places[1].code)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, {"region": "411525000000"})
    assert _rows(response, label) == 30


def test_the_export_takes_the_place_the_list_took(client, gushi_officer, places):
    chen, wang = places
    make_household(chen.code, number="410000000000000001")
    make_household(wang.code, number="410000000000000002")
    client.force_login(gushi_officer)
    url = reverse("registry:export_households_csv")
    response = client.get(url, {"region": "汪棚镇张楼村"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "410000000000000002" in body and "410000000000000001" not in body
    refused = client.get(url, {"region": "张楼村"})
    assert (refused.status_code, refused.url) == (
        302,
        "/registry/?region=%E5%BC%A0%E6%A5%BC%E6%9D%91",
    )
