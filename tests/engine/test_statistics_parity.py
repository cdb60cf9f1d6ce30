"""LEAN's published statistics, reproduced from the sample data by replaying the samples.

Each case records a one-fill buy-and-hold of SPY the way LEAN's results handler samples it
(:mod:`tests.engine.test_statistics_support`) and checks every non-informational statistic
against the expected strings of the LEAN regression algorithm (shared/parity/README.md).
"""

from datetime import datetime, timedelta
from decimal import Decimal

from backtesting.engine.statistics import compute_statistics, runtime_probabilistic_sharpe_ratio
from tests.engine.test_statistics_support import (
    BuyAndHold,
    _csv_rows,
    adjusted,
    spy_hour_bars,
    spy_minute_steps,
)

INFORMATIONAL = {"Estimated Strategy Capacity", "Lowest Capacity Asset", "OrderListHash"}


def _table(text: str) -> dict[str, str]:
    rows = (line.split("|")[1:3] for line in text.strip().splitlines())
    return {name.strip(): value.strip() for name, value in rows}


BASIC_TEMPLATE = _table("""
| Total Orders | 1 |
| Average Win | 0% |
| Average Loss | 0% |
| Compounding Annual Return | 271.453% |
| Drawdown | 2.200% |
| Expectancy | 0 |
| Start Equity | 100000 |
| End Equity | 101691.92 |
| Net Profit | 1.692% |
| Sharpe Ratio | 8.854 |
| Sortino Ratio | 0 |
| Probabilistic Sharpe Ratio | 67.459% |
| Loss Rate | 0% |
| Win Rate | 0% |
| Profit-Loss Ratio | 0 |
| Alpha | -0.005 |
| Beta | 0.996 |
| Annual Standard Deviation | 0.222 |
| Annual Variance | 0.049 |
| Information Ratio | -14.565 |
| Tracking Error | 0.001 |
| Treynor Ratio | 1.97 |
| Total Fees | $3.44 |
| Portfolio Turnover | 19.93% |
| Drawdown Recovery | 3 |
""")

BASIC_TEMPLATE_DAILY = _table("""
| Total Orders | 1 |
| Average Win | 0% |
| Average Loss | 0% |
| Compounding Annual Return | 424.375% |
| Drawdown | 0.800% |
| Expectancy | 0 |
| Start Equity | 100000 |
| End Equity | 104486.22 |
| Net Profit | 4.486% |
| Sharpe Ratio | 17.304 |
| Sortino Ratio | 35.217 |
| Probabilistic Sharpe Ratio | 96.710% |
| Loss Rate | 0% |
| Win Rate | 0% |
| Profit-Loss Ratio | 0 |
| Alpha | -0.249 |
| Beta | 1.015 |
| Annual Standard Deviation | 0.141 |
| Annual Variance | 0.02 |
| Information Ratio | -19 |
| Tracking Error | 0.011 |
| Treynor Ratio | 2.403 |
| Total Fees | $3.49 |
| Portfolio Turnover | 10.01% |
| Drawdown Recovery | 1 |
""")

PARAMETERIZED = _table("""
| Total Orders | 1 |
| Average Win | 0% |
| Average Loss | 0% |
| Compounding Annual Return | 286.047% |
| Drawdown | 0.300% |
| Expectancy | 0 |
| Start Equity | 100000 |
| End Equity | 101742.04 |
| Net Profit | 1.742% |
| Sharpe Ratio | 23.023 |
| Sortino Ratio | 0 |
| Probabilistic Sharpe Ratio | 0% |
| Loss Rate | 0% |
| Win Rate | 0% |
| Profit-Loss Ratio | 0 |
| Alpha | 1.266 |
| Beta | 0.356 |
| Annual Standard Deviation | 0.086 |
| Annual Variance | 0.007 |
| Information Ratio | -0.044 |
| Tracking Error | 0.147 |
| Treynor Ratio | 5.531 |
| Total Fees | $3.45 |
| Portfolio Turnover | 19.72% |
| Drawdown Recovery | 0 |
""")


def _minute_run(data_dir, fill_day: datetime, fill_ms: int, quantity: int, fee: str) -> BuyAndHold:
    """SPY minute 2013-10-07..11, one market buy filled at the ask close of a quote bar."""
    steps = []
    for day in range(7, 12):
        steps += spy_minute_steps(data_dir, datetime(2013, 10, day))
    quotes = _csv_rows(data_dir / "equity/usa/minute/spy" / f"{fill_day:%Y%m%d}_quote.zip")
    ask_close = next(row[9] for row in quotes if int(row[0]) == fill_ms)
    return BuyAndHold(
        start=datetime(2013, 10, 7),
        steps=steps,
        price_before_start=adjusted("1688900"),  # 10-04 close, from the benchmark's hour feed
        fill_time=fill_day + timedelta(milliseconds=fill_ms, minutes=1),
        quantity=quantity,
        fill_price=adjusted(ask_close),
        fee=Decimal(fee),
    )


def _assert_matches(actual: dict[str, str], expected: dict[str, str]) -> None:
    compared = {name: actual[name] for name in expected}
    assert compared == expected
    assert set(actual) - set(expected) == INFORMATIONAL


def test_basic_template_algorithm(lean_data_dir):
    run = _minute_run(lean_data_dir, datetime(2013, 10, 7), 34_200_000, 688, "3.44")
    # The information ratio (-14.565, not -14.566) only matches because the daily
    # performance values are smart-rounded like every LEAN chart point.
    _assert_matches(compute_statistics(run.record(lean_data_dir)), BASIC_TEMPLATE)


def test_basic_template_daily_algorithm_counts_weekend_zero_returns(lean_data_dir):
    rows = spy_hour_bars(lean_data_dir, datetime(2013, 10, 8), datetime(2013, 10, 17))
    steps = [
        (datetime.strptime(row[0], "%Y%m%d %H:%M") + timedelta(hours=1), adjusted(row[4]))
        for row in rows
    ]
    opening = next(row for row in rows if row[0] == "20131009 09:00")
    run = BuyAndHold(
        start=datetime(2013, 10, 8),
        steps=steps,
        price_before_start=adjusted("1674200"),
        fill_time=datetime(2013, 10, 9, 10),  # market-on-open, filled at the first bar's open
        quantity=697,
        fill_price=adjusted(opening[1]),
        fee=Decimal("3.485"),
    )
    _assert_matches(compute_statistics(run.record(lean_data_dir)), BASIC_TEMPLATE_DAILY)


def test_parameterized_algorithm(lean_data_dir):
    run = _minute_run(lean_data_dir, datetime(2013, 10, 10), 34_260_000, 689, "3.445")
    _assert_matches(compute_statistics(run.record(lean_data_dir)), PARAMETERIZED)


def test_runtime_psr_equals_the_summary_psr(lean_data_dir):
    run = _minute_run(lean_data_dir, datetime(2013, 10, 7), 34_200_000, 688, "3.44")
    inp = run.record(lean_data_dir)
    assert runtime_probabilistic_sharpe_ratio(inp) == "67.459%"
