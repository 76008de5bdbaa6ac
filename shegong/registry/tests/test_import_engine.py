"""The registry import end to end on the database: outcomes, atomicity, jurisdiction."""

import contextlib
import random

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F
from openpyxl import load_workbook

from shegong.conftest import GUSHI, XINCAI
from shegong.core.idnumbers import citizen_id_check_char
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village
from shegong.registry.importer import engine
from shegong.registry.importer.engine import run_import
from shegong.registry.importer.rows import COLUMNS
from shegong.registry.importer.services import create_batch, report_path
from shegong.registry.importer.testing import import_rows, person_row, write_xlsx_file
from shegong.registry.models import Household, Person
from shegong.registry.names import name_initials
from shegong.registry.tests.factories import make_household, make_id_number, make_person

pytestmark = pytest.mark.django_db

SURNAMES = "王李张刘陈杨黄赵周吴"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def township(county):
    return Region.objects.filter(parent_id=county).order_by("code").first().code


@pytest.fixture
def village(db):
    return make_village(township(GUSHI)).code


@pytest.fixture
def village2(db):
    return make_village(township(GUSHI)).code


@pytest.fixture
def xincai_village(db):
    return make_village(township(XINCAI)).code


def digits_only_id():
    """An ID number Excel could have stored as a number (no X at the end)."""
    while not (number := make_id_number()).isdigit():
        pass
    return float(number)


def counts(batch):
    return (batch.rows, batch.created, batch.updated, batch.unchanged, batch.rejected)


def registry_state():
    """Everything the import may write, for comparing two runs."""
    persons = list(
        Person.objects.order_by("id_number").values_list(
            "id_number",
            "household__number",
            "region_id",
            "name",
            "name_initials",
            "sex",
            "birth_date",
            "ethnicity",
            "relation",
            "education",
            "in_school",
            "health",
            "labour",
            "work_status",
            "months_away",
            "is_dibao",
            "phone",
            "version",
            "updated_at",
        )
    )
    households = list(
        Household.objects.order_by("number").values_list(
            "number",
            "region_id",
            "household_type",
            "main_cause",
            "secondary_causes",
            "net_income_per_person",
            "address",
            "phone",
            "member_count",
            "version",
            "updated_at",
        )
    )
    return persons, households


def assert_registry_consistent():
    """Person.region = household region; member_count right; at most one head each."""
    assert not Person.objects.exclude(region_id=F("household__region_id")).exists()
    for hh in Household.objects.all():
        members = list(hh.members.values_list("relation", flat=True))
        assert hh.member_count == len(members), hh.number
        assert members.count("head") <= 1, hh.number


def reasons(batch):
    path = report_path(batch)
    assert path is not None
    ws = load_workbook(path).active
    rows = list(ws.values)
    header = list(rows[0])
    col = header.index("错误原因")
    return {r[header.index("姓名")]: r[col] for r in rows[1:]}


def family(number, region, *, size=3, seq=None, **head_extra):
    """A household of `size` persons with valid, fresh ID numbers."""
    rows = [person_row(number, region, "户主", "张伟", make_id_number(seq=seq), **head_extra)]
    relations = ["妻子", "儿子", "女儿", "父亲", "母亲"]
    for k in range(1, size):
        rows.append(person_row(number, region, relations[k - 1], f"张{GIVEN[k]}", make_id_number()))
    return rows


# --- outcomes -----------------------------------------------------------------------------


def test_new_households_are_created_with_everything_derived(tmp_path, gushi_officer, village):
    number = make_id_number(birth="19750304", sex="female")
    rows = [
        person_row(
            "411525000000001",
            village,
            "户主",
            "李娟",
            number,
            民族="汉族",
            贫困户属性="低保户",
            主要致贫原因="因病",
            其他致贫原因="缺技术",
            家庭年人均纯收入="3200",
            住址="固始县某村",
            联系电话="13800000000",
            是否低保="是",
            务工状况="省外务工",
            务工月数="8",
            健康状况="慢性病",
        ),
        person_row("411525000000001", village, "之子", "张小明", make_id_number(birth="20100101")),
    ]
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert batch.summary == "rows 2: created 2, updated 0, unchanged 0, rejected 0"
    assert batch.status == "done"
    hh = Household.objects.get(number="411525000000001")
    assert (hh.region_id, hh.household_type, hh.main_cause, hh.secondary_causes) == (
        village,
        "dibao",
        "illness",
        ["lack_skills"],
    )
    assert (str(hh.net_income_per_person), hh.address, hh.phone, hh.member_count) == (
        "3200.00",
        "固始县某村",
        "13800000000",
        2,
    )
    head = Person.objects.get(id_number=number)
    assert (head.sex, head.birth_date.isoformat(), head.relation) == (
        "female",
        "1975-03-04",
        "head",
    )
    assert (head.region_id, head.name_initials, head.is_dibao) == (village, "lj", True)
    assert (head.work_status, head.months_away, head.health) == ("out_of_province", 8, "chronic")
    assert head.left_behind == ""
    assert_registry_consistent()


