"""compute_statistics against hand computations on small series."""

import hashlib
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import numpy as np
import pytest

from backtesting.engine.statistics import STATISTIC_NAMES, PerformanceInput, compute_statistics

DAY0 = datetime(2024, 1, 1)
EQUITY = ["1000", "1000", "1010", "1000", "1030", "1020", "1040"]
BENCHMARK = ["100", "100", "101", "100.5", "102", "101", "103"]
VOLUME = ["0", "0", "500", "500", "1500", "1500", "1500"]
RF = 0.01


def _input(equity=EQUITY, benchmark=BENCHMARK, volume=VOLUME, **overrides) -> PerformanceInput:
    times = [DAY0 + timedelta(days=i) for i in range(len(equity))]
    values = [Decimal(v) for v in equity]
    fields = dict(
        start_equity=Decimal(1000),
        equity_times=times,
        equity_values=values,
        sample_times=times,
        sample_equity=values,
        sample_benchmark=[Decimal(b) for b in benchmark],
        sample_total_sale_volume=[Decimal(v) for v in volume],
        risk_free_rate=Decimal(str(RF)),
    )
    fields.update(overrides)
    return PerformanceInput(**fields)


def _hand_series():
    equity = np.array([float(v) for v in EQUITY])
    bench = np.array([float(b) for b in BENCHMARK])
    percent = (equity[1:] / equity[:-1] - 1)[1:] * 100  # day 0 is not a return; day 1 dropped
    # LEAN stores each daily performance as a chart point: 7 significant digits, in percent.
    performance = np.array([float(f"{p:.7g}") for p in percent]) / 100
    benchmark = (bench[1:] / bench[:-1] - 1)[1:]
    return performance, benchmark


def _number(text: str) -> float:
    return float(text.rstrip("%").lstrip("$"))


@pytest.fixture(scope="module")
def stats() -> dict[str, str]:
    return compute_statistics(_input())


def test_names_come_in_leans_order(stats):
    assert tuple(stats) == STATISTIC_NAMES


def test_sharpe_std_and_variance_follow_the_annualised_formulas(stats):
    perf, _ = _hand_series()
    annual_perf = (1 + perf.mean()) ** 252 - 1
    annual_std = np.sqrt(perf.var(ddof=1) * 252)
    assert _number(stats["Sharpe Ratio"]) == pytest.approx(
        (annual_perf - RF) / annual_std, abs=5e-4
    )
    assert _number(stats["Annual Standard Deviation"]) == pytest.approx(annual_std, abs=5e-4)
    assert _number(stats["Annual Variance"]) == pytest.approx(annual_std**2, abs=5e-4)


def test_sortino_uses_only_the_negative_days(stats):
    perf, _ = _hand_series()
    annual_perf = (1 + perf.mean()) ** 252 - 1
    downside = np.sqrt(perf[perf < 0].var(ddof=1) * 252)
    assert _number(stats["Sortino Ratio"]) == pytest.approx((annual_perf - RF) / downside, abs=5e-4)


def test_beta_alpha_treynor_tracking_error_and_information_ratio(stats):
    perf, bench = _hand_series()
    annual_perf = (1 + perf.mean()) ** 252 - 1
    annual_bench = (1 + bench.mean()) ** 252 - 1
    beta = np.cov(perf, bench, ddof=1)[0, 1] / bench.var(ddof=1)
    tracking = np.sqrt((perf - bench).var(ddof=1) * 252)
    assert _number(stats["Beta"]) == pytest.approx(beta, abs=5e-4)
    alpha = annual_perf - (RF + beta * (annual_bench - RF))
    assert _number(stats["Alpha"]) == pytest.approx(alpha, abs=5e-4)
    assert _number(stats["Treynor Ratio"]) == pytest.approx((annual_perf - RF) / beta, abs=5e-4)
    assert _number(stats["Tracking Error"]) == pytest.approx(tracking, abs=5e-4)
    info = (annual_perf - annual_bench) / tracking
    assert _number(stats["Information Ratio"]) == pytest.approx(info, abs=5e-4)


