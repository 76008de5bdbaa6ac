"""What of a person's ID number and birth date an actor sees, and the one way to reveal.

A role that may not reveal ID numbers (`Perm.REVEAL_ID_NUMBER`) sees the masked number (last
2 characters) and the age, never the birth date: the birth date, the village code and 4
visible digits gave the whole number back. A role that may reveal sees the birth date, and
the full number only after asking for it (the page's button, the API's `?reveal=1`), which
goes through `id_numbers_reveal` and leaves one access event naming the persons.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.idnumbers import age_on, mask_citizen_id
from shegong.core.models import Region
from shegong.core.roles import Perm
from shegong.core.scoping import jurisdiction

from .models import Person

# Region code levels: province 2, city 4, county 6, township 9, village 12 digits.
_LEVELS = (12, 9, 6, 4, 2)


class Disclosure:
    """What one actor may see of persons' ID numbers and birth dates, region by region."""

    def __init__(self, actor: Actor, *, today: datetime.date | None = None):
        self.prefixes = tuple(jurisdiction(actor, Perm.REVEAL_ID_NUMBER))
        self.today = today or timezone.localdate()

    def may_reveal(self, region_id: str) -> bool:
        return bool(self.prefixes) and region_id.startswith(self.prefixes)

    def birth_date(self, person: Person) -> datetime.date | None:
        """The birth date for a role that may reveal there; None for everyone else."""
        return person.birth_date if self.may_reveal(person.region_id) else None

    def age(self, person: Person) -> int:
        return age_on(person.birth_date, self.today)

    def show(self, person: Person, *, revealed: bool = False) -> Person:
        """Set `id_display` and `birth_display` on the person, for a page to print."""
        person.id_display = (  # type: ignore[attr-defined]
            person.id_number if revealed else mask_citizen_id(person.id_number)
        )
        birth = self.birth_date(person)
        age = _("%(age)d 岁") % {"age": self.age(person)}
        person.birth_display = (  # type: ignore[attr-defined]
            f"{birth:%Y-%m-%d}({age})" if birth is not None else age
        )
        return person


def _common_region(region_ids: list[str]) -> str | None:
    """The narrowest region holding all of `region_ids` (a county, a township...)."""
    first = region_ids[0]
    common = 0
    while common < len(first) and all(
        len(r) > common and r[common] == first[common] for r in region_ids
    ):
        common += 1
    for level in _LEVELS:
        if level <= common:
            code = first[:level].ljust(12, "0")
            if Region.objects.filter(pk=code).exists():
                return code
    return None


@transaction.atomic
def id_numbers_reveal(
    *,
    actor: Actor,
    persons: Iterable[Person],
    via: str,
    target: models.Model | None = None,
) -> set[int]:
    """Reveal the full ID numbers of the persons the actor may reveal in their region.

    Returns their ids; writes one access event (`registry.reveal_id`) naming exactly them in
    `changes["persons"]`, on `target` when given (the household, the duplicate pair) or in the
    narrowest region holding them all. Refused for a role that may reveal nowhere; persons
    outside the actor's reveal jurisdiction stay masked. Nothing shown, nothing written.
    """
    disclosure = Disclosure(actor)
    if not disclosure.prefixes:
        raise PermissionDenied(_("您无权查看完整证件号码。"))
    shown = [p for p in persons if disclosure.may_reveal(p.region_id)]
    if not shown:
        return set()
    ids = sorted({p.pk for p in shown})
    region_id = None if target is not None else _common_region([p.region_id for p in shown])
    audit.record(
        actor=actor,
        action="registry.reveal_id",
        target=target,
        region_id=region_id,
        changes={"via": via, "persons": ids, "count": len(ids)},
    )
    return set(ids)
