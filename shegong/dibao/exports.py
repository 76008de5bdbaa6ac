"""The payment list for the bank (代发文件): one .xlsx row per household, written by a
background task, audited.

Columns: 序号, 户编号, 户主姓名, 身份证号, 人数, 金额(元), 村. The bank account is not in it:
Shegong does not store bank accounts (the bank matches households by number and ID number
from its own records); a second sheet says so, with the list's totals. Names, members and
amounts are the line's, as paid; the ID number is the head's in the registry today, masked
unless the export asks for full numbers and the actor may reveal them in the household's
region (as the registry export). Amounts are written from Decimal as numbers with two decimal
places, never through a float.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from shegong.core import audit
from shegong.core.exports import safe_cell
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.models import TaskProgress
from shegong.core.roles import Perm
from shegong.core.scoping import jurisdiction
from shegong.core.tasks import progress_update, run_tracked

from .models import PaymentList
from .selectors_payments import payment_list_get, payment_list_lines

audit.register_actions({"dibao.payment_list_export": gettext_lazy("导出低保特困发放名册")})

HEADERS = ["序号", "户编号", "户主姓名", "身份证号", "人数", "金额(元)", "村"]
TEXT_COLUMNS = (1, 3)  # household number and ID number keep their digits
AMOUNT_COLUMN = 5
MONEY = "#,##0.00"
CENT = Decimal("0.01")


def export_title(payment_list: PaymentList) -> str:
    return _("%(county)s%(month)s低保特困发放名册") % {
        "county": payment_list.region.name,
        "month": f"{payment_list.month:%Y年%m月}",
    }


class LineRows:
    """The list's lines as rows, masking as the actor must see them; counts the full numbers."""

    def __init__(self, actor: Any, *, full_ids: bool = False):
        self.reveal = tuple(jurisdiction(actor, Perm.REVEAL_ID_NUMBER)) if full_ids else ()
        self.revealed = 0

    def id_number(self, line: Any) -> str:
        number = getattr(line, "head_id_number", "") or ""
        if self.reveal and line.region_id.startswith(self.reveal):
            self.revealed += 1
            return number
        return mask_citizen_id(number)

    def rows(self, lines: Any) -> Iterator[list[Any]]:
        for n, line in enumerate(lines, start=1):
            snapshot = line.snapshot if isinstance(line.snapshot, dict) else {}
            yield [
                n,
                line.household.number,
                str(snapshot.get("head") or ""),
                self.id_number(line),
                line.members,
                Decimal(line.amount).quantize(CENT),
                line.region.name,
            ]


def write_payment_xlsx(path: Path, payment_list: PaymentList, rows: Iterator[list[Any]]) -> int:
    """Write the rows, a total row and the note sheet; returns the number of lines."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_("发放名册"))
    ws.append(HEADERS)
    count = 0
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            cell = WriteOnlyCell(ws, value=safe_cell(value))
            if i in TEXT_COLUMNS:
                cell.number_format = "@"
            elif i == AMOUNT_COLUMN:
                cell.number_format = MONEY
            cells.append(cell)
        ws.append(cells)
        count += 1
    total = WriteOnlyCell(ws, value=Decimal(payment_list.total).quantize(CENT))
    total.number_format = MONEY
    ws.append([_("合计"), f"{payment_list.households} 户", "", "", payment_list.persons, total, ""])
    note = wb.create_sheet(title=_("说明"))
    for line in (
        [_("名册"), export_title(payment_list)],
        [_("状态"), payment_list.get_status_display()],
        [_("户数"), payment_list.households],
        [_("人数"), payment_list.persons],
        [_("合计金额(元)"), str(Decimal(payment_list.total).quantize(CENT))],
        [
            _("银行账号"),
            _("本系统不存储银行账号,本表不含银行账号列;请代发银行按户编号和身份证号匹配账户。"),
        ],
    ):
        note.append([safe_cell(v) for v in line])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    wb.save(tmp)
    tmp.replace(path)
    return count


def export_record(*, actor: Any, payment_list: PaymentList, rows: int, revealed: bool) -> None:
    audit.record(
        actor=actor,
        action="dibao.payment_list_export",
        target=payment_list,
        changes={
            "month": f"{payment_list.month:%Y-%m}",
            "format": "xlsx",
            "rows": rows,
            "full_id_numbers": revealed,
        },
    )


@task()
def payment_list_export_xlsx(progress_id: str, payment_list_id: int, full_ids: bool) -> None:
    """Write the list into an .xlsx in constant memory; the task page offers the file."""

    def work(progress: TaskProgress) -> None:
        actor = progress.owner
        payment_list = payment_list_get(actor=actor, pk=payment_list_id)
        lines = payment_list_lines(actor=actor, payment_list=payment_list)
        progress_update(progress, total=payment_list.households)
        writer = LineRows(actor, full_ids=full_ids)
        path = settings.EXPORT_DIR / f"{progress.pk}.xlsx"
        count = write_payment_xlsx(path, payment_list, writer.rows(lines.iterator(chunk_size=2000)))
        export_record(
            actor=actor, payment_list=payment_list, rows=count, revealed=writer.revealed > 0
        )
        progress_update(
            progress,
            done=count,
            result_file=path.name,
            message=_("共导出 %(count)d 户。") % {"count": count},
        )

    run_tracked(progress_id, work)
