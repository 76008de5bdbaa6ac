import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shegong.conftest import GUSHI, XINCAI
from shegong.core.models import AuditEvent, Region, TaskProgress
from shegong.core.roles import PERMISSIONS, Perm, Role
from shegong.core.testing import make_village
from shegong.registry.exports import EXPORT_HEADERS
from shegong.registry.tests.factories import make_household, make_person

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","点我")'


def _village(county):
    township = Region.objects.filter(parent_id=county).order_by("code").first()
    return make_village(township.code).code


@pytest.fixture
def gushi_village(db):
    return _village(GUSHI)


@pytest.fixture
def xincai_village(db):
    return _village(XINCAI)


@pytest.fixture
def gushi_household(gushi_village):
    hh = make_household(
        gushi_village,
        number="411525001200001",
        head_name="张伟",
        address=FORMULA,
        phone="0376-4812345",
        household_type="dibao",
        main_cause="illness",
        secondary_causes=["lack_skills", "lack_labour"],
        net_income_per_person=Decimal("2860.50"),
    )
    make_person(
        hh,
        "李娟",
        relation="spouse",
        sex="female",
        birth="19820305",
        is_dibao=True,
        education="primary",
        health="chronic",
        labour="ordinary",
        work_status="out_of_province",
        months_away=8,
        ethnicity="汉族",
        phone="13912345678",
    )
    make_person(hh, "@SUM(A1)", relation="son", birth="20100101", left_behind="child")
    return hh


@pytest.fixture
def xincai_household(xincai_village):
    return make_household(xincai_village, number="411729009900001", head_name="新蔡人")


def _csv_rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _csv(client, scope="persons", **params):
    response = client.get(reverse(f"registry:export_{scope}_csv"), params)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return _csv_rows(response)


def _xlsx(client, scope="persons", **params):
    # The job is queued when the request's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse(f"registry:export_{scope}_xlsx"), params)
    task = TaskProgress.objects.filter(kind="registry_export").latest("created_at")
    assert response.url == reverse("core:task_detail", args=[task.pk])
    assert task.status == "done", task.message
    download = client.get(reverse("core:task_download", args=[task.pk]))
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    return wb, [list(r) for r in wb.active.values]


def _masked(number):
    return "*" * 16 + number[-2:]


def test_csv_has_a_bom_the_import_headers_and_chinese_labels(
    client, gushi_officer, gushi_household
):
    client.force_login(gushi_officer)
    rows = _csv(client, "households")
    assert rows[0] == EXPORT_HEADERS
    by_name = {r[3]: dict(zip(EXPORT_HEADERS, r, strict=True)) for r in rows[1:]}
    assert [r[3] for r in rows[1:]][0] == "张伟"  # the head first
    spouse = by_name["李娟"]
    assert spouse["户编号"] == "411525001200001"
    assert spouse["行政区划代码"] == gushi_household.region_id
    assert (spouse["与户主关系"], spouse["性别"], spouse["民族"]) == ("配偶", "女", "汉族")
    assert (spouse["文化程度"], spouse["健康状况"], spouse["劳动能力"]) == (
        "小学",
        "长期慢性病",
        "普通劳动力",
    )
    assert (spouse["务工状况"], spouse["务工月数"], spouse["是否低保"]) == ("省外务工", "8", "是")
    assert (spouse["贫困户属性"], spouse["主要致贫原因"], spouse["其他致贫原因"]) == (
        "低保贫困户",
        "因病",
        "缺技术、缺劳力",
    )
    assert spouse["家庭年人均纯收入"] == "2860.50"
    assert spouse["联系电话"] == "13912345678"  # each person's own; the head's is the household's
    assert by_name["张伟"]["与户主关系"] == "户主"


def test_labels_stay_chinese_for_a_user_reading_english(client, gushi_officer, gushi_household):
    client.force_login(gushi_officer)
    client.cookies["django_language"] = "en"
    rows = _csv(client, "households")
    assert rows[0] == EXPORT_HEADERS
    assert {r[2] for r in rows[1:]} == {"户主", "配偶", "之子"}


