"""Sandbox tests: plain pytest, no Django. Algorithms run through the real forkserver and
every layer this machine offers; a stand-in engine (``fake_engine``) replaces the runner."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backtesting.engine.loader import compile_sources, pack_artifact
from backtesting.sandbox import SandboxJob, SandboxLimits, SandboxOutcome, forkserver, supervisor

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("DATA_DIR", REPO.parent / "shared" / "data" / "lean"))
FAKE_ENTRY = "tests.sandbox.fake_engine:run"
LIMITS = SandboxLimits(memory_mb=1024, cores=1, cpu_seconds=10, wall_seconds=20)


@dataclass
class Run:
    """What one sandboxed run produced, as the worker would see it."""

    outcome: SandboxOutcome
    batches: list[list[dict[str, Any]]]
    seconds: float

    @property
    def events(self) -> list[dict[str, Any]]:
        return [event for batch in self.batches for event in batch]

    @property
    def result(self) -> dict[str, Any]:
        return self.events[-1]

    def messages(self) -> list[str]:
        return [e["message"] for e in self.events if e["type"] == "log"]


@pytest.fixture(scope="session", autouse=True)
def _stop_forkservers() -> Iterator[None]:
    yield
    forkserver.shutdown_all()


@pytest.fixture(autouse=True)
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> supervisor.Config:
    """Run the stand-in engine; it is bound read-only into bubblewrap like the engine."""
    config = supervisor.Config(
        entry=FAKE_ENTRY,
        extra_paths=(str(REPO / "tests" / "__init__.py"), str(REPO / "tests" / "sandbox")),
        sys_path=(str(REPO),),
    )
    monkeypatch.setattr(supervisor, "config", config)
    return config


def artifact(source: str) -> bytes:
    return pack_artifact(compile_sources({"main.py": source}))


@pytest.fixture
def sandbox_run(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """``sandbox_run(source, limits=..., disabled=(...), ...)`` runs one job to its end."""

    def run(
        source: str | None = None,
        *,
        blob: bytes | None = None,
        limits: SandboxLimits = LIMITS,
        parameters: dict[str, str] | None = None,
        data_dir: Path = DATA_DIR,
        should_stop: Callable[[], bool] = lambda: False,
        disabled: tuple[str, ...] = (),
    ) -> Run:
        if disabled:
            cfg = dataclasses.replace(supervisor.config, disabled=frozenset(disabled))
            monkeypatch.setattr(supervisor, "config", cfg)
        job = SandboxJob(
            artifact=blob if blob is not None else artifact(source or ""),
            parameters=parameters or {},
            data_dir=str(data_dir),
            limits=limits,
        )
        batches: list[list[dict[str, Any]]] = []

        def on_events(batch: list[dict[str, Any]]) -> None:
            # Every event must survive the trip to the database and the browser.
            assert json.loads(json.dumps(batch)) == batch
            batches.append(batch)

        started = time.monotonic()
        outcome = supervisor.run_sandboxed(job, on_events=on_events, should_stop=should_stop)
        seconds = time.monotonic() - started
        if disabled:
            monkeypatch.setattr(
                supervisor, "config", dataclasses.replace(supervisor.config, disabled=frozenset())
            )
        events = [e for b in batches for e in b]
        assert events[0]["message"].startswith("Sandbox layers: ")
        assert [e["type"] for e in events].count("result") == 1
        assert events[-1]["type"] == "result"
        return Run(outcome, batches, seconds)

    return run


HONEST = """
class Honest:
    def initialize(self):
        self.seen = 0
        self.log("ready " + str(self.get_parameter("name")))

    def on_data(self, close):
        self.seen += 1
        if self.seen == 20:
            self.log(f"last close {close:.4f}")
"""


@pytest.fixture
def assert_still_serves(sandbox_run: Callable[..., Run]) -> Callable[[], None]:
    """After a hostile run: an honest algorithm still completes on the same forkserver."""

    def check() -> None:
        honest = sandbox_run(HONEST, parameters={"name": "after"})
        assert honest.outcome.status == "completed", honest.outcome
        assert "ready after" in honest.messages()

    return check


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A small writable data folder (SPY daily) for tests that plant files in it."""
    target = tmp_path / "data" / "equity" / "usa" / "daily"
    target.mkdir(parents=True)
    shutil.copy(DATA_DIR / "equity" / "usa" / "daily" / "spy.zip", target / "spy.zip")
    return tmp_path / "data"
