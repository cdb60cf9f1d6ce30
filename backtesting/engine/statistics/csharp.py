"""C# number semantics that LEAN's statistic strings depend on.

LEAN computes most statistics as .NET ``decimal`` and some as ``double``, and the printed
string depends on which: a decimal keeps the trailing zeros of its scale ("2.200%"), a
double prints its shortest round-trip form ("0.02", "-19", "-0"). Rounding is banker's
rounding for ``Math.Round`` but half away from zero for format strings ("0.00", "N2",
"P"). This module reproduces exactly those rules with :mod:`decimal` and floats, so the rest
of the package can follow LEAN's arithmetic step by step.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

#: .NET decimal carries 28-29 significant digits; 28 is the safe common precision. Results
#: from 1e29 on raise ``decimal.Overflow`` like .NET's OverflowException (the exact limit,
#: decimal.MaxValue, is 7.9e28).
DECIMAL_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, Emax=28)

#: enough digits to quantize any decimal-range value without overflow
WIDE_CONTEXT = Context(prec=80)

#: largest power of ten a decimal can be scaled by (``DEC_SCALE_MAX``)
_MAX_SCALE = 28
#: .NET ``decimal.MaxValue``
DECIMAL_MAX = Decimal(79228162514264337593543950335)
_ZERO = Decimal(0)


def dec(value: Decimal | int | str) -> Decimal:
    """A :class:`Decimal` from an exact source (int, str or Decimal); never from a float."""
    if isinstance(value, float):
        raise TypeError("use decimal_from_double for floats: C# converts them to 15 digits")
    return Decimal(value)


def as_decimal(value: Decimal | int | float | str) -> Decimal:
    """A Decimal from anything numeric; floats convert as C# converts a double."""
    if isinstance(value, float):
        return decimal_from_double(value)
    return Decimal(value)


def decimal_from_double(value: float) -> Decimal:
    """C#'s explicit ``(decimal)double``: 15 significant digits, trailing zeros removed.

    Mirrors .NET's ``VarDecFromR8`` step by step (scale to a 15-digit integer in double
    arithmetic, round half to even, factor out powers of ten), so that e.g. 0.5 becomes
    ``0.5`` and 1.0 becomes ``1``; the scale of the result decides how LEAN prints it.
    ``SafeDecimalCast`` clamps to the decimal range; NaN/inf raise ``ValueError``.
    """
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"cannot cast {value} to decimal")
    if value == 0:
        return _ZERO
    if value >= float(DECIMAL_MAX):
        return DECIMAL_MAX
    if value <= -float(DECIMAL_MAX):
        return -DECIMAL_MAX
    negative = value < 0
    dbl = -value if negative else value
    exp = math.frexp(dbl)[1]  # == biased exponent - 1022 for normal numbers
    if exp < -94:
        return _ZERO
    power = 14 - ((exp * 19728) >> 16)
    if power >= 0:
        power = min(power, _MAX_SCALE)
        dbl *= 10.0**power
    elif power != -1 or dbl >= 1e15:
        dbl /= 10.0 ** (-power)
    else:
        power = 0
    if dbl < 1e14 and power < _MAX_SCALE:
        dbl *= 10
        power += 1
    mantissa = round(dbl)  # Python rounds floats half to even, like Math.Round
    if mantissa == 0:
        return _ZERO
    if power < 0:
        result = Decimal(mantissa * 10 ** (-power))
    else:
        lmax = min(power, 14)
        while lmax > 0 and mantissa % 10 == 0:
            mantissa //= 10
            power -= 1
            lmax -= 1
        result = Decimal(mantissa).scaleb(-power)
    return -result if negative else result


def double_from_decimal(value: Decimal) -> float:
    """C#'s ``(double)decimal``: the 96-bit mantissa as a double divided by 10^scale."""
    sign, _, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent > 0:
        mantissa = int(value.copy_abs())
        exponent = 0
    else:  # (exact: the wide context holds more digits than any decimal has)
        mantissa = int(value.copy_abs().scaleb(-exponent, WIDE_CONTEXT))
    low = mantissa & 0xFFFFFFFFFFFFFFFF
    high = mantissa >> 64
    result = (float(low) + float(high) * 18446744073709551616.0) / 10.0 ** (-exponent)
    return -result if sign else result


