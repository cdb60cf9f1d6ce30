"""Platform tests: no B-MICRO delay, and a controllable stand-in for the sandbox.

Most platform tests need to hold a backtest "running" and decide when it ends; the
``fake_sandbox`` fixture replaces the one seam (``backtesting.execution.run_in_sandbox``)
with a script the test drives. Tests of the real child process use the real sandbox.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_bmicro_delay(settings) -> None:
    settings.BMICRO_DELAY_SECONDS = 0


class FakeSandbox:
    """Emits a log line and progress, then waits until released or asked to stop.

    ``started`` lists backtest ids whose run began; ``release(id)`` completes that run;
    a stop request (through ``should_stop``) ends it ``stopped`` as the real sandbox does.
    """

    def __init__(self) -> None:
        self.started: list[int] = []
        self._release: dict[int, threading.Event] = {}
        self._lock = threading.Lock()
        self.crash_with: str | None = None

    def __call__(
        self,
        backtest: Any,
        on_events: Callable[[list[dict[str, Any]]], object],
        should_stop: Callable[[], bool],
    ) -> tuple[str, str | None]:
        with self._lock:
            released = self._release.setdefault(backtest.pk, threading.Event())
            self.started.append(backtest.pk)
        on_events(
            [
                {
                    "type": "log",
                    "time": "2013-10-07T09:31:00",
                    "level": "log",
                    "message": "started",
                },
                {"type": "progress", "fraction": 0.1},
            ]
        )
        while not released.wait(0.05):
            if should_stop():
                return "stopped", "stopped by user"
        if self.crash_with:
            return "runtime_error", self.crash_with
        on_events(
            [
                {"type": "progress", "fraction": 1.0},
                {
                    "type": "result",
                    "status": "Completed",
                    "error": None,
                    "stacktrace": None,
                    "statistics": {"Total Orders": "1", "Net Profit": "1.234%"},
                    "runtime_statistics": {"Equity": "$101,234.00"},
                },
            ]
        )
        return "completed", None

    def release(self, backtest_id: int) -> None:
        with self._lock:
            self._release.setdefault(backtest_id, threading.Event()).set()

    def wait_started(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.started) < count:
            assert time.monotonic() < deadline, f"only {self.started} started"
            time.sleep(0.02)


@pytest.fixture
def fake_sandbox(monkeypatch) -> Iterator[FakeSandbox]:
    fake = FakeSandbox()
    monkeypatch.setattr("backtesting.execution.run_in_sandbox", fake)
    yield fake
    for backtest_id in list(fake.started):
        fake.release(backtest_id)


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Poll ``predicate`` until it holds (worker threads make progress on their own)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what or predicate}"
        time.sleep(0.02)
