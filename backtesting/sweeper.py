"""A background thread that runs :func:`sweep_lost_backtests` every few seconds.

Started by every node worker (``SweeperMiddleware``) and by the in-process workers of
``make run``. Several sweepers at once are safe: each transition is a conditional UPDATE.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection

from backtesting.services import sweep_lost_backtests

logger = logging.getLogger(__name__)


class Sweeper(threading.Thread):
    """Sweep until :meth:`stop`; a failed sweep is logged and retried next interval."""

    def __init__(self, interval: float | None = None) -> None:
        super().__init__(name="backtest-sweeper", daemon=True)
        self.interval = interval if interval is not None else settings.SWEEP_INTERVAL_SECONDS
        self._stopped = threading.Event()

    def run(self) -> None:
        # monotonic time since which the database answered every sweep; None after a failure.
        # Heartbeats are judged only once the database has been reachable for a whole
        # heartbeat timeout: workers could not beat while it was down.
        reachable_since: float | None = time.monotonic()
        try:
            while not self._stopped.wait(self.interval):
                close_old_connections()
                started = time.monotonic()
                if reachable_since is None:
                    reachable_since = started
                check_lost = started - reachable_since >= settings.HEARTBEAT_TIMEOUT_SECONDS
                try:
                    report = sweep_lost_backtests(check_lost=check_lost)
                except Exception:
                    logger.exception("sweep failed")
                    reachable_since = None
                    connection.close()  # reconnect next time (the server may have restarted)
                    continue
                if report.lost or report.resent:
                    logger.info("sweep: lost %s, re-sent %s", report.lost, report.resent)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=5)
