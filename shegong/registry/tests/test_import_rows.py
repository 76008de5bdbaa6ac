"""Reading import files and checking single rows (no registry writes)."""

import datetime
import marshal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.core.idnumbers import citizen_id_check_char, parse_citizen_id
from shegong.registry.importer.checking import (
    Record,
    from_wire,
    pack_cells,
    to_wire,
    unpack_cells,
)
from shegong.registry.importer.reader import detect_encoding, open_table
from shegong.registry.importer.rows import (
    COLUMNS,
    HeaderMap,
    ImportRefused,
    Row,
    RowChecker,
    cell_text,
    clean_header,
    map_headers,
)
from shegong.registry.importer.testing import person_row, write_csv_file, write_xlsx_file
from shegong.registry.tests.factories import make_id_number

VILLAGE = "411525100200"
ID_NUMERIC_MESSAGE = "证件号码被 Excel 存成了数字,后几位已丢失,请把该列设为文本后重新填写。"


def checker(headers=COLUMNS, region_problem=lambda code: None):
    return RowChecker(
        map_headers(list(headers)),
        region_problem=region_problem,
        today=datetime.date(2025, 6, 1),
    )


def cells(row, headers=COLUMNS):
    return [row.get(h, "") for h in headers]


def check(row, headers=COLUMNS, **kwargs):
    raw, number, id_number, normalised, errors = checker(headers, **kwargs).check(
        cells(row, headers)
    )
    return normalised, errors


def full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def id_ending_in_x():
    for seq in range(1, 2000):
        number = make_id_number(seq=seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no X")


def test_headers_accept_aliases_and_spaces():
    header = map_headers(["户号", " 区划代码 ", "关系", "姓 名", "身份证号码", "性别"])
    assert header.index == {
        "户编号": 0,
        "行政区划代码": 1,
        "与户主关系": 2,
        "姓名": 3,
        "证件号码": 4,
        "性别": 5,
    }
    assert clean_header("公民身份号码") == "证件号码"
    assert clean_header("村代码") == "行政区划代码"
    assert clean_header("\ufeff户编号") == "户编号"


def test_a_column_named_twice_refuses_the_file():
    with pytest.raises(ImportRefused, match="出现了两次"):
        map_headers(["户编号", "身份证号", "证件号码"])


def test_missing_required_header_refuses_the_whole_file(tmp_path):
    path = write_xlsx_file(
        tmp_path / "a.xlsx",
        [person_row("411525000000001", VILLAGE, "户主", "张伟", make_id_number())],
        headers=[h for h in COLUMNS if h != "与户主关系"],
    )
    with pytest.raises(ImportRefused) as exc:
        open_table(path)
    assert "与户主关系" in str(exc.value)
    assert "整个文件未导入" in str(exc.value)


def test_title_rows_above_the_header_are_skipped(tmp_path):
    row = person_row("411525000000001", VILLAGE, "户主", "张伟", make_id_number())
    path = write_xlsx_file(tmp_path / "a.xlsx", [row], title_rows=[["固始县建档立卡花名册"], []])
    table = open_table(path)
    rows = list(table.rows)
    table.close()
    assert [n for n, _c in rows] == [4]
    assert table.header.index["姓名"] == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_utf8_bom_and_gb18030(tmp_path, encoding):
    row = person_row(
        "411525000000001", VILLAGE, "户主", "欧阳娜娜", make_id_number(), 住址="固始县"
    )
    path = write_csv_file(tmp_path / "a.csv", [row], encoding=encoding)
    table = open_table(path)
    rows = list(table.rows)
    table.close()
    assert table.header.headers[0] == "户编号"
    assert rows[0][1][3] == "欧阳娜娜"
    assert rows[0][1][18] == "固始县"


def test_encoding_detection():
    assert detect_encoding(b"\xef\xbb\xbf\xe6\x88\xb7") == "utf-8-sig"
    assert detect_encoding("户编号,姓名".encode()) == "utf-8"
    assert detect_encoding("户编号,姓名".encode("gb18030")) == "gb18030"
    # A character cut at the end of the sniffed block is not taken for GB18030.
    assert detect_encoding("户".encode()[:2]) == "utf-8"


def test_numeric_id_cells_are_rejected_with_the_excel_message(tmp_path):
    while not (number := make_id_number()).isdigit():
        pass
    row = person_row("411525000000001", VILLAGE, "户主", "张伟", float(number))
    path = write_xlsx_file(tmp_path / "a.xlsx", [row])
    table = open_table(path)
    ((_n, xlsx_cells),) = list(table.rows)
    table.close()
    raw, _number, _id, normalised, errors = checker().check(xlsx_cells)
    assert normalised is None
    assert errors == [ID_NUMERIC_MESSAGE]
    _row, errors = check({**row, "证件号码": "4.11525E+17"})
    assert errors == [ID_NUMERIC_MESSAGE]


def test_id_number_is_normalised():
    number = id_ending_in_x()
    for typed in (number.lower(), f"  {number} ", full_width(number), number.replace("X", "ｘ")):
        normalised, errors = check(person_row("411525000000001", VILLAGE, "户主", "张伟", typed))
        assert errors == []
        assert normalised.id_number == number


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("411525198001010010", "校验位错误"),
        ("4115251980010100", "应为 18 位"),
        (lambda: (b := "41152519800230001") + citizen_id_check_char(b), "出生日期不存在"),
    ],
)
def test_invalid_ids_are_rejected(id_number, message):
    value = id_number() if callable(id_number) else id_number
    if message == "校验位错误":
        good = make_id_number()
        value = good[:17] + ("1" if good[17] != "1" else "2")
    normalised, errors = check(person_row("411525000000001", VILLAGE, "户主", "张伟", value))
    assert normalised is None
    assert any(message in e for e in errors), errors


