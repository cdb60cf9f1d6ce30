"""The audit hook lets the engine call malloc_trim (resolved before the hook) and still
refuses every other use of ctypes."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import ctypes
    from backtesting.engine.memory import malloc_trim_function, release_freed_memory
    from backtesting.sandbox import audit

    trim = malloc_trim_function()
    assert trim is not None, "glibc's malloc_trim was not found"
    audit.install(["/"], ["/tmp"], allowed_calls=[ctypes.cast(trim, ctypes.c_void_p).value])
    release_freed_memory()  # allowed: the engine's own call
    for attempt in (lambda: ctypes.CDLL(None), lambda: ctypes.CDLL(None).getpid()):
        try:
            attempt()
        except PermissionError as refused:
            assert "ctypes" in str(refused)
        else:
            raise AssertionError("a ctypes use was not refused")
    print("ok")
    """
)


def test_the_engine_may_trim_memory_under_the_audit_hook_and_nothing_else() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
