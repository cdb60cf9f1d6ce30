"""LEAN's published regression statistics, reproduced string for string.

Each case runs our own LEAN-style algorithm (tests/parity/algorithms/) through
``run_algorithm`` and compares every statistic with LEAN's expected string, except the
informational ones (capacity, lowest-capacity asset, order-list hash).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backtesting.engine.loader import load_algorithm_file
from backtesting.engine.results.sink import MemorySink
from backtesting.engine.runner import run_algorithm
from tests.parity.expected import EXPECTED, EXTRA, INFORMATIONAL

ALGORITHMS = Path(__file__).parent / "algorithms"

CASES = [
    pytest.param("BasicTemplateAlgorithm", "basic_template.py", {}, id="BasicTemplate"),
    pytest.param(
        "BasicTemplateDailyAlgorithm", "basic_template_daily.py", {}, id="BasicTemplateDaily"
    ),
    pytest.param("SetHoldingsRegressionAlgorithm", "set_holdings.py", {}, id="SetHoldings"),
    pytest.param(
        "ParameterizedAlgorithm",
        "parameterized.py",
        {"ema-fast": "10", "ema-slow": "20"},
        id="Parameterized",
    ),
    pytest.param("MACDTrendAlgorithm", "macd_trend.py", {}, id="MACDTrend"),
    pytest.param("HourSplitRegressionAlgorithm", "hour_split.py", {}, id="HourSplit"),
    pytest.param("LimitFillRegressionAlgorithm", "limit_fill.py", {}, id="LimitFill"),
    pytest.param("HistoryAlgorithm", "history_algorithm.py", {}, id="History"),
]


def run_case(file: str, parameters: dict[str, str], data_dir: Path) -> dict:
    algorithm = load_algorithm_file(ALGORITHMS / file)
    return run_algorithm(algorithm, data_dir=data_dir, sink=MemorySink(), parameters=parameters)


@pytest.mark.parametrize(("name", "file", "parameters"), CASES)
def test_statistics_match_lean(
    name: str, file: str, parameters: dict[str, str], lean_data_dir: Path
) -> None:
    result = run_case(file, parameters, lean_data_dir)
    assert result["status"] == "Completed", result["stacktrace"]
    expected = {k: v for k, v in EXPECTED[name].items() if k not in INFORMATIONAL}
    actual = {k: result["statistics"].get(k) for k in expected}
    mismatches = {k: (actual[k], v) for k, v in expected.items() if actual[k] != v}
    assert not mismatches, f"{name}: (ours, LEAN's) {mismatches}"


EXTRA_CASES = [
    pytest.param("TrailingStopOrderRegressionAlgorithm", "trailing_stop.py", id="TrailingStop"),
    pytest.param("LimitIfTouchedRegressionAlgorithm", "limit_if_touched.py", id="LimitIfTouched"),
    pytest.param("StopLimitOrderRegressionAlgorithm", "stop_limit.py", id="StopLimit"),
    pytest.param(
        "SetHoldingsMultipleTargetsRegressionAlgorithm",
        "set_holdings_targets.py",
        id="SetHoldingsTargets",
    ),
    pytest.param(
        "MarketOnCloseOrderBufferRegressionAlgorithm", "moc_buffer.py", id="MarketOnCloseBuffer"
    ),
    pytest.param("TimeInForceAlgorithm", "time_in_force.py", id="TimeInForce"),
    pytest.param("CustomBenchmarkAlgorithm", "custom_benchmark.py", id="CustomBenchmark"),
    pytest.param(
        "ExtendedMarketTradingRegressionAlgorithm", "extended_market.py", id="ExtendedMarketTrading"
    ),
    pytest.param(
        "AddRemoveSecurityRegressionAlgorithm", "add_remove_security.py", id="AddRemoveSecurity"
    ),
    pytest.param("DisplacedMovingAverageRibbon", "ma_ribbon.py", id="MovingAverageRibbon"),
    pytest.param("OnWarmupFinishedRegressionAlgorithm", "warmup_minute.py", id="WarmUpMinute"),
    pytest.param(
        "SecurityToSymbolRegressionAlgorithm", "security_as_symbol.py", id="SecurityAsSymbol"
    ),
    pytest.param(
        "StringToSymbolImplicitConversionRegressionAlgorithm",
        "unknown_ticker.py",
        id="UnknownTicker",
    ),
    pytest.param("RawDataRegressionAlgorithm", "raw_data.py", id="RawGoogl"),
]


@pytest.mark.parametrize(("name", "file"), EXTRA_CASES)
def test_more_lean_regressions_match(name: str, file: str, lean_data_dir: Path) -> None:
    result = run_case(file, {}, lean_data_dir)
    assert result["status"] == "Completed", result["stacktrace"]
    actual = {k: result["statistics"].get(k) for k in EXTRA[name]}
    mismatches = {k: (actual[k], v) for k, v in EXTRA[name].items() if actual[k] != v}
    assert not mismatches, f"{name}: (ours, LEAN's) {mismatches}"


def test_numpys_parser_gives_leans_numbers_too(
    lean_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An install without a C compiler parses minute files with numpy (readers.py): the
    minute case still matches LEAN string for string."""
    from backtesting.engine.data import readers

    parsed = []
    monkeypatch.setattr(readers, "_fastcsv", None)
    numpy_parser = readers._parse_numeric_with_numpy
    monkeypatch.setattr(
        readers,
        "_parse_numeric_with_numpy",
        lambda *args: parsed.append(1) or numpy_parser(*args),
    )
    readers._read_numeric_cached.cache_clear()  # (files the compiled parser read before)
    result = run_case("basic_template.py", {}, lean_data_dir)
    assert result["status"] == "Completed", result["stacktrace"]
    assert parsed  # numpy read the minute files
    expected = {
        k: v for k, v in EXPECTED["BasicTemplateAlgorithm"].items() if k not in INFORMATIONAL
    }
    assert {k: result["statistics"].get(k) for k in expected} == expected
