"""``python -m backtesting.engine run ALGO.py --data DIR [--parameter K=V ...] [--output OUT.json]``.

Runs one algorithm through the same ``run_algorithm`` the platform uses, shows progress
on stderr, prints the statistics table on stdout and writes OUT.json. The exit status is
0 only when the run completed. The same inputs always give a byte-identical OUT.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from backtesting.engine.loader import load_algorithm_file
from backtesting.engine.results.console import ConsoleSink
from backtesting.engine.runner import RunState, run_algorithm

USAGE_ERROR = 2


def _parameters(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--parameter expects KEY=VALUE, got {pair!r}")
        out[key.strip()] = value.strip()
    return out


def build_output(result: dict[str, Any], state: RunState, sink: ConsoleSink) -> dict[str, Any]:
    """OUT.json's shape (issue 3): status, error, statistics, runtimeStatistics, charts, orders, logs."""
    collector = state.collector
    return {
        "status": result["status"],
        "error": (result["error"] + ("\n" + result["stacktrace"] if result["stacktrace"] else ""))
        or None,
        "statistics": result["statistics"],
        "runtimeStatistics": result["runtime_statistics"],
        "charts": collector.charts if collector else {},
        "orders": [sink.orders[k] for k in sorted(sink.orders)],
        "logs": [
            {"time": e["time"], "level": e["level"], "message": e["message"]}
            for e in (collector.logs if collector else [])
        ],
    }


def print_table(statistics: dict[str, str], stream: Any) -> None:
    width = max((len(k) for k in statistics), default=0)
    for key, value in statistics.items():
        print(f"{key.ljust(width)}  {value}", file=stream)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backtesting.engine")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="backtest one algorithm file")
    run.add_argument("algorithm", type=Path)
    run.add_argument("--data", type=Path, required=True, help="LEAN data folder")
    run.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE")
    run.add_argument("--output", type=Path, default=None, metavar="OUT.json")
    args = parser.parse_args(argv)
    if not args.algorithm.exists():
        print(f"no such file: {args.algorithm}", file=sys.stderr)
        return USAGE_ERROR
    sink = ConsoleSink(sys.stderr)
    state = RunState()
    try:
        algorithm_type = load_algorithm_file(args.algorithm)
    except Exception as exc:  # a syntax error or a missing class: report like a runtime error
        result = {
            "type": "result",
            "status": "RuntimeError",
            "error": f"{type(exc).__name__}: {exc}",
            "stacktrace": "",
            "statistics": {},
            "runtime_statistics": {},
        }
    else:
        result = run_algorithm(
            algorithm_type,
            data_dir=args.data,
            sink=sink,
            parameters=_parameters(args.parameter),
            state=state,
        )
    if result["status"] != "Completed":
        print(f"{result['status']}: {result['error']}\n{result['stacktrace']}", file=sys.stderr)
    print_table(result["statistics"], sys.stdout)
    if args.output is not None:
        output = build_output(result, state, sink)
        args.output.write_text(json.dumps(output, indent=1, sort_keys=False, default=str) + "\n")
    return 0 if result["status"] == "Completed" else 1


if __name__ == "__main__":
    sys.exit(main())
