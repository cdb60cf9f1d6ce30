"""Record a one-fill buy-and-hold of SPY the way LEAN's results handler samples it.

The parity tests need realistic inputs for :func:`compute_statistics` before the engine
exists, so this helper replays LEAN's recording rules (see ``PerformanceInput``) over the
sample data: time steps from SPY bars, one fill, midnight samples every calendar day, a
final sample at the last step, intraday Strategy Equity points every resample period.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from backtesting.engine.statistics import InterestRateProvider, PerformanceInput

#: SPY's price scale factor for 2013-09-20 .. 2013-12-19 (factor file row 20131219)
SPY_FACTOR_2013Q4 = Decimal("0.8646266")
#: New York is UTC-4 in October 2013 (daylight saving time until 2013-11-03)
EDT = timedelta(hours=4)


def _csv_rows(archive: Path) -> list[list[str]]:
    with zipfile.ZipFile(archive) as zipped:
        text = zipped.read(zipped.namelist()[0]).decode()
    return [row for row in csv.reader(io.StringIO(text)) if row]


def spy_minute_steps(data_dir: Path, day: datetime) -> list[tuple[datetime, Decimal]]:
    """(bar end time, adjusted close) of SPY's regular-hours minute trade bars on ``day``."""
    steps = []
    for row in _csv_rows(data_dir / "equity/usa/minute/spy" / f"{day:%Y%m%d}_trade.zip"):
        start = day + timedelta(milliseconds=int(row[0]))
        if day + timedelta(hours=9, minutes=30) <= start < day + timedelta(hours=16):
            steps.append(
                (start + timedelta(minutes=1), Decimal(row[4]) / 10000 * SPY_FACTOR_2013Q4)
            )
    return steps


def spy_hour_bars(data_dir: Path, first: datetime, last: datetime) -> list[list[str]]:
    """Raw SPY hour rows whose date lies in [first, last]."""
    rows = []
    for row in _csv_rows(data_dir / "equity/usa/hour/spy.zip"):
        when = datetime.strptime(row[0], "%Y%m%d %H:%M")
        if first <= when < last + timedelta(days=1):
            rows.append(row)
    return rows


def adjusted(raw: str) -> Decimal:
    return Decimal(raw) / 10000 * SPY_FACTOR_2013Q4


@dataclass
class BuyAndHold:
    """One buy of ``quantity`` SPY at ``fill_price`` at step ``fill_time`` (local times)."""

    start: datetime
    steps: list[tuple[datetime, Decimal]]
    price_before_start: Decimal
    fill_time: datetime
    quantity: int
    fill_price: Decimal
    fee: Decimal
    resample: timedelta = timedelta(minutes=4)
    cash: Decimal = Decimal(100000)

    def record(self, data_dir: Path) -> PerformanceInput:
        """Replay the run and return what the engine would hand to the statistics."""
        price = self.price_before_start
        holdings = 0
        cash = self.cash
        volume = Decimal(0)
        equity: list[tuple[datetime, Decimal]] = []
        samples: list[tuple[datetime, Decimal, Decimal, Decimal]] = []

        def tpv() -> Decimal:
            return cash + holdings * price if holdings else cash

        def sample(local: datetime) -> None:
            utc = local + EDT
            samples.append((utc, tpv(), price, volume))
            if not equity or utc > equity[-1][0]:
                equity.append((utc, tpv()))

        midnight = self.start
        next_sample: datetime | None = None
        for time, close in self.steps:
            while midnight <= time:
                sample(midnight)
                midnight += timedelta(days=1)
            if time == self.fill_time:
                holdings = self.quantity
                cash -= self.quantity * self.fill_price + self.fee
                volume += abs(self.quantity * self.fill_price)
            price = close
            utc = time + EDT
            if next_sample is None or utc > next_sample:
                next_sample = utc + self.resample
                if utc > equity[-1][0]:
                    equity.append((utc, tpv()))
        sample(self.steps[-1][0])
        return PerformanceInput(
            start_equity=self.cash,
            equity_times=[t for t, _ in equity],
            equity_values=[v for _, v in equity],
            sample_times=[s[0] for s in samples],
            sample_equity=[s[1] for s in samples],
            sample_benchmark=[s[2] for s in samples],
            sample_total_sale_volume=[s[3] for s in samples],
            total_fees=self.fee,
            total_orders=1,
            interest_rates=InterestRateProvider(data_dir),
            start_time=self.start + EDT,
        )