def test_reimporting_the_same_file_changes_nothing(tmp_path, gushi_officer, village):
    rows = family("411525000000001", village) + family("411525000000002", village, size=1)
    first = import_rows(gushi_officer, tmp_path, rows)
    assert counts(first) == (4, 4, 0, 0, 0)
    before = registry_state()
    second = import_rows(gushi_officer, tmp_path, rows)
    assert second.summary == "rows 4: created 0, updated 0, unchanged 4, rejected 0"
    assert registry_state() == before


def test_changed_rows_are_updated_and_blank_cells_keep_values(tmp_path, gushi_officer, village):
    rows = family("411525000000001", village, 民族="回族", 住址="老地址")
    import_rows(gushi_officer, tmp_path, rows)
    rows[0] = {**rows[0], "民族": "", "住址": "新地址"}  # blank ethnicity keeps 回族
    rows[1] = {**rows[1], "姓名": "李芳"}
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert counts(batch) == (3, 0, 2, 1, 0)
    head = Person.objects.get(id_number=rows[0]["证件号码"])
    assert head.ethnicity == "回族"
    assert head.household.address == "新地址"
    spouse = Person.objects.get(id_number=rows[1]["证件号码"])
    assert (spouse.name, spouse.name_initials, spouse.version) == ("李芳", name_initials("李芳"), 2)


def test_members_absent_from_the_file_are_kept(tmp_path, gushi_officer, village):
    rows = family("411525000000001", village, size=3)
    import_rows(gushi_officer, tmp_path, rows)
    batch = import_rows(gushi_officer, tmp_path, rows[:2])
    assert counts(batch) == (2, 0, 0, 2, 0)
    assert Person.objects.filter(household__number="411525000000001").count() == 3
    assert "不删除" in batch.message and "本次 1 人" in batch.message


def test_a_new_head_demotes_the_old_one_first(tmp_path, gushi_officer, village):
    hh = make_household(village, number="411525000000009", head_name="张伟")
    spouse = make_person(hh, "李娟", relation="spouse", sex="female")
    hh.member_count = 2
    hh.save()
    old_head = hh.members.get(relation="head")
    rows = [
        person_row(hh.number, village, "户主", "李娟", spouse.id_number),
        person_row(hh.number, village, "配偶", "张伟", old_head.id_number),
    ]
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert counts(batch) == (2, 0, 2, 0, 0)
    assert list(hh.members.filter(relation="head").values_list("name", flat=True)) == ["李娟"]
    # A file naming a third person as head: the old head (not in the file) becomes 其他.
    newcomer = make_id_number()
    batch = import_rows(
        gushi_officer, tmp_path, [person_row(hh.number, village, "户主", "王强", newcomer)]
    )
    assert counts(batch) == (1, 1, 0, 0, 0)
    assert dict(hh.members.values_list("name", "relation")) == {
        "王强": "head",
        "李娟": "other",
        "张伟": "spouse",
    }
    assert "原户主不在文件中" in batch.message
    assert_registry_consistent()


def test_a_person_registered_elsewhere_moves_to_the_files_household(
    tmp_path, gushi_officer, village, village2
):
    old = make_household(village, number="411525000000100", head_name="张伟")
    member = make_person(old, "张强", relation="son")
    old.member_count = 2
    old.save()
    rows = [
        person_row("411525000000200", village2, "户主", "张强", member.id_number),
        person_row("411525000000200", village2, "配偶", "刘敏", make_id_number(sex="female")),
    ]
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert counts(batch) == (2, 1, 1, 0, 0)
    member.refresh_from_db()
    assert (member.household.number, member.region_id, member.relation) == (
        "411525000000200",
        village2,
        "head",
    )
    old.refresh_from_db()
    assert old.member_count == 1
    event = AuditEvent.objects.get(action="registry.import", target_id=str(batch.pk))
    assert event.changes["moved"] == 1
    assert event.changes["moved_persons"][0]["from"] == "411525000000100"
    assert "迁入" in batch.message
    assert_registry_consistent()


