"""Writing spreadsheets people will open: formula-looking cells are neutralised."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet will show as text, never run: '=cmd' becomes "'=cmd"."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, datetime.datetime):
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone().replace(tzinfo=None)
        )
    return value


@dataclass
class Sheet:
    """One more sheet of a workbook `write_xlsx` writes."""

    title: str
    headers: list[str]
    rows: Iterable[list[Any]]
    text_columns: Iterable[int] = ()


def write_xlsx(
    path: Path,
    *,
    title: str,
    headers: list[str],
    rows: Iterable[list[Any]],
    text_columns: Iterable[int] = (),
    on_row: Any = None,
    sheets: Iterable[Sheet] = (),
) -> int:
    """Stream rows into an .xlsx in constant memory; text columns stay text (ID numbers).
    `sheets` follow the first one; the count returned is the first sheet's rows."""
    wb = Workbook(write_only=True)
    count = _write_sheet(wb, Sheet(title, headers, rows, text_columns), on_row)
    for sheet in sheets:
        _write_sheet(wb, sheet, None)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    wb.save(tmp)
    tmp.replace(path)  # a reader never sees half a file
    return count


def _write_sheet(wb: Workbook, sheet: Sheet, on_row: Any) -> int:
    ws = wb.create_sheet(title=sheet.title[:31])
    text = set(sheet.text_columns)
    ws.append(sheet.headers)
    count = 0
    for row in sheet.rows:
        cells = []
        for i, value in enumerate(row):
            cell = WriteOnlyCell(ws, value=safe_cell(value))
            if i in text:
                cell.number_format = "@"
            cells.append(cell)
        ws.append(cells)
        count += 1
        if on_row is not None:
            on_row(count)
    return count
