"""Who may manage whose account: pure rules over (role, region, organisation) grants.

An actor may grant a membership only from a membership *above* it: a role whose grant list
holds the target role, in a region that covers the target's, and — for the same role — from a
strictly higher level (a city officer grants county officers; two county officers of one county
are peers and neither manages the other). An agency administrator grants only inside their own
agency.

An actor may view, edit, deactivate, reset the password of, or change the memberships of an
account only if they could have granted **every** membership it holds. One small membership in
the actor's county does not hand them an account whose other memberships lie elsewhere, and an
agency administrator never reaches the officer who oversees them.

No ORM here: the functions take plain tuples so they can be tested exhaustively; `core.scoping`
turns the same rule into a query for lists (`manageable_memberships_q`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .regions import prefix_of
from .roles import GRANTABLE, Role


@dataclass(frozen=True)
class Grant:
    """A membership reduced to what the rule reads."""

    role: str
    region: str
    organisation: int | None = None


def grant_covers(holder: Grant, target: Grant) -> bool:
    """Whether `holder` could have granted `target` from above it."""
    if target.role not in GRANTABLE.get(holder.role, frozenset()):
        return False
    if not target.region.startswith(prefix_of(holder.region)):
        return False
    if holder.role == target.role and holder.region == target.region:
        return False  # a peer: the level above manages both
    if holder.role == Role.ORG_ADMIN:
        return holder.organisation is not None and target.organisation == holder.organisation
    return True


def may_grant(holders: Iterable[Grant], target: Grant) -> bool:
    """Whether any of the actor's memberships could grant `target`."""
    return any(grant_covers(h, target) for h in holders)


def may_manage_account(
    holders: Iterable[Grant],
    targets: Iterable[Grant],
    *,
    actor_is_superuser: bool = False,
    target_is_superuser: bool = False,
    is_self: bool = False,
) -> bool:
    """Whether the actor may act on an account holding `targets`.

    The installing operator (superuser) manages everyone. Nobody else manages a superuser,
    their own account (that has its own page), or an account with no membership left (nobody
    could have granted nothing; such an account goes back to the operator).
    """
    if actor_is_superuser:
        return True
    if target_is_superuser or is_self:
        return False
    holders = list(holders)
    targets = list(targets)
    return bool(targets) and all(may_grant(holders, t) for t in targets)
