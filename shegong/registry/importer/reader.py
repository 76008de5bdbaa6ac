"""Reading an import file row by row: .xlsx (python-calamine when installed, else openpyxl in
read-only mode) and .csv in UTF-8, UTF-8 with BOM or GB18030.

`open_table()` finds the header row (the first row, among the first twenty, that names the key
columns; title rows above it are skipped), checks the required columns and returns an iterator
over the data rows with their spreadsheet row numbers. Blank rows are skipped. `Table.again()`
reads the data rows once more from the start (the import reads a file twice: a quick pass over
two columns, then the full check).
"""

from __future__ import annotations

import codecs
import csv
import importlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .rows import HeaderMap, ImportRefused, looks_like_header, map_headers
from .xlsx_check import check_xlsx


def _load_calamine() -> Any:
    """python-calamine reads .xlsx several times faster than openpyxl; optional."""
    try:
        return importlib.import_module("python_calamine")
    except ImportError:  # pragma: no cover - depends on the environment
        return None


python_calamine = _load_calamine()

HEADER_SEARCH_ROWS = 20
SNIFF_BYTES = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class Table:
    header: HeaderMap
    rows: Iterator[tuple[int, Sequence[Any]]]  # (spreadsheet row number, cells)
    again: Callable[[], Iterator[tuple[int, Sequence[Any]]]]  # the same rows, read afresh
    estimated_rows: int | None  # data rows, when the format says so up front
    closer: Any = None

    def close(self) -> None:
        if self.closer is not None:
            self.closer()


def detect_encoding(head: bytes) -> str:
    """BOM → utf-8-sig; else strict UTF-8 over the first 64 KiB; else GB18030."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # final=False: a character cut at the 64 KiB boundary is not an error.
        codecs.getincrementaldecoder("utf-8")("strict").decode(head[:SNIFF_BYTES], final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def open_table(path: Path) -> Table:
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(XLSX_MAGIC):
        check_xlsx(path)  # what the file declares, before a reader allocates for it
        return _xlsx(path)
    if head.startswith(OLE_MAGIC):
        raise ImportRefused(_("不支持旧版 .xls 文件,请在 Excel 中另存为 .xlsx 后再导入。"))
    if b"\x00" in head:
        raise ImportRefused(_("无法识别文件格式,请上传 .xlsx 或 .csv 文件。"))
    return _csv(path, detect_encoding(head), head)


def _blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _with_header(
    source: Callable[[], Iterator[tuple[int, Sequence[Any]]]],
    estimated: int | None,
    closer: Any = None,
) -> Table:
    """`source()` numbers the sheet's rows from the top, afresh on every call."""
    numbered = source()
    first: Sequence[Any] | None = None
    header: HeaderMap | None = None
    skipped = 0
    for _number, cells in numbered:
        skipped += 1
        if _blank(cells):
            continue
        if first is None:
            first = cells
        if looks_like_header(cells):
            header = map_headers(cells)
            break
        if skipped >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        if first is None:
            raise ImportRefused(_("文件是空的,没有找到表头和数据。"))
        header = map_headers(first)
    missing = header.missing()
    if missing:
        raise ImportRefused(
            _("文件缺少必填列:%(columns)s。整个文件未导入,请使用导入模板的表头。")
            % {"columns": "、".join(missing)}
        )

    def data(rows: Iterator[tuple[int, Sequence[Any]]]) -> Iterator[tuple[int, Sequence[Any]]]:
        for number, cells in rows:
            if not _blank(cells):
                yield number, cells

    def again() -> Iterator[tuple[int, Sequence[Any]]]:
        return data(itertools.islice(source(), skipped, None))

    rest = None if estimated is None else max(0, estimated - skipped)
    return Table(
        header=header, rows=data(numbered), again=again, estimated_rows=rest, closer=closer
    )


def _xlsx(path: Path) -> Table:
    if python_calamine is not None:
        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            sheet = book.get_sheet_by_index(_first_worksheet(book))
        except Exception as exc:
            raise ImportRefused(_("无法读取该 Excel 文件,文件可能已损坏。")) from exc
        start = sheet.start[0] if sheet.start else 0

        def numbered() -> Iterator[tuple[int, Sequence[Any]]]:
            for i, cells in enumerate(sheet.iter_rows()):
                yield start + i + 1, cells

        return _with_header(numbered, sheet.height, book.close)
    return _xlsx_openpyxl(path)


def _first_worksheet(book: Any) -> int:
    for i, meta in enumerate(book.sheets_metadata):
        if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet"):
            return i
    return 0


def _xlsx_openpyxl(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ImportRefused(_("无法读取该 Excel 文件,文件可能已损坏。")) from exc
    sheet = next((ws for ws in book.worksheets if ws.sheet_state == "visible"), book.worksheets[0])

    def numbered() -> Iterator[tuple[int, Sequence[Any]]]:
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)

    return _with_header(numbered, sheet.max_row, book.close)


def _csv(path: Path, encoding: str, head: bytes) -> Table:
    sample = head[:4096].decode(encoding, "ignore").splitlines()[0:1]
    delimiter = "\t" if sample and "\t" in sample[0] and "," not in sample[0] else ","
    handles: list[Any] = []

    def numbered() -> Iterator[tuple[int, Sequence[Any]]]:
        fh = path.open("r", encoding=encoding, errors="strict", newline="")
        handles.append(fh)
        try:
            yield from enumerate(csv.reader(fh, delimiter=delimiter), start=1)
        except UnicodeDecodeError as exc:
            raise ImportRefused(
                _("文件编码无法识别,请另存为 UTF-8 或 GB18030 编码的 CSV 后再导入。")
            ) from exc
        except csv.Error as exc:
            raise ImportRefused(_("CSV 文件格式有误:%(error)s") % {"error": exc}) from exc
        finally:
            fh.close()

    def close() -> None:
        for fh in handles:
            fh.close()

    return _with_header(numbered, None, close)
