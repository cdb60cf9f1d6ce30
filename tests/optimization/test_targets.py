"""Targets read LEAN's formatted statistics; constraints filter; max and min rank."""

import pytest

from backtesting.optimization.targets import best_index, number, satisfies


@pytest.mark.parametrize(
    ("text", "value"),
    [("1.234", 1.234), ("12.5%", 12.5), ("-$3.44", -3.44), ("$1,234.00", 1234.0), (2, 2.0)],
)
def test_formatted_statistics_read_as_the_number_shown(text, value) -> None:
    assert number(text) == value


@pytest.mark.parametrize("text", [None, "", "NaN", "n/a", float("inf")])
def test_missing_or_non_numbers_read_as_none(text) -> None:
    assert number(text) is None


@pytest.mark.parametrize(
    ("operator", "value", "holds"),
    [
        ("less", 10, False),
        ("less", 10.1, True),
        ("lessOrEqual", 10, True),
        ("greater", 10, False),
        ("greater", 9.9, True),
        ("greaterOrEqual", 10, True),
        ("equals", 10, True),
        ("equals", 10.5, False),
        ("notEqual", 10, False),
        ("notEqual", 11, True),
    ],
)
def test_the_six_operators(operator, value, holds) -> None:
    stats = {"Drawdown": "10.0%"}
    assert (
        satisfies(stats, [{"statistic": "Drawdown", "operator": operator, "value": value}]) is holds
    )


def test_a_constraint_on_a_missing_statistic_fails() -> None:
    assert not satisfies({}, [{"statistic": "Drawdown", "operator": "less", "value": 5}])


ROWS = [
    {"statistics": {"Sharpe Ratio": "1.0", "Drawdown": "5%"}},
    {"statistics": {"Sharpe Ratio": "3.0", "Drawdown": "30%"}},
    {"statistics": {"Sharpe Ratio": "2.0", "Drawdown": "10%"}},
    {"statistics": {}},  # a failed combination
]


def test_max_and_min_pick_opposite_ends() -> None:
    assert best_index(ROWS, target="Sharpe Ratio", direction="max", constraints=[]) == 1
    assert best_index(ROWS, target="Sharpe Ratio", direction="min", constraints=[]) == 0


def test_constraints_exclude_the_otherwise_best_row() -> None:
    constraints = [{"statistic": "Drawdown", "operator": "less", "value": 20}]
    assert best_index(ROWS, target="Sharpe Ratio", direction="max", constraints=constraints) == 2


def test_no_row_meeting_the_constraints_means_no_best() -> None:
    constraints = [{"statistic": "Drawdown", "operator": "less", "value": 1}]
    assert best_index(ROWS, target="Sharpe Ratio", direction="max", constraints=constraints) is None
