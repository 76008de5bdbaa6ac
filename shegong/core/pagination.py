"""Lists that page through millions of rows without counting them.

A page is the next `size` rows after a cursor on a unique, indexed key (the primary key, newest
first); we fetch one extra row to know whether there is a next page. No COUNT(*), no OFFSET.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .params import id_param


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    is_first: bool


def keyset_page(qs: QuerySet, request: Any, *, size: int = 50) -> KeysetPage:
    # A cursor that is not an id the column can hold ("²", 2**64) starts at the first page.
    cursor = id_param(request.GET.get("before", ""))
    qs = qs.order_by("-pk")
    if cursor is not None:
        qs = qs.filter(pk__lt=cursor)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    items = rows[:size]
    return KeysetPage(
        items=items,
        next_cursor=str(items[-1].pk) if more and items else None,
        is_first=cursor is None,
    )
