"""``kill -9`` of the worker running an optimization's batch, mid-batch.

A node runs its batch of combinations in one child, one after the other, and the rows
behind the running one wait queued. When the worker dies, the running combination must
end as "node lost", and the ones its child never reached must run elsewhere, each once,
so that the optimization completes.
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.faults.harness import wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]

#: six combinations on one node: one batch
GRID = {"name": "every", "min": 10, "max": 15, "step": 1}


def test_a_killed_batch_ends_its_running_combination_and_the_rest_run_elsewhere(
    deploy, record
) -> None:
    deployment = deploy(nodes=1, workers=2)
    project = deployment.info["project"]
    # about a second a combination: 390 minute bars, 2.5 ms each
    parameters = [{"name": "sleep", "value": "0.0025"}, {"name": "days", "value": "1"}]
    status, _ = deployment.call(
        "PUT", f"/api/projects/{project}/parameters/", {"parameters": parameters}
    )
    assert status == 200
    body = {
        "project": project,
        "target": "Sharpe Ratio",
        "parameters": [GRID],
        "node_type": "O2-8",
        "parallel_nodes": 1,
    }
    status, created = deployment.call("POST", "/api/optimizations/", body)
    assert status == 201, created
    path = f"/api/optimizations/{created['id']}/"

    # Given the batch's second combination running (the first done),
    def second_running() -> list | None:
        detail = deployment.try_call("GET", path)
        statuses = [r["status"] for r in detail["results"]] if detail else []
        return statuses if statuses[:2] == ["completed", "running"] else None

    wait_until(second_running, 60, "the batch's second combination to run")
    results = deployment.try_call("GET", path)["results"]
    victim = results[1]["backtest"]
    # when its worker process is killed -9,
    os.kill(deployment.worker_pid(victim), signal.SIGKILL)

    # then it ends as "node lost", and the four after it run on the other worker,
    def finished() -> dict | None:
        detail = deployment.try_call("GET", path)
        return detail if detail and detail["status"] == "completed" else None

    detail = wait_until(finished, 90, "the optimization to complete")
    statuses = [r["status"] for r in detail["results"]]
    assert statuses == ["completed", "runtime_error"] + ["completed"] * 4, statuses
    assert detail["results"][1]["error"].startswith("node lost")
    assert detail["done"] == detail["total"] == 6
    # each combination's log whole and once: none of them ran twice.
    audits = [(r, deployment.audit(r["backtest"])) for r in detail["results"]]
    for result, audit in audits:
        assert audit.duplicated == 0, (result, audit)
        if result["status"] == "completed":
            assert audit.total and audit.lost == 0, (result, audit)
    record(
        "kill -9 mid-batch -> node lost, rest run elsewhere",
        lost=sum(a.lost for r, a in audits if r["status"] == "completed"),
        duplicated=sum(a.duplicated for _, a in audits),
        combinations=len(statuses),
    )
