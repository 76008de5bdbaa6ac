"""Rules for citizen ID numbers and unified social credit codes.

Pure: no database and no project settings, so the module also runs with ``-p no:django``.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import random

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from shegong.core.idnumbers import (
    FEMALE,
    MALE,
    age_on,
    citizen_id_check_char,
    mask_citizen_id,
    normalise_citizen_id,
    normalise_uscc,
    parse_citizen_id,
    parse_uscc,
    sex_label,
    uscc_check_char,
)

if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
    settings.configure(USE_I18N=False)

TODAY = datetime.date(2025, 6, 1)
GUSHI = "411525"

# Independent implementations of both standards, so the tests do not trust python-stdnum.
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def ric_check(first_17: str) -> str:
    total = sum(int(char) * weight for char, weight in zip(first_17, _RIC_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def make_id(birthplace: str = GUSHI, birth: str = "19800101", sequence: str = "001") -> str:
    first_17 = birthplace + birth + sequence
    return first_17 + ric_check(first_17)


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def uscc_check(first_17: str) -> str:
    total = sum(
        _USCC_ALPHABET.index(char) * weight
        for char, weight in zip(first_17, _USCC_WEIGHTS, strict=True)
    )
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def make_uscc(first_17: str) -> str:
    return first_17 + uscc_check(first_17)


def rejection(raw: str, **kwargs: object) -> ValidationError:
    kwargs.setdefault("today", TODAY)
    with pytest.raises(ValidationError) as excinfo:
        parse_citizen_id(raw, **kwargs)  # type: ignore[arg-type]
    return excinfo.value


def uscc_rejection(raw: str) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        parse_uscc(raw)
    return excinfo.value


# --- citizen IDs: what a valid number yields ---


def test_the_test_helper_reproduces_the_gb_11643_example() -> None:
    assert make_id("110105", "19491231", "002") == "11010519491231002X"


def test_check_char_helper_agrees_with_the_standard_for_many_numbers() -> None:
    rng = random.Random(11643)
    for _ in range(500):
        first_17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert citizen_id_check_char(first_17) == ric_check(first_17)


def test_it_accepts_a_valid_number_and_reads_its_parts() -> None:
    number = make_id("410102", "19850315", "123")
    parsed = parse_citizen_id(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date == datetime.date(1985, 3, 15)
    assert parsed.birthplace_code == "410102"
    assert parsed.sex == MALE
    assert parsed.warnings == ()


def test_it_accepts_the_gb_example_with_check_char_x() -> None:
    parsed = parse_citizen_id("11010519491231002X", today=TODAY)
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.sex == FEMALE


def test_it_accepts_gushi_number_born_before_1998() -> None:
    # python-stdnum 2.2's validate() rejects this: it dates 411525 from 1998 on.
    parsed = parse_citizen_id(make_id(GUSHI, "19800101", "001"), today=TODAY)
    assert parsed.birthplace_code == GUSHI
    assert parsed.birth_date == datetime.date(1980, 1, 1)


@pytest.mark.parametrize("sequence", ["001", "013", "995", "109"])
def test_an_odd_sequence_number_means_male(sequence: str) -> None:
    assert parse_citizen_id(make_id(sequence=sequence), today=TODAY).sex == MALE


@pytest.mark.parametrize("sequence", ["000", "002", "998", "110"])
def test_an_even_sequence_number_means_female(sequence: str) -> None:
    assert parse_citizen_id(make_id(sequence=sequence), today=TODAY).sex == FEMALE


def test_sex_labels_are_chinese() -> None:
    assert sex_label(MALE) == "男"
    assert sex_label(FEMALE) == "女"
    with pytest.raises(ValueError):
        sex_label("unknown")


def test_a_parsed_citizen_id_is_immutable() -> None:
    parsed = parse_citizen_id(make_id(), today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.number = "x"  # type: ignore[misc]


def test_a_person_born_today_is_accepted() -> None:
    parse_citizen_id(make_id(birth="20250601"), today=TODAY)


def test_a_person_born_on_1900_01_01_is_accepted() -> None:
    parse_citizen_id(make_id(birth="19000101"), today=TODAY)


def test_it_defaults_today_without_django_settings_breaking() -> None:
    assert parse_citizen_id(make_id()).birth_date == datetime.date(1980, 1, 1)


# --- citizen IDs: normalisation ---


def test_it_accepts_full_width_digits_and_full_width_x() -> None:
    number = make_id("110105", "19491231", "002")
    full_width = number[:17].translate({ord(str(i)): 0xFF10 + i for i in range(10)}) + "Ｘ"
    assert parse_citizen_id(full_width, today=TODAY).number == number


def test_it_upper_cases_a_lower_case_x() -> None:
    assert parse_citizen_id("11010519491231002x", today=TODAY).number == "11010519491231002X"
    assert normalise_citizen_id("11010519491231002ｘ") == "11010519491231002X"


def test_it_strips_surrounding_whitespace_including_the_ideographic_space() -> None:
    number = make_id()
    assert parse_citizen_id(f"\u3000 {number}\t\n", today=TODAY).number == number


def test_normalisation_leaves_inner_separators_so_they_are_rejected() -> None:
    number = make_id()
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    assert normalise_citizen_id(spaced) == spaced
    assert rejection(spaced).code == "length"


# --- citizen IDs: every rejection reason ---


@pytest.mark.parametrize("raw", ["", "   ", "\u3000"])
def test_it_rejects_an_empty_number(raw: str) -> None:
    assert rejection(raw).code == "empty"


@pytest.mark.parametrize("length", [1, 14, 16, 17, 19, 20])
def test_it_rejects_a_wrong_length_and_says_how_many_characters_were_given(length: int) -> None:
    raw = (make_id() * 2)[:length]
    error = rejection(raw)
    assert error.code == "length"
    assert f"{length} 位" in error.messages[0]


@pytest.mark.parametrize("position", [0, 5, 6, 13, 14, 16])
def test_it_rejects_a_non_digit_in_the_first_17_positions(position: int) -> None:
    number = make_id()
    raw = number[:position] + "X" + number[position + 1 :]
    assert rejection(raw).code == "format"


def test_it_rejects_digits_from_other_scripts() -> None:
    number = make_id()
    raw = number[:3] + "\u0663" + number[4:]  # ARABIC-INDIC DIGIT THREE
    assert rejection(raw).code == "format"


@pytest.mark.parametrize("last", ["A", "Y", "*", "-"])
def test_it_rejects_an_invalid_last_character(last: str) -> None:
    assert rejection(make_id()[:17] + last).code == "format"


@pytest.mark.parametrize("birth", ["19990230", "19991301", "19990001", "19990100", "19000229"])
def test_it_rejects_an_impossible_birth_date(birth: str) -> None:
    assert rejection(make_id(birth=birth)).code == "birth_date"


def test_it_accepts_29_february_in_a_leap_year() -> None:
    parsed = parse_citizen_id(make_id(birth="20000229"), today=TODAY)
    assert parsed.birth_date == datetime.date(2000, 2, 29)


def test_it_rejects_a_birth_date_after_today() -> None:
    assert rejection(make_id(birth="20250602")).code == "birth_date_future"


def test_it_rejects_a_birth_date_before_1900() -> None:
    assert rejection(make_id(birth="18991231")).code == "birth_date_too_early"


def test_it_rejects_a_wrong_check_character_without_revealing_the_right_one() -> None:
    number = make_id("110105", "19491231", "002")
    error = rejection(wrong_check(number))
    assert error.code == "checksum"
    assert "X" not in error.messages[0]
    assert number[:17] not in error.messages[0]


def test_it_rejects_a_single_mistyped_digit() -> None:
    number = make_id(sequence="123")
    raw = number[:15] + ("3" if number[15] != "3" else "4") + number[16:]
    assert rejection(raw).code == "checksum"


# --- citizen IDs: birthplace codes ---


def test_an_unknown_birthplace_code_is_a_warning_not_a_rejection() -> None:
    parsed = parse_citizen_id(make_id("411599"), today=TODAY, known_region_codes={GUSHI})
    assert parsed.birthplace_code == "411599"
    assert len(parsed.warnings) == 1
    assert "411599" in parsed.warnings[0]


def test_a_known_birthplace_code_gives_no_warning() -> None:
    parsed = parse_citizen_id(make_id(GUSHI), today=TODAY, known_region_codes=frozenset({GUSHI}))
    assert parsed.warnings == ()


def test_birthplace_codes_are_not_checked_when_no_list_is_given() -> None:
    assert parse_citizen_id(make_id("999999"), today=TODAY).warnings == ()


# --- citizen IDs: legacy 15-digit numbers ---


LEGACY = "411525800101001"  # 固始县, 1980-01-01, sequence 001


def test_a_legacy_15_digit_number_is_rejected_by_default() -> None:
    assert rejection(LEGACY).code == "legacy"


def test_a_legacy_15_digit_number_is_converted_when_allowed() -> None:
    parsed = parse_citizen_id(LEGACY, today=TODAY, allow_legacy=True)
    assert parsed.number == make_id(GUSHI, "19800101", "001")
    assert parsed.birth_date == datetime.date(1980, 1, 1)
    assert parsed.sex == MALE
    assert len(parsed.warnings) == 1
    assert "15" in parsed.warnings[0]


def test_a_converted_legacy_number_can_still_get_a_birthplace_warning() -> None:
    parsed = parse_citizen_id(LEGACY, today=TODAY, allow_legacy=True, known_region_codes={"411500"})
    assert len(parsed.warnings) == 2


def test_a_legacy_number_with_a_non_digit_is_rejected_even_when_allowed() -> None:
    error = rejection(LEGACY[:14] + "X", allow_legacy=True)
    assert error.code == "format"


def test_a_legacy_number_with_an_impossible_date_is_rejected_even_when_allowed() -> None:
    error = rejection("411525990230001", allow_legacy=True)
    assert error.code == "birth_date"


def test_allowing_legacy_numbers_still_accepts_18_digit_numbers() -> None:
    number = make_id()
    parsed = parse_citizen_id(number, today=TODAY, allow_legacy=True)
    assert parsed.number == number
    assert parsed.warnings == ()


def test_allowing_legacy_numbers_does_not_allow_other_lengths() -> None:
    assert rejection(LEGACY[:14], allow_legacy=True).code == "length"


# --- citizen IDs: masking ---


def test_masking_shows_only_the_last_two_characters() -> None:
    assert mask_citizen_id("41152519800101123X") == "****************3X"


def test_a_parsed_number_offers_its_masked_form() -> None:
    number = make_id()
    assert parse_citizen_id(number, today=TODAY).masked == "*" * 16 + number[-2:]


def test_masking_a_number_of_another_length_shows_only_the_last_two() -> None:
    assert mask_citizen_id(LEGACY) == "*" * 13 + "01"


def test_masking_never_reveals_a_whole_short_value() -> None:
    assert mask_citizen_id("12345") == "***45"
    assert mask_citizen_id("1234") == "****"
    assert mask_citizen_id("") == ""


def test_masking_normalises_first() -> None:
    assert mask_citizen_id(" 41152519800101123ｘ ") == "****************3X"


def test_age_counts_full_years_up_to_the_birthday() -> None:
    birth = datetime.date(1980, 3, 15)
    assert age_on(birth, datetime.date(2025, 3, 14)) == 44
    assert age_on(birth, datetime.date(2025, 3, 15)) == 45
    assert age_on(datetime.date(2000, 2, 29), datetime.date(2025, 2, 28)) == 24
    assert age_on(datetime.date(2000, 2, 29), datetime.date(2025, 3, 1)) == 25
    assert age_on(datetime.date(2025, 6, 1), datetime.date(2025, 6, 1)) == 0


# --- unified social credit codes ---


REAL_USCC = "91110000600037341L"


def test_the_uscc_test_helper_reproduces_a_real_code() -> None:
    assert make_uscc(REAL_USCC[:17]) == REAL_USCC


def test_uscc_check_char_agrees_with_the_standard_over_the_full_alphabet() -> None:
    rng = random.Random(32100)
    for _ in range(500):
        first_17 = "".join(rng.choice(_USCC_ALPHABET) for _ in range(17))
        assert uscc_check_char(first_17) == uscc_check(first_17)


def test_it_accepts_a_real_uscc_and_reads_its_parts() -> None:
    parsed = parse_uscc(REAL_USCC)
    assert parsed.code == REAL_USCC
    assert parsed.authority == "9"
    assert parsed.kind == "1"
    assert parsed.division_code == "110000"
    assert parsed.authority_label == "工商"
    assert parsed.kind_label == "企业"


@pytest.mark.parametrize(
    ("kind", "label"),
    [("1", "社会团体"), ("2", "民办非企业单位"), ("3", "基金会"), ("9", "其他")],
)
def test_civil_affairs_codes_are_labelled_by_kind(kind: str, label: str) -> None:
    parsed = parse_uscc(make_uscc(f"5{kind}411525MJY123456"))
    assert parsed.authority_label == "民政"
    assert parsed.kind_label == label
    assert parsed.division_code == GUSHI


def test_an_unlisted_authority_or_kind_has_empty_labels() -> None:
    parsed = parse_uscc(make_uscc("X1411525MJY123456"))
    assert (parsed.authority_label, parsed.kind_label) == ("", "")
    assert parse_uscc(make_uscc("58411525MJY123456")).kind_label == ""


def test_a_uscc_whose_check_char_is_a_letter_or_zero_is_accepted() -> None:
    rng = random.Random(5)
    seen: set[str] = set()
    while not {"0", "Y"} <= seen:
        first_17 = "52411525" + "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
        code = make_uscc(first_17)
        parse_uscc(code)
        seen.add(code[-1])


def test_it_rejects_a_uscc_with_a_wrong_check_char() -> None:
    assert uscc_rejection(REAL_USCC[:17] + "M").code == "checksum"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_it_rejects_a_uscc_with_a_forbidden_letter_and_names_it(letter: str) -> None:
    error = uscc_rejection(REAL_USCC[:10] + letter + REAL_USCC[11:])
    assert error.code == "format"
    assert letter in error.messages[0]


@pytest.mark.parametrize("char", ["-", "*", "中"])
def test_it_rejects_a_uscc_with_other_characters(char: str) -> None:
    assert uscc_rejection(REAL_USCC[:12] + char + REAL_USCC[13:]).code == "format"


def test_it_rejects_a_uscc_whose_division_code_is_not_digits() -> None:
    assert uscc_rejection(make_uscc("5241152AMJY123456")).code == "format"


@pytest.mark.parametrize("length", [9, 15, 17, 19])
def test_it_rejects_a_uscc_of_the_wrong_length_and_says_how_long_it_was(length: int) -> None:
    error = uscc_rejection((REAL_USCC * 2)[:length])
    assert error.code == "length"
    assert f"{length} 位" in error.messages[0]


@pytest.mark.parametrize("raw", ["", " ", "\u3000"])
def test_it_rejects_an_empty_uscc(raw: str) -> None:
    assert uscc_rejection(raw).code == "empty"


def test_it_normalises_a_lower_case_full_width_uscc() -> None:
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in REAL_USCC.lower())
    assert normalise_uscc(f"\u3000{full_width} ") == REAL_USCC
    assert parse_uscc(f" {REAL_USCC.lower()}\t").code == REAL_USCC
