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


def runtime_statistics(
    algorithm: Any, collector: ResultCollector, psr: str | None = None
) -> dict[str, str]:
    """LEAN's runtime banner: Equity, Fees, Holdings, Net Profit, PSR, Return, Unrealized, Volume."""
    from backtesting.engine.statistics.runtime import (
        format_runtime_statistics,
        runtime_probabilistic_sharpe_ratio,
    )

    p = algorithm.portfolio
    tpv = p.total_portfolio_value
    start = collector.samples.start_equity or tpv
    if psr is None:
        try:
            psr = runtime_probabilistic_sharpe_ratio(performance_input(algorithm, collector, None))
        except ValueError:  # no samples yet
            psr = "0%"
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
