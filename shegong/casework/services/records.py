"""Work done on a case: service records, referrals to the resource directory, follow-ups."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.selectors import work_calendar
from shegong.core.services import check_version

from .. import rules
from ..models import (
    Case,
    FollowUp,
    FollowUpStatus,
    Referral,
    ReferralStatus,
    ServiceRecord,
    ServiceType,
    Stage,
)
from ..rulesets import referral_rules
from .access import (
    lock_case,
    may_work,
    not_future,
    require_worker,
    required_text,
    touch_case,
    worker_membership,
)

# --- services, referrals, follow-ups ---------------------------------------------------------


@transaction.atomic
def service_add(
    *,
    actor: Actor,
    case: Case,
    service_type: str,
    served_on: datetime.date,
    duration_minutes: int,
    place: str,
    content: str,
    people_present: str = "",
    next_step: str = "",
) -> ServiceRecord:
    case = lock_case(case)
    require_worker(actor, case)
    if case.stage == Stage.CLOSED:
        raise ValidationError(_("个案已结案,不能再记录服务。"))
    if case.stage in (Stage.INTAKE,):
        raise ValidationError(_("接案阶段请先完成预估,再记录服务。"))
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": _("请选择服务类型。")})
    problems = rules.service_problems(
        served_on=served_on,
        duration_minutes=duration_minutes,
        today=timezone.localdate(),
        opened_on=case.opened_on,
    )
    withdrawn = rules.withdrawn_consent_problem(case.consent_withdrawn_on, served_on, "service")
    if withdrawn:
        raise ValidationError(withdrawn)
    if problems:
        raise ValidationError(problems)
    record = ServiceRecord.objects.create(
        case=case,
        region_id=case.region_id,
        service_type=service_type,
        served_on=served_on,
        duration_minutes=duration_minutes,
        place=required_text(place, "place", _("请填写服务地点。")),
        people_present=(people_present or "").strip(),
        content=required_text(content, "content", _("请填写服务内容。")),
        next_step=(next_step or "").strip(),
        worker=actor,
    )
    touch_case(case)
    audit.record(
        actor=actor,
        action="casework.service_add",
        target=case,
        changes={"type": service_type, "date": served_on, "minutes": duration_minutes},
    )
    return record


@transaction.atomic
def referral_add(
    *,
    actor: Actor,
    case: Case,
    institution: Any,
    need: str,
    consent_on: datetime.date | None,
    sent_on: datetime.date | None = None,
) -> Referral:
    case = lock_case(case)
    require_worker(actor, case)
    if case.stage == Stage.CLOSED:
        raise ValidationError(_("个案已结案,不能再转介。"))
    if institution is None or not institution.is_active or not institution.serves(case.region_id):
        raise ValidationError({"institution": _("该机构的服务范围不包括该户所在地区,不能转介。")})
    if consent_on is None:
        raise ValidationError({"consent_on": _("转介须征得服务对象同意,请填写同意日期。")})
    sent_on = sent_on or timezone.localdate()
    not_future(sent_on, "sent_on")
    not_future(consent_on, "consent_on")
    if consent_on > sent_on:
        raise ValidationError({"consent_on": _("同意日期不能晚于转介日期。")})
    withdrawn = rules.withdrawn_consent_problem(case.consent_withdrawn_on, sent_on, "referral")
    if withdrawn:
        raise ValidationError(withdrawn)
    referral = Referral(
        case=case,
        region_id=case.region_id,
        institution=institution,
        need=required_text(need, "need", _("请填写转介需求。")),
        consent_on=consent_on,
        sent_on=sent_on,
        created_by=actor,
    )
    _set_due(referral, ReferralStatus.SENT, sent_on)
    referral.save()
    touch_case(case)
    audit.record(
        actor=actor,
        action="casework.referral_add",
        target=case,
        changes={"institution": institution.pk, "need": referral.need},
    )
    return referral


@transaction.atomic
def referral_update(
    *,
    actor: Actor,
    referral: Referral,
    status: str,
    version: int | None,
    on: datetime.date | None = None,
    note: str = "",
) -> Referral:
    """Record the institution's answer (accepted / declined) or the service given."""
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    require_worker(actor, referral.case)
    check_version(referral, version, _("该转介已被他人更新,请刷新页面。您填写的内容尚未保存。"))
    if status not in rules.REFERRAL_NEXT.get(referral.status, set()):
        raise ValidationError(
            {
                "status": _("转介当前为“{s}”,不能改为该状态。").format(
                    s=referral.get_status_display()
                )
            }
        )
    on = on or timezone.localdate()
    not_future(on, "on")
    if on < referral.sent_on:
        raise ValidationError({"on": _("日期不能早于转介日期。")})
    note = (note or "").strip()
    if status == ReferralStatus.DECLINED:
        referral.decline_reason = required_text(note, "note", _("请填写机构拒绝的原因。"))
        referral.responded_on = on
    elif status == ReferralStatus.ACCEPTED:
        referral.responded_on = on
    elif status == ReferralStatus.SERVED:
        referral.outcome = required_text(note, "note", _("请填写服务结果。"))
        referral.served_on = on
    elif status == ReferralStatus.CANCELLED:
        referral.outcome = required_text(note, "note", _("请填写撤回原因。"))
    before = referral.status
    referral.status = status
    _set_due(referral, status, on)
    referral.version += 1
    referral.save()
    audit.record(
        actor=actor,
        action="casework.referral_update",
        target=referral.case,
        changes={"referral": referral.pk, "status": [before, status], "note": note},
    )
    return referral


