"""Check a project's sources the way the editor needs: compile errors and pyflakes findings.

Pure functions over ``{file name: source}``; nothing here touches the database, so the
editor's build-on-keystroke path and the launch path share exactly one checker.
Lines and columns are 1-based, like the editor's gutter.
"""

from __future__ import annotations

import ast
import hashlib
import threading
from types import CodeType
from typing import Literal, NotRequired, TypedDict

from pyflakes import checker as pyflakes_checker
from pyflakes import messages as pyflakes_messages

from backtesting.engine.loader import ARTIFACT_OPTIMIZE, module_name

Severity = Literal["error", "warning"]


class Diagnostic(TypedDict):
    """One finding, as the REST API and the editor's gutter use it."""

    file: str
    line: int
    col: int
    severity: Severity
    message: str
    end_line: NotRequired[int]
    end_col: NotRequired[int]


#: pyflakes findings that make the algorithm fail at run time; the rest are warnings.
_ERROR_MESSAGES = (
    pyflakes_messages.UndefinedName,
    pyflakes_messages.UndefinedLocal,
    pyflakes_messages.UndefinedExport,
    pyflakes_messages.DuplicateArgument,
    pyflakes_messages.ReturnOutsideFunction,
    pyflakes_messages.YieldOutsideFunction,
    pyflakes_messages.ContinueOutsideLoop,
    pyflakes_messages.BreakOutsideLoop,
    pyflakes_messages.LateFutureImport,
    pyflakes_messages.FutureFeatureNotDefined,
)

#: names LEAN's ``AlgorithmImports`` provides when the engine cannot be asked (kept short:
#: the engine's own export list is used whenever it imports).
_FALLBACK_ALGORITHM_NAMES = frozenset(
    """QCAlgorithm Resolution Symbol SecurityType Market OrderStatus OrderType OrderDirection
    OrderEvent TradeBar QuoteBar Slice Chart Series SeriesType Color DateRules TimeRules
    MovingAverageType IndicatorDataPoint RollingWindow Insight InsightDirection
    DataNormalizationMode BrokerageName AccountType Field np pd math datetime date time
    timedelta""".split()
)

#: the module whose star import brings in the engine's public names.
ALGORITHM_IMPORTS = "AlgorithmImports"


def algorithm_names() -> frozenset[str]:
    """Names ``from AlgorithmImports import *`` defines, asked from the engine when it can be."""
    try:
        from backtesting.engine import algorithm_imports
    except ImportError:
        return _FALLBACK_ALGORITHM_NAMES
    exported = getattr(algorithm_imports, "__all__", None) or [
        name for name in vars(algorithm_imports) if not name.startswith("_")
    ]
    return frozenset(exported) | _FALLBACK_ALGORITHM_NAMES


def sources_hash(sources: dict[str, str]) -> str:
    """A stable SHA-256 of every file name and content; the key of a build artifact."""
    digest = hashlib.sha256()
    for name in sorted(sources):
        for part in (name, sources[name]):
            data = part.encode()
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


def check_sources(sources: dict[str, str]) -> list[Diagnostic]:
    """Compile every ``.py`` file and run pyflakes on those that compile."""
    return build_sources(sources)[0]


def build_sources(sources: dict[str, str]) -> tuple[list[Diagnostic], dict[str, CodeType]]:
    """Check every ``.py`` file (compile errors, then pyflakes) and return, with the
    findings, the code objects of the files that compiled, as the artifact holds them
    (``loader.compile_sources``: docstrings stripped). One parse serves both: a 1,000-line
    project used to be parsed and compiled twice on every build."""
    names = algorithm_names()
    checked = {
        filename: _check_file(filename, source, names)
        for filename, source in sources.items()
        if filename.endswith(".py")
    }
    diagnostics = [found for filename in sorted(checked) for found in checked[filename][0]]
    modules = {
        module_name(filename): code for filename, (_, code) in checked.items() if code is not None
    }
    return diagnostics, modules


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """Whether any diagnostic blocks the build (warnings do not)."""
    return any(d["severity"] == "error" for d in diagnostics)


#: CPython 3.11 converts ASTs with interpreter-wide recursion bookkeeping that concurrent
#: threads corrupt ("SystemError: AST constructor recursion depth mismatch", gh-106905):
#: daphne builds several launches at once in its thread pool, so compiles take turns.
_COMPILE_LOCK = threading.Lock()


class _Checker(pyflakes_checker.Checker):
    """pyflakes' checker, with its per-node question "may a ``__future__`` import still
    come?" answered cheapest test first and remembered once the answer is no for good:
    pyflakes walks the whole scope stack on every node to ask it, a sixth of its time on
    a 1,000-line file. Same answer: only the module scope, with nothing but imports and
    docstrings before, says yes."""

    _futures_closed = False  # the module's first statement other than those came

    def _futures_allowed(self) -> bool:
        if self._futures_closed:
            return False
        scope = self.scope
        if not isinstance(scope, pyflakes_checker.ModuleScope):
            return False
        if not scope._futures_allowed:
            self._futures_closed = scope is self.scopeStack[0]
            return False
        return all(isinstance(s, pyflakes_checker.ModuleScope) for s in self.scopeStack)

    futuresAllowed = property(  # type: ignore[assignment]
        _futures_allowed, pyflakes_checker.Checker.futuresAllowed.fset
    )


def _check_file(
    filename: str, source: str, names: frozenset[str]
) -> tuple[list[Diagnostic], CodeType | None]:
    try:
        with _COMPILE_LOCK:
            tree = compile(source, filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
            # Some errors (e.g. 'return' outside function) only appear at code generation;
            # the code is the artifact's (compile_sources' flags)
            code = compile(tree, filename, "exec", dont_inherit=True, optimize=ARTIFACT_OPTIMIZE)
    except SyntaxError as error:
        return [_syntax_diagnostic(filename, error)], None
    except ValueError as error:  # null bytes in the source
        return [_diagnostic(filename, 1, 1, "error", str(error))], None
    # pyflakes turns every unknown name into "may be undefined, or defined from star imports"
    # when a star import is in scope; drop AlgorithmImports' star and declare its names instead.
    tree.body = [node for node in tree.body if not _is_algorithm_star_import(node)]
    found = _Checker(tree, filename=filename, builtins=names)
    found.messages.sort(key=lambda m: (m.lineno, m.col))
    diagnostics = [
        _diagnostic(
            filename,
            message.lineno,
            message.col + 1,
            "error" if isinstance(message, _ERROR_MESSAGES) else "warning",
            message.message % message.message_args,
        )
        for message in found.messages
    ]
    return diagnostics, code


def _is_algorithm_star_import(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.ImportFrom)
        and node.module == ALGORITHM_IMPORTS
        and any(alias.name == "*" for alias in node.names)
    )


def _syntax_diagnostic(filename: str, error: SyntaxError) -> Diagnostic:
    line = error.lineno or 1
    col = error.offset or 1
    diagnostic = _diagnostic(filename, line, col, "error", error.msg)
    if error.end_lineno and error.end_offset:
        diagnostic["end_line"] = error.end_lineno
        diagnostic["end_col"] = error.end_offset
    return diagnostic


def _diagnostic(filename: str, line: int, col: int, severity: Severity, message: str) -> Diagnostic:
    return {"file": filename, "line": line, "col": col, "severity": severity, "message": message}
