"""`shegong casework_reminders`: queue today's reminders; cron runs it once a day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shegong.casework.tasks import send_reminders


class Command(BaseCommand):
    help = "Queue the daily casework reminders (due follow-ups and tasks, overdue referrals)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_reminders.enqueue()
        if result.is_finished:  # an immediate backend ran it already
            self.stdout.write(f"reminders: {result.return_value}")
        else:
            self.stdout.write(f"queued reminder task {result.id}")
