"""The type of the `actor` every service and selector takes: the signed-in user, or the
anonymous visitor a public page passes on (who is in no jurisdiction)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

    Actor: TypeAlias = "User | AnonymousUser"
else:
    Actor: TypeAlias = Any
