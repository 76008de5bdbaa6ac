"""A Dibao application from acceptance at the township to the county's approval, through an
objection and a democratic review; then the county refuses another application with reasons."""

from __future__ import annotations

import datetime

import pytest

pytestmark = [
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _free_household() -> str | None:
    """A demo household of the township officer's township with no Dibao application."""
    from shegong.dibao.models import Application
    from shegong.registry.models import Household

    used = Application.objects.values_list("household_id", flat=True)
    return (
        Household.objects.filter(region__code__startswith="411525001")
        .exclude(pk__in=used)
        .order_by("number")
        .values_list("number", flat=True)
        .first()
    )


def _day(n: int) -> str:
    return (datetime.date.today() - datetime.timedelta(days=n)).isoformat()


def _step(
    j, summary: str, fields: dict, button: str, *, checks=(), selects=None, shot: str = ""
) -> None:
    form = j.details(summary)
    for label, value in fields.items():
        form.get_by_label(label, exact=True).fill(value)
    for label, option in (selects or {}).items():
        form.get_by_label(label, exact=True).select_option(label=option)
    for label in checks:
        form.get_by_label(label, exact=True).check()
    if shot:
        j.check(shot, phone=True)
    form.get_by_role("button", name=button).click()
    j.saved()


def test_dibao_application_from_acceptance_to_approval(journey):
    number = _free_household()
    assert number
    t = journey("gushi_township")
    page = t.page
    t.open("/")
    page.get_by_role("link", name="低保特困申请").first.click()
    t.check("list", phone=True)

    page.get_by_role("link", name="受理新申请").click()
    page.get_by_label("户编号").fill(number)
    page.get_by_role("button", name="查找").click()
    page.get_by_label("申请人", exact=True).select_option(index=1)
    page.get_by_label("救助类别").select_option(label="最低生活保障")
    page.get_by_label("已签署家庭经济状况核对授权书").check()
    page.get_by_label("申请理由").fill("户主患病,家庭无稳定收入")
    page.get_by_label("受理日期").fill(_day(20))
    t.check("new", phone=True)
    page.get_by_role("button", name="受理申请").click()
    page.wait_for_load_state()
    assert page.locator(".messages").inner_text().startswith("已受理"), t.main()[:800]
    detail_url = page.url
    t.check("accepted")

    _step(t, "启动家庭经济状况调查", {"日期": _day(20)}, "启动调查")
    _step(
        t,
        "记录入户调查",
        {
            "入户日期": _day(19),
            "调查人员(姓名,用逗号或顿号分隔)": "张三、李四",
            "在场家庭成员": "户主",
            "入户情况": "住房简陋,户主患病在家",
        },
        "保存入户调查",
        checks=["调查人员和在场成员已签字"],
    )
    _step(t, "登记家庭收入", {"年收入(元)": "1800"}, "添加收入", selects={"收入类别": "工资性收入"})
    _step(t, "核查表签字", {"日期": _day(19)}, "记录签字")
    _step(t, "申请信息核对", {"日期": _day(19)}, "申请核对")
    t.check("investigation", phone=True)

    c = journey("gushi_officer")
    c.page.goto(detail_url)
    _step(c, "录入信息核对结果", {"日期": _day(18), "核对结果": "未发现车辆、房产"}, "保存核对结果")

    t.page.reload()
    opinion = {"初审理由": "家庭月人均收入低于当地低保标准"}
    _step(
        t,
        "乡镇初审并公示",
        {"日期": _day(17), **opinion, "公示开始": _day(17), "公示结束": _day(11)},
        "保存初审意见",
        selects={"初审意见": "同意"},
        shot="opinion",
    )
    _step(t, "记录公示异议", {"日期": _day(15), "异议内容": "邻居反映家中有车"}, "保存异议")
    _step(
        t,
        "记录民主评议",
        {
            "评议日期": _day(14),
            "评议小组成员数": "9",
            "到会人数": "7",
            "同意票": "6",
            "不同意票": "1",
            "评议记录": "核实车辆为亲戚所有,评议同意",
        },
        "保存评议",
    )
    _step(
        t,
        "乡镇初审并公示",
        {"日期": _day(13), **opinion, "公示开始": _day(13), "公示结束": _day(7)},
        "保存初审意见",
        selects={"初审意见": "同意"},
    )
    _step(t, "报县级审核确认", {"日期": _day(5)}, "报县级")
    assert "县级审核确认" in t.main()

    c.page.reload()
    if c.page.locator("summary", has_text="记录县级入户核查").count():
        _step(
            c,
            "记录县级入户核查",
            {
                "入户日期": _day(3),
                "调查人员(姓名,用逗号或顿号分隔)": "王强、李娜",
                "在场家庭成员": "户主",
                "入户情况": "属实",
            },
            "保存县级入户核查",
            checks=["调查人员和在场成员已签字"],
        )
    _step(c, "审核确认", {"日期": _day(0)}, "保存审核确认", selects={"审核确认结果": "批准"})
    main = c.main()
    assert "已批准" in main and "保障情况" in main, main[:1500]
    c.check("approved", phone=True)
    c.page.get_by_role("link", name=number).click()
    panel = c.page.locator("#dibao")
    assert "保障中" in panel.inner_text(), panel.inner_text()
    c.check("household")

    # A second application, waiting at the county, refused with reasons.
    c.open("/dibao/applications/?stage=county")
    c.page.locator("main tbody tr a").first.click()
    _step(
        c,
        "审核确认",
        {"日期": _day(0), "不予批准的理由": "核实家庭有经营性收入,人均收入高于标准"},
        "保存审核确认",
        selects={"审核确认结果": "不予批准"},
    )
    main = c.main()
    assert "不予批准" in main and "经营性收入" in main, main[:1500]
    c.check("refused", phone=True)
