"""Recovery: silent workers become "node lost"; stale queued messages are sent again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backtesting.models import Backtest
from backtesting.services import NODE_LOST, claim_backtest, sweep_lost_backtests
from nodes.models import Node


@pytest.fixture
def running(api, owner, project):
    backtest_id = (
        api(owner).post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    )
    return claim_backtest(backtest_id=backtest_id, worker="test:1")


@pytest.mark.django_db
def test_a_backtest_without_heartbeat_becomes_runtime_error_and_frees_its_node(settings, running):
    settings.HEARTBEAT_TIMEOUT_SECONDS = 20
    later = timezone.now() + timedelta(seconds=21)

    report = sweep_lost_backtests(now=later)

    assert report.lost == [running.pk]
    running.refresh_from_db()
    assert running.status == "runtime_error"
    assert running.error == NODE_LOST
    assert running.events.filter(type="log", payload__level="error").count() == 1
    assert Node.objects.get(pk=running.node_id).status == "idle"
    # A second sweeper finds nothing left to do.
    assert sweep_lost_backtests(now=later).lost == []


@pytest.mark.django_db
def test_a_recent_heartbeat_keeps_the_backtest_running(settings, running):
    settings.HEARTBEAT_TIMEOUT_SECONDS = 20
    report = sweep_lost_backtests(now=timezone.now() + timedelta(seconds=5))
    assert report.lost == []
    running.refresh_from_db()
    assert running.status == "running"


@pytest.mark.django_db
def test_stale_queued_backtests_are_sent_again(settings, api, owner, project, monkeypatch):
    settings.QUEUED_RESEND_SECONDS = 60
    sent: list[int] = []
    monkeypatch.setattr(
        "backtesting.services._send_run_message", lambda pk, delay_ms=0: sent.append(pk)
    )
    backtest_id = (
        api(owner).post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    )
    sent.clear()

    assert sweep_lost_backtests(now=timezone.now() + timedelta(seconds=30)).resent == []
    report = sweep_lost_backtests(now=timezone.now() + timedelta(seconds=61))

    assert report.resent == [backtest_id] and sent == [backtest_id]
    assert Backtest.objects.get(pk=backtest_id).status == "queued"


@pytest.mark.django_db
def test_a_duplicate_message_runs_nothing_twice(running):
    from backtesting.execution import execute_backtest

    assert execute_backtest(backtest_id=running.pk) is None
    running.refresh_from_db()
    assert running.status == "running"
