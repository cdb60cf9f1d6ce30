"""Euler search: a coarse grid first, then finer grids around the best result so far.

Each parameter's fine values are its grid (``min, min + step, ... max``). The first round
takes every ``scale``-th value (``scale`` a power of two, chosen so that no parameter has
more than :data:`COARSE_VALUES` values, plus the last value); each later round halves the
scale and tries the neighbours ``best - scale, best, best + scale`` of every parameter,
skipping combinations already run. The search ends after the round at scale 1. It runs far
fewer backtests than the full grid when the target is smooth, and may miss a narrow peak.
"""

from __future__ import annotations

import itertools
from typing import Any

from backtesting.optimization.grid import axis_values, expand

#: at most this many values of each parameter in the first round.
COARSE_VALUES = 5


def _axes(parameters: list[dict[str, Any]]) -> list[tuple[str, list[int | float]]]:
    expand(parameters)  # validates names, ranges and the full grid's size
    return [
        (str(p["name"]).strip(), axis_values(p["min"], p["max"], p["step"], p["name"]))
        for p in parameters
    ]


def initial_scale(parameters: list[dict[str, Any]]) -> int:
    """The first round's stride in fine steps: the smallest power of two that leaves at
    most :data:`COARSE_VALUES` values on every parameter."""
    scale = 1
    for _, values in _axes(parameters):
        while _coarse_count(len(values), scale) > COARSE_VALUES:
            scale *= 2
    return scale


def _coarse_count(size: int, scale: int) -> int:
    """Values in a first round at ``scale``: every scale-th one plus the last."""
    return len(range(0, size, scale)) + (1 if (size - 1) % scale else 0)


def first_round(parameters: list[dict[str, Any]], scale: int) -> list[dict[str, Any]]:
    """Every ``scale``-th value of each parameter (and its last value), combined."""
    columns = []
    for name, values in _axes(parameters):
        picked = sorted({*range(0, len(values), scale), len(values) - 1})
        columns.append([(name, values[i]) for i in picked])
    return [dict(combination) for combination in itertools.product(*columns)]


def next_round(
    parameters: list[dict[str, Any]],
    best: dict[str, Any],
    scale: int,
    done: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The neighbours at ``scale`` fine steps around ``best`` not yet in ``done``."""
    columns = []
    for name, values in _axes(parameters):
        centre = values.index(best[name])
        picked = sorted(
            {i for i in (centre - scale, centre, centre + scale) if 0 <= i < len(values)}
        )
        columns.append([(name, values[i]) for i in picked])
    seen = {tuple(sorted(c.items())) for c in done}
    fresh = []
    for combination in itertools.product(*columns):
        key = tuple(sorted(combination))
        if key not in seen:
            seen.add(key)
            fresh.append(dict(combination))
    return fresh


def estimated_total(parameters: list[dict[str, Any]]) -> int:
    """An upper bound of the backtests an Euler search runs (for the estimate)."""
    scale = initial_scale(parameters)
    total = len(first_round(parameters, scale))
    while scale > 1:
        scale //= 2
        total += 3 ** len(parameters) - 1
    return min(total, len(expand(parameters)))
