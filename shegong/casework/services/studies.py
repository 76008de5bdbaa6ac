"""Case studies (经验总结): a closed case written up without names or IDs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.services import check_version

from .. import deidentify
from ..models import (
    Case,
    CaseStudy,
    CaseStudyStatus,
    ServiceType,
    Stage,
)
from .access import (
    may_work,
    required_text,
)

# --- case studies ----------------------------------------------------------------------------

STUDY_TEXT_FIELDS = ["title", "background", "process", "outcome", "reflection"]


def identifying_words(case: Case, texts: dict[str, str]) -> dict[str, list[deidentify.Finding]]:
    """{field: findings} for every field that still names something known about the case's
    household (see `casework.deidentify`), with the words as written."""
    household = case.household
    members = list(household.members.values_list("name", "id_number", "phone"))
    village = household.region.name if household.region.level == "village" else ""
    needles = deidentify.household_needles(
        names=[m[0] for m in members] + [household.helper_name or ""],
        id_numbers=[m[1] for m in members],
        phones=[m[2] for m in members] + [household.phone or "", household.helper_phone or ""],
        household_number=household.number or "",
        village=village,
        address=household.address or "",
    )
    found = {field: deidentify.find(text or "", needles) for field, text in texts.items()}
    return {field: words for field, words in found.items() if words}


def identifying_details(case: Case, texts: dict[str, str]) -> dict[str, str]:
    """{field: problem} for every field that still names a member, a number or a place of the
    household; the problem lists the words to change."""
    return {
        field: _("含有可识别个人身份的信息:{f},请删去或改用化名。").format(
            f=deidentify.describe(words)
        )
        for field, words in identifying_words(case, texts).items()
    }


@transaction.atomic
def study_save(
    *,
    actor: Actor,
    case: Case,
    study: CaseStudy | None = None,
    version: int | None = None,
    needs: list[str],
    service_types: list[str],
    **texts: str,
) -> CaseStudy:
    if study is None:
        if not may_work(actor, case):
            raise PermissionDenied(_("只有负责该个案的社工可以编写经验总结。"))
        if case.stage != Stage.CLOSED:
            raise ValidationError(_("个案结案后才能编写经验总结。"))
        study = CaseStudy(
            case=case, region_id=case.region_id, organisation_id=case.organisation_id, author=actor
        )
    else:
        study = CaseStudy.objects.select_for_update().get(pk=study.pk)
        if study.author_id != actor.pk:
            raise PermissionDenied(_("只有作者可以修改经验总结。"))
        check_version(study, version, _("该经验总结已被修改,请刷新页面。您填写的内容尚未保存。"))
        study.version += 1
    unknown = set(texts) - set(STUDY_TEXT_FIELDS)
    if unknown:
        raise ValidationError(_("未知字段:{f}").format(f="、".join(sorted(unknown))))
    for name in STUDY_TEXT_FIELDS:
        if name in texts:
            setattr(study, name, (texts[name] or "").strip())
    study.needs = list(needs)
    study.service_types = [s for s in service_types if s in ServiceType.values]
    for name in ("title", "background", "process", "outcome"):
        required_text(getattr(study, name), name, _("请填写此项。"))
    study.updated_at = timezone.now()
    if study.status == CaseStudyStatus.PUBLISHED:
        problems = identifying_details(case, {f: getattr(study, f) for f in STUDY_TEXT_FIELDS})
        if problems:
            raise ValidationError(problems)
    study.save()
    audit.record(
        actor=actor, action="casework.study_save", target=case, changes={"study": study.pk}
    )
    return study


@transaction.atomic
def study_publish(*, actor: Actor, study: CaseStudy, version: int | None) -> CaseStudy:
    study = CaseStudy.objects.select_for_update().select_related("case__household").get(pk=study.pk)
    if study.author_id != actor.pk:
        raise PermissionDenied(_("只有作者可以发布经验总结。"))
    check_version(study, version, _("该经验总结已被修改,请刷新页面。"))
    problems = identifying_details(study.case, {f: getattr(study, f) for f in STUDY_TEXT_FIELDS})
    if problems:
        raise ValidationError(problems)
    study.status = CaseStudyStatus.PUBLISHED
    study.published_at = timezone.now()
    study.version += 1
    study.save()
    audit.record(actor=actor, action="casework.study_publish", target=study.case, changes={})
    return study
