"""``ws/organizations/<id>/resources/``: the organization's nodes, then every change."""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.selectors import is_member
from config.broadcast import bind_event_loop
from config.resync import GroupResyncMixin
from nodes.events import (
    NodeRemovedMessage,
    NodeState,
    NodeStateMessage,
    node_state,
    node_states_queryset,
    resources_group,
)

#: close code for a socket whose user is not a member of the organization.
CLOSE_NOT_ALLOWED = 4403


class ResourcesConsumer(GroupResyncMixin, AsyncJsonWebsocketConsumer):
    """The Resources panel's stream: a snapshot of all nodes, then node changes.

    Every ``WEBSOCKET_RESYNC_SECONDS`` the socket joins its group again and, if it heard
    nothing for the interval, sends a fresh snapshot (:class:`~config.resync.GroupResyncMixin`):
    a Redis restart forgets group memberships, and without this an open panel would never
    see a node change again. The page replaces its state on every ``snapshot`` frame.
    """

    async def connect(self) -> None:
        bind_event_loop(asyncio.get_running_loop())
        self.organization_id = int(self.scope["url_route"]["kwargs"]["organization_id"])
        if not await self.may_watch():
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.group = resources_group(self.organization_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "snapshot", "nodes": await self.snapshot()})
        self.start_resync()

    async def disconnect(self, code: int) -> None:
        self.stop_resync()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def resources_node(self, message: NodeStateMessage) -> None:
        """Relay a node's new state to this socket."""
        await self.send_json({"type": "node", "node": message["node"]})

    async def resources_removed(self, message: NodeRemovedMessage) -> None:
        """Relay a node's removal to this socket."""
        await self.send_json({"type": "node_removed", "id": message["id"]})

    async def read_missed(self) -> tuple[int, list[NodeState]]:
        """The organization's nodes now (a quiet panel costs one query per interval)."""
        return self.frames_sent, await self.snapshot()

    async def send_missed(self, missed: tuple[int, list[NodeState]]) -> None:
        """Send the fresh node list as a ``snapshot``: the page replaces what it had.

        A live frame sent while the list was read is newer than the list, and proves the
        socket hears its group again: the list is dropped rather than undo that frame.
        """
        heard, nodes = missed
        if self.frames_sent == heard:
            await self.send_json({"type": "snapshot", "nodes": nodes})

    @database_sync_to_async
    def may_watch(self) -> bool:
        """Only members of the organization may watch its nodes."""
        return is_member(self.scope.get("user"), self.organization_id)

    @database_sync_to_async
    def snapshot(self) -> list[NodeState]:
        """Every node of the organization, in the panel's shape."""
        nodes = node_states_queryset().filter(organization_id=self.organization_id)
        return [node_state(node) for node in nodes]
