"""The import pages and the `shegong registry import` command."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from shegong.conftest import GUSHI
from shegong.core.models import Region, TaskProgress
from shegong.core.testing import make_village
from shegong.registry.importer.rows import COLUMNS
from shegong.registry.importer.services import stored_path
from shegong.registry.importer.testing import person_row, write_csv_file, write_xlsx_file
from shegong.registry.models import ImportBatch, Person
from shegong.registry.tests.factories import make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(db):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_village(township.code).code


@pytest.fixture
def import_file(tmp_path, village):
    rows = [
        person_row("411525000000001", village, "户主", "张伟", make_id_number()),
        person_row("411525000000001", village, "妻子", "李娟", make_id_number(sex="female")),
        person_row("411525000000002", village, "妻子", "王芳", make_id_number(sex="female")),
    ]
    return write_xlsx_file(tmp_path / "固始花名册.xlsx", rows)


def upload(client, path, **data):
    content = path.read_bytes()
    # The import is queued when the upload's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("registry:import_upload"),
            {"file": SimpleUploadedFile(path.name, content), "region": GUSHI, **data},
        )


def test_upload_runs_the_task_and_shows_the_result(client, gushi_officer, import_file):
    client.force_login(gushi_officer)
    page = client.get(reverse("registry:import_upload"))
    assert page.status_code == 200
    assert "固始县" in page.content.decode()
    response = upload(client, import_file)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("registry:import_detail", args=[batch.pk])
    assert batch.summary == "rows 3: created 2, updated 0, unchanged 0, rejected 1"
    assert (batch.status, batch.file_name) == ("done", "固始花名册.xlsx")
    task = TaskProgress.objects.get(pk=batch.progress_id)
    assert task.status == "done" and task.result_file == batch.report_file
    body = client.get(response.url).content.decode()
    assert "新增" in body and "下载错误报告" in body and "every 1s" not in body
    fragment = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in fragment and "<html" not in fragment
    report = client.get(reverse("registry:import_report", args=[batch.pk]))
    assert report.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    rows = list(wb.active.values)
    assert rows[1][3] == "王芳" and "没有户主" in rows[1][20]
    # The stored upload is gone once the import finished (it holds personal data).
    assert batch.stored_file and not stored_path(batch).exists()
    listing = client.get(reverse("registry:import_list")).content.decode()
    assert "固始花名册.xlsx" in listing


def test_a_running_batch_page_polls(client, gushi_officer, village):
    from shegong.core.tasks import progress_start

    batch = ImportBatch.objects.create(
        region_id=GUSHI, actor=gushi_officer, file_name="a.xlsx", status="running"
    )
    batch.progress = progress_start(
        owner=gushi_officer, kind="registry_import", title="x", total=10
    )
    batch.save()
    client.force_login(gushi_officer)
    fragment = client.get(
        reverse("registry:import_detail", args=[batch.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<progress" in fragment


def test_another_county_gets_404_for_the_batch(client, gushi_officer, xincai_officer, import_file):
    client.force_login(gushi_officer)
    upload(client, import_file)
    batch = ImportBatch.objects.get()
    client.force_login(xincai_officer)
    assert client.get(reverse("registry:import_detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("registry:import_report", args=[batch.pk])).status_code == 404
    listing = client.get(reverse("registry:import_list")).content.decode()
    assert "固始花名册" not in listing


def test_a_new_cai_officer_uploading_gushi_rows_changes_nothing(
    client, xincai_officer, import_file
):
    client.force_login(xincai_officer)
    response = upload(client, import_file, region="411729000000")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert (batch.created, batch.rejected) == (0, 3)
    assert not Person.objects.exists()
    # Filing the batch under 固始 is not even offered.
    response = upload(client, import_file, region=GUSHI)
    assert response.status_code == 200
    assert ImportBatch.objects.count() == 1


def test_a_refused_file_says_why(client, gushi_officer, tmp_path, village):
    path = write_csv_file(
        tmp_path / "bad.csv",
        [person_row("411525000000001", village, "户主", "张伟", make_id_number())],
        headers=[h for h in COLUMNS if h != "户编号"],
    )
    client.force_login(gushi_officer)
    response = upload(client, path)
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    body = client.get(response.url).content.decode()
    assert "文件缺少必填列:户编号" in body


@pytest.mark.parametrize(
    ("name", "content", "refused"),
    [
        ("a.txt", b"hello", "请上传 .xlsx 或 .csv 文件"),
        ("a.xlsx", b"PK\x03\x04more", "Excel 文件过大"),  # over a limit lowered to 4 bytes
    ],
)
def test_an_upload_is_refused_next_to_the_field_and_nothing_is_filed(
    client, gushi_officer, monkeypatch, name, content, refused
):
    from shegong.registry.importer import services

    monkeypatch.setattr(services, "MAX_XLSX_BYTES", 4)
    client.force_login(gushi_officer)
    response = client.post(
        reverse("registry:import_upload"),
        {"file": SimpleUploadedFile(name, content), "region": GUSHI},
    )
    assert response.status_code == 200
    assert refused in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("name", "size", "refused"),
    [
        ("big.csv", 1024 * 1024 * 1024, None),
        ("big.csv", 1024 * 1024 * 1024 + 1, "CSV 文件过大(最大 1 GB)"),
        ("big.xlsx", 200 * 1024 * 1024, None),
        ("big.xlsx", 200 * 1024 * 1024 + 1, "Excel 文件过大(最大 200 MB)"),
        ("BIG.XLSX", 201 * 1024 * 1024, "另存为 CSV(UTF-8)"),
        ("empty.csv", 0, "文件是空的"),
    ],
)
def test_upload_size_limits_per_kind_of_file(name, size, refused):
    from django.core.exceptions import ValidationError

    from shegong.registry.importer.services import check_upload

    if refused is None:
        check_upload(name, size)
        return
    with pytest.raises(ValidationError) as caught:
        check_upload(name, size)
    assert refused in " ".join(caught.value.messages)


def test_social_workers_cannot_import(client, gushi_worker):
    client.force_login(gushi_worker)
    for name in ("registry:import_list", "registry:import_upload", "registry:import_template"):
        assert client.get(reverse(name)).status_code == 403


def test_a_batch_without_rejections_has_no_report_to_download(client, gushi_officer):
    batch = ImportBatch.objects.create(
        region_id=GUSHI, actor=gushi_officer, file_name="a.xlsx", status="done"
    )
    client.force_login(gushi_officer)
    response = client.get(reverse("registry:import_report", args=[batch.pk]))
    assert response.status_code == 200
    assert "没有错误报告" in response.content.decode()


def test_the_template_has_the_headers_text_ids_and_the_code_list(client, gushi_officer):
    client.force_login(gushi_officer)
    response = client.get(reverse("registry:import_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    first, codes = wb.worksheets
    assert [c.value for c in first[1]] == list(COLUMNS)
    id_col = COLUMNS.index("证件号码") + 1
    assert first.cell(row=2, column=id_col).number_format == "@"
    listed = {(r[0], r[1]) for r in codes.iter_rows(min_row=2, values_only=True) if r and r[0]}
    assert ("与户主关系", "户主") in listed and ("贫困户属性", "低保贫困户") in listed


def test_the_command_prints_the_summary(tmp_path, gushi_officer, import_file):
    out = io.StringIO()
    report = tmp_path / "errors.xlsx"
    call_command(
        "registry",
        "import",
        str(import_file),
        "--user",
        "gushi_officer",
        "--report",
        str(report),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().strip() == "rows 3: created 2, updated 0, unchanged 0, rejected 1"
    assert [r[3] for r in load_workbook(report).active.values][1:] == ["王芳"]
    out = io.StringIO()
    call_command(
        "registry",
        "import",
        str(import_file),
        "--user",
        "gushi_officer",
        "--dry-run",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().strip() == "rows 3: created 0, updated 0, unchanged 2, rejected 1"
    assert Person.objects.count() == 2


def test_the_command_refuses_outside_regions_and_bad_files(tmp_path, xincai_officer, import_file):
    with pytest.raises(CommandError):
        call_command(
            "registry",
            "import",
            str(import_file),
            "--user",
            "xincai_officer",
            "--region",
            GUSHI,
            stdout=io.StringIO(),
        )
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,住址\n张伟,固始\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="文件缺少必填列"):
        call_command("registry", "import", str(bad), "--user", "xincai_officer", stdout=out)
    assert out.getvalue().strip() == "rows 0: created 0, updated 0, unchanged 0, rejected 0"
