"""A county file as offices keep them: GB18030, exported from the national system and edited by
hand (full-width digits and punctuation, variant labels, the 之X relation terms, school grades,
an old birthplace code), with valid and invalid households mixed. Every row's outcome and every
reason is asserted exactly."""

from __future__ import annotations

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shegong.conftest import GUSHI
from shegong.core.idnumbers import citizen_id_check_char
from shegong.core.models import Region
from shegong.core.testing import make_village
from shegong.registry.importer.engine import run_import
from shegong.registry.importer.services import create_batch, report_path
from shegong.registry.models import Household, Person

pytestmark = pytest.mark.django_db

# Headers as the national system's export names them (aliases of the template's columns).
HEADERS = [
    "户号",
    "行政区划代码",
    "关系",
    "姓名",
    "身份证号",
    "文化程度",
    "在校情况",
    "健康状况",
    "务工状况",
    "务工时间（月）",
    "贫困户属性",
    "主要致贫原因",
    "其他致贫原因",
    "家庭年人均纯收入",
]
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_seq = iter(range(101, 999, 2))


def id_number(birthplace: str = "411525", birth: str = "19800101", female: bool = False) -> str:
    seq = next(_seq) + (1 if female else 0)
    body = f"{birthplace}{birth}{seq:03d}"
    return body + citizen_id_check_char(body)


def bad_check(number: str) -> str:
    return number[:17] + ("1" if number[17] != "1" else "2")