def test_moving_a_head_away_from_remaining_members_is_rejected(tmp_path, gushi_officer, village):
    old = make_household(village, number="411525000000100", head_name="张伟")
    make_person(old, "李娟", relation="spouse", sex="female")
    head = old.members.get(relation="head")
    rows = [person_row("411525000000200", village, "户主", "张伟", head.id_number)]
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert counts(batch) == (1, 0, 0, 0, 1)
    assert "是户 411525000000100 的户主" in reasons(batch)["张伟"]


def test_a_household_region_change_carries_every_member(tmp_path, gushi_officer, village, village2):
    rows = family("411525000000001", village, size=3)
    import_rows(gushi_officer, tmp_path, rows)
    moved = [{**r, "行政区划代码": village2} for r in rows[:2]]  # third member not listed
    batch = import_rows(gushi_officer, tmp_path, moved)
    assert counts(batch) == (2, 0, 2, 0, 0)
    assert set(Person.objects.values_list("region_id", flat=True)) == {village2}
    assert_registry_consistent()


def test_household_values_come_from_the_head_row(tmp_path, gushi_officer, village, village2):
    rows = family("411525000000001", village, size=2, 贫困户属性="一般户")
    rows[1] = {**rows[1], "行政区划代码": village2, "贫困户属性": "特困户"}
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert batch.rejected == 0
    hh = Household.objects.get()
    assert (hh.region_id, hh.household_type) == (village, "ordinary")
    assert set(hh.members.values_list("region_id", flat=True)) == {village}


# --- rejections ---------------------------------------------------------------------------


def test_every_row_level_reason_rejects_the_whole_household(tmp_path, gushi_officer, village):
    good = make_id_number()
    bad_checksum = good[:17] + ("1" if good[17] != "1" else "2")
    body = "41152519800230001"
    impossible = body + citizen_id_check_char(body)
    rows = [
        person_row("411525000000001", village, "户主", "甲", make_id_number()),
        person_row("411525000000001", village, "妻子", "乙", bad_checksum),
        person_row("411525000000002", village, "户主", "丙", impossible),
        person_row("411525000000003", village, "户主", "丁", "41152519800101"),
        person_row("411525000000004", village, "户主", "戊", digits_only_id()),
        person_row("411525000000005", village, "户主", "己", make_id_number(sex="male"), 性别="女"),
        person_row("411525000000006", village, "户主", "庚", make_id_number(), 文化程度="博士后"),
        person_row(
            "411525000000007",
            village,
            "户主",
            "辛",
            make_id_number(),
            其他致贫原因="因病/因残/因学",
        ),
        person_row("411525000000008", "411525999999", "户主", "壬", make_id_number()),
        person_row("411525000000009", GUSHI, "户主", "癸", make_id_number()),
    ]
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert counts(batch) == (10, 0, 0, 0, 10)
    why = reasons(batch)
    assert "同户第 3 行有错误,整户未导入" in why["甲"]
    assert "校验位错误" in why["乙"]
    assert "出生日期不存在" in why["丙"]
    assert "应为 18 位" in why["丁"]
    assert why["戊"] == "证件号码被 Excel 存成了数字,后几位已丢失,请把该列设为文本后重新填写。"
    assert "与证件号码不符" in why["己"]
    assert "文化程度“博士后”不是可用的代码值" in why["庚"]
    assert "最多 2 项" in why["辛"]
    assert "行政区划代码 411525999999 不存在" in why["壬"]
    assert "村(社区)或乡镇(街道)" in why["癸"]
    assert not Person.objects.exists() and not Household.objects.exists()


def test_no_head_or_two_heads_rejects_every_row_of_the_household(tmp_path, gushi_officer, village):
    rows = [
        person_row("411525000000001", village, "妻子", "甲", make_id_number()),
        person_row("411525000000001", village, "儿子", "乙", make_id_number()),
        person_row("411525000000002", village, "户主", "丙", make_id_number()),
        person_row("411525000000002", village, "户主", "丁", make_id_number()),
        person_row("411525000000003", village, "户主", "戊", make_id_number()),
    ]
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert counts(batch) == (5, 1, 0, 0, 4)
    why = reasons(batch)
    assert "没有户主" in why["甲"] and "没有户主" in why["乙"]
    assert "有 2 位户主" in why["丙"] and "有 2 位户主" in why["丁"]
    assert list(Person.objects.values_list("name", flat=True)) == ["戊"]


def test_the_same_id_twice_rejects_both_rows(tmp_path, gushi_officer, village):
    twice = make_id_number()
    rows = [
        person_row("411525000000001", village, "户主", "甲", twice),
        person_row("411525000000002", village, "户主", "乙", twice.lower()),
        person_row("411525000000003", village, "户主", "丙", make_id_number()),
    ]
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert counts(batch) == (3, 1, 0, 0, 2)
    why = reasons(batch)
    assert "出现了 2 次" in why["甲"] and "出现了 2 次" in why["乙"]


