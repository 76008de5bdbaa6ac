"""Casework rule sets (see `core.rulesets`): referral deadlines and the need threshold.

Seeded by migration `core/0007`; a province administrator enters later versions.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy

from shegong.core.rulesets import Field, RuleKind, RuleValues, register, rules_for, values_of

REFERRAL = "referral"
ASSESSMENT = "assessment"

register(
    RuleKind(
        code=REFERRAL,
        label=gettext_lazy("转介期限"),
        used_by=gettext_lazy("转介:按转介当天生效的版本计算回复期限,按接收当天的版本计算服务期限"),
        fields=(
            Field("reply_days", gettext_lazy("机构回复期限(天)"), "int", low=1, high=90),
            Field("service_days", gettext_lazy("接收后提供服务期限(天)"), "int", low=1, high=365),
        ),
    )
)

register(
    RuleKind(
        code=ASSESSMENT,
        label=gettext_lazy("需求预估"),
        used_by=gettext_lazy("保存预估:评分不高于门槛的维度算作需求,须写依据并参与排序"),
        fields=(
            Field(
                "need_threshold",
                gettext_lazy("需求门槛(评分不高于此分为需求)"),
                "int",
                low=1,
                high=4,
            ),
        ),
    )
)


def referral_rules(on: datetime.date) -> RuleValues:
    """The referral deadlines in force on `on` (`reply_days`, `service_days`)."""
    return rules_for(REFERRAL, on)


def assessment_rules(on: datetime.date) -> RuleValues:
    """The need threshold in force on `on` (`need_threshold`)."""
    return rules_for(ASSESSMENT, on)


def need_threshold(assessment: Any) -> int:
    """The need threshold an assessment was recorded under (older ones: the version in force
    on the day it was made), so its ranked needs never change with a later version."""
    if assessment.rules_id is not None:
        return values_of(assessment.rules)["need_threshold"]
    return assessment_rules(assessment.assessed_on)["need_threshold"]
