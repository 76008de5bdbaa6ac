"""De-identification of case studies: find what in a text still points at the household.

The check compares the text with everything the platform knows about the case's household —
every member's name (and given name alone), ID number and phone, the household number, phone
and address, the village, the helper's name and phone — and with the shapes of ID and mobile
numbers in general. Both sides are normalised first (full-width to half-width, upper case,
spaces, dashes and name dots dropped), so "王 秀英", "4115 2519 …" and "139-0376-…" are found;
each finding gives the words as they stand in the text, so the author knows what to change.

Pure functions, no ORM: `casework.services.studies` gathers the household's facts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "name": _("姓名"),
    "id_number": _("身份证号"),
    "phone": _("电话"),
    "household": _("户编号"),
    "village": _("村名"),
    "address": _("住址"),
}

# Dropped before comparing: a name or number written with spaces, dashes or a name dot
# (维吾尔族等姓名中的“·”) is the same name or number.
_IGNORED = set("·・‧•.()（）/\\_")
_ID = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Suffixes of a village committee's name: "李庄村民委员会" → "李庄村" → "李庄".
_COMMITTEE = ("村民委员会", "居民委员会", "社区居委会", "村委会", "居委会")
_PLACE = ("社区", "村")
MIN_NAME = 2  # a one-character given name alone is too common to flag


@dataclass(frozen=True)
class Needle:
    kind: str
    value: str  # normalised


@dataclass(frozen=True)
class Finding:
    kind: str
    word: str  # as written in the text

    @property
    def label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def _ignored(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Pd" or ch in _IGNORED


def normalise(text: str) -> tuple[str, list[int]]:
    """The text folded for comparison, and for each of its characters the index it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text or ""):
        for c in unicodedata.normalize("NFKC", ch).upper():
            if not _ignored(c):
                out.append(c)
                where.append(i)
    return "".join(out), where


def fold(value: str) -> str:
    return normalise(value)[0]


def name_needles(name: str) -> set[str]:
    """A full name, and its given name alone when that is two characters or more (秀英 of
    王秀英; 娜娜 of the compound-surname 欧阳娜娜)."""
    full = fold(name)
    found = {full} if len(full) >= MIN_NAME else set()
    if len(full) >= 3:
        found.add(full[1:])
    if len(full) >= 4:
        found.add(full[2:])
    return {n for n in found if len(n) >= MIN_NAME}


def village_needles(name: str) -> set[str]:
    """A village committee's name as people write it: 李庄村委会 → 李庄村, 李庄."""
    base = fold(name)
    for suffix in _COMMITTEE:
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)] + ("村" if suffix.startswith("村") else "")
            break
    found = {base} if len(base) >= MIN_NAME else set()
    for suffix in _PLACE:
        stem = base[: -len(suffix)] if base.endswith(suffix) else ""
        if len(stem) >= MIN_NAME:
            found.add(stem)
    return found


def household_needles(
    *,
    names: Iterable[str],
    id_numbers: Iterable[str],
    phones: Iterable[str],
    household_number: str = "",
    village: str = "",
    address: str = "",
) -> list[Needle]:
    """Everything known about a household that a published text must not contain."""
    needles: set[Needle] = set()
    for name in names:
        needles |= {Needle("name", n) for n in name_needles(name or "")}
    for number in id_numbers:
        if len(fold(number or "")) >= 6:
            needles.add(Needle("id_number", fold(number)))
    for phone in phones:
        if len(fold(phone or "")) >= 7:
            needles.add(Needle("phone", fold(phone)))
    if len(fold(household_number)) >= 4:
        needles.add(Needle("household", fold(household_number)))
    villages = village_needles(village) if village else set()
    needles |= {Needle("village", v) for v in villages}
    folded_address = fold(address)
    if len(folded_address) >= 4:
        needles.add(Needle("address", folded_address))
        # The part after the village ("3组25号" of "李庄村3组25号") identifies the house.
        for v in sorted(villages, key=len, reverse=True):
            rest = folded_address.split(v, 1)[1] if v in folded_address else ""
            if len(rest) >= 3:
                needles.add(Needle("address", rest))
                break
    return sorted(needles, key=lambda n: (n.kind, n.value))


def find(text: str, needles: Iterable[Needle]) -> list[Finding]:
    """What in `text` matches a needle or the shape of an ID or mobile number, in the order it
    appears, each stretch of text once (the longest match wins)."""
    folded, where = normalise(text)
    spans: list[tuple[int, int, str]] = []
    for needle in needles:
        start = folded.find(needle.value)
        while start != -1:
            spans.append((start, start + len(needle.value), needle.kind))
            start = folded.find(needle.value, start + 1)
    for pattern, kind in ((_ID, "id_number"), (_MOBILE, "phone")):
        spans += [(m.start(), m.end(), kind) for m in pattern.finditer(folded)]
    taken: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(span[1] <= t[0] or span[0] >= t[1] for t in taken):
            taken.append(span)
    findings: list[Finding] = []
    for start, end, kind in sorted(taken):
        word = (text or "")[where[start] : where[end - 1] + 1]
        finding = Finding(kind, word)
        if finding not in findings:
            findings.append(finding)
    return findings


def describe(findings: list[Finding]) -> str:
    """'姓名“秀英”、身份证号“4115 25…”' for a message."""
    return "、".join(f"{f.label}“{f.word}”" for f in findings)