def test_probabilistic_sharpe_ratio_is_the_excess_return_version(stats):
    from math import erfc, sqrt

    perf, _ = _hand_series()
    n = len(perf)
    sr = (perf.mean() - RF / 252) / perf.std(ddof=1)
    d = perf - perf.mean()
    skew = sqrt(n * (n - 1)) / (n - 2) * (d**3).mean() / (d**2).mean() ** 1.5
    g2 = (d**4).mean() / (d**2).mean() ** 2 - 3
    kurt = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)
    sigma = sqrt((1 - skew * sr + (kurt - 1) / 4 * sr**2) / (n - 1))
    psr = 0.5 * erfc(-((sr - 1 / sqrt(252)) / sigma) / sqrt(2))
    assert _number(stats["Probabilistic Sharpe Ratio"]) == pytest.approx(psr * 100, abs=5e-4)
    assert len(stats["Probabilistic Sharpe Ratio"].split(".")[1]) == 4  # "NN.NNN%"


def test_equity_statistics(stats):
    years = 6 / 365
    assert _number(stats["Compounding Annual Return"]) == pytest.approx(
        ((1040 / 1000) ** (1 / years) - 1) * 100, abs=5e-4
    )
    # Decimal division keeps only the digits it needs: 1040/1000 - 1 = 0.04 -> "4.00%".
    assert stats["Net Profit"] == "4.00%"
    assert stats["Start Equity"] == "1000"
    assert stats["End Equity"] == "1040"
    # Peak 1010 on day 2, trough 1000 on day 3: 0.0099 -> rounded to 0.010 before printing.
    assert stats["Drawdown"] == "1.000%"
    # 1010 (day 2) regained on day 4; 1030 (day 4) regained on day 6: two days each.
    assert stats["Drawdown Recovery"] == "2"


def test_portfolio_turnover_averages_sale_volume_over_equity_per_sample(stats):
    # Samples after the first: day 1..6; sales of 500 before day 2 and 1000 before day 4.
    expected = (0 + 500 / 1010 + 0 + 1000 / 1030 + 0 + 0) / 6
    assert stats["Portfolio Turnover"] == f"{expected * 100:.2f}%"


def test_without_trades_the_trade_statistics_are_zero(stats):
    for name in ("Average Win", "Average Loss", "Loss Rate", "Win Rate"):
        assert stats[name] == "0%"
    assert stats["Expectancy"] == "0"
    assert stats["Profit-Loss Ratio"] == "0"


def test_trade_statistics_divide_each_profit_by_the_running_capital():
    t = DAY0 + timedelta(hours=12)
    pnls = [(t, Decimal(20)), (t, Decimal(-10)), (t, Decimal(30)), (t, Decimal(-5))]
    stats = compute_statistics(_input(trade_pnls=pnls))
    win = (Decimal(20) / 1000 + Decimal(30) / 1010) / 2
    loss = (Decimal(-10) / 1020 + Decimal(-5) / 1040) / 2
    ratio = win / abs(loss)
    assert stats["Average Win"] == f"{win * 100:.2f}%" == "2.49%"
    assert stats["Average Loss"] == f"{loss * 100:.2f}%" == "-0.73%"
    assert stats["Profit-Loss Ratio"] == f"{ratio:.2f}"
    assert stats["Win Rate"] == "50%"
    assert stats["Loss Rate"] == "50%"
    assert stats["Expectancy"] == f"{Decimal('0.5') * ratio - Decimal('0.5'):.3f}"


def test_decimal_statistics_print_the_digits_their_arithmetic_produced():
    t = DAY0 + timedelta(hours=12)
    # 6/1000 = 0.006 win, then -10.06/1006 = -0.01 loss: the ratio is exactly 0.6, so
    # LEAN's decimal prints "0.6" and the expectancy 0.5 x 0.6 - 0.5 prints "-0.20".
    exact = compute_statistics(_input(trade_pnls=[(t, Decimal("6")), (t, Decimal("-10.06"))]))
    assert exact["Profit-Loss Ratio"] == "0.6"
    assert exact["Expectancy"] == "-0.20"
    # -10/1006 does not terminate: 28 digits, rounded to the printed scale with its zeros
    # ("0.60", as in LEAN's LimitFillRegressionAlgorithm).
    long = compute_statistics(_input(trade_pnls=[(t, Decimal("6")), (t, Decimal("-10"))]))
    assert long["Profit-Loss Ratio"] == "0.60"
    assert long["Expectancy"] == "-0.198"


