"""Dramatiq actors: adapters that take an id from a message and call into the services."""

from __future__ import annotations

import dramatiq
from django.conf import settings

from backtesting.execution import execute_backtest, execute_combinations
from backtesting.optimization.services import COMBINATIONS_PER_BATCH

#: the queue node workers consume; web-only processes never start a consumer for it.
BACKTEST_QUEUE = "backtests"
#: milliseconds; above the longest allowed run (the default 10 minutes would kill long backtests).
BACKTEST_TIME_LIMIT_MS = int((settings.BACKTEST_MAX_SECONDS + 3600) * 1000)


# max_retries=0: a failed run is reported to the user, never silently run again.
# time_limit: above BACKTEST_MAX_SECONDS, which the sandbox's own wall-clock limit enforces.
# queue_name: explicit, so worker machines can be dedicated to backtests.
@dramatiq.actor(queue_name=BACKTEST_QUEUE, max_retries=0, time_limit=BACKTEST_TIME_LIMIT_MS)
def run_backtest(backtest_id: int) -> None:
    """Run a queued backtest; a duplicate or stale message finds it claimed and returns."""
    execute_backtest(backtest_id=backtest_id)


# An optimization's batch: one node, one sandboxed child, the combinations in turn (each
# with its own time limit in the sandbox, so the batch's is theirs together).
@dramatiq.actor(
    queue_name=BACKTEST_QUEUE,
    max_retries=0,
    time_limit=BACKTEST_TIME_LIMIT_MS * COMBINATIONS_PER_BATCH,
)
def run_combinations(backtest_ids: list[int]) -> None:
    """Run queued combinations of one optimization; ones no longer queued are skipped."""
    execute_combinations(backtest_ids=backtest_ids)
