"""LEAN's PythonData: the base class of custom data types (``get_source`` + ``reader``)."""

from __future__ import annotations

import copy
from typing import Any

from backtesting.engine.data.bars import BaseData


class PythonData(BaseData):
    """Subclass and implement ``get_source(config, date, is_live)`` and ``reader(config, line, date, is_live)``.

    Extra columns are stored by item assignment (``point["close"] = 1.0``) and read back
    as attributes or items, as in LEAN.
    """

    __slots__ = ("_fields",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._fields: dict[str, Any] = {}

    def __setitem__(self, key: str, value: Any) -> None:
        self._fields[key.lower()] = value

    def __getitem__(self, key: str) -> Any:
        return self._fields[key.lower()]

    def __getattr__(self, name: str) -> Any:
        fields = object.__getattribute__(self, "_fields")
        if name.lower() in fields:
            return fields[name.lower()]
        raise AttributeError(name)

    def get_storage(self) -> dict[str, Any]:
        return self._fields

    def clone(self) -> PythonData:
        other = copy.copy(self)
        other._fields = dict(self._fields)
        return other

    def get_source(self, config: Any, date: Any, is_live: bool) -> Any:
        raise NotImplementedError

    def reader(self, config: Any, line: str, date: Any, is_live: bool) -> Any:
        raise NotImplementedError

    def default_resolution(self) -> int:
        return 4

    def is_sparse_data(self) -> bool:
        return True
