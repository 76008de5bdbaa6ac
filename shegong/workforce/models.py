from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.models import Region
from shegong.core.scoping import ScopedManager, ScopedQuerySet


class OrganisationKind(models.TextChoices):
    SOCIAL_WORK_AGENCY = "social_work_agency", _("社会工作服务机构")
    CHARITY = "charity", _("慈善组织")
    SOCIAL_GROUP = "social_group", _("社会团体")
    FOUNDATION = "foundation", _("基金会")
    VOLUNTEER_GROUP = "volunteer_group", _("志愿服务组织")
    INSTITUTION = "institution", _("事业单位")
    OTHER = "other", _("其他")


class Organisation(models.Model):
    """A social-work agency, charity or other body that staff belong to."""

    name = models.CharField(_("机构名称"), max_length=200)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True
    )
    kind = models.CharField(_("机构类型"), max_length=32, choices=OrganisationKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("登记区划"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    # Casework: whether a supervisor must approve service plans and closures of this agency.
    plans_need_approval = models.BooleanField(_("服务计划需督导审批"), default=False)
    closures_need_approval = models.BooleanField(_("结案需督导审批"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["region", "name"], name="org_region_name")]

    def __str__(self) -> str:
        return self.name


class SupervisionQuerySet(models.QuerySet):
    def current(self, on=None) -> SupervisionQuerySet:
        """Links in force on a day (today by default)."""
        on = on or timezone.localdate()
        return self.filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=on))

    def visible_to(self, actor: Any, perm: str | None = None) -> SupervisionQuerySet:
        """Links of the agencies the actor manages: an agency administrator their own agency,
        an office every agency registered in its region."""
        return self.filter(agency_q(actor, perm, "organisation__"))


def agency_q(actor: Any, perm: str | None, to_org: str = "") -> models.Q:
    """Agencies the actor acts for under `perm` (default: managing supervision): per
    membership, an agency-bound role its own agency in its region, an office every agency
    registered in its region. `to_org` is the path from the rows filtered to the agency."""
    from shegong.core.regions import prefix_of
    from shegong.core.roles import ORGANISATION_ROLES, Perm, role_has
    from shegong.core.scoping import memberships_of, prefixes_q

    nothing = models.Q(pk__in=[])
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return nothing
    if actor.is_superuser:
        return models.Q()
    perm = perm or Perm.MANAGE_SUPERVISION
    q = nothing
    for m in memberships_of(actor):
        if not role_has(m.role, perm):
            continue
        in_region = prefixes_q(f"{to_org}region_id", [prefix_of(m.region_id)])
        if m.role not in ORGANISATION_ROLES:
            q |= in_region
        elif m.organisation_id:
            q |= in_region & models.Q(**{f"{to_org}pk": m.organisation_id})
    return q


class Supervision(models.Model):
    """A supervisor (督导) assigned to a social worker of the same agency.

    Casework reads it to decide which cases a supervisor sees and approves; a link that has
    ended keeps its history but grants nothing.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="supervisions"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisees_links"
    )
    supervisee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisor_links"
    )
    started_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("督导关系")
        verbose_name_plural = _("督导关系")
        indexes = [models.Index(fields=["supervisor", "supervisee"], name="supervision_pair")]
        constraints = [
            # The service refuses a second open link; this holds it when two admins race.
            models.UniqueConstraint(
                fields=["supervisor", "supervisee"],
                condition=models.Q(ended_on__isnull=True),
                name="supervision_one_open_link",
            ),
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("supervisee")),
                name="supervision_not_self",
            ),
        ]

    # Set by supervision_assign when the supervisor is above the local norm (not stored).
    load_warning = ""

    def __str__(self) -> str:
        return f"{self.supervisor} → {self.supervisee}"
