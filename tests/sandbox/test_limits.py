"""Memory, CPU and wall-clock limits, stop requests and crashes end only the child."""

from __future__ import annotations

import time
from dataclasses import replace

from backtesting.sandbox import messages
from tests.sandbox.conftest import LIMITS

SLEEPER = "import time\nclass A:\n    def initialize(self):\n        time.sleep(60)\n"


def test_allocating_20_gb_is_a_memory_error_naming_the_limit(sandbox_run, assert_still_serves):
    source = "class A:\n    def initialize(self):\n        self.big = bytearray(20 * 1024**3)\n"

    run = sandbox_run(source, limits=replace(LIMITS, memory_mb=768))

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error == messages.OUT_OF_MEMORY.format(memory_mb=768)
    assert "MemoryError" in run.result["stacktrace"]
    assert_still_serves()


def test_numpy_under_the_memory_cap_still_works_and_fails_cleanly_past_it(sandbox_run):
    source = """
import numpy as np
class A:
    def initialize(self):
        a = np.ones((500, 500))
        self.log(float((a @ a).sum()))
        np.ones((1024, 1024, 1024))
"""
    run = sandbox_run(source, limits=replace(LIMITS, memory_mb=768, cores=2))

    assert run.messages()[1:] == [str(500.0**3)]
    assert run.outcome.error.startswith("Out of memory")


def test_busy_loop_is_stopped_by_the_cpu_limit(sandbox_run, assert_still_serves):
    source = "class A:\n    def initialize(self):\n        x = 0\n        while True:\n            x += 1\n"

    run = sandbox_run(source, limits=replace(LIMITS, cpu_seconds=1, wall_seconds=20))

    assert run.outcome.status == "runtime_error"
    # Either SIGXCPU raised in the loop or the hard limit's SIGKILL: the same sentence.
    assert run.outcome.error == messages.CPU_EXCEEDED.format(cpu=1)
    assert run.seconds < 5
    assert_still_serves()


def test_sleeping_past_the_wall_clock_limit_is_killed(sandbox_run, assert_still_serves):
    run = sandbox_run(SLEEPER, limits=replace(LIMITS, cpu_seconds=10, wall_seconds=1))

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error == messages.WALL_EXCEEDED.format(wall=1)
    assert run.outcome.exit_code == -9
    assert run.seconds < 2.5
    assert_still_serves()


def test_stop_request_ends_the_child_within_two_seconds(sandbox_run, assert_still_serves):
    asked: list[float] = []
    started = time.monotonic()

    def should_stop() -> bool:
        if time.monotonic() - started > 0.5:
            asked.append(time.monotonic())
            return True
        return False

    run = sandbox_run(SLEEPER, should_stop=should_stop)

    assert run.outcome.status == "stopped"
    assert run.outcome.error == messages.STOPPED
    assert run.result["status"] == "Stopped"
    assert time.monotonic() - asked[0] < 2.0
    assert_still_serves()


def test_segfault_is_reported_and_the_worker_survives(sandbox_run, assert_still_serves):
    # The audit hook refuses ctypes; switched off, the crash itself must be contained.
    source = "import ctypes\nclass A:\n    def initialize(self):\n        ctypes.string_at(0)\n"

    run = sandbox_run(source, disabled=("audit-hook",))

    assert run.outcome.status == "runtime_error"
    assert run.outcome.exit_code == -11
    assert run.outcome.error == messages.SEGFAULT
    assert_still_serves()
