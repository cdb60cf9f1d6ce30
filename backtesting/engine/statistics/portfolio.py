"""LEAN's ``PortfolioStatistics``: the numbers behind the statistics strings.

Each value is computed with the same mix of .NET ``decimal`` and ``double`` steps as
``Common/Statistics/PortfolioStatistics.cs`` and ``Statistics.cs``, because the type of
the last step decides how the value is printed (see :mod:`.csharp`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from backtesting.engine.statistics import mathnet
from backtesting.engine.statistics.csharp import (
    decimal_from_double,
    double_from_decimal,
    round_decimal,
    safe_division,
)

__all__ = ["DrawdownMetrics", "PortfolioStatistics", "drawdown_metrics", "portfolio_statistics"]

_ZERO = Decimal(0)
#: .NET ticks (100 ns) per day, for ``TimeSpan.TotalDays``
_TICKS_PER_DAY = 864_000_000_000


@dataclass
class PortfolioStatistics:
    """The fields of LEAN's ``PortfolioStatistics`` that the summary prints."""

    average_win_rate: Decimal = _ZERO
    average_loss_rate: Decimal = _ZERO
    profit_loss_ratio: Decimal = _ZERO
    win_rate: Decimal = _ZERO
    loss_rate: Decimal = _ZERO
    expectancy: Decimal = _ZERO
    start_equity: Decimal = _ZERO
    end_equity: Decimal = _ZERO
    compounding_annual_return: Decimal = _ZERO
    drawdown: Decimal = _ZERO
    total_net_profit: Decimal = _ZERO
    sharpe_ratio: Decimal = _ZERO
    probabilistic_sharpe_ratio: Decimal = _ZERO
    sortino_ratio: Decimal = _ZERO
    alpha: Decimal = _ZERO
    beta: Decimal = _ZERO
    annual_standard_deviation: Decimal = _ZERO
    annual_variance: Decimal = _ZERO
    information_ratio: Decimal = _ZERO
    tracking_error: Decimal = _ZERO
    treynor_ratio: Decimal = _ZERO
    portfolio_turnover: Decimal = _ZERO
    drawdown_recovery: int = 0


@dataclass(frozen=True)
class DrawdownMetrics:
    """Largest drawdown (fraction, rounded) and longest recovery (whole days)."""

    drawdown: Decimal
    recovery_days: int


