"""The resource directory (资源名录): institutions and services a social worker links people to."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.models import Region
from shegong.core.regions import LEVEL_WIDTHS, prefix_of
from shegong.core.roles import Perm
from shegong.core.scoping import ScopedManager, ScopedQuerySet, jurisdiction, prefixes_q
from shegong.core.validators import PlainText


class InstitutionKind(models.TextChoices):
    """The policy's list of institutions to link, plus employment, health and education."""

    ELDERLY_WELFARE = "elderly_welfare", _("养老服务机构")
    DISABILITY = "disability", _("残疾人福利和服务机构")
    CHILD_WELFARE = "child_welfare", _("儿童福利机构")
    ADOPTION = "adoption", _("收养服务机构")
    WOMEN_CHILDREN_AID = "women_children_aid", _("妇女儿童援助机构")
    WORKER_ASSISTANCE = "worker_assistance", _("困难职工帮扶机构")
    MARRIAGE_FAMILY = "marriage_family", _("婚姻家庭服务机构")
    YOUTH = "youth", _("青少年服务机构")
    SOCIAL_ASSISTANCE = "social_assistance", _("社会救助管理机构")
    COMMUNITY = "community", _("街道(乡镇)和城乡社区")
    EMPLOYMENT = "employment", _("就业服务机构")
    HEALTH = "health", _("医疗卫生机构")
    EDUCATION = "education", _("教育机构")
    OTHER = "other", _("其他")


def ancestor_codes(prefix: str) -> list[str]:
    """Codes of the regions above a jurisdiction prefix ('411525' → Henan, 信阳市)."""
    return [prefix[:w].ljust(12, "0") for w in LEVEL_WIDTHS.values() if w < len(prefix)]


def reach_prefix(prefix: str) -> str:
    """The part of the map whose institutions reach a jurisdiction.

    Below county level that is the whole county: `Institution.serves` lets any institution of
    a county take referrals from anywhere in it, so a township sees its neighbours' centres.
    """
    return prefix[:6] if len(prefix) > LEVEL_WIDTHS["county"] else prefix


class InstitutionQuerySet(ScopedQuerySet):
    """Institutions; visibility follows the area an institution serves, not only where it sits."""

    scope_perm = Perm.VIEW_RESOURCES

    def visible_to(self, actor: Any, perm: str | None = None) -> InstitutionQuerySet:
        """Institutions inside the jurisdiction, plus those of the regions above it.

        A provincial or city institution is in every county's directory, since it serves them
        all; an institution of another county is not.
        """
        prefixes = jurisdiction(actor, perm or self.scope_perm)
        if not prefixes:
            return self.none()
        if "" in prefixes:  # the operator sees everything
            return self.all()
        reach = sorted({reach_prefix(p) for p in prefixes})
        above = sorted({code for p in reach for code in ancestor_codes(p)})
        return self.filter(prefixes_q("region_id", reach) | Q(region_id__in=above))

    def active(self) -> InstitutionQuerySet:
        """Institutions still taking referrals."""
        return self.filter(is_active=True)

    def serving(self, region_code: str) -> InstitutionQuerySet:
        """Institutions whose reach includes `region_code` (the same rule as `serves`)."""
        above = Q(region_id__in=[region_code, *ancestor_codes(prefix_of(region_code))])
        if region_code[:6] == "410000":  # a provincial code has no county to share
            return self.filter(above)
        return self.filter(above | prefixes_q("region_id", [region_code[:6]]))


class Institution(models.Model):
    """An institution or service a case can be referred to.

    Its region is the area it serves: a county institution serves the whole county, a
    provincial one the whole province (see `serves`).
    """

    name = models.CharField(_("机构名称"), max_length=200, validators=[PlainText("机构名称")])
    kind = models.CharField(_("类型"), max_length=32, choices=InstitutionKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("服务区域"))
    services = models.TextField(_("提供的服务"), blank=True)
    capacity = models.PositiveIntegerField(_("可接收人数"), null=True, blank=True)
    contact_person = models.CharField(
        _("联系人"), max_length=50, blank=True, validators=[PlainText("联系人")]
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(
        _("地址"), max_length=200, blank=True, validators=[PlainText("地址")]
    )
    opening_hours = models.CharField(_("服务时间"), max_length=100, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager.from_queryset(InstitutionQuerySet)()

    class Meta:
        verbose_name = _("资源机构")
        verbose_name_plural = _("资源机构")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["region", "kind"], name="institution_region_kind")]

    def __str__(self) -> str:
        return self.name

    def serves(self, region_code: str) -> bool:
        """Whether a person living in `region_code` is within this institution's reach.

        An institution reaches everything under its own region, and anywhere in its own
        county (a township's service centre takes referrals from the next township too).
        """
        own = prefix_of(self.region_id)
        return region_code.startswith(own) or region_code[:6] == self.region_id[:6] != "410000"
