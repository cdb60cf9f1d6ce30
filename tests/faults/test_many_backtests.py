"""Scenario 5: 50 backtests launched at once on 2 nodes served by 2 worker processes.

A launch needs an idle node, so 50 users pressing "Backtest" at once get 201 or 409 and
press again on a 409 until theirs is accepted. All 50 must complete, each exactly once,
and at no instant may more than 2 run (one per node).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from tests.faults.harness import wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]

BACKTESTS = 50
NODES = 2


def _max_overlap(intervals: list[tuple[datetime, datetime]]) -> int:
    """Most intervals holding at one instant (an end before a start at the same time)."""
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


def test_fifty_backtests_on_two_nodes_complete_once_each_never_more_than_two_at_once(
    deploy, record
):
    deployment = deploy(nodes=NODES, workers=2, threads=2)
    refusals = 0
    lock = threading.Lock()
    stop_watching = threading.Event()
    peak_seen = 0

    def launch_until_accepted(_: int) -> int:
        nonlocal refusals
        while True:
            status, body = deployment.launch(every=100, days=1)
            if status == 201:
                return body["id"]
            assert status == 409, (status, body)
            with lock:
                refusals += 1
            time.sleep(0.05)

    def watch_running() -> None:
        nonlocal peak_seen
        while not stop_watching.is_set():
            ((running,),) = deployment.sql(
                "SELECT count(*) FROM backtesting_backtest WHERE status = 'running'"
            )
            peak_seen = max(peak_seen, running)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch_running, daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(BACKTESTS) as pool:
            ids = list(pool.map(launch_until_accepted, range(BACKTESTS)))
        wait_until(
            lambda: (
                deployment.sql(
                    "SELECT count(*) FROM backtesting_backtest WHERE status IN ('queued', 'running')"
                )[0][0]
                == 0
            ),
            240,
            "all backtests to finish",
        )
    finally:
        stop_watching.set()
        watcher.join(timeout=5)
    elapsed = time.monotonic() - started

    rows = deployment.sql(
        "SELECT id, status, started_at, finished_at FROM backtesting_backtest ORDER BY id"
    )
    assert sorted(ids) == [row[0] for row in rows]
    assert [row[1] for row in rows] == ["completed"] * BACKTESTS
    audits = [deployment.audit(i) for i in ids]
    starts = deployment.sql(
        "SELECT count(*) FROM backtesting_backtestevent"
        " WHERE type = 'log' AND payload->>'message' LIKE 'Sandbox layers:%%'"
        " GROUP BY backtest_id"
    )
    lost = sum(a.lost for a in audits)
    duplicated = sum(a.duplicated for a in audits) + sum(n - 1 for (n,) in starts)
    peak = _max_overlap([(row[2], row[3]) for row in rows])
    record(
        "5 50 backtests, 2 nodes, 2 workers -> all once, <=2 running",
        lost=lost,
        duplicated=duplicated,
        peak_running=max(peak, peak_seen),
        refusals_409=refusals,
        elapsed_s=round(elapsed),
    )
    assert len(starts) == BACKTESTS and all(n == 1 for (n,) in starts)
    assert all(a.total is not None and a.results == 1 for a in audits)
    assert (lost, duplicated) == (0, 0)
    assert peak <= NODES and peak_seen <= NODES, (peak, peak_seen)
