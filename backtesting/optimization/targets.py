"""Targets and constraints: reading LEAN's formatted statistics as numbers and ranking them.

Statistics arrive as LEAN formats them ("1.234", "12.5%", "-$3.44"); a percentage is
compared as the number shown (``"12.5%"`` is 12.5), which is also how a user types a
constraint value.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from typing import Any

#: statistics an optimization can maximize or minimize.
TARGETS = (
    "Sharpe Ratio",
    "Compounding Annual Return",
    "Probabilistic Sharpe Ratio",
    "Drawdown",
)
#: constraint operators as QuantConnect names them.
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "less": operator.lt,
    "lessOrEqual": operator.le,
    "greater": operator.gt,
    "greaterOrEqual": operator.ge,
    "equals": operator.eq,
    "notEqual": operator.ne,
}
#: the statistics a results row shows beside the target.
MAIN_STATISTICS = (
    "Sharpe Ratio",
    "Compounding Annual Return",
    "Probabilistic Sharpe Ratio",
    "Drawdown",
    "Net Profit",
    "Total Orders",
)


def number(value: Any) -> float | None:
    """The number in a formatted statistic, None when there is none (missing, "NaN")."""
    if value is None:
        return None
    if isinstance(value, int | float):
        result = float(value)
    else:
        text = str(value).replace("$", "").replace(",", "").replace("%", "").strip()
        try:
            result = float(text)
        except ValueError:
            return None
    return result if math.isfinite(result) else None


def satisfies(statistics: dict[str, Any], constraints: Iterable[dict[str, Any]]) -> bool:
    """Whether every constraint holds; a constraint on a missing statistic fails."""
    for constraint in constraints:
        actual = number(statistics.get(constraint["statistic"]))
        if actual is None:
            return False
        compare = OPERATORS[constraint["operator"]]
        if not compare(actual, float(constraint["value"])):
            return False
    return True


def best_index(
    rows: list[dict[str, Any]],
    *,
    target: str,
    direction: str,
    constraints: Iterable[dict[str, Any]],
) -> int | None:
    """Index of the row (``{statistics}``) with the best target among those meeting the
    constraints; the earliest wins a tie, None when no row qualifies."""
    constraints = list(constraints)
    best: tuple[float, int] | None = None
    for index, row in enumerate(rows):
        value = number(row.get("statistics", {}).get(target))
        if value is None or not satisfies(row.get("statistics", {}), constraints):
            continue
        score = value if direction == "max" else -value
        if best is None or score > best[0]:
            best = (score, index)
    return None if best is None else best[1]
