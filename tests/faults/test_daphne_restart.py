"""Scenario 4: daphne restarted while two pages watch a running backtest.

Each watcher is a Python websocket client that behaves like ``static/js/results.js``: on a
close it reconnects by itself with ``?after=<last seq>``. Together with the stored stream,
each must have received every ``seq`` once: no gap across the restart, no repeat.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.faults.harness import StreamClient, seq_gaps_and_repeats, wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_two_watchers_resume_after_a_daphne_restart_without_gap_or_repeat(deploy, record):
    deployment = deploy(nodes=1, workers=1)
    status, launched = deployment.launch(every=2, sleep=0.01, days=3)
    assert status == 201, launched
    backtest_id = launched["id"]
    wait_until(lambda: deployment.audit(backtest_id).lines >= 5, 60, "the first lines")

    # Given two pages watching the stream,
    watchers = [StreamClient(deployment, backtest_id) for _ in range(2)]

    async def watch() -> None:
        await asyncio.gather(*(w.run(timeout=120) for w in watchers))

    thread = threading.Thread(target=lambda: asyncio.run(watch()), daemon=True)
    thread.start()
    wait_until(lambda: all(w.last_seq > 10 for w in watchers), 30, "both pages to get events")
    seen_before = [w.last_seq for w in watchers]

    # when daphne restarts mid-stream,
    restart_s = deployment.restart_web()

    # then both pages reconnect by themselves and follow the run to its end,
    thread.join(timeout=150)
    assert not thread.is_alive(), "the watchers did not see the run finish"
    done = deployment.backtest(backtest_id)
    assert done["status"] == "completed", done["error"]
    audit = deployment.audit(backtest_id)
    (last_seq,) = deployment.sql(
        "SELECT last_seq FROM backtesting_backtest WHERE id = %s", backtest_id
    )[0]
    # having received every event once, the ones during the restart included.
    lost = duplicated = 0
    for watcher, before in zip(watchers, seen_before, strict=True):
        assert watcher.reconnects >= 1, "the restart did not close the socket"
        assert watcher.last_seq > before
        missing, repeated = seq_gaps_and_repeats(watcher.seqs, last_seq)
        lost, duplicated = lost + missing, duplicated + repeated
    record(
        "4 daphne restarted, 2 watchers -> resume, no gap/repeat",
        lost=lost + audit.lost,
        duplicated=duplicated + audit.duplicated,
        events=last_seq,
        reconnects=sum(w.reconnects for w in watchers),
        restart_s=round(restart_s, 1),
    )
    assert (lost, duplicated) == (0, 0)
    assert (audit.lost, audit.duplicated) == (0, 0), audit
