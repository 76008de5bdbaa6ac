"""Parsing what a request carries: one place, so that no value a user can send ends in a 500.

`str.isdigit()` and `int()` accept more than a database column holds: superscript and other
Unicode digits (`"²".isdigit()` is true, `int("²")` fails), full-width digits, and numbers of any
length (PostgreSQL refuses `WHERE id = 99999999999999999999`). Dates near the ends of the
calendar overflow as soon as a day is added or a time zone applied (`9999-12-31` + 1 day,
`0001-01-01` in UTC+8). The functions here accept only ASCII digits that fit the column and
dates in a range people mean, and answer None (or raise a ValidationError with a Chinese
message, for forms and serializers) for everything else.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# The widest integer column (PostgreSQL bigint, SQLite INTEGER): primary keys are BigAutoField.
BIGINT_MAX = 2**63 - 1
# Dates outside this range are typos or probes; inside it, adding a day or converting to UTC
# never overflows.
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)

_ASCII_INT = re.compile(r"[0-9]{1,19}")

DATE_RANGE_MESSAGE = _("日期应在 %(min)s 至 %(max)s 之间。")
ID_MESSAGE = _("编号应为正整数。")


def int_param(value: Any, *, min: int = 0, max: int = BIGINT_MAX) -> int | None:
    """`value` as an int when it is ASCII digits (an int passes as is) within [min, max]."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ASCII_INT.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if min <= number <= max else None


def id_param(value: Any) -> int | None:
    """A primary key as the database can hold it (1..2**63-1); None for anything else."""
    return int_param(value, min=1)


def date_param(value: Any) -> datetime.date | None:
    """An ISO date (YYYY-MM-DD) within DATE_MIN..DATE_MAX; None for anything else."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        if not isinstance(value, str) or not value.isascii():
            return None
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return value if DATE_MIN <= value <= DATE_MAX else None


def datetime_param(value: Any) -> datetime.datetime | None:
    """An ISO date-time whose date is within DATE_MIN..DATE_MAX, aware (a naive one is read in
    the current time zone); None for anything else."""
    if not isinstance(value, str) or not value.isascii():
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if not DATE_MIN <= parsed.date() <= DATE_MAX:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def validate_date_range(value: datetime.date | None) -> None:
    """Validator for every date a user types: inside DATE_MIN..DATE_MAX."""
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(
            DATE_RANGE_MESSAGE,
            code="date_range",
            params={"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
        )


class BoundedDateField(forms.DateField):
    """A form date field that refuses dates outside DATE_MIN..DATE_MAX, next to the field."""

    default_validators = [validate_date_range]


class BoundedIdField(forms.IntegerField):
    """A form field for a record's id: a positive integer a bigint column holds."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)


class ApiDateField(serializers.DateField):
    """The API's date field, bounded like the forms' (DATE_MIN..DATE_MAX)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("validators", [])
        kwargs["validators"] = [*kwargs["validators"], validate_date_range]
        super().__init__(**kwargs)


class ApiIdField(serializers.IntegerField):
    """The API's field for a record's id: a positive integer a bigint column holds."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of records by id that refuses a value no id column can hold.

    Django passes the submitted values straight into `pk__in`; on SQLite an integer past
    2**63 raises OverflowError inside the query. Here such a value is an invalid choice.
    """

    def _check_values(self, value):
        if not isinstance(value, list | tuple):
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        for v in value:
            if id_param(v) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": v},
                )
        return super()._check_values(value)
