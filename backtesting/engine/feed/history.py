"""History requests (placeholder until the history provider lands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class HistoryProvider:
    def __init__(self, data_dir: Path, algorithm: Any) -> None:
        self.data_dir = data_dir
        self.algorithm = algorithm

    def request(self, algorithm: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("history")
