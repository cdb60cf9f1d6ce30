"""LEAN's risk-free rate: the primary credit rate, carried forward day by day."""

from datetime import date, datetime
from decimal import Decimal

from backtesting.engine.statistics import InterestRateProvider
from backtesting.engine.statistics.risk_free import DEFAULT_RISK_FREE_RATE

ROWS = ["DATE,PCREDIT8", "2003-01-09,2.25", "2010-02-19,0.75", "", "bad line", "2015-12-17,1.00"]


def test_2013_rate_from_the_sample_data_is_0_0075(lean_data_dir):
    provider = InterestRateProvider(lean_data_dir)
    days = [datetime(2013, 10, d, 4) for d in range(7, 12)]
    assert provider.average_rate(days) == Decimal("0.0075")
    assert provider.rate(date(2013, 1, 1)) == Decimal("0.0075")


def test_rate_is_carried_forward_from_the_last_change():
    provider = InterestRateProvider(rows=ROWS)
    assert provider.rate(date(2010, 2, 18)) == Decimal("0.0225")
    assert provider.rate(date(2010, 2, 19)) == Decimal("0.0075")
    assert provider.rate(datetime(2015, 12, 16, 23, 59)) == Decimal("0.0075")
    assert provider.rate(date(2015, 12, 17)) == Decimal("0.01")


def test_dates_before_the_file_get_its_first_rate_and_later_dates_its_last():
    provider = InterestRateProvider(rows=ROWS)
    assert provider.rate(date(1990, 5, 1)) == Decimal("0.0225")
    assert provider.rate(date(2001, 5, 1)) == Decimal("0.0225")
    assert provider.rate(date(2040, 1, 1)) == Decimal("0.01")


def test_average_is_a_decimal_mean_over_every_timestamp():
    provider = InterestRateProvider(rows=ROWS)
    times = [date(2010, 2, 18), date(2010, 2, 19), date(2010, 2, 20), date(2010, 2, 21)]
    # (0.0225 + 3 x 0.0075) / 4
    assert provider.average_rate(times) == Decimal("0.01125")
    assert provider.average_rate([]) == Decimal(0)


def test_missing_file_falls_back_to_leans_default(tmp_path):
    provider = InterestRateProvider(tmp_path)
    assert provider.rate(date(2013, 1, 1)) == DEFAULT_RISK_FREE_RATE == Decimal("0.01")
