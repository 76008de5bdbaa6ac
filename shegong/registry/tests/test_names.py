"""Pinyin of names: surname readings, and the quick per-character path giving exactly what
pypinyin gives for the whole given name."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from shegong.registry import names


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("张伟", "zw"),
        ("曾小贤", "zxx"),  # 曾 as a surname is zeng, not ceng
        ("单田芳", "stf"),
        ("解放", "xf"),
        ("仇晓", "qx"),
        ("欧阳长江", "oycj"),  # 长江 is a word: chang, not zhang
        ("王 芳", "wf"),
        ("Anna", "an"),  # a non-Chinese name: its first letter and the rest's
        ("", ""),
    ],
)
def test_initials(name, initials):
    assert names.name_initials(name) == initials


def whole(text):
    return lazy_pinyin(text, style=Style.NORMAL, errors="default") if text else []


COMMON = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰长重朝行乐单解曾了和都"
PHRASES = sorted(p for p in PHRASES_DICT if 2 <= len(p) <= 3)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=COMMON, min_size=0, max_size=4))
def test_the_quick_reading_equals_pypinyin_on_common_characters(text):
    assert names._reading(text) == whole(text)


def test_the_quick_reading_equals_pypinyin_on_words_it_knows():
    # Given names that are, or contain, words in pypinyin's phrase table (重庆, 长江, 朝阳…)
    # are read as words, never character by character.
    rng = random.Random(7)
    sample = rng.sample(PHRASES, 2000) + ["重庆", "长江", "朝阳", "银行", "音乐"]
    for text in sample + [f"小{p}" for p in sample[:500]]:
        assert names._reading(text) == whole(text), text
