"""Every write the foundation makes: accounts, memberships, sign-in lockout, designations,
calendar. Keyword-only, atomic, validated, audited in the same transaction."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .actors import Actor
from .authority import Grant, may_grant, may_manage_account
from .models import (
    ApiToken,
    CalendarDay,
    CalendarYear,
    LoginThrottle,
    Membership,
    Region,
    User,
)
from .regions import prefix_of
from .roles import GRANTABLE, ORGANISATION_ROLES, Perm, Role
from .scoping import can, forget_memberships, memberships_of
from .workdays import missing_national_holidays


class StaleEdit(ValidationError):
    """Someone else saved the record after this form was opened."""


def check_version(record: Any, seen: int | None, message: str) -> None:
    """Refuse the save when the record changed since the caller read version `seen`."""
    if seen is not None and record.version != seen:
        raise StaleEdit(message)


# --- sign-in --------------------------------------------------------------------------------


class LoginRefused(ValidationError):
    """A sign-in that is refused; `code` says why (invalid_login, locked, slowed)."""


_MAX_USERNAME = 150


def _throttle_keys(username: str, address: str) -> tuple[str, str]:
    name = username.lower()
    return f"pair:{name}|{address}"[:250], f"user:{name}"[:250]


def _slow_seconds(failures: int) -> int:
    """How long to wait after the last failure, once a username has drawn many of them."""
    over = failures - settings.LOGIN_SLOW_AFTER
    if over < 0:
        return 0
    return int(min(2**over, settings.LOGIN_SLOW_MAX_SECONDS))


def login_wait(*, username: str, address: str) -> tuple[str, int] | None:
    """Why and how many seconds a sign-in must wait, or None when it may go ahead."""
    now = timezone.now()
    pair_key, user_key = _throttle_keys(username, address)
    rows = {row.key: row for row in LoginThrottle.objects.filter(key__in=[pair_key, user_key])}
    pair = rows.get(pair_key)
    if pair and pair.locked_until and pair.locked_until > now:
        return "locked", int((pair.locked_until - now).total_seconds()) + 1
    user_row = rows.get(user_key)
    if user_row and user_row.last_failure_at:
        ready = user_row.last_failure_at + datetime.timedelta(
            seconds=_slow_seconds(user_row.failures)
        )
        if ready > now:
            return "slowed", int((ready - now).total_seconds()) + 1
    return None


def _count_failure(key: str, now: datetime.datetime, window: datetime.timedelta) -> LoginThrottle:
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(key=key)
    if row.first_failure_at is None or now - row.first_failure_at > window:
        row.failures = 0
        row.first_failure_at = now
        row.locked_until = None
    row.failures += 1
    row.last_failure_at = now
    return row


@transaction.atomic
def login_failure_record(*, username: str, address: str) -> LoginThrottle:
    """Count a failed sign-in: lock the username from this address after LOGIN_MAX_FAILURES,
    slow it from everywhere after LOGIN_SLOW_AFTER; prune rows older than the window."""
    now = timezone.now()
    window = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    LoginThrottle.objects.filter(last_failure_at__lt=now - window).delete()
    pair_key, user_key = _throttle_keys(username, address)
    pair = _count_failure(pair_key, now, window)
    if pair.failures >= settings.LOGIN_MAX_FAILURES:
        pair.locked_until = now + window
        user = User.objects.filter(username__iexact=username).first()
        if user is not None and pair.failures == settings.LOGIN_MAX_FAILURES:
            audit.record(
                actor=None,
                action="login.locked",
                target=user,
                region_id=_home_region(user),
                changes={"address": address},
            )
    pair.save()
    _count_failure(user_key, now, window).save()
    return pair


def _home_region(user: User) -> str | None:
    return user.memberships.order_by("id").values_list("region_id", flat=True).first()


def login_success_record(*, user: User, address: str = "") -> None:
    pair_key, user_key = _throttle_keys(user.username, address)
    LoginThrottle.objects.filter(key__in=[pair_key, user_key]).delete()
    # Filed under the user's first region, so their county's officers can see sign-ins.
    audit.record(actor=user, action="login.success", target=user, region_id=_home_region(user))


def login_attempt(*, username: str, password: str, address: str, request: Any = None) -> User:
    """Check a sign-in, for the login page and the API alike; raises LoginRefused."""
    username = (username or "").strip()
    if not username or len(username) > _MAX_USERNAME:
        raise LoginRefused(_("用户名或密码不正确。"), code="invalid_login")
    waiting = login_wait(username=username, address=address)
    if waiting is not None:
        reason, seconds = waiting
        if reason == "locked":
            minutes = max(1, (seconds + 59) // 60)
            raise LoginRefused(
                _("登录失败次数过多,该账号已锁定,请 %(minutes)s 分钟后再试。")
                % {"minutes": minutes},
                code="locked",
            )
        raise LoginRefused(
            _("该账号近期登录失败次数较多,请 %(seconds)s 秒后再试。") % {"seconds": seconds},
            code="slowed",
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failure_record(username=username, address=address)
        raise LoginRefused(_("用户名或密码不正确。"), code="invalid_login")
    login_success_record(user=user, address=address)
    return user


# --- API tokens -------------------------------------------------------------------------------


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_issue(*, actor: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue an API token to the actor; the key is returned once and only its hash is kept."""
    key = secrets.token_urlsafe(30)
    now = timezone.now()
    token = ApiToken.objects.create(
        owner=actor,
        name=name.strip()[:50],
        key_hash=_token_hash(key),
        key_prefix=key[:6],
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.API_TOKEN_DAYS),
    )
    audit.record(
        actor=actor,
        action="api_token.issue",
        target=token,
        region_id=_home_region(actor),
        changes={"name": token.name, "expires_at": token.expires_at},
    )
    return token, key


