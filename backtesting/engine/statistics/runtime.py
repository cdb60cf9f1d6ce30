"""LEAN's runtime statistics: the short list shown while a backtest runs.

``BaseResultsHandler.GetAlgorithmRuntimeStatistics`` builds a sorted dictionary from the
algorithm's own runtime statistics (``set_runtime_statistic``) plus eight values with .NET
format strings: "N2" money ("$101,691.92", "$-12.30"), fees with a leading minus
("-$3.44"), "P" for the return ("1.69 %", note the space), and the Probabilistic Sharpe
Ratio copied from the statistics summary computed over the samples so far ("0%" before
there is one). Current LEAN names it "Probabilistic Sharpe Ratio" (older LEAN said "PSR").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, localcontext

from backtesting.engine.statistics.csharp import (
    DECIMAL_CONTEXT,
    as_decimal,
    decimal_from_double,
    double_from_decimal,
    format_decimal,
    format_fixed,
    format_percent,
    round_decimal,
    safe_multiply_100,
)
from backtesting.engine.statistics.inputs import PerformanceInput
from backtesting.engine.statistics.portfolio import probabilistic_sharpe_ratio
from backtesting.engine.statistics.series import (
    DailyPerformance,
    average_risk_free_rate,
    build_series,
)

__all__ = [
    "format_runtime_statistics",
    "runtime_probabilistic_sharpe_ratio",
    "samples_probabilistic_sharpe_ratio",
]

#: what LEAN shows before the statistics can compute a PSR
NO_PSR = "0%"


def _money(symbol: str, value: Decimal) -> str:
    return symbol + format_fixed(as_decimal(value), 2, grouping=True)


def format_runtime_statistics(
    *,
    equity: Decimal,
    start_equity: Decimal,
    fees: Decimal,
    holdings: Decimal,
    net_profit: Decimal,
    unrealized: Decimal,
    volume: Decimal,
    probabilistic_sharpe_ratio: str = NO_PSR,
    user_statistics: Mapping[str, str] | None = None,
    currency_symbol: str = "$",
) -> dict[str, str]:
    """The runtime statistics dictionary, in LEAN's (sorted) key order.

    Parameters are the portfolio's current values: ``equity`` = total portfolio value,
    ``fees`` = ``Portfolio.TotalFees``, ``holdings`` = ``TotalHoldingsValue``,
    ``net_profit`` = ``TotalNetProfit``, ``unrealized`` = ``TotalUnrealizedProfit``,
    ``volume`` = ``TotalSaleVolume``; ``probabilistic_sharpe_ratio`` is the summary string
    (see :func:`runtime_probabilistic_sharpe_ratio`); ``user_statistics`` are the
    algorithm's own entries, which the built-in names overwrite.
    """
    with localcontext(DECIMAL_CONTEXT):
        equity, start_equity = as_decimal(equity), as_decimal(start_equity)
        net_return = (equity - start_equity) / start_equity if start_equity > 0 else Decimal(0)
        values = dict(user_statistics or {})
        values.update(
            {
                "Probabilistic Sharpe Ratio": probabilistic_sharpe_ratio,
                "Unrealized": _money(currency_symbol, unrealized),
                "Fees": "-" + _money(currency_symbol, fees),
                "Net Profit": _money(currency_symbol, net_profit),
                "Return": format_percent(net_return),
                "Equity": _money(currency_symbol, equity),
                "Holdings": _money(currency_symbol, holdings),
                "Volume": _money(currency_symbol, volume),
            }
        )
    # SortedDictionary<string, string> compares with the invariant culture: case-insensitive
    # first, lower case before upper case on ties.
    return dict(sorted(values.items(), key=lambda item: (item[0].casefold(), item[0].swapcase())))


def runtime_probabilistic_sharpe_ratio(inp: PerformanceInput) -> str:
    """The PSR string of the statistics summary over the samples recorded so far.

    Same value as ``compute_statistics(inp)["Probabilistic Sharpe Ratio"]`` but computes
    only what PSR needs.
    """
    with localcontext(DECIMAL_CONTEXT):
        if inp.interest_rates is None:
            return samples_probabilistic_sharpe_ratio(
                as_decimal(inp.start_equity),
                inp.sample_times,
                [as_decimal(v) for v in inp.sample_equity],
                inp.trading_days_per_year,
                as_decimal(inp.risk_free_rate or 0),
            )
        if as_decimal(inp.start_equity) == 0:
            return NO_PSR
        series = build_series(inp)  # the average interest rate reads the equity points
        return _format_psr(
            series.performance, average_risk_free_rate(inp, series), inp.trading_days_per_year
        )


def samples_probabilistic_sharpe_ratio(
    start_equity: Decimal,
    times: Sequence[datetime],
    values: Sequence[Decimal],
    trading_days_per_year: int,
    risk_free: Decimal = Decimal(0),
    performance: DailyPerformance | None = None,
) -> str:
    """The PSR string from the daily samples alone (a fixed risk-free rate).

    Pass the same ``performance`` (built with ``start_equity``) at every refresh of one run
    and each sample is folded in once instead of at every refresh.
    """
    with localcontext(DECIMAL_CONTEXT):
        if start_equity == 0:
            return NO_PSR
        performance = performance or DailyPerformance(start_equity)
        return _format_psr(performance.returns(times, values), risk_free, trading_days_per_year)


def _format_psr(returns: Sequence[float], risk_free: Decimal, days: int) -> str:
    if len(returns) < 2:
        return NO_PSR
    psr = decimal_from_double(
        probabilistic_sharpe_ratio(
            returns, 1.0 / math.sqrt(days), double_from_decimal(risk_free) / days
        )
    )
    return format_decimal(round_decimal(safe_multiply_100(psr), 3)) + "%"
