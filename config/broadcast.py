"""The one place that sends to channel groups; services call it, consumers receive.

Sends happen after the surrounding transaction commits, so no browser ever sees a state the
database later rolls back (Zulip's ``send_event_on_commit``).

The in-memory channel layer (no ``REDIS_URL``) keeps ``asyncio.Queue`` objects that belong
to the server's event loop; a worker thread must hand its sends to that loop rather than
run them on a loop of its own, or the waiting consumer is never woken. Consumers register
the loop they run on with :func:`bind_event_loop`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

_home_loop: asyncio.AbstractEventLoop | None = None
_home_thread: int | None = None


def bind_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the event loop the consumers run on (called from a consumer's ``connect``)."""
    global _home_loop, _home_thread
    if _home_loop is not loop:
        _home_loop, _home_thread = loop, threading.get_ident()


def send_now(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` (with a dotted ``type``) to every consumer in ``group``."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        loop = _home_loop
        if (
            isinstance(layer, InMemoryChannelLayer)
            and loop is not None
            and loop.is_running()
            and threading.get_ident() != _home_thread
        ):
            # Scheduled in call order on the consumers' loop; not awaited, so a loop that is
            # busy (or a test blocking it) can never deadlock a worker thread.
            asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # a broken channel layer must never fail a backtest or a request
        logger.exception("broadcast to %s failed", group)


def send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send after the current transaction commits (immediately outside one)."""
    transaction.on_commit(lambda: send_now(group, message))
