"""Every write of the Dibao module: the procedure of an application step by step, the county's
standards and choices, and what follows an approval.

Each service is keyword-only and atomic, checks who may act where and the version the caller
saw, applies the rule version in force on the step's day and stores it, and writes the audit
trail in the same transaction. The names below are the package's whole public face.
"""

from .applications import (
    DISABILITY_KINDS,
    application_accept,
    asset_add,
    care_check,
    complaint_record,
    county_visit,
    decide,
    deduction_add,
    evidence_add,
    extend,
    form_sign,
    hardship_facts_set,
    income_add,
    interview_add,
    investigation_start,
    item_remove,
    matching_request,
    matching_result,
    materials_complete,
    member_set,
    notify,
    objection_record,
    opinion_give,
    publish,
    review_record,
    to_county,
    visit_add,
    withdraw,
)
from .awards import award_review, care_reassess, job_offer_record
from .checks import assessment_attach, check_contract_create, sample_verdict, samples_return
from .standards import policy_set, standard_enter

__all__ = [
    "DISABILITY_KINDS",
    "application_accept",
    "assessment_attach",
    "asset_add",
    "award_review",
    "care_check",
    "care_reassess",
    "check_contract_create",
    "complaint_record",
    "county_visit",
    "decide",
    "deduction_add",
    "evidence_add",
    "extend",
    "form_sign",
    "hardship_facts_set",
    "income_add",
    "interview_add",
    "investigation_start",
    "item_remove",
    "job_offer_record",
    "matching_request",
    "matching_result",
    "materials_complete",
    "member_set",
    "notify",
    "objection_record",
    "opinion_give",
    "policy_set",
    "publish",
    "review_record",
    "sample_verdict",
    "samples_return",
    "standard_enter",
    "to_county",
    "visit_add",
    "withdraw",
]
