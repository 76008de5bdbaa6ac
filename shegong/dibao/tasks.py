"""Background work of the Dibao module, run by `shegong worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def dibao_monitor(on: str = "", county: str = "") -> dict[str, int]:
    """The daily monitoring run (`services.monitoring.monitor_run`) for `on` (ISO date; empty:
    today) and one county (empty: the whole province). Run again the same day with nothing
    changed, it opens nothing."""
    import datetime

    from django.utils import timezone

    from .services.monitoring import monitor_run

    day = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return monitor_run(on=day, county=county or None)
