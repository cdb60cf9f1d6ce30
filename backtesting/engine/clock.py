"""The one clock: algorithm time (New York) and its UTC equivalent. No wall time here."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

ALGORITHM_TZ = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def to_utc(moment: datetime) -> datetime:
    """New York wall time -> naive UTC."""
    return moment.replace(tzinfo=ALGORITHM_TZ).astimezone(UTC).replace(tzinfo=None)


class Clock:
    """Holds the current algorithm time; the loop advances it, everything else reads it."""

    def __init__(self, start: datetime) -> None:
        self.time = start

    def set(self, moment: datetime) -> None:
        self.time = moment
