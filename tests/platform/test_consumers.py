"""Websockets: a late page gets everything stored, then the live tail; outsiders are refused."""

import json
import time

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from backtesting.models import Backtest
from config.routing import websocket_urlpatterns
from nodes.models import Node
from tests.platform.conftest import wait_for

application = URLRouter(websocket_urlpatterns)


def _socket(path: str, user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path)
    communicator.scope["user"] = user
    return communicator


async def _frames_until(communicator, predicate, limit: int = 50) -> list[dict]:
    frames = []
    for _ in range(limit):
        frame = json.loads(await communicator.receive_from(timeout=5))
        frames.append(frame)
        if predicate(frame):
            return frames
    raise AssertionError(f"no matching frame in {frames}")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_late_page_receives_the_stored_stream_then_the_live_tail(
    api, owner, project, stub_worker, fake_sandbox
):
    # Given a running backtest that has already streamed a log line and progress,
    client = await sync_to_async(api)(owner)
    response = await sync_to_async(client.post)(
        "/api/backtests/", {"project": project.pk}, format="json"
    )
    backtest_id = response.data["id"]
    await sync_to_async(fake_sandbox.wait_started)(1)
    await sync_to_async(wait_for)(
        lambda: Backtest.objects.get(pk=backtest_id).last_seq >= 2, what="first events stored"
    )

    # when a page connects late,
    socket = _socket(f"/ws/backtests/{backtest_id}/", owner)
    connected, _ = await socket.connect()
    assert connected

    # then it first receives everything stored so far,
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    assert snapshot["backtest"]["status"] == "running"
    assert [e["type"] for e in snapshot["events"]] == ["log", "progress"]
    assert [e["seq"] for e in snapshot["events"]] == [1, 2]

    # and then the live tail, without gaps or repeats, up to the final status.
    fake_sandbox.release(backtest_id)
    frames = await _frames_until(
        socket, lambda f: f["type"] == "status" and f["backtest"]["status"] == "completed"
    )
    live = [e for f in frames if f["type"] == "events" for e in f["events"]]
    assert [e["type"] for e in live] == ["progress", "result"]
    assert [e["seq"] for e in live] == [3, 4]
    assert frames[-1]["backtest"]["statistics"]["Net Profit"] == "1.234%"
    await socket.disconnect()

    # A page opened after the end sees the whole stream in one snapshot.
    late = _socket(f"/ws/backtests/{backtest_id}/", owner)
    assert (await late.connect())[0]
    replay = await late.receive_json_from(timeout=5)
    assert [e["seq"] for e in replay["events"]] == [1, 2, 3, 4]
    assert replay["backtest"]["status"] == "completed"
    await late.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_sockets_refuse_outsiders(api, owner, project, outsider, free_org):
    client = await sync_to_async(api)(owner)
    response = await sync_to_async(client.post)(
        "/api/backtests/", {"project": project.pk}, format="json"
    )

    for path in (
        f"/ws/backtests/{response.data['id']}/",
        f"/ws/organizations/{free_org.pk}/resources/",
    ):
        socket = _socket(path, outsider)
        connected, code = await socket.connect()
        assert not connected and code == 4403, path
        await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_resources_panel_sees_a_node_go_busy_and_idle(
    api, owner, member, project, free_org, stub_worker, fake_sandbox
):
    # Given bob watching the organization's Resources panel,
    socket = _socket(f"/ws/organizations/{free_org.pk}/resources/", member)
    assert (await socket.connect())[0]
    snapshot = await socket.receive_json_from(timeout=5)
    node = await sync_to_async(Node.objects.get)(organization=free_org)
    assert snapshot == {
        "type": "snapshot",
        "nodes": [
            {
                "id": node.pk,
                "name": node.name,
                "model": "B-MICRO",
                "kind": "backtest",
                "status": "idle",
                "user": None,
                "project": None,
                "project_name": None,
                "backtest": None,
                "backtest_name": None,
                "progress": None,
            }
        ],
    }

    # when alice launches a backtest, bob sees the node busy with her name and the project,
    client = await sync_to_async(api)(owner)
    response = await sync_to_async(client.post)(
        "/api/backtests/", {"project": project.pk}, format="json"
    )
    launched_at = time.monotonic()  # the change is committed once the response is back
    frames = await _frames_until(
        socket, lambda f: f["type"] == "node" and f["node"]["status"] == "busy"
    )
    assert time.monotonic() - launched_at < 0.5  # the panel learns within 500 ms
    busy = frames[-1]["node"]
    assert (busy["user"], busy["project_name"], busy["backtest"]) == (
        "alice",
        "Demo",
        response.data["id"],
    )

    # progress arrives, and when it completes the node is idle again.
    await _frames_until(socket, lambda f: f["type"] == "node" and f["node"]["progress"] == 0.1)
    fake_sandbox.release(response.data["id"])
    await _frames_until(socket, lambda f: f["type"] == "node" and f["node"]["status"] == "idle")
    await socket.disconnect()
