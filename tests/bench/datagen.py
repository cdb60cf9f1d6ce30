"""Deterministic benchmark data in LEAN's on-disk format (a seeded random walk).

Writes minute trade bars for every regular-hours minute of real NYSE trading days (holidays
skipped and early closes cut short as the market-hours database says: a session LEAN opens
without data would be filled forward, and the peers, which see only the rows, would trade
on other bars), LEAN's ``x10000`` integer price scaling,
identity factor and map files, and an hour file for SPY (the engine's internal benchmark
feed). Reference files (market hours, symbol properties, interest rates) are copied from
the LEAN sample data. The same seed always gives byte-identical files.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

MINUTES_PER_DAY = 390
#: bumped when the generator writes different files for the same request (cached data sets
#: from an older generator are written again)
GENERATOR_VERSION = 2
REFERENCE_DIRS = ("market-hours", "symbol-properties", "alternative")


def trading_days(lean_dir: Path, start: date, minutes: int) -> list[tuple[date, int]]:
    """NYSE trading days from ``start``, each with its regular session's length in minutes
    (390, fewer on an early close), until they hold at least ``minutes`` minutes."""
    entry = json.loads((lean_dir / "market-hours" / "market-hours-database.json").read_text())[
        "entries"
    ]["Equity-usa-[*]"]
    holidays = {datetime.strptime(d, "%m/%d/%Y").date() for d in entry["holidays"]}
    early = {
        datetime.strptime(d, "%m/%d/%Y").date(): _minutes_after_open(close)
        for d, close in entry.get("earlyCloses", {}).items()
    }
    days: list[tuple[date, int]] = []
    day, total = start, 0
    while total < minutes:
        if day.weekday() < 5 and day not in holidays:
            length = early.get(day, MINUTES_PER_DAY)
            days.append((day, length))
            total += length
        day += timedelta(days=1)
    return days


def _minutes_after_open(close: str) -> int:
    hours, minutes, _ = (int(part) for part in close.split(":"))
    return hours * 60 + minutes - (9 * 60 + 30)


def _day_slices(days: list[tuple[date, int]]) -> list[tuple[date, slice]]:
    """Each day with its rows in the walk (the days' sessions laid end to end)."""
    out, start = [], 0
    for day, length in days:
        out.append((day, slice(start, start + length)))
        start += length
    return out


def random_walk(rng: np.random.Generator, n: int, start_price: float = 100.0) -> np.ndarray:
    """OHLCV rows (float prices, integer volume) of a geometric random walk."""
    closes = start_price * np.exp(np.cumsum(rng.normal(0.0, 0.0007, n)))
    opens = np.concatenate(([start_price], closes[:-1]))
    spread = np.abs(rng.normal(0.0, 0.0004, n)) * closes
    highs = np.maximum(opens, closes) + spread
    lows = np.minimum(opens, closes) - spread
    volume = rng.integers(100, 10_000, n)
    return np.column_stack([opens, highs, lows, closes, volume])


def _write_zip(path: Path, inner_name: str, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    info = zipfile.ZipInfo(inner_name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, text)


def _scaled(values: np.ndarray) -> np.ndarray:
    return np.round(values * 10_000).astype(np.int64)


def write_symbol(out: Path, ticker: str, days: list[tuple[date, int]], rows: np.ndarray) -> None:
    """Minute trade files for ``ticker`` (one zip per day) plus identity factor/map files."""
    base = out / "equity" / "usa"
    millis = (34_200_000 + 60_000 * np.arange(MINUTES_PER_DAY)).astype(np.int64)
    prices = _scaled(rows[:, :4])
    volume = rows[:, 4].astype(np.int64)
    for day, sl in _day_slices(days):
        table = np.column_stack([millis[: sl.stop - sl.start], prices[sl], volume[sl]])
        text = "\n".join(",".join(map(str, row)) for row in table.tolist()) + "\n"
        stamp = day.strftime("%Y%m%d")
        _write_zip(
            base / "minute" / ticker / f"{stamp}_trade.zip",
            f"{stamp}_{ticker}_minute_trade.csv",
            text,
        )
    first = (days[0][0] - timedelta(days=1)).strftime("%Y%m%d")
    (base / "map_files").mkdir(parents=True, exist_ok=True)
    (base / "factor_files").mkdir(parents=True, exist_ok=True)
    (base / "map_files" / f"{ticker}.csv").write_text(f"{first},{ticker},P\n20501231,{ticker},P\n")
    (base / "factor_files" / f"{ticker}.csv").write_text(f"{first},1,1,1\n20501231,1,1,0\n")


def write_hour_benchmark(out: Path, days: list[tuple[date, int]], rows: np.ndarray) -> None:
    """SPY hour bars aggregated from the minute walk (LEAN labels them 09:00 ... 15:00)."""
    frame = pd.DataFrame(rows[:, :5], columns=["open", "high", "low", "close", "volume"])
    lines = []
    for day, sl in _day_slices(days):
        block = frame.iloc[sl]
        # 09:30-10:00 is the first (half) hour, then whole hours (up to an early close)
        edges = [e for e in (0, 30, 90, 150, 210, 270, 330, 390) if e <= len(block)]
        if edges[-1] < len(block):
            edges.append(len(block))
        for h, (a, b) in enumerate(zip(edges, edges[1:], strict=False)):
            part = block.iloc[a:b]
            o, hi, lo, c = (
                part["open"].iloc[0],
                part["high"].max(),
                part["low"].min(),
                part["close"].iloc[-1],
            )
            v = int(part["volume"].sum())
            scaled = _scaled(np.array([o, hi, lo, c]))
            lines.append(f"{day:%Y%m%d} {9 + h:02d}:00,{','.join(map(str, scaled))},{v}")
    _write_zip(out / "equity" / "usa" / "hour" / "spy.zip", "spy.csv", "\n".join(lines) + "\n")


def generate(out: Path, lean_dir: Path, symbols: int, bars_per_symbol: int, seed: int = 7) -> dict:
    """Write a data set of ``symbols`` tickers x ``bars_per_symbol`` minute bars; return its manifest.

    The first ticker is ``spy`` so the engine's internal benchmark reads the same walk.
    """
    marker = out / "manifest.json"
    wanted = {
        "symbols": symbols,
        "bars_per_symbol": bars_per_symbol,
        "seed": seed,
        "generator": GENERATOR_VERSION,
    }
    if marker.exists() and json.loads(marker.read_text()).get("request") == wanted:
        return json.loads(marker.read_text())
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in REFERENCE_DIRS:
        shutil.copytree(lean_dir / name, out / name)
    days = trading_days(lean_dir, date(2010, 1, 4), bars_per_symbol)
    bars = sum(length for _, length in days)
    rng = np.random.default_rng(seed)
    tickers = ["spy"] + [f"s{i:03d}" for i in range(1, symbols)]
    for ticker in tickers:
        rows = random_walk(rng, bars)
        write_symbol(out, ticker, days, rows)
        if ticker == "spy":
            write_hour_benchmark(out, days, rows)
    manifest = {
        "request": wanted,
        "tickers": tickers,
        "start": days[0][0].isoformat(),
        "end": days[-1][0].isoformat(),
        "bars_per_symbol": bars,
    }
    marker.write_text(json.dumps(manifest))
    return manifest
