"""LEAN's symbol-properties database: lot size, tick size, quote currency, multiplier."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_TYPES = {1: "equity", 4: "forex", 7: "crypto", 0: "base"}


@dataclass(frozen=True)
class SymbolProperties:
    description: str = ""
    quote_currency: str = "USD"
    contract_multiplier: float = 1.0
    minimum_price_variation: float = 0.01
    lot_size: float = 1.0
    minimum_order_size: float | None = None


class SymbolPropertiesDatabase:
    """Rows keyed by (market, symbol, type); ``[*]`` is the wildcard symbol.

    The file holds thousands of rows and a backtest asks for a handful: the rows are
    indexed by their key, and a row is parsed the first time it is asked for.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, str, str], str] = {}
        for line in text.splitlines():
            market, ticker, kind, *_ = line.split(",", 3) + ["", "", ""]
            if market and not market.startswith("#") and market != "market":
                self._lines[(market, ticker.upper(), kind)] = line  # the last line wins
        self._parsed: dict[tuple[str, str, str], SymbolProperties] = {}

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> SymbolPropertiesDatabase:
        return _load(str(Path(data_dir) / "symbol-properties" / "symbol-properties-database.csv"))

    def get(self, market: str, ticker: str, security_type: int) -> SymbolProperties:
        kind = _TYPES.get(security_type, "base")
        for key in ((market, ticker.upper(), kind), (market, "[*]", kind)):
            if key in self._parsed:
                return self._parsed[key]
            if key in self._lines:
                row = self._parsed[key] = _properties(self._lines[key])
                return row
        return SymbolProperties()


def _properties(line: str) -> SymbolProperties:
    rec = next(csv.reader([line]))
    rec = rec + [""] * (12 - len(rec))
    return SymbolProperties(
        description=rec[3],
        quote_currency=rec[4] or "USD",
        contract_multiplier=float(rec[5] or 1),
        minimum_price_variation=float(rec[6] or 0.01),
        lot_size=float(rec[7] or 1),
        minimum_order_size=float(rec[9]) if rec[9] else None,
    )


@lru_cache(maxsize=4)
def _load(path: str) -> SymbolPropertiesDatabase:
    try:
        with open(path, newline="") as fh:
            return SymbolPropertiesDatabase(fh.read())
    except FileNotFoundError:
        return SymbolPropertiesDatabase("")
