"""Log lines as users expect them: long debug messages cut, repeats collapsed.

QuantConnect cuts debug messages at 200 characters and folds the same message repeated
within one second into one line; without it a loop that logs on every bar fills the log
quota with copies. Runs in the child between the engine and the event pipe, so the
repeats never cross the pipe nor count against the quota. Times are the algorithm's
(the events' own ``time``), so the result is deterministic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

#: longest message kept (the error level, which carries tracebacks, is never cut)
MAX_CHARS = 200
#: seconds within which an identical message counts as a repeat
REPEAT_WINDOW = 1.0
CUT_MARK = "..."


def cut(message: str) -> str:
    """``message`` at most MAX_CHARS long, marked when it was cut."""
    if len(message) <= MAX_CHARS:
        return message
    return message[: MAX_CHARS - len(CUT_MARK)] + CUT_MARK


def _seconds(stamp: Any) -> float | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(str(stamp)).timestamp()
    except ValueError:
        return None


class LogFilter:
    """A sink wrapper: ``emit`` cuts and collapses ``log`` events, passes others through."""

    def __init__(self, sink: Any) -> None:
        self._sink = sink
        self._last: dict[str, Any] | None = None
        self._since: float | None = None
        self._repeats = 0

    def emit(self, event: dict[str, Any]) -> None:
        if event.get("type") != "log":
            self.flush()
            self._sink.emit(event)
            return
        level = event.get("level")
        message = str(event.get("message", ""))
        if level != "error":
            message = cut(message)
        at = _seconds(event.get("time"))
        last = self._last
        if (
            last is not None
            and last["level"] == level
            and last["message"] == message
            and (
                at == self._since
                or (at is not None and self._since is not None and at - self._since < REPEAT_WINDOW)
            )
        ):
            self._repeats += 1
            return
        self.flush()
        event = {**event, "message": message}
        self._last, self._since, self._repeats = event, at, 0
        self._sink.emit(event)

    def flush(self) -> None:
        """Write the pending repeat count, if any (before any other event and at the end)."""
        if self._last is not None and self._repeats:
            times = "time" if self._repeats == 1 else "times"
            self._sink.emit(
                {
                    **self._last,
                    "message": f"{self._last['message']} (repeated {self._repeats} more {times})",
                }
            )
        self._last, self._since, self._repeats = None, None, 0
