"""What a list page shows around its rows (`core/_list_controls.html`): the count, the filters
applied with a link to clear each, sortable column headers and the pager. Built from the filter
form, the keyset page and the query string only: no query of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _

from .models import Region
from .pagination import KeysetPage

CURSORS = ("before", "after")


@dataclass
class Applied:
    label: str
    value: str
    clear_url: str


@dataclass
class SortLink:
    url: str
    state: str  # "asc", "desc" or ""


@dataclass
class ListControls:
    page: KeysetPage
    applied: list[Applied] = field(default_factory=list)
    clear_all_url: str = ""
    sorts: dict[str, SortLink] = field(default_factory=dict)
    first_url: str = ""
    prev_url: str = ""
    next_url: str = ""


def filters_of(form: forms.Form) -> dict[str, Any] | None:
    """The filters to apply: none for a blank form, the cleaned values of a valid one, and None
    when one cannot be read: the list then shows nothing but the error, never the rows the
    filter would have hidden."""
    if not form.is_bound:
        return {}
    return form.cleaned_data if form.is_valid() else None


def _url(params: QueryDict, drop: tuple[str, ...] = (), **put: str) -> str:
    query = params.copy()
    for key in (*CURSORS, *drop):
        query.pop(key, None)
    for key, value in put.items():
        query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _shown(field: forms.Field, value: Any) -> str:
    if isinstance(value, Region):
        return value.label
    if isinstance(field, forms.BooleanField):
        return _("是")
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
    return str(value)


def applied_filters(form: forms.Form, params: QueryDict) -> list[Applied]:
    """Each filter in effect, as its label, what it is set to and the list without it."""
    if not form.is_bound or not form.is_valid():
        return []
    return [
        Applied(
            str(form.fields[name].label), _shown(form.fields[name], value), _url(params, (name,))
        )
        for name, value in form.cleaned_data.items()
        if value not in (None, "", False, [])
    ]


def list_controls(form: forms.Form, page: KeysetPage, params: QueryDict) -> ListControls:
    controls = ListControls(page=page, applied=applied_filters(form, params))
    controls.clear_all_url = _url(params, tuple(form.fields) + ("sort",))
    for column in page.sortable:
        state = {column: "asc", f"-{column}": "desc"}.get(page.sort, "")
        flipped = f"-{column}" if state == "asc" else column
        controls.sorts[column] = SortLink(_url(params, ("sort",), sort=flipped), state)
    if not page.is_first:
        controls.first_url = _url(params)
    if page.prev_cursor:
        controls.prev_url = _url(params, after=page.prev_cursor)
    if page.next_cursor:
        controls.next_url = _url(params, before=page.next_cursor)
    return controls
