"""Factor files (split/dividend adjustment) and map files (ticker history) of US equities.

Semantics follow ``shared/data/lean/README.md``: a factor row applies to every date up to
and including its own date (and after the previous row's date); events derived from two
consecutive rows take effect on the next trading day after the earlier row's date.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np

from backtesting.engine.data.enums import DataNormalizationMode


def _ymd(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


@dataclass(frozen=True)
class FactorRow:
    date: date
    price_factor: float
    split_factor: float
    reference_price: float


@dataclass(frozen=True)
class CorporateEvent:
    """A split or dividend derived from the factor file, effective on ``effective`` (a trading day)."""

    kind: str  # "split" | "dividend"
    row_date: date  # last trading day before the event
    value: float  # split ratio or dividend per share
    reference_price: float


class FactorFile:
    """Scale factors by date; identity when the security has no factor file."""

    def __init__(self, rows: list[FactorRow]) -> None:
        self.rows = sorted(rows, key=lambda r: r.date)
        self._dates = [r.date for r in self.rows]

    @classmethod
    def read(cls, data_dir: Path, permtick: str) -> FactorFile:
        """The factor file of ``permtick`` (cached: files are immutable during a run)."""
        return _read_factor_file(str(data_dir), permtick.lower())

    @classmethod
    def _parse(cls, data_dir: Path, permtick: str) -> FactorFile:
        path = Path(data_dir) / "equity" / "usa" / "factor_files" / f"{permtick.lower()}.csv"
        if not path.exists():
            return cls([])
        rows = []
        for line in path.read_text().splitlines():
            parts = line.strip().split(",")
            if len(parts) < 3 or not parts[0].isdigit():
                continue
            ref = float(parts[3]) if len(parts) > 3 and parts[3] else 0.0
            rows.append(FactorRow(_ymd(parts[0]), float(parts[1]), float(parts[2]), ref))
        return cls(rows)

    def _row(self, day: date) -> FactorRow | None:
        i = bisect_left(self._dates, day)
        if i >= len(self.rows):
            return None
        return self.rows[i]

    def factor(self, day: date, mode: int) -> float:
        """The price multiplier for bars dated ``day`` under normalisation ``mode``."""
        if mode == DataNormalizationMode.RAW:
            return 1.0
        row = self._row(day)
        if row is None:
            return 1.0
        if mode == DataNormalizationMode.SPLIT_ADJUSTED:
            return row.split_factor
        return row.price_factor * row.split_factor

    def factors(self, days: np.ndarray, mode: int) -> np.ndarray:
        """Vectorised :meth:`factor` for an array of ``datetime64[D]`` dates."""
        if mode == DataNormalizationMode.RAW or not self.rows:
            return np.ones(len(days))
        row_days = np.array([np.datetime64(r.date, "D") for r in self.rows])
        if mode in (DataNormalizationMode.SPLIT_ADJUSTED, DataNormalizationMode.TOTAL_RETURN):
            values = np.array([r.split_factor for r in self.rows])
        else:
            values = np.array([r.price_factor * r.split_factor for r in self.rows])
        # a day after the last row reads the appended 1.0 (one gather, no mask)
        return np.append(values, 1.0)[np.searchsorted(row_days, days, side="left")]

    def dividend_sums(self, days: np.ndarray, since: date) -> np.ndarray:
        """Total-return offset: dividends paid after ``since`` up to each day (LEAN adds the
        running sum of distributions to split-adjusted prices)."""
        out = np.zeros(len(days))
        for event in self.events():
            if event.kind != "dividend":
                continue
            paid = np.datetime64(event.row_date, "D") + np.timedelta64(
                1, "D"
            )  # next trading day or later
            if event.row_date >= since:
                out[days >= paid] += event.value
        return out

    def split_factor(self, day: date) -> float:
        row = self._row(day)
        return row.split_factor if row else 1.0

    def events(self) -> list[CorporateEvent]:
        """Splits and dividends between consecutive rows, in date order."""
        out: list[CorporateEvent] = []
        for a, b in zip(self.rows, self.rows[1:], strict=False):
            if a.price_factor != b.price_factor and b.price_factor:
                raw = Decimal(repr(a.reference_price)) * (
                    1 - Decimal(repr(a.price_factor)) / Decimal(repr(b.price_factor))
                )
                amount = float(raw.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))
                out.append(CorporateEvent("dividend", a.date, amount, a.reference_price))
            if a.split_factor != b.split_factor and b.split_factor:
                out.append(
                    CorporateEvent(
                        "split", a.date, a.split_factor / b.split_factor, a.reference_price
                    )
                )
        return out


class MapFile:
    """Which ticker a permanent symbol traded under on each date."""

    def __init__(self, rows: list[tuple[date, str]]) -> None:
        self.rows = sorted(rows)
        self._dates = [d for d, _ in self.rows]

    @classmethod
    def read(cls, data_dir: Path, permtick: str) -> MapFile:
        """The map file of ``permtick`` (cached: files are immutable during a run)."""
        return _read_map_file(str(data_dir), permtick.lower())

    @classmethod
    def _parse(cls, data_dir: Path, permtick: str) -> MapFile:
        path = Path(data_dir) / "equity" / "usa" / "map_files" / f"{permtick.lower()}.csv"
        if not path.exists():
            return cls([])
        rows = []
        for line in path.read_text().splitlines():
            parts = line.strip().split(",")
            if len(parts) >= 2 and parts[0].isdigit():
                rows.append((_ymd(parts[0]), parts[1].lower()))
        return cls(rows)

    def ticker(self, day: date, default: str) -> str:
        i = bisect_left(self._dates, day)
        if i >= len(self.rows):
            return default.lower()
        return self.rows[i][1]

    @property
    def delisting_date(self) -> date | None:
        if not self.rows or self.rows[-1][0] >= date(2050, 1, 1):
            return None
        return self.rows[-1][0]


@functools.lru_cache(maxsize=256)
def _read_factor_file(data_dir: str, permtick: str) -> FactorFile:
    return FactorFile._parse(Path(data_dir), permtick)


@functools.lru_cache(maxsize=256)
def _read_map_file(data_dir: str, permtick: str) -> MapFile:
    return MapFile._parse(Path(data_dir), permtick)
