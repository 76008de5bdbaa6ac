"""The columns of a registry import file and what one row of it means.

`map_headers()` finds the columns (accepting the usual aliases); `RowChecker.check()` turns one
row of raw cells into a normalised record (`Row`) or a list of reasons, in Chinese, why it cannot
be imported. Everything here looks at one row at a time; what needs the whole file (a household
without a head, an ID number that appears twice) and what needs the registry (who already
exists) is decided in `engine`.

A blank cell means "not given": on an update the registry keeps what it has, on a new record
the field takes its default. Columns missing from the file are treated the same way.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from shegong.core.idnumbers import (
    EARLIEST_BIRTH_DATE,
    FEMALE,
    MALE,
    citizen_id_check_char,
    normalise_citizen_id,
    parse_citizen_id,
)
from shegong.core.validators import HOUSEHOLD_NUMBER, invisible_problem, phone_problem

from .. import codes
from ..birthplaces import HenanCodes
from ..codes import Cause, Education, Health, HouseholdType, InSchool, Labour, Relation, Sex
from ..codes import WorkStatus as Work
from ..record_rules import cause_problems, messages, person_problems

COLUMNS: tuple[str, ...] = (
    "户编号",
    "行政区划代码",
    "与户主关系",
    "姓名",
    "证件号码",
    "性别",
    "民族",
    "文化程度",
    "在校情况",
    "健康状况",
    "劳动能力",
    "务工状况",
    "务工月数",
    "是否低保",
    "贫困户属性",
    "主要致贫原因",
    "其他致贫原因",
    "家庭年人均纯收入",
    "住址",
    "联系电话",
)
# Accepted when present, not in the template: checked against the ID number.
EXTRA_COLUMNS: tuple[str, ...] = ("出生日期",)
REQUIRED: tuple[str, ...] = ("户编号", "行政区划代码", "与户主关系", "姓名", "证件号码")
ID_COLUMN = "证件号码"

HEADER_ALIASES: dict[str, str] = {
    "身份证号": "证件号码",
    "身份证号码": "证件号码",
    "公民身份号码": "证件号码",
    "证件号": "证件号码",
    "区划代码": "行政区划代码",
    "村代码": "行政区划代码",
    "户号": "户编号",
    "关系": "与户主关系",
    "家庭人均纯收入": "家庭年人均纯收入",
    "人均纯收入": "家庭年人均纯收入",
    "务工时间": "务工月数",
    "务工时间(月)": "务工月数",
    "务工时间（月）": "务工月数",
    "是否低保户": "是否低保",
    "是否低保对象": "是否低保",
    "电话": "联系电话",
    "出生年月日": "出生日期",
}


class Row(NamedTuple):
    """A normalised row. Person fields that are None were not given. Plain values only (str,
    int, bool, None, tuple): a tuple subclass, it crosses the pipe from a checking process as
    a plain tuple and is named again on arrival (`checking.to_wire`, `from_wire`); by name it
    reads as fast as by index. Birth dates are ISO strings, income a decimal string."""

    number: str
    region: str
    relation: str
    name: str
    id_number: str
    sex: str
    birth: str
    ethnicity: str | None
    education: str | None
    in_school: str | None
    health: str | None
    labour: str | None
    work: str | None
    months: int | None
    dibao: bool | None
    household_type: str | None
    main_cause: str | None
    causes: tuple[str, ...] | None
    income: str | None
    address: str | None
    phone: str | None


class Checked(NamedTuple):
    """What `RowChecker.check` says of one row."""

    raw: tuple[str, ...]  # the cells as text
    number: str  # household number, "" when unusable
    id_number: str  # "" when unusable
    row: Row | None  # None when rejected
    errors: list[str]


_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_REGION_CODE = re.compile(r"^\d{12}$")
_CAUSE_SPLIT = re.compile(r"[、,，;；/／\s]+")
_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")
_YES = {"是", "1", "y", "yes", "true", "有"}
_NO = {"否", "0", "n", "no", "false", "无"}
_MAX_EXACT_FLOAT = 2**53
_MAX_INCOME = Decimal("1e10")
_CENTS = Decimal("0.01")
_MONTHS = {str(m): m for m in range(13)}

# Code columns: header → choices.
_CODE_COLUMNS: dict[str, type[models.TextChoices]] = {
    "与户主关系": Relation,
    "性别": Sex,
    "文化程度": Education,
    "在校情况": InSchool,
    "健康状况": Health,
    "劳动能力": Labour,
    "务工状况": Work,
    "贫困户属性": HouseholdType,
    "主要致贫原因": Cause,
    "其他致贫原因": Cause,
}
# The code columns `_circumstances` reads, in the order of its answer.
_CIRCUMSTANCE_COLUMNS = (
    "文化程度",
    "在校情况",
    "健康状况",
    "劳动能力",
    "务工状况",
    "贫困户属性",
    "主要致贫原因",
)
MAX_LENGTHS = {"姓名": 50, "民族": 20, "住址": 200, "联系电话": 30}


class ImportRefused(Exception):
    """The whole file is refused (unreadable, or a required column is missing)."""


def clean_header(value: Any) -> str:
    """A header as people mean it: no spaces anywhere, aliases resolved."""
    text = "".join(cell_text(value).replace("\ufeff", "").split()).rstrip(":：*")
    return HEADER_ALIASES.get(text, text)


@dataclass(frozen=True)
class HeaderMap:
    headers: tuple[str, ...]  # as written in the file, for the error report
    index: dict[str, int]  # known column → position

    def missing(self) -> list[str]:
        return [c for c in REQUIRED if c not in self.index]


def map_headers(cells: Sequence[Any]) -> HeaderMap:
    index: dict[str, int] = {}
    known = set(COLUMNS) | set(EXTRA_COLUMNS)
    for i, cell in enumerate(cells):
        key = clean_header(cell)
        if key in known:
            if key in index:
                raise ImportRefused(
                    _("表头“%(column)s”出现了两次,请只保留一列。") % {"column": key}
                )
            index[key] = i
    return HeaderMap(headers=tuple(cell_text(c).strip() for c in cells), index=index)


def looks_like_header(cells: Sequence[Any]) -> bool:
    keys = {clean_header(c) for c in cells}
    return "姓名" in keys and ("证件号码" in keys or "户编号" in keys)


def cell_text(value: Any) -> str:
    """What a cell shows, as text. Integral numbers lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _MAX_EXACT_FLOAT:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _ascii(text: str) -> str:
    """Full-width digits and letters to ASCII, surrounding spaces removed."""
    text = text.strip()
    return text if text.isascii() else text.translate(_FULL_WIDTH)


