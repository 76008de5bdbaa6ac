from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.models import Region
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.services import check_version

from .models import Organisation

FIELDS = ["name", "uscc", "kind", "region", "address", "contact_person", "phone", "is_active"]


def _clean_uscc(raw: str | None) -> str | None:
    from shegong.core.idnumbers import parse_uscc

    if not raw or not raw.strip():
        return None
    try:
        return parse_uscc(raw).code
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.messages}) from exc


def _check_unique(uscc: str | None, exclude_pk: Any = None) -> None:
    if uscc and Organisation.objects.filter(uscc=uscc).exclude(pk=exclude_pk).exists():
        raise ValidationError({"uscc": _("该统一社会信用代码已登记。")})


@transaction.atomic
def organisation_create(*, actor: Any, region: Region, **data: Any) -> Organisation:
    if not can(actor, Perm.MANAGE_ORGANISATIONS, region.code):
        raise PermissionDenied(_("您无权在该区划登记机构。"))
    data["uscc"] = _clean_uscc(data.get("uscc"))
    _check_unique(data["uscc"])
    org = Organisation(region=region, **data)
    org.full_clean()
    org.save()
    audit.record(
        actor=actor, action="organisation.create", target=org, changes=audit.snapshot(org, FIELDS)
    )
    return org


@transaction.atomic
def organisation_update(
    *, actor: Any, organisation: Organisation, version: int, region: Region, **data: Any
) -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not (
        can(actor, Perm.MANAGE_ORGANISATIONS, org.region_id)
        and can(actor, Perm.MANAGE_ORGANISATIONS, region.code)
    ):
        raise PermissionDenied(_("您无权修改该机构。"))
    check_version(
        org, version, _("该机构信息已被他人修改,请刷新页面后重新编辑。您的修改尚未保存。")
    )
    data["uscc"] = _clean_uscc(data.get("uscc"))
    _check_unique(data["uscc"], exclude_pk=org.pk)
    before = audit.snapshot(org, FIELDS)
    for key, value in data.items():
        setattr(org, key, value)
    org.region = region
    org.full_clean()
    org.version = F("version") + 1
    org.save()
    org.refresh_from_db()
    audit.record(
        actor=actor,
        action="organisation.update",
        target=org,
        changes=audit.diff(before, audit.snapshot(org, FIELDS)),
    )
    return org
