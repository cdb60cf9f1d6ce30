"""Each layer holds on its own: switch off the ones above it and attack it directly.

Layers this machine lacks are skipped with the probe's reason; the ones it has are all
exercised here (bubblewrap, the sandbox uid, seccomp, the network namespace).
"""

from __future__ import annotations

import os

import pytest

from backtesting.sandbox import active_layers
from backtesting.sandbox.probe import probe
from tests.sandbox.conftest import DATA_DIR, REPO


def needs(*names: str) -> pytest.MarkDecorator:
    missing = {n: probe()[n] for n in names if probe()[n] is not None}
    return pytest.mark.skipif(bool(missing), reason=f"layer unavailable here: {missing}")


@needs("bubblewrap")
def test_bubblewrap_hides_the_host_and_the_checkout(sandbox_run):
    source = f"""
import os
class A:
    def initialize(self):
        self.log(sorted(os.listdir("/")))
        self.log(sorted(os.listdir({str(REPO)!r})))
        self.log(os.path.exists("/etc/shadow"))
        self.log(open("/etc/hostname").read() if os.path.exists("/etc/hostname") else "none")
"""
    run = sandbox_run(source, disabled=("audit-hook",))

    root, checkout, shadow, _ = (eval(m) if m.startswith("[") else m for m in run.messages()[1:])
    # The checkout and the data folder are mounted at their own paths, so their top
    # folders show at the root (/work here, /check in CI's clone); nothing else does.
    mounted_tops = {REPO.parts[1], DATA_DIR.resolve().parts[1]}
    assert set(root) <= {
        "bin",
        "dev",
        "etc",
        "lib",
        "lib64",
        "proc",
        "root",
        "sbin",
        "tmp",
        "usr",
    } | mounted_tops
    # Only the engine, the sandbox, the venv and (in tests) the stand-in engine are mounted.
    assert set(checkout) <= {".venv", "backtesting", "tests"}
    assert not {"pyproject.toml", "manage.py", "config", ".git"} & set(checkout)
    assert shadow == "False"
    assert run.outcome.status == "completed"


@needs("bubblewrap")
def test_reading_etc_shadow_without_the_hook_finds_nothing(sandbox_run):
    run = sandbox_run(
        'class A:\n    def initialize(self):\n        open("/etc/shadow").read()\n',
        disabled=("audit-hook",),
    )

    assert (
        run.outcome.error == "FileNotFoundError: [Errno 2] No such file or directory: '/etc/shadow'"
    )


@needs("bubblewrap")
def test_the_data_folder_is_read_only(sandbox_run):
    source = """
class A:
    def initialize(self):
        open(self.data_dir + "/planted.txt", "w").write("x")
"""
    run = sandbox_run(source, disabled=("audit-hook",))

    assert run.outcome.error.startswith("OSError: [Errno 30] Read-only file system")


@needs("user")
def test_a_root_only_file_is_unreadable_by_the_sandbox_uid(sandbox_run, data_copy):
    # Planted inside the data folder, so neither bubblewrap nor the hook hides it:
    # only the uid switch stands between the algorithm and the file.
    secret = data_copy / "secret.txt"
    secret.write_text("root only")
    os.chmod(secret, 0o600)
    source = """
class A:
    def initialize(self):
        self.log(open(self.data_dir + "/secret.txt").read())
"""
    run = sandbox_run(source, data_dir=data_copy)

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error.startswith("PermissionError: [Errno 13] Permission denied")
    assert "root only" not in str(run.events)


@needs("seccomp")
@pytest.mark.parametrize(
    "statement",
    [
        'socket.create_connection(("127.0.0.1", 6379), timeout=2)',
        "os.fork()",
        'subprocess.run(["id"])',
        'os.execv("/usr/bin/id", ["id"])',
    ],
)
def test_seccomp_refuses_sockets_and_new_processes(statement, sandbox_run):
    source = (
        f"import os, socket, subprocess\nclass A:\n    def initialize(self):\n        {statement}\n"
    )
    run = sandbox_run(source, disabled=("audit-hook",))

    assert run.outcome.error == "PermissionError: [Errno 1] Operation not permitted"


