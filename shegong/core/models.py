from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .regions import prefix_bounds, prefix_of
from .roles import GRANTABLE, Perm, Role
from .scoping import ScopedManager, ScopedQuerySet, jurisdiction, memberships_of, prefixes_q


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县(区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    VILLAGE = "village", _("村(社区)")


class RegionQuerySet(ScopedQuerySet):
    scope_field = "code"


class Region(models.Model):
    """A statistical division; its 12-digit code is the spine every record hangs on."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    is_sanqu = models.BooleanField(_("三区县"), default=False)
    is_poverty_county = models.BooleanField(_("贫困县"), default=False)
    is_pilot_community = models.BooleanField(_("试点社区"), default=False)
    is_synthetic = models.BooleanField(
        _("演示数据生成"), default=False, help_text=_("演示或基准数据生成的村,不是真实区划")
    )

    objects = ScopedManager.from_queryset(RegionQuerySet)()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code")]

    def __str__(self) -> str:
        return f"{self.name}({self.code})"

    @property
    def prefix(self) -> str:
        return prefix_of(self.code)

    @property
    def label(self) -> str:
        """Name with its parent's for townships and villages: many villages share a name."""
        if self.level in (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE) and self.parent:
            return f"{self.parent.name}{self.name}"
        return self.name

    @property
    def place(self) -> str:
        """What lies above the region beyond its label, shown beside a search match: a
        village's county (its label names the township), a county's city."""
        above = self.parent
        if above is not None and self.level in (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
            above = above.parent
        return above.name if above is not None else ""


class UserQuerySet(models.QuerySet):
    def visible_to(self, actor, perm: str | None = None) -> UserQuerySet:
        """Accounts the actor may manage: every membership one the actor could have granted.

        The query form of `core.authority.may_manage_account`; the account matrix test holds
        the two to the same answers.
        """
        if not jurisdiction(actor, perm or Perm.MANAGE_USERS):
            return self.none()
        if actor.is_superuser:
            return self
        covered = Q(pk__in=[])
        for holder in memberships_of(actor):
            grantable = GRANTABLE.get(holder.role)
            if not grantable:
                continue
            low, high = prefix_bounds(prefix_of(holder.region_id))
            rule = Q(region_id__gte=low, region_id__lt=high, role__in=grantable) & ~Q(
                role=holder.role, region_id=holder.region_id
            )
            if holder.role == Role.ORG_ADMIN:
                rule &= Q(organisation_id=holder.organisation_id)
            covered |= rule
        uncovered = Membership.objects.exclude(covered).values("user_id")
        return (
            self.filter(is_superuser=False, pk__in=Membership.objects.values("user_id"))
            .exclude(pk=actor.pk)
            .exclude(pk__in=uncovered)
        )


class ShegongUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ShegongUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    """(role, region, optional organisation): what a user does, where, and for whom."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("区划"))
    organisation = models.ForeignKey(
        "workforce.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("所属机构"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region"], name="membership_unique_role_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.region.name}"


class OwnedQuerySet(models.QuerySet):
    def visible_to(self, actor, perm: str | None = None) -> OwnedQuerySet:
        """Only the actor's own rows: a job's progress and its file belong to who started it."""
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        return self.filter(owner=actor)


class LoginThrottle(models.Model):
    """Failed sign-ins, counted two ways (see `core.services.login_attempt`).

    `pair:<username>|<address>` locks that username from that address after a few failures, so
    an office behind one NAT address keeps working when someone elsewhere mistypes or attacks;
    `user:<username>` only slows every further attempt at that username, from anywhere, so
    nobody can lock another person out. Rows older than the window are pruned as failures
    come in, so odd usernames do not pile up.
    """

    key = models.CharField(max_length=250, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True)
    last_failure_at = models.DateTimeField(null=True, db_index=True)
    locked_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class ApiToken(models.Model):
    """A key for the API. Only its SHA-256 is stored; the key is shown once, when issued.

    Tokens expire (`API_TOKEN_DAYS`), and are revoked on password change or reset, on
    deactivation, and by their owner on the account page.
    """

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=50, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(_("开头"), max_length=8)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=32, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # Never the key's letters: they are no word and nobody needs them in the trail.
        return f"API 令牌 {self.pk} {self.name}".strip()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class AuditQuerySet(ScopedQuerySet):
    def visible_to(self, actor, perm: str | None = None) -> ScopedQuerySet:
        """Events filed in the actor's jurisdiction: under their region or an extra filing."""
        prefixes = jurisdiction(actor, perm or self.scope_perm)
        if not prefixes:
            return self.none()
        if "" in prefixes:
            return self.all()
        filed = AuditFiling.objects.filter(prefixes_q("region_id", prefixes)).values("event_id")
        return self.filter(prefixes_q("region_id", prefixes) | Q(pk__in=filed))

    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("audit events are append-only")

    def delete(self):  # type: ignore[override]
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """Append-only record of who did what to which record, where and when.

    Written only by `core.audit.record()` inside the service's transaction. There is no update
    or delete path: the QuerySet refuses, `save()` refuses an existing row, and on PostgreSQL
    a trigger refuses UPDATE and DELETE (see migration 0002).
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("区划")
    )
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)

    objects = ScopedManager.from_queryset(AuditQuerySet)()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(fields=["region", "at"], name="audit_region_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            # The filter by a record's number as shown (户编号, 个案编号) or its start, and by a
            # person's name: on PostgreSQL an operator class that serves LIKE 'prefix%' in any
            # collation (and equality); other databases ignore it.
            models.Index(
                fields=["target_repr"],
                name="audit_target_repr",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class AuditFiling(models.Model):
    """Another region an event is filed under, besides its own.

    An account action concerns the actor's office and every region the account works in: the
    officers of each should find it in their trail. Written only by `core.audit.record()`.
    """

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="filings")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "region"], name="audit_filing_unique")
        ]
        indexes = [models.Index(fields=["region", "event"], name="audit_filing_region")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.region_id}"


class TaskStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class TaskProgress(models.Model):
    """What a background job tells the page that polls it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("任务类型"), max_length=64)
    title = models.CharField(_("任务"), max_length=200)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tasks")
    status = models.CharField(
        _("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.QUEUED
    )
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    result_file = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (TaskStatus.DONE, TaskStatus.FAILED)


class CalendarYear(models.Model):
    """A year whose statutory holiday arrangement is known; deadlines refuse other years."""

    year = models.PositiveIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=100)
    entered_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday rule: a holiday on a weekday, or a make-up workday."""

    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class RuleSet(models.Model):
    """One version of a rule's numbers, in force from `valid_from` until the next version's.

    Rows are never changed once written: decisions point at the version they applied, so a new
    rule is a new version (see `core.rulesets`).
    """

    kind = models.CharField(_("规则类别"), max_length=40)
    version = models.PositiveIntegerField(_("版本"))
    valid_from = models.DateField(_("生效日期"))
    values = models.JSONField(_("规则内容"))
    note = models.CharField(_("依据或说明"), max_length=200)
    entered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("规则版本")
        verbose_name_plural = _("规则版本")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="ruleset_kind_version"),
            models.UniqueConstraint(fields=["kind", "valid_from"], name="ruleset_kind_valid_from"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version} ({self.valid_from})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("a rule-set version is never changed: enter a new version")
        super().save(*args, **kwargs)
