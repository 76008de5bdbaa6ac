"""Small checks on directory entries: pure functions, no ORM."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# Landlines, mobiles, hotlines (12338), extensions (转) and a second number after a separator.
PHONE_RE = re.compile(r"^[0-9()+\-\s转,、/]+$")
PHONE_MIN_DIGITS = 5
PHONE_MESSAGE = _("请填写有效的联系电话,例如 0376-4912345 或 13812345678。")


def phone_is_dialable(phone: str) -> bool:
    """Whether someone could dial it: phone characters only, and enough digits."""
    phone = phone.strip()
    return bool(PHONE_RE.match(phone)) and sum(c.isdigit() for c in phone) >= PHONE_MIN_DIGITS
