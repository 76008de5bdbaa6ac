"""Factories for the resource directory (used by the jurisdiction harness and tests)."""

from __future__ import annotations

from shegong.core.testing import register_factory
from shegong.resources.models import Institution, InstitutionKind


@register_factory(Institution)
def make_institution(*, region_code: str, marker: str = "", owner=None, **fields) -> Institution:
    defaults = {
        "name": marker or "县社会救助服务中心",
        "kind": InstitutionKind.SOCIAL_ASSISTANCE,
        "services": "临时救助、医疗救助申请指导",
        "capacity": 30,
        "phone": "0376-4912345",
    }
    defaults.update(fields)
    return Institution.objects.create(region_id=region_code, **defaults)
