"""Standards and a county's own choices, entered by the county or the province (audited)."""

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
from shegong.core.services import check_version

from .. import rules
from ..models import AmountMethod, Area, CountyPolicy, Standard
from ..rulesets import procedure_rules
from ..workflow import require

NOT_YOURS = _("只有本县(市、区)或上级民政部门可以录入保障标准。")


def _is_county(region: Any) -> bool:
    return region.code.endswith("000000") and not region.code.endswith("0000000000")


def _money(value: Any, field: str, problems: dict[str, str]) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except Exception:
        problems[field] = _("请填写金额。")
        return None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e8"):
        problems[field] = _("金额须大于 0 且小于 1 亿元。")
        return None
    if amount != amount.quantize(rules.CENT):
        problems[field] = _("金额最多两位小数。")
        return None
    return amount


@transaction.atomic
def standard_enter(
    *,
    actor: Actor,
    region: Any,
    area: str,
    valid_from: datetime.date,
    monthly: Any = None,
    yearly: Any = None,
    hardship_basic: Any,
    care_self: Any,
    care_partial: Any,
    care_full: Any,
    note: str,
) -> Standard:
    """A county's standard from `valid_from`. Give the monthly or the yearly figure (or both,
    when they agree to the yuan): the other is derived. The special-hardship basic standard
    must be at least the rule's factor (1.3) × the Dibao standard."""
    require(actor, Perm.SET_DIBAO_STANDARDS, region.code, NOT_YOURS)
    problems: dict[str, str] = {}
    if not _is_county(region):
        problems["region"] = _("保障标准按县(市、区)录入,请选择一个县。")
    if area not in Area.values:
        problems["area"] = _("请选择城市或农村。")
    if not (note or "").strip():
        problems["note"] = _("请写明依据(文件名称或文号)。")
    m = _money(monthly, "monthly", problems) if str(monthly or "").strip() else None
    y = _money(yearly, "yearly", problems) if str(yearly or "").strip() else None
    if m is None and y is None and "monthly" not in problems and "yearly" not in problems:
        problems["monthly"] = _("请填写月标准或年标准。")
    if m is not None and y is not None and abs(m * 12 - y) >= 12:
        problems["yearly"] = _("年标准(%(y)s)与月标准 × 12(%(m)s)不一致。") % {"y": y, "m": m * 12}
    basic = _money(hardship_basic, "hardship_basic", problems)
    cares = {
        k: _money(v, k, problems)
        for k, v in (
            ("care_self", care_self),
            ("care_partial", care_partial),
            ("care_full", care_full),
        )
    }
    if problems:
        raise ValidationError(problems)
    if m is None:
        assert y is not None
        m = rules.rounded(y / 12, ("fen",))
    if y is None:
        y = m * 12
    factor = procedure_rules(valid_from, hardship=True)["basic_factor_min"]
    assert basic is not None and None not in cares.values()
    if low := rules.hardship_basic_problems(basic, m, factor):
        raise ValidationError({"hardship_basic": low})
    if Standard.objects.filter(region=region, area=area, valid_from=valid_from).exists():
        raise ValidationError(
            {"valid_from": _("该县该日期起的标准已录入;调整标准请录入新的执行日期。")}
        )
    standard = Standard.objects.create(
        region=region,
        area=area,
        valid_from=valid_from,
        monthly=m,
        yearly=y,
        hardship_basic=basic,
        care_self=cares["care_self"] or Decimal(0),
        care_partial=cares["care_partial"] or Decimal(0),
        care_full=cares["care_full"] or Decimal(0),
        note=note.strip(),
        entered_by=actor,
    )
    audit.record(
        actor=actor,
        action="dibao.standard_enter",
        target=standard,
        changes={
            "area": area,
            "valid_from": valid_from,
            "monthly": m,
            "yearly": y,
            "hardship_basic": basic,
        },
    )
    return standard


@transaction.atomic
def policy_set(
    *,
    actor: Actor,
    region: Any,
    amount_method: str,
    bands: Any,
    review_every_case: bool,
    abc_schedule: bool,
    asset_limit_per_person: Any = None,
    version: int | None = None,
) -> CountyPolicy:
    require(actor, Perm.SET_DIBAO_STANDARDS, region.code, NOT_YOURS)
    problems: dict[str, Any] = {}
    if not _is_county(region):
        problems["region"] = _("请选择一个县。")
    if amount_method not in AmountMethod.values:
        problems["amount_method"] = _("请选择保障金计算方式。")
    if amount_method == AmountMethod.BANDS and (band := rules.band_problems(bands)):
        problems["bands"] = band
    limit = None
    if str(asset_limit_per_person or "").strip():
        limit = _money(asset_limit_per_person, "asset_limit_per_person", problems)
    if problems:
        raise ValidationError(problems)
    policy = CountyPolicy.objects.select_for_update().filter(region=region).first()
    before = {}
    if policy is None:
        policy = CountyPolicy(region=region)
    else:
        check_version(policy, version, _("县级政策已被他人修改,请刷新后重新填写。"))
        before = {
            "amount_method": policy.amount_method,
            "bands": policy.bands,
            "review_every_case": policy.review_every_case,
            "abc_schedule": policy.abc_schedule,
        }
        policy.version += 1
    policy.amount_method = amount_method
    policy.bands = (
        [
            {"below": str(Decimal(str(b["below"]))), "amount": str(Decimal(str(b["amount"])))}
            for b in (bands or [])
        ]
        if amount_method == AmountMethod.BANDS
        else []
    )
    policy.review_every_case = review_every_case
    policy.abc_schedule = abc_schedule
    policy.asset_limit_per_person = limit
    policy.updated_at = timezone.now()
    policy.save()
    after = {
        "amount_method": policy.amount_method,
        "bands": policy.bands,
        "review_every_case": policy.review_every_case,
        "abc_schedule": policy.abc_schedule,
    }
    audit.record(
        actor=actor,
        action="dibao.policy_set",
        target=policy,
        changes=audit.diff(before, after) if before else after,
    )
    return policy