def test_unknown_birthplace_is_only_a_warning():
    body = "41999919800101001"
    number = body + citizen_id_check_char(body)
    c = RowChecker(
        map_headers(list(COLUMNS)), region_problem=lambda code: None, known_birthplaces={"411525"}
    )
    *_rest, normalised, errors = c.check(
        cells(person_row("411525000000001", VILLAGE, "户主", "张伟", number))
    )
    assert errors == []
    assert c.birthplace_warnings == 1


def test_sex_and_birth_date_must_agree_with_the_id():
    number = make_id_number(sex="male", birth="19800101")
    row = person_row("411525000000001", VILLAGE, "户主", "张伟", number)
    assert check({**row, "性别": "男性"})[0].sex == "male"
    _n, errors = check({**row, "性别": "女"})
    assert any("与证件号码不符" in e for e in errors)
    # The factory moves the birth date along after 500 numbers: take it from the number.
    birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    other = birth + datetime.timedelta(days=1)
    headers = [*COLUMNS, "出生日期"]
    assert check({**row, "出生日期": birth.isoformat()}, headers=headers)[1] == []
    _n, errors = check({**row, "出生日期": other.isoformat()}, headers=headers)
    assert any(f"与证件号码中的出生日期 {birth.isoformat()} 不符" in e for e in errors)


