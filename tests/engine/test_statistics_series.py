"""How recorded samples become LEAN's series: smart rounding, dropped days, turnover."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from backtesting.engine.statistics import PerformanceInput, smart_rounding
from backtesting.engine.statistics.portfolio import drawdown_metrics, total_days
from backtesting.engine.statistics.series import build_series


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("146.329405780", "146.3294"),  # 7 significant digits below 1000
        ("101691.919837280", "101691.9198"),  # 4 decimals above 1000
        ("1040.50", "1040.5"),  # trailing zeros go first
        ("1000", "1000"),
        ("-1.1542801144", "-1.15428"),
        ("0.000123456789", "0.0001234568"),
        ("0", "0"),
    ],
)
def test_smart_rounding(value, expected):
    assert str(smart_rounding(Decimal(value))) == expected


def _input(equity, bench, volume, start=Decimal(1000), times=None):
    times = times or [datetime(2024, 1, 1) + timedelta(days=i) for i in range(len(equity))]
    return PerformanceInput(
        start_equity=start,
        equity_times=times,
        equity_values=equity,
        sample_times=times,
        sample_equity=equity,
        sample_benchmark=bench,
        sample_total_sale_volume=volume,
    )


def test_performance_drops_day_0_and_day_1_and_keeps_7_significant_percent_digits():
    equity = [Decimal(v) for v in ("1000", "1001", "1003", "997")]
    series = build_series(_input(equity, [Decimal(1)] * 4, [Decimal(0)] * 4))
    # day 2: (1003 - 1001) x 100 / 1001 = 0.1998001998... % -> 0.1998002 %
    assert series.performance == [0.001998002, pytest.approx(-0.005982054, abs=1e-15)]


def test_benchmark_changes_drop_the_first_change():
    bench = [Decimal(v) for v in ("100", "110", "121", "108.9")]
    series = build_series(_input([Decimal(1000)] * 4, bench, [Decimal(0)] * 4))
    assert series.benchmark == pytest.approx([0.1, -0.1])


def test_turnover_skips_the_start_sample_and_is_smart_rounded():
    equity = [Decimal(v) for v in ("1000", "1000", "3000")]
    volume = [Decimal(v) for v in ("0", "1000", "2000")]
    series = build_series(_input(equity, [Decimal(1)] * 3, volume))
    assert series.turnover == [Decimal(1), Decimal("0.3333333")]


def test_recovery_counts_whole_days_from_the_peak_that_started_the_drawdown():
    t0 = datetime(2024, 1, 1)
    points = [
        (t0, Decimal(100)),
        (t0 + timedelta(days=1), Decimal(120)),  # peak
        (t0 + timedelta(days=2), Decimal(90)),
        (t0 + timedelta(days=4, hours=23), Decimal(120)),  # back at the peak: 3.96 days
        (t0 + timedelta(days=5), Decimal(119)),
    ]
    metrics = drawdown_metrics(points)
    assert metrics.drawdown == Decimal("0.250")
    assert metrics.recovery_days == 3


def test_total_days_is_a_fraction():
    assert total_days(datetime(2013, 10, 7), datetime(2013, 10, 11, 16)) == pytest.approx(4 + 2 / 3)
