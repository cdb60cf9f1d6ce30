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
import time
from collections.abc import Callable, Hashable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import connection, transaction

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


class Coalescer:
    """Runs ``action(key)`` at most once every ``seconds`` per key, and always after the
    last request: a request inside the interval is deferred to the interval's end, where
    one run serves every request made meanwhile. ``action`` reads the state when it runs,
    so what it sends is never older than the last request.

    For frames that carry a whole state (an optimization's every result): a burst of
    changes costs one frame instead of one each. A deferred run happens on a timer thread,
    which closes its database connection afterwards.
    """

    def __init__(self, seconds: float, action: Callable[[Hashable], None]) -> None:
        self.seconds = seconds
        self.action = action
        self._lock = threading.Lock()
        self._last: dict[Hashable, float] = {}
        self._timers: dict[Hashable, threading.Timer] = {}

    def request(self, key: Hashable) -> None:
        """Run now if the last run is ``seconds`` old, else once when it will be."""
        with self._lock:
            if key in self._timers:
                return  # the deferred run will read this change too
            wait = self._last.get(key, -self.seconds) + self.seconds - time.monotonic()
            if wait > 0:
                timer = threading.Timer(wait, self._deferred, (key,))
                timer.daemon = True
                self._timers[key] = timer
                timer.start()
                return
            self._ran(key)
        self.action(key)

    def now(self, key: Hashable) -> None:
        """Run at once (a final state), dropping a deferred run it makes redundant."""
        with self._lock:
            timer = self._timers.pop(key, None)
            if timer is not None:
                timer.cancel()
            self._ran(key)
        self.action(key)

    def _ran(self, key: Hashable) -> None:
        self._last[key] = time.monotonic()
        if len(self._last) > 1000:  # forget keys idle for longer than an interval
            horizon = time.monotonic() - self.seconds
            self._last = {k: t for k, t in self._last.items() if t > horizon}

    def _deferred(self, key: Hashable) -> None:
        with self._lock:
            if self._timers.pop(key, None) is None:
                return  # cancelled by now()
            self._ran(key)
        try:
            self.action(key)
        except Exception:  # a failed update must not kill the timer thread silently
            logger.exception("deferred broadcast for %s failed", key)
        finally:
            connection.close()
