"""IdentityDataConsolidator and SequentialConsolidator (LEAN's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backtesting.engine.consolidators.base import ConsolidatorBase, clone_data


class IdentityDataConsolidator(ConsolidatorBase):
    """Emits every input whose end time differs from the previous one (ticks always)."""

    def __init__(self, input_type: type = object) -> None:
        super().__init__()
        self._type = input_type
        self._last: Any = None
        self._last_time: datetime | None = None

    def __class_getitem__(cls, item: Any) -> type[IdentityDataConsolidator]:
        return cls

    @property
    def input_type(self) -> type:
        return self._type

    @property
    def output_type(self) -> type:
        return self._type

    @property
    def working_data(self) -> Any:
        return clone_data(self._last)

    def update(self, data: Any) -> None:
        is_tick = type(data).__name__ == "Tick"
        if is_tick or self._last is None or data.end_time != self._last_time:
            self._on_data_consolidated(data)
            self._last = data
            self._last_time = data.end_time

    def scan(self, current_local_time: datetime) -> None:
        """Nothing is ever pending."""

    def reset(self) -> None:
        super().reset()
        self._last = None


class SequentialConsolidator(ConsolidatorBase):
    """Feeds the first consolidator's outputs into the second; emits the second's outputs."""

    def __init__(self, first: ConsolidatorBase, second: ConsolidatorBase) -> None:
        super().__init__()
        self.first = first
        self.second = second
        first.data_consolidated += lambda sender, consolidated: second.update(consolidated)
        second.data_consolidated += lambda sender, consolidated: self._on_data_consolidated(
            consolidated
        )

    @property
    def input_type(self) -> type:
        return self.first.input_type

    @property
    def output_type(self) -> type:
        return self.second.output_type

    @property
    def working_data(self) -> Any:
        return self.second.working_data

    def update(self, data: Any) -> None:
        self.first.update(data)

    def scan(self, current_local_time: datetime) -> None:
        self.first.scan(current_local_time)

    def dispose(self) -> None:
        self.first.dispose()
        self.second.dispose()
        super().dispose()

    def reset(self) -> None:
        self.first.reset()
        self.second.reset()
        super().reset()
