"""Properties of citizen ID numbers and unified social credit codes, over generated values.

The example-based tests in test_idnumbers.py pin the messages and the standard's own examples;
these show the rules hold for every number: any 17 digits with a real birth date get a check
character that validates, every single mistyped character and every swap of two neighbouring
digits is caught, and the spellings people type normalise to one stored form.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.core.idnumbers import (
    EARLIEST_BIRTH_DATE,
    FEMALE,
    MALE,
    USCC_ALPHABET,
    citizen_id_check_char,
    normalise_citizen_id,
    normalise_uscc,
    parse_citizen_id,
    parse_uscc,
    uscc_check_char,
)

TODAY = datetime.date(2026, 6, 1)
DIGITS = "0123456789"
CHECK_CHARS = "0123456789X"
FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)

birth_dates = st.dates(min_value=EARLIEST_BIRTH_DATE, max_value=TODAY)
digit_strings = st.text(alphabet=DIGITS, min_size=1, max_size=1)


@st.composite
def citizen_ids(draw, births=birth_dates) -> str:
    """A valid 18-character number: any birthplace, a real birth date, any sequence."""
    place = draw(st.text(alphabet=DIGITS, min_size=6, max_size=6))
    born = draw(births)
    sequence = draw(st.text(alphabet=DIGITS, min_size=3, max_size=3))
    body = f"{place}{born:%Y%m%d}{sequence}"
    return body + citizen_id_check_char(body)


def _parse(number: str, **kwargs):
    return parse_citizen_id(number, today=TODAY, **kwargs)


def _is_birth_date(digits: str) -> bool:
    try:
        born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return EARLIEST_BIRTH_DATE <= born <= TODAY


# --- citizen ID numbers ---------------------------------------------------------------------


@FAST
@given(st.text(alphabet=DIGITS, min_size=17, max_size=17))
def test_the_check_character_of_any_17_digits_is_one_of_eleven_and_validates(first_17):
    check = citizen_id_check_char(first_17)
    assert check in CHECK_CHARS
    number = first_17 + check
    if _is_birth_date(first_17[6:14]):
        assert _parse(number).number == number
    else:
        with pytest.raises(ValidationError) as caught:
            _parse(number)
        assert caught.value.code in {"birth_date", "birth_date_future", "birth_date_too_early"}


@FAST
@given(citizen_ids())
def test_a_valid_number_parses_to_itself_and_reads_its_parts(number):
    parsed = _parse(number)
    assert parsed.number == number
    assert parsed.birthplace_code == number[:6]
    assert f"{parsed.birth_date:%Y%m%d}" == number[6:14]
    assert parsed.sex == (MALE if int(number[16]) % 2 else FEMALE)
    assert parsed.warnings == ()
    # The stored form is a fixed point: parsing it again changes nothing.
    assert _parse(parsed.number) == parsed


@FAST
@given(citizen_ids(), st.integers(0, 17), st.integers(1, 10))
def test_any_single_changed_character_is_refused(number, position, shift):
    alphabet = CHECK_CHARS if position == 17 else DIGITS
    wrong = alphabet[(alphabet.index(number[position]) + shift) % len(alphabet)]
    if wrong == number[position]:  # only the last position has 11 characters
        wrong = alphabet[(alphabet.index(number[position]) + 1) % len(alphabet)]
    changed = number[:position] + wrong + number[position + 1 :]
    with pytest.raises(ValidationError) as caught:
        _parse(changed)
    expected = "checksum" if _is_birth_date(changed[6:14]) else None
    if expected:
        assert caught.value.code == "checksum"
    else:
        assert caught.value.code in {"birth_date", "birth_date_future", "birth_date_too_early"}


@FAST
@given(citizen_ids(), st.integers(0, 15))
def test_swapping_two_neighbouring_different_digits_is_refused(number, position):
    a, b = number[position], number[position + 1]
    if a == b:
        return
    swapped = number[:position] + b + a + number[position + 2 :]
    with pytest.raises(ValidationError):
        _parse(swapped)


_FULL_WIDTH = {d: chr(0xFF10 + int(d)) for d in DIGITS}


@st.composite
def typed_spellings(draw):
    """A valid number as someone might type it: full-width digits, x/ｘ/Ｘ, spaces around."""
    number = draw(citizen_ids())
    chars = []
    for char in number:
        if char == "X":
            chars.append(draw(st.sampled_from(["X", "x", "Ｘ", "ｘ"])))
        elif draw(st.booleans()):
            chars.append(_FULL_WIDTH[char])
        else:
            chars.append(char)
    space = st.text(alphabet=" \t\u3000", max_size=2)
    return number, draw(space) + "".join(chars) + draw(space)


@FAST
@given(typed_spellings())
def test_full_width_and_lower_case_spellings_normalise_to_the_same_number(spelling):
    number, typed = spelling
    assert normalise_citizen_id(typed) == number
    assert _parse(typed).number == number
    # Normalising twice is normalising once.
    assert normalise_citizen_id(normalise_citizen_id(typed)) == number


@FAST
@given(citizen_ids(births=st.dates(datetime.date(1900, 1, 1), datetime.date(1999, 12, 31))))
def test_a_legacy_15_digit_number_converts_to_the_18_digit_one_of_the_same_person(number):
    legacy = number[:6] + number[8:17]
    parsed = _parse(legacy, allow_legacy=True)
    assert parsed.number == number
    assert parsed.birth_date == _parse(number).birth_date
    assert parsed.sex == (MALE if int(legacy[-1]) % 2 else FEMALE)
    assert len(parsed.warnings) == 1
    with pytest.raises(ValidationError) as caught:
        _parse(legacy)
    assert caught.value.code == "legacy"


@FAST
@given(st.text(max_size=30))
def test_any_text_is_either_a_valid_number_or_a_validation_error(raw):
    try:
        parsed = _parse(raw)
    except ValidationError:
        return
    assert len(parsed.number) == 18
    assert parsed.number[-1] == citizen_id_check_char(parsed.number[:17])


# --- unified social credit codes ------------------------------------------------------------


@st.composite
def usccs(draw) -> str:
    head = draw(st.text(alphabet=USCC_ALPHABET, min_size=2, max_size=2))
    division = draw(st.text(alphabet=DIGITS, min_size=6, max_size=6))
    tail = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    body = head + division + tail
    return body + uscc_check_char(body)


@FAST
@given(usccs())
def test_the_check_character_of_any_code_is_in_the_alphabet_and_validates(code):
    assert code[-1] in USCC_ALPHABET
    parsed = parse_uscc(code)
    assert (parsed.code, parsed.authority, parsed.kind, parsed.division_code) == (
        code,
        code[0],
        code[1],
        code[2:8],
    )
    assert parse_uscc(parsed.code) == parsed


@FAST
@given(usccs(), st.integers(0, 17), st.integers(1, len(USCC_ALPHABET) - 1))
def test_any_single_changed_character_of_a_code_is_refused(code, position, shift):
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(code[position]) + shift) % len(USCC_ALPHABET)]
    changed = code[:position] + wrong + code[position + 1 :]
    with pytest.raises(ValidationError) as caught:
        parse_uscc(changed)
    assert caught.value.code == ("format" if not changed[2:8].isdigit() else "checksum")


_ASCII_TO_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in USCC_ALPHABET}


@FAST
@given(usccs(), st.data())
def test_lower_case_and_full_width_codes_normalise_to_the_same_code(code, data):
    typed = ""
    for char in code:
        form = data.draw(st.sampled_from(["plain", "lower", "full", "full_lower"]))
        if form == "lower":
            char = char.lower()
        elif form == "full":
            char = _ASCII_TO_FULL_WIDTH[char]
        elif form == "full_lower":
            char = chr(ord(char.lower()) + 0xFEE0)
        typed += char
    assert normalise_uscc(f" {typed}\u3000") == code
    assert parse_uscc(typed).code == code


@FAST
@given(st.text(max_size=25))
def test_any_text_is_either_a_valid_code_or_a_validation_error(raw):
    try:
        parsed = parse_uscc(raw)
    except ValidationError:
        return
    assert parsed.code[-1] == uscc_check_char(parsed.code[:17])
