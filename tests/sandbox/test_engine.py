"""The real engine through the sandbox: same numbers as an in-process run."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtesting.engine.loader import compile_sources, load_algorithm, pack_artifact
from backtesting.engine.results.sink import MemorySink
from backtesting.sandbox import supervisor
from tests.sandbox.conftest import DATA_DIR, REPO

runner = pytest.importorskip("backtesting.engine.runner")

BASIC = REPO / "tests" / "parity" / "algorithms" / "basic_template_daily.py"


@pytest.fixture(autouse=True)
def real_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor, "config", supervisor.Config())


def _sources(path: Path) -> dict[str, str]:
    return {"main.py": path.read_text()}


def test_basic_template_matches_an_in_process_run(sandbox_run):
    modules = compile_sources(_sources(BASIC))
    direct = MemorySink()
    runner.run_algorithm(load_algorithm(modules), data_dir=DATA_DIR, sink=direct)

    run = sandbox_run(blob=pack_artifact(compile_sources(_sources(BASIC))))

    assert run.outcome.status == "completed", run.outcome.error
    assert run.result["status"] == "Completed"
    assert run.result["statistics"] == direct.result["statistics"]
    sandboxed_orders = [e for e in run.events if e["type"] == "order_event"]
    assert sandboxed_orders == direct.of_type("order_event")
    assert sandboxed_orders  # the template buys SPY


def test_engine_exception_names_main_py_and_the_line(sandbox_run):
    source = BASIC.read_text().replace(
        "    def on_data(self, data):\n",
        "    def on_data(self, data):\n        raise ValueError('boom')\n",
    )
    line = source.splitlines().index("        raise ValueError('boom')") + 1

    run = sandbox_run(blob=pack_artifact(compile_sources({"main.py": source})))

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error == "ValueError: boom"
    assert f'File "main.py", line {line}, in on_data' in run.result["stacktrace"]


def test_sys_exit_in_initialize_through_the_engine(sandbox_run):
    source = BASIC.read_text().replace(
        "        self.set_cash(100000)\n",
        "        self.set_cash(100000)\n        import sys; sys.exit()\n",
    )

    run = sandbox_run(blob=pack_artifact(compile_sources({"main.py": source})))

    assert run.outcome.status == "runtime_error"
    assert "SystemExit" in run.outcome.error


def test_memory_error_through_the_engine_names_the_nodes_memory(sandbox_run):
    from dataclasses import replace

    from backtesting.sandbox import messages
    from tests.sandbox.conftest import LIMITS

    source = BASIC.read_text().replace(
        "        self.set_cash(100000)\n",
        "        self.set_cash(100000)\n        self.hoard = bytearray(20 * 1024**3)\n",
    )

    run = sandbox_run(
        blob=pack_artifact(compile_sources({"main.py": source})),
        limits=replace(LIMITS, memory_mb=1024),
    )

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error == messages.OUT_OF_MEMORY.format(memory_mb=1024)
    assert "MemoryError" in run.result["stacktrace"]


def test_busy_loop_through_the_engine_hits_the_cpu_limit(sandbox_run):
    from dataclasses import replace

    from backtesting.sandbox import messages
    from tests.sandbox.conftest import LIMITS

    source = BASIC.read_text().replace(
        "    def on_data(self, data):\n",
        "    def on_data(self, data):\n        while True:\n            pass\n",
    )

    run = sandbox_run(
        blob=pack_artifact(compile_sources({"main.py": source})),
        limits=replace(LIMITS, cpu_seconds=1),
    )

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error == messages.CPU_EXCEEDED.format(cpu=1)
