"""Only bytecode of this interpreter's version runs; anything else is refused clearly."""

from __future__ import annotations

import marshal

from backtesting.sandbox import child


def test_artifact_with_another_pythons_magic_is_refused(sandbox_run):
    code = compile("class A:\n    def initialize(self):\n        pass\n", "main.py", "exec")
    blob = marshal.dumps({"magic": b"\xcb\r\r\n", "modules": {"main": code}})  # 3.12's magic

    run = sandbox_run(blob=blob)

    assert run.outcome.status == "runtime_error"
    assert "another Python version" in run.outcome.error
    assert run.result["status"] == "RuntimeError"


def test_corrupt_artifact_is_refused(sandbox_run):
    run = sandbox_run(blob=b"\x00not a marshalled artifact")

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error == child.CORRUPT_ARTIFACT
