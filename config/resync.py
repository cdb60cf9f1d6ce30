"""Websockets that survive a Redis restart: rejoin the group, catch up from the database.

A Redis restart forgets every Channels group membership. The socket stays open, so the
browser does not reconnect, yet no broadcast reaches it again. Every
``WEBSOCKET_RESYNC_SECONDS`` a consumer with :class:`GroupResyncMixin` joins its group again
(one Redis command) and, only when it sent nothing for a whole interval, asks the database
what it missed: a socket that still hears its group costs no query.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


class GroupResyncMixin:
    """Periodic rejoin and catch-up for an ``AsyncJsonWebsocketConsumer`` with ``self.group``.

    Subclasses call :meth:`start_resync` once the first frame is sent and :meth:`stop_resync`
    on disconnect, and implement :meth:`read_missed` (database reads; failures are retried
    next interval) and :meth:`send_missed` (frames to this socket). :meth:`resync_wanted`
    ends the task when nothing more can change (a finished backtest).
    """

    group: str
    channel_name: str
    channel_layer: Any

    def start_resync(self) -> None:
        """Start the rejoin task for this socket."""
        self.resync_task = asyncio.create_task(self.resync())

    def stop_resync(self) -> None:
        """Cancel the rejoin task (safe when it never started)."""
        if hasattr(self, "resync_task"):
            self.resync_task.cancel()

    def resync_wanted(self) -> bool:
        """Whether the socket may still miss something; the task ends once this is False."""
        return True

    async def read_missed(self) -> Any:
        """What the socket may have missed, read from the database."""
        raise NotImplementedError

    async def send_missed(self, missed: Any) -> None:
        """Send this socket what :meth:`read_missed` found (only what is new to it)."""
        raise NotImplementedError

    async def resync(self) -> None:
        """Rejoin the group; when nothing arrived for a while, ask the database what was missed.

        The first wait is random so that sockets opened together do not all rejoin at once.
        """
        interval = settings.WEBSOCKET_RESYNC_SECONDS
        await asyncio.sleep(random.uniform(0, interval))
        while self.resync_wanted():
            heard = self.frames_sent
            await asyncio.sleep(interval)
            try:
                await self.channel_layer.group_add(self.group, self.channel_name)
                if self.frames_sent != heard:
                    continue
                missed = await self.read_missed()
            except Exception:  # Redis or the database is restarting: try again next time
                logger.warning("resync of %s failed", self.group, exc_info=True)
                continue
            await self.send_missed(missed)

    @property
    def frames_sent(self) -> int:
        """Frames sent to this socket so far (0 before the first)."""
        return getattr(self, "_frames_sent", 0)

    async def send_json(self, content: Any, close: bool = False) -> None:
        """Count frames, so the resync task knows whether this socket still hears its group."""
        self._frames_sent = self.frames_sent + 1
        await super().send_json(content, close=close)  # type: ignore[misc]