def test_formulas_are_neutralised_in_csv_and_xlsx(client, gushi_officer, gushi_household):
    client.force_login(gushi_officer)
    rows = _csv(client, "households")
    assert {r[18] for r in rows[1:]} == {"'" + FORMULA}
    assert "'@SUM(A1)" in {r[3] for r in rows[1:]}
    _wb, xrows = _xlsx(client, "households")
    assert xrows[0] == EXPORT_HEADERS
    assert {r[18] for r in xrows[1:]} == {"'" + FORMULA}
    assert "'@SUM(A1)" in {r[3] for r in xrows[1:]}


def test_xlsx_keeps_codes_and_id_numbers_as_text(client, gushi_officer, gushi_household):
    client.force_login(gushi_officer)
    wb, rows = _xlsx(client, "households", full_ids="on")
    sheet = wb.active
    head = gushi_household.members.get(relation="head")
    assert rows[1][4] == head.id_number
    assert rows[1][17] == 2860.5
    for col in (1, 2, 5):  # 户编号, 行政区划代码, 证件号码
        assert sheet.cell(row=2, column=col).number_format == "@"


def test_officers_get_full_id_numbers_when_they_ask_and_that_is_audited(
    client, gushi_officer, gushi_household
):
    client.force_login(gushi_officer)
    spouse = gushi_household.members.get(name="李娟")
    masked = _csv(client, "persons", q="李娟")
    assert [r[4] for r in masked[1:]] == [_masked(spouse.id_number)]
    rows = _csv(client, "persons", q="李娟", full_ids="on")
    assert [r[4] for r in rows[1:]] == [spouse.id_number]
    first, event = AuditEvent.objects.filter(action="registry.export").order_by("id")
    assert first.changes["full_id_numbers"] is False
    assert event.actor == gushi_officer
    assert event.region_id == GUSHI
    assert event.changes == {
        "scope": "persons",
        "format": "csv",
        "filters": {"q": "李娟", "full_ids": True},
        "rows": 1,
        "full_id_numbers": True,
    }


def test_id_numbers_are_masked_for_a_role_that_may_not_reveal_them(
    client, gushi_officer, province_admin, gushi_household, monkeypatch
):
    monkeypatch.setitem(PERMISSIONS, Perm.REVEAL_ID_NUMBER, frozenset({Role.PROVINCE_ADMIN}))
    numbers = sorted(gushi_household.members.values_list("id_number", flat=True))
    client.force_login(gushi_officer)
    rows = _csv(client, "households", full_ids="on")
    assert sorted(r[4] for r in rows[1:]) == sorted(_masked(n) for n in numbers)
    _wb, xrows = _xlsx(client, "households", full_ids="on")
    assert sorted(r[4] for r in xrows[1:]) == sorted(_masked(n) for n in numbers)
    client.force_login(province_admin)
    assert sorted(r[4] for r in _csv(client, "households", full_ids="on")[1:]) == numbers
    flags = list(
        AuditEvent.objects.filter(action="registry.export")
        .order_by("id")
        .values_list("actor__username", "changes__format", "changes__full_id_numbers")
    )
    assert flags == [
        ("gushi_officer", "csv", False),
        ("gushi_officer", "xlsx", False),
        ("province", "csv", True),
    ]


def test_filters_are_applied(client, gushi_officer, gushi_household, gushi_village):
    other = make_household(
        gushi_village,
        number="411525001200002",
        head_name="王强",
        household_type="ordinary",
        poverty_status="out",
    )
    make_person(other, "王小花", relation="daughter", sex="female", birth="20120101")
    client.force_login(gushi_officer)

    def names(scope, **params):
        return sorted(r[3] for r in _csv(client, scope, **params)[1:])

    assert names("persons", q="王") == ["王小花", "王强"]
    assert names("persons", is_dibao="1") == ["李娟"]
    assert names("persons", left_behind="child") == ["'@SUM(A1)"]
    assert names("persons", household_type="ordinary") == ["王小花", "王强"]
    assert names("households", household_type="dibao") == ["'@SUM(A1)", "张伟", "李娟"]
    assert names("households", poverty_status="out") == ["王小花", "王强"]
    assert names("households", q="411525001200002") == ["王小花", "王强"]
    assert names("households", left_behind="child") == ["'@SUM(A1)", "张伟", "李娟"]
    assert names("persons", region=gushi_village) == ["'@SUM(A1)", "张伟", "李娟", "王小花", "王强"]
    # A place outside the jurisdiction is refused like one that does not exist, as on the list.
    outside = client.get(reverse("registry:export_persons_csv"), {"region": XINCAI})
    assert (outside.status_code, outside.url) == (302, f"/registry/persons/?region={XINCAI}")


