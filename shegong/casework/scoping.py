"""Who sees which case: the region range of the foundation, narrowed per membership.

- county, city and province officers and township officers: every case in their region;
- an agency administrator and a social worker: their own agency's cases in the regions they
  are assigned to (their memberships);
- a supervisor: the cases of the workers they currently supervise, in their regions;
- volunteers: no cases at all, only the plan tasks given to them (`task_scope_q`).

Each membership contributes one condition; an actor sees the union. Rows that belong to a case
carry the case's region, so the range applies to their own indexed column.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shegong.core.regions import prefix_of
from shegong.core.roles import Perm, Role, role_has
from shegong.core.scoping import memberships_of, prefixes_q

_NOTHING = Q(pk__in=[])
_REGION_WIDE = {
    Role.PROVINCE_ADMIN,
    Role.CIVIL_AFFAIRS_OFFICER,
    Role.TOWNSHIP_OFFICER,
}
_AGENCY = {Role.ORG_ADMIN, Role.SOCIAL_WORKER}


def _active(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def supervisee_ids(actor: Any) -> list[int]:
    """The workers `actor` supervises today (cached on the user object for the request)."""
    cached = getattr(actor, "_shegong_supervisees", None)
    if cached is None:
        from shegong.workforce.models import Supervision

        cached = list(
            Supervision.objects.current()
            .filter(supervisor_id=actor.pk)
            .values_list("supervisee_id", flat=True)
        )
        actor._shegong_supervisees = cached
    return cached


def case_scope_q(actor: Any, to_case: str = "") -> Q:
    """The condition for cases (`to_case=""`) or rows of a case (`to_case="case__"`)."""
    if not _active(actor):
        return _NOTHING
    if actor.is_superuser:
        return Q()
    q = _NOTHING
    for m in memberships_of(actor):
        if not role_has(m.role, Perm.VIEW_CASES):
            continue
        in_region = prefixes_q("region_id", [prefix_of(m.region_id)])
        if m.role in _REGION_WIDE:
            q |= in_region
        elif m.role in _AGENCY and m.organisation_id:
            q |= in_region & Q(**{f"{to_case}organisation_id": m.organisation_id})
        elif m.role == Role.SUPERVISOR:
            ids = supervisee_ids(actor)
            if ids:
                q |= in_region & Q(**{f"{to_case}worker_id__in": ids})
    return q


def task_scope_q(actor: Any) -> Q:
    """Plan tasks: those of visible cases, and any task given to the actor."""
    if not _active(actor):
        return _NOTHING
    return case_scope_q(actor, "case__") | Q(assignee_id=actor.pk)


def confidential_q(actor: Any, to_case: str = "case__") -> Q:
    """Confidential notes: only the case's worker and that worker's supervisors."""
    if not _active(actor):
        return _NOTHING
    own = Q(**{f"{to_case}worker_id": actor.pk})
    ids = supervisee_ids(actor)
    if ids:
        own |= Q(**{f"{to_case}worker_id__in": ids})
    return case_scope_q(actor, to_case) & own


def may_read_confidential(actor: Any, case: Any) -> bool:
    if not _active(actor):
        return False
    return case.worker_id == actor.pk or case.worker_id in supervisee_ids(actor)


def case_study_q(actor: Any) -> Q:
    """Published studies are de-identified and shared with every role that reads them;
    drafts stay with the people who see the case."""
    if not _active(actor):
        return _NOTHING
    from .models import CaseStudyStatus

    q = case_scope_q(actor, "case__") | Q(author_id=actor.pk)
    if actor.is_superuser or any(
        role_has(m.role, Perm.VIEW_CASE_STUDIES) for m in memberships_of(actor)
    ):
        q |= Q(status=CaseStudyStatus.PUBLISHED)
    return q
