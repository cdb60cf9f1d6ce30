"""History requests: the same readers as the feed, answered as pandas DataFrames.

``history(symbols, 14)``, ``history(symbols, timedelta(days=365))`` and
``history(symbols, start, end, resolution, fill_forward, extended_market_hours)`` return a
frame indexed by (symbol, time) where time is each bar's end time, as LEAN's Python API
does. Equity minute/second requests join trade and quote columns on the same rows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtesting.engine.data.bars import QuoteBar, TradeBar
from backtesting.engine.data.enums import RESOLUTION_SPAN, Resolution, SecurityType
from backtesting.engine.feed.custom import read_custom_points
from backtesting.engine.feed.subscription import (
    Subscription,
    SubscriptionConfig,
    fill_forward_grid,
    load_subscription,
    to_ns,
)

_TRADE_COLUMNS = ["open", "high", "low", "close", "volume"]
_QUOTE_COLUMNS = [
    "bidopen",
    "bidhigh",
    "bidlow",
    "bidclose",
    "bidsize",
    "askopen",
    "askhigh",
    "asklow",
    "askclose",
    "asksize",
]
#: how far back a bar-count request may look, in calendar days per requested bar and resolution
_MAX_LOOKBACK_DAYS = 3650


class HistoryProvider:
    """Answers ``QCAlgorithm.history`` from the LEAN data folder."""

    def __init__(self, data_dir: Path, algorithm: Any) -> None:
        self.data_dir = Path(data_dir)
        self.algorithm = algorithm
        self.data_points = 0

    def request(self, algorithm: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        args = list(args)
        data_type = args.pop(0) if args and isinstance(args[0], type) else kwargs.pop("type", None)
        symbols = args.pop(0) if args else kwargs.pop("symbols")
        if isinstance(symbols, (str,)) or not hasattr(symbols, "__iter__"):
            symbols = [symbols]
        symbols = list(symbols)
        count: int | None = None
        start: datetime | None = None
        end: datetime = algorithm.time
        what = args.pop(0) if args else kwargs.pop("periods", kwargs.pop("span", None))
        if isinstance(what, timedelta):
            start = end - what
        elif isinstance(what, datetime):
            start = what
            if args and isinstance(args[0], datetime):
                end = args.pop(0)
            elif "end" in kwargs:
                end = kwargs.pop("end")
        elif isinstance(what, date):
            start = datetime(what.year, what.month, what.day)
            if args and isinstance(args[0], (datetime, date)):
                e = args.pop(0)
                end = e if isinstance(e, datetime) else datetime(e.year, e.month, e.day)
        else:
            count = int(what)
        resolution = args.pop(0) if args else kwargs.pop("resolution", None)
        fill_forward = args.pop(0) if args else kwargs.pop("fill_forward", None)
        extended = args.pop(0) if args else kwargs.pop("extended_market_hours", None)
        frames = [
            self._one(
                algorithm, s, data_type, count, start, end, resolution, fill_forward, extended
            )
            for s in symbols
        ]
        frames = [f for f in frames if f is not None and len(f)]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames)

    def _one(
        self,
        algorithm: Any,
        symbol: Any,
        data_type: Any,
        count: int | None,
        start: datetime | None,
        end: datetime,
        resolution: Any,
        fill_forward: Any,
        extended: Any,
    ) -> pd.DataFrame | None:
        security = algorithm.securities[symbol]
        sym = security.symbol
        only_kind = None
        if data_type is TradeBar or data_type is QuoteBar:  # a bar type, not custom data
            only_kind, data_type = ("trade" if data_type is TradeBar else "quote"), None
        if data_type is None and sym.security_type == SecurityType.BASE:
            data_type = next(
                (
                    c.custom_type
                    for c in algorithm._subscriptions
                    if c.symbol == sym and c.custom_type
                ),
                None,
            )
        res = security.resolution if resolution is None else resolution
        if (
            data_type is not None
            and security.symbol.security_type != SecurityType.BASE
            or (data_type is not None and res == security.resolution)
        ):
            res = Resolution.DAILY if resolution is None else resolution
        ff = security.is_fill_data_forward if fill_forward is None else bool(fill_forward)
        ext = security.is_extended_market_hours if extended is None else bool(extended)
        span = RESOLUTION_SPAN[res]
        if data_type is not None:
            return self._custom(sym, data_type, res, count, start, end)
        if sym.security_type == SecurityType.EQUITY:
            kinds = (
                ["trade", "quote"] if res in (Resolution.SECOND, Resolution.MINUTE) else ["trade"]
            )
        elif sym.security_type == SecurityType.FOREX:
            kinds = ["quote"]
        else:
            kinds = ["trade", "quote"]
        if only_kind is not None:
            kinds = [only_kind] if only_kind in kinds else kinds
        lookback = start
        if lookback is None:
            assert count is not None
            days = {Resolution.DAILY: count * 1.6 + 7, Resolution.HOUR: count / 6 + 7}.get(
                res, count / 390 + 5
            )
            lookback = end - timedelta(days=days)
        while True:
            frame = self._load(security, kinds, res, lookback, end, ff, ext, span)
            if count is None or len(frame) >= count or (end - lookback).days > _MAX_LOOKBACK_DAYS:
                break
            lookback = end - (end - lookback) * 2
        if count is not None:
            frame = frame.iloc[-count:]
        self.data_points += len(frame)
        frame.index = pd.MultiIndex.from_arrays(
            [[str(sym)] * len(frame), frame.index], names=["symbol", "time"]
        )
        return frame

    def _load(
        self,
        security: Any,
        kinds: list[str],
        res: int,
        start: datetime,
        end: datetime,
        ff: bool,
        ext: bool,
        span: timedelta,
    ) -> pd.DataFrame:
        parts = []
        start_ns, end_ns = to_ns(start), to_ns(end)
        for kind in kinds:
            config = SubscriptionConfig(
                security.symbol, res, kind, ff, ext, security.data_normalization_mode
            )
            sub = load_subscription(
                config,
                security.exchange_hours,
                self.data_dir,
                start.date() - timedelta(days=1),
                end.date(),
            )
            parts.append(
                self._frame(sub, kind, start_ns, end_ns, ff, span, start.date(), end.date())
            )
        frame = parts[0] if len(parts) == 1 else parts[0].join(parts[1], how="outer")
        return frame.sort_index()

    @staticmethod
    def _frame(
        sub: Subscription,
        kind: str,
        start_ns: int,
        end_ns: int,
        ff: bool,
        span: timedelta,
        first: date,
        last: date,
    ) -> pd.DataFrame:
        keep = (sub.end > start_ns) & (sub.end <= end_ns)
        rows = np.nonzero(keep)[0]
        times = sub.end[rows]
        values = sub.values[rows]
        if ff and len(rows):
            grid = fill_forward_grid(
                sub.exchange,
                span,
                first,
                last,
                sub.config.extended_hours,
                span >= timedelta(days=1),
            )
            grid = grid[(grid > times[0]) & (grid <= end_ns)]
            grid = np.setdiff1d(grid, times)
            if len(grid):
                source = np.searchsorted(sub.end, grid, side="left") - 1
                filled = sub.values[source].copy()
                if kind == "trade":
                    filled[:, 0:3] = filled[:, 3:4]
                    filled[:, 4] = 0.0
                times = np.concatenate([times, grid])
                values = np.concatenate([values, filled])
                order = np.argsort(times, kind="stable")
                times, values = times[order], values[order]
        columns = _TRADE_COLUMNS if kind == "trade" else _QUOTE_COLUMNS
        index = pd.DatetimeIndex(times.astype("datetime64[ns]"), name="time")
        return pd.DataFrame(values, index=index, columns=columns)

    def _custom(
        self,
        symbol: Any,
        data_type: Any,
        res: int,
        count: int | None,
        start: datetime | None,
        end: datetime,
    ) -> pd.DataFrame:
        config = SubscriptionConfig(symbol, res, "custom", False, False, 0, custom_type=data_type)
        first = (start or end - timedelta(days=count * 2 + 10 if count else 30)).date()
        points = read_custom_points(config, self.data_dir, first - timedelta(days=1), end.date())
        points = [p for p in points if p.end_time <= end and (start is None or p.end_time > start)]
        if count is not None:
            points = points[-count:]
        records = []
        for p in points:
            row = {"value": float(p.value)}
            row.update({k: v for k, v in getattr(p, "_fields", {}).items()})
            records.append(row)
        index = pd.MultiIndex.from_arrays(
            [[str(symbol)] * len(points), pd.DatetimeIndex([p.end_time for p in points])],
            names=["symbol", "time"],
        )
        self.data_points += len(points)
        return pd.DataFrame(records, index=index)
