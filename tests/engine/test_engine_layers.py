"""The engine's packages depend downwards only (STYLE.md 23), and never on the web stack.

Layers, top to bottom: algorithm -> brokerage -> portfolio -> feed -> data. Indicators,
consolidators, scheduling, statistics and results never import algorithm or brokerage.
(Checked here by reading import statements; import-linter checks the web-stack rule.)
"""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "backtesting" / "engine"
ORDER = ["algorithm", "brokerage", "portfolio", "feed", "data"]
LEAVES = ["indicators", "consolidators", "scheduling", "statistics", "results"]
WEB = ("django", "channels", "dramatiq", "rest_framework")


def imports_of(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ENGINE / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                found.add((str(path.relative_to(ENGINE)), name))
    return found


def test_layers_only_import_downwards():
    problems = []
    for i, package in enumerate(ORDER):
        above = ORDER[:i]
        for where, name in imports_of(package):
            for upper in above:
                if name.startswith(f"backtesting.engine.{upper}"):
                    problems.append(f"{where} imports {name}")
    assert not problems, problems


def test_leaf_packages_never_import_algorithm_or_brokerage():
    problems = [
        f"{where} imports {name}"
        for package in LEAVES
        if (ENGINE / package).exists()
        for where, name in imports_of(package)
        if name.startswith(("backtesting.engine.algorithm", "backtesting.engine.brokerage"))
    ]
    assert not problems, problems


def test_engine_never_imports_the_web_stack():
    problems = []
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = (
                [module]
                if module
                else [a.name for a in getattr(node, "names", [])]
                if isinstance(node, ast.Import)
                else []
            )
            problems += [f"{path.name}: {n}" for n in names if n and n.split(".")[0] in WEB]
    assert not problems, problems