def test_an_officer_cannot_import_into_another_county(
    tmp_path, xincai_officer, gushi_officer, village
):
    rows = family("411525000000001", village, size=2)
    batch = import_rows(xincai_officer, tmp_path, rows)
    assert counts(batch) == (2, 0, 0, 0, 2)
    assert f"行政区划代码 {village} 不在您的管辖范围内" in reasons(batch)["张伟"]
    assert not Person.objects.exists()
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert counts(batch) == (2, 2, 0, 0, 0)


def test_a_batch_cannot_be_filed_outside_the_actors_jurisdiction(xincai_officer):
    with pytest.raises(PermissionDenied):
        create_batch(actor=xincai_officer, region_code=GUSHI, file_name="x.xlsx")


def test_rows_outside_the_batch_region_are_rejected(
    tmp_path, province_admin, village, xincai_village
):
    rows = family("411525000000001", village, size=1) + family(
        "411729000000001", xincai_village, size=1
    )
    batch = import_rows(province_admin, tmp_path, rows, region=GUSHI)
    assert counts(batch) == (2, 1, 0, 0, 1)
    assert "不在本批次的导入范围(固始县)内" in reasons(batch)["张伟"]


def test_records_outside_the_jurisdiction_are_never_touched(
    tmp_path, gushi_officer, village, xincai_village
):
    theirs = make_household(xincai_village, number="411729000000100", head_name="王芳")
    person = theirs.members.get()
    rows = [
        person_row("411729000000100", village, "户主", "甲", make_id_number()),
        person_row("411525000000001", village, "户主", "王芳", person.id_number),
    ]
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert counts(batch) == (2, 0, 0, 0, 2)
    why = reasons(batch)
    assert "已登记在您管辖范围以外的区划" in why["甲"]
    assert "已登记在您管辖范围以外的另一户中" in why["王芳"]
    person.refresh_from_db()
    assert person.household_id == theirs.pk


def test_a_missing_required_header_changes_nothing(tmp_path, gushi_officer, village):
    headers = [h for h in COLUMNS if h != "证件号码"]
    batch = import_rows(
        gushi_officer, tmp_path, family("411525000000001", village), headers=headers
    )
    assert batch.status == "failed"
    assert "证件号码" in batch.message
    assert counts(batch) == (0, 0, 0, 0, 0)
    assert not Person.objects.exists()


# --- accounting ---------------------------------------------------------------------------


def _random_file(rng, village, outside):
    rows = []
    used = []
    for h in range(rng.randint(5, 25)):
        number = f"4115250{h:08d}"
        size = rng.randint(1, 4)
        kind = rng.choice(
            ["ok", "ok", "ok", "bad_id", "no_head", "two_heads", "dup", "outside", "bad_code"]
        )
        for k in range(size):
            relation = "户主" if k == 0 else rng.choice(["配偶", "之子", "之女"])
            if kind == "no_head":
                relation = "之子"
            if kind == "two_heads" and k == 1:
                relation = "户主"
            id_number = make_id_number()
            if kind == "bad_id" and k == size - 1:
                id_number = id_number[:17] + ("1" if id_number[17] != "1" else "2")
            if kind == "dup" and used and k == 0:
                id_number = rng.choice(used)
            used.append(id_number)
            rows.append(
                person_row(
                    number,
                    outside if kind == "outside" else village,
                    relation,
                    rng.choice(SURNAMES) + rng.choice(GIVEN),
                    id_number,
                    健康状况="优秀" if kind == "bad_code" else "健康",
                )
            )
    rng.shuffle(rows)
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_every_row_ends_in_exactly_one_outcome(
    tmp_path, gushi_officer, village, xincai_village, seed, monkeypatch
):
    monkeypatch.setattr(engine, "BATCH_ROWS", 4)
    rng = random.Random(seed)
    rows = _random_file(rng, village, xincai_village)
    first = import_rows(gushi_officer, tmp_path, rows)
    assert first.rows == len(rows)
    assert first.created + first.updated + first.unchanged + first.rejected == first.rows
    assert Person.objects.count() == first.created
    assert_registry_consistent()
    second = import_rows(gushi_officer, tmp_path, rows)
    assert counts(second) == (len(rows), 0, 0, first.created, first.rejected)
    assert AuditEvent.objects.filter(action="registry.import").count() == 2


# --- atomicity ----------------------------------------------------------------------------


