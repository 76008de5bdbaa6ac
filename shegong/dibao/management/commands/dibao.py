"""`shegong dibao monitor [--county CODE] [--on DATE]`: the daily monitoring run. Cron runs it
once a day; it queues the run on the worker (or runs it at once where tasks run immediately)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shegong.core.models import Region, RegionLevel


class Command(BaseCommand):
    help = "Dibao: `monitor` runs the dynamic monitoring of paying awards (daily)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        monitor = sub.add_parser("monitor", help="Run the monitoring rules and open alerts.")
        monitor.add_argument("--county", default="", help="A county code (default: all).")
        monitor.add_argument("--on", default="", help="The run day, YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "monitor":
            self.monitor(options["county"].strip(), options["on"].strip())

    def monitor(self, county: str, on: str) -> None:
        from shegong.dibao.monitoring import RULE_LABELS
        from shegong.dibao.tasks import dibao_monitor

        if on:
            try:
                datetime.date.fromisoformat(on)
            except ValueError:
                raise CommandError(f"--on: not a date (YYYY-MM-DD): {on!r}") from None
        if county:
            found = Region.objects.filter(code=county, level=RegionLevel.COUNTY).exists()
            if not found:
                raise CommandError(f"--county: not a county code: {county!r}")
        result = dibao_monitor.enqueue(on=on, county=county)
        if not result.is_finished:
            self.stdout.write(f"queued monitoring task {result.id}")
            return
        counts = result.return_value or {}
        for rule, label in RULE_LABELS.items():
            self.stdout.write(f"{rule} {label}: {counts.get(rule, 0)}")
        self.stdout.write(f"opened: {counts.get('opened', 0)}")
