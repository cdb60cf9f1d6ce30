"""A stand-in for ``backtesting.engine.runner`` with the same entry signature.

The sandbox tests must not depend on the engine being finished: this runs an algorithm
class (anything with ``initialize``) over the first daily SPY closes of the real data
folder, so reading market data through the sandbox's read-only mount is exercised too.
"""

from __future__ import annotations

import io
import os
import types
import zipfile
from typing import Any

BARS = 20


class _Api:
    """What the stand-in gives an algorithm: ``log``, ``get_parameter`` and ``data_dir``."""

    def __init__(self, sink: Any, parameters: dict[str, str], data_dir: str) -> None:
        self._sink = sink
        self._parameters = parameters
        self.data_dir = data_dir
        self.time = "1998-01-02T00:00:00"

    def log(self, message: object) -> None:
        self._sink.emit({"type": "log", "time": self.time, "level": "log", "message": str(message)})

    def get_parameter(self, name: str, default: str | None = None) -> str | None:
        return self._parameters.get(name, default)


def run(modules: dict[str, Any], *, data_dir: str, sink: Any, parameters: dict[str, str]) -> None:
    """Execute ``main`` (helpers first), run ``initialize`` then ``on_data`` per close."""
    import sys

    namespaces: dict[str, types.ModuleType] = {}
    for name in sorted(modules, key=lambda n: n == "main"):
        module = types.ModuleType(name)
        module.__file__ = f"{name}.py"
        sys.modules[name] = module
        namespaces[name] = module
        exec(modules[name], module.__dict__)
    classes = [
        v
        for v in vars(namespaces["main"]).values()
        if isinstance(v, type) and hasattr(v, "initialize") and v.__module__ == "main"
    ]
    algorithm = classes[-1]()
    api = _Api(sink, parameters, data_dir)
    for attribute in ("log", "get_parameter", "data_dir"):
        setattr(algorithm, attribute, getattr(api, attribute))
    algorithm.initialize()
    with zipfile.ZipFile(os.path.join(data_dir, "equity", "usa", "daily", "spy.zip")) as archive:
        text = archive.read(archive.namelist()[0]).decode()
    closes = [int(row.split(",")[4]) / 10000 for row in io.StringIO(text).read().splitlines()]
    for close in closes[:BARS]:
        sink.emit({"type": "progress", "fraction": 0.5})
        if hasattr(algorithm, "on_data"):
            algorithm.on_data(close)
    sink.emit(
        {
            "type": "result",
            "status": "Completed",
            "error": None,
            "stacktrace": None,
            "statistics": {"Total Orders": "0"},
            "runtime_statistics": {},
        }
    )
