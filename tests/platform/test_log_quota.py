"""Log quotas: past them lines are dropped with one line that says so; a spent daily
quota refuses launches and says when it frees up."""

from datetime import timedelta

import pytest

from accounts.models import LogUsage
from accounts.selectors import current_hour
from backtesting.models import Backtest
from backtesting.services import claim_backtest, record_events

MB = 1024 * 1024


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


@pytest.mark.django_db
def test_the_daily_quota_drops_lines_mid_run_and_is_not_refunded_by_deleting(
    api, owner, project, free_org
):
    from accounts.selectors import log_bytes_today

    client = api(owner)
    # Given 3 MB minus 100 bytes already logged today by the organization,
    LogUsage.objects.create(organization=free_org, hour=current_hour(), bytes=3 * MB - 100)
    backtest_id = client.post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    claim_backtest(backtest_id=backtest_id, worker="test")

    # when a run logs 60 + 60 bytes, the second line is past the daily quota.
    record_events(backtest_id=backtest_id, events=[_log("a" * 60), _log("b" * 60)])

    messages = [
        entry["message"] for entry in client.get(f"/api/backtests/{backtest_id}/logs/").data
    ]
    assert messages == ["a" * 60, "Log quota reached: 3 MB per day on the Free tier"]
    assert log_bytes_today(organization=free_org) == 3 * MB - 40
    client.post(f"/api/backtests/{backtest_id}/stop/")
    client.delete(f"/api/backtests/{backtest_id}/")
    assert log_bytes_today(organization=free_org) == 3 * MB - 40


@pytest.mark.django_db
def test_a_launch_with_the_daily_quota_spent_is_refused_saying_when_it_frees_up(
    api, owner, project, free_org
):
    hour = current_hour() - timedelta(hours=5)
    LogUsage.objects.create(organization=free_org, hour=hour, bytes=3 * MB)

    response = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")

    assert response.status_code == 403
    frees = (hour + timedelta(hours=25)).strftime("%Y-%m-%d %H:%M")
    assert response.data["error"] == (
        f"The Free tier's 3 MB of logs per day are used up; logging frees up at {frees} UTC"
    )
    assert not Backtest.objects.exists()


@pytest.mark.django_db
def test_usage_older_than_24_hours_no_longer_counts(api, owner, project, free_org):
    LogUsage.objects.create(
        organization=free_org, hour=current_hour() - timedelta(hours=24), bytes=3 * MB
    )
    response = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")
    assert response.status_code == 201
