"""The poverty registry (建档立卡): households, their members, poverty exits, imports and
duplicate candidates. Every row carries the region it belongs to, so scoping is one range."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.models import Region
from shegong.core.scoping import ScopedManager, ScopedQuerySet, jurisdiction, prefixes_q
from shegong.core.validators import HouseholdNumber, NonNegative, Phone, PlainText, Year

from .codes import (
    Cause,
    Education,
    Health,
    HouseholdType,
    InSchool,
    Labour,
    LeftBehind,
    PovertyStatus,
    Relation,
    Sex,
    WorkStatus,
)

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "null": True, "blank": True}


class HouseholdQuerySet(ScopedQuerySet):
    def poor(self) -> HouseholdQuerySet:
        """Households not yet out of poverty or at risk of falling back."""
        return self.exclude(poverty_status=PovertyStatus.OUT)


class Household(models.Model):
    """A registered poor household (贫困户), identified by its province-wide 户编号."""

    # Warnings of the service that just created it (an unknown birthplace code): not stored.
    entry_warnings: tuple[str, ...] = ()

    number = models.CharField(
        _("户编号"), max_length=32, unique=True, validators=[HouseholdNumber()]
    )
    # No index of its own: household_region_id (region, id) serves every region lookup.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, verbose_name=_("所在区划"), db_index=False
    )
    address = models.CharField(
        _("住址"), max_length=200, blank=True, validators=[PlainText("住址")]
    )
    phone = models.CharField(
        _("联系电话"), max_length=30, blank=True, validators=[Phone("联系电话")]
    )
    household_type = models.CharField(
        _("贫困户属性"),
        max_length=16,
        choices=HouseholdType.choices,
        default=HouseholdType.ORDINARY,
    )
    poverty_status = models.CharField(
        _("脱贫状态"),
        max_length=16,
        choices=PovertyStatus.choices,
        default=PovertyStatus.NOT_OUT,
    )
    year_identified = models.PositiveSmallIntegerField(
        _("识别年度"), null=True, blank=True, validators=[Year("识别年度")]
    )
    year_out = models.PositiveSmallIntegerField(
        _("脱贫年度"), null=True, blank=True, validators=[Year("脱贫年度")]
    )
    main_cause = models.CharField(
        _("主要致贫原因"), max_length=16, choices=Cause.choices, blank=True
    )
    secondary_causes = models.JSONField(_("其他致贫原因"), default=list, blank=True)
    income_wages = models.DecimalField(
        _("工资性收入"), validators=[NonNegative("工资性收入")], **MONEY
    )
    income_business = models.DecimalField(
        _("生产经营性收入"), validators=[NonNegative("生产经营性收入")], **MONEY
    )
    income_property = models.DecimalField(
        _("财产性收入"), validators=[NonNegative("财产性收入")], **MONEY
    )
    income_transfer = models.DecimalField(
        _("转移性收入"), validators=[NonNegative("转移性收入")], **MONEY
    )
    costs = models.DecimalField(
        _("生产经营性支出"), validators=[NonNegative("生产经营性支出")], **MONEY
    )
    net_income_per_person = models.DecimalField(
        _("家庭年人均纯收入"), validators=[NonNegative("家庭年人均纯收入")], **MONEY
    )
    housing_area = models.DecimalField(
        _("住房面积(平方米)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NonNegative("住房面积")],
    )
    housing_structure = models.CharField(_("住房结构"), max_length=30, blank=True)
    housing_safe = models.BooleanField(_("住房安全"), null=True, blank=True)
    water_safe = models.BooleanField(_("饮水安全"), null=True, blank=True)
    has_electricity = models.BooleanField(_("通生活用电"), null=True, blank=True)
    distance_to_town_km = models.DecimalField(
        _("距乡镇距离(公里)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[NonNegative("距乡镇距离")],
    )
    helper_name = models.CharField(
        _("帮扶责任人"), max_length=50, blank=True, validators=[PlainText("帮扶责任人")]
    )
    helper_phone = models.CharField(
        _("帮扶责任人电话"), max_length=30, blank=True, validators=[Phone("帮扶责任人电话")]
    )
    member_count = models.PositiveSmallIntegerField(_("家庭人口"), default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(HouseholdQuerySet)()

    class Meta:
        verbose_name = _("贫困户")
        verbose_name_plural = _("贫困户")
        indexes = [models.Index(fields=["region", "id"], name="household_region_id")]

    def __str__(self) -> str:
        return self.number


class PersonQuerySet(ScopedQuerySet):
    def heads(self) -> PersonQuerySet:
        """Heads of household only."""
        return self.filter(relation=Relation.HEAD)


class Person(models.Model):
    """A member of a registered household. The ID number is unique across the province."""

    # Warnings of the service that just created it (an unknown birthplace code): not stored.
    entry_warnings: tuple[str, ...] = ()

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("所属户")
    )
    # A copy of the household's region, so that scoping is one range (indexed by
    # person_region_id (region, id) only). Every write path keeps it equal to household.region
    # (services and import; `assert_registry_consistent` in the tests); the database checks
    # the household's region, so this copy goes without a foreign-key check of its own, which
    # cost about a seventh of the import's database time (docs/decisions.md).
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        verbose_name=_("所在区划"),
        db_index=False,
        db_constraint=False,
    )
    name = models.CharField(_("姓名"), max_length=50, validators=[PlainText("姓名")])
    # Searched by prefix only (`zw` finds 张伟): one pattern index, see Meta.
    name_initials = models.CharField(max_length=20, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=18, unique=True)
    sex = models.CharField(_("性别"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(
        _("民族"), max_length=20, blank=True, validators=[PlainText("民族")]
    )
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices)
    education = models.CharField(
        _("文化程度"), max_length=16, choices=Education.choices, blank=True
    )
    in_school = models.CharField(_("在校情况"), max_length=16, choices=InSchool.choices, blank=True)
    health = models.CharField(_("健康状况"), max_length=16, choices=Health.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    labour = models.CharField(_("劳动能力"), max_length=16, choices=Labour.choices, blank=True)
    work_status = models.CharField(
        _("务工状况"), max_length=16, choices=WorkStatus.choices, blank=True
    )
    months_away = models.PositiveSmallIntegerField(_("务工时间(月)"), null=True, blank=True)
    is_dibao = models.BooleanField(_("低保对象"), default=False)
    has_medical_insurance = models.BooleanField(_("参加城乡居民基本医疗保险"), default=False)
    has_pension = models.BooleanField(_("参加城乡居民基本养老保险"), default=False)
    has_serious_illness_insurance = models.BooleanField(_("参加大病保险"), default=False)
    phone = models.CharField(
        _("联系电话"), max_length=30, blank=True, validators=[Phone("联系电话")]
    )
    left_behind = models.CharField(
        _("三留守"), max_length=8, choices=LeftBehind.choices, blank=True, default=""
    )
    left_behind_confirmed = models.BooleanField(_("三留守已核实"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(PersonQuerySet)()

    class Meta:
        verbose_name = _("贫困人口")
        verbose_name_plural = _("贫困人口")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head"),
                name="person_one_head_per_household",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "id"], name="person_region_id"),
            models.Index(fields=["name", "birth_date"], name="person_name_birth"),
            models.Index(fields=["birth_date", "region"], name="person_birth_region"),
            models.Index(
                fields=["name_initials"],
                name="person_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def open_flag_review(self) -> Any:
        """The open review of this person's confirmed left-behind flag, or None."""
        return self.flag_reviews.filter(status="open").first()


