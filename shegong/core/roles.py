"""Roles and what each may do.

What a user may *do* comes from the role; *where* comes from the membership's region. This
module is the single table of permissions: pure data, no ORM, so it can be read by someone who
knows the work and tested exhaustively.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("省民政厅管理员")
    CIVIL_AFFAIRS_OFFICER = "civil_affairs_officer", _("市/县民政局干部")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇(街道)经办人")
    CHILD_DIRECTOR = "child_director", _("儿童主任")
    CHILD_SUPERVISOR = "child_supervisor", _("儿童督导员")
    ORG_ADMIN = "org_admin", _("社工机构管理员")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    SUPERVISOR = "supervisor", _("督导")
    VOLUNTEER = "volunteer", _("志愿者")
    EVALUATOR = "evaluator", _("第三方评估人员")
    MANDATORY_REPORTER = "mandatory_reporter", _("强制报告责任主体")


# Roles whose membership must name an organisation.
ORGANISATION_ROLES = frozenset({Role.ORG_ADMIN, Role.SOCIAL_WORKER, Role.SUPERVISOR})


class Perm:
    """Permission codes. Each names an action someone who knows the work would recognise."""

    VIEW_REGIONS = "core.view_regions"
    DESIGNATE_REGIONS = "core.designate_regions"
    MANAGE_USERS = "core.manage_users"
    VIEW_AUDIT = "core.view_audit"
    MANAGE_CALENDAR = "core.manage_calendar"
    MANAGE_RULES = "core.manage_rules"
    REVEAL_ID_NUMBER = "core.reveal_id_number"
    VIEW_REGISTRY = "registry.view"
    EDIT_REGISTRY = "registry.edit"
    IMPORT_REGISTRY = "registry.import"
    EXPORT_REGISTRY = "registry.export"
    REVIEW_DUPLICATES = "registry.review_duplicates"
    CONFIRM_LEFT_BEHIND = "registry.confirm_left_behind"
    VIEW_ORGANISATIONS = "workforce.view_organisations"
    MANAGE_ORGANISATIONS = "workforce.manage_organisations"
    MANAGE_SUPERVISION = "workforce.manage_supervision"
    VIEW_CASES = "casework.view_cases"
    WORK_CASES = "casework.work_cases"
    ASSIGN_CASES = "casework.assign_cases"
    APPROVE_CASES = "casework.approve_cases"
    VIEW_TASKS = "casework.view_tasks"
    VIEW_CASE_STUDIES = "casework.view_case_studies"
    VIEW_RESOURCES = "resources.view"
    MANAGE_RESOURCES = "resources.manage"
    VIEW_DIBAO = "dibao.view"
    HANDLE_DIBAO = "dibao.handle"
    DECIDE_DIBAO = "dibao.decide"
    SET_DIBAO_STANDARDS = "dibao.standards"
    CHECK_DIBAO_SAMPLE = "dibao.check_sample"


_OFFICE = {Role.PROVINCE_ADMIN, Role.CIVIL_AFFAIRS_OFFICER}
_STAFF = _OFFICE | {
    Role.TOWNSHIP_OFFICER,
    Role.CHILD_DIRECTOR,
    Role.CHILD_SUPERVISOR,
    Role.ORG_ADMIN,
    Role.SOCIAL_WORKER,
    Role.SUPERVISOR,
}

PERMISSIONS: dict[str, frozenset[str]] = {
    Perm.VIEW_REGIONS: frozenset(_STAFF | {Role.EVALUATOR}),
    Perm.DESIGNATE_REGIONS: frozenset({Role.PROVINCE_ADMIN}),
    Perm.MANAGE_USERS: frozenset(_OFFICE | {Role.ORG_ADMIN}),
    Perm.VIEW_AUDIT: frozenset(_OFFICE),
    Perm.MANAGE_CALENDAR: frozenset({Role.PROVINCE_ADMIN}),
    # Rule sets (poverty lines, deadlines, thresholds, scores) hold for the whole province.
    Perm.MANAGE_RULES: frozenset({Role.PROVINCE_ADMIN}),
    Perm.REVEAL_ID_NUMBER: frozenset(_OFFICE | {Role.TOWNSHIP_OFFICER}),
    Perm.VIEW_REGISTRY: frozenset(_STAFF),
    Perm.EDIT_REGISTRY: frozenset(_OFFICE | {Role.TOWNSHIP_OFFICER}),
    Perm.IMPORT_REGISTRY: frozenset(_OFFICE | {Role.TOWNSHIP_OFFICER}),
    Perm.EXPORT_REGISTRY: frozenset(_OFFICE | {Role.TOWNSHIP_OFFICER}),
    Perm.REVIEW_DUPLICATES: frozenset(_OFFICE | {Role.TOWNSHIP_OFFICER}),
    Perm.CONFIRM_LEFT_BEHIND: frozenset(
        _OFFICE
        | {Role.TOWNSHIP_OFFICER, Role.CHILD_DIRECTOR, Role.CHILD_SUPERVISOR, Role.SOCIAL_WORKER}
    ),
    Perm.VIEW_ORGANISATIONS: frozenset(_STAFF | {Role.EVALUATOR}),
    Perm.MANAGE_ORGANISATIONS: frozenset(_OFFICE),
    # An agency administrator assigns supervisors within their own agency only
    # (workforce.models.SupervisionQuerySet); offices do so for any agency in their region.
    Perm.MANAGE_SUPERVISION: frozenset(_OFFICE | {Role.ORG_ADMIN}),
    # Casework: who sees which cases is narrowed further by casework.scoping (agency,
    # assignment, supervision); these say only which roles take part at all.
    Perm.VIEW_CASES: frozenset(
        _OFFICE | {Role.TOWNSHIP_OFFICER, Role.ORG_ADMIN, Role.SOCIAL_WORKER, Role.SUPERVISOR}
    ),
    Perm.WORK_CASES: frozenset({Role.SOCIAL_WORKER}),
    Perm.ASSIGN_CASES: frozenset(_OFFICE | {Role.ORG_ADMIN}),
    Perm.APPROVE_CASES: frozenset({Role.SUPERVISOR}),
    Perm.VIEW_TASKS: frozenset(
        _OFFICE | {Role.ORG_ADMIN, Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.VOLUNTEER}
    ),
    Perm.VIEW_CASE_STUDIES: frozenset(_STAFF | {Role.EVALUATOR}),
    Perm.VIEW_RESOURCES: frozenset(_STAFF),
    Perm.MANAGE_RESOURCES: frozenset(_OFFICE | {Role.TOWNSHIP_OFFICER}),
    # Dibao and special hardship: townships accept and investigate in their township, counties
    # (and cities, the province) decide in theirs; social workers see applications in their
    # regions to add their needs and capacity assessment; a third-party evaluator sees only the
    # sample of their agency's contract (dibao.scoping).
    Perm.VIEW_DIBAO: frozenset(
        _OFFICE | {Role.TOWNSHIP_OFFICER, Role.SOCIAL_WORKER, Role.SUPERVISOR}
    ),
    Perm.HANDLE_DIBAO: frozenset({Role.TOWNSHIP_OFFICER}),
    Perm.DECIDE_DIBAO: frozenset({Role.CIVIL_AFFAIRS_OFFICER}),
    Perm.SET_DIBAO_STANDARDS: frozenset(_OFFICE),
    Perm.CHECK_DIBAO_SAMPLE: frozenset({Role.EVALUATOR}),
}

# Which roles a holder of a role may grant to others (within the holder's own region).
GRANTABLE: dict[str, frozenset[str]] = {
    Role.PROVINCE_ADMIN: frozenset(Role.values),
    Role.CIVIL_AFFAIRS_OFFICER: frozenset(set(Role.values) - {Role.PROVINCE_ADMIN}),
    Role.ORG_ADMIN: frozenset({Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.VOLUNTEER}),
}


def role_has(role: str, perm: str) -> bool:
    return role in PERMISSIONS.get(perm, frozenset())
