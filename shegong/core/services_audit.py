"""Reading the audit trail: who sees personal numbers whole, and the events reading leaves.

The trail is shown masked to everyone (`personal.mask_personal_numbers`), officers included,
like ID numbers everywhere else on the platform. A viewer who may reveal ID numbers in an
event's region sees that one event whole by asking for it; the asking writes an access event.
An export of the trail is always masked and writes one event with its filters and row count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .actors import Actor
from .audit_fields import ChangeLine, change_lines
from .models import AuditEvent
from .personal import mask_personal_numbers
from .roles import Perm
from .scoping import jurisdiction

audit.register_actions(
    {
        "audit.reveal": gettext_lazy("查看审计事件中的完整号码"),
        "audit.export": gettext_lazy("导出审计日志"),
    }
)


def reveal_prefixes(actor: Actor) -> list[str]:
    """Where the actor may see personal numbers whole; compute once per page."""
    return jurisdiction(actor, Perm.REVEAL_ID_NUMBER)


def may_reveal(prefixes: list[str], event: AuditEvent) -> bool:
    # An event without a region (a login, an account) is the province's: prefix "" only.
    region = event.region_id or ""
    return any(region.startswith(p) for p in prefixes)


@dataclass(frozen=True)
class ShownEvent:
    """An event as a viewer sees it: personal numbers masked unless revealed."""

    event: AuditEvent
    target_repr: str
    changes: dict[str, Any]
    masked: int
    revealed: bool = False
    may_reveal: bool = False

    @property
    def lines(self) -> list[ChangeLine]:
        """The changes as people read them: field labels and display values."""
        return change_lines(self.event.action, self.event.target_type, self.changes)


def event_shown(
    event: AuditEvent, *, reveal: bool = False, prefixes: list[str] | None = None
) -> ShownEvent:
    """The event for display; with `prefixes` (from `reveal_prefixes`), whether the viewer
    could reveal what was masked."""
    changes = event.changes or {}
    (target_repr, masked_changes), count = mask_personal_numbers([event.target_repr, changes])
    return ShownEvent(
        event=event,
        target_repr=event.target_repr if reveal else target_repr,
        changes=changes if reveal else masked_changes,
        masked=count,
        revealed=reveal,
        may_reveal=bool(
            not reveal and count and prefixes is not None and may_reveal(prefixes, event)
        ),
    )


@transaction.atomic
def audit_event_reveal(*, actor: Actor, event: AuditEvent) -> ShownEvent:
    """Show one event whole to a viewer who may reveal ID numbers in its region; logged."""
    if not may_reveal(reveal_prefixes(actor), event):
        raise PermissionDenied(_("您无权查看完整证件号码。"))
    audit.record_access(actor=actor, action="audit.reveal", target=event)
    return event_shown(event, reveal=True)


@transaction.atomic
def audit_export_record(*, actor: Actor, filters: dict[str, Any], rows: int) -> AuditEvent:
    """The event of one audit export, in the exporter's region (their first prefix)."""
    prefixes = jurisdiction(actor, Perm.VIEW_AUDIT)
    region = prefixes[0].ljust(12, "0") if prefixes and prefixes[0] else None
    return audit.record(
        actor=actor,
        action="audit.export",
        region_id=region,
        changes={"filters": filters, "rows": rows, "full_id_numbers": False},
    )
