"""A township officer changes a household and sees the change in its history."""

from __future__ import annotations

import pytest

pytestmark = [
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_township_officer_changes_a_household(journey):
    j = journey("gushi_township")
    page = j.page

    j.open("/")
    page.get_by_role("link", name="建档立卡").first.click()
    j.check("list", phone=True)
    row = page.locator("main tbody tr", has_text="已脱贫").first
    number = row.locator("a").first.inner_text()
    row.get_by_role("link", name=number).click()
    assert f"户编号 {number}" in j.main()
    assert "暂无记录" in page.locator("main").get_by_text("变更历史").locator("..").inner_text()
    j.check("household", phone=True)

    change = page.locator("details", has=page.get_by_text("标记返贫风险", exact=True))
    change.locator("summary").click()
    change.get_by_label("变更原因").fill("户主务工受伤,家庭收入骤降")
    j.check("change")
    change.get_by_role("button", name="提交").click()

    page.get_by_text("已保存。").wait_for()
    main = j.main()
    assert f"户编号 {number}" in main and "返贫风险" in main.split("基本情况")[0], main
    assert "标记返贫风险:户主务工受伤,家庭收入骤降" in main, main
    j.check("history", phone=True)
