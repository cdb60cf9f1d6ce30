"""Long chart series are thinned on the server: first/last and extremes survive."""

import math

import pytest

from backtesting.charts import downsample_chart_events, downsample_points, keep_indices
from backtesting.models import Backtest, BacktestEvent


def _wave(n: int) -> list[list[float]]:
    """A slow sine with one spike and one trough, so extremes are easy to check."""
    points = [[1_000_000 + 60 * i, 100 + 10 * math.sin(i / 500)] for i in range(n)]
    points[12_345][1] = 500.0
    points[54_321][1] = -400.0
    return points


def test_short_series_are_left_alone():
    points = [[i, float(i)] for i in range(2000)]
    assert downsample_points(points) == points
    assert keep_indices([1.0, 2.0, 3.0]) == [0, 1, 2]


def test_a_long_series_keeps_first_last_and_extremes_within_the_limit():
    points = _wave(100_000)
    thin = downsample_points(points, limit=2000)

    assert len(thin) <= 2000
    assert len(thin) > 1500  # the budget is used, not a handful of points
    assert thin[0] == points[0] and thin[-1] == points[-1]
    values = [v for _, v in thin]
    assert max(values) == 500.0 and min(values) == -400.0
    times = [t for t, _ in thin]
    assert times == sorted(times) and len(set(times)) == len(times)
    # every kept point is a real stored point
    stored = {tuple(p) for p in points}
    assert all(tuple(p) in stored for p in thin)


def test_each_bucket_keeps_its_own_min_and_max():
    # a sawtooth: bucketed min/max must keep the low and high of each tooth region
    values = [float(i % 100) for i in range(10_000)]
    kept = keep_indices(values, limit=202)
    assert len(kept) <= 202
    kept_values = [values[i] for i in kept[1:-1]]
    assert kept_values.count(0.0) >= 90 and kept_values.count(99.0) >= 90


def test_chart_events_are_thinned_per_series_and_other_events_untouched():
    events = []
    seq = 0
    for i in range(5000):
        for series in ("Equity", "Return"):
            seq += 1
            events.append(
                {"type": "chart", "chart": "Strategy", "series": series, "time": i,
                 "value": float(i if series == "Equity" else -i), "seq": seq}
            )  # fmt: skip
        if i % 1000 == 0:
            seq += 1
            events.append({"type": "log", "message": f"at {i}", "seq": seq})
    thin = downsample_chart_events(events, limit=500)

    logs = [e for e in thin if e["type"] == "log"]
    assert len(logs) == 5
    for series in ("Equity", "Return"):
        kept = [e for e in thin if e.get("series") == series]
        assert 400 <= len(kept) <= 500
        assert kept[0]["time"] == 0 and kept[-1]["time"] == 4999
    seqs = [e["seq"] for e in thin]
    assert seqs == sorted(seqs)
    assert seqs[-1] == events[-1]["seq"]  # a resuming client still sees the last seq


def test_few_chart_events_come_back_as_they_are():
    events = [{"type": "chart", "chart": "C", "series": "S", "time": 1, "value": 1, "seq": 1}]
    assert downsample_chart_events(events) is events


@pytest.mark.django_db
def test_the_charts_api_answers_at_most_2000_points_per_series(api, owner, project):
    backtest_id = (
        api(owner).post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    )
    backtest = Backtest.objects.get(pk=backtest_id)
    start = backtest.last_seq
    BacktestEvent.objects.bulk_create(
        BacktestEvent(
            backtest=backtest,
            seq=start + 1 + i,
            type="chart",
            payload={
                "type": "chart",
                "chart": "Custom",
                "series": "Noise",
                "time": 1000 + i,
                "value": 7.0 if i == 7777 else float(i % 13),
            },
        )  # fmt: skip
        for i in range(20_000)
    )

    charts = api(owner).get(f"/api/backtests/{backtest_id}/charts/").json()

    points = charts["Custom"]["Noise"]["points"]
    assert len(points) <= 2000
    assert points[0] == [1000, 0.0] and points[-1] == [1000 + 19_999, float(19_999 % 13)]
    assert max(v for _, v in points) == 12.0 and min(v for _, v in points) == 0.0
