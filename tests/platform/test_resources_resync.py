"""The Resources panel survives a Redis restart: it rejoins its group and re-sends a snapshot.

A Redis restart forgets group memberships while the socket stays open; the panel must still
learn about node changes (here simulated on the in-memory layer by discarding the channel).
"""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from accounts.models import Membership
from config.routing import websocket_urlpatterns
from nodes.events import resources_group
from nodes.models import Node
from nodes.services import create_node, remove_node

application = URLRouter(websocket_urlpatterns)


async def _forget_group_memberships(group: str) -> None:
    """What a Redis restart does: the group no longer lists any socket."""
    layer = get_channel_layer()
    for channel in list(layer.groups.get(group, {})):
        await layer.group_discard(group, channel)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_panel_whose_group_membership_was_forgotten_gets_a_fresh_snapshot(
    owner, member, free_org, settings
):
    settings.WEBSOCKET_RESYNC_SECONDS = 0.2
    # The in-memory layer lets the test forget a membership the way a Redis restart does
    # (CI runs with REDIS_URL set; tests/faults/test_redis_restart.py covers real Redis).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Given bob's open Resources panel, which saw the organization's one node,
    socket = WebsocketCommunicator(application, f"/ws/organizations/{free_org.pk}/resources/")
    socket.scope["user"] = member
    assert (await socket.connect())[0]
    first = json.loads(await socket.receive_from(timeout=5))
    assert first["type"] == "snapshot" and len(first["nodes"]) == 1
    # when Redis forgets the group and a node is added meanwhile (its broadcast reaches no one),
    group = resources_group(free_org.pk)
    await _forget_group_memberships(group)
    added = await sync_to_async(create_node)(
        organization=free_org, model_name="B-MICRO", name="Late node"
    )
    # the panel still gets the new state, as a snapshot it can replace its list with,
    frame = json.loads(await socket.receive_from(timeout=5))
    assert frame["type"] == "snapshot"
    assert sorted(node["name"] for node in frame["nodes"]) == sorted(
        [first["nodes"][0]["name"], "Late node"]
    )
    # and it is back in the group: the next change arrives live.
    actor = await sync_to_async(Membership.objects.get)(user=owner, organization=free_org)
    node = await sync_to_async(Node.objects.get)(pk=added.pk)
    await sync_to_async(remove_node)(actor=actor, node=node)
    frames = []
    while not frames or frames[-1]["type"] == "snapshot":  # resync snapshots may come first
        frames.append(json.loads(await socket.receive_from(timeout=5)))
    assert frames[-1] == {"type": "node_removed", "id": added.pk}
    await socket.disconnect()
