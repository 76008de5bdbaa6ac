"""Keyset lists page both ways (`?before=` next, `?after=` previous) in the order of a declared,
indexed column, refuse any other order with a message, and count up to a cap."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from shegong.core import pagination
from shegong.core.lists import list_controls
from shegong.core.models import Region
from shegong.core.pagination import keyset_page

pytestmark = pytest.mark.django_db

GUSHI_TOWNSHIPS = Region.objects.filter(parent_id="411525000000")


def _page(query: str, **kwargs):
    request = RequestFactory().get(f"/?{query}")
    # Region's primary key is its code: the townships of 固始县 give a fixed, known order.
    return keyset_page(GUSHI_TOWNSHIPS.all(), request, **kwargs)


def _codes(page):
    return [r.pk for r in page.items]


def test_next_then_previous_returns_to_the_same_rows():
    everything = list(GUSHI_TOWNSHIPS.order_by("-code").values_list("code", flat=True))
    first = _page("", size=5)
    assert _codes(first) == everything[:5]
    assert (first.is_first, first.prev_cursor, first.next_cursor) == (True, None, everything[4])
    second = _page(f"before={first.next_cursor}", size=5)
    assert _codes(second) == everything[5:10]
    assert (second.prev_cursor, second.next_cursor) == (everything[5], everything[9])
    third = _page(f"before={second.next_cursor}", size=5)
    back = _page(f"after={third.prev_cursor}", size=5)
    assert _codes(back) == everything[5:10]
    assert (back.is_first, back.prev_cursor, back.next_cursor) == (
        False,
        everything[5],
        everything[9],
    )
    start = _page(f"after={back.prev_cursor}", size=5)
    assert _codes(start) == everything[:5]
    assert (start.is_first, start.prev_cursor) == (True, None)


def test_a_previous_page_short_of_rows_shows_the_first_page_whole():
    everything = list(GUSHI_TOWNSHIPS.order_by("-code").values_list("code", flat=True))
    page = _page(f"after={everything[2]}", size=5)
    assert _codes(page) == everything[:5]
    assert page.is_first is True


def test_a_declared_column_sorts_both_ways_and_pages_on_its_value():
    by_name = list(GUSHI_TOWNSHIPS.order_by("name", "code").values_list("code", flat=True))
    first = _page("sort=name", size=4, sortable=("name",))
    assert (_codes(first), first.sort, first.sort_error) == (by_name[:4], "name", "")
    second = _page(f"sort=name&before={first.next_cursor}", size=4, sortable=("name",))
    assert _codes(second) == by_name[4:8]
    back = _page(f"sort=name&after={second.prev_cursor}", size=4, sortable=("name",))
    assert _codes(back) == by_name[:4]
    down = _page("sort=-name", size=4, sortable=("name",))
    assert _codes(down) == list(reversed(by_name))[:4]


@pytest.mark.parametrize("sort", ["level", "-parent", "name", "is_sanqu; drop", "__class__"])
def test_an_undeclared_column_is_refused_with_a_message(sort):
    newest = list(GUSHI_TOWNSHIPS.order_by("-code").values_list("code", flat=True))[:3]
    page = _page(f"sort={sort}", size=3)
    assert (_codes(page), page.sort) == (newest, "-pk")
    assert page.sort_error == f"不能按“{sort[:20]}”排序,已按默认顺序显示。"


@pytest.mark.parametrize("cursor", ["²", "-1", str(2**64), "abc", "999999999999"])
def test_a_cursor_no_row_holds_starts_at_the_first_page(cursor):
    page = _page(f"sort=name&before={cursor}", size=3, sortable=("name",))
    assert page.is_first is True
    assert (
        _codes(page)
        == list(GUSHI_TOWNSHIPS.order_by("name", "code").values_list("code", flat=True))[:3]
    )


def test_the_count_stops_at_the_cap(monkeypatch, django_assert_num_queries):
    n = GUSHI_TOWNSHIPS.count()
    with django_assert_num_queries(2):  # the page and the capped count
        page = _page("", size=3, count=True)
    assert (page.total, page.total_capped) == (n, False)
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    page = _page("", size=3, count=True)
    assert (page.total, page.total_capped) == (10, True)


def test_the_controls_link_each_way_and_flip_the_sort():
    from django import forms

    class F(forms.Form):
        q = forms.CharField(label="名称", required=False)

    params = QueryDict("q=镇&sort=name&before=411525110000")
    form = F(params)
    page = _page(params.urlencode(), size=3, sortable=("name",))
    controls = list_controls(form, page, params)
    assert [(a.label, a.value, a.clear_url) for a in controls.applied] == [
        ("名称", "镇", "?sort=name")
    ]
    assert controls.sorts["name"].state == "asc"
    assert controls.sorts["name"].url == "?q=%E9%95%87&sort=-name"
    assert controls.next_url == f"?q=%E9%95%87&sort=name&before={page.next_cursor}"
    assert controls.prev_url == f"?q=%E9%95%87&sort=name&after={page.prev_cursor}"
    assert controls.first_url == "?q=%E9%95%87&sort=name"
    assert controls.clear_all_url == "?"
