"""The command line's sink: a progress bar on stderr, logs kept for OUT.json."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from backtesting.engine.results.sink import Event

#: characters in the progress bar
BAR_WIDTH = 40


class ConsoleSink:
    """Draws progress on ``stream`` (stderr); prints errors as they happen."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.orders: dict[int, dict[str, Any]] = {}
        self._drawn = False

    def emit(self, event: Event) -> None:
        kind = event["type"]
        if kind == "progress":
            self._draw(float(event["fraction"]))
        elif kind == "order_event":
            order = dict(event["order"])
            entry = self.orders.setdefault(event["order_id"], {"events": []})
            events = entry.pop("events")
            entry.clear()
            entry.update(order)
            events.append({k: v for k, v in event.items() if k not in ("type", "order")})
            entry["events"] = events
        elif kind == "log" and event["level"] == "error":
            self._newline()
            print(f"{event['time']} ERROR {event['message']}", file=self.stream)
        elif kind == "result":
            if event["status"] == "Completed":
                self._draw(1.0)
            self._newline()

    def _draw(self, fraction: float) -> None:
        filled = int(BAR_WIDTH * fraction)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stream.write(f"\r[{bar}] {fraction * 100:5.1f}%")
        self.stream.flush()
        self._drawn = True

    def _newline(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self._drawn = False