def test_code_values_accept_common_spellings_and_name_unknown_ones():
    row = person_row(
        "411525000000001",
        VILLAGE,
        "户主本人",
        "张伟",
        make_id_number(),
        贫困户属性="五保户",
        主要致贫原因="因病致贫",
        其他致贫原因="缺技术，缺资金",
        是否低保="Y",
        务工月数="6",
        家庭年人均纯收入="3,200.5元",
    )
    normalised, errors = check(row)
    assert errors == []
    assert normalised.relation == "head"
    assert normalised.causes == ("lack_skills", "lack_capital")
    assert normalised.dibao is True
    assert normalised.months == 6
    assert normalised.income == "3200.50"
    _n, errors = check({**row, "健康状况": "很好"})
    assert errors == [
        "健康状况“很好”不是可用的代码值,最接近的是:健康、长期慢性病、患有大病。"
        "请对照模板中的“代码表”填写。"
    ]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("其他致贫原因", "因病、因残 因学", "最多 2 项,当前为 3 项"),
        ("家庭年人均纯收入", "-5", "应为不小于 0 的数字"),
        ("家庭年人均纯收入", "很多", "应为不小于 0 的数字"),
        ("务工月数", "13", "应为 0 至 12 个月,不能为 13"),
        ("务工月数", "很久", "应为 0 至 12 的整数"),
        ("是否低保", "也许", "请填写“是”或“否”"),
        ("户编号", "12", "格式不正确"),
        ("行政区划代码", "4115", "应为 12 位数字"),
        ("姓名", "", "“姓名”不能为空"),
        ("与户主关系", "邻居", "与户主关系“邻居”不是可用的代码值"),
    ],
)
def test_row_rejections(column, value, message):
    row = person_row("411525000000001", VILLAGE, "户主", "张伟", make_id_number())
    normalised, errors = check({**row, column: value})
    assert normalised is None
    assert any(message in e for e in errors), errors


def test_region_problems_come_from_the_caller():
    row = person_row("411525000000001", VILLAGE, "户主", "张伟", make_id_number())
    _n, errors = check(row, region_problem=lambda code: f"{code} 不行")
    assert errors == [f"{VILLAGE} 不行"]


def test_cell_text():
    assert cell_text(None) == ""
    assert cell_text(12.0) == "12"
    assert cell_text(4.11525198001011e17) == "4.11525198001011e+17"
    assert cell_text(datetime.datetime(1980, 1, 1)) == "1980-01-01"
    assert cell_text(True) == "是"


def test_header_map_reports_missing_required_columns():
    header = HeaderMap(headers=("姓名",), index={"姓名": 0})
    assert header.missing() == ["户编号", "行政区划代码", "与户主关系", "证件号码"]


@pytest.mark.parametrize("calamine", [True, False])
def test_xlsx_reads_with_or_without_calamine(tmp_path, monkeypatch, calamine):
    from shegong.registry.importer import reader

    if not calamine:
        monkeypatch.setattr(reader, "python_calamine", None)
    rows = [
        person_row("411525000000001", VILLAGE, "户主", "张伟", make_id_number(), 务工月数=3),
        person_row("411525000000001", VILLAGE, "妻子", "李娟", make_id_number()),
    ]
    path = write_xlsx_file(tmp_path / "a.xlsx", rows, title_rows=[["花名册"], []])
    table = open_table(path)
    read = list(table.rows)
    table.close()
    assert [n for n, _c in read] == [4, 5]
    assert [c[3] for _n, c in read] == ["张伟", "李娟"]
    assert cell_text(read[0][1][12]) == "3"


def test_unreadable_files_are_refused(tmp_path):
    bad = tmp_path / "a.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportRefused):
        open_table(bad)
    old = tmp_path / "b.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(ImportRefused, match="另存为 .xlsx"):
        open_table(old)


# --- the first pass and the quick ID path agree with the full check -----------------------


household_cells = st.one_of(
    st.sampled_from(["411525000001", " 411525000001 ", "４１１５２５000001", "4115-25", "", "12"]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=10**20),
    st.text(alphabet="0123456789ABab- ４x", max_size=34),
)


@st.composite
def id_cells(draw):
    body = draw(st.sampled_from(["411525", "410102", "110101", "999999"]))
    birth = draw(st.sampled_from(["19800229", "19810229", "20240101", "18991231", "20991231"]))
    tail = f"{draw(st.integers(min_value=0, max_value=999)):03d}"
    first_17 = body + birth + tail
    good = citizen_id_check_char(first_17)
    last = draw(st.sampled_from([good, good.lower(), "0", "X"]))
    text = first_17 + last
    return draw(
        st.sampled_from(
            [
                text,
                f" {text} ",
                full_width(text),
                "'" + text,
                text[:15],
                text + "1",
                float(first_17) if draw(st.booleans()) else int(first_17),
                f"{float(first_17):.5E}",
                "",
            ]
        )
    )


