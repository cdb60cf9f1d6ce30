"""``python manage.py sweep_backtests``: one sweep for lost nodes and stale queued messages.

Node workers sweep on their own (``SweeperMiddleware``); this is for operators and cron.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backtesting.services import sweep_lost_backtests


class Command(BaseCommand):
    help = "Fail backtests whose worker stopped heartbeating and re-send stale queued messages."

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweep_lost_backtests()
        self.stdout.write(f"lost: {report.lost}; re-sent: {report.resent}")
