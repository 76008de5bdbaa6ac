from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.models import Region
from shegong.core.roles import Perm, Role
from shegong.core.scoping import can
from shegong.core.services import check_version

from .models import Organisation, Supervision, agency_q
from .rules import over_norm, supervision_norm

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
def organisation_create(*, actor: Actor, region: Region, **data: Any) -> Organisation:
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
    *, actor: Actor, organisation: Organisation, version: int, region: Region, **data: Any
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


# --- supervision (督导关系) ---------------------------------------------------------------------

audit.register_actions(
    {
        "supervision.assign": gettext_lazy("指派督导"),
        "supervision.end": gettext_lazy("结束督导关系"),
    }
)


def _may_manage(actor: Actor, organisation: Organisation) -> bool:
    return Organisation.objects.filter(agency_q(actor, None), pk=organisation.pk).exists()


def _holds(user: Any, role: str, organisation: Organisation) -> bool:
    return (
        user is not None
        and user.is_active
        and user.memberships.filter(role=role, organisation=organisation).exists()
    )


def _shared_agency(supervisor: Any, supervisee: Any) -> Organisation:
    """The one agency where the supervisor supervises and the supervisee works."""
    agencies = list(
        Organisation.objects.filter(
            membership__user=supervisor, membership__role=Role.SUPERVISOR
        ).filter(membership__user=supervisee, membership__role=Role.SOCIAL_WORKER)
    )
    if len(agencies) != 1:
        raise ValidationError({"supervisee": _("督导与社工须同属一家机构(请在机构页面中指派)。")})
    return agencies[0]


@transaction.atomic
def supervision_assign(
    *,
    actor: Actor,
    supervisor: Any,
    supervisee: Any,
    start: datetime.date | None = None,
    organisation: Organisation | None = None,
) -> Supervision:
    """Make `supervisor` the supervisor of `supervisee` within their agency from `start`.

    Refused unless the actor manages the agency's supervision, the supervisor holds a
    supervisor membership there and the supervisee a social-worker one. Above the local norm
    of supervisees per supervisor the link is made and `load_warning` says so."""
    organisation = organisation or _shared_agency(supervisor, supervisee)
    if not _may_manage(actor, organisation):
        raise PermissionDenied(_("您无权为该机构指派督导。"))
    start = start or timezone.localdate()
    errors: dict[str, str] = {}
    if not _holds(supervisor, Role.SUPERVISOR, organisation):
        errors["supervisor"] = _("该用户不是本机构的督导。")
    if not _holds(supervisee, Role.SOCIAL_WORKER, organisation):
        errors["supervisee"] = _("该用户不是本机构的社会工作者。")
    elif supervisor is not None and supervisor.pk == supervisee.pk:
        errors["supervisee"] = _("督导不能督导自己。")
    if start > timezone.localdate():
        errors["start"] = _("开始日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    # One assignment per supervisor at a time, so the count below and the duplicate check hold.
    type(supervisor).objects.select_for_update().get(pk=supervisor.pk)
    open_links = Supervision.objects.filter(supervisor=supervisor).current(start)
    if open_links.filter(supervisee=supervisee).exists():
        raise ValidationError({"supervisee": _("该社工已由这位督导督导中。")})
    try:
        with transaction.atomic():
            link = Supervision.objects.create(
                organisation=organisation,
                supervisor=supervisor,
                supervisee=supervisee,
                started_on=start,
            )
    except IntegrityError as exc:
        raise ValidationError({"supervisee": _("该社工已由这位督导督导中。")}) from exc
    load = Supervision.objects.filter(supervisor=supervisor).current().count()
    norm = supervision_norm()
    if over_norm(load, norm):
        link.load_warning = _(
            "该督导现督导 %(n)s 名社工,超过约 1:%(norm)s 的督导配比,请考虑增配督导。"
        ) % {"n": load, "norm": norm.workers_per_supervisor}
    audit.record(
        actor=actor,
        action="supervision.assign",
        target=link,
        region_id=organisation.region_id,
        changes={
            "organisation": organisation.pk,
            "supervisor": supervisor.username,
            "supervisee": supervisee.username,
            "started_on": start,
            "supervisees": load,
        },
    )
    return link


@transaction.atomic
def supervision_end(
    *, actor: Actor, supervision: Supervision, end: datetime.date | None = None
) -> Supervision:
    """End a link on `end` (today by default); from then it grants nothing, and it stays in
    the history."""
    link = (
        Supervision.objects.select_for_update()
        .select_related("organisation")
        .get(pk=supervision.pk)
    )
    if not _may_manage(actor, link.organisation):
        raise PermissionDenied(_("您无权管理该机构的督导关系。"))
    end = end or timezone.localdate()
    if link.ended_on is not None:
        raise ValidationError({"end": _("该督导关系已结束。")})
    if end < link.started_on:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    link.ended_on = end
    link.save(update_fields=["ended_on"])
    audit.record(
        actor=actor,
        action="supervision.end",
        target=link,
        region_id=link.organisation.region_id,
        changes={"ended_on": [None, end]},
    )
    return link
