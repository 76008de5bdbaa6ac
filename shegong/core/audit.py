"""The one way to write the audit trail.

Services call `record()` inside their own transaction, so the event and the change it describes
commit or roll back together. Reads that must be logged (a full ID number, a child-protection
record) call `record_access()`.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit_fields import BOOL as BOOL  # how change keys read: see core.audit_fields
from .audit_fields import DATE as DATE
from .audit_fields import DATETIME as DATETIME
from .audit_fields import LIST as LIST
from .audit_fields import register_fields as register_fields
from .audit_fields import register_model_fields as register_model_fields
from .models import AuditEvent, AuditFiling

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str | dict):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Plain values of `fields` as they stand now, for a later `diff`."""
    return {f: _plain(getattr(obj, f"{f}_id" if _is_fk(obj, f) else f)) for f in fields}


def _is_fk(obj: models.Model, name: str) -> bool:
    try:
        field = obj._meta.get_field(name)
    except Exception:
        return False
    return bool(getattr(field, "many_to_one", False))


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose values differ."""
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    region_id: str | None = None,
    changes: dict[str, Any] | None = None,
    also_regions: Iterable[str] = (),
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it describes.

    `also_regions` files the same event under further regions (an account action belongs to
    the actor's office and to every region the account works in).
    """
    if region_id is None and target is not None:
        region_id = getattr(target, "region_id", None)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent.objects.create(
        actor=actor_obj,
        actor_name=(actor_obj.username if actor_obj else ""),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        region_id=region_id,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        request_id=request_id_var.get(),
    )
    extra = sorted({code for code in also_regions if code and code != region_id})
    if extra:
        AuditFiling.objects.bulk_create([AuditFiling(event=event, region_id=c) for c in extra])
    return event


def record_access(*, actor: Any, action: str, target: models.Model, detail: str = "") -> None:
    """Log a read that the rules say must leave a trace."""
    record(actor=actor, action=action, target=target, changes={"detail": detail} if detail else {})


# What each action code means, for people reading the trail. Modules add their own.
ACTION_LABELS: dict[str, Any] = {}


def register_actions(labels: dict[str, Any]) -> None:
    ACTION_LABELS.update(labels)


def action_label(code: str) -> Any:
    return ACTION_LABELS.get(code, code)


register_actions(
    {
        "login.success": _("登录"),
        "login.locked": _("登录失败过多被锁定"),
        "user.create": _("新建用户"),
        "user.update": _("修改用户"),
        "user.password_reset": _("重置密码"),
        "user.password_change": _("修改密码"),
        "membership.add": _("添加角色授权"),
        "membership.remove": _("撤销角色授权"),
        "region.designate": _("设置区划标识"),
        "calendar.year_enter": _("录入工作日历"),
        "demo.user_create": _("生成演示账号"),
        "organisation.create": _("登记机构"),
        "organisation.update": _("修改机构"),
        "registry.reveal_id": _("查看完整证件号码"),
    }
)