def api_token_for_key(*, key: str) -> ApiToken | None:
    """The live token with this key, if any (expired and revoked tokens give None)."""
    token = (
        ApiToken.objects.select_related("owner")
        .filter(key_hash=_token_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_live or not token.owner.is_active:
        return None
    return token


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    """The owner withdraws one of their tokens."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.owner_id != actor.pk:
        raise PermissionDenied(_("只能撤销自己的令牌。"))
    if locked.revoked_at is not None:
        raise ValidationError(_("该令牌已撤销。"))
    locked.revoked_at = timezone.now()
    locked.revoked_reason = "owner"
    locked.save(update_fields=["revoked_at", "revoked_reason"])
    audit.record(
        actor=actor,
        action="api_token.revoke",
        target=locked,
        region_id=_home_region(actor),
        changes={"revoked_reason": "owner"},
    )


def _revoke_tokens(user: User, reason: str) -> int:
    """Revoke every live token of `user`; the caller's audit event records the count."""
    return ApiToken.objects.filter(owner=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


# --- accounts ---------------------------------------------------------------------------------


def _grants(memberships: Any) -> list[Grant]:
    return [Grant(m.role, m.region_id, m.organisation_id) for m in memberships]


def grantable_roles(actor: Actor, region_code: str | None = None) -> list[str]:
    """Roles the actor may grant (in `region_code`, when given)."""
    if getattr(actor, "is_superuser", False):
        return list(Role.values)
    roles: set[str] = set()
    for m in memberships_of(actor):
        if region_code is None or region_code.startswith(m.region.prefix):
            roles |= GRANTABLE.get(m.role, frozenset())
    return [r for r in Role.values if r in roles]


def may_manage(actor: Actor, user: User) -> bool:
    """Whether the actor may view or act on `user`'s account (see core.authority)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return may_manage_account(
        _grants(memberships_of(actor)),
        _grants(user.memberships.all()),
        actor_is_superuser=actor.is_superuser,
        target_is_superuser=user.is_superuser,
        is_self=actor.pk == user.pk,
    )


def _require_account(actor: Actor, user: User) -> None:
    if not may_manage(actor, user):
        raise PermissionDenied(_("您无权管理该用户。"))


def _account_filing(actor: Actor, user: User) -> dict[str, Any]:
    """Where an account action is filed: the actor's office, and every region of the account."""
    targets = list(user.memberships.values_list("region_id", flat=True))
    own = [m.region_id for m in memberships_of(actor) if m.role in GRANTABLE]
    covering = [c for c in own if any(t.startswith(prefix_of(c)) for t in targets)]
    candidates: list[str | None] = [*covering, *own, *targets, None]
    home = candidates[0]
    return {"region_id": home, "also_regions": targets}


def _check_membership(*, actor: Actor, role: str, region: Region, organisation: Any | None) -> None:
    if not can(actor, Perm.MANAGE_USERS, region.code):
        raise PermissionDenied(_("您无权管理该区划的用户。"))
    if role not in grantable_roles(actor, region.code):
        raise ValidationError({"role": _("您不能授予该角色。")})
    if role in ORGANISATION_ROLES and organisation is None:
        raise ValidationError({"organisation": _("该角色必须指定所属机构。")})
    if organisation is not None and not region.code.startswith(organisation.region.prefix[:4]):
        raise ValidationError({"organisation": _("机构与授权区划不在同一地市。")})
    if getattr(actor, "is_superuser", False):
        return
    target = Grant(role, region.code, organisation.pk if organisation is not None else None)
    if may_grant(_grants(memberships_of(actor)), target):
        return
    holders = [m for m in memberships_of(actor) if region.code.startswith(m.region.prefix)]
    if any(m.role == Role.ORG_ADMIN for m in holders) and not any(
        m.role in (Role.PROVINCE_ADMIN, Role.CIVIL_AFFAIRS_OFFICER) for m in holders
    ):
        raise ValidationError({"organisation": _("机构管理员只能为本机构授权。")})
    raise ValidationError({"role": _("同级之间不能授予与自己相同的角色,请由上级民政部门办理。")})


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    full_name: str,
    password: str,
    role: str,
    region: Region,
    organisation: Any | None = None,
    phone: str = "",
) -> User:
    """Open an account with its first membership, which the creator must be able to grant."""
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
    Membership.objects.create(user=user, role=role, region=region, organisation=organisation)
    audit.record(
        actor=actor,
        action="user.create",
        target=user,
        changes={
            "username": username,
            "full_name": user.full_name,
            "phone": user.phone,
            "role": role,
            "region": region.code,
            "organisation": organisation,
        },
        **_account_filing(actor, user),
    )
    return user


@transaction.atomic
def user_update(
    *, actor: Actor, user: User, version: int, full_name: str, phone: str, is_active: bool
) -> User:
    """Edit an account the actor manages; deactivating it also revokes its API tokens."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    _require_account(actor, locked)
    check_version(locked, version, _("该用户已被他人修改,请刷新页面后重新编辑。您的修改尚未保存。"))
    fields = ["full_name", "phone", "is_active"]
    before = audit.snapshot(locked, fields)
    locked.full_name, locked.phone, locked.is_active = full_name.strip(), phone.strip(), is_active
    locked.full_clean(exclude=["password"])
    locked.version = F("version") + 1
    locked.save(update_fields=[*fields, "version"])
    locked.refresh_from_db(fields=["version"])
    changes: dict[str, Any] = audit.diff(before, audit.snapshot(locked, fields))
    if not is_active:
        revoked = _revoke_tokens(locked, "deactivated")
        if revoked:
            changes["tokens_revoked"] = revoked
    audit.record(
        actor=actor,
        action="user.update",
        target=locked,
        changes=changes,
        **_account_filing(actor, locked),
    )
    return locked


@transaction.atomic
def user_password_reset(*, actor: Actor, user: User, password: str) -> None:
    """The level above sets a new password; the account's API tokens stop working."""
    _require_account(actor, user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    name = user.username.lower()
    LoginThrottle.objects.filter(
        Q(key=f"user:{name}") | Q(key__startswith=f"pair:{name}|")
    ).delete()
    revoked = _revoke_tokens(user, "password_reset")
    audit.record(
        actor=actor,
        action="user.password_reset",
        target=user,
        changes={"password": "******", "tokens_revoked": revoked},
        **_account_filing(actor, user),
    )


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
    revoked = _revoke_tokens(user, "password_change")
    audit.record(
        actor=user,
        action="user.password_change",
        target=user,
        region_id=_home_region(user),
        changes={"password": "******", "tokens_revoked": revoked},
    )


@transaction.atomic
def membership_add(
    *, actor: Actor, user: User, role: str, region: Region, organisation: Any | None = None
) -> Membership:
    """Grant one more membership to an account the actor manages."""
    _require_account(actor, user)
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
        changes={
            "user": user.username,
            "role": role,
            "region": region.code,
            "organisation": organisation,
        },
        **_account_filing(actor, user),
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor, membership: Membership) -> None:
    """Withdraw a membership from an account the actor manages; never its last one."""
    user = membership.user
    _require_account(actor, user)
    if user.memberships.count() == 1:
        raise ValidationError(_("这是该用户唯一的角色授权,不能撤销;如需停止使用,请停用账号。"))
    filing = _account_filing(actor, user)
    audit.record(
        actor=actor,
        action="membership.remove",
        target=membership,
        changes={
            "user": user.username,
            "role": membership.role,
            "region": membership.region_id,
            "organisation": membership.organisation_id,
        },
        **filing,
    )
    membership.delete()
    forget_memberships(user)


# --- regions ----------------------------------------------------------------------------------

DESIGNATIONS = ("is_sanqu", "is_poverty_county", "is_pilot_community")


@transaction.atomic
def region_designate(*, actor: Actor, region: Region, **flags: bool) -> Region:
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
    actor: Actor,
    year: int,
    holidays: list[tuple[datetime.date, str]],
    workdays: list[tuple[datetime.date, str]],
    source: str,
    confirm_no_statutory_holidays: bool = False,
) -> CalendarYear:
    """Enter a year's statutory arrangement: holidays and make-up workdays (调休).

    A year whose holidays do not name every national holiday is refused unless the
    administrator confirms it: an empty or partial year would otherwise count its festivals as
    working days, silently, in every deadline that crosses them.
    """
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
    missing = missing_national_holidays(n for _d, n in holidays)
    if missing and not confirm_no_statutory_holidays:
        raise ValidationError(
            {
                "holidays": _(
                    "放假日期中没有这些法定节假日:%(names)s。请按国务院办公厅通知逐日录入"
                    "(名称中写明节日,例如 2027-10-01 国庆节);如该年确无这些节日的安排,"
                    "请勾选“确认该年无法定节假日安排”。"
                )
                % {"names": "、".join(missing)}
            }
        )
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
        changes={
            "holidays": len(holidays),
            "workdays": len(workdays),
            "source": source,
            "confirmed_missing": missing,
        },
    )
    return entry