def test_win_flags_override_the_counts_but_not_the_averages():
    t = DAY0 + timedelta(hours=12)
    pnls = [(t, Decimal(20)), (t, Decimal(-10))]
    stats = compute_statistics(_input(trade_pnls=pnls, trade_wins=[True, True]))
    assert stats["Win Rate"] == "100%"
    assert stats["Loss Rate"] == "0%"
    assert stats["Average Loss"] == "-0.98%"


def test_two_day_run_reports_only_equity_fees_and_turnover():
    # Too few daily returns: LEAN leaves every other statistic at 0 (SetHoldingsRegression).
    stats = compute_statistics(
        _input(
            equity=["1000", "990", "995"],
            benchmark=["100", "99", "100"],
            volume=["0", "800", "800"],
            total_fees=Decimal("5.405"),
            total_orders=4,
        )
    )
    assert stats["Total Orders"] == "4"
    assert stats["End Equity"] == "995"
    assert stats["Total Fees"] == "$5.41"
    for name in (
        "Compounding Annual Return",
        "Drawdown",
        "Net Profit",
        "Probabilistic Sharpe Ratio",
    ):
        assert stats[name] == "0%"
    for name in ("Sharpe Ratio", "Alpha", "Beta", "Information Ratio", "Treynor Ratio"):
        assert stats[name] == "0"
    assert stats["Drawdown Recovery"] == "0"
    assert stats["Portfolio Turnover"] == f"{(800 / 990 + 0) / 2 * 100:.2f}%"


def test_constant_benchmark_gives_zero_beta_and_alpha():
    stats = compute_statistics(_input(benchmark=["0"] * len(EQUITY)))
    assert stats["Beta"] == "0"
    assert stats["Alpha"] == "0"
    assert stats["Treynor Ratio"] == "0"
    assert stats["Sharpe Ratio"] != "0"


def test_final_sample_at_the_same_time_as_midnight_keeps_the_midnight_values():
    times = [DAY0 + timedelta(days=i) for i in range(len(EQUITY))]
    base = _input()
    doubled = _input(
        sample_times=[*times, times[-1]],
        sample_equity=[*base.sample_equity, Decimal(1100)],
        sample_benchmark=[*base.sample_benchmark, Decimal(110)],
        sample_total_sale_volume=[*base.sample_total_sale_volume, Decimal(2540)],
    )
    once, twice = compute_statistics(base), compute_statistics(doubled)
    assert twice["Sharpe Ratio"] == once["Sharpe Ratio"]
    assert twice["Beta"] == once["Beta"]
    # The turnover of the repeated time is replaced, measured from the sample before it:
    # (2540 - 1500) / 1100 instead of 0 / 1040.
    expected = (0 + 500 / 1010 + 0 + 1000 / 1030 + 0 + 1040 / 1100) / 6
    assert twice["Portfolio Turnover"] == f"{expected * 100:.2f}%"


def test_intraday_equity_points_count_for_drawdown_and_end_equity_only():
    base = _input()
    times = list(base.equity_times)
    values = list(base.equity_values)
    # A dip to 900 in the middle of day 5, and points out of order that LEAN would drop.
    times.insert(6, DAY0 + timedelta(days=5, hours=12))
    values.insert(6, Decimal(900))
    times.append(times[2])
    values.append(Decimal(1))
    stats = compute_statistics(_input(equity_times=times, equity_values=values))
    assert stats["Drawdown"] == "12.600%"  # 1 - 900/1030 = 0.1262 -> 0.126
    assert stats["Sharpe Ratio"] == compute_statistics(base)["Sharpe Ratio"]
    assert stats["End Equity"] == "1040"


def test_end_equity_is_the_smart_rounded_equity_point_rounded_to_cents():
    values = [Decimal(v) for v in EQUITY[:-1]] + [Decimal("1040.004999")]
    stats = compute_statistics(_input(equity_values=values))
    assert stats["End Equity"] == "1040.00"  # 1040.0050 (4 decimals), then banker's rounding


