"""In-process node workers for the one-machine set-up (``make run``).

With ``START_INPROCESS_WORKERS=1`` the ASGI server starts Dramatiq worker threads on the
configured broker (the stub broker when ``REDIS_URL`` is unset) and a sweeper thread, and
re-sends queued backtests whose messages an in-memory broker lost at the last restart.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import dramatiq
from django.conf import settings

logger = logging.getLogger(__name__)

_started: list[object] = []


def start_inprocess_workers() -> None:
    """Start worker threads and the sweeper once per process."""
    if _started:
        return
    from backtesting.actors import BACKTEST_QUEUE
    from backtesting.services import resend_queued_backtests
    from backtesting.sweeper import Sweeper

    broker = dramatiq.get_broker()
    worker = dramatiq.Worker(
        broker, queues={BACKTEST_QUEUE}, worker_threads=settings.INPROCESS_WORKER_THREADS
    )
    worker.start()
    sweeper = Sweeper()
    sweeper.start()
    _started.extend([worker, sweeper])
    try:
        resent = resend_queued_backtests(older_than=timedelta(0))
    except Exception:  # an unmigrated database must not keep the site from starting
        logger.exception("could not re-send queued backtests; the sweeper will retry")
        resent = []
    logger.info(
        "in-process node workers: %d threads on %s; re-sent %d queued backtest(s)",
        settings.INPROCESS_WORKER_THREADS,
        type(broker).__name__,
        len(resent),
    )
