"""An optimization's combinations share the market data parsed for the first one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backtesting.engine import loader
from backtesting.engine.data import readers, warm
from backtesting.sandbox import SandboxJob, SandboxLimits, SandboxOutcome, run_sandboxed
from tests.optimization.conftest import finished, wait_for

DATA_DIR = os.environ["DATA_DIR"]
SPY_DAILY = str(Path(DATA_DIR).resolve() / "equity" / "usa" / "daily" / "spy.zip")

ALGORITHM = """from AlgorithmImports import *


class Daily(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 31)
        self.add_equity("SPY", Resolution.DAILY)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", self.get_parameter("weight", 0.5))
"""


def test_preload_parses_data_files_once_and_refuses_anything_else() -> None:
    readers._read_csv_cached.cache_clear()
    keys = [
        ["csv", SPY_DAILY, 6],
        ["csv", "/etc/passwd", 6],  # outside the data folder
        ["csv", SPY_DAILY + "/../../../../../../../etc/passwd", 6],
        ["numeric", SPY_DAILY, "6", False],  # wrong types
        ["exec", "print(1)"],  # not a reader
        ["factor", "/tmp", "spy"],  # not the data folder
    ]
    assert warm.preload(keys, DATA_DIR) == 1
    info = readers._read_csv_cached.cache_info()
    assert info.currsize == 1 and info.misses == 1
    readers._read_csv(Path(SPY_DAILY), 6)  # the engine's next read is a cache hit
    assert readers._read_csv_cached.cache_info().hits == info.hits + 1


def test_the_forkserver_hands_every_child_the_parsed_databases(tmp_path) -> None:
    """Every backtest reads the market-hours and symbol-properties databases: the
    forkserver parses its data folder's once, before forking, and children hit the cache."""
    from backtesting.engine.data import market_hours, symbol_properties
    from backtesting.sandbox import server

    for cached in (market_hours._load, symbol_properties._load):
        cached.cache_clear()
    server._warm([], DATA_DIR)  # what the server does with each request, before forking
    for cached in (market_hours._load, symbol_properties._load):
        assert cached.cache_info().currsize == 1
    market_hours.MarketHoursDatabase.from_data_dir(Path(DATA_DIR))  # the child's reads
    symbol_properties.SymbolPropertiesDatabase.from_data_dir(Path(DATA_DIR))
    for cached in (market_hours._load, symbol_properties._load):
        assert cached.cache_info().hits == 1
    server._warm([], str(tmp_path))  # a folder without them: the child reports it, not this


def test_a_run_reports_its_reads_and_a_run_forked_warm_gives_the_same_result() -> None:
    artifact = loader.pack_artifact(loader.compile_sources({"main.py": ALGORITHM}))
    limits = SandboxLimits(memory_mb=8192, cores=1, cpu_seconds=60, wall_seconds=60)
    results: list[dict] = []

    def run(warm_keys: tuple) -> SandboxOutcome:
        job = SandboxJob(
            artifact=artifact,
            parameters={"weight": "0.8"},
            data_dir=DATA_DIR,
            limits=limits,
            warm=warm_keys,
        )
        events: list[dict] = []
        outcome = run_sandboxed(job, on_events=events.extend, should_stop=lambda: False)
        assert outcome.status == "completed", outcome.error
        assert not [e for e in events if e["type"].startswith("sandbox.")]  # kept off the stream
        results.append(next(e for e in events if e["type"] == "result")["statistics"])
        return outcome

    cold = run(())
    assert ["csv", SPY_DAILY, 6] in [
        [k[0], os.path.realpath(k[1]), *k[2:]] for k in cold.data_files
    ]
    run(tuple(cold.data_files))
    assert results[0] == results[1]
    assert results[0]["Net Profit"] != "0%"


@pytest.mark.django_db(transaction=True)
def test_later_batches_are_forked_with_the_first_ones_reads(
    api, owner, project, stub_worker, monkeypatch, settings
) -> None:
    settings.BMICRO_DELAY_SECONDS = 0
    jobs: list[SandboxJob] = []
    reads = [["csv", SPY_DAILY, 6]]

    def fake_sandbox(job, on_events, should_stop, on_done=None, on_run=None):
        jobs.append(job)
        outcome = SandboxOutcome(status="completed", error=None, exit_code=0, data_files=reads)
        for index in range(len(job.runs)):
            on_run(index)
            if index == len(job.runs) - 1:
                on_done(outcome)  # as the sandbox does: the next batch may start from here
            result = {"type": "result", "status": "Completed", "statistics": {"Sharpe Ratio": "1"}}
            on_events([result])
        return outcome

    monkeypatch.setattr("backtesting.sandbox.run_sandboxed", fake_sandbox)
    created = api(owner).post(
        "/api/optimizations/",
        {
            "project": project.pk,
            "parameters": [{"name": "weight", "min": 0.02, "max": 0.5, "step": 0.02}],
            "parallel_nodes": 1,
            "node_type": "O4-12",
        },
        format="json",
    )
    wait_for(finished(created.data["id"]))
    assert [len(job.runs) for job in jobs] == [10, 10, 5]
    assert [job.warm for job in jobs] == [(), tuple(reads), tuple(reads)]
    # the optimization node type's limits, not a backtesting node's
    assert {job.limits.memory_mb for job in jobs} == {12 * 1024}
