"""What the case page knows about a case and its actor, shared by the action builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import selectors
from ..models import Case


@dataclass
class Page:
    """What the case page knows about the case and the actor."""

    actor: Any
    case: Case
    file: selectors.CaseFile
    work: bool = False
    approve: bool = False
    assign: bool = False
    domains: list[dict[str, Any]] = field(default_factory=list)

    @property
    def plan(self) -> Any:
        return self.file.plan


Built = tuple[Any, Callable[[], Any]]
