"""Final and runtime statistics: hand the recorded samples to the statistics package."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from backtesting.engine.clock import to_utc
from backtesting.engine.results.collector import ResultCollector


def money(value: float) -> Decimal:
    """A float amount as a Decimal; integral values keep scale 0 ("100000", as LEAN prints)."""
    if float(value).is_integer():
        return Decimal(int(value))
    return Decimal(repr(float(value)))


def performance_input(algorithm: Any, collector: ResultCollector, data_dir: Path | None) -> Any:
    """The statistics package's input, built from what the collector and portfolio recorded."""
    from backtesting.engine.statistics import PerformanceInput

    s = collector.samples
    return PerformanceInput(
        start_equity=money(s.start_equity),
        equity_times=[to_utc(t) for t in s.equity_times],
        equity_values=[money(v) for v in s.equity_values],
        sample_times=[to_utc(t) for t in s.sample_times],
        sample_equity=[money(v) for v in s.sample_equity],
        sample_benchmark=[money(v) for v in s.sample_benchmark],
        sample_total_sale_volume=[money(v) for v in s.sample_total_sale_volume],
        trade_pnls=[(to_utc(t), money(p)) for t, p in algorithm.portfolio.trade_pnls],
        total_fees=algorithm.portfolio.total_fees_decimal,
        total_orders=algorithm.transactions.orders_count,
        trading_days_per_year=algorithm.trading_days_per_year,
        interest_rates=_rates(data_dir) if data_dir is not None else None,
        start_time=to_utc(collector.start),
        lowest_capacity_asset=_lowest_capacity_asset(algorithm),
    )


def _rates(data_dir: Path) -> Any:
    from backtesting.engine.statistics import InterestRateProvider

    return InterestRateProvider(data_dir)


def final_statistics(algorithm: Any, collector: ResultCollector, data_dir: Path) -> dict[str, str]:
    """LEAN's statistics dict for the finished run."""
    from backtesting.engine.statistics import compute_statistics

    stats = compute_statistics(performance_input(algorithm, collector, data_dir))
    stats.update(algorithm.statistics.custom)
    return stats


def _lowest_capacity_asset(algorithm: Any) -> str:
    traded = [o.symbol for o in algorithm.transactions.get_orders()]
    return str(traded[0]) if traded else ""


class RunningPsr:
    """The banner's PSR over one run's samples so far, each sample converted once."""

    def __init__(self, start_equity: float) -> None:
        from backtesting.engine.statistics.series import DailyPerformance

        self.start_equity = start_equity
        self._times: list[datetime] = []
        self._values: list[Decimal] = []
        self._performance = DailyPerformance(money(start_equity))

    def __call__(self, algorithm: Any, collector: ResultCollector) -> str:
        from backtesting.engine.statistics.runtime import samples_probabilistic_sharpe_ratio

        s = collector.samples
        final = len(s.sample_times) - 1  # the last sample may still be replaced
        for i in range(len(self._times), final):
            self._times.append(to_utc(s.sample_times[i]))
            self._values.append(money(s.sample_equity[i]))
        times, values = self._times[:final], self._values[:final]
        if final >= 0:
            times.append(to_utc(s.sample_times[final]))
            values.append(money(s.sample_equity[final]))
        return samples_probabilistic_sharpe_ratio(
            money(self.start_equity),
            times,
            values,
            algorithm.trading_days_per_year,
            performance=self._performance,
        )


def runtime_statistics(
    algorithm: Any, collector: ResultCollector, psr: str | None = None
) -> dict[str, str]:
    """LEAN's runtime banner: Equity, Fees, Holdings, Net Profit, PSR, Return, Unrealized, Volume."""
    from backtesting.engine.statistics.runtime import format_runtime_statistics

    p = algorithm.portfolio
    tpv = p.total_portfolio_value
    start = collector.samples.start_equity or tpv
    if psr is None:
        running = collector.running_psr
        if running is None or running.start_equity != collector.samples.start_equity:
            running = collector.running_psr = RunningPsr(collector.samples.start_equity)
        psr = running(algorithm, collector)
    return format_runtime_statistics(
        equity=money(tpv),
        start_equity=money(start),
        fees=p.total_fees_decimal,
        holdings=money(p.total_holdings_value),
        net_profit=money(p.total_profit - p.total_fees),
        unrealized=money(p.total_unrealized_profit),
        volume=money(p.total_sale_volume),
        probabilistic_sharpe_ratio=psr,
        user_statistics=algorithm.runtime_statistics,
    )


def _currency(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


__all__ = ["final_statistics", "runtime_statistics", "datetime"]
