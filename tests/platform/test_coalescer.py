"""config.broadcast.Coalescer: whole-state frames at most once an interval, never stale."""

from __future__ import annotations

import threading
import time

from config.broadcast import Coalescer


def _recording(seconds: float) -> tuple[Coalescer, list[tuple[str, float]], threading.Event]:
    runs: list[tuple[str, float]] = []
    ran_deferred = threading.Event()

    def action(key) -> None:
        runs.append((key, time.monotonic()))
        if threading.current_thread() is not threading.main_thread():
            ran_deferred.set()

    return Coalescer(seconds, action), runs, ran_deferred


def test_a_burst_costs_one_run_now_and_one_at_the_interval_end() -> None:
    coalescer, runs, ran_deferred = _recording(0.2)
    started = time.monotonic()
    for _ in range(10):
        coalescer.request("a")
    coalescer.request("b")  # keys are independent

    assert [key for key, _ in runs] == ["a", "b"]
    assert ran_deferred.wait(2)
    time.sleep(0.05)
    assert [key for key, _ in runs] == ["a", "b", "a"]
    assert runs[-1][1] - started >= 0.2


def test_a_request_after_the_interval_runs_at_once() -> None:
    coalescer, runs, _ = _recording(0.05)
    coalescer.request("a")
    time.sleep(0.1)
    coalescer.request("a")

    assert len(runs) == 2


def test_now_runs_at_once_and_drops_the_deferred_run() -> None:
    coalescer, runs, ran_deferred = _recording(0.1)
    coalescer.request("a")
    coalescer.request("a")  # deferred
    coalescer.now("a")  # the final state

    assert len(runs) == 2
    assert not ran_deferred.wait(0.3)
    assert len(runs) == 2
