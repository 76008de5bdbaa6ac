"""Every write of casework: open a case, move it through the stages, record its work.

Each service is keyword-only and atomic, checks who may do it, checks the version the caller
saw (a second save of the same case or plan is refused, nothing is lost), and writes the audit
trail in the same transaction. The names below are the package's whole public face: models,
`transaction` and each module's private helpers stay in their modules.
"""

from .access import (
    current_plan,
    may_approve,
    may_assign,
    may_work,
    region_startswith,
    worker_membership,
)
from .cases import (
    active_instrument,
    assessment_record,
    case_close,
    case_facts,
    case_move,
    case_open,
    case_reopen,
    case_transfer,
    case_update,
    closure_review,
    consent_regain,
    consent_withdraw,
)
from .outcomes import (
    evaluation_record,
    note_add,
    record_read,
)
from .plans import (
    goal_add,
    plan_review,
    plan_save,
    plan_start,
    plan_submit,
    task_add,
    task_complete,
)
from .records import (
    follow_up_add,
    follow_up_complete,
    referral_add,
    referral_update,
    service_add,
)
from .studies import (
    STUDY_TEXT_FIELDS,
    identifying_details,
    identifying_words,
    study_publish,
    study_save,
)

__all__ = [
    "STUDY_TEXT_FIELDS",
    "active_instrument",
    "assessment_record",
    "case_close",
    "case_facts",
    "case_move",
    "case_open",
    "case_reopen",
    "case_transfer",
    "case_update",
    "closure_review",
    "consent_regain",
    "consent_withdraw",
    "current_plan",
    "evaluation_record",
    "follow_up_add",
    "follow_up_complete",
    "goal_add",
    "identifying_details",
    "identifying_words",
    "may_approve",
    "may_assign",
    "may_work",
    "note_add",
    "plan_review",
    "plan_save",
    "plan_start",
    "plan_submit",
    "record_read",
    "referral_add",
    "referral_update",
    "region_startswith",
    "service_add",
    "study_publish",
    "study_save",
    "task_add",
    "task_complete",
    "worker_membership",
]
