"""Dibao (最低生活保障) and special hardship (特困人员救助供养) with social work in verification.

An `Application` on a registry household goes through the statutory procedure (accepted →
investigating → on notice → at the county → approved or refused), each step a row of
`ApplicationStep` naming the rule-set version in force on its day. Its investigation is made of
home visits, neighbour interviews, evidence, co-resident members (chosen from the registry
household, with who is excluded and why), income by source, assets, deductions, data matching
and, where held, a democratic review. An approval creates an `Award` (the Dibao or support in
force) holding a snapshot of the household as decided; reviews, job refusals, monthly payment
lines and monitoring alerts hang on it. Standards and a county's own choices (amount method,
bands, democratic review on every case) are data entered by the county or the province.

Every row carries the region of its household (its village), so the jurisdiction ranges apply
directly; a third-party agency sees only the samples of its contract (`scoping`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.models import Region, RuleSet
from shegong.core.roles import Perm
from shegong.core.scoping import ScopedManager, ScopedQuerySet


class DibaoQuerySet(ScopedQuerySet):
    """Dibao rows: within the region range of memberships whose role may see Dibao."""

    scope_perm = Perm.VIEW_DIBAO


class CheckContractQuerySet(ScopedQuerySet):
    def visible_to(self, actor: Any, perm: str | None = None) -> Any:
        from .scoping import check_scope_q

        return self.filter(check_scope_q(actor, ""))


class CheckSampleQuerySet(ScopedQuerySet):
    def visible_to(self, actor: Any, perm: str | None = None) -> Any:
        from .scoping import check_scope_q

        return self.filter(check_scope_q(actor, "contract__"))


class Programme(models.TextChoices):
    DIBAO = "dibao", _("最低生活保障")
    HARDSHIP = "hardship", _("特困人员救助供养")


class Area(models.TextChoices):
    URBAN = "urban", _("城市")
    RURAL = "rural", _("农村")


class AmountMethod(models.TextChoices):
    GAP = "gap", _("补差(标准减人均收入)")
    BANDS = "bands", _("分档")


class Channel(models.TextChoices):
    WRITTEN = "written", _("书面申请")
    ONLINE = "online", _("网上申请")


class AppliedBy(models.TextChoices):
    HOUSEHOLD = "household", _("申请人本人或家庭成员")
    VILLAGE = "village", _("村(居)民委员会代为申请")
    OTHER = "other", _("他人受委托代为申请")


class Stage(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    INVESTIGATING = "investigating", _("调查核实")
    NOTICE = "notice", _("初审公示")
    OBJECTION = "objection", _("异议复查")
    COUNTY = "county", _("县级审核确认")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STAGES = (Stage.ACCEPTED, Stage.INVESTIGATING, Stage.NOTICE, Stage.OBJECTION, Stage.COUNTY)


class Opinion(models.TextChoices):
    APPROVE = "approve", _("同意")
    REFUSE = "refuse", _("不同意")


class Exclusion(models.TextChoices):
    """Why a member of the registry household is not counted as co-resident (DOMAIN.md)."""

    NONE = "", _("计入共同生活家庭成员")
    CLERGY = "clergy", _("连续三年以上脱离家庭在宗教场所居住的宗教教职人员")
    PRISON = "prison", _("在监狱服刑或强制隔离戒毒")
    MISSING = "missing", _("宣告失踪")
    NOT_CO_RESIDENT = "not_co_resident", _("不属于共同生活的家庭成员(如已成年独立生活的子女)")


class IncomeSource(models.TextChoices):
    WAGES = "wages", _("工资性收入")
    BUSINESS = "business", _("家庭经营净收入")
    PROPERTY = "property", _("财产净收入")
    TRANSFER = "transfer", _("转移净收入")
    # Not counted (DOMAIN.md: excluded kinds).
    MERIT = "merit", _("优待抚恤金(不计入)")
    FAMILY_PLANNING = "family_planning", _("计划生育奖励与扶助金(不计入)")
    SCHOLARSHIP = "scholarship", _("奖学金、助学金(不计入)")
    ASSISTANCE = "assistance", _("社会救助金(不计入)")
    BASIC_PENSION = "basic_pension", _("基础养老金中央补助部分(不计入)")


EXCLUDED_INCOME = frozenset(
    {
        IncomeSource.MERIT,
        IncomeSource.FAMILY_PLANNING,
        IncomeSource.SCHOLARSHIP,
        IncomeSource.ASSISTANCE,
        IncomeSource.BASIC_PENSION,
    }
)


class AssetKind(models.TextChoices):
    DEPOSITS = "deposits", _("存款")
    SECURITIES = "securities", _("有价证券")
    FUNDS = "funds", _("基金")
    INSURANCE = "insurance", _("商业保险")
    RECEIVABLES = "receivables", _("债权")
    INTERNET_FINANCE = "internet_finance", _("互联网金融资产")
    VEHICLE = "vehicle", _("机动车辆")
    PROPERTY = "property", _("房屋")
    OTHER = "other", _("其他")


class AwardStatus(models.TextChoices):
    ACTIVE = "active", _("保障中")
    GRADUAL_EXIT = "gradual_exit", _("渐退期")
    SUSPENDED = "suspended", _("暂停")
    TERMINATED = "terminated", _("已停保")


PAYING = (AwardStatus.ACTIVE, AwardStatus.GRADUAL_EXIT)


class ReviewSchedule(models.TextChoices):
    STABLE = "stable", _("家庭状况变化不大:每年一次")
    IRREGULAR = "irregular", _("收入不固定且有劳动能力成员:每半年一次")
    A = "a", _("A 类:每年一次")
    B = "b", _("B 类:每年一次")
    C_TOWN = "c_town", _("C 类(城镇):每季度一次")
    C_VILLAGE = "c_village", _("C 类(农村):每半年一次")


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("继续保障")
    ADJUST = "adjust", _("调整保障金额")
    SUSPEND = "suspend", _("暂停发放")
    TERMINATE = "terminate", _("停止保障")


class CareTier(models.TextChoices):
    SELF = "self", _("具备生活自理能力")
    PARTIAL = "partial", _("部分丧失生活自理能力")
    FULL = "full", _("完全丧失生活自理能力")


class SupportMode(models.TextChoices):
    HOME = "home", _("分散供养")
    INSTITUTION = "institution", _("集中供养")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    CLOSED = "closed", _("已处理")


class Verdict(models.TextChoices):
    RIGHT = "right", _("认定准确")
    WRONGLY_INCLUDED = "wrongly_included", _("错保(不应纳入)")
    WRONGLY_EXCLUDED = "wrongly_excluded", _("漏保(应纳入未纳入)")
    AMOUNT = "amount", _("金额有误")


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FINAL = "final", _("已确认")


# --- standards and a county's choices ---------------------------------------------------------


class Standard(models.Model):
    """A county's Dibao standard for urban or rural residents from `valid_from`, with the
    special-hardship basic standard and the care standards per tier (yuan per person per month).
    Rows are never changed: a new standard is a new row from a later date."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("县(市、区)"))
    area = models.CharField(_("城乡"), max_length=8, choices=Area.choices)
    valid_from = models.DateField(_("执行日期"))
    monthly = models.DecimalField(_("低保标准(元/人·月)"), max_digits=12, decimal_places=2)
    yearly = models.DecimalField(_("低保标准(元/人·年)"), max_digits=12, decimal_places=2)
    hardship_basic = models.DecimalField(
        _("特困人员基本生活标准(元/人·月)"), max_digits=12, decimal_places=2
    )
    care_self = models.DecimalField(
        _("照料护理标准:生活自理(元/人·月)"), max_digits=12, decimal_places=2
    )
    care_partial = models.DecimalField(
        _("照料护理标准:部分失能(元/人·月)"), max_digits=12, decimal_places=2
    )
    care_full = models.DecimalField(
        _("照料护理标准:完全失能(元/人·月)"), max_digits=12, decimal_places=2
    )
    note = models.CharField(_("依据"), max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("保障标准")
        verbose_name_plural = _("保障标准")
        ordering = ["region", "area", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "area", "valid_from"], name="dibao_standard_from"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.get_area_display()} {self.valid_from}"


