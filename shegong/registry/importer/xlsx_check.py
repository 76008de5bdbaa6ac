"""Checking an .xlsx before any spreadsheet library opens it.

An .xlsx is a zip of XML parts, and what a reader allocates follows what those parts declare,
not the size of the file: python-calamine builds a sheet as one block of cells from the top
left to the furthest cell it meets (32 bytes a cell), so a 5 KB file with one cell at
XFD1048576 asks for 512 GiB and aborts the process; a part that inflates a thousandfold fills
the disk or memory of whoever reads it. `check_xlsx()` reads the zip itself, with its own
inflater and limits, and refuses (with the reason, in Chinese) before that can happen:

- not a zip, encrypted or unusual compression, or no workbook / worksheet part;
- too many parts; a part, or all parts together, larger than the limits once inflated (counted
  on the bytes actually inflated, not on the sizes the zip declares, which a tampered file can
  understate); a part larger than `GRACE_BYTES` that inflates more than `MAX_RATIO` times;
- an XML part with a DOCTYPE (an .xlsx never has one; entity expansion is a bomb of its own);
- a sheet whose declared range (`<dimension ref=...>`) or whose furthest cell or row reference
  (every `r="..."` in the sheet, however quoted or spaced, letters in either case, leading
  zeros) lies beyond `max_rows` or `max_columns`, or spans more than `max_cells`.

Not covered: a cell reference written with XML character references (`r="&#88;FD1"`; the
readers refuse those as malformed), and text inside a sheet that happens to read ` r="XFD1"`
(refused: a false alarm on a file nobody writes). The import runs in a separate process all
the same (`registry.tasks`), so a bomb this misses stops one import, not the worker.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from .rows import ImportRefused

MB = 1024 * 1024
# The largest .xlsx the upload accepts (services.MAX_XLSX_BYTES); the limits below follow it.
XLSX_BYTES = 200 * MB
# Ratio checks start above this size: small parts (styles, a theme) may compress very well.
GRACE_BYTES = 1 * MB
EXCEL_MAX_ROWS = 1_048_576
# Read buffers: compressed input, inflated output per step.
_IN = 256 * 1024
_OUT = 1 * MB
_HEAD = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_CELL = re.compile(rb"([A-Za-z]+)([0-9]+)$")
# A reference written other than as ` r="` (spaces around `=`, single quotes, no space before
# `r`): such chunks take the slow path. (Also matches `header="` and the like: only slower.)
_UNUSUAL = re.compile(rb"r(?:\s+=|=\s|='|=\"(?<=[^ ]r=\"))")
_ANY_REF = re.compile(rb"""[\s"']r\s*=\s*["']([A-Za-z]*)([0-9]*)""")


@dataclass(frozen=True)
class XlsxLimits:
    # The import template has 20 columns; 200 leaves room for any sheet people keep.
    max_columns: int = 200
    max_rows: int = EXCEL_MAX_ROWS
    # A full-height sheet of 40 columns: about 1.3 GB of cells in python-calamine.
    max_cells: int = 40 * EXCEL_MAX_ROWS
    max_parts: int = 10_000
    # A sheet of a million rows and 40 columns is about 1.6 GB of XML.
    max_part_bytes: int = 10 * XLSX_BYTES
    max_total_bytes: int = 15 * XLSX_BYTES
    # Apache POI refuses the same (its minimum inflate ratio is 0.01).
    max_ratio: int = 100


def limits() -> XlsxLimits:
    """The defaults, with any of them overridden by `settings.IMPORT_XLSX_LIMITS` (a dict)."""
    return XlsxLimits(**getattr(settings, "IMPORT_XLSX_LIMITS", {}))


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _retry() -> str:
    return _("文件可能已损坏或被篡改;请另存为 CSV 或只保留数据区域后重试。")


def _broken() -> ImportRefused:
    return ImportRefused(
        _(
            "文件不是有效的 Excel(.xlsx)文件,可能已损坏;"
            "请在 Excel 中重新另存为 .xlsx 或 CSV 后再导入。"
        )
    )


def check_xlsx(
    source: str | os.PathLike[str] | IO[bytes], *, limit: XlsxLimits | None = None
) -> None:
    """Refuse an .xlsx (a path or a seekable binary file) that a reader cannot safely open."""
    limit = limit or limits()
    try:
        with zipfile.ZipFile(source) as book:
            _check_book(book, limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, struct.error, ValueError) as exc:
        raise _broken() from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _check_book(book: zipfile.ZipFile, limit: XlsxLimits) -> None:
    entries = book.infolist()
    if len(entries) > limit.max_parts:
        raise ImportRefused(
            _("文件包含 %(count)d 个部分,超过允许的 %(limit)d 个,")
            % {"count": len(entries), "limit": limit.max_parts}
            + _retry()
        )
    names = {e.filename for e in entries}
    for required in ("[Content_Types].xml", "xl/workbook.xml"):
        if required not in names:
            raise ImportRefused(
                _("文件中缺少 Excel 工作簿的必要部分(%(part)s),不是有效的 .xlsx 文件;")
                % {"part": required}
                + _("请在 Excel 中重新另存为 .xlsx 或 CSV 后再导入。")
            )
    if not any(n.startswith("xl/worksheets/") and n.endswith(".xml") for n in names):
        raise ImportRefused(
            _(
                "文件中没有工作表,不是有效的 .xlsx 文件;"
                "请在 Excel 中重新另存为 .xlsx 或 CSV 后再导入。"
            )
        )
    total = 0
    for entry in entries:
        if not entry.is_dir():
            total += _check_part(book, entry, limit, total)


def _check_part(
    book: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: XlsxLimits, before: int
) -> int:
    """Inflate one part within the limits, check it, and return its size."""
    scanner = _SheetScan(limit) if _is_sheet(entry.filename) else None
    head = b""
    size = 0
    for chunk in _inflate(book, entry, limit, before):
        size += len(chunk)
        if len(head) < _HEAD:
            head += chunk[: _HEAD - len(head)]
            if scanner is not None and len(head) == _HEAD:
                scanner.dimension(head)  # declared near the top: refuse before reading on
        if scanner is not None:
            scanner.feed(chunk)
    if size != entry.file_size:
        raise _broken()
    if entry.filename.endswith((".xml", ".rels")):
        _check_prolog(head)
    if scanner is not None:
        if len(head) < _HEAD:
            scanner.dimension(head)
        scanner.end_pass()
        if scanner.wide:
            for chunk in _inflate(book, entry, limit, before):
                scanner.rows(chunk)
        scanner.finish()
    return size


def _is_sheet(name: str) -> bool:
    """Worksheets and anything else with cell references (never the shared strings: text)."""
    return name.startswith("xl/") and name.endswith(".xml") and "sharedStrings" not in name


def _inflate(
    book: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: XlsxLimits, before: int
) -> Iterator[bytes]:
    """The part's bytes as they really inflate, refusing as soon as a limit is passed."""
    if entry.flag_bits & 0x1:
        raise ImportRefused(
            _("文件已加密(设置了打开密码),无法读取;请在 Excel 中取消密码后重新保存再导入。")
        )
    if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _broken()
    fp: Any = book.fp
    fp.seek(entry.header_offset)
    magic, name_length, extra_length = _LOCAL_HEADER.unpack(fp.read(_LOCAL_HEADER.size))
    if magic != b"PK\x03\x04":
        raise _broken()
    fp.seek(entry.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    inflater = zlib.decompressobj(-15) if entry.compress_type == zipfile.ZIP_DEFLATED else None
    left = entry.compress_size
    size = 0
    while left > 0 or (inflater is not None and inflater.unconsumed_tail):
        if inflater is not None and inflater.unconsumed_tail:
            chunk = inflater.decompress(inflater.unconsumed_tail, _OUT)
        else:
            data = fp.read(min(_IN, left))
            if not data:
                raise _broken()
            left -= len(data)
            chunk = data if inflater is None else inflater.decompress(data, _OUT)
        size += len(chunk)
        _check_size(entry, size, before + size, limit)
        if chunk:
            yield chunk
        if inflater is not None and inflater.eof:
            break


def _check_size(entry: zipfile.ZipInfo, size: int, total: int, limit: XlsxLimits) -> None:
    if size > limit.max_part_bytes:
        raise ImportRefused(
            _("文件中的 %(part)s 解压后超过 %(limit)d MB,")
            % {"part": entry.filename, "limit": limit.max_part_bytes // MB}
            + _retry()
        )
    if total > limit.max_total_bytes:
        raise ImportRefused(
            _("文件解压后超过 %(limit)d MB,") % {"limit": limit.max_total_bytes // MB} + _retry()
        )
    if size > GRACE_BYTES and size > limit.max_ratio * max(entry.compress_size, 1):
        raise ImportRefused(
            _("文件中的 %(part)s 压缩比异常(解压后超过压缩大小的 %(ratio)d 倍),")
            % {"part": entry.filename, "ratio": limit.max_ratio}
            + _retry()
        )


def _check_prolog(head: bytes) -> None:
    """No DOCTYPE before the root element (an .xlsx has none; entities expand)."""
    match = re.search(rb"<[A-Za-z_]", head)
    prolog = head if match is None else head[: match.start()]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise ImportRefused(_("文件中含有文档类型声明(DOCTYPE),不是 Excel 保存的文件;") + _retry())


def _greater(limit: str, digit: str, first: str) -> str:
    """A regex for strings of `digit` characters that stand for a number above `limit`
    (same length and greater, or longer; `first` is the class for a leading character)."""
    top = digit[-2] if digit.endswith("]") else "9"
    alternatives = [f"{first}{digit}{{{len(limit)},}}"]
    for i, ch in enumerate(limit):
        if ch.upper() != top:
            nxt = chr(ord(ch.upper()) + 1)
            rest = len(limit) - i - 1
            alternatives.append(f"{re.escape(limit[:i])}[{nxt}-{top}]{digit}{{{rest}}}")
    return "(?:" + "|".join(alternatives) + ")"


def _position(letters: bytes, digits: bytes) -> tuple[int, int]:
    """(column, row) of a reference; absurdly long ones count as absurdly far."""
    column = column_number(letters.decode()) if len(letters) <= 8 else 26**8
    row = int(digits) if len(digits) <= 15 else 10**15
    return column, row


class _SheetScan:
    """The furthest row and column a sheet names, found as its XML streams past: the fast
    path searches for ` r="` references beyond the row and column limits (none in a sound
    file) and tracks the furthest column by searching only for columns beyond the furthest
    seen so far. A sheet wide enough for its height to matter (`wide`) is read a second time
    for its furthest row (`rows()`), then `finish()` checks the cell count."""

    def __init__(self, limit: XlsxLimits):
        self.limit = limit
        self.carry = b""
        self.max_column = 0
        self.max_row = 0
        self._far_re: re.Pattern[bytes] | None = None

    def dimension(self, head: bytes) -> None:
        match = _DIMENSION.search(head)
        if match is None:
            return
        ref = match.group(1).decode("ascii", "replace")[:40]
        found = _CELL.match(ref.split(":")[-1].strip().encode())
        if found is None:
            return
        column, row = _position(found.group(1), found.group(2))
        self._refuse(_("工作表声明的范围为 %(ref)s") % {"ref": ref}, column, row)

    def feed(self, chunk: bytes) -> None:
        self._scan(self._whole_tags(chunk))

    def rows(self, chunk: bytes) -> None:
        self._rows_of(self._whole_tags(chunk))

    def _whole_tags(self, chunk: bytes) -> bytes:
        """The chunk up to its last `<`: a tag is never cut in two (no `<` inside a tag)."""
        data = self.carry + chunk
        cut = data.rfind(b"<")
        if cut <= 0:
            cut = len(data)
        data, self.carry = data[:cut], data[cut:]
        return data

    @property
    def wide(self) -> bool:
        return self.max_column * self.limit.max_rows > self.limit.max_cells

    def end_pass(self) -> None:
        data, self.carry = self.carry, b""
        self._scan(data)

    def finish(self) -> None:
        self._rows_of(self.carry)
        self.carry = b""
        if self.max_row * self.max_column > self.limit.max_cells:
            ref = f"A1:{column_letters(self.max_column)}{self.max_row}"
            self._refuse(
                _("工作表中的单元格用到了 %(ref)s") % {"ref": ref}, self.max_column, self.max_row
            )

    def _scan(self, data: bytes) -> None:
        if _UNUSUAL.search(data) or self._far().search(data):
            self._scan_all(data)

    def _far(self) -> re.Pattern[bytes]:
        """` r="` naming a column beyond the furthest seen so far, or a row beyond the limit:
        a sound sheet matches in its first rows only."""
        if self._far_re is None:
            rows = _greater(str(self.limit.max_rows), "[0-9]", "[1-9]")
            columns = (
                "[A-Z]+"
                if self.max_column == 0
                else _greater(column_letters(self.max_column), "[A-Z]", "[A-Z]")
            )
            self._far_re = re.compile(
                f' r="(?:{columns}[0-9]|[A-Z]*0*{rows}(?![0-9]))'.encode(), re.IGNORECASE
            )
        return self._far_re

    def _rows_of(self, data: bytes) -> None:
        for _letters, digits in _ANY_REF.findall(data):
            if digits:
                self.max_row = max(self.max_row, _position(b"", digits)[1])

    def _scan_all(self, data: bytes) -> None:
        """Every reference, however written: the slow path, for unusual or refused chunks."""
        for letters, digits in _ANY_REF.findall(data):
            if not digits:
                continue
            column, row = _position(letters, digits)
            self.max_column = max(self.max_column, column)
            self.max_row = max(self.max_row, row)
            if column > self.limit.max_columns or row > self.limit.max_rows:
                ref = (letters + digits).decode()[:20]
                self._refuse(_("工作表中有单元格位于 %(ref)s") % {"ref": ref}, column, row)
        self._far_re = None

    def _refuse(self, subject: str, column: int, row: int) -> None:
        limit = self.limit
        if column > limit.max_columns:
            raise ImportRefused(
                _("%(subject)s(%(count)d 列),超过允许的 %(limit)d 列,")
                % {"subject": subject, "count": column, "limit": limit.max_columns}
                + _retry()
            )
        if row > limit.max_rows:
            raise ImportRefused(
                _("%(subject)s(%(count)d 行),超过允许的 %(limit)d 行,")
                % {"subject": subject, "count": row, "limit": limit.max_rows}
                + _retry()
            )
        if column * row > limit.max_cells:
            raise ImportRefused(
                _("%(subject)s(%(count)d 个单元格),超过允许的 %(limit)d 个单元格,")
                % {"subject": subject, "count": column * row, "limit": limit.max_cells}
                + _retry()
            )
