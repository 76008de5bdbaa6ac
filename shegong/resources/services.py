"""Every write to the resource directory: keyword-only, atomic, validated, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.models import Region
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.services import check_version

from .models import Institution
from .rules import PHONE_MESSAGE, phone_is_dialable

FIELDS = [
    "name",
    "kind",
    "region",
    "services",
    "capacity",
    "contact_person",
    "phone",
    "address",
    "opening_hours",
    "is_active",
]
EDITABLE = [f for f in FIELDS if f not in ("region", "is_active")]

audit.register_actions(
    {
        "institution.create": gettext_lazy("登记资源机构"),
        "institution.update": gettext_lazy("修改资源机构"),
        "institution.deactivate": gettext_lazy("停用资源机构"),
        "institution.reactivate": gettext_lazy("恢复资源机构"),
    }
)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Trim text and refuse a phone number nobody could dial."""
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    phone = data.get("phone") or ""
    if phone and not phone_is_dialable(phone):
        raise ValidationError({"phone": PHONE_MESSAGE})
    return data


def _check_unique(name: str, region: Region, exclude_pk: Any = None) -> None:
    same = Institution.objects.filter(name=name, region=region).exclude(pk=exclude_pk)
    if same.exists():
        raise ValidationError({"name": _("该区划已登记同名机构。")})


def _lock(institution: Institution, version: int, actor: Actor) -> Institution:
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    if not can(actor, Perm.MANAGE_RESOURCES, locked.region_id):
        raise PermissionDenied(_("您无权修改该机构。"))
    check_version(
        locked, version, _("该机构信息已被他人修改,请刷新页面后重新编辑。您的修改尚未保存。")
    )
    return locked


def _save(actor: Actor, institution: Institution, action: str, before: dict[str, Any]) -> None:
    institution.version = F("version") + 1  # type: ignore[assignment]
    institution.updated_at = timezone.now()
    institution.save()
    institution.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(institution, FIELDS))
    audit.record(actor=actor, action=action, target=institution, changes=changes)


@transaction.atomic
def institution_create(*, actor: Actor, region: Region, **data: Any) -> Institution:
    """Enter an institution into the directory of a region the actor manages."""
    if not can(actor, Perm.MANAGE_RESOURCES, region.code):
        raise PermissionDenied(_("您无权在该区划登记资源机构。"))
    data = _clean(data)
    institution = Institution(region=region, **data)
    institution.full_clean()
    _check_unique(institution.name, region)
    institution.save()
    audit.record(
        actor=actor,
        action="institution.create",
        target=institution,
        changes=audit.snapshot(institution, FIELDS),
    )
    return institution


@transaction.atomic
def institution_update(
    *, actor: Actor, institution: Institution, version: int, region: Region, **data: Any
) -> Institution:
    """Change an institution's details; refuse a save based on an outdated form."""
    locked = _lock(institution, version, actor)
    if not can(actor, Perm.MANAGE_RESOURCES, region.code):
        raise PermissionDenied(_("您无权把机构移到该区划。"))
    data = _clean(data)
    before = audit.snapshot(locked, FIELDS)
    for key, value in data.items():
        if key not in EDITABLE:
            raise ValueError(key)
        setattr(locked, key, value)
    locked.region = region
    locked.full_clean()
    _check_unique(locked.name, region, exclude_pk=locked.pk)
    _save(actor, locked, "institution.update", before)
    return locked


@transaction.atomic
def institution_deactivate(*, actor: Actor, institution: Institution, version: int) -> Institution:
    """Take an institution out of the referral lists; its past referrals keep pointing at it."""
    locked = _lock(institution, version, actor)
    if not locked.is_active:
        raise ValidationError(_("该机构已停用。"))
    before = audit.snapshot(locked, FIELDS)
    locked.is_active = False
    _save(actor, locked, "institution.deactivate", before)
    return locked


@transaction.atomic
def institution_reactivate(*, actor: Actor, institution: Institution, version: int) -> Institution:
    """Put a stopped institution back into the referral lists."""
    locked = _lock(institution, version, actor)
    if locked.is_active:
        raise ValidationError(_("该机构正在使用中。"))
    before = audit.snapshot(locked, FIELDS)
    locked.is_active = True
    _save(actor, locked, "institution.reactivate", before)
    return locked
