"""The type of the `actor` every service and selector takes: the signed-in user.

Pages and API endpoints that call them require a sign-in first (the jurisdiction harness
checks that an anonymous visitor reaches nothing that is not public), so a service may store
its actor as the author of a record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from .models import User

    Actor: TypeAlias = User
else:
    Actor: TypeAlias = Any


def signed_in(user: Any) -> Actor:
    """`request.user` of a view or endpoint that requires a sign-in, typed as an actor."""
    return user
