"""Errors in the user's module-level code come back as the algorithm's RuntimeError."""

from __future__ import annotations

import pytest

from backtesting.engine.loader import compile_sources, pack_artifact
from backtesting.engine.results.sink import MemorySink
from backtesting.engine.runner import run_modules
from backtesting.sandbox import supervisor
from tests.sandbox.conftest import DATA_DIR

SOURCE = """from AlgorithmImports import *

LOOKBACK = 10
WEIGHTS = [1 / (LOOKBACK - 10)]


class Broken(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
"""

HELPER_SOURCE = "VALUE = undefined_name\n"


@pytest.fixture(autouse=True)
def real_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor, "config", supervisor.Config())


def test_module_level_error_in_main_is_a_runtime_error_with_the_line(sandbox_run):
    run = sandbox_run(SOURCE)

    assert run.outcome.status == "runtime_error"
    assert run.result["status"] == "RuntimeError"
    assert run.result["error"] == "ZeroDivisionError: division by zero"
    assert 'File "main.py", line 4, in <module>' in run.result["stacktrace"]
    assert "sandbox failed" not in run.result["error"]
    assert "backtesting/engine" not in run.result["stacktrace"]


def test_module_level_error_in_a_helper_names_the_helper(sandbox_run):
    modules = compile_sources(
        {"main.py": "from helpers import VALUE\n" + SOURCE, "helpers.py": HELPER_SOURCE}
    )

    run = sandbox_run(blob=pack_artifact(modules))

    assert run.result["status"] == "RuntimeError"
    assert run.result["error"] == "NameError: name 'undefined_name' is not defined"
    assert 'File "helpers.py", line 1, in <module>' in run.result["stacktrace"]


def test_run_modules_in_process_reports_the_same_result():
    sink = MemorySink()

    result = run_modules(compile_sources({"main.py": SOURCE}), data_dir=DATA_DIR, sink=sink)

    assert result["status"] == "RuntimeError"
    assert 'File "main.py", line 4, in <module>' in result["stacktrace"]
    assert sink.result == result
