"""The command line: statistics on stdout, OUT.json byte-identical across runs, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ALGORITHM = REPO / "tests" / "parity" / "algorithms" / "parameterized.py"


def run_cli(
    data_dir: Path, output: Path, algorithm: Path = ALGORITHM
) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "backtesting.engine",
        "run",
        str(algorithm),
        "--data",
        str(data_dir),
        "--parameter",
        "ema-fast=10",
        "--parameter",
        "ema-slow=20",
        "--output",
        str(output),
    ]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_two_runs_write_byte_identical_output(lean_data_dir, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    one = run_cli(lean_data_dir, first)
    two = run_cli(lean_data_dir, second)
    assert one.returncode == 0 and two.returncode == 0, one.stderr
    assert first.read_bytes() == second.read_bytes()
    out = json.loads(first.read_text())
    assert set(out) == {
        "status",
        "error",
        "statistics",
        "runtimeStatistics",
        "charts",
        "orders",
        "logs",
    }
    assert out["status"] == "Completed"
    assert out["statistics"]["End Equity"] == "101742.04"
    assert "Strategy Equity" in out["charts"] and "Benchmark" in out["charts"]
    assert out["orders"][0]["events"][-1]["status"] == "Filled"
    assert "End Equity" in one.stdout and "101742.04" in one.stdout
    assert "%" in one.stderr  # the progress bar


def test_a_failing_algorithm_exits_non_zero(lean_data_dir, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text(
        "from AlgorithmImports import *\n\n"
        "class Broken(QCAlgorithm):\n"
        "    def initialize(self):\n"
        "        raise ValueError('boom')\n"
    )
    result = run_cli(lean_data_dir, tmp_path / "out.json", broken)
    assert result.returncode == 1
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["status"] == "RuntimeError" and "boom" in out["error"]
    assert 'broken.py", line 5' in out["error"]
