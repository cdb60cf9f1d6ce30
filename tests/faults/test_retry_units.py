"""The robustness pieces the fault scenarios rely on, checked one by one (SQLite, fast).

A conditional event write, the worker's buffering writer, the sweeper's grace after an
outage, and a websocket that resumes after a ``seq`` or fills a lost broadcast.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import OperationalError
from django.utils import timezone

from backtesting import execution, services
from backtesting.models import Backtest, BacktestEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _log(n: int) -> dict:
    return {"type": "log", "time": None, "level": "log", "message": f"line {n}"}


@pytest.fixture
def running(api, owner, project) -> Backtest:
    backtest_id = (
        api(owner).post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    )
    return services.claim_backtest(backtest_id=backtest_id, worker="test:1:main")


def _lines(backtest_id: int) -> list[str]:
    return [
        payload["message"]
        for payload in BacktestEvent.objects.filter(backtest_id=backtest_id)
        .order_by("seq")
        .values_list("payload", flat=True)
    ]


def test_a_batch_written_after_a_stale_seq_is_not_stored_again(running):
    first = services.record_events(backtest_id=running.pk, events=[_log(1)], after_seq=0)
    assert [e["seq"] for e in first] == [1]
    # The same batch retried (its first COMMIT's answer was lost) stores nothing.
    assert services.record_events(backtest_id=running.pk, events=[_log(1)], after_seq=0) == []
    assert _lines(running.pk) == ["line 1"]


def test_the_writer_retries_a_batch_whose_commit_answer_was_lost(running, monkeypatch):
    real = services.record_events
    calls = {"n": 0}

    def commit_then_fail(**kwargs):
        calls["n"] += 1
        stored = real(**kwargs)
        if calls["n"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return stored

    monkeypatch.setattr(services, "record_events", commit_then_fail)
    monkeypatch.setattr(execution, "RETRY_SECONDS", 0)
    writer = execution.EventWriter(running.pk, last_seq=0)
    writer([_log(1)])  # stored, but the writer saw an error: kept pending
    assert writer.pending
    writer([_log(2)])  # the retry finds batch 1 stored and moves on
    assert not writer.pending
    assert _lines(running.pk) == ["line 1", "line 2"]
    assert writer.last_seq == 2


def test_the_writer_buffers_through_an_outage_and_keeps_the_order(running, monkeypatch):
    real = services.record_events
    down = {"on": True}

    def maybe_down(**kwargs):
        if down["on"]:
            raise OperationalError("connection refused")
        return real(**kwargs)

    monkeypatch.setattr(services, "record_events", maybe_down)
    writer = execution.EventWriter(running.pk, last_seq=0)
    for n in range(1, 4):
        writer([_log(n)])  # below the bound: returns at once, the run goes on
    assert writer.buffered == 3 and _lines(running.pk) == []
    down["on"] = False
    writer([_log(4)])
    assert _lines(running.pk) == ["line 1", "line 2", "line 3", "line 4"]
    assert writer.buffered == 0


def test_the_writer_gives_up_after_the_longest_outage(running, monkeypatch, settings):
    settings.DATABASE_OUTAGE_SECONDS = 0.05

    def always_down(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(services, "record_events", always_down)
    monkeypatch.setattr(execution, "RETRY_SECONDS", 0.01)
    writer = execution.EventWriter(running.pk, last_seq=0)
    writer([_log(1)])
    with pytest.raises(OperationalError):
        writer.flush()


def test_after_an_outage_the_sweeper_does_not_judge_stale_heartbeats(settings, running):
    settings.HEARTBEAT_TIMEOUT_SECONDS = 5
    later = timezone.now() + timedelta(seconds=30)
    assert services.sweep_lost_backtests(now=later, check_lost=False).lost == []
    running.refresh_from_db()
    assert running.status == "running"
    assert services.sweep_lost_backtests(now=later).lost == [running.pk]


def _socket(path: str, user) -> WebsocketCommunicator:
    from config.routing import websocket_urlpatterns

    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user
    return communicator


@pytest.mark.asyncio
async def test_a_reconnecting_socket_gets_only_what_follows_its_last_seq(running, owner):
    from asgiref.sync import sync_to_async

    for n in range(1, 4):
        await sync_to_async(services.record_events)(backtest_id=running.pk, events=[_log(n)])
    socket = _socket(f"/ws/backtests/{running.pk}/?after=2", owner)
    assert (await socket.connect())[0]
    snapshot = json.loads(await socket.receive_from(timeout=5))
    assert [e["seq"] for e in snapshot["events"]] == [3]
    await socket.disconnect()


@pytest.mark.asyncio
async def test_a_lost_broadcast_is_filled_from_the_database(running, owner, monkeypatch):
    from asgiref.sync import sync_to_async

    socket = _socket(f"/ws/backtests/{running.pk}/", owner)
    assert (await socket.connect())[0]
    assert json.loads(await socket.receive_from(timeout=5))["events"] == []
    # Line 1 is stored but its broadcast is lost (Redis restarted in between),
    monkeypatch.setattr(services, "send_on_commit", lambda group, message: None)
    await sync_to_async(services.record_events)(backtest_id=running.pk, events=[_log(1)])
    monkeypatch.undo()
    # so the socket learns of it with line 2, and sends both, in order, once.
    await sync_to_async(services.record_events)(backtest_id=running.pk, events=[_log(2)])
    frame = json.loads(await socket.receive_from(timeout=5))
    assert [(e["seq"], e["message"]) for e in frame["events"]] == [(1, "line 1"), (2, "line 2")]
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


@pytest.mark.asyncio
async def test_a_socket_whose_group_membership_was_forgotten_catches_up(running, owner, settings):
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    from backtesting.events import backtest_group

    settings.WEBSOCKET_RESYNC_SECONDS = 0.2
    # The in-memory layer lets the test forget a membership the way a Redis restart does
    # (CI runs this file with REDIS_URL set; tests/faults/test_redis_restart.py covers Redis).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    socket = _socket(f"/ws/backtests/{running.pk}/", owner)
    assert (await socket.connect())[0]
    json.loads(await socket.receive_from(timeout=5))
    # Redis restarts: the group no longer lists this socket, so broadcasts miss it,
    layer = get_channel_layer()
    for channel in list(layer.groups.get(backtest_group(running.pk), {})):
        await layer.group_discard(backtest_group(running.pk), channel)
    await sync_to_async(services.record_events)(backtest_id=running.pk, events=[_log(1)])
    await sync_to_async(services.finish_backtest)(backtest_id=running.pk, status="completed")
    # yet the socket rejoins, and gets the line and the final status from the database.
    frames = [json.loads(await socket.receive_from(timeout=5)) for _ in range(2)]
    assert frames[0]["type"] == "events"
    assert [e["message"] for e in frames[0]["events"]] == ["line 1"]
    assert frames[1]["type"] == "status" and frames[1]["backtest"]["status"] == "completed"
    await socket.disconnect()
