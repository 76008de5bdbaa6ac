""".xlsx files whose declared size would make a reader allocate without bound are refused
with the reason before any reader opens them (upload, command and background task alike); an
import whose process crashes anyway ends that process only, and its batch says what to do.

Every bomb here is built small with zipfile; none is ever handed to a reader, so no test
allocates more than a few megabytes."""

import faulthandler
import functools
import io
import os
import resource
import signal
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from shegong.conftest import GUSHI
from shegong.core.models import AuditEvent, Region, TaskProgress
from shegong.core.processes import run_in_child
from shegong.core.testing import make_village
from shegong.registry import tasks
from shegong.registry.importer.engine import run_import
from shegong.registry.importer.services import create_batch, import_dir
from shegong.registry.importer.testing import person_row, write_xlsx_file
from shegong.registry.models import Household, ImportBatch, Person
from shegong.registry.tests.factories import make_id_number

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
RETRY = "文件可能已损坏或被篡改;请另存为 CSV 或只保留数据区域后重试。"
RESAVE = "请在 Excel 中重新另存为 .xlsx 或 CSV 后再导入。"
BROKEN = "文件不是有效的 Excel(.xlsx)文件,可能已损坏;" + RESAVE
HEADER = "".join(
    f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
    for col, name in zip(
        "ABCDE", ["户编号", "行政区划代码", "与户主关系", "姓名", "证件号码"], strict=True
    )
)


@pytest.fixture
def village(db):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_village(township.code).code


@pytest.fixture
def good_file(tmp_path, village):
    rows = [person_row("411525000000001", village, "户主", "张伟", make_id_number())]
    return write_xlsx_file(tmp_path / "good.xlsx", rows)


def rebuild(source, target, *, sheet=None, drop=(), extra=(), stored=False):
    """`source` with its first sheet's XML replaced (a str, or a function of the old one),
    parts dropped or added."""
    with zipfile.ZipFile(source) as book:
        parts = {name: book.read(name) for name in book.namelist() if name not in drop}
    if sheet is not None:
        old = parts[SHEET].decode()
        parts[SHEET] = (sheet(old) if callable(sheet) else sheet).encode()
    parts.update(extra)
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(target, "w", method) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return target


def sheet_xml(rows="", dimension=None):
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'{dim}<sheetData><row r="1">{HEADER}</row>{rows}</sheetData></worksheet>'
    )


def far_cell(ref, row, attr=None):
    attr = attr or f'r="{ref}"'
    return f'<row r="{row}"><c {attr} t="inlineStr"><is><t>x</t></is></c></row>'


def import_file(actor, path):
    batch = create_batch(actor=actor, region_code=None, file_name=path.name)
    return run_import(batch, path)


def assert_refused(actor, path, message):
    """The command's and the task's way in: the batch fails with `message`, nothing written."""
    batch = import_file(actor, path)
    assert (batch.status, batch.message) == ("failed", message)
    assert (Household.objects.count(), Person.objects.count()) == (0, 0)
    assert AuditEvent.objects.get(action="registry.import").changes["refused"] == message


def upload(client, path):
    # The import is queued when the upload's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("registry:import_upload"),
            {"file": SimpleUploadedFile(path.name, path.read_bytes()), "region": GUSHI},
        )


DIMENSION_BOMB = (
    "工作表声明的范围为 A1:XFD1048576(16384 列),超过允许的 200 列,"
    "文件可能已损坏或被篡改;请另存为 CSV 或只保留数据区域后重试。"
)


@pytest.fixture
def dimension_bomb(tmp_path, good_file):
    return rebuild(good_file, tmp_path / "bomb.xlsx", sheet=sheet_xml(dimension="A1:XFD1048576"))


def test_a_7_kb_sheet_declaring_a1_xfd1048576_is_refused_by_the_import(
    gushi_officer, dimension_bomb
):
    assert dimension_bomb.stat().st_size < 7 * 1024
    assert_refused(gushi_officer, dimension_bomb, DIMENSION_BOMB)


def test_the_upload_refuses_it_next_to_the_file_field_and_stores_nothing(
    client, gushi_officer, dimension_bomb
):
    client.force_login(gushi_officer)
    response = upload(client, dimension_bomb)
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [DIMENSION_BOMB]}
    assert DIMENSION_BOMB in response.content.decode()
    assert ImportBatch.objects.count() == TaskProgress.objects.count() == 0
    assert not import_dir().exists() or list(import_dir().iterdir()) == []


