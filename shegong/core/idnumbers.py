"""Citizen ID numbers (居民身份证号码) and unified social credit codes (统一社会信用代码).

Pure functions: no models, no database, importable without Django settings. Messages are
translated when an error is raised, not at import, so the module loads before settings do.
"""

from __future__ import annotations

import datetime
from collections.abc import Container
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

MALE = "male"
FEMALE = "female"

CITIZEN_ID_LENGTH = 18
LEGACY_CITIZEN_ID_LENGTH = 15
# Nobody alive was born earlier; older dates are typing errors in the year.
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

USCC_LENGTH = 18
# GB 32100-2015 leaves out I, O, Z, S and V, which are easily mistaken for 1, 0, 2, 5 and U.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# Full-width forms U+FF01..U+FF5E sit at a fixed offset from ASCII U+0021..U+007E; people
# typing with a Chinese input method in full-width mode produce them.
_FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# For citizen IDs only digits and X may be converted; anything else must stay visible as an
# error rather than be silently "repaired".
_CITIZEN_ID_TRANSLATION = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    ord("Ｘ"): ord("X"),
    ord("ｘ"): ord("X"),
    ord("x"): ord("X"),
}


@dataclass(frozen=True)
class CitizenId:
    number: str
    birth_date: datetime.date
    sex: str
    birthplace_code: str
    warnings: tuple[str, ...] = ()

    @property
    def masked(self) -> str:
        return mask_citizen_id(self.number)


@dataclass(frozen=True)
class Uscc:
    code: str
    authority: str
    kind: str
    division_code: str
    authority_label: str
    kind_label: str


def normalise_citizen_id(raw: str) -> str:
    """Strip surrounding whitespace and convert full-width digits and x/X to ASCII."""
    # str.strip() already treats the ideographic space U+3000 as whitespace.
    return raw.strip().translate(_CITIZEN_ID_TRANSLATION)


