"""`shegong registry_flags_daily`: refresh left-behind flags for today's birthdays; cron runs
it once a day (`--days 3` catches up after the worker was down for two days)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shegong.registry.tasks import registry_flags_daily


class Command(BaseCommand):
    help = "Queue the daily refresh of left-behind flags (children turning 16, adults turning 60)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=1, choices=range(1, 367), metavar="1-366")

    def handle(self, *args: Any, **options: Any) -> None:
        result = registry_flags_daily.enqueue(days=options["days"])
        if result.is_finished:  # an immediate backend ran it already
            self.stdout.write(f"flags: {result.return_value}")
        else:
            self.stdout.write(f"queued flags task {result.id}")