def test_a_normal_file_is_still_uploaded_and_imported(client, gushi_officer, good_file):
    client.force_login(gushi_officer)
    response = upload(client, good_file)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created) == ("done", 1)
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("attr", "shown"),
    [
        ('r="XFD1048576"', "XFD1048576"),
        ("r='XFD1048576'", "XFD1048576"),
        ('r = "XFD1048576"', "XFD1048576"),
        ('r="xfd1048576"', "xfd1048576"),
        ('s="0"\tr="XFD1048576"', "XFD1048576"),
        ('r="ZZZ5"', "ZZZ5"),
    ],
)
def test_a_far_cell_without_a_dimension_is_refused_however_written(
    tmp_path, gushi_officer, good_file, attr, shown
):
    """python-calamine sizes the sheet by its furthest cell: XFD1048576 asks for 512 GiB."""
    path = rebuild(good_file, tmp_path / "far.xlsx", sheet=sheet_xml(far_cell("", 5, attr)))
    from shegong.registry.importer.xlsx_check import column_number

    columns = column_number("".join(ch for ch in shown if ch.isalpha()))
    assert_refused(
        gushi_officer,
        path,
        f"工作表中有单元格位于 {shown}({columns} 列),超过允许的 200 列," + RETRY,
    )


def test_a_far_cell_behind_a_small_dimension_is_refused(tmp_path, gushi_officer, good_file):
    rows = "".join(far_cell(f"A{n}", n) for n in range(2, 50)) + far_cell("XFD1048576", 1048576)
    path = rebuild(good_file, tmp_path / "far.xlsx", sheet=sheet_xml(rows, dimension="A1:E2"))
    assert_refused(
        gushi_officer, path, "工作表中有单元格位于 XFD1048576(16384 列),超过允许的 200 列," + RETRY
    )


def test_a_row_beyond_excel_s_limit_is_refused(tmp_path, gushi_officer, good_file):
    path = rebuild(good_file, tmp_path / "rows.xlsx", sheet=sheet_xml(far_cell("A01048577", 3)))
    assert_refused(
        gushi_officer,
        path,
        "工作表中有单元格位于 A01048577(1048577 行),超过允许的 1048576 行," + RETRY,
    )


def test_a_sheet_wide_and_tall_together_is_refused_by_its_cell_count(
    tmp_path, gushi_officer, good_file
):
    """200 columns by a million rows is 6.4 GB of cells in python-calamine."""
    path = rebuild(good_file, tmp_path / "wide.xlsx", sheet=sheet_xml(far_cell("GR1048576", 9)))
    assert_refused(
        gushi_officer,
        path,
        "工作表中的单元格用到了 A1:GR1048576(209715200 个单元格),"
        "超过允许的 41943040 个单元格," + RETRY,
    )


def test_a_declared_range_too_many_cells_is_refused(tmp_path, gushi_officer, good_file):
    path = rebuild(good_file, tmp_path / "d.xlsx", sheet=sheet_xml(dimension="A1:CV1048576"))
    assert_refused(
        gushi_officer,
        path,
        "工作表声明的范围为 A1:CV1048576(104857600 个单元格),超过允许的 41943040 个单元格," + RETRY,
    )


def test_a_part_that_inflates_a_thousandfold_is_refused_without_inflating_it(
    tmp_path, gushi_officer, good_file
):
    padding = " " * (32 * 1024 * 1024)  # 32 MB of spaces: about 32 KB compressed
    path = rebuild(
        good_file,
        tmp_path / "zip.xlsx",
        sheet=sheet_xml().replace("<sheetData>", padding + "<sheetData>"),
    )
    assert path.stat().st_size < 100 * 1024
    assert_refused(
        gushi_officer,
        path,
        f"文件中的 {SHEET} 压缩比异常(解压后超过压缩大小的 100 倍)," + RETRY,
    )


def test_a_part_over_the_size_limit_is_refused(tmp_path, gushi_officer, good_file, settings):
    settings.IMPORT_XLSX_LIMITS = {"max_part_bytes": 1024 * 1024}
    rows = "".join(far_cell(f"A{n}", n) for n in range(2, 30_000))  # about 1.7 MB
    path = rebuild(good_file, tmp_path / "big.xlsx", sheet=sheet_xml(rows), stored=True)
    assert_refused(gushi_officer, path, f"文件中的 {SHEET} 解压后超过 1 MB," + RETRY)


def test_too_many_parts_are_refused(tmp_path, gushi_officer, good_file, settings):
    settings.IMPORT_XLSX_LIMITS = {"max_parts": 12}
    extra = {f"xl/media/image{n}.png": b"x" for n in range(10)}
    path = rebuild(good_file, tmp_path / "many.xlsx", extra=extra)
    assert_refused(gushi_officer, path, "文件包含 19 个部分,超过允许的 12 个," + RETRY)