def write_file(path, rows: list[list[str]]) -> None:
    lines = [",".join(HEADERS)] + [",".join(cells) for cells in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def row(number, village, relation, name, ident, **extra) -> list[str]:
    cells = dict.fromkeys(HEADERS, "")
    cells.update({"户号": number, "行政区划代码": village, "关系": relation, "姓名": name})
    cells["身份证号"] = ident
    cells.update(extra)
    assert all("," not in v for v in cells.values())  # the file is written without quoting
    return [cells[h] for h in HEADERS]


def test_a_county_file_with_variant_spellings_imports_exactly(
    tmp_path, gushi_officer, settings, client
):
    settings.EXPORT_DIR = tmp_path / "exports"
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first().code
    v = make_village(township).code
    vw = v.translate(FULL_WIDTH)  # the same village code typed in full-width digits
    ids = {k: id_number(female=k in "BEHJM") for k in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    old = id_number("412701", "19650312")  # 周口地区 before 2000: an old birthplace code
    old2 = id_number("412701", "19700101")
    rows = [
        # 2-5 H01: good; stages and grades, short relation forms
        row(
            "411525001100001",
            v,
            "户主",
            "陈建国",
            ids["A"],
            文化程度="初中文化",
            贫困户属性="低保贫困户（低保户）",
            主要致贫原因="因病致贫",
            其他致贫原因="缺技术、缺资金",
            健康状况="长期慢性病",
            家庭年人均纯收入="3200元",
        ),
        row("411525001100001", v, "妻子", "王秀兰", ids["B"], 文化程度="文盲或半文盲"),
        row("411525001100001", v, "之长子", "陈小军", ids["C"], 文化程度="高中 ", 在校情况="高二"),
        row(
            "411525001100001",
            v,
            "之孙女",
            "陈朵朵",
            id_number(birth="20150601", female=True),
            文化程度="小学在读",
            在校情况="三年级",
        ),
        # 6-8 H02: good; full-width household number, region, ID digits, brackets and spaces
        row(
            "411525001100002".translate(FULL_WIDTH),
            vw,
            "户　主",
            "李明",
            ids["D"].translate(FULL_WIDTH),
            文化程度="中专（中技）",
            务工状况="省外务工",
            **{"务工时间（月）": "６"},
        ),
        row(
            "411525001100002".translate(FULL_WIDTH),
            vw,
            "之・女",
            "李娜",
            ids["E"].translate(FULL_WIDTH),
            文化程度="大专/高职",
            在校情况="大学在读",
        ),
        row(
            "411525001100002".translate(FULL_WIDTH),
            vw,
            "之父",
            "李老根",
            id_number(birth="19450101"),
            健康状况="患有大病。",
        ),
        # 9-11 H03: good; 之X forms of the national system
        row(
            "411525001100003",
            v,
            "户主",
            "张桂英",
            ids["F"],
            务工状况="乡（镇）内务工",
            **{"务工时间（月）": "3"},
        ),
        row("411525001100003", v, "之儿媳", "赵丽", ids["H"], 文化程度="初二"),
        row(
            "411525001100003",
            v,
            "之外孙女",
            "张甜",
            id_number(birth="20180301", female=True),
            在校情况="幼儿园",
        ),
        # 12 H04: good, with an old birthplace code: accepted with a warning
        row("411525001100004", v, "本人（户主）", "刘长顺", old, 文化程度="小学"),
        # 13-15 H05: a bad cell AND two heads
        row("411525001100005", v, "户主", "周一", ids["G"], 文化程度="博士后"),
        row("411525001100005", v, "户主", "周二", ids["I"]),
        row("411525001100005", v, "之子", "周三", ids["K"]),
        # 16-17 H06: a bad cell AND no head
        row("411525001100006", v, "之子", "吴一", bad_check(ids["L"])),
        row("411525001100006", v, "之女", "吴二", ids["M"]),
        # 18-19 H07: no head only
        row("411525001100007", v, "配偶", "郑一", ids["N"]),
        row("411525001100007", v, "之孙子", "郑二", id_number(birth="20100101")),
        # 20-21 H08: an unknown relation, no other head: "no head" is not claimed
        row("411525001100008", v, "之孙媳", "孙一", ids["O"]),
        row("411525001100008", v, "之子", "孙二", ids["P"]),
        # 22 H09: two bad cells in one row
        row(
            "411525001100009", v, "户主", "钱一", ids["Q"], 家庭年人均纯收入="-5", 在校情况="十年级"
        ),
        # 23-24 H10: old birthplace code on a row of a rejected household (warned and rejected)
        row("411525001100010", v, "户主", "冯一", old2),
        row("411525001100010", v, "之子", "冯二", ids["R"], 健康状况="很好"),
        # 25-26 H11: good; the Henan 闺女 and 之兄弟姐妹
        row("411525001100011", v, "户主", "褚一", ids["S"], 贫困户属性="五保户"),
        row("411525001100011", v, "之兄弟姐妹", "褚二", ids["T"]),
        # 27-28 H12: good; grandparents and in-laws have no code of their own: 其他
        row("411525001100012", v, "户主", "卫一", ids["U"]),
        row("411525001100012", v, "之岳母", "卫二", id_number(birth="19500101", female=True)),
        # 29 H13: region outside the file's reach (code does not exist)
        row("411525001100013", "411525999999", "户主", "蒋一", ids["V"]),
        # 30-31 H14: good; 之配偶, 之次女 (之 + a short form), full-width income
        row("411525001100014", v, "户主", "沈一", ids["W"], 家庭年人均纯收入="２８５５．５"),
        row("411525001100014", v, "之配偶", "沈二", ids["X"]),
        # 32 H15: good; a code instead of a label, upper case
        row("411525001100015", v, "HEAD", "韩一", ids["Y"], 文化程度="SENIOR"),
    ]
    path = tmp_path / "固始县花名册.csv"
    write_file(path, rows)
    batch = create_batch(actor=gushi_officer, region_code=None, file_name=path.name)
    batch = run_import(batch, path)

    assert (batch.rows, batch.created, batch.rejected) == (31, 18, 13)
    people = {
        p.name: (p.household.number, p.relation, p.education, p.in_school, p.health, p.work_status)
        for p in Person.objects.select_related("household")
    }
    assert people == {
        "陈建国": ("411525001100001", "head", "junior", "", "chronic", ""),
        "王秀兰": ("411525001100001", "spouse", "illiterate", "", "", ""),
        "陈小军": ("411525001100001", "son", "senior", "senior", "", ""),
        "陈朵朵": ("411525001100001", "granddaughter", "primary", "primary", "", ""),
        "李明": ("411525001100002", "head", "vocational", "", "", "out_of_province"),
        "李娜": ("411525001100002", "daughter", "college", "higher", "", ""),
        "李老根": ("411525001100002", "father", "", "", "serious", ""),
        "张桂英": ("411525001100003", "head", "", "", "", "township"),
        "赵丽": ("411525001100003", "daughter_in_law", "junior", "", "", ""),
        "张甜": ("411525001100003", "granddaughter", "", "preschool", "", ""),
        "刘长顺": ("411525001100004", "head", "primary", "", "", ""),
        "褚一": ("411525001100011", "head", "", "", "", ""),
        "褚二": ("411525001100011", "sibling", "", "", "", ""),
        "卫一": ("411525001100012", "head", "", "", "", ""),
        "卫二": ("411525001100012", "other", "", "", "", ""),
        "沈一": ("411525001100014", "head", "", "", "", ""),
        "沈二": ("411525001100014", "spouse", "", "", "", ""),
        "韩一": ("411525001100015", "head", "senior", "", "", ""),
    }
    h1 = Household.objects.get(number="411525001100001")
    assert (
        h1.household_type,
        h1.main_cause,
        h1.secondary_causes,
        str(h1.net_income_per_person),
    ) == ("dibao", "illness", ["lack_skills", "lack_capital"], "3200.00")
    assert Household.objects.get(number="411525001100011").household_type == "tekun"
    assert str(Household.objects.get(number="411525001100014").net_income_per_person) == "2855.50"

    book = load_workbook(report_path(batch))
    errors = list(book["错误报告"].values)
    header = list(errors[0])
    why = {r[header.index("原行号")]: r[header.index("错误原因")] for r in errors[1:]}
    two_heads = "该户(户编号 411525001100005)有 2 位户主,每户必须有且只有一位户主。"
    no_head_6 = "该户(户编号 411525001100006)没有户主,每户必须有且只有一位户主。"
    assert why == {
        13: "文化程度“博士后”不是可用的代码值,最接近的是:大专及以上、学龄前儿童、文盲或半文盲。"
        "请对照模板中的“代码表”填写。；" + two_heads,
        14: two_heads + "；同户第 13 行有错误,整户未导入。",
        15: two_heads + "；同户第 13 行有错误,整户未导入。",
        16: "身份证号码校验位错误。；" + no_head_6,
        17: no_head_6 + "；同户第 16 行有错误,整户未导入。",
        18: "该户(户编号 411525001100007)没有户主,每户必须有且只有一位户主。",
        19: "该户(户编号 411525001100007)没有户主,每户必须有且只有一位户主。",
        20: "与户主关系“之孙媳”不是可用的代码值,最接近的是:其他、之儿媳、之孙子。"
        "请对照模板中的“代码表”填写。",
        21: "同户第 20 行有错误,整户未导入。",
        22: "在校情况“十年级”不是可用的代码值,最接近的是:小学、七年级至九年级、高中。"
        "请对照模板中的“代码表”填写。；家庭年人均纯收入“-5”应为不小于 0 的数字。",
        23: "同户第 24 行有错误,整户未导入。",
        24: "健康状况“很好”不是可用的代码值,最接近的是:健康、长期慢性病、患有大病。"
        "请对照模板中的“代码表”填写。",
        29: "行政区划代码 411525999999 不存在。",
    }
    warnings = list(book["出生地代码提示"].values)
    assert warnings == [
        ("原行号", "户编号", "出生地代码", "提示"),
        (
            12,
            "411525001100004",
            "412701",
            "出生地代码 412701 不在现行区划中，可能是旧代码，请核对。",
        ),
        (
            23,
            "411525001100010",
            "412701",
            "出生地代码 412701 不在现行区划中，可能是旧代码，请核对。",
        ),
    ]
    assert batch.birthplace_warnings == [{"code": "412701", "count": 2, "rows": [12, 23]}]

    # The result page lists which rows and which codes.
    client.force_login(gushi_officer)
    page = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    table = page[page.index('<table class="table" id="birthplace-warnings">') :]
    table = table[: table.index("</table>")]
    assert "<td>412701</td><td>2</td><td>12、23</td>" in table
    assert "2 行证件号码的出生地代码不在河南现行区划中" in page