@needs("seccomp")
def test_seccomp_makes_os_system_and_ctypes_system_fail(sandbox_run):
    source = """
import ctypes, os
class A:
    def initialize(self):
        self.log(os.system("id"))
        self.log(ctypes.CDLL(None).system(b"id"))
        status = open("/proc/self/status").read()
        self.log([l for l in status.splitlines() if l.startswith(("Seccomp:", "NoNewPrivs:"))])
"""
    run = sandbox_run(source, disabled=("audit-hook",))

    os_rc, ctypes_rc, status = run.messages()[1:]
    assert os_rc != "0" and ctypes_rc != "0"
    assert status == str(["NoNewPrivs:\t1", "Seccomp:\t2"])


@needs("seccomp")
def test_fork_bomb_is_refused_by_seccomp(sandbox_run, assert_still_serves):
    source = "import os\nclass A:\n    def initialize(self):\n        while True:\n            os.fork()\n"

    run = sandbox_run(source, disabled=("audit-hook",))

    assert run.outcome.error == "PermissionError: [Errno 1] Operation not permitted"
    assert_still_serves()


@needs("seccomp")
def test_signals_to_other_processes_are_refused(sandbox_run):
    run = sandbox_run(
        "import os\nclass A:\n    def initialize(self):\n        os.kill(1, 9)\n",
        disabled=("audit-hook",),
    )

    assert run.outcome.error == "PermissionError: [Errno 1] Operation not permitted"


@needs("netns")
@pytest.mark.parametrize("bubblewrap", [True, False], ids=["bubblewrap", "unshare"])
def test_the_network_namespace_cannot_reach_the_hosts_redis(bubblewrap, sandbox_run):
    if bubblewrap and "bubblewrap" not in active_layers():
        pytest.skip("bubblewrap unavailable here")
    off = ("audit-hook", "seccomp") + (() if bubblewrap else ("bubblewrap",))
    source = """
import socket
class A:
    def initialize(self):
        socket.create_connection(("127.0.0.1", 6379), timeout=2)
"""
    run = sandbox_run(source, disabled=off)

    # bubblewrap brings up its own loopback (refused); a bare namespace has none (unreachable)
    assert run.outcome.error in (
        "ConnectionRefusedError: [Errno 111] Connection refused",
        "OSError: [Errno 101] Network is unreachable",
    )
    assert "netns" in run.outcome.layers


def test_without_bubblewrap_the_remaining_layers_still_apply_and_are_reported(sandbox_run):
    source = """
import os, socket
class A:
    def initialize(self):
        socket.socket()
"""
    run = sandbox_run(source, disabled=("bubblewrap",))

    header = run.events[0]["message"]
    assert "bubblewrap (switched off)" in header
    assert "bubblewrap" not in run.outcome.layers
    for layer in ("clean-env", "rlimits", "wall-clock", "audit-hook"):
        assert layer in run.outcome.layers
    assert run.outcome.status == "runtime_error"
    assert "Network access is not allowed" in run.outcome.error
    honest = sandbox_run(
        "class A:\n    def initialize(self):\n        self.log('ok')\n", disabled=("bubblewrap",)
    )
    assert honest.outcome.status == "completed"


@pytest.mark.skipif(os.geteuid() != 0, reason="a private mount namespace needs root")
def test_without_bubblewrap_the_data_folder_is_still_read_only(sandbox_run, data_copy):
    source = """
class A:
    def initialize(self):
        open(self.data_dir + "/planted.txt", "w").write("x")
"""
    run = sandbox_run(source, data_dir=data_copy, disabled=("bubblewrap", "audit-hook"))

    assert "readonly-data" in run.outcome.layers
    assert run.outcome.error.startswith("OSError: [Errno 30] Read-only file system")
    assert not (data_copy / "planted.txt").exists()


@needs("user")
def test_the_sandbox_uid_cannot_regain_root(sandbox_run):
    source = """
import os
class A:
    def initialize(self):
        status = open("/proc/self/status").read().splitlines()
        self.log([l for l in status if l.startswith(("NoNewPrivs:", "CapEff:", "Uid:"))])
        os.setuid(0)
"""
    run = sandbox_run(source, disabled=("audit-hook", "seccomp"))

    status = eval(run.messages()[1])
    assert "NoNewPrivs:\t1" in status and "CapEff:\t0000000000000000" in status
    assert run.outcome.error == "PermissionError: [Errno 1] Operation not permitted"
