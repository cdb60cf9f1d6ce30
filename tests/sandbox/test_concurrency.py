"""Several worker threads share one forkserver; a job costs milliseconds, not an interpreter."""

from __future__ import annotations

import statistics
import threading
import time

from tests.sandbox.conftest import HONEST

NAPPER = """
import time
class A:
    def initialize(self):
        time.sleep(1.0)
        self.log("done " + self.get_parameter("name"))
"""


def test_two_jobs_from_two_threads_run_at_once_and_keep_their_events_apart(sandbox_run):
    sandbox_run(HONEST)  # warm the forkserver so the timing below measures the jobs
    runs: dict[str, object] = {}

    def work(name: str) -> None:
        runs[name] = sandbox_run(NAPPER, parameters={"name": name})

    threads = [threading.Thread(target=work, args=(n,)) for n in ("left", "right")]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    for name in ("left", "right"):
        run = runs[name]
        assert run.outcome.status == "completed"
        assert run.messages()[1:] == [f"done {name}"]
    assert elapsed < 1.8  # two one-second naps overlapped


def test_spawn_overhead_per_job_is_small(sandbox_run, capsys):
    trivial = "class A:\n    def initialize(self):\n        pass\n"
    sandbox_run(trivial)  # the first job pays for starting the forkserver
    seconds = sorted(sandbox_run(trivial).seconds for _ in range(15))
    median = statistics.median(seconds)

    with capsys.disabled():
        print(
            f"\nsandbox spawn overhead per job (stand-in engine, 20 bars): median {median * 1000:.1f} ms"
        )
    assert median < 0.25
