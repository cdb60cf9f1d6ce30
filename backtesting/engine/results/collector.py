"""Sampling, charts, logs and the final statistics (LEAN's BacktestingResultHandler).

Sampling follows LEAN_SEMANTICS 1.9: a daily sample at every calendar midnight (fired by
the scheduler, weekends included), a final sample at the last time slice, and an
intraday Strategy Equity point whenever time passes the previous point + the resample
period. The collector only records numbers; statistics are pure functions elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backtesting.engine.results.sink import ResultSink

#: LEAN samples the equity chart at most this often (and at most 4000 points per run)
MINIMUM_SAMPLE_PERIOD = timedelta(minutes=4)
SAMPLES_PER_RUN = 4000

#: charts the engine samples itself (bounded by the sampling period, never capped)
BUILT_IN_CHARTS = frozenset({"Strategy Equity", "Benchmark", "Drawdown", "Portfolio Turnover"})
#: points kept per chart series (LEAN's cloud keeps 4,000 per series); plotting more is dropped
MAX_SERIES_POINTS = 4000
SERIES_CAPPED = (
    "Chart '{chart}' series '{series}' reached {limit} points; later points are not recorded. "
    "Plot less often (for example from a scheduled event)."
)

_EPOCH = datetime(1970, 1, 1)


def unix(moment: datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


def smart_round(value: float) -> float:
    """LEAN's SmartRounding: 4 decimals above 1000, otherwise 7 significant digits."""
    if value == 0 or not math.isfinite(value):
        return 0.0 if not math.isfinite(value) else value
    d = Decimal(repr(value))
    if abs(d) > 1000:
        return float(round(d, 4))
    digits = 7 - (int(math.floor(math.log10(abs(value)))) + 1)
    return float(round(d, digits))


@dataclass
class Samples:
    """Everything the statistics need, in time order."""

    start_equity: float = 0.0
    sample_times: list[datetime] = field(default_factory=list)
    sample_equity: list[float] = field(default_factory=list)
    sample_benchmark: list[float] = field(default_factory=list)
    sample_sales_volume: list[float] = field(default_factory=list)
    sample_total_sale_volume: list[float] = field(default_factory=list)
    daily_performance: list[float] = field(default_factory=list)
    equity_times: list[datetime] = field(default_factory=list)
    equity_values: list[float] = field(default_factory=list)


class ResultCollector:
    """Receives the loop's sampling calls and forwards chart/log events to the sink."""

    def __init__(self, sink: ResultSink, start: datetime, end: datetime) -> None:
        self.sink = sink
        total = end - start
        self.resample_period = max(MINIMUM_SAMPLE_PERIOD, total / SAMPLES_PER_RUN)
        self.samples = Samples()
        self.next_sample: datetime | None = None
        self._last_sales_volume = 0.0
        self._daily_value = 0.0
        self._cumulative_max = 0.0
        self.logs: list[dict[str, Any]] = []
        self.charts: dict[str, dict[str, list[list[float]]]] = {}
        self.runtime_statistics: dict[str, str] = {}
        #: the banner's running PSR (``report.RunningPsr``), kept across refreshes
        self.running_psr: Any = None
        self.start = start
        self._capped: set[tuple[str, str]] = set()

    # -- charts and logs ---------------------------------------------------------
    def chart(
        self, chart: str, series: str, time: datetime, value: float, unit: str | None = None
    ) -> None:
        points = self.charts.setdefault(chart, {}).setdefault(series, [])
        t = unix(time)
        if points and points[-1][0] == t:
            points[-1][1] = value
        elif len(points) >= MAX_SERIES_POINTS and chart not in BUILT_IN_CHARTS:
            if (chart, series) not in self._capped:
                self._capped.add((chart, series))
                self.log(
                    "debug",
                    time,
                    SERIES_CAPPED.format(chart=chart, series=series, limit=MAX_SERIES_POINTS),
                )
            return
        else:
            points.append([t, value])
        event: dict[str, Any] = {
            "type": "chart",
            "chart": chart,
            "series": series,
            "time": t,
            "value": value,
        }
        if unit:
            event["unit"] = unit
        self.sink.emit(event)

    def log(self, level: str, time: datetime, message: str) -> None:
        entry = {"type": "log", "time": time.isoformat(), "level": level, "message": str(message)}
        self.logs.append(entry)
        self.sink.emit(entry)

    # -- sampling ----------------------------------------------------------------
    def begin(self, equity: float) -> None:
        """Capture the starting portfolio value (again after warm-up)."""
        self.samples.start_equity = equity
        self._daily_value = equity
        self._cumulative_max = equity

    def daily_sample(
        self, time: datetime, equity: float, benchmark: float, sales_volume: float
    ) -> None:
        """The midnight (and final) sample: equity, benchmark, performance, drawdown, turnover."""
        s = self.samples
        performance = (
            0.0
            if self._daily_value == 0
            else round((equity - self._daily_value) * 100 / self._daily_value, 10)
        )
        self._cumulative_max = max(self._cumulative_max, equity)
        if s.sample_times and s.sample_times[-1] == time:
            s.sample_equity[-1] = equity
            s.sample_benchmark[-1] = benchmark
            s.daily_performance[-1] = performance
            s.sample_sales_volume[-1] += sales_volume - self._last_sales_volume
            s.sample_total_sale_volume[-1] = sales_volume
        else:
            s.sample_times.append(time)
            s.sample_equity.append(equity)
            s.sample_benchmark.append(benchmark)
            s.daily_performance.append(performance)
            s.sample_sales_volume.append(sales_volume - self._last_sales_volume)
            s.sample_total_sale_volume.append(sales_volume)
        self._record_equity_point(time, equity)
        self.chart("Strategy Equity", "Return", time, performance, "%")
        self.chart("Benchmark", "Benchmark", time, benchmark)
        if self._cumulative_max:
            drawdown = round((equity / self._cumulative_max - 1) * 100, 2)
            self.chart("Drawdown", "Equity Drawdown", time, drawdown, "%")
        if time != self.start and equity:
            self.chart(
                "Portfolio Turnover",
                "Portfolio Turnover",
                time,
                (sales_volume - self._last_sales_volume) / equity * 100,
                "%",
            )
        self._last_sales_volume = sales_volume
        self._daily_value = equity

    def step(self, time: datetime, equity: float) -> bool:
        """Called after every time step; records an intraday equity point when due."""
        if self.next_sample is None or time > self.next_sample:
            self.next_sample = time + self.resample_period
            self._record_equity_point(time, equity)
            return True
        return False

    def _record_equity_point(self, time: datetime, equity: float) -> None:
        s = self.samples
        if s.equity_times and s.equity_times[-1] == time:
            s.equity_values[-1] = equity
        else:
            s.equity_times.append(time)
            s.equity_values.append(equity)
        self.chart("Strategy Equity", "Equity", time, round(equity, 2), "$")
