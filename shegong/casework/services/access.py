"""Who may do what on a case, and the small steps every casework service shares."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.roles import Perm, Role
from shegong.core.scoping import can, memberships_of
from shegong.core.services import check_version

from ..models import (
    Case,
    CaseLog,
    ServicePlan,
)
from ..scoping import supervisee_ids

audit.register_actions(
    {
        "casework.case_open": gettext_lazy("接案"),
        "casework.case_update": gettext_lazy("修改个案信息"),
        "casework.case_stage": gettext_lazy("个案阶段变更"),
        "casework.case_transfer": gettext_lazy("转案"),
        "casework.case_reopen": gettext_lazy("重新开案"),
        "casework.case_close": gettext_lazy("结案"),
        "casework.consent_withdraw": gettext_lazy("服务对象撤回同意"),
        "casework.consent_regain": gettext_lazy("重新取得同意"),
        "casework.closure_review": gettext_lazy("结案审批"),
        "casework.assessment": gettext_lazy("需求预估"),
        "casework.plan_save": gettext_lazy("修改服务计划"),
        "casework.plan_review": gettext_lazy("服务计划审批"),
        "casework.goal_add": gettext_lazy("添加服务目标"),
        "casework.task_add": gettext_lazy("分派计划任务"),
        "casework.task_update": gettext_lazy("更新计划任务"),
        "casework.service_add": gettext_lazy("记录服务"),
        "casework.referral_add": gettext_lazy("转介"),
        "casework.referral_update": gettext_lazy("更新转介状态"),
        "casework.follow_up_add": gettext_lazy("安排回访"),
        "casework.follow_up_update": gettext_lazy("记录回访"),
        "casework.evaluation": gettext_lazy("结案评估"),
        "casework.note_add": gettext_lazy("添加保密记录"),
        "casework.case_read": gettext_lazy("查阅个案"),
        "casework.study_save": gettext_lazy("编写个案经验总结"),
        "casework.study_publish": gettext_lazy("发布个案经验总结"),
    }
)


# --- who may do what ------------------------------------------------------------------------


def worker_membership(user: Any, region_code: str) -> Any:
    """The social-worker membership of `user` that covers `region_code`, or None."""
    for m in memberships_of(user):
        if m.role == Role.SOCIAL_WORKER and m.organisation_id and region_startswith(region_code, m):
            return m
    return None


def _prefix(membership: Any) -> str:
    from shegong.core.regions import prefix_of

    return prefix_of(membership.region_id)


def may_work(actor: Actor, case: Case) -> bool:
    """The case's own worker, still a social worker of the case's agency over its region."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.pk != case.worker_id:
        return False
    m = worker_membership(actor, case.region_id)
    return m is not None and m.organisation_id == case.organisation_id


def may_approve(actor: Actor, case: Case) -> bool:
    return can(actor, Perm.APPROVE_CASES, case.region_id) and case.worker_id in supervisee_ids(
        actor
    )


def may_assign(actor: Actor, case_region: str, organisation_id: int | None) -> bool:
    """Officers over the region; an agency administrator for their own agency's cases."""
    for m in memberships_of(actor):
        if not region_startswith(case_region, m):
            continue
        if m.role in (Role.PROVINCE_ADMIN, Role.CIVIL_AFFAIRS_OFFICER):
            return True
        if m.role == Role.ORG_ADMIN and m.organisation_id == organisation_id:
            return True
    return bool(getattr(actor, "is_superuser", False))


def region_startswith(region_code: str, membership: Any) -> bool:
    return region_code.startswith(_prefix(membership))


def require_worker(actor: Actor, case: Case) -> None:
    """Refuse anyone but the case's worker (a step of the services that do the work)."""
    if not may_work(actor, case):
        raise PermissionDenied(_("只有负责该个案的社工可以进行此操作。"))


def lock_case(case: Case, version: int | None = None) -> Case:
    """The case row locked for this transaction; refused if `version` is not the stored one."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    check_version(
        locked, version, _("该个案已被他人修改,请刷新页面后重新操作。您填写的内容尚未保存。")
    )
    return locked


def touch_case(case: Case) -> None:
    """Bump the case's version after a change to it or its parts."""
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=timezone.now())
    case.version += 1


def log_case_change(
    case: Case, actor: Actor, kind: str, *, before: str = "", after: str = "", note: str = ""
) -> None:
    """One line of the case's own history (the audit event is the calling service's)."""
    CaseLog.objects.create(
        case=case,
        region_id=case.region_id,
        kind=kind,
        from_value=before,
        to_value=after,
        note=note,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def required_text(value: str, field: str, message: str) -> str:
    """`value` stripped, or a ValidationError keyed by `field`."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def not_future(day: datetime.date, field: str) -> None:
    """Refuse a date after today, keyed by `field`."""
    if day > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})


def current_plan(case: Case) -> ServicePlan | None:
    return case.plans.order_by("-created_at", "-id").first()
