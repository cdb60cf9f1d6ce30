"""``make bench``: one table of engine throughput (QuantDesk vs backtrader vs backtesting.py).

Usage: ``python -m tests.bench [--quick] [--repeats N] [--peer-repeats N]
[--only quantdesk,backtrader,backtesting.py] [--no-platform]``

1. Generates the data sets (seeded random walk, LEAN format) under ``bench-results/data``.
2. Installs the peers into their own virtualenv ``.bench-venv`` (PyPI's ``backtesting`` would
   shadow our app of the same name).
3. Runs every engine x workload ``--repeats`` times in a fresh subprocess, takes the median,
   and prints bars per second, ratios and QuantDesk's peak RSS per loaded bar.
4. Writes the table as JSON to ``bench-results/latest.json`` (and a time-stamped copy).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.datagen import generate

ROOT = Path(__file__).resolve().parents[2]
LEAN_DIR = Path(os.environ.get("DATA_DIR", ROOT.parent / "shared" / "data" / "lean"))
RESULTS = ROOT / "bench-results"
PEER_VENV = ROOT / ".bench-venv"
PEER_PACKAGES = ["backtrader==1.9.78.123", "backtesting==0.6.6", "numpy", "pandas"]

#: workload name -> (symbols, bars per symbol, strategy)
FULL = {
    "1 x 1,000,000 do-nothing": (1, 1_000_000, "nothing"),
    "1 x 1,000,000 SMA cross": (1, 1_000_000, "sma"),
    "100 x 20,000 do-nothing": (100, 20_000, "nothing"),
    "100 x 20,000 SMA cross": (100, 20_000, "sma"),
}
QUICK = {
    "1 x 100,000 do-nothing": (1, 100_000, "nothing"),
    "1 x 100,000 SMA cross": (1, 100_000, "sma"),
    "20 x 5,000 do-nothing": (20, 5_000, "nothing"),
    "20 x 5,000 SMA cross": (20, 5_000, "sma"),
}
TARGETS = {("1", "nothing"): 600_000, ("1", "sma"): 300_000, ("100", "nothing"): 1_000_000}


def ensure_peer_venv() -> Path:
    python = PEER_VENV / "bin" / "python"
    marker = PEER_VENV / ".installed"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
        marker.write_text("\n".join(PEER_PACKAGES))
    return python


def run_json(cmd: list[str], cwd: Path) -> dict:
    out = subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(engine: str, strategy: str, data: Path, manifest: dict, repeats: int) -> dict:
    tickers = manifest["tickers"]
    bars = manifest["bars_per_symbol"] * len(tickers)
    runs = []
    for _ in range(repeats):
        if engine == "quantdesk":
            cmd = [
                sys.executable,
                "-m",
                "tests.bench.quantdesk",
                strategy,
                str(data),
                manifest["start"],
                manifest["end"],
                *tickers,
            ]
            runs.append(run_json(cmd, ROOT))
        else:
            peer = "backtrader" if engine == "backtrader" else "backtesting"
            cmd = [
                str(ensure_peer_venv()),
                # -P: not the script's folder on sys.path (tests/bench/platform.py would
                # shadow the standard library's platform module inside numpy and pandas)
                "-P",
                str(Path(__file__).with_name("peers.py")),
                peer,
                strategy,
                str(data),
                *tickers,
            ]
            runs.append(run_json(cmd, Path("/tmp")))
    seconds = statistics.median(r["seconds"] for r in runs)
    row = {
        "bars": bars,
        "seconds": seconds,
        "bars_per_second": bars / seconds,
        "trades": runs[0]["trades"],
    }
    if engine == "quantdesk":
        in_memory = statistics.median(r["seconds"] - r["load_seconds"] for r in runs)
        row.update(
            load_seconds=statistics.median(r["load_seconds"] for r in runs),
            in_memory_bars_per_second=bars / in_memory,
        )
        peak = statistics.median(r["peak_rss_mb"] for r in runs)
        base = statistics.median(r["baseline_rss_mb"] for r in runs)
        row.update(peak_rss_mb=peak, bytes_per_bar=(peak - base) * 1024 * 1024 / bars)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller workloads for a smoke run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--peer-repeats",
        type=int,
        default=None,
        help="runs per peer engine (default: --repeats); backtrader takes minutes per run",
    )
    parser.add_argument("--only", default="quantdesk,backtrader,backtesting.py")
    parser.add_argument(
        "--platform",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the platform figures against a server it starts (tests/bench/platform.py)",
    )
    args = parser.parse_args()
    engines = args.only.split(",")
    workloads = QUICK if args.quick else FULL
    table: dict[str, dict] = {}
    for name, (symbols, bars, strategy) in workloads.items():
        data = RESULTS / "data" / f"{symbols}x{bars}"
        print(f"[bench] data {data.name} ...", file=sys.stderr)
        manifest = generate(data, LEAN_DIR, symbols, bars)
        table[name] = {"symbols": symbols, "strategy": strategy}
        for engine in engines:
            print(f"[bench] {name}: {engine}", file=sys.stderr)
            try:
                repeats = args.repeats
                if engine != "quantdesk" and args.peer_repeats is not None:
                    repeats = args.peer_repeats
                table[name][engine] = measure(engine, strategy, data, manifest, repeats)
                table[name][engine]["repeats"] = repeats
            except (subprocess.CalledProcessError, json.JSONDecodeError) as exc:
                detail = getattr(exc, "stderr", "") or str(exc)
                table[name][engine] = {
                    "error": detail.strip().splitlines()[-1] if detail else "failed"
                }
    print_table(table, engines)
    RESULTS.mkdir(exist_ok=True)
    payload = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "quick": args.quick, "workloads": table}
    if args.platform:
        from tests.bench.platform import measure as measure_platform
        from tests.bench.platform import print_rows

        payload["platform"] = measure_platform(repeats=5 if args.quick else 10)
        print_rows(payload["platform"])
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2))
    (RESULTS / f"bench-{payload['time']}.json").write_text(json.dumps(payload, indent=2))


def print_table(table: dict, engines: list[str]) -> None:
    header = f"{'workload':28}" + "".join(f"{e + ' bars/s':>24}" for e in engines)
    header += f"{'QD in memory':>14}{'vs bt':>8}{'vs bt.py':>10}{'target (e2e / in memory)':>28}"
    header += f"{'peak RSS':>10}{'B/bar':>8}{'orders':>20}"
    print(header)
    print("-" * len(header))
    for name, row in table.items():
        line = f"{name:28}"
        for engine in engines:
            cell = row.get(engine, {})
            line += (
                f"{cell['bars_per_second']:>24,.0f}"
                if "bars_per_second" in cell
                else f"{'error':>24}"
            )
        q = row.get("quantdesk", {})
        ours = q.get("bars_per_second")
        in_memory = q.get("in_memory_bars_per_second")
        line += f"{in_memory:>14,.0f}" if in_memory else f"{'-':>14}"

        def ratio(peer: str, ours: float | None = in_memory, row: dict = row) -> str:
            # like for like: the peers' timers start with their data in memory
            theirs = row.get(peer, {}).get("bars_per_second")
            return f"{ours / theirs:.1f}x" if ours and theirs else "-"

        def meets(figure: float | None, target: int) -> str:
            return "ok" if figure and figure >= target else "MISS"

        target = TARGETS.get((str(row["symbols"]), row["strategy"]))
        verdict = (
            "-" if not target else f"{target:,} {meets(ours, target)} / {meets(in_memory, target)}"
        )
        orders = "/".join(str(row.get(e, {}).get("trades", "-")) for e in engines)
        # widths fit "1,000,000 MISS" and three engines' order counts
        line += f"{ratio('backtrader'):>8}{ratio('backtesting.py'):>10}{verdict:>28}"
        line += f"{q.get('peak_rss_mb', 0):>8.0f}MB{q.get('bytes_per_bar', 0):>8.0f}{orders:>20}"
        print(line)
    print(
        "\nFill convention: all engines fill a market order at the close of the signal bar "
        "(LEAN on minute trade bars; backtrader cheat_on_close; backtesting.py trade_on_close), "
        "except that LEAN turns a signal on the bar ending at the 16:00 close into a "
        "market-on-open order, filled at the next open. Signals: the same rule in every engine "
        "(tests/bench/peers.py), so the order counts should match."
    )
    print(
        "QuantDesk's first column is end to end (reading LEAN's zipped files included); "
        "'QD in memory' leaves out that load, as the peers' timers do. Ratios compare "
        "in-memory figures."
    )
    print("Targets apply to the full workloads (make bench); orders = orders placed per engine.")


if __name__ == "__main__":
    main()
