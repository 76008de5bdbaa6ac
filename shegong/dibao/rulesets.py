"""Dibao and special-hardship rule sets (see `core.rulesets`).

- `dibao_procedure`: the deadlines and thresholds of the Dibao procedure. Two versions are
  seeded by migration `dibao/0002`: the 2012-era trial measures (民发〔2012〕220号; democratic
  review on every case, county spot checks of at least 30 %) from 2012-12-12, and the 2021
  measures (最低生活保障审核确认办法, in force since 2021-07-01: review only on an objection,
  3-day starts, a 10-day county decision, a 30-working-day total, separate registration).
- `hardship_procedure`: special hardship (特困人员认定办法 2021): 15 / 7 / 15 working days,
  30 % random county checks, the self-care re-assessment, the age and disability conditions.
- `dibao_review`: review intervals (2021 and the A/B/C schedule), the job-refusal limit, the
  gradual-exit period, the near-poor line and how amounts are rounded.

Each step of an application stores the version of `dibao_procedure` (or `hardship_procedure`)
in force on its day; a decision stores the `dibao_review` version that set its schedule.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.rulesets import Field, RuleKind, RuleValues, register, rules_for

PROCEDURE = "dibao_procedure"
HARDSHIP = "hardship_procedure"
REVIEW = "dibao_review"

ON_OBJECTION = "on_objection"
EVERY_CASE = "every_case"
ROUND_FEN, ROUND_JIAO, ROUND_YUAN = "fen", "jiao", "yuan"


def _fractions(values: Mapping[str, Any]) -> dict[str, str]:
    problems = {}
    for num, den in (("quorum_num", "quorum_den"), ("pass_num", "pass_den")):
        if values[num] > values[den]:
            problems[num] = _("分子不能大于分母。")
    return problems


register(
    RuleKind(
        code=PROCEDURE,
        label=gettext_lazy("低保审核确认程序"),
        used_by=gettext_lazy("低保申请:每个办理环节按当天生效的版本计算期限,并记录所用版本"),
        fields=(
            Field(
                "investigation_start_days",
                gettext_lazy("受理后启动调查(工作日)"),
                "int",
                low=1,
                high=60,
            ),
            Field(
                "matching_start_days",
                gettext_lazy("县级启动信息核对(工作日)"),
                "int",
                low=1,
                high=60,
            ),
            Field("min_investigators", gettext_lazy("入户调查最少人数"), "int", low=1, high=5),
            Field("notice_days", gettext_lazy("公示期(天)"), "int", low=1, high=30),
            Field(
                "county_decision_days", gettext_lazy("县级审核确认(工作日)"), "int", low=1, high=60
            ),
            Field("notify_days", gettext_lazy("书面告知不予批准(工作日)"), "int", low=1, high=30),
            # 0: no overall limit (the 2012-era measures set none).
            Field(
                "total_days", gettext_lazy("全程办结时限(工作日,0 为不限)"), "int", low=0, high=120
            ),
            Field(
                "extended_days",
                gettext_lazy("特殊情况延长至(工作日,0 为不限)"),
                "int",
                low=0,
                high=180,
            ),
            Field(
                "democratic_review",
                gettext_lazy("民主评议"),
                "codes",
                choices=(ON_OBJECTION, EVERY_CASE),
                help=gettext_lazy("on_objection:公示有异议时;every_case:每个申请"),
            ),
            Field("quorum_num", gettext_lazy("评议有效:到会比例分子"), "int", low=1, high=100),
            Field("quorum_den", gettext_lazy("评议有效:到会比例分母"), "int", low=1, high=100),
            Field("pass_num", gettext_lazy("评议通过:同意比例分子"), "int", low=1, high=100),
            Field("pass_den", gettext_lazy("评议通过:同意比例分母"), "int", low=1, high=100),
            Field(
                "spot_check_percent", gettext_lazy("县级入户抽查比例(%)"), "int", low=0, high=100
            ),
            Field(
                "separate_registration",
                gettext_lazy("近亲属单独登记备案(1 是,0 否)"),
                "int",
                low=0,
                high=1,
            ),
        ),
        check=_fractions,
    )
)

register(
    RuleKind(
        code=HARDSHIP,
        label=gettext_lazy("特困人员认定程序"),
        used_by=gettext_lazy("特困人员申请:期限、抽查比例、生活自理能力复评与认定条件"),
        fields=(
            Field("investigation_days", gettext_lazy("乡镇调查(工作日)"), "int", low=1, high=60),
            Field("notice_days", gettext_lazy("公示期(天)"), "int", low=1, high=30),
            Field("reinvestigation_days", gettext_lazy("异议复查(工作日)"), "int", low=1, high=60),
            Field(
                "county_decision_days", gettext_lazy("县级审核确认(工作日)"), "int", low=1, high=60
            ),
            Field("notify_days", gettext_lazy("书面告知不予批准(工作日)"), "int", low=1, high=30),
            Field(
                "spot_check_percent", gettext_lazy("县级入户抽查比例(%)"), "int", low=0, high=100
            ),
            Field("reassess_days", gettext_lazy("自理能力变化复评(工作日)"), "int", low=1, high=60),
            Field(
                "basic_factor_min",
                gettext_lazy("基本生活标准不低于低保标准的倍数"),
                "decimal",
                low=Decimal(1),
                high=Decimal(5),
            ),
            Field("elderly_from", gettext_lazy("无劳动能力:年满(岁)"), "int", low=50, high=80),
            Field("child_under", gettext_lazy("无劳动能力:未满(岁)"), "int", low=1, high=18),
            Field(
                "minor_until", gettext_lazy("未成年人供养至(岁,在校可延长)"), "int", low=16, high=25
            ),
            Field(
                "intellectual_grade_max",
                gettext_lazy("智力、精神残疾等级不高于"),
                "int",
                low=1,
                high=4,
            ),
            Field("physical_grade_max", gettext_lazy("肢体残疾等级不高于"), "int", low=1, high=4),
            Field("visual_grade_max", gettext_lazy("视力残疾等级不高于"), "int", low=1, high=4),
            Field(
                "partial_from_failed",
                gettext_lazy("部分丧失自理:不能完成的项目数起"),
                "int",
                low=1,
                high=6,
            ),
            Field(
                "full_from_failed",
                gettext_lazy("完全丧失自理:不能完成的项目数起"),
                "int",
                low=1,
                high=6,
            ),
        ),
    )
)

register(
    RuleKind(
        code=REVIEW,
        label=gettext_lazy("低保复核与动态管理"),
        used_by=gettext_lazy("批准与复核:复核周期、拒绝就业、渐退期、低保边缘线、金额取整"),
        fields=(
            Field("stable_months", gettext_lazy("状况稳定家庭复核间隔(月)"), "int", low=1, high=36),
            Field(
                "irregular_months",
                gettext_lazy("收入不固定家庭复核间隔(月)"),
                "int",
                low=1,
                high=36,
            ),
            Field("a_months", gettext_lazy("A 类复核间隔(月)"), "int", low=1, high=36),
            Field("b_months", gettext_lazy("B 类复核间隔(月)"), "int", low=1, high=36),
            Field("c_town_months", gettext_lazy("C 类城镇复核间隔(月)"), "int", low=1, high=36),
            Field("c_village_months", gettext_lazy("C 类农村复核间隔(月)"), "int", low=1, high=36),
            Field(
                "job_refusal_limit",
                gettext_lazy("连续拒绝就业次数(停发本人部分)"),
                "int",
                low=1,
                high=10,
            ),
            Field("gradual_exit_months", gettext_lazy("渐退期(月)"), "int", low=0, high=24),
            Field(
                "near_poor_factor",
                gettext_lazy("低保边缘家庭:收入低于标准的倍数"),
                "decimal",
                low=Decimal(1),
                high=Decimal(5),
            ),
            Field(
                "rounding",
                gettext_lazy("保障金取整"),
                "codes",
                choices=(ROUND_FEN, ROUND_JIAO, ROUND_YUAN),
                help=gettext_lazy("fen:到分;jiao:到角;yuan:到元(四舍五入)"),
            ),
        ),
    )
)


def procedure_rules(on: datetime.date, *, hardship: bool = False) -> RuleValues:
    """The procedure in force on `on` (Dibao, or special hardship)."""
    return rules_for(HARDSHIP if hardship else PROCEDURE, on)


def review_rules(on: datetime.date) -> RuleValues:
    return rules_for(REVIEW, on)


# --- dynamic monitoring (dibao_monitoring) --------------------------------------------------

MONITORING = "dibao_monitoring"

# The rules of the monitoring run (`dibao.monitoring`), in the order the run reports them.
R_REVIEW_OVERDUE = "review_overdue"
R_INCOME_ABOVE = "income_above"
R_MEMBER_WORKING = "member_working"
R_SIZE_CHANGED = "size_changed"
R_MEMBER_GONE = "member_gone"
R_ASSETS_FLAGGED = "assets_flagged"
R_HARDSHIP_CONDITION = "hardship_condition"
R_NEAR_POOR = "near_poor"
MONITORING_RULES = (
    R_REVIEW_OVERDUE,
    R_INCOME_ABOVE,
    R_MEMBER_WORKING,
    R_SIZE_CHANGED,
    R_MEMBER_GONE,
    R_ASSETS_FLAGGED,
    R_HARDSHIP_CONDITION,
    R_NEAR_POOR,
)
WORK_STATUSES = ("township", "county", "province", "out_of_province", "other")

register(
    RuleKind(
        code=MONITORING,
        label=gettext_lazy("低保特困动态监测"),
        used_by=gettext_lazy("每日动态监测:启用的监测规则及其阈值;每条预警记录所用版本"),
        fields=(
            Field(
                "rules",
                gettext_lazy("启用的监测规则"),
                "codes",
                choices=MONITORING_RULES,
                help=gettext_lazy(
                    "review_overdue 复核逾期;income_above 人均收入达到标准;member_working "
                    "成员新就业或外出务工;size_changed 家庭人口变化;member_gone 成员死亡或迁出;"
                    "assets_flagged 信息核对发现财产线索;hardship_condition 特困人员不再符合条件;"
                    "near_poor 低保边缘家庭"
                ),
            ),
            Field(
                "review_grace_days",
                gettext_lazy("复核逾期:超过下次复核日期的天数"),
                "int",
                low=0,
                high=90,
            ),
            Field(
                "income_factor",
                gettext_lazy("收入预警:人均收入达到低保标准的倍数"),
                "decimal",
                low=Decimal(1),
                high=Decimal(5),
            ),
            Field(
                "working_statuses",
                gettext_lazy("视为就业的务工状况"),
                "codes",
                choices=WORK_STATUSES,
                help=gettext_lazy(
                    "township 乡内务工;county 县内乡外;province 省内县外;out_of_province 省外;"
                    "other 其他"
                ),
            ),
            Field(
                "months_away_min",
                gettext_lazy("外出务工:务工时间达到(月)"),
                "int",
                low=1,
                high=12,
            ),
            Field(
                "near_poor_watch_months",
                gettext_lazy("低保边缘家庭处理后观察期(月)"),
                "int",
                low=0,
                high=36,
            ),
        ),
    )
)


def monitoring_rules(on: datetime.date) -> RuleValues:
    return rules_for(MONITORING, on)
