"""How Dibao's audit events read: the action labels and the labels of their change keys.

Found at start-up by `autodiscover_modules("trail")` (see core.audit_fields)."""

from django.utils.translation import gettext_lazy as _

from shegong.core import audit

from .models import (
    AssetKind,
    AwardStatus,
    Exclusion,
    IncomeSource,
    Opinion,
    Programme,
    ReviewOutcome,
)

audit.register_actions(
    {
        "dibao.application_accept": _("受理低保特困申请"),
        "dibao.materials_complete": _("申请材料补齐"),
        "dibao.investigation_start": _("启动家庭经济状况调查"),
        "dibao.member_set": _("认定共同生活家庭成员"),
        "dibao.visit_add": _("记录入户调查"),
        "dibao.county_visit": _("县级入户核查"),
        "dibao.interview_add": _("记录邻里访问"),
        "dibao.evidence_add": _("添加证明材料"),
        "dibao.income_add": _("登记家庭收入"),
        "dibao.asset_add": _("登记家庭财产"),
        "dibao.deduction_add": _("登记刚性支出"),
        "dibao.item_remove": _("删除调查记录"),
        "dibao.form_sign": _("核查表签字"),
        "dibao.matching_request": _("申请信息核对"),
        "dibao.matching_result": _("录入信息核对结果"),
        "dibao.opinion_give": _("乡镇初审并公示"),
        "dibao.objection_record": _("记录公示异议"),
        "dibao.review_record": _("民主评议"),
        "dibao.to_county": _("报县级审核确认"),
        "dibao.decide": _("低保特困审核确认"),
        "dibao.notify": _("书面告知审核结果"),
        "dibao.publish": _("公布保障对象"),
        "dibao.withdraw": _("撤回申请"),
        "dibao.extend": _("延长办理期限"),
        "dibao.complaint_record": _("记录投诉举报"),
        "dibao.care_check": _("生活自理能力评估"),
        "dibao.hardship_facts_set": _("登记特困认定情况"),
        "dibao.standard_enter": _("录入保障标准"),
        "dibao.policy_set": _("设置县级低保政策"),
        "dibao.award_review": _("低保复核"),
        "dibao.job_offer_record": _("记录就业推荐"),
        "dibao.check_contract_create": _("委托第三方核查并抽样"),
        "dibao.sample_verdict": _("填写第三方核查结论"),
        "dibao.samples_return": _("反馈第三方核查结论"),
        "dibao.assessment_attach": _("附上社工需求评估"),
        "dibao.care_reassess": _("生活自理能力复评"),
    }
)

audit.register_fields(
    "dibao.application",
    {
        "on": _("日期"),
        "household": _("户(编号)"),
        "programme": (_("救助类别"), Programme),
        "opinion": (_("初审意见"), Opinion),
        "exclusion": (_("是否计入"), Exclusion),
        "source": (_("收入类别"), IncomeSource),
        "kind": (_("类别"), AssetKind),
        "yearly": _("年金额(元)"),
        "value": _("价值(元)"),
        "counted": _("计入的成员"),
        "excluded": _("不计入的成员"),
        "investigators": _("调查人员"),
        "remote": _("远程入户"),
        "approved": _("批准"),
        "person": _("成员"),
        "note": _("说明"),
        "reason": _("理由"),
        "item": _("记录"),
        "description": _("内容"),
        "file": _("附件"),
        "who": _("访问对象"),
        "members": _("评议小组成员数"),
        "present": _("到会人数"),
        "in_favour": _("同意票"),
        "against": _("不同意票"),
        "valid": _("评议有效"),
        "passed": _("评议通过"),
        "tier": _("生活自理能力"),
    },
)
audit.register_fields(
    "dibao.award",
    {
        "outcome": (_("复核结果"), ReviewOutcome),
        "status": (_("状态"), AwardStatus),
        "reason": _("理由"),
        "person": _("成员"),
        "job": _("推荐岗位"),
        "refused": _("拒绝"),
    },
)

# --- dynamic monitoring (services.monitoring) ----------------------------------------------------

audit.register_actions(
    {
        "dibao.monitor_run": _("低保特困动态监测"),
        "dibao.alert_close": _("处理动态监测预警"),
    }
)
audit.register_fields(
    "dibao.monitor_run",
    {
        "on": (_("监测日期"), audit.DATE),
        "county": _("县(市、区)"),
        "rules": _("监测规则版本"),
        "review_overdue": _("复核逾期"),
        "income_above": _("人均收入达到低保标准"),
        "member_working": _("家庭成员新就业或外出务工"),
        "size_changed": _("家庭人口变化"),
        "member_gone": _("家庭成员死亡或迁出"),
        "assets_flagged": _("信息核对发现财产线索"),
        "hardship_condition": _("特困人员不再符合认定条件"),
        "near_poor": _("低保边缘家庭未纳入保障"),
        "opened": _("新增预警"),
    },
)
audit.register_fields("dibao.alert", {"rule": _("监测规则"), "outcome": _("处理结果")})
