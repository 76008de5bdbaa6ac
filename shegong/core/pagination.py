"""Lists that page through millions of rows without counting them all.

A page is the `size` rows after a cursor (`?before=<id>`, the next page) or before one
(`?after=<id>`, the previous page) in the list's order, which is the primary key, newest first,
unless the list lets `?sort=` choose one of the columns it declares (each served by an index;
the primary key breaks ties). One extra row tells whether there is a page beyond. A cursor is
always a row's id: the sort value is read from that row, so no value a user sends reaches the
ordering except through the declared columns. No OFFSET; the count stops at `COUNT_CAP`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .params import id_param

COUNT_CAP = 1000


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    is_first: bool
    prev_cursor: str | None = None
    # "-pk" or a declared column, with "-" for descending.
    sort: str = "-pk"
    sort_error: str = ""
    # Rows matching, up to COUNT_CAP; None when the list does not count.
    total: int | None = None
    total_capped: bool = False
    sortable: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def empty(cls) -> KeysetPage:
        """No rows: what a list shows while one of its filters is wrong."""
        return cls(items=[], next_cursor=None, is_first=True, total=0)


def _order(column: str, desc: bool) -> list[str]:
    sign = "-" if desc else ""
    return [f"{sign}pk"] if column == "pk" else [f"{sign}{column}", f"{sign}pk"]


def _beyond(column: str, value: Any, pk: int, desc: bool) -> Q:
    """Rows after (`column`, pk) = (value, pk) in the order (`column`, pk), descending or not."""
    op = "lt" if desc else "gt"
    if column == "pk":
        return Q(**{f"pk__{op}": pk})
    return Q(**{f"{column}__{op}": value}) | Q(**{column: value, f"pk__{op}": pk})


def parse_sort(value: str, sortable: tuple[str, ...], default: str) -> tuple[str, str]:
    """(sort, error): the requested sort when it is a declared column, else the default and a
    message saying so."""
    value = (value or "").strip()
    if not value or value == default:
        return default, ""
    column = value.removeprefix("-")
    if column in sortable or column == "pk":
        return value, ""
    return default, _("不能按“%(sort)s”排序,已按默认顺序显示。") % {"sort": value[:20]}


def keyset_page(
    qs: QuerySet,
    request: Any,
    *,
    size: int = 50,
    sortable: tuple[str, ...] = (),
    default: str = "-pk",
    count: bool = False,
) -> KeysetPage:
    """One page of `qs`. `sortable` names the columns `?sort=` may choose (each with an index
    that serves its order; never a nullable column); `count` adds one capped COUNT query."""
    sort, sort_error = parse_sort(request.GET.get("sort", ""), sortable, default)
    column, desc = sort.removeprefix("-"), sort.startswith("-")
    # A cursor that is not an id the column can hold ("²", 2**64) starts at the first page.
    before = id_param(request.GET.get("before", ""))
    after = id_param(request.GET.get("after", "")) if before is None else None
    anchor = before if before is not None else after
    anchored = qs.order_by()
    if anchor is not None:
        value: Any = anchor
        if column != "pk":
            # The cursor row's sort value, read in the same scope: a cursor the actor cannot
            # see, or one gone since, starts again at the first page.
            found = list(qs.filter(pk=anchor).values_list(column, flat=True)[:1])
            value = found[0] if found else None
        if value is None:
            anchor = before = after = None
        elif before is not None:
            anchored = anchored.filter(_beyond(column, value, anchor, desc))
        else:
            anchored = anchored.filter(_beyond(column, value, anchor, not desc))
    backwards = after is not None
    rows = list(anchored.order_by(*_order(column, desc != backwards))[: size + 1])
    more = len(rows) > size
    items = rows[:size]
    if backwards and not more:
        # Back at the start: show the first page whole rather than its last few rows.
        items = list(qs.order_by(*_order(column, desc))[: size + 1])
        more, items, anchor, backwards = len(items) > size, items[:size], None, False
    elif backwards:
        items.reverse()
    has_next = True if backwards else more
    has_prev = anchor is not None
    page = KeysetPage(
        items=items,
        next_cursor=str(items[-1].pk) if has_next and items else None,
        prev_cursor=str(items[0].pk) if has_prev and items else None,
        is_first=not has_prev,
        sort=sort,
        sort_error=sort_error,
        sortable=sortable,
    )
    if count:
        # Only the ids: annotations (a head's name) stay out of the count.
        page.total = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
        page.total_capped = page.total > COUNT_CAP
        page.total = min(page.total, COUNT_CAP)
    return page
