"""Optimization tests: a stand-in sandbox whose statistics are a function of the parameters.

``grid_sandbox`` replaces the two seams (``backtesting.execution.run_in_sandbox`` for one
backtest, ``run_batch_in_sandbox`` for an optimization's batch, which runs its combinations
one after the other as the real child does): each run reports "Sharpe Ratio" =
a - (b - 2)^2 and "Drawdown" = a + b (as LEAN formats them), can fail on chosen parameter
values, can be held until released, and records how many runs were in flight at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from backtesting.sandbox.jobs import SandboxOutcome


@pytest.fixture(autouse=True)
def _no_bmicro_delay(settings) -> None:
    settings.BMICRO_DELAY_SECONDS = 0


def sharpe_of(a: float, b: float) -> float:
    """The fake engine's Sharpe Ratio for parameters ``a`` and ``b``."""
    return round(a - (b - 2) ** 2, 3)


class GridSandbox:
    """Deterministic statistics per combination; optional failures and holds."""

    def __init__(self) -> None:
        self.started: list[dict[str, str]] = []
        self.fail_when: Callable[[dict[str, str]], bool] = lambda params: False
        #: runs whose parameters match are held until released or stopped.
        self.hold_when: Callable[[dict[str, str]], bool] = lambda params: False
        #: parameters of the runs currently held
        self.held: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        #: batches' children computing at once (from the batch's start to ``on_done``)
        self.children = 0
        self.max_children = 0
        self._release = threading.Event()
        self._lock = threading.Lock()

    def release_all(self) -> None:
        self.hold_when = lambda params: False
        self._release.set()

    def __call__(
        self,
        backtest: Any,
        on_events: Callable[[list[dict[str, Any]]], object],
        should_stop: Callable[[], bool],
    ) -> tuple[str, str | None]:
        params = {str(k): str(v) for k, v in backtest.parameters.items()}
        with self._lock:
            self.started.append(params)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            on_events([{"type": "progress", "fraction": 0.5}])
            time.sleep(0.02)  # long enough for runs to overlap when they can
            if self.hold_when(params):
                self.held.append(params)
            while self.hold_when(params) and not self._release.wait(0.02):
                if should_stop():
                    return "stopped", "stopped by user"
            if self.fail_when(params):
                raise_line = "ZeroDivisionError: division by zero"
                return "runtime_error", f"Traceback (most recent call last):\n{raise_line}"
            a, b = float(params.get("a", 0)), float(params.get("b", 0))
            statistics = {
                "Sharpe Ratio": f"{sharpe_of(a, b):.3f}",
                "Drawdown": f"{a + b:.1f}%",
                "Compounding Annual Return": f"{a * 2:.3f}%",
                "Probabilistic Sharpe Ratio": f"{min(a * 10, 100):.3f}%",
                "Net Profit": f"{a:.3f}%",
                "Total Orders": "2",
            }
            on_events(
                [
                    {"type": "progress", "fraction": 1.0},
                    {
                        "type": "result",
                        "status": "Completed",
                        "error": None,
                        "stacktrace": None,
                        "statistics": statistics,
                        "runtime_statistics": {},
                    },
                ]
            )
            return "completed", None
        finally:
            with self._lock:
                self.in_flight -= 1

    def batch(
        self,
        backtests: list[Any],
        on_run: Callable[[int], bool],
        on_events: Callable[[list[dict[str, Any]]], object],
        should_stop: Callable[[], bool],
        on_done: Callable[[Any], None],
    ) -> None:
        """A batch's child: each run announced, each ending with its result event; a stop
        ends the child, and the runs after it are never announced. As the sandbox does,
        ``on_done`` comes before the result that ends the child is handed over."""
        done = False
        with self._lock:
            self.children += 1
            self.max_children = max(self.max_children, self.children)

        def child_done(outcome: SandboxOutcome) -> None:
            nonlocal done
            done = True
            with self._lock:
                self.children -= 1
            on_done(outcome)

        def deliver(events: list[dict[str, Any]], ends_child: bool) -> None:
            if ends_child and not done and any(e["type"] == "result" for e in events):
                child_done(SandboxOutcome(status="completed", error=None, exit_code=0))
            on_events(events)

        for index, backtest in enumerate(backtests):
            if not on_run(index):
                break
            last = index == len(backtests) - 1
            status, error = self(
                backtest, lambda events, last=last: deliver(events, last), should_stop
            )
            if status != "completed":
                state = "Stopped" if status == "stopped" else "RuntimeError"
                result = {"type": "result", "status": state, "error": error}
                deliver([result], last or status == "stopped")
            if status == "stopped":
                break
        if not done:
            child_done(SandboxOutcome(status="stopped", error=None, exit_code=None))


@pytest.fixture
def grid_sandbox(monkeypatch) -> Iterator[GridSandbox]:
    fake = GridSandbox()
    monkeypatch.setattr("backtesting.execution.run_in_sandbox", fake)
    monkeypatch.setattr("backtesting.execution.run_batch_in_sandbox", fake.batch)
    yield fake
    fake.release_all()


def wait_for(predicate: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    """Poll ``predicate`` until it holds (worker threads make progress on their own)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what or predicate}"
        time.sleep(0.02)


def finished(optimization_id: int) -> Callable[[], bool]:
    """A ``wait_for`` predicate: the optimization completed or was aborted and nothing runs."""
    from backtesting.models import Backtest, Optimization

    def check() -> bool:
        status = Optimization.objects.get(pk=optimization_id).status
        active = Backtest.objects.filter(
            optimization_id=optimization_id, status__in=("queued", "running")
        ).exists()
        return status in ("completed", "aborted") and not active

    return check
