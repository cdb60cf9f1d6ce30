"""``ws/optimizations/<id>/``: the optimization's detail now, then again on every change.

Frames: ``{"type": "snapshot" | "update", "optimization": <GET /api/optimizations/{id}/>}``.
Each frame is the whole state (done/total, best so far, results), so a late or reconnecting
page needs no replay.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.selectors import is_member
from backtesting.models import Optimization
from backtesting.optimization.services import optimization_detail, optimization_group
from config.broadcast import bind_event_loop

#: close code for a socket whose user may not see the optimization (or it does not exist).
CLOSE_NOT_ALLOWED = 4403


class OptimizationConsumer(AsyncJsonWebsocketConsumer):
    """Joins the group before reading the snapshot, so no change in between is lost."""

    async def connect(self) -> None:
        bind_event_loop(asyncio.get_running_loop())
        self.optimization_id = int(self.scope["url_route"]["kwargs"]["optimization_id"])
        if not await self.may_watch():
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.group = optimization_group(self.optimization_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "snapshot", "optimization": await self.detail()})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def optimization_update(self, message: dict[str, Any]) -> None:
        """Relay the optimization's new state."""
        await self.send_json({"type": "update", "optimization": message["optimization"]})

    @database_sync_to_async
    def may_watch(self) -> bool:
        organization_id = (
            Optimization.objects.filter(pk=self.optimization_id)
            .values_list("organization_id", flat=True)
            .first()
        )
        return organization_id is not None and is_member(self.scope.get("user"), organization_id)

    @database_sync_to_async
    def detail(self) -> dict[str, Any]:
        import json

        optimization = Optimization.objects.select_related("node_model").get(
            pk=self.optimization_id
        )
        return json.loads(json.dumps(optimization_detail(optimization), default=str))