def test_a_killed_import_leaves_whole_households_and_a_rerun_completes_it(
    tmp_path, gushi_officer, village, monkeypatch
):
    monkeypatch.setattr(engine, "BATCH_ROWS", 5)
    rows = []
    for h in range(6):
        rows += family(f"4115250000000{h:02d}", village, size=3)
    path = write_xlsx_file(tmp_path / "big.xlsx", rows)
    calls = []
    real_write = engine.write_plan

    def dying_write(plan):
        calls.append(len(plan.p_create))
        if len(calls) == 2:
            real_write(plan)
            raise KeyboardInterrupt("killed")  # after the second batch wrote, before commit
        return real_write(plan)

    monkeypatch.setattr(engine, "write_plan", dying_write)
    batch = create_batch(actor=gushi_officer, region_code=None, file_name="big.xlsx")
    with pytest.raises(KeyboardInterrupt):
        run_import(batch, path)
    # The first transaction (two households) committed; the second rolled back entirely.
    assert calls[0] == 6
    assert Household.objects.count() == 2
    assert Person.objects.count() == 6
    assert_registry_consistent()
    batch.refresh_from_db()
    assert (batch.status, batch.rows, batch.created) == ("failed", 6, 6)

    monkeypatch.setattr(engine, "write_plan", real_write)
    rerun = run_import(
        create_batch(actor=gushi_officer, region_code=None, file_name="big.xlsx"), path
    )
    assert counts(rerun) == (18, 12, 0, 6, 0)
    assert Person.objects.count() == 18
    assert_registry_consistent()


def test_a_dry_run_writes_nothing_but_counts_the_same(tmp_path, gushi_officer, village):
    rows = family("411525000000001", village) + [
        person_row("411525000000002", village, "妻子", "甲", make_id_number())
    ]
    dry = import_rows(gushi_officer, tmp_path, rows, dry_run=True)
    assert counts(dry) == (4, 3, 0, 0, 1)
    assert "仅检查" in dry.message
    assert not Person.objects.exists()
    real = import_rows(gushi_officer, tmp_path, rows)
    assert counts(real) == counts(dry)


# --- audit and report ---------------------------------------------------------------------


def test_one_audit_event_per_batch_with_the_counts(tmp_path, gushi_officer, village):
    batch = import_rows(gushi_officer, tmp_path, family("411525000000001", village, size=3))
    events = AuditEvent.objects.filter(action="registry.import")
    assert events.count() == 1
    event = events.get()
    assert (event.target_id, event.region_id) == (str(batch.pk), batch.region_id)
    assert {
        k: event.changes[k] for k in ("rows", "created", "updated", "unchanged", "rejected")
    } == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert AuditEvent.objects.count() == 1


def test_the_error_report_is_ready_to_fix_and_reimport(tmp_path, gushi_officer, village):
    bad = make_id_number()
    rows = [
        person_row("411525000000001", village, "户主", "甲", bad, 住址="+cmd|' /C calc'!A0"),
        person_row("411525000000001", village, "妻子", "乙", make_id_number(), 性别="男"),
        person_row("411525000000002", village, "户主", "丙", make_id_number()),
    ]
    rows[1]["证件号码"] = make_id_number(sex="female")
    batch = import_rows(gushi_officer, tmp_path, rows)
    assert counts(batch) == (3, 1, 0, 0, 2)
    wb = load_workbook(report_path(batch))
    ws = wb.active
    values = list(ws.values)
    assert list(values[0]) == [*COLUMNS, "错误原因", "原行号"]
    by_name = {r[3]: r for r in values[1:]}
    assert set(by_name) == {"甲", "乙"}
    assert by_name["甲"][4] == bad
    assert by_name["甲"][18] == "'+cmd|' /C calc'!A0"
    assert "与证件号码不符" in by_name["乙"][20]
    assert by_name["乙"][21] == 3
    id_cell = ws.cell(row=2, column=5)
    assert id_cell.data_type == "s" and id_cell.number_format == "@"

    # Fix the report in place and import it again: the extra columns are ignored.
    fix = load_workbook(report_path(batch))
    sheet = fix.active
    for row in sheet.iter_rows(min_row=2):
        if row[3].value == "乙":
            row[5].value = "女"
        row[18].value = "固始县"
    fixed = tmp_path / "fixed.xlsx"
    fix.save(fixed)
    again = run_import(
        create_batch(actor=gushi_officer, region_code=None, file_name="fixed.xlsx"), fixed
    )
    assert counts(again) == (2, 2, 0, 0, 0)
    assert report_path(again) is None


def test_csv_imports_alike(tmp_path, gushi_officer, village):
    batch = import_rows(
        gushi_officer, tmp_path, family("411525000000001", village), name="import.csv"
    )
    assert counts(batch) == (3, 3, 0, 0, 0)
    csv_id = Person.objects.get(relation="head").id_number
    rows = [person_row("411525000000001", village, "户主", "张伟", "4.11525E+17")]
    batch = import_rows(gushi_officer, tmp_path, rows, name="again.csv")
    assert batch.rejected == 1
    assert "存成了数字" in reasons(batch)["张伟"]
    assert Person.objects.get(relation="head").id_number == csv_id