def citizen_id_check_char(first_17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 digits."""
    # stdnum's helper ignores the last character of its argument, so pad with a placeholder.
    return stdnum_ric.calc_check_digit(first_17 + "0")


def parse_citizen_id(
    raw: str,
    *,
    today: datetime.date | None = None,
    known_region_codes: Container[str] | None = None,
    allow_legacy: bool = False,
) -> CitizenId:
    """Validate a citizen ID number and return what it encodes.

    Raises ValidationError for anything that cannot be a real number. A birthplace code missing
    from ``known_region_codes`` is only a warning: counties have been renumbered and merged
    over the years, but people keep the number they were issued.

    With ``allow_legacy``, a 15-digit first-generation number is converted to 18 digits.

    We deliberately do not gate on ``stdnum.cn.ric.validate``/``is_valid``: python-stdnum 2.2
    checks the birthplace code against the year of birth and rejects, for example, every
    固始县 (411525) number of a person born before 1998, although those numbers are valid.
    """
    number = normalise_citizen_id(raw)
    warnings: list[str] = []
    if not number:
        raise ValidationError(_("请填写身份证号码。"), code="empty")
    if allow_legacy and len(number) == LEGACY_CITIZEN_ID_LENGTH:
        if not number.isascii() or not number.isdigit():
            raise ValidationError(_("15 位旧身份证号码只能由数字组成。"), code="format")
        number = _convert_legacy(number)
        warnings.append(_("已将 15 位旧身份证号码转换为 18 位，请核对。"))
    elif len(number) == LEGACY_CITIZEN_ID_LENGTH and number.isascii() and number.isdigit():
        raise ValidationError(
            _("这是 15 位旧身份证号码，请填写 18 位身份证号码。"),
            code="legacy",
        )
    elif len(number) != CITIZEN_ID_LENGTH:
        raise ValidationError(
            _("身份证号码应为 18 位，当前为 %(count)d 位。"),
            code="length",
            params={"count": len(number)},
        )

    _check_citizen_id_characters(number)
    birth_date = _birth_date(number, today=today)
    if number[-1] != citizen_id_check_char(number[:17]):
        # Never name the expected character: it would help complete a guessed number.
        raise ValidationError(_("身份证号码校验位错误。"), code="checksum")

    birthplace_code = number[:6]
    if known_region_codes is not None and birthplace_code not in known_region_codes:
        warnings.append(birthplace_message(birthplace_code))
    return CitizenId(
        number=number,
        birth_date=birth_date,
        sex=MALE if int(number[16]) % 2 else FEMALE,
        birthplace_code=birthplace_code,
        warnings=tuple(warnings),
    )


def birthplace_message(code: str) -> str:
    """The warning for a birthplace code that is not a current division (accepted anyway)."""
    return _("出生地代码 %(code)s 不在现行区划中，可能是旧代码，请核对。") % {"code": code}


def _convert_legacy(number: str) -> str:
    # First-generation numbers were issued to people born in the 1900s only, hence "19".
    first_17 = number[:6] + "19" + number[6:]
    return first_17 + citizen_id_check_char(first_17)


def _check_citizen_id_characters(number: str) -> None:
    # isascii() first: str.isdigit() also accepts e.g. Arabic-Indic or superscript digits.
    first_17 = number[:17]
    if not (first_17.isascii() and first_17.isdigit()):
        raise ValidationError(_("身份证号码前 17 位只能是数字。"), code="format")
    if number[17] not in "0123456789X":
        raise ValidationError(_("身份证号码最后一位只能是数字或 X。"), code="format")


def _birth_date(number: str, *, today: datetime.date | None) -> datetime.date:
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期不存在，请核对第 7 至 14 位。"), code="birth_date"
        ) from None
    if birth_date > (today or _today()):
        raise ValidationError(
            _("身份证号码中的出生日期晚于今天，请核对。"), code="birth_date_future"
        )
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _("身份证号码中的出生日期早于 1900 年，请核对。"), code="birth_date_too_early"
        )
    return birth_date


def _today() -> datetime.date:
    # The platform's day is Beijing time; fall back gracefully when settings are absent
    # (scripts, tests without Django) or USE_TZ is off (localdate() refuses naive times).
    try:
        from django.utils import timezone

        return timezone.localdate()
    except (ImproperlyConfigured, ValueError):
        pass
    try:
        return datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    except ZoneInfoNotFoundError:
        return datetime.date.today()


# How many trailing characters a masked ID number shows. With the age (not the birth date) and
# the sex beside it, the last 2 characters leave about 3,300 numbers per birthplace (365 days x
# 100 sequences, 1 in 11 passing the check character); 4 characters with the birth date left 1.
MASK_VISIBLE_TAIL = 2


def mask_citizen_id(number: str) -> str:
    """Show only the last 2 characters, e.g. ``****************3X``.

    The birthplace, birth date and sequence are all hidden: a village code on the same page
    gives the birthplace away, and the birth date with the sequence gives back the rest
    (see docs/decisions.md). Strings of 4 characters or fewer are masked entirely, so that
    masking never reveals a whole value.
    """
    number = normalise_citizen_id(number)
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - MASK_VISIBLE_TAIL) + number[-MASK_VISIBLE_TAIL:]


def age_on(birth_date: datetime.date, today: datetime.date | None = None) -> int:
    """Full years of age on `today` (Beijing time when not given); never negative."""
    today = today or _today()
    years = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    return max(years, 0)


def sex_label(sex: str) -> str:
    if sex == MALE:
        return _("男")
    if sex == FEMALE:
        return _("女")
    raise ValueError(f"unknown sex {sex!r}")


def gettext_noop(message: str) -> str:
    """Mark a message for makemessages without translating it now.

    Django's own gettext_noop reads settings, which would make this module unimportable
    before settings are configured; makemessages only looks for the name.
    """
    return message


# GB 32100-2015, table 1: position 1, the registering authority.
_USCC_AUTHORITIES = {
    "1": gettext_noop("机构编制"),
    "2": gettext_noop("外交"),
    "3": gettext_noop("司法行政"),
    "4": gettext_noop("文化"),
    "5": gettext_noop("民政"),
    "6": gettext_noop("旅游"),
    "7": gettext_noop("宗教"),
    "8": gettext_noop("工会"),
    "9": gettext_noop("工商"),
    "A": gettext_noop("中央军委改革和编制办公室"),
    "N": gettext_noop("农业"),
    "Y": gettext_noop("其他"),
}
# Position 2, the kind of entity, which depends on the authority. Only the authorities the
# platform meets are listed: social work organisations register with civil affairs (5); service
# stations are also public institutions (1) or enterprises (9).
_USCC_KINDS = {
    "1": {
        "1": gettext_noop("机关"),
        "2": gettext_noop("事业单位"),
        "3": gettext_noop("群众团体"),
        "9": gettext_noop("其他"),
    },
    "5": {
        "1": gettext_noop("社会团体"),
        "2": gettext_noop("民办非企业单位"),
        "3": gettext_noop("基金会"),
        "9": gettext_noop("其他"),
    },
    "9": {
        "1": gettext_noop("企业"),
        "2": gettext_noop("个体工商户"),
        "3": gettext_noop("农民专业合作社"),
    },
}


def normalise_uscc(raw: str) -> str:
    """Strip surrounding whitespace, convert full-width characters to ASCII, upper-case."""
    return raw.strip().translate(_FULL_WIDTH_TO_ASCII).upper()


def uscc_check_char(first_17: str) -> str:
    """The GB 32100-2015 (mod 31) check character for the first 17 characters."""
    # stdnum's helper uses the full 31-character alphabet and ignores an 18th character.
    return stdnum_uscc.calc_check_digit(first_17)


def parse_uscc(raw: str) -> Uscc:
    """Validate a unified social credit code and split it into its parts."""
    code = normalise_uscc(raw)
    if not code:
        raise ValidationError(_("请填写统一社会信用代码。"), code="empty")
    if len(code) != USCC_LENGTH:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，当前为 %(count)d 位。"),
            code="length",
            params={"count": len(code)},
        )
    forbidden = sorted({char for char in code if char not in USCC_ALPHABET})
    if forbidden:
        raise ValidationError(
            _(
                "统一社会信用代码含有不允许的字符：%(chars)s。"
                "代码只由数字和大写字母组成，且不使用 I、O、Z、S、V。"
            ),
            code="format",
            params={"chars": "、".join(forbidden)},
        )
    division_code = code[2:8]
    if not division_code.isdigit():
        raise ValidationError(
            _("统一社会信用代码第 3 至 8 位是行政区划代码，只能是数字。"), code="format"
        )
    if code[-1] != uscc_check_char(code[:17]):
        raise ValidationError(_("统一社会信用代码校验位错误。"), code="checksum")
    authority, kind = code[0], code[1]
    return Uscc(
        code=code,
        authority=authority,
        kind=kind,
        division_code=division_code,
        authority_label=_label(_USCC_AUTHORITIES.get(authority, "")),
        kind_label=_label(_USCC_KINDS.get(authority, {}).get(kind, "")),
    )


def _label(msgid: str) -> str:
    # An unknown authority or kind is not an error (the standard allows more than we list).
    return _(msgid) if msgid else ""
