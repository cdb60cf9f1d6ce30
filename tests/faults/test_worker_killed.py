"""Scenario 1: ``kill -9`` of the worker process running a backtest.

The survivor's sweeper must report the run as ``runtime_error`` ("node lost") within 30 s
and free the node, and the next launch on that node must run to completion.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.faults.harness import wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_a_killed_worker_process_is_reported_node_lost_and_the_node_serves_again(deploy, record):
    deployment = deploy(nodes=1, workers=2)
    # Given a backtest streaming numbered lines on one of two workers,
    status, launched = deployment.launch(every=10, sleep=0.01, days=5)
    assert status == 201, launched
    backtest_id = launched["id"]
    wait_until(lambda: deployment.audit(backtest_id).lines >= 3, 60, "the first lines")

    # when the worker process running it is killed -9 (like the OOM killer),
    pid = deployment.worker_pid(backtest_id)
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()

    # then within 30 s it is a runtime error saying "node lost",
    lost = deployment.wait_final(backtest_id, timeout=30)
    detected_after = time.monotonic() - killed_at
    assert lost["status"] == "runtime_error"
    assert lost["error"].startswith("node lost")
    # the node is idle,
    nodes = deployment.call("GET", "/api/nodes/")[1]
    assert [node["status"] for node in nodes] == ["idle"]
    # every line stored before the kill is there once, and "node lost" is the last line,
    audit = deployment.audit(backtest_id)
    assert (audit.lost, audit.duplicated) == (0, 0), audit
    last = deployment.stored_events(backtest_id)[-1]
    assert last[1] == "log" and last[2]["message"].startswith("node lost")

    # and a relaunch on that node completes with its whole log.
    status, again = deployment.launch(every=50)
    assert status == 201, again
    done = deployment.wait_final(again["id"], timeout=60)
    assert done["status"] == "completed", done["error"]
    relaunch = deployment.audit(again["id"])
    assert relaunch.total and (relaunch.lost, relaunch.duplicated) == (0, 0), relaunch
    record(
        "1 kill -9 worker -> node lost, node idle, relaunch",
        lost=audit.lost + relaunch.lost,
        duplicated=audit.duplicated + relaunch.duplicated,
        detected_s=round(detected_after, 1),
    )
