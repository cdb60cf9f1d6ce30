"""Custom data (LEAN's PythonData): the user's ``get_source`` and ``reader`` decide each point."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from backtesting.engine.data.market_hours import ExchangeHours
from backtesting.engine.feed.subscription import Subscription, SubscriptionConfig, to_ns


class SubscriptionDataSource:
    """Where a custom type's data lives (only local files are supported in backtests)."""

    def __init__(self, source: str, transport_medium: Any = None, format: Any = None) -> None:
        self.source = source
        self.transport_medium = transport_medium
        self.format = format


class SubscriptionTransportMedium:
    LOCAL_FILE = 0
    REMOTE_FILE = 1
    LocalFile, RemoteFile = 0, 1


class FileFormat:
    CSV = 0
    Csv = 0


class _ReaderConfig:
    """The ``config`` argument of ``get_source``/``reader``."""

    def __init__(self, config: SubscriptionConfig) -> None:
        self.symbol = config.symbol
        self.resolution = config.resolution


def _lines(path: Path) -> list[str]:
    import zipfile

    if not path.exists():
        return []
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            name = archive.namelist()[0]
            return archive.read(name).decode().splitlines()
    return path.read_text().splitlines()


def resolve_source(data_dir: Path, source: str) -> Path:
    path = Path(source)
    if path.is_absolute():
        return path
    for prefix in ("Globals.DataFolder", "../../../Data/", "Data/"):
        if source.startswith(prefix):
            source = source[len(prefix) :]
    return Path(data_dir) / source.lstrip("/")


def read_custom_points(
    config: SubscriptionConfig, data_dir: Path, first: date, last: date
) -> list[Any]:
    """Every point the custom type yields for dates [first, last], sorted by end time."""
    instance = config.custom_type()
    cfg = _ReaderConfig(config)
    seen_sources: set[str] = set()
    points: list[Any] = []
    day = first
    while day <= last:
        moment = datetime(day.year, day.month, day.day)
        source = instance.get_source(cfg, moment, False)
        key = source.source if hasattr(source, "source") else str(source)
        if key not in seen_sources:
            seen_sources.add(key)
            for line in _lines(resolve_source(data_dir, key)):
                if not line.strip():
                    continue
                point = instance.reader(cfg, line, moment, False)
                if point is None:
                    continue
                if point.symbol is None:
                    point.symbol = config.symbol
                if point.end_time is None or point.end_time == point.time:
                    point.end_time = (
                        point.time + timedelta(days=1) if config.resolution == 4 else point.time
                    )
                if first <= point.time.date() <= last:
                    points.append(point)
        day += timedelta(days=1)
    points.sort(key=lambda p: p.end_time)
    return points


def load_custom_subscription(
    config: SubscriptionConfig,
    exchange: ExchangeHours,
    data_dir: Path,
    first: date,
    last: date,
    algorithm: Any,
) -> Subscription:
    points = read_custom_points(config, data_dir, first, last)
    start = np.array([to_ns(p.time) for p in points], dtype=np.int64)
    end = np.array([to_ns(p.end_time) for p in points], dtype=np.int64)
    values = np.array([[float(p.value)] for p in points]).reshape(len(points), 1)
    sub = Subscription(config, exchange, start, end, values, custom=points)
    sub.config.fill_forward = False
    return sub
