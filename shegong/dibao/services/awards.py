"""After approval: reviews on the rule set's schedule, job offers to members able to work, the
gradual exit, suspension and termination. Each keeps the household as reviewed (a snapshot),
so a later registry edit never rewrites what was decided and why."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.roles import Perm
from shegong.core.selectors import work_calendar
from shegong.core.services import check_version

from .. import rules
from ..models import (
    PAYING,
    Award,
    AwardStatus,
    CareTier,
    JobRefusal,
    Programme,
    Review,
    ReviewOutcome,
    SelfCareCheck,
    Standard,
)
from ..rulesets import procedure_rules, review_rules
from ..workflow import not_future, rules_pk

TOWNSHIP_OR_COUNTY = _("只有保障对象所在乡镇或县级民政部门可以办理。")


def _may_act(actor: Actor, award: Award) -> None:
    from shegong.core.scoping import can

    if not (
        can(actor, Perm.HANDLE_DIBAO, award.region_id)
        or can(actor, Perm.DECIDE_DIBAO, award.region_id)
    ):
        raise ValidationError(TOWNSHIP_OR_COUNTY)


def _lock_award(award: Award, version: int | None) -> Award:
    locked = Award.objects.select_for_update().get(pk=award.pk)
    check_version(locked, version, _("该保障记录已被他人修改,请刷新页面后重新操作。"))
    return locked


def _household_now(award: Award) -> dict[str, Any]:
    household = award.household
    return {
        "household": household.number,
        "members": [
            {"person": p.pk, "name": p.name, "relation": p.relation}
            for p in household.members.order_by("id")
        ],
        "member_count": household.member_count,
    }


@transaction.atomic
def award_review(
    *,
    actor: Actor,
    award: Award,
    reviewed_on: datetime.date,
    outcome: str,
    reason: str,
    amount_after: Any = None,
    gradual_exit: bool = False,
    notice_from: datetime.date | None = None,
    version: int | None,
) -> Review:
    """A review: continue, adjust (a new amount, from next month), suspend or terminate (from
    next month; through work above the standard, with a gradual-exit period when asked). Ending
    special-hardship support goes on notice first (`notice_from`, for the hardship rule's days)
    and takes effect the month after the notice ends."""
    award = _lock_award(award, version)
    _may_act(actor, award)
    not_future(reviewed_on, "reviewed_on")
    problems: dict[str, str] = {}
    if outcome not in ReviewOutcome.values:
        problems["outcome"] = _("请选择复核结果。")
    if not (reason or "").strip():
        problems["reason"] = _("请写明复核理由。")
    if award.status == AwardStatus.TERMINATED:
        problems["outcome"] = _("该户已停保,不能再复核。")
    new_amount = award.amount
    if outcome == ReviewOutcome.ADJUST:
        try:
            new_amount = Decimal(str(amount_after).strip())
        except Exception:
            problems["amount_after"] = _("调整金额须填写新的保障金额。")
        else:
            if not new_amount.is_finite() or new_amount <= 0 or new_amount >= Decimal("1e8"):
                problems["amount_after"] = _("新的保障金额须大于 0。")
            elif new_amount == award.amount:
                problems["amount_after"] = _("新金额与原金额相同,请选择“继续保障”。")
            elif new_amount != new_amount.quantize(rules.CENT):
                problems["amount_after"] = _("金额最多两位小数。")
    hardship_notice_to = None
    if outcome == ReviewOutcome.TERMINATE and award.programme == Programme.HARDSHIP:
        if notice_from is None:
            problems["notice_from"] = _("终止特困人员救助供养须先公示,请填写公示开始日期。")
        elif notice_from < reviewed_on:
            problems["notice_from"] = _("公示不能早于复核日期。")
        else:
            days = procedure_rules(reviewed_on, hardship=True)["notice_days"]
            hardship_notice_to = rules.notice_last_day(notice_from, days)
    if problems:
        raise ValidationError(problems)
    values = review_rules(reviewed_on)
    effective = rules.payment_start(hardship_notice_to or reviewed_on)
    amount_before = award.amount
    before = {
        "status": award.status,
        "amount": award.amount,
        "next_review_on": award.next_review_on,
    }
    if outcome == ReviewOutcome.ADJUST:
        award.amount = new_amount
    elif outcome == ReviewOutcome.SUSPEND:
        award.status = AwardStatus.SUSPENDED
    elif outcome == ReviewOutcome.TERMINATE:
        months = values["gradual_exit_months"]
        if gradual_exit and months:
            award.status = AwardStatus.GRADUAL_EXIT
            award.gradual_exit_to = rules.add_months(effective, months) - datetime.timedelta(days=1)
            award.payment_to = award.gradual_exit_to.replace(day=1)
        else:
            award.status = AwardStatus.TERMINATED
            award.payment_to = effective - datetime.timedelta(days=1)
            award.payment_to = award.payment_to.replace(day=1)
    elif outcome == ReviewOutcome.CONTINUE and award.status == AwardStatus.SUSPENDED:
        award.status = AwardStatus.ACTIVE
    award.next_review_on = rules.next_review(reviewed_on, award.schedule, values)
    award.version += 1
    award.updated_at = timezone.now()
    award.save()
    review = Review.objects.create(
        award=award,
        region_id=award.region_id,
        reviewed_on=reviewed_on,
        outcome=outcome,
        reason=reason.strip(),
        amount_before=amount_before,
        amount_after=award.amount,
        effective_from=effective,
        snapshot=_household_now(award),
        rules_id=rules_pk(values),
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="dibao.award_review",
        target=award,
        changes={
            "outcome": outcome,
            "reason": reason.strip(),
            **audit.diff(
                before,
                {
                    "status": award.status,
                    "amount": award.amount,
                    "next_review_on": award.next_review_on,
                },
            ),
        },
    )
    return review


@transaction.atomic
def job_offer_record(
    *,
    actor: Actor,
    award: Award,
    person: Any,
    offered_on: datetime.date,
    job: str,
    refused: bool,
    note: str = "",
    version: int | None,
) -> JobRefusal:
    """A suitable job offered to a counted member able to work. The rule's number of refusals
    in a row (3) stops that member's own share: the household's amount drops by the per-person
    share from the next month, recorded as a review."""
    award = _lock_award(award, version)
    _may_act(actor, award)
    not_future(offered_on, "offered_on")
    counted = {m["person"] for m in award.snapshot.get("members", []) if m.get("counted")}
    if person.pk not in counted:
        raise ValidationError({"person": _("只能为计入保障的家庭成员记录就业推荐。")})
    if not job.strip():
        raise ValidationError({"job": _("请填写推荐的岗位。")})
    if award.status not in PAYING:
        raise ValidationError(_("该户当前未在发放,不能记录。"))
    offer = JobRefusal.objects.create(
        award=award,
        region_id=award.region_id,
        person=person,
        offered_on=offered_on,
        job=job.strip(),
        refused=refused,
        note=note.strip(),
    )
    values = review_rules(offered_on)
    history = list(
        JobRefusal.objects.filter(award=award, person=person)
        .order_by("offered_on", "id")
        .values_list("refused", flat=True)
    )
    audit.record(
        actor=actor,
        action="dibao.job_offer_record",
        target=award,
        changes={"person": person.name, "job": job.strip(), "refused": refused},
    )
    if refused and rules.refusals_in_a_row(history) == values["job_refusal_limit"]:
        share = (award.amount / max(award.members, 1)).quantize(rules.CENT)
        remaining = award.members - 1
        if remaining >= 1:
            amount_after = award.amount - share
            award_review(
                actor=actor,
                award=award,
                reviewed_on=offered_on,
                outcome=ReviewOutcome.ADJUST,
                reason=_("%(name)s 连续 %(n)d 次无正当理由拒绝推荐的工作,停发其本人的保障金。")
                % {"name": person.name, "n": values["job_refusal_limit"]},
                amount_after=amount_after,
                version=award.version,
            )
            Award.objects.filter(pk=award.pk).update(members=remaining)
    return offer


CARE_ITEMS = ("eating", "dressing", "transfer", "toileting", "walking", "bathing")


@transaction.atomic
def care_reassess(
    *,
    actor: Actor,
    award: Award,
    person: Any,
    change_reported_on: datetime.date,
    checked_on: datetime.date,
    items: dict[str, bool],
    version: int | None,
) -> SelfCareCheck:
    """A reported change in a special-hardship person's self-care, re-assessed (due within the
    hardship rule's working days of the report). A new tier changes the care standard, and the
    amount, from the next month (recorded as a review)."""
    award = _lock_award(award, version)
    _may_act(actor, award)
    if award.programme != Programme.HARDSHIP:
        raise ValidationError(_("生活自理能力评估只用于特困人员。"))
    not_future(checked_on, "checked_on")
    if change_reported_on > checked_on:
        raise ValidationError({"change_reported_on": _("报告变化的日期不能晚于评估日期。")})
    counted = {m["person"] for m in award.snapshot.get("members", []) if m.get("counted")}
    if person.pk not in counted:
        raise ValidationError({"person": _("只能评估计入供养的人员。")})
    values = procedure_rules(checked_on, hardship=True)
    due = rules.due(change_reported_on, values["reassess_days"], work_calendar()).due
    tier = rules.care_tier([bool(items.get(k)) for k in CARE_ITEMS], values)
    check = SelfCareCheck.objects.create(
        award=award,
        region_id=award.region_id,
        person=person,
        checked_on=checked_on,
        change_reported_on=change_reported_on,
        tier=tier,
        rules_id=rules_pk(values),
        **{k: bool(items.get(k)) for k in CARE_ITEMS},
    )
    before = award.care_tier
    audit.record(
        actor=actor,
        action="dibao.care_reassess",
        target=award,
        changes={"person": person.name, "tier": [before, tier], "late": checked_on > due},
    )
    if tier != before:
        standard = (
            Standard.objects.filter(
                region_id=award.region_id[:6] + "000000",
                area=award.application.area,
                valid_from__lte=checked_on,
            )
            .order_by("-valid_from")
            .first()
        )
        if standard is not None:
            care = {
                "self": standard.care_self,
                "partial": standard.care_partial,
                "full": standard.care_full,
            }
            amount = rules.rounded(
                (standard.hardship_basic + care[tier]) * max(award.members, 1),
                review_rules(checked_on)["rounding"],
            )
            Award.objects.filter(pk=award.pk).update(care_tier=tier)
            award.care_tier = tier
            if amount != award.amount:
                award_review(
                    actor=actor,
                    award=award,
                    reviewed_on=checked_on,
                    outcome=ReviewOutcome.ADJUST,
                    reason=_("生活自理能力由“%(before)s”变为“%(after)s”,调整照料护理标准。")
                    % {
                        "before": CareTier(before).label if before else "—",
                        "after": CareTier(tier).label,
                    },
                    amount_after=amount,
                    version=award.version,
                )
        else:
            Award.objects.filter(pk=award.pk).update(care_tier=tier)
    return check
