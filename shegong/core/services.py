"""Every write the foundation makes: accounts, memberships, sign-in lockout, designations,
calendar. Keyword-only, atomic, validated, audited in the same transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import CalendarDay, CalendarYear, LoginThrottle, Membership, Region, User
from .roles import GRANTABLE, ORGANISATION_ROLES, Perm, Role
from .scoping import can, forget_memberships, memberships_of


class StaleEdit(ValidationError):
    """Someone else saved the record after this form was opened."""


def check_version(record: Any, seen: int | None, message: str) -> None:
    """Refuse the save when the record changed since the caller read version `seen`."""
    if seen is not None and record.version != seen:
        raise StaleEdit(message)


# --- sign-in lockout -------------------------------------------------------------------------


def login_locked_until(*, username: str) -> datetime.datetime | None:
    row = LoginThrottle.objects.filter(username=username.lower()).first()
    if row and row.locked_until and row.locked_until > timezone.now():
        return row.locked_until
    return None


@transaction.atomic
def login_failure_record(*, username: str) -> LoginThrottle:
    """Count a failed sign-in; lock the username after LOGIN_MAX_FAILURES in the window."""
    now = timezone.now()
    window = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(
        username=username.lower()
    )
    if row.first_failure_at is None or now - row.first_failure_at > window:
        row.failures = 0
        row.first_failure_at = now
    row.failures += 1
    if row.failures >= settings.LOGIN_MAX_FAILURES:
        row.locked_until = now + window
        user = User.objects.filter(username__iexact=username).first()
        if user is not None and row.failures == settings.LOGIN_MAX_FAILURES:
            region_id = user.memberships.order_by("id").values_list("region_id", flat=True).first()
            audit.record(actor=None, action="login.locked", target=user, region_id=region_id)
    row.save()
    return row


def login_success_record(*, user: User) -> None:
    LoginThrottle.objects.filter(username=user.username.lower()).delete()
    # Filed under the user's first region, so their county's officers can see sign-ins.
    region_id = user.memberships.order_by("id").values_list("region_id", flat=True).first()
    audit.record(actor=user, action="login.success", target=user, region_id=region_id)


# --- accounts ---------------------------------------------------------------------------------


def _require_manage(actor: Any, region_code: str) -> None:
    if not can(actor, Perm.MANAGE_USERS, region_code):
        raise PermissionDenied(_("您无权管理该区划的用户。"))


def grantable_roles(actor: Any, region_code: str | None = None) -> list[str]:
    """Roles the actor may grant (in `region_code`, when given)."""
    if getattr(actor, "is_superuser", False):
        return list(Role.values)
    roles: set[str] = set()
    for m in memberships_of(actor):
        if region_code is None or region_code.startswith(m.region.prefix):
            roles |= GRANTABLE.get(m.role, frozenset())
    return [r for r in Role.values if r in roles]


def _check_membership(*, actor: Any, role: str, region: Region, organisation: Any | None) -> None:
    _require_manage(actor, region.code)
    if role not in grantable_roles(actor, region.code):
        raise ValidationError({"role": _("您不能授予该角色。")})
    if role in ORGANISATION_ROLES and organisation is None:
        raise ValidationError({"organisation": _("该角色必须指定所属机构。")})
    if organisation is not None and not region.code.startswith(organisation.region.prefix[:4]):
        raise ValidationError({"organisation": _("机构与授权区划不在同一地市。")})
    # An agency administrator only staffs their own agency; offices staff anyone's.
    if getattr(actor, "is_superuser", False):
        return
    covering = [m for m in memberships_of(actor) if region.code.startswith(m.region.prefix)]
    if any(m.role in (Role.PROVINCE_ADMIN, Role.CIVIL_AFFAIRS_OFFICER) for m in covering):
        return
    own_orgs = {m.organisation_id for m in covering if m.role == Role.ORG_ADMIN}
    if organisation is None or organisation.pk not in own_orgs:
        raise ValidationError({"organisation": _("机构管理员只能为本机构授权。")})


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    password: str,
    role: str,
    region: Region,
    organisation: Any | None = None,
    phone: str = "",
) -> User:
    """Open an account with its first membership; the creator must manage that region."""
    _check_membership(actor=actor, role=role, region=region, organisation=organisation)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("该用户名已被使用。")})
    user = User(username=username, full_name=full_name.strip(), phone=phone.strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    membership = Membership.objects.create(
        user=user, role=role, region=region, organisation=organisation
    )
    audit.record(
        actor=actor,
        action="user.create",
        target=user,
        region_id=region.code,
        changes={"username": username, "role": role, "region": region.code},
    )
    audit.record(actor=actor, action="membership.add", target=membership)
    return user


@transaction.atomic
def user_update(
    *, actor: Any, user: User, version: int, full_name: str, phone: str, is_active: bool
) -> User:
    """Edit a visible account; refuse a save based on an outdated form."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    regions = [m.region_id for m in locked.memberships.all()]
    if not any(can(actor, Perm.MANAGE_USERS, code) for code in regions):
        raise PermissionDenied(_("您无权管理该用户。"))
    if locked.pk == getattr(actor, "pk", None) and not is_active:
        raise ValidationError({"is_active": _("不能停用自己的账号。")})
    check_version(locked, version, _("该用户已被他人修改,请刷新页面后重新编辑。您的修改尚未保存。"))
    fields = ["full_name", "phone", "is_active"]
    before = audit.snapshot(locked, fields)
    locked.full_name, locked.phone, locked.is_active = full_name.strip(), phone.strip(), is_active
    locked.full_clean(exclude=["password"])
    locked.version = F("version") + 1
    locked.save(update_fields=[*fields, "version"])
    locked.refresh_from_db(fields=["version"])
    audit.record(
        actor=actor,
        action="user.update",
        target=locked,
        region_id=regions[0] if regions else None,
        changes=audit.diff(before, audit.snapshot(locked, fields)),
    )
    return locked


