"""The risk-free rate LEAN uses for Sharpe, Sortino, alpha and Treynor.

Mirrors LEAN's ``InterestRateProvider``: the Fed primary credit rate from
``alternative/interest-rate/usa/interest-rate.csv`` (percent, one row per change), turned
into a rate for every calendar day by carrying the last change forward. Days before the
provider's first day (1998-01-01) and days before the first row both get the file's first
rate; days after the last row keep the last rate. LEAN stops the daily table at the wall
clock's today and uses the last rate beyond it, which is the same number, so no clock is
needed here. The statistics use the average of the daily rate over the timestamps of the
Strategy Equity series (``GetAverageRiskFreeRate``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from backtesting.engine.statistics.csharp import DECIMAL_CONTEXT

__all__ = ["DEFAULT_RISK_FREE_RATE", "InterestRateProvider", "interest_rate_file"]

#: LEAN's fallback when the file has no usable row (fraction, i.e. 1 %)
DEFAULT_RISK_FREE_RATE = Decimal("0.01")

#: first day of LEAN's carried-forward daily table
FIRST_CARRY_FORWARD_DATE = date(1998, 1, 1)

_RELATIVE_PATH = Path("alternative", "interest-rate", "usa", "interest-rate.csv")


def interest_rate_file(data_dir: Path | str) -> Path:
    """Where LEAN keeps the primary credit rate below a data folder."""
    return Path(data_dir) / _RELATIVE_PATH


class InterestRateProvider:
    """Daily risk-free rates (fractions, as Decimals) with LEAN's carry-forward rules."""

    def __init__(self, data_dir: Path | str | None = None, *, rows: Iterable[str] | None = None):
        """Read the CSV below ``data_dir`` or, for tests, from ``rows`` (header line included).

        A missing file leaves the provider empty, so every rate is
        :data:`DEFAULT_RISK_FREE_RATE` (LEAN logs an error and carries on the same way).
        """
        if rows is None:
            path = interest_rate_file(data_dir) if data_dir is not None else None
            rows = path.read_text().splitlines() if path and path.is_file() else []
        self._dates: list[date] = []
        self._rates: list[Decimal] = []
        for line in list(rows)[1:]:  # the first line is the header
            parsed = _parse_line(line)
            if parsed is None:
                continue
            day, rate = parsed
            index = bisect.bisect_left(self._dates, day)
            if index < len(self._dates) and self._dates[index] == day:
                self._rates[index] = rate  # a repeated date: the later row wins, as in LEAN
            else:
                self._dates.insert(index, day)
                self._rates.insert(index, rate)
        self._first_file_rate = self._rates[0] if self._rates else DEFAULT_RISK_FREE_RATE

    def rate(self, when: date | datetime) -> Decimal:
        """The rate in force on ``when``'s calendar date (``GetInterestRate``)."""
        day = when.date() if isinstance(when, datetime) else when
        if not self._dates:
            return DEFAULT_RISK_FREE_RATE
        index = bisect.bisect_right(self._dates, day) - 1
        if index >= 0 and self._dates[index] == day:
            return self._rates[index]
        if (
            index < 0
            or day < FIRST_CARRY_FORWARD_DATE
            or self._dates[index] < FIRST_CARRY_FORWARD_DATE
        ):
            # LEAN's daily table starts in 1998 seeded with the file's first rate; rows
            # before 1998 only answer for their own date.
            return self._first_file_rate
        return self._rates[index]

    def average_rate(self, times: Iterable[date | datetime]) -> Decimal:
        """Decimal mean of the daily rate over ``times`` (0 when empty), as LEAN averages it."""
        total = Decimal(0)
        count = 0
        for when in times:
            total = DECIMAL_CONTEXT.add(total, self.rate(when))
            count += 1
        if count == 0:
            return Decimal(0)
        return DECIMAL_CONTEXT.divide(total, Decimal(count))


def _parse_line(line: str) -> tuple[date, Decimal] | None:
    """``2013-01-09,0.75`` -> (date, 0.0075); None for blank or malformed lines."""
    if not line.strip():
        return None
    fields = line.split(",")
    if len(fields) < 2:
        return None
    try:
        day = datetime.strptime(fields[0].strip(), "%Y-%m-%d").date()
        percent = Decimal(fields[1].strip())
    except (ValueError, InvalidOperation):
        return None
    return day, DECIMAL_CONTEXT.divide(percent, Decimal(100))
