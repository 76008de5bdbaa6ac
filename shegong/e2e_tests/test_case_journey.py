"""A social worker takes a household's case from intake to closure, through every stage."""

from __future__ import annotations

import datetime

import pytest

pytestmark = [
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DOMAINS = [
    "就业状况",
    "身体健康",
    "残疾与照料",
    "子女教育",
    "住房条件",
    "心理状况",
    "家庭关系",
    "社会支持",
]


def score(form, *, income: int) -> None:
    """Score income as given and every other domain 4 (no need), as the worker clicks them."""
    form.get_by_role("group", name="经济收入").get_by_text(str(income), exact=True).click()
    for domain in DOMAINS:
        form.get_by_role("group", name=domain).get_by_text("4", exact=True).click()


def test_social_worker_takes_a_case_to_closure(journey):
    today = datetime.date.today()
    j = journey("gushi_worker")
    page = j.page

    j.open("/")
    page.get_by_role("link", name="个案管理").first.click()
    j.check("cases", phone=True)
    row = page.locator("main tbody tr", has=page.get_by_role("cell", name="接案", exact=True))
    number = row.locator("a").first.inner_text()
    row.get_by_role("link", name=number).click()
    assert f"个案 {number} 接案" in j.main()
    j.check("intake")

    page.get_by_role("button", name="进入“预估”阶段").click()
    j.saved()
    form = page.locator("form", has=page.get_by_role("button", name="保存预估"))
    score(form, income=2)
    form.get_by_label("经济收入 依据").fill("家庭年人均纯收入低于当年贫困线")
    form.get_by_label("评估小结").fill("收入是首要需求")
    j.check("assessment")
    form.get_by_role("button", name="保存预估").click()
    j.saved()
    assert "经济收入 (2 分,优先度 9)" in j.main(), j.main()

    page.get_by_role("button", name="进入“计划”阶段").click()
    j.saved()
    plan = page.locator("form", has=page.get_by_role("button", name="开始制定服务计划"))
    plan.get_by_label("计划概要").fill("链接就业资源,增加家庭收入")
    plan.get_by_role("button", name="开始制定服务计划").click()
    j.saved()
    goal = j.details("添加服务目标")
    goal.get_by_label("对应需求").select_option(label="经济收入")
    goal.get_by_label("目标", exact=True).fill("家庭年人均纯收入超过当年贫困线")
    goal.get_by_label("服务措施").fill("链接县人社局技能培训和就业岗位")
    goal.get_by_label("目标日期").fill((today + datetime.timedelta(days=90)).isoformat())
    goal.get_by_role("button", name="添加目标").click()
    j.saved()
    j.check("plan")

    page.get_by_role("button", name="进入“介入”阶段").click()
    j.saved()
    record = j.details("记录一次服务")
    record.get_by_label("服务类型").select_option(label="资源链接")
    record.get_by_label("服务日期").fill(today.isoformat())
    record.get_by_label("时长(分钟)").fill("90")
    record.get_by_label("地点").fill("服务对象家中")
    record.get_by_label("服务内容").fill("陪同户主到县人社局报名电工培训")
    record.get_by_role("button", name="保存服务记录").click()
    j.saved()
    assert "陪同户主到县人社局报名电工培训" in j.main()

    page.get_by_role("button", name="进入“评估”阶段").click()
    j.saved()
    j.details("评估期复评")
    again = page.locator("form", has=page.get_by_role("button", name="保存复评"))
    score(again, income=4)
    again.get_by_role("button", name="保存复评").click()
    j.saved()
    outcome = j.details("填写结案评估")
    outcome.get_by_label("目标达成情况:家庭年人均纯收入超过当年贫困线").select_option(label="达成")
    outcome.get_by_label("服务前家庭年人均纯收入(元)").fill("3200")
    outcome.get_by_label("服务后家庭年人均纯收入(元)").fill("5600")
    # By name: the case page's forms repeat ids (`id_summary`, `id_note`), so the labels
    # 评估结论 and 结案说明 point at the first form's field.
    outcome.locator("textarea[name=summary]").fill("户主完成电工培训并就业,家庭收入超过贫困线")
    j.check("evaluation")
    outcome.get_by_role("button", name="保存评估").click()
    j.saved()

    closure = page.locator("form", has=page.get_by_role("button", name="结案", exact=True))
    closure.get_by_label("结案原因").select_option(label="服务目标达成")
    closure.locator("textarea[name=note]").fill("目标达成,双方同意结案")
    closure.get_by_role("button", name="结案", exact=True).click()
    j.saved()
    main = j.main()
    assert f"个案 {number} 结案" in main, main
    assert "服务目标达成" in main, main
    j.check("closed", phone=True)
