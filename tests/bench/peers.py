"""Peer engines on the benchmark data; runs inside the benchmark's own virtualenv.

Invoked as ``python peers.py ENGINE WORKLOAD DATA_DIR TICKERS...`` by ``tests.bench``; prints one
JSON line ``{"bars", "seconds", "trades"}``. It must not import QuantDesk: PyPI's
``backtesting`` (backtesting.py) has the same import name as our app.

Fill convention: both peers are set to fill at the close of the signal bar
(backtrader ``cheat_on_close``, backtesting.py ``trade_on_close``), which is what LEAN does
for a market order on minute trade data (a signal on a bar that ends at the close becomes
LEAN's market-on-open order, filled at the next open: the same trade, another price).

Signal rule, the same in every engine (``tests/bench/quantdesk.py`` too): the fast average
is above or below the slow one; averages closer than ``TIE`` are a tie and change nothing;
an order goes in when the side flips (buy when above and flat, sell when below and long).
Prices have four decimals, so averages of 10 and 30 closes that differ at all differ by
at least 0.0001 / 30 (3e-6), while float rounding in a running sum over a million bars
stays far below 1e-9. The engines' own ways with an exact tie (backtrader's last non-zero
difference, backtesting.py's strict comparisons, float noise in a running sum) therefore
no longer make their trades differ: on the benchmark's data all three place the same
orders. (backtesting.py calls ``next`` from the bar after the averages' first one, so its
strategy takes that first bar's side itself.)
"""

from __future__ import annotations

import json
import sys
import time
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

FAST, SLOW = 10, 30
TIE = 1e-9


def side(fast: float, slow: float) -> bool | None:
    """True above, False below, None for a tie or a missing average (NaN)."""
    difference = fast - slow
    if not abs(difference) >= TIE:
        return None
    return difference > 0


def load_frame(data_dir: Path, ticker: str) -> pd.DataFrame:
    frames = []
    for path in sorted((data_dir / "equity" / "usa" / "minute" / ticker).glob("*_trade.zip")):
        day = datetime.strptime(path.name[:8], "%Y%m%d")
        with zipfile.ZipFile(path) as archive:
            raw = np.loadtxt(archive.open(archive.namelist()[0]), delimiter=",", ndmin=2)
        index = pd.to_datetime(day) + pd.to_timedelta(raw[:, 0], unit="ms")
        frames.append(
            pd.DataFrame(
                {
                    "Open": raw[:, 1] / 10_000,
                    "High": raw[:, 2] / 10_000,
                    "Low": raw[:, 3] / 10_000,
                    "Close": raw[:, 4] / 10_000,
                    "Volume": raw[:, 5],
                },
                index=index,
            )
        )
    return pd.concat(frames)


def run_backtrader(frames: dict[str, pd.DataFrame], workload: str) -> tuple[float, int]:
    import backtrader as bt

    class Nothing(bt.Strategy):
        def next(self):
            pass

    class Cross(bt.Strategy):
        def __init__(self):
            self.averages = {
                d._name: (bt.ind.SMA(d.close, period=FAST), bt.ind.SMA(d.close, period=SLOW))
                for d in self.datas
            }
            self.above = {}
            self.trades = 0

        def next(self):
            share = 1.0 / len(self.datas)
            for d in self.datas:
                fast, slow = self.averages[d._name]
                above = side(fast[0], slow[0])
                if above is None:
                    continue
                before = self.above.get(d._name)
                self.above[d._name] = above
                if before is None or above == before:
                    continue
                if above and not self.getposition(d).size:
                    self.order_target_percent(d, target=share * 0.99)
                    self.trades += 1
                elif not above and self.getposition(d).size:
                    self.order_target_percent(d, target=0.0)
                    self.trades += 1

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.broker.set_coc(True)
    cerebro.broker.setcash(100_000.0)
    for name, frame in frames.items():
        cerebro.adddata(bt.feeds.PandasData(dataname=frame), name=name)
    cerebro.addstrategy(Cross if workload == "sma" else Nothing)
    start = time.perf_counter()
    result = cerebro.run(runonce=False, preload=True)
    seconds = time.perf_counter() - start
    return seconds, getattr(result[0], "trades", 0)


def run_backtesting_py(frames: dict[str, pd.DataFrame], workload: str) -> tuple[float, int]:
    from backtesting import Backtest, Strategy

    def sma(values, n):
        return pd.Series(values).rolling(n).mean()

    class Nothing(Strategy):
        def init(self):
            pass

        def next(self):
            pass

    class Cross(Strategy):
        orders = 0

        def init(self):
            self.fast = self.I(sma, self.data.Close, FAST)
            self.slow = self.I(sma, self.data.Close, SLOW)
            self.above = None

        def next(self):
            if self.above is None and len(self.data) > 1:
                # next() starts on the bar after the averages' first one: that first bar
                # sets the side, as in the other engines
                self.above = side(self.fast[-2], self.slow[-2])
            above = side(self.fast[-1], self.slow[-1])
            if above is None:
                return
            before, self.above = self.above, above
            if before is None or above == before:
                return
            if above and not self.position:
                self.buy(size=0.99)
                Cross.orders += 1
            elif not above and self.position:
                self.position.close()
                Cross.orders += 1

    seconds = 0.0
    for frame in frames.values():
        bt_run = Backtest(
            frame, Cross if workload == "sma" else Nothing, cash=100_000, trade_on_close=True
        )
        start = time.perf_counter()
        bt_run.run()
        seconds += time.perf_counter() - start
    return seconds, Cross.orders


def main() -> None:
    engine, workload, data_dir, *tickers = sys.argv[1:]
    frames = {t: load_frame(Path(data_dir), t) for t in tickers}
    bars = sum(len(f) for f in frames.values())
    runner = run_backtrader if engine == "backtrader" else run_backtesting_py
    seconds, trades = runner(frames, workload)
    print(json.dumps({"bars": bars, "seconds": seconds, "trades": trades}))


if __name__ == "__main__":
    main()
