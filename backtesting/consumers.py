"""``ws/backtests/<id>/``: one backtest's stored events, then its live tail.

``ws/backtests/<id>/?after=<seq>`` resumes: the snapshot then holds only events after
``seq``, so a client that reconnects (a daphne restart, a network blip) gets no gap and
no duplicate without replaying the whole run.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.selectors import is_member
from backtesting.charts import downsample_chart_events
from backtesting.events import (
    EventsMessage,
    StatusMessage,
    backtest_group,
    backtest_summary,
    stored_event,
)
from backtesting.models import Backtest, BacktestEvent
from config.broadcast import bind_event_loop
from config.resync import GroupResyncMixin

#: statuses after which nothing but a rename changes: the resync task stops.
FINAL_STATUSES = ("completed", "runtime_error", "stopped")

#: close code for a socket whose user may not see the backtest (or it does not exist).
CLOSE_NOT_ALLOWED = 4403


class BacktestConsumer(GroupResyncMixin, AsyncJsonWebsocketConsumer):
    """Sends a snapshot of everything stored, then relays live events without duplicates.

    The socket joins the group *before* reading the snapshot, so nothing written in
    between is lost; live events the snapshot already held are dropped by ``seq``. A live
    message that skips numbers (a broadcast lost while Redis restarted) is completed from
    the database first, so the socket's ``seq`` stays contiguous.

    Every ``WEBSOCKET_RESYNC_SECONDS`` the socket joins its group again and catches up from
    the database (:class:`~config.resync.GroupResyncMixin`): a Redis restart forgets group
    memberships, and without this an open page would hear nothing more, not even that the
    run finished.
    """

    async def connect(self) -> None:
        bind_event_loop(asyncio.get_running_loop())
        self.backtest_id = int(self.scope["url_route"]["kwargs"]["backtest_id"])
        self.group = backtest_group(self.backtest_id)
        self.last_seq = _after(self.scope)
        self.status = ""
        if not await self.may_watch():
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        summary, events = await self.snapshot(self.last_seq)
        self.last_seq = events[-1]["seq"] if events else self.last_seq
        self.status = summary["status"]
        await self.send_json({"type": "snapshot", "backtest": summary, "events": events})
        self.start_resync()

    async def disconnect(self, code: int) -> None:
        self.stop_resync()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    #: live-tail messages: their handlers read the database only through
    #: ``database_sync_to_async``, which closes stale connections itself.
    LIVE_MESSAGES = frozenset({"backtest.events", "backtest.status"})

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Relay live-tail messages without Channels' per-message ``aclose_old_connections``.

        That call is a hop to the one database thread for every message of every socket:
        with 200 pages on one run it was half of daphne's time and most of the event lag
        (``make bench``'s watcher figure). Other messages keep the default.
        """
        if message["type"] in self.LIVE_MESSAGES:
            await getattr(self, message["type"].replace(".", "_"))(message)
            return
        await super().dispatch(message)

    async def backtest_events(self, message: EventsMessage) -> None:
        """Relay live events this socket has not seen (by ``seq``)."""
        fresh = [event for event in message["events"] if event["seq"] > self.last_seq]
        if fresh and fresh[0]["seq"] > self.last_seq + 1:
            fresh = await self.stored_between(self.last_seq, fresh[0]["seq"]) + fresh
        await self.send_events(fresh)

    async def send_events(self, events: list[dict[str, Any]]) -> None:
        """Send the events that follow ``last_seq`` (nothing awaits between check and update,
        so the live handler and the resync task never send a ``seq`` twice)."""
        fresh = [event for event in events if event["seq"] > self.last_seq]
        if fresh and fresh[0]["seq"] == self.last_seq + 1:
            self.last_seq = fresh[-1]["seq"]
            await self.send_json({"type": "events", "events": fresh})

    async def backtest_status(self, message: StatusMessage) -> None:
        """Relay a status change (running, finished, renamed)."""
        self.status = message["backtest"]["status"]
        await self.send_json({"type": "status", "backtest": message["backtest"]})

    def resync_wanted(self) -> bool:
        """After a final status nothing but a rename changes: the resync task stops."""
        return self.status not in FINAL_STATUSES

    async def read_missed(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The backtest and the events stored after this socket's ``seq``.

        Read only by a socket that heard nothing for a whole interval: a running backtest
        streams progress all the time.
        """
        return await self.summary(), await self.stored_between(self.last_seq, None)

    async def send_missed(self, missed: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
        """Send the missed events, then the status if it changed."""
        summary, events = missed
        await self.send_events(events)
        if summary["status"] != self.status:
            self.status = summary["status"]
            await self.send_json({"type": "status", "backtest": summary})

    @database_sync_to_async
    def may_watch(self) -> bool:
        """Only members of the backtest's organization may watch it."""
        organization_id = (
            Backtest.objects.filter(pk=self.backtest_id)
            .values_list("organization_id", flat=True)
            .first()
        )
        return organization_id is not None and is_member(self.scope.get("user"), organization_id)

    @database_sync_to_async
    def snapshot(self, after: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The backtest and every event stored after ``after``, in ``seq`` order."""
        backtest = Backtest.objects.get(pk=self.backtest_id)
        summary = dict(backtest_summary(backtest))
        return summary, downsample_chart_events(self._stored(after, None))

    @database_sync_to_async
    def summary(self) -> dict[str, Any]:
        """The backtest as status frames show it."""
        return dict(backtest_summary(Backtest.objects.get(pk=self.backtest_id)))

    @database_sync_to_async
    def stored_between(self, after: int, before: int | None) -> list[dict[str, Any]]:
        """Stored events with ``after < seq < before`` (a gap in the live tail), unthinned."""
        return self._stored(after, before)

    def _stored(self, after: int, before: int | None) -> list[dict[str, Any]]:
        rows = BacktestEvent.objects.filter(backtest_id=self.backtest_id, seq__gt=after)
        if before is not None:
            rows = rows.filter(seq__lt=before)
        pairs = rows.order_by("seq").values_list("seq", "payload")
        return [stored_event(seq, payload) for seq, payload in pairs]


def _after(scope: dict[str, Any]) -> int:
    """The ``after`` query parameter: the last ``seq`` the client already has (0: none)."""
    values = parse_qs(scope.get("query_string", b"").decode()).get("after", ["0"])
    try:
        return max(0, int(values[-1]))
    except ValueError:
        return 0
