"""Pinyin for Chinese names, so a search for `zw` finds 张伟.

pypinyin reads a character by its most common sound; as a surname several characters are read
differently (曾 zēng not céng, 单 shàn not dān, 解 xiè not jiě, 仇 qiú not chóu, ...). The first
character of a name is read with the surname table first.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "盖": "ge",
    "翟": "zhai",
    "员": "yun",
    "乐": "yue",
    "覃": "qin",
    "尉": "yu",
    "缪": "miao",
    "召": "shao",
    "秘": "bi",
    "折": "she",
    "繁": "po",
    "种": "chong",
    "长孙": "zhangsun",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "澹台": "tantai",
}
COMPOUND_SURNAMES = (
    "长孙",
    "尉迟",
    "万俟",
    "澹台",
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "令狐",
    "公孙",
    "慕容",
    "司徒",
    "夏侯",
)


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, ...]:
    """One syllable per character, surname read as a surname."""
    name = "".join(name.split())
    if not name:
        return ()
    surname = next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[0])
    rest = name[len(surname) :]
    if surname in SURNAME_READINGS and len(surname) == 1:
        head = [SURNAME_READINGS[surname]]
    else:
        head = _reading(surname)
    return (*head, *_reading(rest))


def _reading(text: str) -> list[str]:
    """`lazy_pinyin(text)`, quicker for the usual given name: when no two or more of its
    characters form a word pypinyin knows, pypinyin reads each character on its own, and each
    character's reading is cached (a few thousand characters cover nearly every name)."""
    if len(text) > 1 and all(ord(c) in PINYIN_DICT for c in text):
        n = len(text)
        if not any(text[i:j] in PHRASES_DICT for i in range(n) for j in range(i + 2, n + 1)):
            return [_char_reading(c) for c in text]
    elif len(text) == 1:
        return [_char_reading(text)]
    return lazy_pinyin(text, style=Style.NORMAL, errors="default") if text else []


@lru_cache(maxsize=32768)
def _char_reading(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL, errors="default")[0]


def name_initials(name: str) -> str:
    """`张伟` → `zw`; non-Chinese characters keep their own first letter."""
    return "".join(s[0] for s in name_pinyin(name) if s).lower()[:20]


def name_key(name: str) -> str:
    """The full pinyin without tones, for similarity between names."""
    return " ".join(name_pinyin(name))
