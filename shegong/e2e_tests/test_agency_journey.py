"""An agency administrator staffs their agency: a new social worker and their supervisor."""

from __future__ import annotations

import pytest

pytestmark = [
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_agency_administrator_staffs_the_agency(journey):
    j = journey("gushi_orgadmin")
    page = j.page

    j.open("/")
    page.get_by_role("link", name="用户管理").first.click()
    page.get_by_role("link", name="新建用户").click()
    page.get_by_label("用户名").fill("gushi_worker2")
    page.get_by_label("姓名").fill("李新社")
    page.get_by_label("初始密码").fill("Gushi-new-2026")
    page.get_by_label("角色").select_option(label="社会工作者")
    page.get_by_label("区划").select_option(label="固始县")
    page.get_by_label("所属机构").select_option(label="固始县阳光社会工作服务中心(演示)")
    j.check("new_user", phone=True)
    page.get_by_role("button", name="创建").click()
    page.wait_for_load_state()
    assert "李新社" in j.main(), j.main()
    j.check("user")

    j.open("/")
    page.get_by_role("link", name="督导关系").first.click()
    page.get_by_label("督导", exact=True).select_option(label="固始督导(gushi_supervisor)")
    page.get_by_label("被督导社工").select_option(label="李新社(gushi_worker2)")
    page.get_by_role("button", name="指派").click()
    page.wait_for_load_state()
    rows = page.locator("main tr", has_text="李新社")
    assert rows.count() == 1 and "固始督导" in rows.inner_text() and "进行中" in rows.inner_text()
    assert "固始督导\t2" in j.main(), j.main()
    j.check("supervision", phone=True)
