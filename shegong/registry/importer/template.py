"""The import template: the headers on the first sheet (ID column formatted as text) and the
allowed code values on a second sheet."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .rows import COLUMNS, ID_COLUMN, REQUIRED, code_table

TEXT_COLUMNS = (ID_COLUMN, "户编号", "行政区划代码", "联系电话")
# Rows formatted as text in advance, so what people paste or type stays text.
FORMATTED_ROWS = 2000


def template_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("建档立卡导入")
    ws.append(list(COLUMNS))
    bold = Font(bold=True)
    required = PatternFill("solid", fgColor="FFF2CC")
    for i, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = bold
        cell.number_format = "@"
        if column in REQUIRED:
            cell.fill = required
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = 22 if column == ID_COLUMN else 14
        if column in TEXT_COLUMNS:
            ws.column_dimensions[letter].number_format = "@"
            for row in range(2, FORMATTED_ROWS + 2):
                ws.cell(row=row, column=i).number_format = "@"
    ws.freeze_panes = "A2"

    codes = wb.create_sheet(_("代码表"))
    codes.append([_("列"), _("可填写的值"), _("系统代码")])
    for cell in codes[1]:
        cell.font = bold
    for entry in code_table():
        codes.append(list(entry))
    codes.append([])
    for note in (
        _("说明:每行一人,同户成员的“户编号”相同,每户必须有且只有一位户主。"),
        _("带底色的列必填。证件号码列必须是文本格式,不能存成数字。"),
        _("户的行政区划、贫困户属性、致贫原因、收入、住址以户主所在行为准。"),
        _("空白单元格表示不修改系统中已有的值;导入不会删除文件中未列出的成员。"),
    ):
        codes.append([note])
    codes.column_dimensions["A"].width = 16
    codes.column_dimensions["B"].width = 40
    codes.column_dimensions["C"].width = 18
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
