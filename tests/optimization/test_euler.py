"""Euler search: a coarse first round, then finer rounds around the best result."""

from __future__ import annotations

import pytest

from backtesting.optimization import euler
from tests.optimization.conftest import finished, wait_for

A_AND_B = [
    {"name": "a", "min": 1, "max": 9, "step": 1},
    {"name": "b", "min": 0, "max": 4, "step": 0.5},
]


def test_the_first_round_takes_every_scale_th_value_and_the_last() -> None:
    assert euler.initial_scale(A_AND_B) == 2
    first = euler.first_round(A_AND_B, 2)
    assert len(first) == 25
    assert {c["a"] for c in first} == {1, 3, 5, 7, 9}
    assert {c["b"] for c in first} == {0.0, 1.0, 2.0, 3.0, 4.0}
    ten = [{"name": "x", "min": 0, "max": 9, "step": 1}]  # 10 values: 0, 4, 8 and the last
    assert [c["x"] for c in euler.first_round(ten, euler.initial_scale(ten))] == [0, 4, 8, 9]


def test_a_later_round_tries_the_unseen_neighbours_of_the_best() -> None:
    done = euler.first_round(A_AND_B, 2)
    fresh = euler.next_round(A_AND_B, {"a": 9, "b": 2.0}, 1, done)
    assert sorted((c["a"], c["b"]) for c in fresh) == [
        (8, 1.5),
        (8, 2.0),
        (8, 2.5),
        (9, 1.5),
        (9, 2.5),
    ]
    assert euler.estimated_total(A_AND_B) == 25 + 8


@pytest.mark.django_db(transaction=True)
def test_an_euler_search_finds_the_grid_best_with_fewer_backtests(
    api, owner, project, stub_worker, grid_sandbox
) -> None:
    client = api(owner)
    estimate = client.post(
        "/api/optimizations/estimate/",
        {"project": project.pk, "parameters": A_AND_B, "strategy": "euler"},
        format="json",
    )
    assert estimate.data["total"] == 33
    created = client.post(
        "/api/optimizations/",
        {"project": project.pk, "parameters": A_AND_B, "strategy": "euler", "parallel_nodes": 3},
        format="json",
    )
    assert created.status_code == 201 and created.data["total"] == 25
    wait_for(finished(created.data["id"]))
    detail = client.get(f"/api/optimizations/{created.data['id']}/").data
    assert detail["status"] == "completed" and detail["strategy"] == "euler"
    assert detail["total"] == detail["done"] == 30  # of the full grid's 81
    assert detail["best"]["parameters"] == {"a": 9, "b": 2.0}  # the full grid's best
