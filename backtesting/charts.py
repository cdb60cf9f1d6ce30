"""Server-side downsampling of long chart series.

A year of minute-sampled custom charts is hundreds of thousands of points; the results
page can draw about as many points as it has pixels, so sending every stored point makes
the snapshot and ``GET /api/backtests/{id}/charts/`` slow for nothing. Min/max bucketing
keeps the shape a person sees: the first and last point of a series and, in each time
bucket, its lowest and highest value (so spikes and drawdown troughs survive).

Only series longer than the limit are touched; short runs stream unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: points per series kept when a series is longer than this.
MAX_POINTS = 2000


def keep_indices(values: Sequence[float], limit: int = MAX_POINTS) -> list[int]:
    """Indices (ascending) of the points to keep from a series in time order.

    Always the first and the last; the rest is split into equal buckets of index range,
    each contributing the index of its minimum and of its maximum. Returns every index
    when the series already fits in ``limit``.
    """
    n = len(values)
    if n <= limit:
        return list(range(n))
    if limit < 4:
        return [0, n - 1]
    buckets = (limit - 2) // 2
    inner = n - 2
    kept = [0]
    for b in range(buckets):
        lo = 1 + b * inner // buckets
        hi = 1 + (b + 1) * inner // buckets
        if lo >= hi:
            continue
        low = high = lo
        low_value = high_value = _number(values[lo])
        for i in range(lo + 1, hi):
            v = _number(values[i])
            if v < low_value:
                low, low_value = i, v
            elif v > high_value:
                high, high_value = i, v
        kept.extend(sorted({low, high}))
    kept.append(n - 1)
    return kept


def downsample_points(points: list[list[Any]], limit: int = MAX_POINTS) -> list[list[Any]]:
    """``[[time, value], ...]`` reduced to at most ``limit`` points (see :func:`keep_indices`)."""
    return [points[i] for i in keep_indices([p[1] for p in points], limit)]


def downsample_chart_events(
    events: list[dict[str, Any]], limit: int = MAX_POINTS
) -> list[dict[str, Any]]:
    """The stored events with each long chart series thinned; other events untouched.

    Order is kept, and so is the last event of every series, so a snapshot still ends at
    the stream's last ``seq`` when that event is a chart point (clients resume from it).
    """
    by_series: dict[tuple[str, str], list[int]] = {}
    for position, event in enumerate(events):
        if event.get("type") == "chart":
            key = (event.get("chart", ""), event.get("series", ""))
            by_series.setdefault(key, []).append(position)
    dropped: set[int] = set()
    for positions in by_series.values():
        if len(positions) <= limit:
            continue
        values = [events[p].get("value") for p in positions]
        kept = set(keep_indices(values, limit))
        dropped.update(p for i, p in enumerate(positions) if i not in kept)
    if not dropped:
        return events
    return [event for position, event in enumerate(events) if position not in dropped]


def _number(value: Any) -> float:
    """A chart value as a float (``None`` and text count as 0 so buckets never fail)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
