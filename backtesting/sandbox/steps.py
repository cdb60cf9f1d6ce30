"""The per-time-step limit: one ``on_data`` or scheduled event may not run longer than
``BACKTEST_STEP_MAX_SECONDS`` (LEAN's "took longer than 10 minutes on a single time loop").

Runs inside the sandboxed child only. The user's algorithm class is subclassed so that
``on_data`` and the user's scheduled callbacks mark a step as running; a SIGALRM ticking ten times
per limit checks whether the same step is still running and, once it has been for the whole
limit, raises :class:`TimeLoopExceeded` in the user's code. The engine then ends the run as a
runtime error with its usual statistics. Marking a step costs two attribute writes (no
system call per step). A step that swallows the exception is hit again every tick, and the
whole-backtest wall-clock limit in the parent stays the backstop for any code that never
returns to Python (a long C call).
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

#: ticks per limit; the limit is enforced to within a tenth of itself
TICKS = 10


class TimeLoopExceeded(Exception):
    """Raised into the user's code when one time step ran past the limit."""


# Tracebacks in the user's log name it like a built-in ("TimeLoopExceeded: ..."), not by
# the sandbox module's path.
TimeLoopExceeded.__module__ = "builtins"


def message(seconds: float) -> str:
    """``Algorithm took longer than 10 minutes on a single time loop`` for 600 seconds."""
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        duration = f"{minutes} minute{'s' if minutes != 1 else ''}"
    else:
        duration = f"{seconds:g} second{'s' if seconds != 1 else ''}"
    return f"Algorithm took longer than {duration} on a single time loop"


class _Watch:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.step = 0  # increments when a step starts
        self.running = False
        self.seen = -1
        self.ticks = 0

    def tick(self, signum: int, frame: Any) -> None:
        if not self.running:
            self.ticks = 0
            return
        if self.step != self.seen:
            self.seen, self.ticks = self.step, 0
        self.ticks += 1
        if self.ticks >= TICKS:
            raise TimeLoopExceeded(message(self.seconds))

    def timed(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            self.step += 1
            self.running = True
            try:
                return function(*args, **kwargs)
            finally:
                self.running = False

        return step


_watch = _Watch()


def start(seconds: float) -> None:
    """Arm the ticking alarm in this (child) process; ``seconds <= 0`` turns the limit off."""
    _watch.seconds = float(seconds)
    if seconds <= 0:
        return
    signal.signal(signal.SIGALRM, _watch.tick)
    interval = max(seconds / TICKS, 0.01)
    signal.setitimer(signal.ITIMER_REAL, interval, interval)


def watch_algorithm(algorithm_type: type) -> type:
    """A subclass of the user's algorithm whose ``on_data`` and scheduled callbacks are
    time steps under the limit (class checks like ``type(a).on_end_of_day is ...`` hold)."""
    if _watch.seconds <= 0:
        return algorithm_type
    timed = _watch.timed

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        algorithm_type.__init__(self, *args, **kwargs)
        on = self.schedule.on

        def on_timed(*args: Any) -> Any:
            # on(date_rule, time_rule, callback) or on(name, date_rule, time_rule, callback)
            at = 3 if isinstance(args[0], str) else 2
            if len(args) > at:
                args = (*args[:at], timed(args[at]), *args[at + 1 :])
            return on(*args)

        self.schedule.on = on_timed

    namespace = {
        "__init__": __init__,
        "on_data": timed(algorithm_type.on_data),
        "__module__": algorithm_type.__module__,
        "__qualname__": algorithm_type.__qualname__,
        "__doc__": algorithm_type.__doc__,
    }
    return type(algorithm_type.__name__, (algorithm_type,), namespace)


def stop() -> None:
    """Disarm the alarm (the child calls it once the engine returned)."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    _watch.seconds = 0.0
    _watch.running = False
