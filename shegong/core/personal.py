"""Personal numbers in free-form values, found and masked for display and export.

The audit trail keeps what services wrote, including the full ID number of a member who was
removed (it is the evidence of who was removed, and the trail is append-only anyway). So the
trail is masked where it is read: the audit page, the API and the export pass `changes` and
`target_repr` through `mask_personal_numbers`, which walks nested dicts and lists and masks

- every citizen ID number: 18 characters whose check character is right and whose birth date
  exists, or 15 digits whose birth date exists (the first-generation numbers), as
  `mask_citizen_id` masks them everywhere else;
- every mainland mobile number (11 digits starting 13–19), as ``138****5678``.

A number counts only when no other letter or digit touches it, so a 12-digit region code or a
longer reference is left alone. Seeing the numbers whole is an explicit, logged action.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

from .idnumbers import LEGACY_CITIZEN_ID_LENGTH, mask_citizen_id, parse_citizen_id

# ASCII only: \d would also take Arabic-Indic and other digits, which no ID number holds.
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")


def is_citizen_id(text: str) -> bool:
    """Whether `text` is a well-formed citizen ID number (18 characters, or 15 digits)."""
    try:
        parse_citizen_id(text, allow_legacy=len(text) == LEGACY_CITIZEN_ID_LENGTH)
    except ValidationError:
        return False
    return True


def mask_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:]


def _mask_text(text: str, counter: list[int]) -> str:
    def ids(match: re.Match[str]) -> str:
        if not is_citizen_id(match.group()):
            return match.group()
        counter[0] += 1
        return mask_citizen_id(match.group())

    def mobiles(match: re.Match[str]) -> str:
        counter[0] += 1
        return mask_mobile(match.group())

    # IDs first: a masked ID keeps only 8 digits, too few to be taken for a phone.
    return _MOBILE.sub(mobiles, _ID_CANDIDATE.sub(ids, text))


def _walk(value: Any, counter: list[int]) -> Any:
    if isinstance(value, str):
        return _mask_text(value, counter)
    if isinstance(value, dict):
        return {k: _walk(v, counter) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v, counter) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        # A number typed into a numeric field still is a personal number.
        masked = _mask_text(str(value), counter)
        return value if masked == str(value) else masked
    return value


def mask_personal_numbers(value: Any) -> tuple[Any, int]:
    """`value` with every personal number masked, and how many were masked."""
    counter = [0]
    masked = _walk(value, counter)
    return masked, counter[0]
