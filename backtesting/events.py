"""Wire shapes of a backtest's stream: stored events, channel messages, websocket frames.

Engine events (``backtesting/engine/results/sink.py``) are stored as they come, each with a
per-backtest sequence number ``seq`` (1, 2, 3, ...). Websocket frames sent by
``BacktestConsumer`` (JSON text):

``{"type": "snapshot", "backtest": BacktestSummary, "events": [StoredEvent, ...]}``
    first frame, this socket only: everything stored so far, in ``seq`` order; a socket
    opened with ``?after=<seq>`` (a reconnecting page) gets only the events after ``seq``
``{"type": "events", "events": [StoredEvent, ...]}``
    the live tail; a socket never receives a ``seq`` twice or out of order
``{"type": "status", "backtest": BacktestSummary}``
    the backtest changed status (running, completed, runtime_error, stopped) or was renamed
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from backtesting.models import Backtest

#: an engine event plus ``seq``; see the engine's sink module for each ``type``.
StoredEvent = dict[str, Any]


class BacktestSummary(TypedDict):
    """``GET /api/backtests/{id}/`` and the status frames of the websocket."""

    id: int
    name: str
    project: int
    node: int | None
    status: str
    progress: float
    error: str
    statistics: dict[str, str]
    runtime_statistics: dict[str, str]
    parameters: dict[str, Any]
    created_at: str
    started_at: str | None
    finished_at: str | None


class EventsMessage(TypedDict):
    """Channel-layer message handled by ``BacktestConsumer.backtest_events``."""

    type: Literal["backtest.events"]
    events: list[StoredEvent]


class StatusMessage(TypedDict):
    """Channel-layer message handled by ``BacktestConsumer.backtest_status``."""

    type: Literal["backtest.status"]
    backtest: BacktestSummary


def backtest_group(backtest_id: int) -> str:
    """Channel group of one backtest's stream."""
    return f"backtest.{backtest_id}"


def stored_event(seq: int, payload: dict[str, Any]) -> StoredEvent:
    """The event as stored and streamed: the engine's dict with its sequence number."""
    return {**payload, "seq": seq}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def backtest_summary(backtest: Backtest) -> BacktestSummary:
    """The backtest as the REST API and the status frames show it."""
    return {
        "id": backtest.pk,
        "name": backtest.name,
        "project": backtest.project_id,
        "node": backtest.node_id,
        "status": backtest.status,
        "progress": backtest.progress,
        "error": backtest.error,
        "statistics": backtest.statistics,
        "runtime_statistics": backtest.runtime_statistics,
        "parameters": backtest.parameters,
        "created_at": backtest.created_at.isoformat(),
        "started_at": _iso(backtest.started_at),
        "finished_at": _iso(backtest.finished_at),
    }
