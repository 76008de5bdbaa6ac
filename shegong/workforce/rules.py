"""Workforce rule figures, kept as data so a county can set its own.

Supervision: a local norm of one supervisor to about twenty workers (see DOMAIN.md). Going over
it is allowed — an agency may be short of supervisors for a while — but the administrator is
told. `settings.SUPERVISION_WORKERS_PER_SUPERVISOR` overrides the default.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SupervisionNorm:
    workers_per_supervisor: int
    source: str


DEFAULT_SUPERVISION_NORM = SupervisionNorm(
    workers_per_supervisor=20, source="河南省社会工作督导地方惯例(约一名督导对二十名社工)"
)


def supervision_norm() -> SupervisionNorm:
    from django.conf import settings

    value = getattr(settings, "SUPERVISION_WORKERS_PER_SUPERVISOR", None)
    if value is None:
        return DEFAULT_SUPERVISION_NORM
    return SupervisionNorm(workers_per_supervisor=int(value), source="settings")


def over_norm(supervisees: int, norm: SupervisionNorm) -> bool:
    """Whether a supervisor with this many current supervisees is above the norm."""
    return supervisees > norm.workers_per_supervisor
