"""Finding a place by what a person types: a 12-digit code, a name, or the pinyin initials of
a name (`zlc` finds 张楼村), always inside the actor's jurisdiction.

`region_matches` serves the search box; `region_resolve` turns a filter's text into exactly one
region or says why it cannot (unknown, or several places of that name), so that a list never
quietly drops a filter it did not understand and shows the whole county instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Concat
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from .models import Region, RegionLevel
from .regions import is_code

MAX_TEXT = 40
SHOWN = 20  # matches offered at most
INITIALS_RE = re.compile(r"\A[a-z]{1,12}\Z")


class RegionNotResolved(ValidationError):
    """A filter's place text that names no region, or several: `matches` holds the several."""

    def __init__(self, message: str, *, code: str, matches: list[Region]):
        super().__init__(message, code=code)
        self.matches = matches


@lru_cache(maxsize=65536)
def region_initials(name: str) -> str:
    """`张楼村` → `zlc`: the first letter of each syllable (place names, not surnames)."""
    return "".join(s[0] for s in lazy_pinyin(name, style=Style.FIRST_LETTER) if s).lower()


def _text(text: str) -> str:
    # Control characters (a NUL fails a PostgreSQL query) are no part of a place name.
    return "".join(c for c in (text or "") if c.isprintable()).strip()[:MAX_TEXT]


def _scoped(actor: Any, perm: str | None) -> QuerySet:
    # Parent and grandparent joined: `Region.label` and the county beside it need no query.
    return Region.objects.visible_to(actor, perm).select_related("parent__parent")


def region_matches(*, actor: Any, text: str, perm: str | None = None, limit: int = SHOWN) -> list:
    """Regions in the actor's jurisdiction that `text` may mean, by code: a code or its start;
    pinyin initials; the name or the township-and-village label exactly, else a name that
    contains the text."""
    text = _text(text)
    if not text:
        return []
    qs = _scoped(actor, perm)
    if text.isascii() and text.isdigit():
        return list(qs.filter(code__startswith=text).order_by("code")[:limit])
    if INITIALS_RE.match(text.lower()):
        # Initials are computed from the names (cached per name): a county's few hundred
        # places are read as (code, name) in one query.
        wanted = text.lower()
        codes = [
            code
            for code, name in qs.values_list("code", "name").order_by("code")
            if region_initials(name).startswith(wanted)
        ][:limit]
        return list(qs.filter(code__in=codes).order_by("code"))
    labelled = qs.annotate(full=Concat("parent__name", "name"))
    exact = list(labelled.filter(Q(name=text) | Q(full=text)).order_by("code")[:limit])
    if exact:
        return exact
    return list(qs.filter(name__contains=text).order_by("code")[:limit])


def region_resolve(*, actor: Any, text: str, perm: str | None = None) -> Region | None:
    """The one region `text` names in the actor's jurisdiction, None for blank text; raises
    `RegionNotResolved` for an unknown place (a code outside the jurisdiction answers the
    same as a code that does not exist) or for several."""
    text = _text(text)
    if not text:
        return None
    if is_code(text):
        region = _scoped(actor, perm).filter(code=text).first()
        if region is not None:
            return region
        matches: list[Region] = []
    elif text.isascii() and text.isdigit():
        matches = []  # part of a code: a filter needs all twelve digits
    else:
        matches = region_matches(actor=actor, text=text, perm=perm, limit=SHOWN + 1)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise RegionNotResolved(
            _("找不到“%(text)s”:请从列表中选择,或输入 12 位区划代码。") % {"text": text},
            code="unknown",
            matches=[],
        )
    villages = all(r.level == RegionLevel.VILLAGE for r in matches)
    message = (
        _("“%(text)s”有 %(n)s 处,请选择乡镇。")
        if villages
        else _("“%(text)s”有 %(n)s 处,请从列表中选择。")
    )
    n = len(matches)
    raise RegionNotResolved(
        message % {"text": text, "n": n if n <= SHOWN else _("%(n)s 多") % {"n": SHOWN}},
        code="ambiguous",
        matches=matches[:SHOWN],
    )