def test_a_doctype_is_refused(tmp_path, gushi_officer, good_file):
    doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
    path = rebuild(good_file, tmp_path / "dtd.xlsx", sheet=doctype + sheet_xml())
    assert_refused(
        gushi_officer, path, "文件中含有文档类型声明(DOCTYPE),不是 Excel 保存的文件;" + RETRY
    )


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        (
            ("xl/workbook.xml",),
            "文件中缺少 Excel 工作簿的必要部分(xl/workbook.xml),不是有效的 .xlsx 文件;" + RESAVE,
        ),
        (
            (SHEET,),
            "文件中没有工作表,不是有效的 .xlsx 文件;" + RESAVE,
        ),
    ],
)
def test_a_zip_without_the_workbook_parts_is_refused(
    tmp_path, gushi_officer, good_file, drop, message
):
    path = rebuild(good_file, tmp_path / "parts.xlsx", drop=drop)
    assert_refused(gushi_officer, path, message)


def test_something_that_only_starts_like_a_zip_is_refused(tmp_path, gushi_officer):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    assert_refused(
        gushi_officer,
        path,
        BROKEN,
    )


def test_a_part_larger_than_its_zip_entry_declares_is_refused(tmp_path, gushi_officer, good_file):
    """The sizes in the zip's directory are the file's word; what inflates is counted."""
    path = rebuild(good_file, tmp_path / "lie.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as book:
        info = book.getinfo(SHEET)
    # Halve the size the sheet's central directory entry declares.
    name = SHEET.encode()
    at = data.find(b"PK\x01\x02", 0)
    while data[at + 46 : at + 46 + len(name)] != name:
        at = data.find(b"PK\x01\x02", at + 4)
    data[at + 24 : at + 28] = (info.file_size // 2).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert_refused(
        gushi_officer,
        path,
        BROKEN,
    )


# --- a crash in the import ends its own process only ---------------------------------------


def _abort() -> None:
    faulthandler.disable()  # quiet: the abort is the point
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file
    os.abort()


def _exhaust_memory() -> None:
    raise MemoryError


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer does


@pytest.mark.parametrize(
    ("target", "code"),
    [(_abort, -signal.SIGABRT), (_exhaust_memory, 1), (_killed, -signal.SIGKILL), (print, 0)],
)
def test_a_child_that_crashes_reports_how_and_the_parent_goes_on(target, code):
    assert run_in_child(target, close_connections=False) == code


def test_an_import_whose_process_crashes_is_failed_with_what_to_do_and_the_next_one_runs(
    client, gushi_officer, good_file, monkeypatch
):
    monkeypatch.setattr(tasks, "_isolated", lambda: True)
    monkeypatch.setattr(
        tasks, "run_in_child", functools.partial(run_in_child, close_connections=False)
    )
    monkeypatch.setattr(tasks, "_child_import", lambda *args: _abort())
    client.force_login(gushi_officer)
    upload(client, good_file)
    batch = ImportBatch.objects.get()
    message = (
        "后台进程意外终止(信号 SIGABRT),请检查文件后重新导入;大文件请另存为 CSV 后导入。"
        "已写入的户保持完整。"
    )
    assert (batch.status, batch.message) == ("failed", message)
    assert batch.finished_at is not None
    assert AuditEvent.objects.get(action="registry.import").changes == {
        "crashed": "信号 SIGABRT",
        "file_name": "good.xlsx",
        "rows": 0,
    }
    assert TaskProgress.objects.get(pk=batch.progress_id).status == "failed"
    page = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    assert "失败" in page and message in page

    monkeypatch.undo()  # the worker goes on: the next upload imports
    upload(client, good_file)
    after = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert (after.status, after.created) == ("done", 1)


def test_a_batch_whose_worker_died_is_shown_failed_with_what_to_do(client, gushi_officer):
    from shegong.registry.importer.services import STALE_AFTER
    from shegong.registry.tests.factories import make_running_batch

    batch = make_running_batch(gushi_officer, GUSHI, beat_ago=STALE_AFTER * 2)
    client.force_login(gushi_officer)
    page = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    message = (
        "导入进程意外中断(可能被终止、内存不足或服务器重启),已写入的户保持完整;"
        "请检查文件后重新导入同一文件以完成剩余部分;大文件请另存为 CSV 后导入。"
    )
    assert "失败" in page and message in page
    batch.refresh_from_db()
    assert (batch.status, batch.message) == ("failed", message)
