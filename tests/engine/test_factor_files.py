"""Factor files: adjusted prices across AAPL's 7-for-1 split (effective 2014-06-09)."""

from __future__ import annotations

from datetime import date

from backtesting.engine.data.corporate import FactorFile, MapFile
from backtesting.engine.data.enums import DataNormalizationMode, Resolution, SecurityType
from backtesting.engine.data.market_hours import MarketHoursDatabase
from backtesting.engine.data.symbol import Symbol
from backtesting.engine.feed.subscription import SubscriptionConfig, from_ns, load_subscription


def test_split_factor_applies_up_to_the_row_date(lean_data_dir):
    factors = FactorFile.read(lean_data_dir, "aapl")
    before = factors.factor(date(2014, 6, 6), DataNormalizationMode.SPLIT_ADJUSTED)
    after = factors.factor(date(2014, 6, 9), DataNormalizationMode.SPLIT_ADJUSTED)
    assert abs(before / after - 1 / 7) < 1e-6
    assert factors.factor(date(2014, 6, 6), DataNormalizationMode.RAW) == 1.0


def test_split_event_is_derived_between_rows(lean_data_dir):
    splits = [e for e in FactorFile.read(lean_data_dir, "aapl").events() if e.kind == "split"]
    event = next(e for e in splits if e.row_date == date(2014, 6, 6))
    assert abs(event.value - 1 / 7) < 1e-6


def test_adjusted_hour_bars_are_continuous_across_the_split(lean_data_dir):
    hours = MarketHoursDatabase.from_data_dir(lean_data_dir).get(SecurityType.EQUITY, "usa", "AAPL")
    symbol = Symbol("AAPL")

    def closes(mode: int) -> dict:
        config = SubscriptionConfig(symbol, Resolution.HOUR, "trade", normalization=mode)
        sub = load_subscription(config, hours, lean_data_dir, date(2014, 6, 6), date(2014, 6, 9))
        return {from_ns(int(t)): float(v[3]) for t, v in zip(sub.end, sub.values, strict=True)}

    raw = closes(DataNormalizationMode.RAW)
    adjusted = closes(DataNormalizationMode.ADJUSTED)
    friday = max(t for t in raw if t.date() == date(2014, 6, 6))
    monday = min(t for t in raw if t.date() == date(2014, 6, 9))
    assert raw[friday] / raw[monday] > 6  # the raw series jumps by the split ratio
    assert 0.9 < adjusted[friday] / adjusted[monday] < 1.1  # adjusted prices do not
    factor = FactorFile.read(lean_data_dir, "aapl").factor(
        date(2014, 6, 9), DataNormalizationMode.ADJUSTED
    )
    assert abs(adjusted[monday] - raw[monday] * factor) < 1e-9


def test_map_file_picks_the_ticker_in_use(lean_data_dir):
    googl = MapFile.read(lean_data_dir, "googl")
    assert googl.ticker(date(2014, 1, 2), "googl") == "goog"
    assert googl.ticker(date(2015, 1, 2), "googl") == "googl"
