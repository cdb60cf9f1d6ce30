"""Hostile algorithms each end with a clear error, and the worker keeps serving.

With every layer on, the audit hook answers first with a friendly sentence; test_layers.py
switches the hook (and more) off to show the operating-system layer underneath holds.
"""

from __future__ import annotations

import pytest

from backtesting.sandbox import audit, child

READ_SHADOW = """
class A:
    def initialize(self):
        self.log(open("/etc/shadow").read())
"""
LIST_CHECKOUT = """
import os
class A:
    def initialize(self):
        self.log(os.listdir({repo!r}))
"""
REDIS = """
import socket
class A:
    def initialize(self):
        socket.create_connection(("127.0.0.1", 6379), timeout=2).sendall(b"PING\\r\\n")
"""
POSTGRES = REDIS.replace("6379", "5432")
OS_SYSTEM = """
import os
class A:
    def initialize(self):
        self.log(os.system("id"))
"""
SUBPROCESS = """
import subprocess
class A:
    def initialize(self):
        self.log(subprocess.run(["id"], capture_output=True).stdout)
"""
FORK = """
import os
class A:
    def initialize(self):
        if os.fork() == 0:
            os._exit(0)
"""
FORK_BOMB = """
import os
class A:
    def initialize(self):
        while True:
            os.fork()
"""
SUBCLASSES = """
class A:
    def initialize(self):
        for cls in object.__subclasses__():
            if cls.__name__ == "_wrap_close":
                cls.__init__.__globals__["system"]("id")
        raise AssertionError("os._wrap_close not found")
"""
CTYPES = """
import ctypes
class A:
    def initialize(self):
        self.log(ctypes.CDLL(None).system(b"id"))
"""
WRITE_DATA = """
class A:
    def initialize(self):
        with open(self.data_dir + "/equity/usa/daily/spy.zip", "wb") as f:
            f.write(b"corrupted")
"""

CASES = {
    "read /etc/shadow": (READ_SHADOW, audit.READ_REFUSED),
    "list the checkout": (None, audit.READ_REFUSED),
    "connect to redis": (REDIS, audit.NETWORK_REFUSED),
    "connect to postgres": (POSTGRES, audit.NETWORK_REFUSED),
    "os.system": (OS_SYSTEM, audit.PROCESS_REFUSED),
    "subprocess": (SUBPROCESS, audit.PROCESS_REFUSED),
    "os.fork": (FORK, audit.PROCESS_REFUSED),
    "fork bomb": (FORK_BOMB, audit.PROCESS_REFUSED),
    "__subclasses__ to os.system": (SUBCLASSES, audit.PROCESS_REFUSED),
    "ctypes": (CTYPES, audit.CTYPES_REFUSED),
    "write into the data folder": (WRITE_DATA, audit.WRITE_REFUSED),
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_algorithm_fails_with_a_clear_message(case, sandbox_run, assert_still_serves):
    from tests.sandbox.conftest import REPO

    source, expected = CASES[case]
    source = source or LIST_CHECKOUT.format(repo=str(REPO))

    run = sandbox_run(source)

    assert run.outcome.status == "runtime_error"
    assert expected in run.outcome.error
    assert "PermissionError" in run.result["stacktrace"]
    assert 'File "main.py"' in run.result["stacktrace"]
    assert_still_serves()


EXITS = {
    "sys.exit()": ("import sys\n{body}sys.exit()", "SystemExit"),
    "raise SystemExit": ("{body}raise SystemExit(3)", "SystemExit"),
    "raise KeyboardInterrupt": ("{body}raise KeyboardInterrupt", "KeyboardInterrupt"),
}


@pytest.mark.parametrize("case", EXITS)
def test_ending_the_process_in_initialize_is_a_runtime_error(
    case, sandbox_run, assert_still_serves
):
    template, what = EXITS[case]
    statement = template.format(body="").splitlines()
    imports = "\n".join(line for line in statement if line.startswith("import"))
    action = [line for line in statement if not line.startswith("import")][0]
    source = f"{imports}\nclass A:\n    def initialize(self):\n        {action}\n"

    run = sandbox_run(source)

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error == child.EXIT_REFUSED.format(what=what)
    assert 'File "main.py", line 4, in initialize' in run.result["stacktrace"]
    assert_still_serves()


def test_os_exit_without_a_result_is_reported_from_the_exit_code(sandbox_run, assert_still_serves):
    run = sandbox_run("import os\nclass A:\n    def initialize(self):\n        os._exit(0)\n")

    assert run.outcome.status == "runtime_error"
    assert (
        run.outcome.error == "The algorithm process ended (exit code 0) without reporting a result"
    )
    assert_still_serves()


def test_garbage_written_to_the_event_pipe_ends_the_run(sandbox_run, assert_still_serves):
    source = """
import os
class A:
    def initialize(self):
        for fd in range(3, 64):
            try:
                os.write(fd, b"\\x00\\x00\\x00\\x05junk!")
            except OSError:
                pass
"""
    run = sandbox_run(source)

    assert run.outcome.status == "runtime_error"
    assert "corrupted the sandbox's event stream" in run.outcome.error
    assert_still_serves()
