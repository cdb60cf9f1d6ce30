"""C# number formatting that LEAN's statistic strings depend on."""

from decimal import Decimal

import pytest

from backtesting.engine.statistics.csharp import (
    as_decimal,
    decimal_from_double,
    double_from_decimal,
    format_decimal,
    format_double,
    format_fixed,
    format_percent,
    round_decimal,
    round_double,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.5, "0.5"),
        (1.0, "1"),
        (0.1, "0.1"),  # 15 digits hide the binary tail 0.1000000000000000055...
        (1 / 3, "0.333333333333333"),
        (2 / 3, "0.666666666666667"),
        (-1234.5678, "-1234.5678"),
        (123456789012345678.0, "123456789012346000"),
        (1e-20, "0.00000000000000000001"),
        (0.0, "0"),
        (-0.0, "0"),
    ],
)
def test_double_to_decimal_keeps_15_significant_digits_without_trailing_zeros(value, expected):
    assert format_decimal(decimal_from_double(value)) == expected


def test_double_to_decimal_refuses_nan_like_safe_decimal_cast():
    with pytest.raises(ValueError):
        decimal_from_double(float("nan"))


def test_double_to_decimal_clamps_to_the_decimal_range():
    assert decimal_from_double(1e30) == Decimal(79228162514264337593543950335)


def test_as_decimal_converts_floats_like_csharp_and_keeps_exact_sources():
    assert as_decimal(0.1) == Decimal("0.1")
    assert as_decimal("3.485") == Decimal("3.485")
    assert as_decimal(100000) == Decimal(100000)


def test_decimal_to_double_divides_the_mantissa_by_the_scale():
    assert double_from_decimal(Decimal("0.0075")) == 0.0075
    assert double_from_decimal(Decimal("-2.5")) == -2.5
    assert double_from_decimal(Decimal("1E+3")) == 1000.0


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        ("2.2000", 3, "2.200"),  # the scale survives: "2.200%"
        ("0.022", 3, "0.022"),
        ("2.25", 1, "2.2"),  # banker's rounding
        ("2.35", 1, "2.4"),
        ("-0.0005", 3, "0.000"),  # a decimal zero has no sign
        ("5", 3, "5"),  # a smaller scale is not padded
        ("96.71", 3, "96.71"),
        ("96.7100", 3, "96.710"),
    ],
)
def test_math_round_on_decimals(value, decimals, expected):
    assert format_decimal(round_decimal(Decimal(value), decimals)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0201, "0.02"),
        (-19.0002, "-19"),
        (0.0, "0"),
        (-0.0001, "-0"),  # .NET Core prints negative zero
        (8.85449, "8.854"),
        (0.0125, "0.012"),  # 12.5 rounds to even
        (1.9700001, "1.97"),
        (-14.5655, "-14.566"),
        (1e15, "1000000000000000"),
        (11835996770264000.0, "11835996770264000"),  # LEAN expected statistics
        (1.3466330963256e25, "1.3466330963256E+25"),
        (7.922816251426434e28, "7.922816251426434E+28"),
        (2144882.02, "2144882.02"),
        (123456.0, "123456"),
    ],
)
def test_doubles_round_to_3_then_print_shortest(value, expected):
    assert format_double(round_double(value, 3)) == expected


def test_format_double_uses_exponent_for_tiny_values():
    assert format_double(0.00001) == "1E-05"
    assert format_double(0.0001) == "0.0001"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3.485", "3.49"),  # format strings round half away from zero, unlike Math.Round
        ("3.445", "3.45"),
        ("34", "34.00"),
        ("0", "0.00"),
        ("-0.004", "0.00"),
    ],
)
def test_fixed_two_decimals_rounds_half_away_from_zero(value, expected):
    assert format_fixed(Decimal(value), 2) == expected


def test_n2_groups_thousands():
    assert format_fixed(Decimal("101691.919837"), 2, grouping=True) == "101,691.92"
    assert format_fixed(Decimal("-1234567.005"), 2, grouping=True) == "-1,234,567.01"


def test_percent_format_has_a_space_before_the_sign():
    assert format_percent(Decimal("0.0169191983728")) == "1.69 %"
    assert format_percent(Decimal("-0.005")) == "-0.50 %"
    assert format_percent(Decimal("12.3456")) == "1,234.56 %"
