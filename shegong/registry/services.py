"""Household changes (户情变更): every change to who belongs where, each with a reason,
audited, and keeping exactly one head per household at all times."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.idnumbers import parse_citizen_id
from shegong.core.models import Region
from shegong.core.roles import Perm
from shegong.core.rulesets import rules_for
from shegong.core.scoping import can
from shegong.core.services import check_version
from shegong.core.validators import invisible_problem

from .birthplaces import known_birthplaces
from .codes import PovertyStatus, Relation
from .models import Household, LeftBehindReview, Person, PovertyExit, ReviewStatus
from .names import name_initials
from .record_rules import cause_problems, person_problems
from .rules import ExitChecks, exit_problems, poverty_line_for
from .rulesets import LEFT_BEHIND, POVERTY_EXIT
from .services_flags import household_flags_refresh, with_flags

audit.register_actions(
    {
        "registry.person_add": gettext_lazy("添加家庭成员"),
        "registry.person_remove": gettext_lazy("减少家庭成员"),
        "registry.person_move": gettext_lazy("成员迁入其他户"),
        "registry.person_update": gettext_lazy("修改成员信息"),
        "registry.head_change": gettext_lazy("变更户主"),
        "registry.household_split": gettext_lazy("分户"),
        "registry.household_merge": gettext_lazy("合户"),
        "registry.household_update": gettext_lazy("修改户信息"),
        "registry.household_create": gettext_lazy("新识别建档"),
        "registry.household_exit": gettext_lazy("标记脱贫"),
        "registry.household_relapse_risk": gettext_lazy("标记返贫风险"),
    }
)

PERSON_FIELDS = [
    "household",
    "region",
    "name",
    "id_number",
    "sex",
    "birth_date",
    "ethnicity",
    "relation",
    "education",
    "in_school",
    "health",
    "disability_grade",
    "labour",
    "work_status",
    "months_away",
    "is_dibao",
    "phone",
    "left_behind",
]


def _require_edit(actor: Actor, household: Household) -> None:
    if not can(actor, Perm.EDIT_REGISTRY, household.region_id):
        raise PermissionDenied(_("您无权修改该户的建档立卡信息。"))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写变更原因。")})
    return reason


def _lock(household: Household) -> Household:
    return Household.objects.select_for_update().get(pk=household.pk)


def recount_members(household: Household) -> None:
    """Store the household's member count and bump its version (a step of each member change)."""
    Household.objects.filter(pk=household.pk).update(
        member_count=Person.objects.filter(household_id=household.pk).count(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )


def _check_one_head(household: Household) -> None:
    heads = Person.objects.filter(household_id=household.pk, relation=Relation.HEAD).count()
    members = Person.objects.filter(household_id=household.pk).count()
    if members and heads != 1:
        raise ValidationError(_("每户必须有且只有一位户主。"))


def _begin_change(actor: Actor, household: Household, version: int | None = None) -> Household:
    """Lock the household, check the actor may change it and that nobody changed it since."""
    household = _lock(household)
    _require_edit(actor, household)
    check_version(
        household, version, _("该户信息已被他人修改,请刷新页面后重新操作。您的修改尚未保存。")
    )
    return household


@transaction.atomic
def person_add(
    *,
    actor: Actor,
    household: Household,
    name: str,
    id_number: str,
    relation: str,
    reason: str,
    version: int | None = None,
    **fields: Any,
) -> Person:
    """Add a member (birth, marriage, return): the ID decides sex and birth date."""
    household = _begin_change(actor, household, version)
    reason = _require_reason(reason)
    if relation == Relation.HEAD:
        raise ValidationError({"relation": _("新增成员不能直接作为户主,请先添加再变更户主。")})
    try:
        ident = parse_citizen_id(id_number, known_region_codes=known_birthplaces())
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    if Person.objects.filter(id_number=ident.number).exists():
        raise ValidationError({"id_number": _("该证件号码已在建档立卡系统中登记,请使用“迁入”。")})
    _refuse(person_problems(**_person_rule_values(None, fields)))
    person = Person(
        household=household,
        region_id=household.region_id,
        name=name.strip(),
        name_initials=name_initials(name),
        id_number=ident.number,
        sex=ident.sex,
        birth_date=ident.birth_date,
        relation=relation,
        **fields,
    )
    person.full_clean()
    person.save()
    recount_members(household)
    flags = household_flags_refresh(household=household, today=today())
    audit.record(
        actor=actor,
        action="registry.person_add",
        target=household,
        changes=with_flags({"reason": reason, "person": person.name, "relation": relation}, flags),
    )
    person.refresh_from_db()
    person.entry_warnings = ident.warnings  # accepted: shown after the save
    return person


@transaction.atomic
def person_remove(*, actor: Actor, person: Person, reason: str) -> None:
    """Remove a member (death, marriage out, moved away). The full record goes to the audit
    trail, so nothing is lost."""
    household = _lock(person.household)
    _require_edit(actor, household)
    reason = _require_reason(reason)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.relation == Relation.HEAD and household.member_count > 1:
        raise ValidationError(_("不能直接减少户主,请先变更户主。"))
    snapshot = audit.snapshot(person, PERSON_FIELDS)
    person.delete()
    recount_members(household)
    flags = household_flags_refresh(household=household, today=today())
    audit.record(
        actor=actor,
        action="registry.person_remove",
        target=household,
        changes=with_flags({"reason": reason, "removed": snapshot}, flags),
    )


@transaction.atomic
def person_move(
    *, actor: Actor, person: Person, to_household: Household, relation: str, reason: str
) -> Person:
    """Move a member to another registered household (both must be in the actor's reach)."""
    source = _lock(person.household)
    target = _lock(to_household)
    _require_edit(actor, source)
    _require_edit(actor, target)
    reason = _require_reason(reason)
    if source.pk == target.pk:
        raise ValidationError({"to_household": _("迁入户与原户相同。")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.relation == Relation.HEAD and source.member_count > 1:
        raise ValidationError(_("不能直接迁出户主,请先变更户主。"))
    if relation == Relation.HEAD:
        raise ValidationError({"relation": _("迁入的成员不能直接作为户主,请迁入后再变更户主。")})
    person.household = target
    person.region_id = target.region_id
    person.relation = relation
    person.version = F("version") + 1
    person.save(update_fields=["household", "region", "relation", "version"])
    recount_members(source)
    recount_members(target)
    day = today()
    flags = household_flags_refresh(household=source, today=day)
    flags += household_flags_refresh(household=target, today=day)
    # One event for the one change, filed under the household the person joined; it names
    # both households, so the trail of either finds it by number.
    audit.record(
        actor=actor,
        action="registry.person_move",
        target=target,
        changes=with_flags(
            {
                "reason": reason,
                "person": person.name,
                "relation": relation,
                "from": source.number,
                "to": target.number,
            },
            flags,
        ),
    )
    person.refresh_from_db()
    return person


@transaction.atomic
def head_change(
    *,
    actor: Actor,
    household: Household,
    new_head: Person,
    old_head_relation: str,
    reason: str,
    version: int | None = None,
) -> Household:
    """Make another member the head; the old head takes the relation given."""
    household = _begin_change(actor, household, version)
    reason = _require_reason(reason)
    if new_head.household_id != household.pk:
        raise ValidationError({"new_head": _("新户主必须是本户成员。")})
    if old_head_relation == Relation.HEAD:
        raise ValidationError({"old_head_relation": _("请为原户主选择新的与户主关系。")})
    old = (
        Person.objects.select_for_update()
        .filter(household=household, relation=Relation.HEAD)
        .first()
    )
    if old is not None and old.pk == new_head.pk:
        raise ValidationError({"new_head": _("该成员已经是户主。")})
    if old is not None:
        Person.objects.filter(pk=old.pk).update(relation=old_head_relation)
    Person.objects.filter(pk=new_head.pk).update(relation=Relation.HEAD)
    _check_one_head(household)
    recount_members(household)
    flags = household_flags_refresh(household=household, today=today())
    audit.record(
        actor=actor,
        action="registry.head_change",
        target=household,
        changes=with_flags(
            {"reason": reason, "from": old.name if old else None, "to": new_head.name}, flags
        ),
    )
    household.refresh_from_db()
    return household


@transaction.atomic
def household_split(
    *,
    actor: Actor,
    household: Household,
    members: list[Person],
    new_number: str,
    new_head: Person,
    reason: str,
) -> Household:
    """Split some members off into a new household (分户) with its own number and head."""
    household = _begin_change(actor, household)
    reason = _require_reason(reason)
    new_number = new_number.strip()
    if not new_number:
        raise ValidationError({"new_number": _("请填写新户编号。")})
    if Household.objects.filter(number=new_number).exists():
        raise ValidationError({"new_number": _("该户编号已被使用。")})
    ids = {m.pk for m in members}
    if not ids or any(m.household_id != household.pk for m in members):
        raise ValidationError({"members": _("请选择本户中要分出的成员。")})
    if new_head.pk not in ids:
        raise ValidationError({"new_head": _("新户户主必须在分出的成员中。")})
    remaining = Person.objects.filter(household=household).exclude(pk__in=ids)
    if not remaining.exists():
        raise ValidationError({"members": _("分户后原户不能没有成员。")})
    if not remaining.filter(relation=Relation.HEAD).exists():
        raise ValidationError({"members": _("原户户主不能被分出,请先变更户主。")})
    new = Household.objects.create(
        number=new_number,
        region_id=household.region_id,
        address=household.address,
        household_type=household.household_type,
        poverty_status=household.poverty_status,
        year_identified=household.year_identified,
        main_cause=household.main_cause,
        secondary_causes=household.secondary_causes,
    )
    Person.objects.filter(pk__in=ids).exclude(pk=new_head.pk).update(
        household=new, relation=Relation.OTHER
    )
    Person.objects.filter(pk=new_head.pk).update(household=new, relation=Relation.HEAD)
    recount_members(household)
    recount_members(new)
    _check_one_head(household)
    _check_one_head(new)
    day = today()
    flags = household_flags_refresh(household=household, today=day)
    flags += household_flags_refresh(household=new, today=day)
    names = sorted(m.name for m in members)
    audit.record(
        actor=actor,
        action="registry.household_split",
        target=household,
        changes=with_flags(
            {"reason": reason, "from": household.number, "to": new.number, "members": names},
            flags,
        ),
    )
    return new


@transaction.atomic
def households_merge(*, actor: Actor, keep: Household, absorb: Household, reason: str) -> Household:
    """Merge a duplicate household into another (合户): its members join as non-heads; the
    emptied household's record is kept in the audit trail and then removed."""
    keep, absorb = _lock(keep), _lock(absorb)
    _require_edit(actor, keep)
    _require_edit(actor, absorb)
    reason = _require_reason(reason)
    if keep.pk == absorb.pk:
        raise ValidationError(_("不能与自身合户。"))
    moved = list(Person.objects.filter(household=absorb).values_list("name", flat=True))
    Person.objects.filter(household=absorb, relation=Relation.HEAD).update(relation=Relation.OTHER)
    Person.objects.filter(household=absorb).update(household=keep, region_id=keep.region_id)
    flags = household_flags_refresh(household=keep, today=today())
    snapshot = audit.snapshot(
        absorb, ["number", "region", "address", "household_type", "poverty_status", "main_cause"]
    )
    audit.record(
        actor=actor,
        action="registry.household_merge",
        target=keep,
        changes=with_flags({"reason": reason, "absorbed": snapshot, "members": moved}, flags),
    )
    PovertyExit.objects.filter(household=absorb).update(household=keep)
    absorb.delete()
    recount_members(keep)
    _check_one_head(keep)
    keep.refresh_from_db()
    return keep


def poverty_line(year: int, on: datetime.date | None = None) -> Decimal | None:
    """The poverty line of `year` in the `poverty_exit` rule set in force on `on` (today);
    None when that year has no line entered (never an earlier year's)."""
    return poverty_line_for(rules_for(POVERTY_EXIT, on or today()), year)


@transaction.atomic
def household_exit(
    *, actor: Actor, household: Household, year: int, checks: ExitChecks, version: int | None = None
) -> PovertyExit:
    """Mark a household out of poverty (脱贫) after the exit checks of the policy hold."""
    household = _begin_change(actor, household, version)
    if household.poverty_status == PovertyStatus.OUT:
        raise ValidationError(_("该户已标记为脱贫。"))
    day = today()
    rules = rules_for(POVERTY_EXIT, day)
    line = poverty_line_for(rules, year)
    if line is None:
        raise ValidationError(
            {
                "year": _(
                    "%(year)s 年的贫困线尚未录入,不能办理该年度的脱贫(不会借用往年的贫困线)。"
                    "请省民政厅管理员在“规则设置 › 脱贫标准”中录入该年度的贫困线。"
                )
                % {"year": year}
            }
        )
    problems = exit_problems(checks, line, notice_days=rules["notice_days"], today=day)
    if problems:
        raise ValidationError(problems)
    record = PovertyExit.objects.create(
        household=household,
        region_id=household.region_id,
        year=year,
        poverty_line=line,
        rules_id=rules.pk,
        recorded_by=actor,
        **checks.as_fields(),
    )
    before = audit.snapshot(household, ["poverty_status", "year_out"])
    Household.objects.filter(pk=household.pk).update(
        poverty_status=PovertyStatus.OUT,
        year_out=year,
        net_income_per_person=checks.net_income_per_person,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    household.refresh_from_db()
    audit.record(
        actor=actor,
        action="registry.household_exit",
        target=household,
        changes=audit.diff(before, audit.snapshot(household, ["poverty_status", "year_out"])),
    )
    return record


@transaction.atomic
def household_mark_relapse_risk(
    *, actor: Actor, household: Household, reason: str, version: int | None = None
) -> Household:
    household = _begin_change(actor, household, version)
    reason = _require_reason(reason)
    if household.poverty_status == PovertyStatus.RELAPSE_RISK:
        raise ValidationError(_("该户已标记为返贫风险。"))
    before = household.poverty_status
    Household.objects.filter(pk=household.pk).update(
        poverty_status=PovertyStatus.RELAPSE_RISK,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    household.refresh_from_db()
    audit.record(
        actor=actor,
        action="registry.household_relapse_risk",
        target=household,
        changes={"reason": reason, "poverty_status": [before, household.poverty_status]},
    )
    return household


def region_for_household(*, actor: Actor, code: str) -> Region:
    """A village or township the actor may register households in."""
    region = Region.objects.filter(code=code).first()
    if region is None or region.level not in ("village", "township"):
        raise ValidationError({"region": _("请选择村(社区)或乡镇(街道)。")})
    if not can(actor, Perm.EDIT_REGISTRY, region.code):
        raise ValidationError({"region": _("该区划不在您的管辖范围内。")})
    return region


def today() -> datetime.date:
    return timezone.localdate()


def household_derive_left_behind(*, household: Household) -> int:
    """Refresh the suggested left-behind flags of one household's unconfirmed members."""
    return left_behind_refresh(household_ids=[household.pk])


def left_behind_refresh(*, household_ids: Iterable[int], chunk: int = 2000) -> int:
    """Refresh the suggested left-behind flags of unconfirmed members of these households, a
    chunk at a time (one read and one bulk update per chunk); returns how many changed.
    Confirmed flags are a worker's decision and are left alone."""
    from .rules import MemberFacts, derive_left_behind

    fields = (
        "id",
        "household_id",
        "relation",
        "sex",
        "birth_date",
        "work_status",
        "months_away",
        "labour",
        "left_behind",
        "left_behind_confirmed",
        "health",
        "disability_grade",
    )
    changed = 0
    ids = sorted(set(household_ids))
    day = today()
    rules = rules_for(LEFT_BEHIND, day)
    for start in range(0, len(ids), chunk):
        members: dict[int, list[tuple]] = {}
        for row in Person.objects.filter(household_id__in=ids[start : start + chunk]).values_list(
            *fields
        ):
            members.setdefault(row[1], []).append(row)
        updates = []
        for rows in members.values():
            facts = [
                MemberFacts(
                    key=r[0],
                    relation=r[2],
                    sex=r[3],
                    birth_date=r[4],
                    work_status=r[5],
                    months_away=r[6],
                    labour=r[7],
                    health=r[10] or "healthy",
                    disability_grade=r[11],
                )
                for r in rows
            ]
            groups = derive_left_behind(facts, day, rules)
            updates += [
                Person(pk=r[0], left_behind=groups[r[0]])
                for r in rows
                if not r[9] and r[8] != groups[r[0]]
            ]
        Person.objects.bulk_update(updates, ["left_behind"], batch_size=1000)
        changed += len(updates)
    return changed


@transaction.atomic
def person_confirm_left_behind(*, actor: Actor, person: Person, group: str) -> Person:
    """A worker confirms (or corrects) a member's left-behind group after a visit."""
    from .codes import LeftBehind

    person = Person.objects.select_for_update().get(pk=person.pk)
    if not can(actor, Perm.CONFIRM_LEFT_BEHIND, person.region_id):
        raise PermissionDenied(_("您无权核实三留守信息。"))
    if group not in LeftBehind.values:
        raise ValidationError({"group": _("未知的三留守类别。")})
    before = audit.snapshot(person, ["left_behind", "left_behind_confirmed"])
    person.left_behind, person.left_behind_confirmed = group, True
    person.save(update_fields=["left_behind", "left_behind_confirmed"])
    changes: dict[str, Any] = {
        "person": person.name,
        **audit.diff(before, audit.snapshot(person, ["left_behind", "left_behind_confirmed"])),
    }
    # Confirming again, correcting or clearing settles the review the refresh opened.
    settled = LeftBehindReview.objects.filter(person=person, status=ReviewStatus.OPEN)
    review = settled.first()
    if review is not None:
        settled.update(status=ReviewStatus.RESOLVED, resolved_by=actor, resolved_at=timezone.now())
        changes["review"] = {"confirmed": review.confirmed, "suggested": review.suggested}
    audit.record(
        actor=actor, action="registry.person_update", target=person.household, changes=changes
    )
    return person


HOUSEHOLD_EDITABLE = [
    "address",
    "phone",
    "household_type",
    "year_identified",
    "main_cause",
    "secondary_causes",
    "income_wages",
    "income_business",
    "income_property",
    "income_transfer",
    "costs",
    "net_income_per_person",
    "housing_area",
    "housing_structure",
    "housing_safe",
    "water_safe",
    "has_electricity",
    "distance_to_town_km",
    "helper_name",
    "helper_phone",
]
PERSON_EDITABLE = [
    "name",
    "ethnicity",
    "education",
    "in_school",
    "health",
    "disability_grade",
    "labour",
    "work_status",
    "months_away",
    "is_dibao",
    "has_medical_insurance",
    "has_pension",
    "has_serious_illness_insurance",
    "phone",
]


def _refuse(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationError(problems)


CAUSE_FIELDS = ("main_cause", "secondary_causes")
PERSON_RULE_FIELDS = ("health", "disability_grade", "work_status", "months_away")


def _person_rule_values(person: Person | None, fields: dict[str, Any]) -> dict[str, Any]:
    """The four fields `person_problems` judges as they will be: given, else stored."""
    return {
        f: fields[f] if f in fields else (getattr(person, f) if person is not None else None)
        for f in PERSON_RULE_FIELDS
    }


@transaction.atomic
def household_create(
    *,
    actor: Actor,
    number: str,
    region: Region,
    head_name: str,
    head_id_number: str,
    reason: str = "新识别",
    **fields: Any,
) -> Household:
    """Register a new poor household with its head (新识别建档)."""
    if not can(actor, Perm.EDIT_REGISTRY, region.code):
        raise PermissionDenied(_("您无权在该区划建档。"))
    region = region_for_household(actor=actor, code=region.code)
    number = number.strip()
    if Household.objects.filter(number=number).exists():
        raise ValidationError({"number": _("该户编号已被使用。")})
    _refuse(cause_problems(fields.get("main_cause", ""), fields.get("secondary_causes")))
    # The head is saved without full_clean (the household is not saved yet): check the name here.
    if problem := invisible_problem("姓名", head_name):
        raise ValidationError({"head_name": problem})
    try:
        ident = parse_citizen_id(head_id_number, known_region_codes=known_birthplaces())
    except ValidationError as exc:
        raise ValidationError({"head_id_number": exc.messages}) from exc
    if Person.objects.filter(id_number=ident.number).exists():
        raise ValidationError({"head_id_number": _("该证件号码已在建档立卡系统中登记。")})
    household = Household(number=number, region=region, member_count=1, **fields)
    household.full_clean()
    household.save()
    Person.objects.create(
        household=household,
        region=region,
        name=head_name.strip(),
        name_initials=name_initials(head_name),
        id_number=ident.number,
        sex=ident.sex,
        birth_date=ident.birth_date,
        relation=Relation.HEAD,
    )
    audit.record(
        actor=actor,
        action="registry.household_create",
        target=household,
        changes={"reason": reason, "number": number, "head": head_name},
    )
    household.entry_warnings = ident.warnings  # the head's, accepted: shown after the save
    return household


@transaction.atomic
def household_update(
    *, actor: Actor, household: Household, version: int, **fields: Any
) -> Household:
    household = _begin_change(actor, household, version)
    unknown = set(fields) - set(HOUSEHOLD_EDITABLE)
    if unknown:
        raise ValidationError(_("这些字段不能在此修改:%(f)s") % {"f": "、".join(sorted(unknown))})
    # Only an edit of the causes answers for them: stored causes from before the rule (or from
    # an older import) do not block a change of the address (docs/decisions.md).
    if any(f in fields for f in CAUSE_FIELDS):
        _refuse(
            cause_problems(
                fields.get("main_cause", household.main_cause),
                fields.get("secondary_causes", household.secondary_causes),
            )
        )
    before = audit.snapshot(household, list(fields))
    for key, value in fields.items():
        setattr(household, key, value)
    household.full_clean()
    household.version = F("version") + 1
    household.updated_at = timezone.now()
    household.save()
    household.refresh_from_db()
    audit.record(
        actor=actor,
        action="registry.household_update",
        target=household,
        changes=audit.diff(before, audit.snapshot(household, list(fields))),
    )
    return household


@transaction.atomic
def person_update(*, actor: Actor, person: Person, version: int, **fields: Any) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not can(actor, Perm.EDIT_REGISTRY, person.region_id):
        raise PermissionDenied(_("您无权修改该人员信息。"))
    check_version(
        person, version, _("该人员信息已被他人修改,请刷新页面后重新编辑。您的修改尚未保存。")
    )
    unknown = set(fields) - set(PERSON_EDITABLE)
    if unknown:
        raise ValidationError(_("这些字段不能在此修改:%(f)s") % {"f": "、".join(sorted(unknown))})
    # As for causes: only an edit of these four fields answers for how they fit together.
    if any(f in fields for f in PERSON_RULE_FIELDS):
        _refuse(person_problems(**_person_rule_values(person, fields)))
    before = audit.snapshot(person, list(fields))
    for key, value in fields.items():
        setattr(person, key, value)
    if "name" in fields:
        person.name_initials = name_initials(person.name)
    person.full_clean()
    person.version = F("version") + 1
    person.updated_at = timezone.now()
    person.save()
    flags = household_flags_refresh(household=person.household, today=today())
    person.refresh_from_db()
    audit.record(
        actor=actor,
        action="registry.person_update",
        target=person.household,
        changes=with_flags(
            {"person": person.name, **audit.diff(before, audit.snapshot(person, list(fields)))},
            flags,
        ),
    )
    return person
