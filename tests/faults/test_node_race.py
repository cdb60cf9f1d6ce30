"""Scenario 6: two users race for the organization's last idle node, 100 times.

The race is decided in the web process (row lock on the nodes, then a conditional claim),
so no worker consumes here: node 1 stays held by a queued backtest and each round's winner
is stopped while still queued, which frees node 2 at once for the next round.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = [pytest.mark.services, pytest.mark.slow]

ROUNDS = 100


def test_two_users_racing_for_the_last_idle_node_one_wins_the_other_gets_409(deploy, record):
    deployment = deploy(nodes=2, workers=0)
    status, holder = deployment.launch()
    assert status == 201, holder
    barrier = threading.Barrier(2)

    def race(user: str) -> tuple[int, dict]:
        barrier.wait()
        return deployment.call("POST", "/api/backtests/", _launch_body(deployment), user=user)

    outcomes = []
    with ThreadPoolExecutor(2) as pool:
        for _ in range(ROUNDS):
            answers = list(pool.map(race, ["demo", "rival"]))
            statuses = sorted(code for code, _ in answers)
            outcomes.append(statuses)
            winners = [body for code, body in answers if code == 201]
            for body in winners:
                stopped = deployment.call("POST", f"/api/backtests/{body['id']}/stop/")
                assert stopped[0] == 200, stopped
            if statuses != [201, 409]:
                break
            loser = next(body for code, body in answers if code == 409)
            assert "no_idle_node" in str(loser), loser

    wins = sum(1 for s in outcomes if s == [201, 409])
    active = deployment.sql(
        "SELECT node_id, count(*) FROM backtesting_backtest"
        " WHERE status IN ('queued', 'running') GROUP BY node_id"
    )
    record(
        "6 two users race for the last idle node x100 -> one 201, one 409",
        lost=0,
        duplicated=sum(1 for s in outcomes if s.count(201) > 1),
        rounds=len(outcomes),
        one_winner=wins,
    )
    assert outcomes == [[201, 409]] * ROUNDS
    assert [count for _, count in active] == [1]  # only the holder is left


def _launch_body(deployment) -> dict:
    from tests.faults.algorithms import parameters

    return {"project": deployment.info["project"], "parameters": parameters()}
