"""Properties of the directory's phone check over generated strings."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.resources.rules import PHONE_MIN_DIGITS, phone_is_dialable

FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)
SEPARATORS = "()+- 转,、/"


@FAST
@given(st.text(alphabet="0123456789", min_size=0, max_size=15), st.text(SEPARATORS, max_size=4))
def test_a_phone_is_dialable_exactly_from_five_digits(digits, separators):
    phone = digits[:3] + separators + digits[3:]
    assert phone_is_dialable(phone) == (len(digits) >= PHONE_MIN_DIGITS)
    assert phone_is_dialable(f" {phone}\u3000") == phone_is_dialable(phone)


@FAST
@given(st.text(min_size=1, max_size=20))
def test_any_character_outside_phone_characters_makes_it_undialable(text):
    if any(
        not (c.isdigit() and c.isascii()) and c not in SEPARATORS and not c.isspace()
        for c in text.strip()
    ):
        assert not phone_is_dialable("13812345678" + text.strip())
