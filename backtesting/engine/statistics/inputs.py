"""What the engine hands to :func:`compute_statistics`, and the contract for each list.

The fields are the raw series LEAN's results handler records while a backtest runs
(``Engine/Results/BaseResultsHandler.cs``, ``BacktestingResultHandler.cs``); everything
LEAN derives from them (daily performance, benchmark returns, dropped days, turnover,
risk-free average) is derived here, so the engine only records facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from backtesting.engine.statistics.risk_free import InterestRateProvider

__all__ = ["PerformanceInput"]


@dataclass(frozen=True)
class PerformanceInput:
    """Everything LEAN's ``StatisticsBuilder`` reads, as recorded by the engine.

    **Times** are UTC: naive datetimes are taken as UTC, aware ones are converted. LEAN
    stamps every chart point with ``algorithm.UtcTime``; the UTC calendar date of the
    equity points picks the risk-free rate, and differences between them give CAR's
    years and the drawdown recovery days. **Money** is :class:`~decimal.Decimal`, exactly
    as the portfolio computes it (never through float): the scale of a Decimal shows in
    LEAN's strings ("100000" vs "100000.00"). A float is accepted and converted the way C#
    converts a double (15 significant digits), which is what LEAN does with a Python float.

    ``start_equity``
        ``StartingPortfolioValue``: the total portfolio value when the algorithm starts,
        re-captured when warm-up ends if it changed (e.g. ``Decimal(100000)``).

    ``equity_times``, ``equity_values``
        The "Strategy Equity" series: one point per sample of total portfolio value (TPV),
        in time order, including
        (a) every intraday point: after each time step, if ``utc_time > next_sample``, a
        point at ``utc_time`` and ``next_sample = utc_time + period`` with
        ``period = max(4 minutes, (EndDate - StartDate) / 4000)``, LEAN's EndDate being the
        last day at 23:59:59.9999999 (``next_sample`` starts at the minimum time, so the
        first time step always records one);
        (b) the point of every daily sample (below), at the sample's time.
        A point whose time is not later than the previous point's is dropped (LEAN never
        adds it), so pass them as they come; values are smart-rounded here as LEAN's
        chart points are. The first point's time and the last point's time are the
        span of CAR; the last value is End Equity; Drawdown and Drawdown Recovery run
        over all points.

    ``sample_times``, ``sample_equity``, ``sample_benchmark``, ``sample_total_sale_volume``
        One entry per call of LEAN's ``Sample(time)``, in call order:
        1. the scheduled "Daily Sampling" event at **00:00 algorithm time of every calendar
           day** from the start date on, weekends and holidays included, so the first
           entry is the start date 00:00 with the starting equity; none while warming up.
           A midnight without a time slice fires when the next slice's time passes it,
           stamped with its own midnight time and sampled *before* that slice updates any
           price (so it sees the previous close); a slice exactly at midnight updates the
           prices first and then fires the event (LEAN's ``ScanPastEvents`` vs ``SetTime``);
        2. a **final sample** at the time of the last time slice when the run ends (e.g.
           16:00 on the last day; 00:00 after the last day when data ends at midnight, as
           custom daily data does). If that time equals the last midnight sample, pass it
           anyway: the duplicate is resolved here the way LEAN resolves it (performance and
           benchmark keep the first, turnover takes the second).
        ``sample_equity`` is the TPV at the sample (unrounded), ``sample_benchmark`` the
        benchmark value at the sample: ``Benchmark.Evaluate(time)``, i.e. the benchmark
        security's current price (SPY, adjusted, as last updated by any of its
        subscriptions, the internal hourly one included), ``0`` for
        ``set_benchmark(lambda x: 0)``; smart rounding is applied here.
        ``sample_total_sale_volume`` is ``Portfolio.TotalSaleVolume`` at the sample: the
        running sum over all fills of ``|fill quantity x fill price|`` in account currency
        (cumulative, never reset).

        Derived here, as LEAN does: daily performance ``round((tpv - previous tpv) x 100 /
        previous tpv, 10)`` with "previous" starting at ``start_equity``; the statistics drop
        the first two performance values (day 0, day 1) and the first benchmark change;
        turnover is ``(sale volume since the previous sample) / tpv`` for every sample
        except the one at ``start_time`` and those with ``tpv == 0``. Every stored value
        (equity point, performance %, benchmark, turnover) is smart-rounded, as LEAN's
        chart points are, before the statistics read it.

    ``start_time``
        UTC time of the algorithm's start (start date 00:00 in the algorithm time zone);
        the sample at exactly this time contributes no turnover. ``None``: the first sample.

    ``trade_pnls``
        LEAN's transaction record: one ``(utc time, profit)`` per fill that reduced or closed
        a position, with profit = (fill price - average price) x closed quantity (sign for
        the side) x multiplier, minus 2 x that fill's fee; in the order they happened.
        ``trade_wins``: optional per-record win flags (default ``profit > 0``).

    ``total_fees``, ``total_orders``
        ``Portfolio.TotalFees`` and the number of orders accepted by the transaction
        handler (orders rejected by the algorithm's own pre-checks are not counted).

    ``trading_days_per_year``
        252, or 365 for the crypto brokerage models.

    ``risk_free_rate`` / ``interest_rates``
        A fixed rate (fraction), or LEAN's provider, averaged over the equity times.
        With neither, the rate is 0.

    ``estimated_capacity``, ``lowest_capacity_asset``, ``order_list``
        Informational statistics: the capacity in account currency, the asset's LEAN
        security identifier, and the text whose md5 is "OrderListHash" (empty: md5 of "").
    """

    start_equity: Decimal
    equity_times: Sequence[datetime]
    equity_values: Sequence[Decimal]
    sample_times: Sequence[datetime]
    sample_equity: Sequence[Decimal]
    sample_benchmark: Sequence[Decimal]
    sample_total_sale_volume: Sequence[Decimal]
    trade_pnls: Sequence[tuple[datetime, Decimal]] = ()
    trade_wins: Sequence[bool] | None = None
    total_fees: Decimal = Decimal(0)
    total_orders: int = 0
    trading_days_per_year: int = 252
    risk_free_rate: Decimal | float | None = None
    interest_rates: InterestRateProvider | None = None
    start_time: datetime | None = None
    estimated_capacity: Decimal = Decimal(0)
    lowest_capacity_asset: str = ""
    order_list: str = ""
    account_currency_symbol: str = "$"

    def __post_init__(self) -> None:
        lengths = {
            len(self.sample_times),
            len(self.sample_equity),
            len(self.sample_benchmark),
            len(self.sample_total_sale_volume),
        }
        if len(lengths) != 1:
            raise ValueError("the four sample lists must have one entry per sample")
        if len(self.equity_times) != len(self.equity_values):
            raise ValueError("equity_times and equity_values must have the same length")
        if self.trade_wins is not None and len(self.trade_wins) != len(self.trade_pnls):
            raise ValueError("trade_wins must have one flag per trade_pnls record")
