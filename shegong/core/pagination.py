"""Lists that page through millions of rows without counting them.

A page is the next `size` rows after a cursor on a unique, indexed key (the primary key, newest
first); we fetch one extra row to know whether there is a next page. No COUNT(*), no OFFSET.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    is_first: bool


def keyset_page(qs: QuerySet, request: Any, *, size: int = 50) -> KeysetPage:
    cursor = request.GET.get("before", "")
    qs = qs.order_by("-pk")
    if cursor.isdigit():
        qs = qs.filter(pk__lt=int(cursor))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    items = rows[:size]
    return KeysetPage(
        items=items,
        next_cursor=str(items[-1].pk) if more and items else None,
        is_first=not cursor.isdigit(),
    )