@pytest.mark.parametrize("fast_path", [True, False])
def test_large_updates_through_both_write_paths(
    tmp_path, gushi_officer, village, village2, monkeypatch, fast_path
):
    """On PostgreSQL: COPY and the temporary-table UPDATE, or the generic executemany."""
    monkeypatch.setattr(engine, "POSTGRES_FAST_PATH", fast_path)
    rows = []
    for h in range(70):
        rows += family(f"41152500000{h:04d}", village, size=3)
    assert counts(import_rows(gushi_officer, tmp_path, rows)) == (210, 210, 0, 0, 0)
    changed = [{**r, "行政区划代码": village2, "民族": "回族", "是否低保": "是"} for r in rows]
    # Swap the head and the spouse in every household.
    for k in range(0, len(changed), 3):
        changed[k]["与户主关系"], changed[k + 1]["与户主关系"] = "配偶", "户主"
    batch = import_rows(gushi_officer, tmp_path, changed)
    assert counts(batch) == (210, 0, 210, 0, 0)
    assert set(Person.objects.values_list("region_id", "ethnicity", "is_dibao")) == {
        (village2, "回族", True)
    }
    assert Person.objects.filter(relation="head").count() == 70
    assert_registry_consistent()
    assert counts(import_rows(gushi_officer, tmp_path, changed)) == (210, 0, 0, 210, 0)


# On PostgreSQL, outside a test transaction, batches are written by a background thread
# while the next batch is planned; these tests commit, so that path runs for real there.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pipelined_writer_gives_the_same_registry(tmp_path, monkeypatch):
    from shegong.conftest import make_user

    officer = make_user("pipeline_officer", "civil_affairs_officer", GUSHI)
    village = make_village(township(GUSHI)).code
    monkeypatch.setattr(engine, "BATCH_ROWS", 7)
    used = []

    class Spy(engine._BackgroundWriter):
        def __init__(self, *args):
            used.append(True)
            super().__init__(*args)

    monkeypatch.setattr(engine, "_BackgroundWriter", Spy)
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)  # check rows in two processes
    old = make_household(village, number="411525000000900", head_name="张伟")
    mover = make_person(old, "张强", relation="son")
    rows = []
    for h in range(12):
        rows += family(f"41152500000{h:04d}", village, size=3)
    rows.append(
        person_row(
            "411525000000900", village, "户主", "张伟", old.members.get(relation="head").id_number
        )
    )
    rows.append(person_row("411525000000011", village, "之孙子", "张强", mover.id_number))
    rows[-2], rows[-1] = rows[-1], rows[-2]
    first = import_rows(officer, tmp_path, [r for r in rows if r["姓名"] != "张强"])
    assert counts(first) == (37, 36, 0, 1, 0)
    second = import_rows(officer, tmp_path, rows)
    assert counts(second) == (38, 0, 1, 37, 0)
    mover.refresh_from_db()
    assert mover.household.number == "411525000000011"
    assert_registry_consistent()
    assert counts(import_rows(officer, tmp_path, rows)) == (38, 0, 0, 38, 0)
    assert bool(used) == (connection.vendor == "postgresql")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_checking_in_two_processes_sees_the_whole_file(tmp_path, monkeypatch):
    """Households are shared between the two checking processes: ID numbers that appear in
    both shares must still be judged on the whole file."""
    from shegong.conftest import make_user

    officer = make_user("parallel_officer", "civil_affairs_officer", GUSHI)
    village = make_village(township(GUSHI)).code
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    forked = []

    class Spy(engine.ChildJudges):
        def __init__(self, *args):
            forked.append(True)
            super().__init__(*args)

    monkeypatch.setattr(engine, "ChildJudges", Spy)
    twice = make_id_number()
    bad = make_id_number()
    bad = bad[:17] + ("1" if bad[17] != "1" else "2")
    rows = [
        person_row("411525000000001", village, "户主", "甲", twice),
        person_row("411525000000002", village, "户主", "乙", twice),
        person_row("411525000000003", village, "户主", "丙", make_id_number()),
        person_row("411525000000003", village, "妻子", "丁", bad),
        *family("411525000000004", village, size=5),
    ]
    for name in ("xlsx", "csv"):
        batch = import_rows(officer, tmp_path, rows, name=f"two.{name}")
        assert counts(batch) == (9, 5, 0, 0, 4) if name == "xlsx" else (9, 0, 0, 5, 4)
        why = reasons(batch)
        assert "出现了 2 次" in why["甲"] and "出现了 2 次" in why["乙"]
        assert "同户第 5 行有错误" in why["丙"] and "校验位错误" in why["丁"]
    assert forked == [True, True]
    assert_registry_consistent()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_checking_process_that_dies_fails_the_import_and_leaves_whole_households(
    tmp_path, monkeypatch
):
    """A forked checker killed half-way: the import stops with an error, what was written
    is whole households, and the same file run again completes it."""
    import os

    from shegong.conftest import make_user
    from shegong.registry.importer.rows import RowChecker

    officer = make_user("dying_checker_officer", "civil_affairs_officer", GUSHI)
    village = make_village(township(GUSHI)).code
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(engine, "BATCH_ROWS", 3)
    rows = []
    for h in range(40):
        rows += family(f"41152500000{h:04d}", village, size=2)
    real_check = RowChecker.check
    parent = os.getpid()

    def dying_check(self, cells):
        if os.getpid() != parent and "411525000000030" in cells:
            os._exit(9)  # a checker process killed in the middle of the file
        return real_check(self, cells)

    monkeypatch.setattr(RowChecker, "check", dying_check)
    with pytest.raises(RuntimeError, match="ended early"):
        import_rows(officer, tmp_path, rows)
    assert Person.objects.count() % 2 == 0  # whole two-person households only
    assert_registry_consistent()
    monkeypatch.setattr(RowChecker, "check", real_check)
    again = import_rows(officer, tmp_path, rows)
    assert again.created + again.unchanged == 80 and again.rejected == 0
    assert Person.objects.count() == 80
    assert_registry_consistent()


