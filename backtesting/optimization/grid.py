"""Grid search: every combination of 1-3 parameter ranges ``{name, min, max, step}``.

Values are computed in decimal arithmetic (``min + i * step``), so a float step such as 0.1
lands exactly on 0.3 and on ``max`` instead of drifting past it and losing the last value.
"""

from __future__ import annotations

import itertools
from decimal import Decimal, InvalidOperation
from typing import Any

#: parameters one optimization may vary (as on QuantConnect).
MAX_PARAMETERS = 3
#: combinations one optimization may hold; beyond this the request is refused.
MAX_COMBINATIONS = 1000


class GridError(ValueError):
    """The ranges do not describe a valid grid; the message says which and why."""


def _decimal(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise GridError(f"{what} must be a number, not {value!r}") from exc
    if not number.is_finite():
        raise GridError(f"{what} must be finite")
    return number


def _plain(value: Decimal, integral: bool) -> int | float:
    return int(value) if integral else float(value)


def axis_values(
    minimum: Any, maximum: Any, step: Any, name: str = "parameter"
) -> list[int | float]:
    """``min, min + step, ...`` up to and including ``max`` (when a step lands on it).

    Integers stay integers when min and step are whole numbers; otherwise floats.
    """
    low = _decimal(minimum, f"{name}.min")
    high = _decimal(maximum, f"{name}.max")
    stride = _decimal(step, f"{name}.step")
    if stride <= 0:
        raise GridError(f"{name}.step must be greater than 0")
    if high < low:
        raise GridError(f"{name}.max must not be less than {name}.min")
    count = int((high - low) / stride) + 1
    if count > MAX_COMBINATIONS:
        raise GridError(f"{name} has {count} values; at most {MAX_COMBINATIONS} are allowed")
    integral = low == low.to_integral_value() and stride == stride.to_integral_value()
    return [_plain(low + stride * i, integral) for i in range(count)]


def expand(parameters: list[dict[str, Any]]) -> list[dict[str, int | float]]:
    """Every combination, the first parameter varying slowest.

    Raises :class:`GridError` for no parameter, more than three, duplicate names, a bad
    range, or more than :data:`MAX_COMBINATIONS` combinations.
    """
    if not parameters:
        raise GridError("choose at least one parameter")
    if len(parameters) > MAX_PARAMETERS:
        raise GridError(f"at most {MAX_PARAMETERS} parameters can be optimized at once")
    names = [str(p.get("name", "")).strip() for p in parameters]
    if any(not n for n in names):
        raise GridError("every parameter needs a name")
    if len(set(names)) != len(names):
        raise GridError("parameter names must be different")
    axes = [
        axis_values(p.get("min"), p.get("max"), p.get("step"), name)
        for name, p in zip(names, parameters, strict=True)
    ]
    total = 1
    for axis in axes:
        total *= len(axis)
    if total > MAX_COMBINATIONS:
        raise GridError(f"the grid holds {total} backtests; at most {MAX_COMBINATIONS} are allowed")
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*axes)]