class PovertyExit(models.Model):
    """The recorded exit checks when a household is marked out of poverty (脱贫)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="exits")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("脱贫年度"))
    net_income_per_person = models.DecimalField(
        _("家庭年人均纯收入"), max_digits=12, decimal_places=2
    )
    poverty_line = models.DecimalField(_("当年贫困线"), max_digits=8, decimal_places=2)
    # The `poverty_exit` rule set the exit was decided under (the line and the notice period).
    rules = models.ForeignKey(
        "core.RuleSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用规则版本"),
    )
    food_clothing_secure = models.BooleanField(_("不愁吃、不愁穿"))
    schooling_assured = models.BooleanField(_("义务教育有保障"))
    medical_assured = models.BooleanField(_("基本医疗有保障"))
    housing_assured = models.BooleanField(_("住房安全有保障"))
    village_review_date = models.DateField(_("村民主评议日期"))
    verification_date = models.DateField(_("乡镇核实日期"))
    household_agreed = models.BooleanField(_("贫困户认可"))
    notice_start = models.DateField(_("公示开始"))
    notice_end = models.DateField(_("公示结束"))
    objections = models.TextField(_("公示异议"), blank=True)
    announced_date = models.DateField(_("公告日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("脱贫记录")
        verbose_name_plural = _("脱贫记录")

    def __str__(self) -> str:
        return f"{self.household.number} {self.year}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportBatch(models.Model):
    """One registry import: who, which file, into which jurisdiction, and how every row ended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("导入范围"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=200)
    stored_file = models.CharField(max_length=300, blank=True)
    dry_run = models.BooleanField(_("仅检查不导入"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    report_file = models.CharField(max_length=300, blank=True)
    message = models.TextField(blank=True)
    # Rows accepted (or not) whose ID number has a birthplace code that is not a current Henan
    # division: [{"code", "count", "rows": first row numbers}], most rows first (the error
    # report lists every row).
    birthplace_warnings = models.JSONField(_("出生地代码提示"), default=list, blank=True)
    progress = models.ForeignKey(
        "core.TaskProgress", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set by the running import every little while: a running batch whose heartbeat stopped
    # belongs to a process that died (see importer.services.imports_mark_interrupted).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def summary(self) -> str:
        return (
            f"rows {self.rows}: created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )


class DuplicateQuerySet(ScopedQuerySet):
    def visible_to(self, actor, perm: str | None = None):  # type: ignore[override]
        """A pair is the business of both offices when its two persons live apart."""
        prefixes = jurisdiction(actor, perm or self.scope_perm)
        if not prefixes:
            return self.none()
        return self.filter(prefixes_q("region_id", prefixes) | prefixes_q("region_b_id", prefixes))

    def pending(self) -> DuplicateQuerySet:
        """Pairs nobody has decided yet."""
        return self.filter(status=DuplicateStatus.PENDING)


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("待核查")
    MERGED = "merged", _("已合并")
    DISTINCT = "distinct", _("确认为不同的人")


def keep_decided_pairs(collector, field, sub_objs, using):
    """A person leaving the registry takes their pending pairs along (nobody is left to
    compare); a decided pair keeps its decision with that person's side emptied, so a merge
    can be undone and a "distinct" holds when the person comes back."""
    pending = [c for c in sub_objs if c.status == DuplicateStatus.PENDING]
    decided = [c for c in sub_objs if c.status != DuplicateStatus.PENDING]
    if pending:
        models.CASCADE(collector, field, pending, using)
    if decided:
        models.SET_NULL(collector, field, decided, using)


class DuplicateCandidate(models.Model):
    """A pair of persons who may be the same human; person_a has the smaller id."""

    # Emptied (NULL) when the person is removed by a merge of this or another decided pair.
    person_a = models.ForeignKey(Person, on_delete=keep_decided_pairs, null=True, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=keep_decided_pairs, null=True, related_name="+")
    # The first person's region, for scoping; a pair across counties shows to both offices
    # through the second region as well.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_b = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("相似度"), max_digits=5, decimal_places=2)
    reasons = models.JSONField(_("理由"), default=list)
    # The `duplicates` rule set the score was given under.
    rules = models.ForeignKey(
        "core.RuleSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用规则版本"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(DuplicateQuerySet)()

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicate_pair"),
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="duplicate_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id}~{self.person_b_id}"


class MergeRecord(models.Model):
    """What a merge removed, kept whole so the merge can be undone."""

    # Only a pair whose merge was undone (pending again) can disappear; its record goes too.
    candidate = models.OneToOneField(
        DuplicateCandidate, on_delete=models.CASCADE, related_name="merge"
    )
    kept = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    removed_snapshot = models.JSONField()
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("合并记录")
        verbose_name_plural = _("合并记录")

    def __str__(self) -> str:
        return f"merge {self.candidate_id}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("待复核")
    RESOLVED = "resolved", _("已复核")
    WITHDRAWN = "withdrawn", _("情况已与标识相符")


class LeftBehindReviewQuerySet(ScopedQuerySet):
    def open(self) -> LeftBehindReviewQuerySet:
        """Reviews nobody has decided yet."""
        return self.filter(status=ReviewStatus.OPEN)


class LeftBehindReview(models.Model):
    """A confirmed left-behind flag that the household's facts no longer support: the township
    has to look again (confirm it, correct it or clear it). Opened by the flags refresh."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="flag_reviews")
    # The person's region when the review was opened, for scoping (kept in step on moves).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    confirmed = models.CharField(_("已核实的标识"), max_length=8, choices=LeftBehind.choices)
    suggested = models.CharField(_("按现有信息应为"), max_length=8, choices=LeftBehind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    opened_on = models.DateField(_("发现日期"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager.from_queryset(LeftBehindReviewQuerySet)()

    class Meta:
        verbose_name = _("留守标识复核")
        verbose_name_plural = _("留守标识复核")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="open"),
                name="flag_review_one_open_per_person",
            ),
        ]
        indexes = [models.Index(fields=["region", "status"], name="flag_review_region_status")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.confirmed}→{self.suggested}"
