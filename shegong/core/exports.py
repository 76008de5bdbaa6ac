"""Writing spreadsheets people will open: formula-looking cells are neutralised."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
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


def write_xlsx(
    path: Path,
    *,
    title: str,
    headers: list[str],
    rows: Iterable[list[Any]],
    text_columns: Iterable[int] = (),
    on_row: Any = None,
) -> int:
    """Stream rows into an .xlsx in constant memory; text columns stay text (ID numbers)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    text = set(text_columns)
    ws.append(headers)
    count = 0
    for row in rows:
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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    wb.save(tmp)
    tmp.replace(path)  # a reader never sees half a file
    return count
