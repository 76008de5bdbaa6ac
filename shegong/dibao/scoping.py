"""Who sees third-party check records: the county (and offices above) by region, as every
Dibao record; an evaluator only the samples of contracts held by their own organisation, in the
regions of their memberships."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shegong.core.regions import prefix_of
from shegong.core.roles import Perm, role_has
from shegong.core.scoping import jurisdiction, memberships_of, prefixes_q


def evaluator_organisations(actor: Any) -> list[tuple[int, str]]:
    """(organisation id, region prefix) of the actor's evaluator memberships that name one."""
    return [
        (m.organisation_id, prefix_of(m.region_id))
        for m in memberships_of(actor)
        if m.organisation_id and role_has(m.role, Perm.CHECK_DIBAO_SAMPLE)
    ]


def check_scope_q(actor: Any, contract_path: str) -> Q:
    """Rows of a check (a contract, or a sample through `contract_path`) the actor may see."""
    q = prefixes_q("region_id", jurisdiction(actor, Perm.VIEW_DIBAO))
    for organisation_id, prefix in evaluator_organisations(actor):
        mine = Q(**{f"{contract_path}organisation_id": organisation_id})
        q |= mine & prefixes_q("region_id", [prefix])
    return q
