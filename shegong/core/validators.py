"""Field rules shared by the importer, the forms and the API: one function per field.

Model fields carry these as `validators=[...]`, so ModelForms, DRF ModelSerializers and
services' `full_clean()` apply them; the registry importer calls the same functions (and the
same compiled expressions) on each row. Each message names the field and, where useful, the
value, so that a refused import row reads the same as a refused form or API field.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# Control characters (Cc), and the invisible format characters (Cf) people paste by accident or
# use to disguise text: soft hyphen, zero-width space/joiners and marks U+200B–U+200F, bidi
# embeddings and overrides U+202A–U+202E, word joiner and invisible operators U+2060–U+2064,
# bidi isolates U+2066–U+2069 and the rest to U+206F, BOM, interlinear annotation marks.
INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb]"
)
# Mainland mobile (11 digits, 13x–19x), or a landline with its area code (010, 0376…),
# optionally followed by an extension ("转123", "-123").
PHONE = re.compile(r"(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:(?:转|-|#)\d{1,6})?)")
# The registry's 户编号: ASCII letters, digits and hyphens, 6 to 32 of them (no path characters).
HOUSEHOLD_NUMBER = re.compile(r"[0-9A-Za-z-]{6,32}")
YEAR_MIN = 1949
YEAR_MAX = 2100


def invisible_problem(label: str, value: str) -> str | None:
    """The message for a text with control or invisible characters; None when clean."""
    if INVISIBLE.search(value) is None:
        return None
    return _("%(label)s不能包含控制字符、零宽字符或文字方向控制符。") % {"label": label}


def phone_problem(label: str, value: str) -> str | None:
    if PHONE.fullmatch(value):
        return None
    return _(
        "%(label)s“%(value)s”格式不正确,应为手机号(如 13812345678)"
        "或带区号的固定电话(如 0376-4912345)。"
    ) % {"label": label, "value": value}


def household_number_problem(value: str) -> str | None:
    if HOUSEHOLD_NUMBER.fullmatch(value):
        return None
    return _("户编号“%(value)s”格式不正确,应为 6 至 32 位数字或字母。") % {"value": value}


def non_negative_problem(label: str, value: Any) -> str | None:
    if value is None or Decimal(value) >= 0:
        return None
    # Shown as typed: the API's decimal field has already padded "-5" to "-5.00".
    shown = format(value.normalize(), "f") if isinstance(value, Decimal) else value
    return _("%(label)s“%(value)s”应为不小于 0 的数字。") % {"label": label, "value": shown}


def year_problem(label: str, value: int | None) -> str | None:
    if value is None or YEAR_MIN <= value <= YEAR_MAX:
        return None
    return _("%(label)s应在 %(min)d 至 %(max)d 年之间。") % {
        "label": label,
        "min": YEAR_MIN,
        "max": YEAR_MAX,
    }


@deconstructible
class _Rule:
    """A model-field validator around one of the functions above (migrations can name it)."""

    kind = ""

    def __init__(self, label: str = ""):
        self.label = label

    def problem(self, value: Any) -> str | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __call__(self, value: Any) -> None:
        if value in (None, ""):
            return
        message = self.problem(value)
        if message:
            raise ValidationError(message, code=self.kind)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.label == other.label  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.label))


@deconstructible(path="shegong.core.validators.PlainText")
class PlainText(_Rule):
    """Names and other single-line texts: no control, zero-width or bidi characters."""

    kind = "invisible"

    def problem(self, value: Any) -> str | None:
        return invisible_problem(self.label, str(value))


@deconstructible(path="shegong.core.validators.Phone")
class Phone(_Rule):
    kind = "phone"

    def problem(self, value: Any) -> str | None:
        return phone_problem(self.label, str(value))


@deconstructible(path="shegong.core.validators.HouseholdNumber")
class HouseholdNumber(_Rule):
    kind = "household_number"

    def problem(self, value: Any) -> str | None:
        return household_number_problem(str(value))


@deconstructible(path="shegong.core.validators.NonNegative")
class NonNegative(_Rule):
    """Money, areas and distances: never below zero."""

    kind = "negative"

    def problem(self, value: Any) -> str | None:
        return non_negative_problem(self.label, value)


@deconstructible(path="shegong.core.validators.Year")
class Year(_Rule):
    kind = "year"

    def problem(self, value: Any) -> str | None:
        return year_problem(self.label, value)
