"""Code values of the registry (建档立卡) and the spellings people type for them.

Each code list is a TextChoices whose label is the official Chinese term. `normalise()` is what
the import uses: it folds the way people write a label (`fold()`: full-width and half-width
forms, bracket kinds, spaces, middle dots) and looks the result up among the codes, the labels
and the code list's alias table (`aliases/<list>.json`: the spellings of county files and the
national system's exports, such as the 之X relation terms and school grades). An unknown
spelling returns None and the caller reports it, with `nearest_labels()`.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from pathlib import Path

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class HouseholdType(models.TextChoices):
    ORDINARY = "ordinary", _("一般贫困户")
    DIBAO = "dibao", _("低保贫困户")
    TEKUN = "tekun", _("特困供养贫困户")


class PovertyStatus(models.TextChoices):
    NOT_OUT = "not_out", _("未脱贫")
    OUT = "out", _("已脱贫")
    RELAPSE_RISK = "relapse_risk", _("返贫风险")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    LACK_LAND = "lack_land", _("缺土地")
    LACK_WATER = "lack_water", _("缺水")
    LACK_SKILLS = "lack_skills", _("缺技术")
    LACK_LABOUR = "lack_labour", _("缺劳力")
    LACK_CAPITAL = "lack_capital", _("缺资金")
    TRANSPORT = "transport", _("交通条件落后")
    LACK_DRIVE = "lack_drive", _("自身发展动力不足")
    MARRIAGE = "marriage", _("因婚")
    OTHER = "other", _("其他")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("之子")
    DAUGHTER = "daughter", _("之女")
    SON_IN_LAW = "son_in_law", _("之女婿")
    DAUGHTER_IN_LAW = "daughter_in_law", _("之儿媳")
    GRANDSON = "grandson", _("之孙子")
    GRANDDAUGHTER = "granddaughter", _("之孙女")
    FATHER = "father", _("之父")
    MOTHER = "mother", _("之母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    PRESCHOOL = "preschool", _("学龄前儿童")
    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专(中技)")
    COLLEGE = "college", _("大专及以上")


class InSchool(models.TextChoices):
    NONE = "none", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("七年级至九年级")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    HIGHER = "higher", _("高职高专及以上")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class Labour(models.TextChoices):
    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class WorkStatus(models.TextChoices):
    NONE = "none", _("无")
    TOWNSHIP = "township", _("乡(镇)内务工")
    COUNTY = "county", _("县内乡外务工")
    PROVINCE = "province", _("省内县外务工")
    OUT_OF_PROVINCE = "out_of_province", _("省外务工")
    OTHER = "other", _("其他")


class LeftBehind(models.TextChoices):
    NONE = "", _("否")
    CHILD = "child", _("留守儿童")
    WOMAN = "woman", _("留守妇女")
    ELDERLY = "elderly", _("留守老人")


# Each code list's alias table (spellings of county files and the national system's exports
# → code) is data: `aliases/<file>.json`, one file per list.
ALIAS_FILES: dict[type[models.TextChoices], str] = {
    HouseholdType: "household_type",
    PovertyStatus: "poverty_status",
    Cause: "cause",
    Relation: "relation",
    Sex: "sex",
    Education: "education",
    InSchool: "in_school",
    Health: "health",
    Labour: "labour",
    WorkStatus: "work_status",
}
ALIAS_DIR = Path(__file__).resolve().parent / "aliases"

# How people write the same label: full-width forms, every kind of bracket, spaces of any width,
# middle dots and quotes. After NFKC (full-width → half-width, compatibility ideographs such as
# the Kangxi radicals of text copied from PDFs → ordinary ones), these characters are mapped.
_OPEN = "([{<【〔〖［｛〈《「『（﹙"
_CLOSE = ")]}>】〕〗］｝〉》」』）﹚"
_FOLD = {
    **{ord(c): "(" for c in _OPEN},
    **{ord(c): ")" for c in _CLOSE},
    **{ord(c): None for c in "·•‧・･∙⋅●\u3000\u00a0\u200b\ufeff\"'“”‘’`"},
}
_EDGE_PUNCTUATION = ".,;:!?。、，；：！？…-_~"


def fold(text: str) -> str:
    """A label as people mean it: the key both code-table labels and cells are compared by."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return "".join(text.split()).strip(_EDGE_PUNCTUATION).lower()


@functools.cache
def aliases(choices: type[models.TextChoices]) -> dict[str, str]:
    """The alias table of a code list, as stored (spelling → code)."""
    name = ALIAS_FILES.get(choices)
    if name is None:
        return {}
    data = json.loads((ALIAS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


@functools.cache
def _table(choices: type[models.TextChoices]) -> dict[str, str]:
    """Folded spelling → code: the codes, the official (Chinese) labels and the aliases.
    Raises ValueError when two of them fold to the same key but mean different codes."""
    table: dict[str, str] = {}

    def add(spelling: str, value: str) -> None:
        key = fold(spelling)
        if table.setdefault(key, value) != value:
            raise ValueError(
                f"{choices.__name__}: {spelling!r} means both {table[key]!r} and {value!r}"
            )

    with translation.override("zh-hans"):
        for value, label in choices.choices:
            add(str(value), str(value))
            add(str(label), str(value))
    for spelling, value in aliases(choices).items():
        if value not in choices.values:
            raise ValueError(f"{choices.__name__}: alias {spelling!r} names unknown {value!r}")
        add(spelling, value)
    table.pop("", None)  # a blank cell means "not given", never a code
    return table


@functools.lru_cache(maxsize=20_000)
def _lookup(choices: type[models.TextChoices], text: str) -> str | None:
    table = _table(choices)
    key = fold(text)
    found = table.get(key)
    if found is None and key.startswith("之"):
        # The national system writes relations as 之X (之长子, 之哥哥): X is the term.
        found = table.get(key[1:])
    return found


def normalise(choices: type[models.TextChoices], raw: object) -> str | None:
    """The code for a label, code or known alias; None when nobody could tell what was meant."""
    return _lookup(choices, raw if isinstance(raw, str) else str(raw if raw is not None else ""))


def nearest_labels(choices: type[models.TextChoices], raw: str, limit: int = 3) -> list[str]:
    """The official labels of the codes whose spellings come closest to `raw`, nearest first
    (for the message that names an unknown value)."""
    return [str(choices(v).label) for v in _nearest(choices, raw)[:limit]]


@functools.lru_cache(maxsize=2_000)
def _nearest(choices: type[models.TextChoices], raw: str) -> tuple[str, ...]:
    from rapidfuzz import fuzz, process

    table = _table(choices)
    best: dict[str, float] = {}
    for key, score, _index in process.extract(
        fold(raw), list(table), scorer=fuzz.ratio, limit=len(table)
    ):
        value = table[key]
        best[value] = max(best.get(value, 0.0), score)
    order = list(choices.values)
    return tuple(sorted((v for v in best if v), key=lambda v: (-best[v], order.index(v))))
