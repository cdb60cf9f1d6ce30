"""Dramatiq middleware of node workers: one hook set per class."""

from __future__ import annotations

import dramatiq
from dramatiq.middleware import Middleware


class SweeperMiddleware(Middleware):
    """Runs a :class:`~backtesting.sweeper.Sweeper` inside every worker process.

    Node workers are what can die, so the survivors sweep for the dead; the web server
    never has to run a scheduler.
    """

    def __init__(self) -> None:
        self._sweeper = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        from backtesting.sweeper import Sweeper

        self._sweeper = Sweeper()
        self._sweeper.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if self._sweeper is not None:
            self._sweeper.stop()
            self._sweeper = None
