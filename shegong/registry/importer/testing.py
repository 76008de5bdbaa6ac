"""Building import files for tests and the benchmark."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .rows import COLUMNS


def person_row(
    number: str,
    region: str,
    relation: str,
    name: str,
    id_number: Any,
    **extra: Any,
) -> dict[str, Any]:
    """One row as {header: value}; unnamed columns stay blank."""
    row: dict[str, Any] = {
        "户编号": number,
        "行政区划代码": region,
        "与户主关系": relation,
        "姓名": name,
        "证件号码": id_number,
    }
    row.update(extra)
    return row


def _cells(rows: Iterable[dict[str, Any]], headers: Sequence[str]) -> Iterable[list[Any]]:
    for row in rows:
        yield [row.get(h, "") for h in headers]


def write_xlsx_file(
    path: Path,
    rows: Iterable[dict[str, Any]],
    headers: Sequence[str] = COLUMNS,
    *,
    title_rows: Sequence[Sequence[Any]] = (),
) -> Path:
    """An .xlsx as a user would fill in the template: ID cells kept as given (str or number)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    for title in title_rows:
        ws.append(list(title))
    ws.append(list(headers))
    for cells in _cells(rows, headers):
        ws.append([None if c == "" else c for c in cells])
    wb.save(path)
    return path


def write_csv_file(
    path: Path,
    rows: Iterable[dict[str, Any]],
    headers: Sequence[str] = COLUMNS,
    *,
    encoding: str = "utf-8",
) -> Path:
    """A .csv in `encoding` ('utf-8-sig' for a BOM, 'gb18030' as Excel on Chinese Windows)."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for cells in _cells(rows, headers):
            writer.writerow(["" if c is None else c for c in cells])
    return path


def import_rows(
    actor: Any,
    directory: Path,
    rows: Iterable[dict[str, Any]],
    *,
    region: str | None = None,
    dry_run: bool = False,
    headers: Sequence[str] = COLUMNS,
    name: str = "import.xlsx",
) -> Any:
    """Write `rows` to a file in `directory` and import it as `actor`; the finished batch."""
    from .engine import run_import
    from .services import create_batch

    path = directory / name
    if name.endswith(".csv"):
        write_csv_file(path, rows, headers)
    else:
        write_xlsx_file(path, rows, headers)
    batch = create_batch(actor=actor, region_code=region, file_name=name, dry_run=dry_run)
    return run_import(batch, path)
