"""An optimization's batch: one sandboxed child runs several parameter sets in turn.

Each run is announced (``on_run``), streams its own events from the layer report to its
own result, and starts from freshly loaded modules; a failing run does not end the batch,
a dying child ends it at the run under way, and a declined run stops the child.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from backtesting.sandbox import SandboxJob, SandboxLimits, supervisor
from tests.sandbox.conftest import DATA_DIR, LIMITS, artifact

COUNTING = """
import os

RUNS = []  # module state: a fresh module per run starts it empty again


class Counting:
    def initialize(self):
        RUNS.append(self.get_parameter("name"))
        self.log(f"run {self.get_parameter('name')} sees {RUNS}")
        behaviour = self.get_parameter("behaviour")
        if behaviour == "raise":
            raise ValueError("bad parameter")
        if behaviour == "exit":
            os._exit(3)
        if behaviour == "sleep":
            import time
            time.sleep(float(self.get_parameter("seconds")))
"""


@dataclasses.dataclass
class BatchRun:
    announced: list[int]
    #: each announced run's events, in order
    streams: dict[int, list[dict[str, Any]]]
    done: int


def run_batch(
    runs: list[dict[str, str]], *, limits: SandboxLimits = LIMITS, decline: int | None = None
) -> BatchRun:
    job = SandboxJob(
        artifact=artifact(COUNTING),
        parameters={},
        data_dir=str(DATA_DIR),
        limits=limits,
        runs=tuple(runs),
    )
    batch = BatchRun(announced=[], streams={}, done=0)

    def on_run(index: int) -> bool:
        batch.announced.append(index)
        batch.streams[index] = []
        return index != decline

    def on_events(events: list[dict[str, Any]]) -> None:
        batch.streams[batch.announced[-1]].extend(events)

    def on_done(outcome: Any) -> None:
        batch.done += 1

    supervisor.run_sandboxed(
        job, on_events=on_events, should_stop=lambda: False, on_done=on_done, on_run=on_run
    )
    return batch


def _messages(events: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in events if e["type"] == "log"]


def test_each_run_streams_its_own_events_from_fresh_modules() -> None:
    batch = run_batch([{"name": "a"}, {"name": "b"}, {"name": "c"}])
    assert batch.announced == [0, 1, 2] and batch.done == 1
    for index, name in enumerate("abc"):
        events = batch.streams[index]
        assert events[0]["message"].startswith("Sandbox layers: ")
        assert [e["type"] for e in events].count("result") == 1
        assert events[-1]["type"] == "result" and events[-1]["status"] == "Completed"
        assert f"run {name} sees ['{name}']" in _messages(events)


def test_a_failing_run_ends_alone_and_the_batch_goes_on() -> None:
    batch = run_batch([{"name": "a"}, {"name": "b", "behaviour": "raise"}, {"name": "c"}])
    results = [batch.streams[i][-1] for i in range(3)]
    assert [r["status"] for r in results] == ["Completed", "RuntimeError", "Completed"]
    assert results[1]["error"] == "ValueError: bad parameter"
    assert "bad parameter" in results[1]["stacktrace"]


def test_a_dying_child_ends_the_run_under_way_and_reaches_no_further() -> None:
    batch = run_batch([{"name": "a"}, {"name": "b", "behaviour": "exit"}, {"name": "c"}])
    assert batch.announced == [0, 1] and batch.done == 1
    assert batch.streams[0][-1]["status"] == "Completed"
    died = batch.streams[1][-1]
    assert died["type"] == "result" and died["status"] == "RuntimeError"
    assert "(exit code 3) without reporting a result" in died["error"]


def test_a_declined_run_stops_the_child() -> None:
    batch = run_batch([{"name": "a"}, {"name": "b"}, {"name": "c"}], decline=1)
    assert batch.announced == [0, 1]  # the third never started
    assert batch.streams[0][-1]["status"] == "Completed"
    assert batch.streams[1][-1]["status"] == "Stopped"


def test_the_wall_clock_restarts_with_each_run() -> None:
    limits = dataclasses.replace(LIMITS, wall_seconds=1.5)
    runs = [{"name": n, "behaviour": "sleep", "seconds": "0.9"} for n in "ab"]
    batch = run_batch([*runs, {"name": "c", "behaviour": "sleep", "seconds": "5"}], limits=limits)
    statuses = [batch.streams[i][-1]["status"] for i in range(3)]
    assert statuses == ["Completed", "Completed", "RuntimeError"]
    assert "1.5" in batch.streams[2][-1]["error"]
