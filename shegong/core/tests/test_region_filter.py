"""A list's region filter takes a code, a name or pinyin initials, inside the actor's
jurisdiction; an unknown or ambiguous place is an error beside the field and lists nothing,
never the whole county."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shegong.core.forms import FilterForm, RegionFilterField
from shegong.core.region_lookup import RegionNotResolved, region_matches, region_resolve
from shegong.core.roles import Perm
from shegong.core.testing import make_village

pytestmark = pytest.mark.django_db

CHENLINZI = "411525101000"  # 陈淋子镇, 固始县
WANGPENG = "411525110000"  # 汪棚镇, 固始县
XINCAI_TOWNSHIP = "411729101000"  # 砖店镇, 新蔡县


@pytest.fixture
def villages():
    return {
        "chen": make_village(CHENLINZI, "张楼村"),
        "wang": make_village(WANGPENG, "张楼村"),
        "wangwan": make_village(WANGPENG, "王湾村"),
        "xincai": make_village(XINCAI_TOWNSHIP, "李寨村"),
    }


class _Form(FilterForm):
    region = RegionFilterField(perm=Perm.VIEW_REGISTRY)


def test_a_code_a_name_a_label_and_initials_find_the_one_place(villages, gushi_officer):
    find = lambda text: region_resolve(actor=gushi_officer, text=text).code  # noqa: E731
    assert find(villages["wangwan"].code) == villages["wangwan"].code
    assert find("王湾村") == villages["wangwan"].code
    assert find("王湾") == villages["wangwan"].code
    assert find("wwc") == villages["wangwan"].code
    assert find("陈淋子镇张楼村") == villages["chen"].code
    assert find("  汪棚镇张楼村 ") == villages["wang"].code
    assert region_resolve(actor=gushi_officer, text="  ") is None


def test_two_villages_of_one_name_ask_for_the_township(villages, gushi_officer):
    with pytest.raises(RegionNotResolved) as caught:
        region_resolve(actor=gushi_officer, text="张楼村")
    assert caught.value.messages == ["“张楼村”有 2 处,请选择乡镇。"]
    assert [r.label for r in caught.value.matches] == ["陈淋子镇张楼村", "汪棚镇张楼村"]


@pytest.mark.parametrize(
    "text",
    ["张楼庄", "4115251", "411525101", "41152510100０", "411729100200", "999999999999", "qqqq"],
)
def test_an_unknown_place_or_one_outside_says_so(villages, gushi_officer, text):
    if text == "411729100200":
        text = villages["xincai"].code  # a real village, but in 新蔡
    with pytest.raises(RegionNotResolved) as caught:
        region_resolve(actor=gushi_officer, text=text)
    assert caught.value.messages == [f"找不到“{text}”:请从列表中选择,或输入 12 位区划代码。"]
    assert caught.value.matches == []


def test_matches_stay_inside_the_jurisdiction(villages, gushi_officer, xincai_officer):
    assert [r.code for r in region_matches(actor=xincai_officer, text="李寨")] == [
        villages["xincai"].code
    ]
    assert region_matches(actor=gushi_officer, text="李寨") == []
    assert region_matches(actor=gushi_officer, text="lzc") == []


def test_the_field_offers_the_places_to_choose_from(villages, gushi_officer):
    form = _Form({"region": "张楼村"}, actor=gushi_officer)
    assert not form.is_valid()
    assert form.errors == {"region": ["“张楼村”有 2 处,请选择乡镇。"]}
    html = str(form["region"])
    assert f'value="{villages["chen"].code}">陈淋子镇张楼村 · 固始县</option>' in html
    assert '<select name="region_pick"' in html


def test_a_chosen_place_wins_over_the_typed_text(villages, gushi_officer):
    from django.http import QueryDict

    data = QueryDict(f"region=张楼村&region_pick={villages['wang'].code}")
    form = _Form(data, actor=gushi_officer)
    assert form.is_valid()
    assert form.cleaned_data["region"].code == villages["wang"].code


def test_the_search_answers_options_labelled_with_township_and_county(
    client, villages, gushi_officer, django_assert_num_queries
):
    client.force_login(gushi_officer)
    url = reverse("core:region_search")
    client.get(url, {"field": "region", "region": "x"})  # warm the session and memberships
    # session, user, memberships, the (code, name) of the county's places, the matches with
    # township and county joined, and the session touched (savepoint, update, release).
    with django_assert_num_queries(8):
        response = client.get(url, {"field": "place", "place": "zlc"})
    assert response.status_code == 200
    assert response.content.decode().split("\n")[:2] == [
        f'<option value="{villages["chen"].code}">陈淋子镇张楼村 · 固始县</option>',
        f'<option value="{villages["wang"].code}">汪棚镇张楼村 · 固始县</option>',
    ]
    assert "李寨" not in client.get(url, {"region": "李寨"}).content.decode()


def test_the_search_takes_any_text_without_failing(client, gushi_officer):
    client.force_login(gushi_officer)
    url = reverse("core:region_search")
    for text in ["", "%", "_", "'", "²", "9" * 200, "a" * 5000, "张\u200b楼"]:
        assert client.get(url, {"region": text}).status_code == 200
    assert client.get(url, {"region": "\x00"}).status_code == 400  # refused by Django itself
