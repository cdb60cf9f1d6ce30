"""The per-backtest log quota: lines past it are dropped, and one line says so."""

import pytest

from backtesting.services import claim_backtest, record_events


def _log(message: str) -> dict:
    return {"type": "log", "time": "2013-10-07T09:31:00", "level": "log", "message": message}


@pytest.mark.django_db
def test_logs_past_the_free_quota_are_dropped_with_one_visible_line(api, owner, project):
    backtest_id = (
        api(owner).post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    )
    claim_backtest(backtest_id=backtest_id, worker="test")
    line = "x" * 1024  # 1 KB; the Free tier allows 10 KB per backtest

    record_events(backtest_id=backtest_id, events=[_log(line) for _ in range(10)])
    record_events(backtest_id=backtest_id, events=[_log(line) for _ in range(3)])
    record_events(backtest_id=backtest_id, events=[{"type": "progress", "fraction": 0.5}])

    logs = api(owner).get(f"/api/backtests/{backtest_id}/logs/").data
    assert [entry["message"] for entry in logs] == [line] * 10 + [
        "Log quota reached: 10 KB per backtest on the Free tier"
    ]
    detail = api(owner).get(f"/api/backtests/{backtest_id}/").data
    assert detail["status"] == "running" and detail["progress"] == 0.5
