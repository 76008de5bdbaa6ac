"""Navigation by module: only modules that exist, and only those the user's roles may use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import Perm
from .scoping import can


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    perm: str | None = None
    group: Any = ""
    description: Any = ""


# Modules append their entries here as they land (in their AppConfig.ready or urls module).
NAV: list[NavItem] = [
    NavItem(_("首页"), "core:home"),
    NavItem(
        _("建档立卡"),
        "registry:household_list",
        Perm.VIEW_REGISTRY,
        _("建档立卡"),
        _("贫困户与贫困人口:查询、户情变更、脱贫"),
    ),
    NavItem(
        _("建档立卡导入"),
        "registry:import_list",
        Perm.IMPORT_REGISTRY,
        _("建档立卡"),
        _("从 Excel 或 CSV 批量导入贫困户和贫困人口"),
    ),
    NavItem(
        _("疑似重复人员"),
        "registry:duplicate_list",
        Perm.REVIEW_DUPLICATES,
        _("建档立卡"),
        _("查找并核查重复登记的人员,合并或确认为不同的人"),
    ),
    NavItem(
        _("待复核的留守标识"),
        "registry:left_behind_review_list",
        Perm.CONFIRM_LEFT_BEHIND,
        _("建档立卡"),
        _("已核实的三留守标识与家庭现状不再相符,需走访复核"),
    ),
    NavItem(
        _("我的工作"),
        "casework:my_work",
        Perm.VIEW_TASKS,
        _("个案工作"),
        _("到期和逾期的回访、任务、转介,待审批事项"),
    ),
    NavItem(
        _("个案管理"),
        "casework:case_list",
        Perm.VIEW_CASES,
        _("个案工作"),
        _("接案、预估、计划、介入、评估、结案"),
    ),
    NavItem(
        _("个案经验库"),
        "casework:study_list",
        Perm.VIEW_CASE_STUDIES,
        _("个案工作"),
        _("已结案个案的经验总结,按需求和服务类型查找"),
    ),
    NavItem(
        _("个案统计"),
        "casework:summary",
        Perm.VIEW_CASES,
        _("个案工作"),
        _("按社工、机构、县汇总在案、结案与成效"),
    ),
    NavItem(
        _("资源名录"),
        "resources:institution_list",
        Perm.VIEW_RESOURCES,
        _("个案工作"),
        _("可链接的救助、福利、就业、医疗、教育等机构与服务"),
    ),
    NavItem(
        _("低保特困申请"),
        "dibao:application_list",
        Perm.VIEW_DIBAO,
        _("低保特困"),
        _("受理、调查核实、初审公示、县级审核确认"),
    ),
    NavItem(
        _("低保特困保障对象"),
        "dibao:award_list",
        Perm.VIEW_DIBAO,
        _("低保特困"),
        _("在保家庭、复核与就业推荐、到期与逾期事项"),
    ),
    NavItem(
        _("动态监测预警"),
        "dibao:alert_list",
        Perm.VIEW_DIBAO,
        _("低保特困"),
        _("每日动态监测发现的情况,由乡镇核实处理"),
    ),
    NavItem(
        _("低保特困发放名册"),
        "dibao:payment_list_index",
        Perm.VIEW_DIBAO,
        _("低保特困"),
        _("各县每月发放名册的编制、核对、确认与银行代发表导出"),
    ),
    NavItem(
        _("低保特困标准"),
        "dibao:standard_list",
        Perm.VIEW_DIBAO,
        _("低保特困"),
        _("各县城乡低保标准、特困供养标准与县级政策"),
    ),
    NavItem(
        _("低保工作评估"),
        "dibao:evaluation",
        Perm.VIEW_DIBAO,
        _("低保特困"),
        _("按县和期间统计申请、批准率、办理时长、逾期环节、错保漏保"),
    ),
    NavItem(
        _("第三方核查"),
        "dibao:check_list",
        Perm.DECIDE_DIBAO,
        _("低保特困"),
        _("委托社会工作服务机构对抽样的审核确认结果入户复核"),
    ),
    NavItem(
        _("核查样本"),
        "dibao:check_list",
        Perm.CHECK_DIBAO_SAMPLE,
        _("第三方核查"),
        _("本机构受委托核查的低保特困样本"),
    ),
    NavItem(
        _("机构名录"),
        "workforce:organisation_list",
        Perm.VIEW_ORGANISATIONS,
        _("人才队伍"),
        _("社工机构、慈善组织等登记信息"),
    ),
    NavItem(
        _("行政区划"),
        "core:region_list",
        Perm.VIEW_REGIONS,
        _("系统"),
        _("全省区划及三区县、贫困县、试点社区标识"),
    ),
    NavItem(
        _("用户管理"), "core:user_list", Perm.MANAGE_USERS, _("系统"), _("本辖区账号与角色授权")
    ),
    NavItem(
        _("审计日志"),
        "core:audit_list",
        Perm.VIEW_AUDIT,
        _("系统"),
        _("谁在何时对哪条记录做了什么"),
    ),
    NavItem(
        _("工作日历"),
        "core:calendar",
        Perm.VIEW_REGIONS,
        _("系统"),
        _("法定节假日与调休,用于工作日期限"),
    ),
    NavItem(
        _("规则设置"),
        "core:rulesets",
        Perm.VIEW_REGIONS,
        _("系统"),
        _("贫困线、期限、门槛、查重评分等规则的版本"),
    ),
    NavItem(_("后台任务"), "core:task_list", None, _("系统"), _("导入导出等任务进度")),
    # The API docs are for developers: linked from the API-token card of 我的账号, not here.
]


def visible_items(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in NAV if item.perm is None or can(user, item.perm)]


def navigation(request):
    """Template context: the menu for this user, with the current entry marked."""
    items = visible_items(request.user)
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    menu = [
        {"label": i.label, "url": reverse(i.url_name), "active": i.url_name == current}
        for i in items
    ]
    return {"nav_menu": menu}


def home_sections(request) -> list[dict]:
    """Quick entries on the home page: the modules this user works in, with what they do."""
    return [
        {"label": i.label, "url": reverse(i.url_name), "description": i.description}
        for i in visible_items(request.user)
        if i.url_name != "core:home"
    ]