def test_equity_points_lose_trailing_zeros_but_start_equity_keeps_its_scale():
    values = [Decimal(v) for v in EQUITY[:-1]] + [Decimal("1040.50")]
    stats = compute_statistics(_input(equity_values=values, start_equity=Decimal("1000.00")))
    assert stats["End Equity"] == "1040.5"
    assert stats["Start Equity"] == "1000.00"


def test_aware_times_are_converted_to_utc():
    new_york = timezone(timedelta(hours=-5))
    base = _input()
    aware = _input(
        equity_times=[(t - timedelta(hours=5)).replace(tzinfo=new_york) for t in base.equity_times],
        sample_times=[(t - timedelta(hours=5)).replace(tzinfo=new_york) for t in base.sample_times],
    )
    assert compute_statistics(aware) == compute_statistics(base)


def test_risk_free_rate_from_the_provider_averages_the_equity_times(lean_data_dir):
    from backtesting.engine.statistics import InterestRateProvider

    provider = InterestRateProvider(lean_data_dir)
    fixed = compute_statistics(_input(risk_free_rate=Decimal("0.0225")))  # 2024 is past 2023-07
    assert fixed["Sharpe Ratio"] != compute_statistics(_input())["Sharpe Ratio"]
    from_file = compute_statistics(_input(risk_free_rate=None, interest_rates=provider))
    latest = compute_statistics(_input(risk_free_rate=Decimal("0.055")))
    assert from_file == latest


def test_informational_statistics():
    orders = '{"1": {"Id": 1}}'
    stats = compute_statistics(
        _input(
            estimated_capacity=Decimal("56123456.78"),
            lowest_capacity_asset="SPY R735QTJ8XC9X",
            order_list=orders,
        )
    )
    assert stats["Estimated Strategy Capacity"] == "$56000000.00"
    assert stats["Lowest Capacity Asset"] == "SPY R735QTJ8XC9X"
    assert stats["OrderListHash"] == hashlib.md5(orders.encode()).hexdigest()
    empty = compute_statistics(_input())
    assert empty["Estimated Strategy Capacity"] == "$0"
    assert empty["Lowest Capacity Asset"] == ""
    assert empty["OrderListHash"] == "d41d8cd98f00b204e9800998ecf8427e"


def test_sample_lists_must_line_up():
    with pytest.raises(ValueError):
        _input(sample_benchmark=[Decimal(1)])


def test_no_equity_point_means_no_summary_as_in_lean():
    stats = compute_statistics(
        PerformanceInput(
            start_equity=Decimal(1000),
            equity_times=[],
            equity_values=[],
            sample_times=[],
            sample_equity=[],
            sample_benchmark=[],
            sample_total_sale_volume=[],
        )
    )
    assert stats == {"OrderListHash": "d41d8cd98f00b204e9800998ecf8427e"}


def test_an_annual_performance_that_overflows_yields_no_summary():
    # x20 a day: (1 + 19)^252 overflows a double; LEAN's SafeDecimalCast throws on infinity.
    equity = ["1000", "1000", "20000", "400000", "8000000"]
    stats = compute_statistics(_input(equity=equity, benchmark=BENCHMARK[:5], volume=VOLUME[:5]))
    assert stats == {"OrderListHash": "d41d8cd98f00b204e9800998ecf8427e"}


def test_huge_but_finite_values_clamp_to_the_decimal_range():
    # x10 a day: 10^252 fits a double, SafeDecimalCast clamps it to decimal.MaxValue.
    equity = ["1000", "1000", "10000", "100000", "1000000"]
    stats = compute_statistics(_input(equity=equity, benchmark=BENCHMARK[:5], volume=VOLUME[:5]))
    # CAR is capped by SafeMultiply100 (the string LEAN prints in such regressions), the
    # information ratio's decimal division overflows and SafeDivision turns it into 0.
    assert stats["Compounding Annual Return"] == "79228162514264337593543950335%"
    assert stats["Information Ratio"] == "0"
    assert stats["Net Profit"] == "99900%"