@settings(max_examples=400, deadline=None)
@given(household=household_cells, id_cell=id_cells())
def test_the_first_pass_finds_the_same_household_and_id_as_the_check(household, id_cell):
    c = checker()
    row = cells(person_row("411525000000001", VILLAGE, "户主", "张伟", "x"))
    row[COLUMNS.index("户编号")] = household
    row[COLUMNS.index("证件号码")] = id_cell
    number, id_key = c.keys(row)
    _raw, checked_number, checked_id, _row, _errors = c.check(row)
    assert number == checked_number == c.household_of(row)
    if checked_id:  # a valid ID number is compared by exactly its key
        assert id_key == checked_id


@settings(max_examples=400, deadline=None)
@given(id_cell=id_cells())
def test_the_quick_id_path_agrees_with_parse_citizen_id(id_cell):
    known = {"411525", "410102"}
    c = RowChecker(
        map_headers(list(COLUMNS)),
        region_problem=lambda code: None,
        known_birthplaces=known,
        today=datetime.date(2025, 6, 1),
    )
    text = cell_text(id_cell).strip()
    if not isinstance(id_cell, str) or not text:
        return
    key = text.lstrip("'").translate({0xFF10 + i: ord("0") + i for i in range(10)}).upper()
    quick = c._quick_id(key)
    try:
        parsed = parse_citizen_id(key, today=c.today, known_region_codes=c.known)
    except ValidationError:
        assert quick is None
    else:
        assert quick == (parsed.number, parsed.sex, parsed.birth_date)
        assert c.birthplace_warnings == len(parsed.warnings)


def test_cells_packed_for_the_pipe_come_back_the_same():
    assert unpack_cells(pack_cells(("a", "", "张伟"))) == ("a", "", "张伟")
    with_separator = ("a\x1fb", "c")
    assert pack_cells(with_separator) == with_separator  # kept as it is, not split wrongly
    assert unpack_cells(pack_cells(("",))) == ("",)


def test_a_checked_row_reads_by_name():
    id_number = make_id_number(birth="19800101", sex="female")
    row = person_row("411525000000001", VILLAGE, "户主本人", "张伟", id_number, 民族="汉族")
    checked = checker().check(cells(row))
    assert checked.errors == []
    assert checked.number == "411525000000001"
    assert checked.id_number == id_number
    assert checked.row == Row(
        number="411525000000001",
        region=VILLAGE,
        relation="head",
        name="张伟",
        id_number=id_number,
        sex="female",
        birth="1980-01-01",
        ethnicity="汉族",
        education=None,
        in_school=None,
        health=None,
        labour=None,
        work=None,
        months=None,
        dibao=None,
        household_type=None,
        main_cause=None,
        causes=None,
        income=None,
        address=None,
        phone=None,
    )


def test_judged_households_cross_the_pipe_as_plain_tuples_and_arrive_named():
    id_number = make_id_number()
    checked = checker().check(
        cells(person_row("411525000000001", VILLAGE, "户主本人", "张伟", id_number))
    )
    record = Record(
        7, pack_cells(checked.raw), checked.number, checked.id_number, checked.row, [], "zw"
    )
    message = ([("411525000000001", [record])], 2, 9, [(7, "411525000000001", "419999")])
    with pytest.raises(ValueError):
        marshal.dumps(message)  # marshal refuses tuple subclasses
    back = from_wire(marshal.loads(marshal.dumps(to_wire(message))))
    assert back == message
    arrived = back[0][0][1][0]
    assert type(arrived) is Record
    assert type(arrived.row) is Row
    assert (arrived.row_number, arrived.initials, arrived.row.name) == (7, "zw", "张伟")