class RowChecker:
    """Checks rows of one file. `region_problem(code)` answers None for a code rows may use,
    or the reason they may not (unknown, not a village or township, outside jurisdiction).

    Written for speed (it runs once per row of files with a million rows): positions are
    resolved once, code lookups and region answers are cached per distinct value.
    """

    def __init__(
        self,
        header: HeaderMap,
        *,
        region_problem: Callable[[str], str | None],
        known_birthplaces: set[str] | None = None,
        today: datetime.date | None = None,
    ):
        self.header = header
        self.width = len(header.headers)
        self.region_problem = region_problem
        self.today = today or datetime.date.today()
        self.known = HenanCodes(known_birthplaces) if known_birthplaces else None
        self.birthplace_warnings = 0
        # The birthplace code of the last row checked that got a birthplace warning; whoever
        # reads it (`checking.Judge`) sets it back to "".
        self.warned = ""
        # A missing column points one past the last cell, where an empty string waits.
        self.pos = {c: header.index.get(c, self.width) for c in (*COLUMNS, *EXTRA_COLUMNS)}
        self._codes: dict[str, dict[str, str | None]] = {c: {} for c in _CODE_COLUMNS}
        self._region_cache: dict[str, str | None] = {}
        self._births: dict[str, datetime.date | None] = {}

    # -- helpers -------------------------------------------------------------------------
    def _code(self, column: str, text: str, errors: list[str]) -> str | None:
        """The code for a non-blank cell of a code column; None (with an error) if unknown."""
        cache = self._codes[column]
        try:
            value = cache[text]
        except KeyError:
            value = codes.normalise(_CODE_COLUMNS[column], text)
            if len(cache) < 5_000:
                cache[text] = value
        if value is None:
            errors.append(unknown_code_message(column, text))
        return value

    def _region(self, code: str) -> str | None:
        try:
            return self._region_cache[code]
        except KeyError:
            problem = self.region_problem(code)
            self._region_cache[code] = problem
            return problem

    def _quick_id(self, number: str) -> tuple[str, str, datetime.date] | None:
        """(number, sex, birth date) of an ID number that `parse_citizen_id` accepts without a
        word, computed quicker (birth dates are cached); None for anything else, which then
        goes through `parse_citizen_id` for its message."""
        if len(number) != 18 or not number.isascii():
            return None
        first_17 = number[:17]
        if not first_17.isdigit():
            return None
        if citizen_id_check_char(first_17) != number[17]:
            return None
        digits = number[6:14]
        try:
            birth = self._births[digits]
        except KeyError:
            birth = self._births[digits] = _plausible_birth(digits, self.today)
        if birth is None:
            return None
        if self.known is not None and number[:6] not in self.known:
            self.birthplace_warnings += 1
            self.warned = number[:6]
        return number, (MALE if int(number[16]) % 2 else FEMALE), birth

    # -- one row -------------------------------------------------------------------------
    def relation_of(self, raw: Sequence[str]) -> str | None:
        """The relation code of a row's cells as text (None when blank or unknown): for the
        household checks of a household whose rows did not all pass."""
        i = self.pos["与户主关系"]
        text = raw[i].strip() if i < len(raw) else ""
        return codes.normalise(Relation, text) if text else None

    def household_of(self, cells: Sequence[Any]) -> str:
        """The household number `check` gives this row ("" when unusable)."""
        i = self.pos["户编号"]
        cell = cells[i] if i < len(cells) else None
        return _household_number(cell, cell if cell.__class__ is str else cell_text(cell))

    def keys(self, cells: Sequence[Any]) -> tuple[str, str]:
        """The household number `check` gives this row ("" when unusable) and the key its ID
        number is compared by ("" when not text): cheap, for the import's first pass over
        the file. A valid ID number equals its key."""
        i = self.pos["证件号码"]
        cell = cells[i] if i < len(cells) else None
        text = (cell if cell.__class__ is str else cell_text(cell)).strip()
        return self.household_of(cells), _id_key(cell, text) or ""

    def check(self, cells: Sequence[Any]) -> Checked:
        """The row's cells as text, its household number and ID number ("" when unusable),
        the normalised row (None when rejected) and every reason it is rejected, in column
        order."""
        width = self.width
        if len(cells) != width:
            cells = (list(cells) + [None] * width)[:width]
        raw = tuple([c if c.__class__ is str else cell_text(c) for c in cells])
        t = [c.strip() for c in raw]
        t.append("")  # what a missing column's position finds
        errors: list[str] = []
        number, region = self._place(cells, t, errors)
        relation, name, id_number, sex, birth = self._person(cells, t, errors)
        (
            education,
            in_school,
            health,
            labour,
            work,
            household_type,
            main_cause,
            months,
            dibao,
        ) = self._circumstances(t, errors)
        causes = self._causes(t, main_cause, errors)
        if months:
            errors.extend(
                messages(person_problems(health=health, work_status=work, months_away=months))
            )
        income = self._income(t, errors)
        ethnicity, address, phone = self._texts(t, errors)
        if errors:
            return Checked(raw, number, id_number, None, errors)
        assert birth is not None and relation is not None and sex is not None
        row = Row(
            number,
            region,
            relation,
            name,
            id_number,
            sex,
            birth.isoformat(),
            ethnicity,
            education,
            in_school,
            health,
            labour,
            work,
            months,
            dibao,
            household_type,
            main_cause,
            causes,
            income,
            address,
            phone,
        )
        return Checked(raw, number, id_number, row, errors)

    # -- the parts of one row, each adding its reasons to `errors` ---------------------------
    def _place(self, cells: Sequence[Any], t: list[str], errors: list[str]) -> tuple[str, str]:
        """户编号 and 行政区划代码: (household number or "", region code as written)."""
        i = self.pos["户编号"]
        cell = cells[i] if i < self.width else None
        number = _household_number(cell, t[i])
        if not number:
            shown = _ascii(t[i])
            if _rounded_by_excel(cell):
                errors.append(
                    _("户编号被 Excel 存成了数字,后几位可能已丢失,请把该列设为文本后重新填写。")
                )
            elif not shown:
                errors.append(_("“%(column)s”不能为空。") % {"column": "户编号"})
            else:
                errors.append(
                    _("户编号“%(value)s”格式不正确,应为 6 至 32 位数字或字母。") % {"value": shown}
                )
        region = _ascii(t[self.pos["行政区划代码"]])
        if not region:
            errors.append(_("“%(column)s”不能为空。") % {"column": "行政区划代码"})
        elif not _REGION_CODE.match(region):
            errors.append(_("行政区划代码“%(value)s”应为 12 位数字。") % {"value": region})
        elif problem := self._region(region):
            errors.append(problem)
        return number, region

    def _person(
        self, cells: Sequence[Any], t: list[str], errors: list[str]
    ) -> tuple[str | None, str, str, str | None, datetime.date | None]:
        """与户主关系, 姓名, 证件号码 and the 性别 and 出生日期 that must agree with it:
        (relation, name, ID number or "", sex, birth date)."""
        pos = self.pos
        relation = None
        relation_text = t[pos["与户主关系"]]
        if relation_text:
            relation = self._code("与户主关系", relation_text, errors)
        else:
            errors.append(_("“%(column)s”不能为空。") % {"column": "与户主关系"})

        name = t[pos["姓名"]]
        if not name:
            errors.append(_("“%(column)s”不能为空。") % {"column": "姓名"})
        elif len(name) > MAX_LENGTHS["姓名"]:
            errors.append(_("姓名过长(最多 %(max)d 个字)。") % {"max": MAX_LENGTHS["姓名"]})
        elif problem := invisible_problem("姓名", name):
            errors.append(problem)

        id_number, sex, birth = self._id_number(cells, t, errors)

        sex_text = t[pos["性别"]]
        if sex_text:
            given = self._code("性别", sex_text, errors)
            if given and sex and given != sex:
                errors.append(
                    _("性别“%(value)s”与证件号码不符(证件号码表示%(sex)s)。")
                    % {"value": sex_text, "sex": Sex(sex).label}
                )
        birth_text = t[pos["出生日期"]]
        if birth_text:
            given_birth = _parse_date(cells[pos["出生日期"]], birth_text)
            if given_birth is None:
                errors.append(
                    _("出生日期“%(value)s”无法识别,请写成 1980-01-01。") % {"value": birth_text}
                )
            elif birth and given_birth != birth:
                errors.append(
                    _("出生日期 %(value)s 与证件号码中的出生日期 %(id_birth)s 不符。")
                    % {"value": given_birth.isoformat(), "id_birth": birth.isoformat()}
                )
        return relation, name, id_number, sex, birth

    def _id_number(
        self, cells: Sequence[Any], t: list[str], errors: list[str]
    ) -> tuple[str, str | None, datetime.date | None]:
        """证件号码: (the normalised number or "", the sex and birth date it gives)."""
        i = self.pos["证件号码"]
        cell = cells[i] if i < self.width else None
        text = t[i]
        key = _id_key(cell, text)
        if key is None:
            errors.append(
                _("证件号码被 Excel 存成了数字,后几位已丢失,请把该列设为文本后重新填写。")
            )
        elif not text:
            errors.append(_("“%(column)s”不能为空。") % {"column": "证件号码"})
        elif (quick := self._quick_id(key)) is not None:
            return quick
        else:
            try:
                parsed = parse_citizen_id(key, today=self.today, known_region_codes=self.known)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                if parsed.warnings:
                    self.birthplace_warnings += 1
                    self.warned = parsed.birthplace_code
                return parsed.number, parsed.sex, parsed.birth_date
        return "", None, None

    def _circumstances(self, t: list[str], errors: list[str]) -> tuple[Any, ...]:
        """The code columns after the person's identity, then 务工月数 and 是否低保:
        (education, in_school, health, labour, work, household_type, main_cause, months,
        dibao), None for each one not given."""
        pos, code = self.pos, self._code
        found: list[Any] = []
        for column in _CIRCUMSTANCE_COLUMNS:
            value = t[pos[column]]
            found.append(code(column, value, errors) if value else None)

        months: int | None = None
        months_text = t[pos["务工月数"]]
        if months_text:
            months = _MONTHS.get(months_text)
            if months is None:
                months_text = _ascii(months_text)
                try:
                    as_number = float(months_text)
                except ValueError:
                    as_number = 0.5  # not a whole number: refused below
                if as_number.is_integer() and abs(as_number) < 1000:
                    months = int(as_number)  # the range is person_problems' to judge
                else:
                    errors.append(
                        _("务工月数“%(value)s”应为 0 至 12 的整数。") % {"value": months_text}
                    )

        dibao: bool | None = None
        dibao_text = t[pos["是否低保"]]
        if dibao_text:
            key = _ascii(dibao_text).lower()
            if key in _YES:
                dibao = True
            elif key in _NO:
                dibao = False
            else:
                errors.append(
                    _("是否低保“%(value)s”无法识别,请填写“是”或“否”。") % {"value": dibao_text}
                )
        found.append(months)
        found.append(dibao)
        return tuple(found)

    def _causes(
        self, t: list[str], main_cause: str | None, errors: list[str]
    ) -> tuple[str, ...] | None:
        """其他致贫原因, judged with the main cause by the rule the services apply (a row that
        lists secondary causes names the main one)."""
        causes_text = t[self.pos["其他致贫原因"]]
        if not causes_text:
            return None
        parts = [p for p in _CAUSE_SPLIT.split(causes_text) if p]
        found = [self._code("其他致贫原因", p, errors) for p in parts[:10]]
        causes = tuple(c for c in found if c)
        if causes and (main_cause or not t[self.pos["主要致贫原因"]]):
            errors.extend(messages(cause_problems(main_cause, causes)))
        return causes

    def _income(self, t: list[str], errors: list[str]) -> str | None:
        """家庭年人均纯收入 as a decimal string with two places."""
        income_text = t[self.pos["家庭年人均纯收入"]]
        if not income_text:
            return None
        cleaned = _ascii(income_text).replace(",", "").removesuffix("元")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount >= _MAX_INCOME:
            errors.append(
                _("家庭年人均纯收入“%(value)s”应为不小于 0 的数字。") % {"value": income_text}
            )
            return None
        return str(amount.quantize(_CENTS))

    def _texts(self, t: list[str], errors: list[str]) -> tuple[str | None, str | None, str | None]:
        """民族, 住址 and 联系电话: (ethnicity, address, phone), None for each one blank."""
        pos = self.pos
        ethnicity = t[pos["民族"]] or None
        address = t[pos["住址"]] or None
        phone = _ascii(t[pos["联系电话"]]) or None
        for column, given in (("民族", ethnicity), ("住址", address), ("联系电话", phone)):
            if given and len(given) > MAX_LENGTHS[column]:
                errors.append(
                    _("%(column)s过长(最多 %(max)d 个字)。")
                    % {"column": column, "max": MAX_LENGTHS[column]}
                )
            elif given and (problem := invisible_problem(column, given)):
                errors.append(problem)
        # The same rule as the model field's validator (shegong.core.validators).
        if phone and (problem := phone_problem("联系电话", phone)):
            errors.append(problem)
        return ethnicity, address, phone


