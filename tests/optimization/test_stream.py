"""The optimization's websocket: a snapshot, then progress (done/total, best so far)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from config.routing import websocket_urlpatterns

application = URLRouter(websocket_urlpatterns)


def _socket(path: str, user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path)
    communicator.scope["user"] = user
    return communicator


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_progress_streams_until_done_with_the_best_so_far(
    api, owner, project, stub_worker, grid_sandbox
):
    grid_sandbox.hold_when = lambda params: True  # nothing finishes before the page connects
    client = await sync_to_async(api)(owner)
    response = await sync_to_async(client.post)(
        "/api/optimizations/",
        {
            "project": project.pk,
            "target": "Sharpe Ratio",
            "direction": "max",
            "parameters": [{"name": "a", "min": 1, "max": 3, "step": 1}],
            "parallel_nodes": 1,
        },
        format="json",
    )
    optimization_id = response.data["id"]
    socket = _socket(f"/ws/optimizations/{optimization_id}/", owner)
    connected, _ = await socket.connect()
    assert connected
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    assert snapshot["optimization"]["done"] == 0 and snapshot["optimization"]["total"] == 3

    grid_sandbox.release_all()
    progress = []
    while not progress or progress[-1]["status"] != "completed":
        frame = json.loads(await socket.receive_from(timeout=10))
        assert frame["type"] == "update"
        progress.append(frame["optimization"])
    done_counts = [p["done"] for p in progress]
    assert done_counts == sorted(done_counts) and done_counts[-1] == 3
    assert [p["best"]["parameters"]["a"] for p in progress if p["best"]][-1] == 3
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_outsiders_are_refused(api, owner, outsider, project, monkeypatch):
    monkeypatch.setattr("backtesting.services._send_run_message", lambda pk, delay=0: None)
    client = await sync_to_async(api)(owner)
    response = await sync_to_async(client.post)(
        "/api/optimizations/",
        {"project": project.pk, "parameters": [{"name": "a", "min": 1, "max": 2, "step": 1}]},
        format="json",
    )
    socket = _socket(f"/ws/optimizations/{response.data['id']}/", outsider)
    connected, code = await socket.connect()
    assert not connected and code == 4403