def total_days(start: datetime, end: datetime) -> float:
    """``TimeSpan.TotalDays``: ticks as a double divided by ticks per day."""
    delta = end - start
    ticks = (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10
    return float(ticks) / _TICKS_PER_DAY


def _annual_variance(values: Sequence[float], days_per_year: float) -> float:
    variance = mathnet.variance(values)
    return 0.0 if math.isnan(variance) or variance == 0 else variance * days_per_year


def _annual_performance(values: Sequence[float], days_per_year: float) -> Decimal:
    return decimal_from_double(math.pow(mathnet.mean(values) + 1, days_per_year) - 1)


def _sharpe(performance: Decimal, deviation: Decimal, risk_free: Decimal) -> Decimal:
    """``Statistics.SharpeRatio`` for decimals: computed in double, cast back."""
    std = double_from_decimal(deviation)
    if std == 0:
        return _ZERO
    return decimal_from_double(
        (double_from_decimal(performance) - double_from_decimal(risk_free)) / std
    )


def compounding_annual_performance(start: Decimal, end: Decimal, years: Decimal) -> Decimal:
    """(end / start) ^ (1 / years) - 1 in double; 0 for no time, no capital or NaN."""
    if years == 0 or start == 0:
        return _ZERO
    power = 1 / double_from_decimal(years)
    base = double_from_decimal(end) / double_from_decimal(start)
    try:
        result = math.pow(base, power) - 1
    except (ValueError, OverflowError):
        return _ZERO
    return _ZERO if math.isnan(result) or math.isinf(result) else decimal_from_double(result)


def probabilistic_sharpe_ratio(
    performance: Sequence[float], benchmark_sharpe: float, risk_free: float
) -> float:
    """PSR of the (not annualised) observed Sharpe ratio against ``benchmark_sharpe``."""
    deviation = mathnet.standard_deviation(performance)
    average = mathnet.mean(performance) - risk_free
    observed = 0.0 if math.isnan(deviation) or deviation == 0 else average / deviation
    skew = mathnet.skewness(performance)
    kurt = mathnet.kurtosis(performance)
    variance_term = (1 - skew * observed + (kurt - 1) / 4 * observed**2) / (len(performance) - 1)
    if math.isnan(variance_term) or variance_term < 0:
        return 0.0  # Math.Pow(negative, 0.5) is NaN in .NET
    estimate_deviation = math.sqrt(variance_term)
    if estimate_deviation == 0:
        return mathnet.normal_cdf(0.0)
    return mathnet.normal_cdf((observed - benchmark_sharpe) / estimate_deviation)


def drawdown_metrics(
    equity: Sequence[tuple[datetime, Decimal]], rounding: int = 3
) -> DrawdownMetrics:
    """``Statistics.CalculateDrawdownMetrics`` over the equity points.

    Drawdown is the largest ``1 - value / running peak``, rounded to ``rounding`` decimals
    (banker's rounding). Recovery is the longest time, truncated to whole days, from the
    peak a drawdown started at to the first later point at or above that peak.
    """
    if len(equity) < 2:
        return DrawdownMetrics(_ZERO, 0)
    max_drawdown = _ZERO
    max_recovery = 0.0
    peak_time, peak = equity[0]
    drawdown_start: datetime | None = None
    for time, value in equity:
        if value >= peak:
            if drawdown_start is not None:
                max_recovery = max(max_recovery, total_days(drawdown_start, time))
                drawdown_start = None
            peak = value
            peak_time = time
        if peak == 0:
            return DrawdownMetrics(_ZERO, 0)  # LEAN's division throws and it reports zeros
        current = value / peak - 1
        if current < 0:
            max_drawdown = min(max_drawdown, current)
            if drawdown_start is None:
                drawdown_start = peak_time
    recovery = int(decimal_from_double(max_recovery))
    return DrawdownMetrics(round_decimal(abs(max_drawdown), rounding), recovery)


def portfolio_statistics(
    *,
    trade_pnls: Sequence[Decimal],
    trade_wins: Sequence[bool],
    equity: Sequence[tuple[datetime, Decimal]],
    turnover: Sequence[Decimal],
    performance: Sequence[float],
    benchmark: Sequence[float],
    starting_capital: Decimal,
    risk_free_rate: Decimal,
    trading_days_per_year: int,
) -> PortfolioStatistics:
    """Compute LEAN's ``PortfolioStatistics`` (the constructor's steps, in its order).

    With no starting capital or fewer than two performance or benchmark values only the
    start/end equity and the turnover are set; everything else stays 0, as in LEAN.
    """
    stats = PortfolioStatistics(start_equity=starting_capital)
    stats.end_equity = equity[-1][1] if equity else _ZERO
    if turnover:
        stats.portfolio_turnover = sum(turnover, _ZERO) / len(turnover)
    if starting_capital == 0 or len(benchmark) < 2 or len(performance) < 2:
        return stats

    _trade_statistics(stats, trade_pnls, trade_wins, starting_capital)
    stats.total_net_profit = stats.end_equity / starting_capital - 1
    years = decimal_from_double(total_days(equity[0][0], equity[-1][0])) / 365
    stats.compounding_annual_return = compounding_annual_performance(
        starting_capital, stats.end_equity, years
    )

    days = float(trading_days_per_year)
    stats.annual_variance = decimal_from_double(_annual_variance(performance, days))
    stats.annual_standard_deviation = decimal_from_double(
        math.sqrt(double_from_decimal(stats.annual_variance))
    )
    benchmark_annual = _annual_performance(benchmark, days)
    annual = _annual_performance(performance, days)
    stats.sharpe_ratio = (
        _ZERO
        if stats.annual_standard_deviation == 0
        else _sharpe(annual, stats.annual_standard_deviation, risk_free_rate)
    )
    downside = decimal_from_double(
        math.sqrt(_annual_variance([p for p in performance if p < 0], days))
    )
    stats.sortino_ratio = _ZERO if downside == 0 else _sharpe(annual, downside, risk_free_rate)

    benchmark_variance = mathnet.variance(benchmark)
    if not (math.isnan(benchmark_variance) or benchmark_variance == 0):
        stats.beta = decimal_from_double(
            mathnet.covariance(performance, benchmark) / benchmark_variance
        )
    if stats.beta != 0:
        stats.alpha = annual - (risk_free_rate + stats.beta * (benchmark_annual - risk_free_rate))
    differences = [p - b for p, b in zip(performance, benchmark, strict=True)]
    stats.tracking_error = decimal_from_double(math.sqrt(_annual_variance(differences, days)))
    if stats.tracking_error != 0:
        excess = double_from_decimal(annual) - double_from_decimal(benchmark_annual)
        stats.information_ratio = safe_division(decimal_from_double(excess), stats.tracking_error)
    if stats.beta != 0:
        excess = double_from_decimal(annual) - double_from_decimal(risk_free_rate)
        stats.treynor_ratio = safe_division(decimal_from_double(excess), stats.beta)
    stats.probabilistic_sharpe_ratio = decimal_from_double(
        probabilistic_sharpe_ratio(
            performance,
            1.0 / math.sqrt(trading_days_per_year),
            double_from_decimal(risk_free_rate) / trading_days_per_year,
        )
    )
    metrics = drawdown_metrics(equity, 3)
    stats.drawdown = metrics.drawdown
    stats.drawdown_recovery = metrics.recovery_days
    return stats


def _trade_statistics(
    stats: PortfolioStatistics,
    trade_pnls: Sequence[Decimal],
    trade_wins: Sequence[bool],
    starting_capital: Decimal,
) -> None:
    """Average win/loss as fractions of the running capital, rates from the win flags."""
    running_capital = starting_capital
    total_profit = total_loss = _ZERO
    wins = losses = 0
    for pnl in trade_pnls:
        if pnl > 0:
            total_profit += pnl / running_capital
            wins += 1
        else:
            total_loss += pnl / running_capital
            losses += 1
        running_capital += pnl
    stats.average_win_rate = _ZERO if wins == 0 else total_profit / wins
    stats.average_loss_rate = _ZERO if losses == 0 else total_loss / losses
    stats.profit_loss_ratio = (
        _ZERO
        if stats.average_loss_rate == 0
        else stats.average_win_rate / abs(stats.average_loss_rate)
    )
    # The counts come from the win flags (an option assignment can be a "win" at a loss).
    wins = sum(1 for flag in trade_wins if flag)
    losses = len(trade_wins) - wins
    trades = wins + losses
    stats.win_rate = _ZERO if trades == 0 else Decimal(wins) / trades
    stats.loss_rate = _ZERO if trades == 0 else Decimal(losses) / trades
    stats.expectancy = stats.win_rate * stats.profit_loss_ratio - stats.loss_rate