def test_batch_lookups_probe_the_indexes_on_postgresql(gushi_officer, village):
    """While an import fills the tables their statistics lag, and PostgreSQL would read the
    whole table for a lookup of thousands of numbers; the lookups switch that off."""
    from django.test.utils import CaptureQueriesContext

    from shegong.registry.importer.planning import index_probes

    make_household(village, number="411525000000001")
    if connection.vendor != "postgresql":
        with CaptureQueriesContext(connection) as queries, index_probes():
            pass
        assert len(queries) == 0  # nothing to switch on SQLite
        return
    numbers = [f"4115250000{k:05d}" for k in range(3000)]

    def plan():
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN SELECT id FROM registry_household WHERE number = ANY(%s)", [numbers]
            )
            return " ".join(row[0] for row in cursor.fetchall())

    assert "Seq Scan" in plan()  # what the planner does on its own with a small table
    with index_probes():
        probing = plan()
    assert "Seq Scan" not in probing and "Index" in probing
    assert "Seq Scan" in plan()  # only for the lookups


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("parallel", [False, True])
def test_a_large_files_first_pass_on_disk_judges_the_same(tmp_path, monkeypatch, parallel):
    """Large files keep the household sizes and ID numbers seen in a temporary SQLite file
    (memory stays flat): duplicates, households whose rows are far apart and a bad row must
    be judged exactly as in memory, and the file is removed afterwards."""
    from shegong.conftest import make_user
    from shegong.registry.importer import checking

    officer = make_user(f"disk_scan_officer_{parallel}", "civil_affairs_officer", GUSHI)
    village = make_village(township(GUSHI)).code
    monkeypatch.setattr(engine, "DISK_SCAN_BYTES", 0)
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0 if parallel else 10**12)
    scans = []
    real_init = checking.Scan.__init__

    def spy(self, *args, **kwargs):
        scans.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(checking.Scan, "__init__", spy)
    twice = make_id_number()
    bad = make_id_number()
    bad = bad[:17] + ("1" if bad[17] != "1" else "2")
    split = family("411525000000005", village, size=3)
    rows = [
        split[0],
        person_row("411525000000001", village, "户主", "甲", twice),
        person_row("411525000000002", village, "户主", "乙", twice),
        person_row("411525000000003", village, "户主", "丙", make_id_number()),
        person_row("411525000000003", village, "妻子", "丁", bad),
        *family("411525000000004", village, size=4),
        split[1],
        person_row("411525000000006", village, "儿子", "戊", make_id_number()),  # no head
        split[2],
    ]
    batch = import_rows(officer, tmp_path, rows)
    assert counts(batch) == (12, 7, 0, 0, 5)
    why = reasons(batch)
    assert "出现了 2 次" in why["甲"] and "出现了 2 次" in why["乙"]
    assert "同户第 6 行有错误" in why["丙"] and "校验位错误" in why["丁"]
    assert "没有户主" in why["戊"]
    assert Household.objects.get(number="411525000000005").member_count == 3
    assert [s.on_disk for s in scans] == [True]
    assert scans[0]._path is None  # the SQLite file is gone
    assert counts(import_rows(officer, tmp_path, rows)) == (12, 0, 0, 7, 5)
    assert_registry_consistent()


