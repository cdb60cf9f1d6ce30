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
    """Rows keyed by (market, symbol, type); ``[*]`` is the wildcard symbol."""

    def __init__(self, rows: dict[tuple[str, str, str], SymbolProperties]) -> None:
        self._rows = rows

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> SymbolPropertiesDatabase:
        return _load(str(Path(data_dir) / "symbol-properties" / "symbol-properties-database.csv"))

    def get(self, market: str, ticker: str, security_type: int) -> SymbolProperties:
        kind = _TYPES.get(security_type, "base")
        for key in ((market, ticker.upper(), kind), (market, "[*]", kind)):
            if key in self._rows:
                return self._rows[key]
        return SymbolProperties()


@lru_cache(maxsize=4)
def _load(path: str) -> SymbolPropertiesDatabase:
    rows: dict[tuple[str, str, str], SymbolProperties] = {}
    if not Path(path).exists():
        return SymbolPropertiesDatabase(rows)
    with open(path, newline="") as fh:
        for rec in csv.reader(fh):
            if not rec or rec[0].startswith("#") or rec[0] == "market":
                continue
            rec = rec + [""] * (12 - len(rec))
            rows[(rec[0], rec[1].upper(), rec[2])] = SymbolProperties(
                description=rec[3],
                quote_currency=rec[4] or "USD",
                contract_multiplier=float(rec[5] or 1),
                minimum_price_variation=float(rec[6] or 0.01),
                lot_size=float(rec[7] or 1),
                minimum_order_size=float(rec[9]) if rec[9] else None,
            )
    return SymbolPropertiesDatabase(rows)
