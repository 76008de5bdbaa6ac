"""Properties of division codes and the code ranges jurisdiction is built from.

Scoping turns a prefix into a half-open range of codes (`code >= low AND code < high`); these
show, for any prefix and any 12-digit code, that the range holds exactly the codes that start
with the prefix, and that dropping covered prefixes never changes what an actor sees.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.core.regions import (
    LEVEL_WIDTHS,
    code_in_prefix,
    is_code,
    level_of,
    minimal_prefixes,
    prefix_bounds,
    prefix_of,
)

DIGITS = "0123456789"
FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)

codes = st.text(alphabet=DIGITS, min_size=12, max_size=12)
prefixes = st.text(alphabet=DIGITS, min_size=1, max_size=12)
# Nines are where a carry runs out of digits; draw them often.
nine_heavy = st.text(alphabet="09", min_size=1, max_size=12)


@st.composite
def code_near(draw, prefix_strategy=prefixes):
    """A prefix and a code that either starts with it or differs from it as little as possible."""
    prefix = draw(prefix_strategy)
    rest = draw(st.text(alphabet=DIGITS, min_size=12 - len(prefix), max_size=12 - len(prefix)))
    code = prefix + rest
    if draw(st.booleans()):
        position = draw(st.integers(0, len(prefix) - 1))
        digit = draw(st.sampled_from(DIGITS))
        code = code[:position] + digit + code[position + 1 :]
    return prefix, code


def _in_range(code: str, prefix: str) -> bool:
    low, high = prefix_bounds(prefix)
    return low <= code < high


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.one_of(code_near(), code_near(nine_heavy), st.tuples(prefixes, codes)))
def test_the_range_of_a_prefix_holds_exactly_the_codes_that_start_with_it(pair):
    prefix, code = pair
    assert _in_range(code, prefix) == code.startswith(prefix) == code_in_prefix(code, prefix)


@FAST
@given(st.sampled_from(["9", "99", "999999", "419", "4199", "41999"]), codes)
def test_a_prefix_of_nines_still_holds_its_codes(prefix, tail):
    code = (prefix + tail)[:12]
    assert _in_range(code, prefix)
    # No prefix here starts with 0, so the same code with a leading 0 is outside.
    assert not _in_range("0" + code[1:], prefix)


@FAST
@given(prefixes)
def test_the_bounds_are_digits_of_the_prefix_width_or_above_every_code(prefix):
    low, high = prefix_bounds(prefix)
    assert low == prefix
    if set(prefix) == {"9"}:
        assert high == "9" * 13
    else:
        assert len(high) == len(prefix) and high.isdigit() and high > low


@FAST
@given(codes)
def test_a_code_is_its_prefix_padded_with_zeros_and_sits_in_its_own_range(code):
    prefix = prefix_of(code)
    assert len(prefix) == LEVEL_WIDTHS[level_of(code)]
    assert code[len(prefix) :] == "0" * (12 - len(prefix))
    assert _in_range(code, prefix)
    assert is_code(code)


@FAST
@given(st.text(max_size=14))
def test_only_twelve_ascii_digits_are_a_code(value):
    assert is_code(value) == (len(value) == 12 and value.isascii() and value.isdigit())


@FAST
@given(st.lists(prefixes, max_size=6), st.lists(codes, max_size=10))
def test_minimal_prefixes_cover_the_same_codes_and_none_covers_another(given_prefixes, sample):
    kept = minimal_prefixes(given_prefixes)
    assert kept == sorted(kept)
    assert set(kept) <= set(given_prefixes)
    assert not any(a != b and b.startswith(a) for a in kept for b in kept)
    probes = sample + [p.ljust(12, "0") for p in given_prefixes]
    for code in probes:
        assert any(code.startswith(p) for p in given_prefixes) == any(
            _in_range(code, p) for p in kept
        )
