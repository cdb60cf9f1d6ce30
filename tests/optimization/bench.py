"""What sharing parsed data saves: N sandboxed backtests run as separate backtests, then as
the combinations of one optimization (the first run's data reads warm the forkserver).

Run: ``.venv/bin/python -m tests.optimization.bench [N] [THREADS]`` (default 50, 2). Both
phases use the same forkserver, the same sandbox layers and the same number of threads;
the separate phase runs first so no warm cache helps it.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from backtesting.engine import loader
from backtesting.sandbox import SandboxJob, SandboxLimits, run_sandboxed

ALGORITHM = """from AlgorithmImports import *


class Bench(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.weight = self.get_parameter("weight", 0.5)
        self.add_equity("SPY", Resolution.MINUTE)
        self.add_equity("AAPL", Resolution.MINUTE)
        self.add_equity("IBM", Resolution.MINUTE)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", self.weight)
            self.set_holdings("AAPL", (1 - self.weight) / 2)
            self.set_holdings("IBM", (1 - self.weight) / 2)
"""

DATA_DIR = os.environ.get(
    "DATA_DIR", str(Path(__file__).resolve().parents[3] / "shared" / "data" / "lean")
)
LIMITS = SandboxLimits(memory_mb=8192, cores=1, cpu_seconds=600, wall_seconds=600)


def _run(artifact: bytes, weight: float, warm: tuple = ()) -> tuple[str, list]:
    job = SandboxJob(
        artifact=artifact,
        parameters={"weight": f"{weight:.3f}"},
        data_dir=DATA_DIR,
        limits=LIMITS,
        warm=warm,
    )
    outcome = run_sandboxed(job, on_events=lambda events: None, should_stop=lambda: False)
    assert outcome.status == "completed", outcome.error
    return outcome.status, outcome.data_files


def main(count: int = 50, threads: int = 2) -> None:
    artifact = loader.pack_artifact(loader.compile_sources({"main.py": ALGORITHM}))
    weights = [0.1 + 0.8 * i / max(count - 1, 1) for i in range(count)]
    _run(artifact, 0.5)  # start the forkserver outside the timings

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda w: _run(artifact, w), weights))
    separate = time.perf_counter() - started

    started = time.perf_counter()
    _, data_files = _run(artifact, weights[0])  # the optimization's first combination
    warm = tuple(tuple(key) for key in data_files)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda w: _run(artifact, w, warm), weights[1:]))
    shared = time.perf_counter() - started

    print(f"{count} backtests, {threads} threads, {len(data_files)} cached reads shared")
    print(f"separate backtests:      {separate:7.2f} s ({separate / count:.3f} s each)")
    print(f"one optimization:        {shared:7.2f} s ({shared / count:.3f} s each)")
    print(f"optimization / separate: {shared / separate:.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