@transaction.atomic
def user_password_reset(*, actor: Any, user: User, password: str) -> None:
    """An administrator sets a new password for an account they manage."""
    regions = list(user.memberships.values_list("region_id", flat=True))
    if not any(can(actor, Perm.MANAGE_USERS, code) for code in regions):
        raise PermissionDenied(_("您无权管理该用户。"))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    LoginThrottle.objects.filter(username=user.username.lower()).delete()
    audit.record(actor=actor, action="user.password_reset", target=user, region_id=regions[0])


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("原密码不正确。")})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(actor=user, action="user.password_change", target=user)


@transaction.atomic
def membership_add(
    *, actor: Any, user: User, role: str, region: Region, organisation: Any | None = None
) -> Membership:
    _check_membership(actor=actor, role=role, region=region, organisation=organisation)
    if Membership.objects.filter(user=user, role=role, region=region).exists():
        raise ValidationError({"role": _("该用户在此区划已有这个角色。")})
    membership = Membership.objects.create(
        user=user, role=role, region=region, organisation=organisation
    )
    forget_memberships(user)
    audit.record(
        actor=actor,
        action="membership.add",
        target=membership,
        changes={"user": user.username, "role": role, "organisation": organisation},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    _require_manage(actor, membership.region_id)
    if membership.role not in grantable_roles(actor, membership.region_id):
        raise PermissionDenied(_("您不能撤销该角色。"))
    audit.record(
        actor=actor,
        action="membership.remove",
        target=membership,
        changes={"user": membership.user.username, "role": membership.role},
    )
    membership.delete()
    forget_memberships(membership.user)


# --- regions ----------------------------------------------------------------------------------

DESIGNATIONS = ("is_sanqu", "is_poverty_county", "is_pilot_community")


@transaction.atomic
def region_designate(*, actor: Any, region: Region, **flags: bool) -> Region:
    """Set the policy designations (三区县, poverty county, pilot community) on a region."""
    if not can(actor, Perm.DESIGNATE_REGIONS, region.code):
        raise PermissionDenied(_("您无权设置区划标识。"))
    unknown = set(flags) - set(DESIGNATIONS)
    if unknown:
        raise ValidationError(_("未知的区划标识。"))
    before = audit.snapshot(region, DESIGNATIONS)
    for key, value in flags.items():
        setattr(region, key, bool(value))
    region.save(update_fields=list(flags))
    changes = audit.diff(before, audit.snapshot(region, DESIGNATIONS))
    if changes:
        audit.record(actor=actor, action="region.designate", target=region, changes=changes)
    return region


# --- working-day calendar ---------------------------------------------------------------------


@transaction.atomic
def calendar_year_enter(
    *,
    actor: Any,
    year: int,
    holidays: list[tuple[datetime.date, str]],
    workdays: list[tuple[datetime.date, str]],
    source: str,
) -> CalendarYear:
    """Enter a year's statutory arrangement: holidays and make-up workdays (调休)."""
    if not can(actor, Perm.MANAGE_CALENDAR):
        raise PermissionDenied(_("您无权维护工作日历。"))
    errors = [
        _("%(date)s 不在 %(year)s 年内。") % {"date": d, "year": year}
        for d, _n in holidays + workdays
        if d.year != year
    ]
    both = {d for d, _n in holidays} & {d for d, _n in workdays}
    errors += [_("%(date)s 不能既是假日又是调休工作日。") % {"date": d} for d in sorted(both)]
    errors += [
        _("%(date)s 是周末,无需登记为假日。") % {"date": d}
        for d, _n in holidays
        if d.weekday() >= 5
    ]
    errors += [
        _("%(date)s 是工作日,无需登记为调休上班。") % {"date": d}
        for d, _n in workdays
        if d.weekday() < 5
    ]
    if errors:
        raise ValidationError(errors)
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_workday=False, name=n) for d, n in holidays]
        + [CalendarDay(date=d, is_workday=True, name=n) for d, n in workdays]
    )
    entry, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": source, "entered_by": actor}
    )
    audit.record(
        actor=actor,
        action="calendar.year_enter",
        target=entry,
        changes={"holidays": len(holidays), "workdays": len(workdays), "source": source},
    )
    return entry
