"""Sharing parsed market data between backtests forked from one warm process.

The readers (price, factor and map files, the market-hours and symbol-properties databases)
cache parsed files per process (``functools.lru_cache``), and a forked child
inherits its parent's caches. So a long-lived parent that has parsed the files a backtest
reads hands them, already parsed, to every child it forks afterwards. A child records the
cached reads it made (:func:`record`, then :func:`recorded`); the parent replays them
(:func:`preload`) before forking the next backtest of the same optimization, which then
neither opens nor parses those files again.

The replayed keys come from an untrusted child: :func:`preload` accepts only the known
readers, paths inside the data folder and plain argument types, and at most
:data:`MAX_KEYS` of them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from backtesting.engine.data import corporate, market_hours, readers, symbol_properties

#: the cached reads a child reports and a parent may replay.
MAX_KEYS = 256
_PERMTICK = re.compile(r"^[a-z0-9._\-]{1,32}$")

#: name -> (module, attribute of the cached function)
_READERS: dict[str, tuple[ModuleType, str]] = {
    "csv": (readers, "_read_csv_cached"),
    "numeric": (readers, "_read_numeric_cached"),
    "days": (readers, "read_day_files_cached"),
    "factor": (corporate, "_read_factor_file"),
    "map": (corporate, "_read_map_file"),
    "market_hours": (market_hours, "_load"),
    "symbol_properties": (symbol_properties, "_load"),
}
_originals: dict[str, Callable[..., Any]] = {}
_recorded: dict[tuple[Any, ...], None] = {}


def record() -> None:
    """Start recording the cached reads of this process (idempotent)."""
    readers.share_parsed = True  # long minute ranges go through their (sharable) cache
    for name, (module, attribute) in _READERS.items():
        if name in _originals:
            continue
        original = getattr(module, attribute)
        _originals[name] = original

        def recording(*args: Any, _name: str = name, _original: Any = original) -> Any:
            if len(_recorded) < MAX_KEYS:
                _recorded[(_name, *args)] = None
            return _original(*args)

        setattr(module, attribute, recording)


def recorded() -> list[list[Any]]:
    """The cached reads made since :func:`record`, in order: ``[[reader, *args], ...]``."""
    return [list(key) for key in _recorded]


def _inside(path: Any, root: str) -> bool:
    return isinstance(path, str) and os.path.realpath(path).startswith(root + os.sep)


def _valid(key: list[Any], root: str) -> bool:
    if not isinstance(key, list | tuple) or not key or key[0] not in _READERS:
        return False
    name, args = key[0], list(key[1:])
    if name in ("market_hours", "symbol_properties"):
        return len(args) == 1 and _inside(args[0], root)
    if name == "csv":
        return len(args) == 2 and _inside(args[0], root) and type(args[1]) is int
    if name == "numeric":
        return (
            len(args) == 3
            and _inside(args[0], root)
            and type(args[1]) is int
            and type(args[2]) is bool
        )
    if name == "days":
        return (
            len(args) == 6
            and _inside(os.path.join(str(args[0]), "x"), root)
            and args[1] in ("trade", "quote")
            and all(isinstance(a, str) and re.fullmatch(r"\d{8}", a) for a in args[2:4])
            and type(args[4]) is int
            and type(args[5]) is bool
        )
    return (
        len(args) == 2
        and isinstance(args[0], str)
        and os.path.realpath(args[0]) == root
        and isinstance(args[1], str)
        and bool(_PERMTICK.match(args[1]))
    )


def preload_databases(data_dir: str) -> None:
    """Parse the market-hours and symbol-properties databases of ``data_dir`` into this
    process's caches: every backtest reads both, and in a freshly forked child they were
    a third of a one-day backtest (about 30 ms of 96). A missing file is the child's error."""
    folder = Path(data_dir)
    try:
        market_hours.MarketHoursDatabase.from_data_dir(folder)
        symbol_properties.SymbolPropertiesDatabase.from_data_dir(folder)
    except OSError:
        pass


def preload(keys: Iterable[list[Any]], data_dir: str) -> int:
    """Parse the files behind ``keys`` into this process's caches; returns how many.

    Invalid keys and files that fail to parse are skipped: a child reads them itself.
    """
    root = os.path.realpath(data_dir)
    loaded = 0
    for key in list(keys)[:MAX_KEYS]:
        if not _valid(key, root):
            continue
        module, attribute = _READERS[key[0]]
        read = _originals.get(key[0]) or getattr(module, attribute)
        try:
            read(*key[1:])
        except Exception:  # noqa: BLE001, S112  # a bad file is the child's error to report
            continue
        loaded += 1
    return loaded