def test_scan_files_left_by_killed_imports_are_removed():
    """A large import's first pass removes scan files older than a day (a killed import's);
    a running import's file and files that are not scan files stay."""
    import os
    import time

    from shegong.registry.importer import checking
    from shegong.registry.importer.spool import work_dir

    directory = work_dir()
    old = os.path.join(directory, f"{checking.SCAN_PREFIX}killed.sqlite3")
    recent = os.path.join(directory, f"{checking.SCAN_PREFIX}running.sqlite3")
    other = os.path.join(directory, "someone-elses.sqlite3")
    for path in (old, recent, other):
        with open(path, "wb") as fh:
            fh.write(b"x")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(other, (two_days_ago, two_days_ago))
    try:
        assert checking.remove_stale_scans(directory) == 1
        assert not os.path.exists(old)
        assert os.path.exists(recent) and os.path.exists(other)
    finally:
        for path in (recent, other):
            with contextlib.suppress(OSError):
                os.unlink(path)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("parallel", [False, True])
def test_a_file_that_turns_unreadable_after_its_start_is_refused_whole(
    tmp_path, monkeypatch, parallel
):
    """UTF-8 is detected from the first 64 KiB; bytes that are not UTF-8 further down are
    found by the first pass, before anything is written, in one process or in two."""
    from shegong.conftest import make_user
    from shegong.registry.importer.services import create_batch
    from shegong.registry.importer.testing import write_csv_file

    officer = make_user(f"unreadable_officer_{parallel}", "civil_affairs_officer", GUSHI)
    village = make_village(township(GUSHI)).code
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0 if parallel else 10**12)
    rows = []
    for h in range(600):
        rows += family(f"41152500000{h:04d}", village, size=2)
    path = write_csv_file(tmp_path / "broken.csv", rows)
    data = path.read_bytes()
    assert len(data) > 70 * 1024
    path.write_bytes(data + b"411525000009999,\xff\xfe\xfa,\n")
    batch = run_import(create_batch(actor=officer, region_code=None, file_name="broken.csv"), path)
    assert batch.status == "failed"
    assert "文件编码无法识别" in batch.message
    assert not Person.objects.exists() and not Household.objects.exists()


def test_batch_lookups_find_exactly_the_numbers_asked_for(village):
    """Lookup lists go to PostgreSQL as one array literal when every value is letters, digits
    and hyphens; anything else (never a valid number, but still) goes value by value, so a
    comma or a brace in a value can never split or end the list."""
    from shegong.registry.importer.planning import where_in

    make_household(village, number="411525000000001")
    make_household(village, number="411525000000002")
    odd = ["411525000000001,411525000000002", "{411525000000002}", '4115"', ""]
    assert set(where_in(Household.objects.all(), "number", odd)) == set()
    plain = ["411525000000001", "411525000000009", "ABC-12"]
    found = where_in(Household.objects.all(), "number", plain).values_list("number", flat=True)
    assert list(found) == ["411525000000001"]
    mixed = [*plain, "411525000000002", "x,y"]
    found = where_in(Household.objects.all(), "number", mixed).values_list("number", flat=True)
    assert sorted(found) == ["411525000000001", "411525000000002"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_rejected_while_planning_reach_the_report_when_checked_in_two_processes(
    tmp_path, monkeypatch
):
    """Rejections come from the checking processes (a bad row) and from this one (a household
    registered outside the jurisdiction, found only when the batch is planned); the error
    report must hold every one of them."""
    from shegong.conftest import make_user

    officer = make_user("two_spools_officer", "civil_affairs_officer", GUSHI)
    village = make_village(township(GUSHI)).code
    xincai = make_village(township(XINCAI)).code
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(engine, "BATCH_ROWS", 2)  # planned while the checkers still run
    theirs = make_household(xincai, number="411729000000100", head_name="王芳")
    rows = [
        person_row("411729000000100", village, "户主", "甲", make_id_number()),
        person_row("411729000000100", village, "妻子", "乙", make_id_number()),
        *family("411525000000004", village, size=3),
    ]
    batch = import_rows(officer, tmp_path, rows)
    assert counts(batch) == (5, 3, 0, 0, 2)
    why = reasons(batch)
    assert (
        "已登记在您管辖范围以外的区划" in why["甲"] and "已登记在您管辖范围以外的区划" in why["乙"]
    )
    assert theirs.members.count() == 1
