"""Figures measured in-process, without the web server: ``python -m tests.bench.platform_local``.

- build: ``ide.build.build_sources`` (one parse: compile errors, pyflakes and the artifact's
  code) of a 1,000-line project, each run on a slightly different text so nothing is cached;
- sandboxed child start: from submitting a job to a warm forkserver to the first bytes the
  sandboxed child writes on its event pipe (the child has forked, applied its layers and
  started running); the full run of a trivial algorithm is reported alongside.

Prints one JSON line. Runs in its own process so the forkserver it starts dies with it.
"""

from __future__ import annotations

import json
import os
import select
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = os.environ.get("DATA_DIR", str(ROOT.parent / "shared" / "data" / "lean"))

TRIVIAL = """from AlgorithmImports import *


class Trivial(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 7)
        self.add_equity("SPY", Resolution.DAILY)
"""


def build_times(repeats: int) -> tuple[list[float], list[float]]:
    """(wall, CPU) milliseconds of ide.build.build_sources (diagnostics and the artifact's
    code from one parse) on a fresh 1,000-line text.

    CPU time is reported too: on a machine shared with other work the wall time measures
    the neighbours as much as the build."""
    from ide.build import build_sources, has_errors
    from tests.bench.platform_source import thousand_line_project

    times, cpu = [], []
    for i in range(repeats + 2):
        sources = {"main.py": thousand_line_project(variant=i)}
        started, started_cpu = time.perf_counter(), time.process_time()
        diagnostics, modules = build_sources(sources)
        assert not has_errors(diagnostics) and "main" in modules, diagnostics
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times[2:], cpu[2:]  # the first runs import and warm pyflakes


def child_start_times(repeats: int) -> tuple[list[float], list[float], list[str]]:
    """(ms to the child's first output, ms of a whole trivial run, active layers)."""
    from backtesting.engine.loader import compile_sources, pack_artifact
    from backtesting.sandbox import SandboxJob, SandboxLimits, forkserver, supervisor

    blob = pack_artifact(compile_sources({"main.py": TRIVIAL}))
    limits = SandboxLimits(memory_mb=1024, cores=1, cpu_seconds=20, wall_seconds=30)
    job = SandboxJob(artifact=blob, parameters={}, data_dir=DATA_DIR, limits=limits)
    layers: list[str] = []

    def on_events(batch: list[dict]) -> None:
        for event in batch:
            if event.get("type") == "log" and not layers:
                layers.append(str(event.get("message", "")))

    try:
        supervisor.run_sandboxed(job, on_events=on_events, should_stop=lambda: False)  # warm
        starts, runs = [], []
        for _ in range(repeats):
            run = supervisor._Run(job, lambda batch: None, supervisor.config)
            server = forkserver.server_for(run.spec)
            request = run.request()
            started = time.perf_counter()
            handle = server.submit(request)
            try:
                ready, _, _ = select.select([handle.event_fd], [], [], 10)
                if ready:
                    starts.append((time.perf_counter() - started) * 1000)
            finally:
                handle.kill()
                handle.close()
            started = time.perf_counter()
            outcome = supervisor.run_sandboxed(
                job, on_events=lambda b: None, should_stop=lambda: False
            )
            runs.append((time.perf_counter() - started) * 1000)
            assert outcome.status == "completed", outcome
        return starts, runs, layers
    finally:
        forkserver.shutdown_all()


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    build, build_cpu = build_times(repeats)
    starts, runs, layers = child_start_times(repeats)
    print(
        json.dumps(
            {
                "build_ms": build,
                "build_median_ms": statistics.median(build),
                "build_cpu_median_ms": statistics.median(build_cpu),
                "child_start_ms": starts,
                "child_start_median_ms": statistics.median(starts) if starts else None,
                "trivial_run_median_ms": statistics.median(runs) if runs else None,
                "layers": layers[:1],
            }
        )
    )


if __name__ == "__main__":
    main()
