"""Scenario 2: Redis restarted (nothing on disk) while backtests run and 10 are queued.

The restart loses every queued message and the workers' connections. The running
backtests complete; the sweeper re-sends the queued ones from the database, and the claim
makes a message that survived (prefetched by a worker) and its re-send run once.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tests.faults.harness import StreamClient, restart_redis, seq_gaps_and_repeats, wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]

RUNNING = 2
QUEUED = 10


def test_a_redis_restart_loses_no_backtest_and_runs_none_twice(deploy, record):
    # Two workers of one thread each: two backtests run, the others wait in the queue.
    deployment = deploy(nodes=RUNNING + QUEUED, workers=2, threads=1)
    launched = []
    for _ in range(RUNNING):
        status, body = deployment.launch(every=5, sleep=0.01, days=4)
        assert status == 201, body
        launched.append(body["id"])
    wait_until(
        lambda: all(deployment.audit(i).lines >= 3 for i in launched), 60, "both to be running"
    )
    for _ in range(QUEUED):
        status, body = deployment.launch(every=20, days=1)
        assert status == 201, body
        launched.append(body["id"])
    statuses = deployment.sql(
        "SELECT status, count(*) FROM backtesting_backtest GROUP BY status ORDER BY status"
    )
    assert dict(statuses) == {"queued": QUEUED, "running": RUNNING}

    # and a page watching the first one's stream,
    watcher = StreamClient(deployment, launched[0])
    watching = threading.Thread(target=lambda: asyncio.run(watcher.run(120)), daemon=True)
    watching.start()
    wait_until(lambda: watcher.last_seq > 0, 30, "the page to get events")

    # When Redis restarts with nothing saved (queued messages and group memberships gone),
    down_for = restart_redis()
    restarted_at = time.monotonic()

    # then every backtest completes: the running ones and each queued one,
    finished = [deployment.wait_final(i, timeout=150) for i in launched]
    recovered_in = time.monotonic() - restarted_at
    assert [f["status"] for f in finished] == ["completed"] * len(launched), [
        (f["id"], f["status"], f["error"][:200]) for f in finished
    ]
    # the page followed its run to the end without a gap or a repeat,
    watching.join(timeout=60)
    assert watcher.final_status == "completed"
    (last_seq,) = deployment.sql(
        "SELECT last_seq FROM backtesting_backtest WHERE id = %s", launched[0]
    )[0]
    page_missing, page_repeated = seq_gaps_and_repeats(watcher.seqs, last_seq)
    # and each ran exactly once: one claim (one start), one result, every line once.
    audits = [deployment.audit(i) for i in launched]
    lost = sum(a.lost for a in audits) + page_missing
    duplicated = sum(a.duplicated for a in audits) + page_repeated
    starts = deployment.sql(
        "SELECT count(*) FROM backtesting_backtestevent"
        " WHERE type = 'log' AND payload->>'message' LIKE 'Sandbox layers:%%'"
        " GROUP BY backtest_id"
    )
    record(
        "2 Redis restarted: 2 running + 10 queued + a page -> all once",
        lost=lost,
        duplicated=duplicated + sum(n - 1 for (n,) in starts),
        resent=len(deployment.resent_by_sweepers() & set(launched[RUNNING:])),
        redis_restart_s=round(down_for, 2),
        all_done_s=round(recovered_in, 1),
        page_reconnects=watcher.reconnects,
    )
    assert sorted(n for (n,) in starts) == [1] * len(launched)
    assert all(a.total is not None and a.results == 1 for a in audits), audits
    assert (lost, duplicated) == (0, 0), audits