def test_an_invalid_filter_goes_back_to_the_list_and_exports_nothing(client, gushi_officer):
    client.force_login(gushi_officer)
    response = client.get(reverse("registry:export_persons_csv"), {"region": "41x"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("registry:person_list") + "?")
    assert not AuditEvent.objects.filter(action="registry.export").exists()


def test_export_is_scoped_to_the_jurisdiction(
    client, gushi_officer, province_admin, gushi_household, xincai_household
):
    client.force_login(gushi_officer)
    for scope in ("persons", "households"):
        rows = _csv(client, scope)
        assert "新蔡人" not in {r[3] for r in rows[1:]}
        assert not any(r[1].startswith("411729") for r in rows[1:])
        assert len(rows) == 4
    _wb, xrows = _xlsx(client, "persons")
    assert "新蔡人" not in {r[3] for r in xrows[1:]}
    client.force_login(province_admin)
    assert "新蔡人" in {r[3] for r in _csv(client, "persons")[1:]}


@pytest.mark.parametrize("persona", ["gushi_worker", "volunteer"])
def test_roles_without_export_are_refused(client, personas, persona, gushi_household):
    client.force_login(personas[persona])
    assert client.get(reverse("registry:export_persons_csv")).status_code == 403
    assert client.post(reverse("registry:export_households_xlsx")).status_code == 403
    assert not TaskProgress.objects.exists()
    assert not AuditEvent.objects.filter(action="registry.export").exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("registry:export_persons_csv"))
    assert response.status_code == 302
    assert "login" in response.url


def _households(village, n, start):
    for i in range(n):
        hh = make_household(village, number=f"4115250012{start + i:05d}", head_name=f"户主{i}")
        make_person(hh, f"成员{i}", relation="spouse", sex="female")


def _count_queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_rows(client, gushi_officer, gushi_village):
    client.force_login(gushi_officer)
    url = reverse("registry:export_households_csv")

    def csv_export():
        response = client.get(url)
        return b"".join(response.streaming_content)

    def xlsx_export():
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(reverse("registry:export_persons_xlsx"))

    _households(gushi_village, 3, 0)  # 6 persons
    small = (_count_queries(csv_export), _count_queries(xlsx_export))
    _households(gushi_village, 25, 100)  # 56 persons
    assert csv_export().count(b"\n") == 57
    big = (_count_queries(csv_export), _count_queries(xlsx_export))
    assert big == small


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_again_unchanged(client, gushi_officer, gushi_village, tmp_path, fmt):
    from shegong.registry.importer.engine import run_import
    from shegong.registry.importer.services import create_batch

    hh = make_household(
        gushi_village,
        number="411525001200009",
        head_name="张伟",
        address="固始县陈集镇",
        phone="0376-4812345",
        household_type="dibao",
        main_cause="illness",
        secondary_causes=["lack_skills"],
        net_income_per_person=Decimal("2860.50"),
    )
    make_person(
        hh,
        "李娟",
        relation="spouse",
        sex="female",
        birth="19820305",
        is_dibao=True,
        education="primary",
        health="chronic",
        labour="ordinary",
        work_status="out_of_province",
        months_away=8,
        ethnicity="汉族",
    )
    client.force_login(gushi_officer)
    path = tmp_path / f"export.{fmt}"
    if fmt == "csv":
        response = client.get(reverse("registry:export_households_csv"), {"full_ids": "on"})
        path.write_bytes(b"".join(response.streaming_content))
    else:
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(reverse("registry:export_households_xlsx"), {"full_ids": "on"})
        task = TaskProgress.objects.get(kind="registry_export")
        download = client.get(reverse("core:task_download", args=[task.pk]))
        path.write_bytes(b"".join(download.streaming_content))
    batch = create_batch(actor=gushi_officer, region_code=None, file_name=path.name, dry_run=True)
    batch = run_import(batch, path)
    assert (batch.rows, batch.created, batch.updated, batch.unchanged, batch.rejected) == (
        2,
        0,
        0,
        2,
        0,
    )
