"""``compute_statistics``: LEAN's statistics summary, string for string.

Follows ``StatisticsBuilder.Generate`` and ``GetSummary`` (``Common/Statistics``): the
recorded samples become LEAN's series (:mod:`.series`), the series become
``PortfolioStatistics`` (:mod:`.portfolio`), and each value is printed with the rounding
and the decimal-or-double formatting LEAN uses for that statistic.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, localcontext

from backtesting.engine.statistics.csharp import (
    DECIMAL_CONTEXT,
    as_decimal,
    double_from_decimal,
    format_decimal,
    format_double,
    format_fixed,
    round_decimal,
    round_double,
    safe_multiply_100,
)
from backtesting.engine.statistics.inputs import PerformanceInput
from backtesting.engine.statistics.portfolio import PortfolioStatistics, portfolio_statistics
from backtesting.engine.statistics.series import (
    average_risk_free_rate,
    build_series,
    round_to_significant_digits,
)

__all__ = ["STATISTIC_NAMES", "compute_statistics", "format_summary"]

#: LEAN's statistic names in LEAN's order (``PerformanceMetrics`` + "OrderListHash")
STATISTIC_NAMES = (
    "Total Orders",
    "Average Win",
    "Average Loss",
    "Compounding Annual Return",
    "Drawdown",
    "Expectancy",
    "Start Equity",
    "End Equity",
    "Net Profit",
    "Sharpe Ratio",
    "Sortino Ratio",
    "Probabilistic Sharpe Ratio",
    "Loss Rate",
    "Win Rate",
    "Profit-Loss Ratio",
    "Alpha",
    "Beta",
    "Annual Standard Deviation",
    "Annual Variance",
    "Information Ratio",
    "Tracking Error",
    "Treynor Ratio",
    "Total Fees",
    "Estimated Strategy Capacity",
    "Lowest Capacity Asset",
    "Portfolio Turnover",
    "Drawdown Recovery",
    "OrderListHash",
)


def compute_statistics(inp: PerformanceInput) -> dict[str, str]:
    """LEAN's final statistics for a run, keyed by LEAN's names in LEAN's order.

    See :class:`PerformanceInput` for what each list must hold. Where LEAN produces no
    summary, only "OrderListHash" is returned, as in LEAN's result packet: when there is
    no equity point (the run never sampled), and when a value cannot be represented (an
    annual performance that overflows, a division by zero in the decimal arithmetic),
    which LEAN logs as "Error generating statistics packet".
    """
    with localcontext(DECIMAL_CONTEXT):
        series = build_series(inp)
        if not series.equity:
            return {"OrderListHash": _order_list_hash(inp)}
        try:
            stats = portfolio_statistics(
                trade_pnls=[as_decimal(pnl) for _, pnl in inp.trade_pnls],
                trade_wins=_win_flags(inp),
                equity=series.equity,
                turnover=series.turnover,
                performance=series.performance,
                benchmark=series.benchmark,
                starting_capital=as_decimal(inp.start_equity),
                risk_free_rate=average_risk_free_rate(inp, series),
                trading_days_per_year=inp.trading_days_per_year,
            )
        except (ValueError, ArithmeticError):
            return {"OrderListHash": _order_list_hash(inp)}
        return format_summary(stats, inp)


def _win_flags(inp: PerformanceInput) -> list[bool]:
    if inp.trade_wins is not None:
        return list(inp.trade_wins)
    return [as_decimal(pnl) > 0 for _, pnl in inp.trade_pnls]


def _order_list_hash(inp: PerformanceInput) -> str:
    return hashlib.md5(inp.order_list.encode(), usedforsecurity=False).hexdigest()


def _percent(value: Decimal, decimals: int) -> str:
    return format_decimal(round_decimal(safe_multiply_100(value), decimals)) + "%"


def _ratio(value: Decimal) -> str:
    """A decimal statistic LEAN converts to double before rounding: shortest form."""
    return format_double(round_double(double_from_decimal(value), 3))


def format_summary(stats: PortfolioStatistics, inp: PerformanceInput) -> dict[str, str]:
    """``StatisticsBuilder.GetSummary`` plus "OrderListHash"."""
    symbol = inp.account_currency_symbol
    capacity = round_to_significant_digits(as_decimal(inp.estimated_capacity), 2)
    return {
        "Total Orders": str(inp.total_orders),
        "Average Win": _percent(stats.average_win_rate, 2),
        "Average Loss": _percent(stats.average_loss_rate, 2),
        "Compounding Annual Return": _percent(stats.compounding_annual_return, 3),
        "Drawdown": _percent(stats.drawdown, 3),
        "Expectancy": format_decimal(round_decimal(stats.expectancy, 3)),
        "Start Equity": format_decimal(round_decimal(stats.start_equity, 2)),
        "End Equity": format_decimal(round_decimal(stats.end_equity, 2)),
        "Net Profit": _percent(stats.total_net_profit, 3),
        "Sharpe Ratio": _ratio(stats.sharpe_ratio),
        "Sortino Ratio": _ratio(stats.sortino_ratio),
        "Probabilistic Sharpe Ratio": _percent(stats.probabilistic_sharpe_ratio, 3),
        "Loss Rate": _percent(stats.loss_rate, 0),
        "Win Rate": _percent(stats.win_rate, 0),
        "Profit-Loss Ratio": format_decimal(round_decimal(stats.profit_loss_ratio, 2)),
        "Alpha": _ratio(stats.alpha),
        "Beta": _ratio(stats.beta),
        "Annual Standard Deviation": _ratio(stats.annual_standard_deviation),
        "Annual Variance": _ratio(stats.annual_variance),
        "Information Ratio": _ratio(stats.information_ratio),
        "Tracking Error": _ratio(stats.tracking_error),
        "Treynor Ratio": _ratio(stats.treynor_ratio),
        "Total Fees": symbol + format_fixed(as_decimal(inp.total_fees), 2),
        "Estimated Strategy Capacity": symbol + format_decimal(capacity),
        "Lowest Capacity Asset": inp.lowest_capacity_asset,
        "Portfolio Turnover": _percent(stats.portfolio_turnover, 2),
        "Drawdown Recovery": str(stats.drawdown_recovery),
        "OrderListHash": _order_list_hash(inp),
    }
