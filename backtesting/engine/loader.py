"""Turn an algorithm's code into the class the engine runs.

A project is a set of modules (``main`` plus helpers). The build compiles each file with
its file name (so tracebacks name ``main.py`` and the line) and marshals a dict
``{"magic": importlib.util.MAGIC_NUMBER, "modules": {module name: code object}}``. The
sandboxed child unmarshals it and calls :func:`load_algorithm`; the CLI compiles a source
file and calls the same function, so both paths run the same way.
"""

from __future__ import annotations

import importlib.util
import marshal
import sys
import types
from pathlib import Path
from typing import Any

ARTIFACT_MAGIC = importlib.util.MAGIC_NUMBER


class ArtifactVersionError(RuntimeError):
    """The artifact was compiled by another Python version and must be rebuilt."""


#: the artifact's compile optimization level: docstrings and asserts stripped
ARTIFACT_OPTIMIZE = 2


def module_name(filename: str) -> str:
    """``main.py`` -> ``main``, ``lib/util.py`` -> ``lib.util``."""
    return filename[:-3].replace("/", ".")


def compile_sources(sources: dict[str, str]) -> dict[str, types.CodeType]:
    """Compile ``{"main.py": source, ...}`` into ``{"main": code, ...}`` (docstrings stripped)."""
    modules: dict[str, types.CodeType] = {}
    for filename, source in sources.items():
        if not filename.endswith(".py"):
            continue
        modules[module_name(filename)] = compile(
            source, filename, "exec", dont_inherit=True, optimize=ARTIFACT_OPTIMIZE
        )
    return modules


def pack_artifact(modules: dict[str, types.CodeType]) -> bytes:
    """Marshal compiled modules together with this interpreter's bytecode magic number."""
    return marshal.dumps({"magic": ARTIFACT_MAGIC, "modules": modules})


def unpack_artifact(blob: bytes) -> dict[str, types.CodeType]:
    """Inverse of :func:`pack_artifact`; refuses bytecode of another Python version."""
    payload: Any = marshal.loads(blob)
    if payload.get("magic") != ARTIFACT_MAGIC:
        raise ArtifactVersionError(
            "this build was compiled by another Python version; rebuild the project"
        )
    return payload["modules"]


def load_algorithm(modules: dict[str, types.CodeType], main: str = "main") -> type:
    """Execute the project's modules and return the QCAlgorithm subclass defined in ``main``.

    Helper modules become importable by their names (``from helpers import x``) and
    ``from AlgorithmImports import *`` resolves to the engine's public API.
    """
    from backtesting.engine import algorithm_imports
    from backtesting.engine.algorithm import QCAlgorithm

    sys.modules["AlgorithmImports"] = algorithm_imports
    loaded: dict[str, types.ModuleType] = {}
    for name in sorted(modules, key=lambda n: n == main):  # helpers first, main last
        module = types.ModuleType(name)
        module.__file__ = f"{name.replace('.', '/')}.py"
        sys.modules[name] = module
        loaded[name] = module
    for name in sorted(modules, key=lambda n: n == main):
        exec(modules[name], loaded[name].__dict__)
    namespace = loaded[main].__dict__
    candidates = [
        value
        for value in namespace.values()
        if isinstance(value, type)
        and issubclass(value, QCAlgorithm)
        and value is not QCAlgorithm
        and value.__module__ == main
    ]
    if not candidates:
        raise ValueError(f"{main}.py defines no class derived from QCAlgorithm")
    return candidates[-1]


def load_algorithm_file(path: Path) -> type:
    """Compile a single algorithm file and load its algorithm class."""
    modules = compile_sources({path.name: path.read_text()})
    return load_algorithm(modules, main=path.stem)