def safe_multiply_100(value: Decimal) -> Decimal:
    """LEAN's ``SafeMultiply100``: x 100 keeping the scale, capped at ``decimal.MaxValue``."""
    if value >= DECIMAL_MAX / 100:
        return DECIMAL_MAX
    return value * 100


def safe_division(numerator: Decimal, denominator: Decimal) -> Decimal:
    """LEAN's ``SafeDivision``: 0 for a zero denominator or a quotient that overflows."""
    if denominator == 0:
        return Decimal(0)
    try:
        return numerator / denominator
    except ArithmeticError:
        return Decimal(0)


def round_decimal(value: Decimal, decimals: int = 0) -> Decimal:
    """``Math.Round(decimal, decimals)``: banker's rounding; a smaller scale is kept as is."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -decimals:
        return value.quantize(
            Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN, context=WIDE_CONTEXT
        )
    return value


def round_double(value: float, decimals: int = 0) -> float:
    """``Math.Round(double, decimals)`` as .NET does it: scale, round half to even, unscale.

    The sign of zero survives (``Math.Round(-0.0001, 3)`` is ``-0.0``, printed "-0").
    """
    if math.isnan(value) or math.isinf(value) or abs(value) >= 1e16:
        return value
    power = 10.0**decimals
    scaled = float(round(value * power))
    if scaled == 0:
        scaled = math.copysign(0.0, value)
    return scaled / power


def format_decimal(value: Decimal) -> str:
    """``decimal.ToString(CultureInfo.InvariantCulture)``: every digit of the scale, no exponent."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent > 0:
        value = value.quantize(Decimal(1), context=WIDE_CONTEXT)
    text = f"{value:f}"
    if value.is_zero() and text.startswith("-"):
        text = text[1:]  # decimal zero never prints a sign
    return text


def format_double(value: float) -> str:
    """``double.ToString(CultureInfo.InvariantCulture)`` on .NET Core 3.0+: shortest round-trip.

    Integers print without ".0" and negative zero prints "-0". .NET's "G" switches to "E"
    notation when the decimal exponent passes max(digit count, 17) or the value is below
    1e-4: "11835996770264000" but "1.3466330963256E+25", "0.0001" but "1E-05" (all seen
    in LEAN's expected statistics).
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    shortest = Decimal(repr(value))
    sign, digits, exponent = shortest.normalize().as_tuple()
    assert isinstance(exponent, int)
    text_digits = "".join(map(str, digits))
    adjusted = exponent + len(text_digits) - 1
    prefix = "-" if sign else ""
    if adjusted + 1 > max(len(text_digits), 17) or adjusted <= -5:
        mantissa = text_digits[0] + ("." + text_digits[1:] if len(text_digits) > 1 else "")
        return f"{prefix}{mantissa}E{'+' if adjusted >= 0 else '-'}{abs(adjusted):02d}"
    return prefix + f"{abs(shortest.normalize()):f}"


def format_fixed(value: Decimal, decimals: int, *, grouping: bool = False) -> str:
    """.NET ``"0.00"``/``"N2"`` formatting of a decimal: half away from zero, optional "," groups.

    A value that rounds to zero loses its minus sign, as .NET does for decimals.
    """
    rounded = value.quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=WIDE_CONTEXT
    )
    if rounded.is_zero():
        rounded = abs(rounded)
    return f"{rounded:,.{decimals}f}" if grouping else f"{rounded:.{decimals}f}"


def format_percent(value: Decimal, decimals: int = 2) -> str:
    """.NET ``"P"`` formatting of a decimal with the invariant culture: "1.69 %", "-0.50 %"."""
    return format_fixed(value * 100, decimals, grouping=True) + " %"