def unknown_code_message(column: str, text: str) -> str:
    """Names the column, the value and the nearest labels of the column's code list."""
    nearest = codes.nearest_labels(_CODE_COLUMNS[column], text)
    return _(
        "%(column)s“%(value)s”不是可用的代码值,最接近的是:%(nearest)s。请对照模板中的“代码表”填写。"
    ) % {"column": column, "value": text, "nearest": "、".join(nearest)}


def _plausible_birth(digits: str, today: datetime.date) -> datetime.date | None:
    """The birth date of an ID number's digits 7-14 when `parse_citizen_id` would accept it."""
    try:
        birth = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return birth if EARLIEST_BIRTH_DATE <= birth <= today else None


def _rounded_by_excel(cell: Any) -> bool:
    """A number cell too long for Excel to keep exactly: its last digits are already lost."""
    return isinstance(cell, float) and not (cell.is_integer() and abs(cell) < _MAX_EXACT_FLOAT)


def _household_number(cell: Any, text: str) -> str:
    """A household number as the registry stores it, or "" when the cell cannot be one."""
    if _rounded_by_excel(cell):
        return ""
    number = _ascii(text)
    return number if HOUSEHOLD_NUMBER.fullmatch(number) else ""


def _id_key(cell: Any, text: str) -> str | None:
    """An ID number cell (stripped `text`) normalised for comparison; None when the cell is a
    number, which Excel has already cut to 15 significant digits."""
    if (isinstance(cell, int | float) and not isinstance(cell, bool)) or (
        "e" in text.lower() and _SCIENTIFIC.match(text)
    ):
        return None
    return normalise_citizen_id(text.lstrip("'"))


def _parse_date(cell: Any, text: str) -> datetime.date | None:
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    match = _DATE.match(_ascii(text))
    if not match:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def code_table() -> list[tuple[str, str, str]]:
    """(column, value to write, code) for every code column, for the template's second sheet."""
    rows: list[tuple[str, str, str]] = []
    for column, choices in _CODE_COLUMNS.items():
        if column == "其他致贫原因":
            continue
        for value, label in choices.choices:
            if value:
                rows.append((column, str(label), str(value)))
    rows.append(("其他致贫原因", _("同“主要致贫原因”,最多两项,不能与主要原因相同,用顿号分隔"), ""))
    rows.append(("是否低保", "是 / 否", ""))
    return rows
