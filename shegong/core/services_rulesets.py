"""Entering a new version of a rule set (see `core.rulesets`): the province administrator only,
checked against the kind's schema, audited in the same transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .actors import Actor
from .models import RuleSet
from .roles import Perm
from .rulesets import kind_of
from .scoping import can

PROVINCE = "410000000000"

audit.register_actions({"ruleset.enter": gettext_lazy("录入规则版本")})


@transaction.atomic
def ruleset_enter(
    *,
    actor: Actor,
    kind: str,
    valid_from: datetime.date,
    values: dict[str, Any],
    note: str,
) -> RuleSet:
    """Add the next version of `kind`, in force from `valid_from` (today or later, and after
    the latest version's date: decisions already taken keep the version they used)."""
    if not can(actor, Perm.MANAGE_RULES, PROVINCE):
        raise PermissionDenied(_("只有省民政厅管理员可以录入规则。"))
    spec = kind_of(kind)
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = [_("请填写依据或说明,例如文件名称和文号。")]
    elif len(note) > 200:
        errors["note"] = [_("依据或说明不能超过 200 个字。")]
    latest = RuleSet.objects.select_for_update().filter(kind=kind).order_by("-valid_from").first()
    if valid_from < timezone.localdate():
        errors["valid_from"] = [_("生效日期不能早于今天:已作出的决定按当时的规则,不能追溯。")]
    elif latest is not None and valid_from <= latest.valid_from:
        errors["valid_from"] = [
            _("生效日期须晚于现行最新版本的生效日期 %(date)s。")
            % {"date": latest.valid_from.isoformat()}
        ]
    try:
        typed = spec.parse(values)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    ruleset = RuleSet.objects.create(
        kind=kind,
        version=(latest.version + 1) if latest is not None else 1,
        valid_from=valid_from,
        values=spec.to_json(typed),
        note=note,
        entered_by=actor,
    )
    audit.record(
        actor=actor,
        action="ruleset.enter",
        target=ruleset,
        region_id=PROVINCE,
        changes={
            "kind": kind,
            "version": ruleset.version,
            "valid_from": valid_from.isoformat(),
            "values": ruleset.values,
            "previous": latest.values if latest is not None else None,
            "note": note,
        },
    )
    return ruleset
