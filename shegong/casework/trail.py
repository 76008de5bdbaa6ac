"""How casework's audit events read: the labels and values of their change keys.

Found at start-up by `autodiscover_modules("trail")` (see core.audit_fields). Keys of the
case's own fields (stage, source, priority, consent_withdrawn_on, ...) need nothing here: they
read from the model's verbose names and choices.
"""

from django.utils.translation import gettext_lazy as _

from shegong.core import audit

from .instrument import DEFAULT_DOMAINS
from .models import (
    AssessmentKind,
    AssigneeKind,
    ClosureReason,
    FollowUpStatus,
    ReferralStatus,
    ServiceType,
    TaskStatus,
)

# Needs are the assessment domains; a county's own instrument may add codes, which show as
# written.
NEEDS = {d["code"]: d["label"] for d in DEFAULT_DOMAINS}

# Every casework event targets its case; these keys recur across its actions.
audit.register_fields(
    "casework.case",
    {
        "note": _("说明"),
        "reason": _("原因"),
        "household": _("户(编号)"),
        "on": _("日期"),
        "plan": _("服务计划(编号)"),
        "summary": _("计划摘要"),
        "goal": _("服务目标"),
        "need": (_("需求"), NEEDS),
        "task": _("计划任务"),
        "assignee_kind": (_("执行人类型"), AssigneeKind),
        "submitted": _("提交审批的计划(编号)"),
        "approved": (_("批准"), audit.BOOL),
        "institution": _("转介机构(编号)"),
        "referral": _("转介(编号)"),
        "follow_up": _("回访(编号)"),
        "due_on": (_("应回访日期"), audit.DATE),
        "purpose": _("回访目的"),
        "goals_met": _("达成目标数"),
        "goals_total": _("目标总数"),
        "left_poverty": (_("评估时已脱贫"), audit.BOOL),
        "study": _("经验总结(编号)"),
        "scores": _("各项评分"),
        "kind": _("类型"),
    },
)
audit.register_fields(
    "casework.assessment",
    {"kind": (_("预估类型"), AssessmentKind), **NEEDS},  # scores: {domain: score}
)
audit.register_fields(
    "casework.case_close",
    {
        "reason": (_("结案原因"), ClosureReason),
        "pending": (_("待督导审批"), audit.BOOL),
        "items": _("未完成事项的处理"),
    },
)
audit.register_fields(
    "casework.service_add",
    {
        "type": (_("服务类型"), ServiceType),
        "date": (_("服务日期"), audit.DATE),
        "minutes": _("时长(分钟)"),
    },
)
audit.register_fields("casework.task_update", {"status": (_("任务状态"), TaskStatus)})
audit.register_fields("casework.referral_update", {"status": (_("转介状态"), ReferralStatus)})
audit.register_fields("casework.follow_up_update", {"status": (_("回访状态"), FollowUpStatus)})