class CountyPolicy(models.Model):
    """What a county decides for itself: how amounts are set (gap or bands, with the bands),
    whether a democratic review is held on every case (the 2012-era practice), and which review
    schedule it follows (the 2021 national one or Henan's A/B/C)."""

    region = models.OneToOneField(
        Region, on_delete=models.PROTECT, primary_key=True, verbose_name=_("县(市、区)")
    )
    amount_method = models.CharField(
        _("保障金计算方式"), max_length=8, choices=AmountMethod.choices, default=AmountMethod.GAP
    )
    # [{"below": "100.00", "amount": "300.00"}, ...]: per-person monthly income below `below`
    # → `amount` per person per month; ordered by `below`.
    bands = models.JSONField(_("分档标准"), default=list, blank=True)
    review_every_case = models.BooleanField(_("每个申请都进行民主评议"), default=False)
    abc_schedule = models.BooleanField(_("按 A/B/C 分类确定复核周期"), default=False)
    # Non-exempt assets per counted member above this are "above the local limit"; not set:
    # the limit is checked by the investigators alone.
    asset_limit_per_person = models.DecimalField(
        _("家庭财产限额(元/人)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("县级低保政策")
        verbose_name_plural = _("县级低保政策")

    def __str__(self) -> str:
        return str(self.region_id)


# --- the application --------------------------------------------------------------------------


class Application(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("所在区划"))
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="dibao_applications",
        verbose_name=_("户"),
    )
    applicant = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="dibao_applications",
        verbose_name=_("申请人"),
    )
    number = models.CharField(_("申请编号"), max_length=32, unique=True)
    programme = models.CharField(_("救助类别"), max_length=10, choices=Programme.choices)
    area = models.CharField(_("城乡"), max_length=8, choices=Area.choices, default=Area.RURAL)
    applies_alone = models.BooleanField(_("单独提出申请"), default=False)
    alone_reason = models.CharField(_("单独申请的理由"), max_length=200, blank=True)
    channel = models.CharField(_("申请方式"), max_length=8, choices=Channel.choices)
    applied_by = models.CharField(_("申请人类型"), max_length=10, choices=AppliedBy.choices)
    authorisation = models.CharField(_("委托书或代为申请说明"), max_length=200, blank=True)
    consent_data_matching = models.BooleanField(_("同意核对家庭经济状况"), default=False)
    separately_registered = models.BooleanField(
        _("单独登记备案(近亲属为经办人员或村干部)"), default=False
    )
    relation_to_staff = models.CharField(_("与经办人员或村干部的关系"), max_length=200, blank=True)
    complaint = models.BooleanField(_("有投诉举报"), default=False)
    reasons = models.TextField(_("申请理由"))
    accepted_on = models.DateField(_("受理日期"))
    materials_missing = models.TextField(_("需补齐的材料"), blank=True)
    materials_complete_on = models.DateField(_("材料齐全日期"), null=True, blank=True)
    stage = models.CharField(
        _("办理环节"), max_length=16, choices=Stage.choices, default=Stage.ACCEPTED, db_index=True
    )
    investigation_started_on = models.DateField(_("启动调查日期"), null=True, blank=True)
    form_signed_on = models.DateField(_("核查表签字日期"), null=True, blank=True)
    matching_requested_on = models.DateField(_("申请信息核对日期"), null=True, blank=True)
    matching_result_on = models.DateField(_("核对结果日期"), null=True, blank=True)
    matching_findings = models.TextField(_("核对结果"), blank=True)
    matching_assets_flagged = models.BooleanField(_("核对发现财产超标线索"), default=False)
    opinion = models.CharField(_("初审意见"), max_length=8, choices=Opinion.choices, blank=True)
    opinion_on = models.DateField(_("初审日期"), null=True, blank=True)
    opinion_reasons = models.TextField(_("初审理由"), blank=True)
    proposed_amount = models.DecimalField(
        _("拟保障金额(元/月)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_to = models.DateField(_("公示结束"), null=True, blank=True)
    objection_note = models.TextField(_("异议内容"), blank=True)
    objection_on = models.DateField(_("异议日期"), null=True, blank=True)
    county_received_on = models.DateField(_("县级收到材料日期"), null=True, blank=True)
    county_visit_on = models.DateField(_("县级入户核查日期"), null=True, blank=True)
    spot_check = models.BooleanField(_("抽中县级入户抽查"), default=False)
    decided_on = models.DateField(_("审核确认日期"), null=True, blank=True)
    amount = models.DecimalField(
        _("保障金额(元/月)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    payment_from = models.DateField(_("发放起始月"), null=True, blank=True)
    refusal_reasons = models.TextField(_("不予批准理由"), blank=True)
    notified_on = models.DateField(_("书面告知日期"), null=True, blank=True)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    extension_reason = models.CharField(_("延长办理期限的理由"), max_length=200, blank=True)
    # Special hardship: the care tier, the support mode and the checked conditions.
    care_tier = models.CharField(
        _("生活自理能力"), max_length=8, choices=CareTier.choices, blank=True
    )
    support_mode = models.CharField(
        _("供养方式"), max_length=12, choices=SupportMode.choices, blank=True
    )
    # The social worker's needs and capacity assessment (casework) attached to the application.
    assessment = models.ForeignKey(
        "casework.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("社工需求与能力评估"),
    )
    assessment_note = models.TextField(_("社工评估意见"), blank=True)
    supporters = models.TextField(_("法定赡养、抚养、扶养义务人及其履行能力"), blank=True)
    supporter_able = models.BooleanField(_("有义务人且其有履行能力"), null=True, blank=True)
    rules = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理时的规则版本")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("低保特困申请")
        verbose_name_plural = _("低保特困申请")
        indexes = [
            models.Index(fields=["region", "stage"], name="dibao_app_region_stage"),
            models.Index(fields=["household", "stage"], name="dibao_app_household_stage"),
        ]
        constraints = [
            # One open application per household and programme: a second one would be decided
            # twice and paid twice.
            models.UniqueConstraint(
                fields=["household", "programme"],
                condition=models.Q(stage__in=[s.value for s in OPEN_STAGES]),
                name="dibao_one_open_application",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class ApplicationStep(models.Model):
    """One step of the procedure as it happened: when, by whom, under which rule version, and
    when it was due. Never changed."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    step = models.CharField(_("环节"), max_length=32)
    on = models.DateField(_("日期"))
    due = models.DateField(_("期限"), null=True, blank=True)
    late = models.BooleanField(_("逾期"), default=False)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    rules = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("办理环节记录")
        verbose_name_plural = _("办理环节记录")
        ordering = ["application", "at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.step} {self.on}"


class HomeVisit(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="visits")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    by_county = models.BooleanField(_("县级入户核查"), default=False)
    visited_on = models.DateField(_("入户日期"))
    investigators = models.JSONField(_("调查人员"), default=list)
    members_present = models.CharField(_("在场家庭成员"), max_length=200)
    remote = models.BooleanField(_("电话或视频入户"), default=False)
    emergency = models.CharField(_("紧急状态说明(远程入户时)"), max_length=200, blank=True)
    findings = models.TextField(_("入户情况"))
    signed = models.BooleanField(_("调查人员和在场成员已签字"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")
        ordering = ["application", "visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.visited_on}"


class Interview(models.Model):
    """A neighbour interview (邻里访问) or a letter for evidence (信函索证)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="interviews"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    on = models.DateField(_("日期"))
    who = models.CharField(_("访问对象(姓名、关系)"), max_length=100)
    said = models.TextField(_("了解到的情况"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("邻里访问")
        verbose_name_plural = _("邻里访问")
        ordering = ["application", "on", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.who}"


class Evidence(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="evidence")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    description = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("附件"), upload_to="dibao/evidence/%Y/%m/", blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return self.description


class Member(models.Model):
    """A member of the registry household as this application counts them: co-resident or
    excluded, and why. Chosen from the household when the investigation starts."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="members")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    exclusion = models.CharField(
        _("是否计入"), max_length=16, choices=Exclusion.choices, blank=True, default=""
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # Special hardship: the six-item self-care check (True = manages alone).
    able_to_work = models.BooleanField(_("有劳动能力"), null=True, blank=True)
    disability_kind = models.CharField(_("残疾类别"), max_length=16, blank=True)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("家庭成员认定")
        verbose_name_plural = _("家庭成员认定")
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "person"], name="dibao_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.person_id}"

    @property
    def counted(self) -> bool:
        return not self.exclusion


class Income(models.Model):
    """One source of income of the co-resident household, per year (yuan)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="incomes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("收入类别"), max_length=16, choices=IncomeSource.choices)
    yearly = models.DecimalField(_("年收入(元)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("家庭收入")
        verbose_name_plural = _("家庭收入")
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.yearly}"


class Asset(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="assets")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    kind = models.CharField(_("财产类别"), max_length=16, choices=AssetKind.choices)
    value = models.DecimalField(_("价值(元)"), max_digits=12, decimal_places=2)
    exempt = models.BooleanField(_("按规定不计入(如唯一住房、生产用车)"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("家庭财产")
        verbose_name_plural = _("家庭财产")
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Deduction(models.Model):
    """Rigid costs of illness or disability deducted from income, per year."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="deductions"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    description = models.CharField(_("刚性支出"), max_length=200)
    yearly = models.DecimalField(_("年支出(元)"), max_digits=12, decimal_places=2)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("刚性支出扣减")
        verbose_name_plural = _("刚性支出扣减")
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return f"{self.description} {self.yearly}"


class DemocraticReview(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="democratic_reviews"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    held_on = models.DateField(_("评议日期"))
    members = models.PositiveIntegerField(_("评议小组成员数"))
    present = models.PositiveIntegerField(_("到会人数"))
    in_favour = models.PositiveIntegerField(_("同意票"))
    against = models.PositiveIntegerField(_("不同意票"))
    record = models.TextField(_("评议记录"))
    valid = models.BooleanField(_("评议有效"))
    passed = models.BooleanField(_("评议通过"))
    rules = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        ordering = ["application", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.held_on}"


class SelfCareCheck(models.Model):
    """The six-item self-care check of a special-hardship person: True = manages alone."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="care_checks"
    )
    award = models.ForeignKey(
        "Award", on_delete=models.PROTECT, null=True, blank=True, related_name="care_checks"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("评估日期"))
    eating = models.BooleanField(_("自主吃饭"))
    dressing = models.BooleanField(_("自主穿衣"))
    transfer = models.BooleanField(_("自主上下床"))
    toileting = models.BooleanField(_("自主如厕"))
    walking = models.BooleanField(_("室内行走"))
    bathing = models.BooleanField(_("自主洗澡"))
    tier = models.CharField(_("生活自理能力"), max_length=8, choices=CareTier.choices)
    change_reported_on = models.DateField(_("报告变化日期"), null=True, blank=True)
    rules = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("生活自理能力评估")
        verbose_name_plural = _("生活自理能力评估")
        ordering = ["person", "-checked_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.checked_on} {self.tier}"


# --- after approval ---------------------------------------------------------------------------


class Award(models.Model):
    """Dibao or special-hardship support in force for a household, from the decision that
    granted it. `snapshot` is the household as decided (members counted, incomes, standard,
    amount); later registry edits never change it."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("所在区划"))
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="dibao_awards"
    )
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    programme = models.CharField(_("救助类别"), max_length=10, choices=Programme.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=AwardStatus.choices, default=AwardStatus.ACTIVE
    )
    amount = models.DecimalField(_("保障金额(元/月)"), max_digits=12, decimal_places=2)
    members = models.PositiveSmallIntegerField(_("保障人数"))
    payment_from = models.DateField(_("发放起始月"))
    payment_to = models.DateField(_("发放截止月"), null=True, blank=True)
    schedule = models.CharField(_("复核周期"), max_length=12, choices=ReviewSchedule.choices)
    next_review_on = models.DateField(_("下次复核日期"), db_index=True)
    gradual_exit_to = models.DateField(_("渐退期至"), null=True, blank=True)
    care_tier = models.CharField(
        _("生活自理能力"), max_length=8, choices=CareTier.choices, blank=True
    )
    support_mode = models.CharField(
        _("供养方式"), max_length=12, choices=SupportMode.choices, blank=True
    )
    snapshot = models.JSONField(_("审批时的家庭情况"))
    rules = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("保障对象")
        verbose_name_plural = _("保障对象")
        indexes = [
            models.Index(fields=["region", "status"], name="dibao_award_region_status"),
            models.Index(fields=["household", "status"], name="dibao_award_household"),
        ]

    def __str__(self) -> str:
        return self.application.number if self.application_id else str(self.pk)


class Review(models.Model):
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="reviews")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    reviewed_on = models.DateField(_("复核日期"))
    outcome = models.CharField(_("复核结果"), max_length=10, choices=ReviewOutcome.choices)
    reason = models.TextField(_("理由"))
    amount_before = models.DecimalField(_("原金额(元/月)"), max_digits=12, decimal_places=2)
    amount_after = models.DecimalField(_("新金额(元/月)"), max_digits=12, decimal_places=2)
    effective_from = models.DateField(_("生效月份"))
    snapshot = models.JSONField(_("复核时的家庭情况"))
    rules = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("复核")
        verbose_name_plural = _("复核")
        ordering = ["award", "-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.award_id} {self.reviewed_on} {self.outcome}"


class JobRefusal(models.Model):
    """A suitable job offered to a member able to work, and whether they took it."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="job_offers")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    offered_on = models.DateField(_("推荐日期"))
    job = models.CharField(_("推荐岗位"), max_length=200)
    refused = models.BooleanField(_("无正当理由拒绝"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("就业推荐")
        verbose_name_plural = _("就业推荐")
        ordering = ["award", "person", "offered_on", "id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.offered_on} {self.job}"


class PaymentList(models.Model):
    """A county's payment list for one month (`month` is its first day)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("县(市、区)"))
    month = models.DateField(_("发放月份"))
    status = models.CharField(
        _("状态"), max_length=8, choices=ListStatus.choices, default=ListStatus.DRAFT
    )
    households = models.PositiveIntegerField(_("户数"), default=0)
    persons = models.PositiveIntegerField(_("人数"), default=0)
    total = models.DecimalField(_("合计金额(元)"), default=0, max_digits=16, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("发放名册")
        verbose_name_plural = _("发放名册")
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="dibao_list_county_month"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m}"


class PaymentLine(models.Model):
    """One household's payment in a month: never two for the same household in a month,
    anywhere in the province (the constraint), nor for the same person (`PaymentPerson`)."""

    payment_list = models.ForeignKey(PaymentList, on_delete=models.CASCADE, related_name="lines")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    month = models.DateField()
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payments")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("金额(元)"), max_digits=12, decimal_places=2)
    members = models.PositiveSmallIntegerField(_("人数"))
    snapshot = models.JSONField(_("发放时的家庭情况"))

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        ordering = ["payment_list", "id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "household"], name="dibao_pay_household_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.household_id}"


class PaymentPerson(models.Model):
    line = models.ForeignKey(PaymentLine, on_delete=models.CASCADE, related_name="persons")
    month = models.DateField()
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "person"], name="dibao_pay_person_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.person_id}"


class Alert(models.Model):
    """One finding of the monitoring run on a household, open until the township closes it with
    an outcome. Never two open for the same finding (the constraint)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("所在区划"))
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    rule = models.CharField(_("监测规则"), max_length=32)
    # What the finding is about, so one household can have two open findings of one rule
    # (two members newly away) but never the same one twice: "" or a person's id.
    subject = models.CharField(max_length=32, blank=True, default="")
    detail = models.CharField(_("发现情况"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    opened_on = models.DateField(_("发现日期"))
    closed_on = models.DateField(_("处理日期"), null=True, blank=True)
    outcome = models.TextField(_("处理结果"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rules = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager.from_queryset(DibaoQuerySet)()

    class Meta:
        verbose_name = _("动态监测预警")
        verbose_name_plural = _("动态监测预警")
        indexes = [models.Index(fields=["region", "status"], name="dibao_alert_region_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "rule", "subject"],
                condition=models.Q(status="open"),
                name="dibao_alert_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.rule}"


# --- third-party checks -----------------------------------------------------------------------


class CheckContract(models.Model):
    """An agency under contract to re-verify a sample of a county's decisions."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("县(市、区)"))
    organisation = models.ForeignKey(
        "workforce.Organisation", on_delete=models.PROTECT, verbose_name=_("第三方机构")
    )
    title = models.CharField(_("项目名称"), max_length=200)
    period_from = models.DateField(_("核查范围起"))
    period_to = models.DateField(_("核查范围止"))
    sample_percent = models.PositiveSmallIntegerField(_("抽样比例(%)"))
    strata = models.CharField(_("分层方式"), max_length=16, default="township")
    seed = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(CheckContractQuerySet)()

    class Meta:
        verbose_name = _("第三方核查项目")
        verbose_name_plural = _("第三方核查项目")

    def __str__(self) -> str:
        return self.title


class CheckSample(models.Model):
    contract = models.ForeignKey(CheckContract, on_delete=models.PROTECT, related_name="samples")
    region = models.ForeignKey(Region, on_delete=models.PROTECT)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(max_length=32)
    verdict = models.CharField(_("核查结论"), max_length=20, choices=Verdict.choices, blank=True)
    reasons = models.TextField(_("理由"), blank=True)
    checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    returned_on = models.DateField(_("反馈县级日期"), null=True, blank=True)

    objects = ScopedManager.from_queryset(CheckSampleQuerySet)()

    class Meta:
        verbose_name = _("核查样本")
        verbose_name_plural = _("核查样本")
        constraints = [
            models.UniqueConstraint(fields=["contract", "application"], name="dibao_sample_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.application_id}"
