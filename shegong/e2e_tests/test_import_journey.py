"""A county officer imports a file with bad rows, downloads the error report, fixes it and
re-imports it."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from shegong.registry.importer.testing import person_row, write_xlsx_file
from shegong.registry.tests.factories import make_id_number

pytestmark = [
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VILLAGE = "411525001200"  # a demo village under 蓼城街道


def wait_until_done(page) -> None:
    """The import is queued when the upload commits; the page polls its progress until done."""
    page.get_by_text("状态:已完成").wait_for(timeout=30_000)


def test_officer_imports_fixes_and_reimports(journey, tmp_path, monkeypatch):
    # The queued import runs after the upload commits, in a forked child where it can; a child
    # cannot write to the test's in-memory SQLite database, so here it runs in the server.
    monkeypatch.setattr("shegong.registry.tasks.can_fork", lambda: False)
    rows = [
        person_row("411525001299001", VILLAGE, "户主", "赵文博", make_id_number(birth="19750312")),
        person_row(
            "411525001299001",
            VILLAGE,
            "妻子",
            "钱秀英",
            make_id_number(birth="19780520", sex="female"),
        ),
        # A household without its head: the whole household is rejected.
        person_row(
            "411525001299002",
            VILLAGE,
            "妻子",
            "孙丽娟",
            make_id_number(birth="19820101", sex="female"),
        ),
    ]
    upload = write_xlsx_file(tmp_path / "蓼城街道花名册.xlsx", rows)
    j = journey("gushi_officer")
    page = j.page

    j.open("/")
    page.get_by_role("link", name="建档立卡导入").first.click()
    page.get_by_role("link", name="导入文件").first.click()
    j.check("upload", phone=True)
    page.get_by_label("导入文件").set_input_files(upload)
    page.get_by_role("button", name="上传并导入").click()
    wait_until_done(page)
    page.get_by_role("link", name="下载错误报告").wait_for()
    result = j.main()
    assert "蓼城街道花名册.xlsx" in result
    assert "共 3 行:新增 2 行,更新 0 行,未变 0 行,拒绝 1 行" in result, result
    j.check("result", phone=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告").click()
    report = tmp_path / "错误报告.xlsx"
    download.value.save_as(report)
    wb = load_workbook(report)
    ws = wb.active
    header = [c.value for c in ws[1]]
    data = list(ws.iter_rows(min_row=2))
    assert [r[header.index("姓名")].value for r in data] == ["孙丽娟"]
    assert any("没有户主" in str(c.value) for c in data[0]), [c.value for c in data[0]]
    # The fix: she is the head of her household.
    data[0][header.index("与户主关系")].value = "户主"
    wb.save(report)

    page.get_by_role("link", name="建档立卡导入").first.click()
    page.get_by_role("link", name="导入文件").first.click()
    page.get_by_label("导入文件").set_input_files(report)
    page.get_by_role("button", name="上传并导入").click()
    wait_until_done(page)
    fixed = j.main()
    assert "共 1 行:新增 1 行,更新 0 行,未变 0 行,拒绝 0 行" in fixed, fixed
    assert "下载错误报告" not in fixed, fixed
    j.check("reimport")

    page.get_by_role("link", name="建档立卡", exact=True).first.click()
    page.get_by_role("searchbox").or_(page.locator("input[name=q]")).first.fill("孙丽娟")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="411525001299002").wait_for()
    j.check("found")