def _set_due(referral: Referral, status: str, on: datetime.date) -> None:
    if status not in rules.REFERRAL_DEADLINES:
        referral.due_on = referral.due_estimated_year = None
        return
    days = referral_rules(on)
    due = rules.referral_due(status, on, work_calendar(), days)
    referral.rules_id = days.pk
    referral.due_on = due.due if due else None
    referral.due_estimated_year = due.estimated_year if due else None


@transaction.atomic
def follow_up_add(
    *, actor: Actor, case: Case, due_on: datetime.date, purpose: str, assigned_to: Any = None
) -> FollowUp:
    case = lock_case(case)
    require_worker(actor, case)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("回访日期不能早于今天。")})
    assigned_to = assigned_to or actor
    m = worker_membership(assigned_to, case.region_id)
    if m is None or m.organisation_id != case.organisation_id:
        raise ValidationError({"assigned_to": _("回访人须是本机构在该区域服务的社工。")})
    follow_up = FollowUp.objects.create(
        case=case,
        region_id=case.region_id,
        due_on=due_on,
        purpose=required_text(purpose, "purpose", _("请填写回访目的。")),
        assigned_to=assigned_to,
    )
    audit.record(
        actor=actor,
        action="casework.follow_up_add",
        target=case,
        changes={"due_on": due_on, "purpose": follow_up.purpose},
    )
    return follow_up


@transaction.atomic
def follow_up_complete(
    *,
    actor: Actor,
    follow_up: FollowUp,
    note: str,
    version: int | None,
    done_on: datetime.date | None = None,
    cancel: bool = False,
) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().select_related("case").get(pk=follow_up.pk)
    if not (follow_up.assigned_to_id == actor.pk or may_work(actor, follow_up.case)):
        raise PermissionDenied(_("只有回访人或负责社工可以记录回访。"))
    check_version(follow_up, version, _("该回访已被他人更新,请刷新页面。您填写的内容尚未保存。"))
    if follow_up.status != FollowUpStatus.SCHEDULED:
        raise ValidationError(_("该回访已记录或已取消。"))
    done_on = done_on or timezone.localdate()
    not_future(done_on, "done_on")
    follow_up.note = required_text(note, "note", _("请填写回访记录。"))
    follow_up.status = FollowUpStatus.CANCELLED if cancel else FollowUpStatus.DONE
    follow_up.done_on = done_on
    follow_up.version += 1
    follow_up.save()
    audit.record(
        actor=actor,
        action="casework.follow_up_update",
        target=follow_up.case,
        changes={"follow_up": follow_up.pk, "status": follow_up.status},
    )
    return follow_up
