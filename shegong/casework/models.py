"""Casework (个案工作) after MZ/T 094-2017: a case moves intake → assessment → planning →
intervention → evaluation → closed, with a record at every stage.

Every row that belongs to a case carries the case's region, so the jurisdiction range applies
to it directly; who *within* the region may see it (agency, supervision, assignment) is decided
by `casework.scoping`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.models import Region
from shegong.core.scoping import ScopedManager, ScopedQuerySet

from .scoping import case_scope_q, task_scope_q


class Stage(models.TextChoices):
    INTAKE = "intake", _("接案")
    ASSESSMENT = "assessment", _("预估")
    PLANNING = "planning", _("计划")
    INTERVENTION = "intervention", _("介入")
    EVALUATION = "evaluation", _("评估")
    CLOSED = "closed", _("结案")


class CaseSource(models.TextChoices):
    OUTREACH = "outreach", _("主动发现")
    APPLICATION = "application", _("本人或家属求助")
    REFERRAL = "referral", _("部门或机构转介")
    REGISTRY = "registry", _("建档立卡派案")


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    HIGH = "high", _("优先")
    URGENT = "urgent", _("紧急")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("服务目标达成")
    REFERRED = "referred", _("已转介其他机构")
    DECLINED = "declined", _("服务对象不愿继续")
    MOVED = "moved", _("迁出服务区域")
    DECEASED = "deceased", _("服务对象死亡")
    OTHER = "other", _("其他")


class ServiceType(models.TextChoices):
    LIVING = "living", _("生活帮扶")
    COUNSELLING = "counselling", _("心理疏导")
    RESOURCE_LINKING = "resource_linking", _("资源链接")
    SKILLS = "skills", _("技能培养")
    INTEGRATION = "integration", _("社会融入")
    GUARDIANSHIP = "guardianship", _("监护指导")
    BEHAVIOUR = "behaviour", _("行为矫治")
    FAMILY_RELATIONS = "family_relations", _("家庭关系调适")


# Service types meant for children (shown when the case's person is under 18).
CHILD_SERVICE_TYPES = frozenset(
    {ServiceType.GUARDIANSHIP, ServiceType.BEHAVIOUR, ServiceType.FAMILY_RELATIONS}
)


class CaseQuerySet(ScopedQuerySet):
    def visible_to(self, actor: Any, perm: str | None = None) -> Any:
        return self.filter(case_scope_q(actor, ""))


class CaseRowQuerySet(ScopedQuerySet):
    """Rows that belong to a case: visible exactly when their case is."""

    def visible_to(self, actor: Any, perm: str | None = None) -> Any:
        return self.filter(case_scope_q(actor, "case__"))


class Case(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("所在区划"))
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="cases", verbose_name=_("户")
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("服务对象(个人)"),
    )
    organisation = models.ForeignKey(
        "workforce.Organisation", on_delete=models.PROTECT, verbose_name=_("承接机构")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("负责社工"),
    )
    stage = models.CharField(
        _("阶段"), max_length=16, choices=Stage.choices, default=Stage.INTAKE, db_index=True
    )
    source = models.CharField(_("案主来源"), max_length=16, choices=CaseSource.choices)
    priority = models.CharField(
        _("紧急程度"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    presenting_problem = models.TextField(_("求助问题"))
    consent = models.BooleanField(_("服务对象知情同意"), default=False)
    # Set while the client has withdrawn consent: no new services or referrals until it is
    # given again (consent_regain clears it; the case log keeps both events).
    consent_withdrawn_on = models.DateField(_("撤回同意日期"), null=True, blank=True)
    opened_on = models.DateField(_("接案日期"), default=timezone.localdate)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    closure_reason = models.CharField(
        _("结案原因"), max_length=16, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.TextField(_("结案说明"), blank=True)
    closure_pending = models.BooleanField(_("结案待督导审批"), default=False)
    times_reopened = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager.from_queryset(CaseQuerySet)()

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        indexes = [
            models.Index(fields=["region", "stage"], name="case_region_stage"),
            models.Index(fields=["worker", "stage"], name="case_worker_stage"),
            models.Index(fields=["organisation", "region"], name="case_org_region"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"GA{self.pk:08d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def consent_withdrawn(self) -> bool:
        return self.consent_withdrawn_on is not None


class CaseLogKind(models.TextChoices):
    OPENED = "opened", _("接案")
    STAGE = "stage", _("阶段变更")
    TRANSFER = "transfer", _("转案")
    REOPEN = "reopen", _("重新开案")
    PLAN_SUBMITTED = "plan_submitted", _("计划提交审批")
    PLAN_APPROVED = "plan_approved", _("计划审批通过")
    PLAN_RETURNED = "plan_returned", _("计划退回修改")
    CLOSURE_REQUESTED = "closure_requested", _("申请结案")
    CLOSURE_APPROVED = "closure_approved", _("结案审批通过")
    CLOSURE_RETURNED = "closure_returned", _("结案退回")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("服务对象撤回同意")
    CONSENT_REGAINED = "consent_regained", _("重新取得同意")


class CaseLog(models.Model):
    """The case's own history, shown on its page (the audit trail holds the same and more)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="log")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=CaseLogKind.choices)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(CaseRowQuerySet)()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "at"], name="caselog_case_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class AssessmentInstrument(models.Model):
    """A versioned needs-assessment form: domains, each scored 1 (严重困难) to 5 (良好).

    `domains` is a list of {"code", "label", "weight", "services": [service types]}. A new
    version is a new row; assessments keep pointing at the version they used.
    """

    name = models.CharField(_("评估量表"), max_length=100)
    version = models.PositiveSmallIntegerField(_("版本"))
    domains = models.JSONField(_("评估维度"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("需求评估量表")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="instrument_name_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", _("初次预估")
    REASSESSMENT = "reassessment", _("评估期复评")


class Assessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    instrument = models.ForeignKey(AssessmentInstrument, on_delete=models.PROTECT)
    kind = models.CharField(_("类型"), max_length=16, choices=AssessmentKind.choices)
    assessed_on = models.DateField(_("评估日期"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # {domain code: {"score": 1..5, "evidence": "..."}}
    scores = models.JSONField(_("各维度评分"))
    # The `assessment` rule set (need threshold) the scores were checked and ranked under.
    rules = models.ForeignKey(
        "core.RuleSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用规则版本"),
    )
    summary = models.TextField(_("评估小结"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(CaseRowQuerySet)()

    class Meta:
        ordering = ["assessed_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.assessed_on}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草拟中")
    PENDING = "pending", _("待督导审批")
    APPROVED = "approved", _("已生效")


class ServicePlan(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    summary = models.TextField(_("计划概要"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("审批意见"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager.from_queryset(CaseRowQuerySet)()

    class Meta:
        verbose_name = _("服务计划")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("服务计划") + f" #{self.pk}"


class Attainment(models.TextChoices):
    NOT_MET = "not_met", _("未达成")
    PARTLY = "partly", _("部分达成")
    MET = "met", _("达成")


class PlanGoal(models.Model):
    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="goals")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    need = models.CharField(_("对应需求"), max_length=32)
    description = models.CharField(_("目标"), max_length=300)
    measures = models.TextField(_("服务措施"))
    target_date = models.DateField(_("目标日期"))
    attainment = models.CharField(
        _("达成情况"), max_length=16, choices=Attainment.choices, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(CaseRowQuerySet)()

    class Meta:
        ordering = ["target_date", "id"]

    def __str__(self) -> str:
        return self.description


class AssigneeKind(models.TextChoices):
    WORKER = "worker", _("社工")
    VOLUNTEER = "volunteer", _("志愿者")
    PARTNER = "partner", _("合作机构")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    # Left open work at closure and given to someone outside the case (the reason says whom).
    HANDED_OVER = "handed_over", _("已移交")


class PlanTaskQuerySet(ScopedQuerySet):
    def visible_to(self, actor: Any, perm: str | None = None) -> Any:
        return self.filter(task_scope_q(actor))


class PlanTask(models.Model):
    """A piece of work in a plan. A volunteer sees only tasks given to them, without IDs."""

    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="tasks")
    goal = models.ForeignKey(
        PlanGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("任务"), max_length=200)
    detail = models.TextField(_("说明"), blank=True)
    assignee_kind = models.CharField(_("执行人类型"), max_length=16, choices=AssigneeKind.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_tasks",
        verbose_name=_("执行人"),
    )
    partner = models.ForeignKey(
        "resources.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("合作机构"),
    )
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    result = models.TextField(_("完成情况"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager.from_queryset(PlanTaskQuerySet)()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assignee", "status", "due_on"], name="task_assignee_due")]

    def __str__(self) -> str:
        return self.title


class ServiceRecord(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    service_type = models.CharField(_("服务类型"), max_length=24, choices=ServiceType.choices)
    served_on = models.DateField(_("服务日期"))
    duration_minutes = models.PositiveIntegerField(_("时长(分钟)"))
    place = models.CharField(_("地点"), max_length=100)
    people_present = models.CharField(_("在场人员"), max_length=200, blank=True)
    content = models.TextField(_("服务内容"))
    next_step = models.TextField(_("下一步"), blank=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(CaseRowQuerySet)()

    class Meta:
        verbose_name = _("服务记录")
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["case", "served_on"], name="service_case_date")]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} {self.served_on}"


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("已转介,待回复")
    ACCEPTED = "accepted", _("已接收")
    DECLINED = "declined", _("已拒绝")
    SERVED = "served", _("已服务")
    CANCELLED = "cancelled", _("已撤回")
    # Still open at closure; the institution carries on without the case (the reason says so).
    HANDED_OVER = "handed_over", _("结案移交")


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(
        "resources.Institution", on_delete=models.PROTECT, verbose_name=_("转介机构")
    )
    need = models.TextField(_("转介需求"))
    consent_on = models.DateField(_("服务对象同意日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    sent_on = models.DateField(_("转介日期"))
    # The date the next step is due: a reply while sent, the service while accepted.
    due_on = models.DateField(_("期限"), null=True, blank=True)
    # The `referral` rule set whose days gave `due_on`.
    rules = models.ForeignKey(
        "core.RuleSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用规则版本"),
    )
    # The first year the count of working days reached without a statutory calendar: the
    # deadline was estimated Monday to Friday there and says so on the page; None = exact.
    due_estimated_year = models.PositiveSmallIntegerField(null=True, blank=True)
    responded_on = models.DateField(_("回复日期"), null=True, blank=True)
    served_on = models.DateField(_("服务日期"), null=True, blank=True)
    decline_reason = models.TextField(_("拒绝原因"), blank=True)
    outcome = models.TextField(_("服务结果"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager.from_queryset(CaseRowQuerySet)()

    class Meta:
        verbose_name = _("转介")
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["status", "due_on"], name="referral_status_due")]

    def __str__(self) -> str:
        return f"{_('转介')} #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待回访")
    DONE = "done", _("已回访")
    CANCELLED = "cancelled", _("已取消")


class FollowUp(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("回访日期"))
    purpose = models.CharField(_("回访目的"), max_length=200)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    done_on = models.DateField(_("实际回访日期"), null=True, blank=True)
    note = models.TextField(_("回访记录"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager.from_queryset(CaseRowQuerySet)()

    class Meta:
        verbose_name = _("回访")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assigned_to", "status", "due_on"], name="followup_due"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.due_on}"


class Evaluation(models.Model):
    """The outcome of a case, recorded at the evaluation stage (one per round of work)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    evaluated_on = models.DateField(_("评估日期"))
    reassessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, related_name="+"
    )
    income_before = models.DecimalField(
        _("服务前家庭年人均纯收入(元)"), max_digits=10, decimal_places=2, null=True
    )
    income_after = models.DecimalField(
        _("服务后家庭年人均纯收入(元)"), max_digits=10, decimal_places=2, null=True
    )
    employed_before = models.PositiveSmallIntegerField(_("服务前就业人数"), null=True)
    employed_after = models.PositiveSmallIntegerField(_("服务后就业人数"), null=True)
    capability_before = models.DecimalField(
        _("服务前能力得分"), max_digits=4, decimal_places=2, null=True
    )
    capability_after = models.DecimalField(
        _("服务后能力得分"), max_digits=4, decimal_places=2, null=True
    )
    goals_met = models.PositiveSmallIntegerField(default=0)
    goals_total = models.PositiveSmallIntegerField(default=0)
    left_poverty = models.BooleanField(_("家庭已脱贫"), default=False)
    summary = models.TextField(_("评估结论"))
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(CaseRowQuerySet)()

    class Meta:
        verbose_name = _("结案评估")
        ordering = ["-evaluated_on", "-id"]

    def __str__(self) -> str:
        return f"{_('评估')} {self.evaluated_on}"


class ConfidentialNoteQuerySet(ScopedQuerySet):
    def visible_to(self, actor: Any, perm: str | None = None) -> Any:
        from .scoping import confidential_q

        return self.filter(confidential_q(actor, "case__"))


class ConfidentialNote(models.Model):
    """Only the case's worker and the worker's supervisor may read these."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("保密记录"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager.from_queryset(ConfidentialNoteQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{_('保密记录')} #{self.pk}"


class Reminder(models.Model):
    """A due or overdue item put on someone's home page by the reminder task (once a day)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)  # follow_up, task, referral
    object_id = models.PositiveBigIntegerField()
    due_on = models.DateField()
    message = models.CharField(max_length=300)
    created_on = models.DateField(default=timezone.localdate)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_id", "created_on"], name="reminder_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="reminder_user_unread")]

    def __str__(self) -> str:
        return self.message


class CaseStudyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class CaseStudyQuerySet(ScopedQuerySet):
    def visible_to(self, actor: Any, perm: str | None = None) -> Any:
        from .scoping import case_study_q

        return self.filter(case_study_q(actor))


class CaseStudy(models.Model):
    """A closed case written up without names or IDs, shared province-wide once published."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="studies")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "workforce.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    background = models.TextField(_("案例背景"))
    needs = models.JSONField(_("主要需求"), default=list)
    service_types = models.JSONField(_("服务类型"), default=list)
    process = models.TextField(_("服务过程"))
    outcome = models.TextField(_("服务成效"))
    reflection = models.TextField(_("经验与反思"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStudyStatus.choices, default=CaseStudyStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager.from_queryset(CaseStudyQuerySet)()

    class Meta:
        verbose_name = _("个案经验总结")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title
