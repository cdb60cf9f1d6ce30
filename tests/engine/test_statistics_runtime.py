"""Runtime statistics: LEAN's .NET format strings and sorted keys."""

from datetime import datetime, timedelta
from decimal import Decimal

from backtesting.engine.statistics import (
    PerformanceInput,
    compute_statistics,
    format_runtime_statistics,
    runtime_probabilistic_sharpe_ratio,
)


def _runtime(**overrides):
    values = dict(
        equity=Decimal("101691.919837280"),
        start_equity=Decimal(100000),
        fees=Decimal("3.44"),
        holdings=Decimal("101322.4064"),
        net_profit=Decimal("0"),
        unrealized=Decimal("1695.359"),
        volume=Decimal("99609.48"),
    )
    values.update(overrides)
    return format_runtime_statistics(**values)


def test_money_percent_and_fee_formats():
    stats = _runtime()
    assert stats == {
        "Equity": "$101,691.92",
        "Fees": "-$3.44",
        "Holdings": "$101,322.41",
        "Net Profit": "$0.00",
        "Probabilistic Sharpe Ratio": "0%",
        "Return": "1.69 %",
        "Unrealized": "$1,695.36",
        "Volume": "$99,609.48",
    }
    assert list(stats) == sorted(stats)


def test_negative_values_put_the_sign_after_the_currency_symbol():
    stats = _runtime(net_profit=Decimal("-12.305"), equity=Decimal("99500"))
    assert stats["Net Profit"] == "$-12.31"  # "N2" rounds half away from zero
    assert stats["Return"] == "-0.50 %"


def test_no_starting_capital_means_zero_return():
    assert _runtime(start_equity=Decimal(0))["Return"] == "0.00 %"


def test_user_statistics_are_merged_in_sorted_order_and_cannot_replace_builtins():
    stats = _runtime(user_statistics={"zeta": "1", "Equity": "mine", "alpha": "2"})
    assert list(stats)[:2] == ["alpha", "Equity"]
    assert list(stats)[-1] == "zeta"
    assert stats["Equity"] == "$101,691.92"


def test_runtime_psr_is_0_until_there_are_two_usable_daily_returns():
    times = [datetime(2024, 1, 1) + timedelta(days=i) for i in range(3)]
    values = [Decimal(1000), Decimal(1010), Decimal(1020)]
    early = PerformanceInput(
        start_equity=Decimal(1000),
        equity_times=times,
        equity_values=values,
        sample_times=times,
        sample_equity=values,
        sample_benchmark=[Decimal(1), Decimal(2), Decimal(3)],
        sample_total_sale_volume=[Decimal(0)] * 3,
    )
    assert runtime_probabilistic_sharpe_ratio(early) == "0%"


def test_runtime_psr_matches_the_summary_over_the_same_samples():
    times = [datetime(2024, 1, 1) + timedelta(days=i) for i in range(8)]
    values = [Decimal(v) for v in (1000, 1000, 1010, 1003, 1030, 1020, 1040, 1041)]
    bench = [Decimal(v) for v in (100, 100, 101, 100.5, 102, 101, 103, 102)]
    inp = PerformanceInput(
        start_equity=Decimal(1000),
        equity_times=times,
        equity_values=values,
        sample_times=times,
        sample_equity=values,
        sample_benchmark=bench,
        sample_total_sale_volume=[Decimal(0)] * 8,
        risk_free_rate=Decimal("0.01"),
    )
    psr = runtime_probabilistic_sharpe_ratio(inp)
    assert psr == compute_statistics(inp)["Probabilistic Sharpe Ratio"]
    assert psr not in ("0%", "")


def test_running_psr_folds_each_sample_once_and_matches_the_summary_at_every_refresh():
    """One DailyPerformance across refreshes gives the summary's PSR over each prefix, also
    when the last sample is replaced by a later one at the same time (the final sample)."""
    import random

    from backtesting.engine.statistics.runtime import samples_probabilistic_sharpe_ratio
    from backtesting.engine.statistics.series import DailyPerformance

    rng = random.Random(3)
    times = [datetime(2024, 1, 1) + timedelta(days=i) for i in range(60)]
    values = [Decimal(100000)]
    for _ in times[1:]:
        values.append((values[-1] * Decimal(1 + rng.gauss(0.001, 0.01))).quantize(Decimal("0.01")))
    running = DailyPerformance(Decimal(100000))
    seen = set()
    for n in range(1, len(times) + 1):
        sample_values = list(values[:n])
        if n % 7 == 0:  # a final sample at the last sample's time replaces its value
            sample_values[-1] += Decimal("12.34")
        inp = PerformanceInput(
            start_equity=Decimal(100000),
            equity_times=times[:n],
            equity_values=sample_values,
            sample_times=times[:n],
            sample_equity=sample_values,
            sample_benchmark=[Decimal(100 + i) for i in range(n)],
            sample_total_sale_volume=[Decimal(0)] * n,
        )
        psr = samples_probabilistic_sharpe_ratio(
            Decimal(100000), times[:n], sample_values, 252, performance=running
        )
        assert psr == compute_statistics(inp)["Probabilistic Sharpe Ratio"], n
        seen.add(psr)
    assert len(seen) > 20  # the PSR moved as samples arrived
