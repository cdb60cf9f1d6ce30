"""Every quota at its boundary: exactly at the limit passes, one past it does not."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from accounts.models import LogUsage, Tier
from accounts.selectors import current_hour
from backtesting.engine import loader, runner
from backtesting.execution import order_quota, sandbox_limits
from backtesting.models import Backtest
from backtesting.sandbox import logfilter, steps
from backtesting.services import claim_backtest, record_events

ORDERS = """from AlgorithmImports import *


class Orders(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 7)
        self.add_equity("SPY", Resolution.MINUTE)
        self.placed = 0

    def on_data(self, data):
        while self.placed < {count}:
            self.placed += 1
            self.market_order("SPY", 1)
"""

SLOW_STEP = """from AlgorithmImports import *
import time


class Slow(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 7)
        self.add_equity("SPY", Resolution.MINUTE)
        self.done = False

    def on_data(self, data):
        if not self.done:
            self.done = True
            time.sleep({seconds})
"""


class _Events:
    def __init__(self) -> None:
        self.events: list[dict] = []

    def emit(self, event: dict) -> None:
        self.events.append(event)


def _run(source: str, **kwargs) -> tuple[dict, _Events]:
    sink = _Events()
    result = runner.run_modules(
        loader.compile_sources({"main.py": source}),
        data_dir=Path(settings.DATA_DIR),
        sink=sink,
        **kwargs,
    )
    return result, sink


# -- orders: rejected in the engine's transaction path ------------------------------------


@pytest.mark.parametrize("count, ok", [(5, True), (6, False)])
def test_the_order_past_the_quota_is_rejected_and_ends_the_run(count, ok):
    message = "Order quota reached: 5 orders per backtest on the Free tier"
    result, sink = _run(
        ORDERS.replace("{count}", str(count)), max_orders=5, max_orders_message=message
    )
    order_ids = {e["order_id"] for e in sink.events if e["type"] == "order_event"}
    assert order_ids == {1, 2, 3, 4, 5}  # the sixth never got an id
    if ok:
        assert result["status"] == "Completed", result["error"]
    else:
        assert result["status"] == "RuntimeError"
        assert result["error"] == f"OrderQuotaExceeded: {message}"


@pytest.mark.django_db
def test_the_platform_hands_the_tiers_order_quota_to_the_engine(api, owner, project):
    backtest_id = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")
    backtest = Backtest.objects.get(pk=backtest_id.data["id"])
    assert order_quota(backtest) == {
        "max_orders": 10_000,
        "max_orders_message": "Order quota reached: 10,000 orders per backtest on the Free tier",
    }
    Tier.objects.filter(slug="free").update(orders_per_backtest=None)
    backtest = Backtest.objects.get(pk=backtest.pk)
    assert order_quota(backtest) == {}


# -- time: one step, and the whole backtest ---------------------------------------------


def test_the_step_limit_sentence_names_minutes_or_seconds():
    assert steps.message(600) == "Algorithm took longer than 10 minutes on a single time loop"
    assert steps.message(60) == "Algorithm took longer than 1 minute on a single time loop"
    assert steps.message(1.5) == "Algorithm took longer than 1.5 seconds on a single time loop"


@pytest.mark.parametrize("seconds, ok", [(0.4, True), (2.5, False)])
def test_a_step_longer_than_the_limit_ends_the_run(seconds, ok):
    steps.start(1.0)
    try:
        started = time.monotonic()
        result, _ = _run(
            SLOW_STEP.replace("{seconds}", str(seconds)), prepare=steps.watch_algorithm
        )
    finally:
        steps.stop()
    if ok:
        assert result["status"] == "Completed", result["error"]
    else:
        assert result["status"] == "RuntimeError"
        assert result["error"] == (
            "TimeLoopExceeded: Algorithm took longer than 1 second on a single time loop"
        )
        assert time.monotonic() - started < 2.0  # cut at the limit, not at the sleep's end
        assert 'File "main.py"' in result["stacktrace"]


def test_a_scheduled_event_is_a_time_step_too():
    source = SLOW_STEP.replace(
        "        self.done = False\n",
        "        self.done = False\n"
        '        self.schedule.on(self.date_rules.every_day("SPY"), '
        'self.time_rules.after_market_open("SPY", 30), self.slow)\n\n'
        "    def slow(self):\n"
        "        time.sleep(2.5)\n",
    ).replace("{seconds}", "0")
    steps.start(1.0)
    try:
        result, _ = _run(source, prepare=steps.watch_algorithm)
    finally:
        steps.stop()
    assert result["status"] == "RuntimeError"
    assert "Algorithm took longer than 1 second on a single time loop" in result["error"]
    assert "in slow" in result["stacktrace"]


def test_many_short_steps_never_add_up_to_the_limit():
    steps.start(0.5)
    try:  # 390 minute bars of a day, each a step; the whole run takes longer than 0.5 s
        result, _ = _run(
            SLOW_STEP.replace("if not self.done:", "if True:").replace("{seconds}", "0.002"),
            prepare=steps.watch_algorithm,
        )
    finally:
        steps.stop()
    assert result["status"] == "Completed", result["error"]


@pytest.mark.django_db
@override_settings(BACKTEST_MAX_SECONDS=7200.0, BACKTEST_STEP_MAX_SECONDS=90.0)
def test_the_time_limits_are_settings_handed_to_the_sandbox(api, owner, project):
    backtest_id = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")
    limits = sandbox_limits(Backtest.objects.get(pk=backtest_id.data["id"]))
    assert limits.wall_seconds == 7200.0 and limits.step_seconds == 90.0


def test_the_defaults_are_ten_minutes_and_twelve_hours():
    assert settings.BACKTEST_STEP_MAX_SECONDS == 600.0
    assert settings.BACKTEST_MAX_SECONDS == 12 * 3600.0


# -- debug messages: cut at 200 characters, repeats within a second collapsed -----------


def _filtered(*events: dict) -> list[dict]:
    sink = _Events()
    log = logfilter.LogFilter(sink)
    for event in events:
        log.emit(event)
    log.emit({"type": "result"})
    return [e for e in sink.events if e["type"] == "log"]


def _log(message: str, time: str = "2013-10-07T09:31:00", level: str = "debug") -> dict:
    return {"type": "log", "time": time, "level": level, "message": message}


def test_messages_are_cut_at_200_characters():
    exactly, one_past = "a" * 200, "b" * 201
    lines = _filtered(_log(exactly), _log(one_past), _log("c" * 500, level="error"))
    assert lines[0]["message"] == exactly
    assert lines[1]["message"] == "b" * 197 + "..." and len(lines[1]["message"]) == 200
    assert lines[2]["message"] == "c" * 500  # errors carry tracebacks: never cut


def test_repeats_within_one_second_are_collapsed_with_a_count():
    lines = _filtered(
        _log("tick", "2013-10-07T09:31:00"),
        _log("tick", "2013-10-07T09:31:00.500000"),
        _log("tick", "2013-10-07T09:31:00.999000"),  # exactly inside the second
        _log("tick", "2013-10-07T09:31:01"),  # one second after the first: a new line
        _log("tock", "2013-10-07T09:31:01"),
    )
    assert [line["message"] for line in lines] == [
        "tick",
        "tick (repeated 2 more times)",
        "tick",
        "tock",
    ]


# -- log quotas --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("extra, hit", [(0, False), (1, True)])
def test_the_per_backtest_log_quota_at_its_boundary(api, owner, project, extra, hit):
    backtest_id = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")
    backtest_id = backtest_id.data["id"]
    claim_backtest(backtest_id=backtest_id, worker="test")
    quota = Tier.objects.get(slug="free").log_bytes_per_backtest  # 10 KB
    lines = [_log("x" * 1024) for _ in range(quota // 1024)]
    if extra:
        lines.append(_log("y" * extra))
    record_events(backtest_id=backtest_id, events=lines)
    logs = api(owner).get(f"/api/backtests/{backtest_id}/logs/").data
    quota_lines = [line for line in logs if "quota" in line["message"]]
    if hit:
        assert [line["message"] for line in quota_lines] == [
            "Log quota reached: 10 KB per backtest on the Free tier"
        ]
        assert len(logs) == quota // 1024 + 1
    else:
        assert quota_lines == [] and len(logs) == quota // 1024
    assert Backtest.objects.get(pk=backtest_id).status == "running"  # the run goes on


@pytest.mark.django_db
@pytest.mark.parametrize("used_offset, refused", [(-1, False), (0, True)])
def test_the_daily_log_quota_at_its_boundary(api, owner, project, free_org, used_offset, refused):
    per_day = Tier.objects.get(slug="free").log_bytes_per_day
    first_hour = current_hour() - timedelta(hours=5)
    LogUsage.objects.create(organization=free_org, hour=first_hour, bytes=per_day + used_offset)
    reply = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")
    if refused:
        frees_at = (first_hour + timedelta(hours=25)).strftime("%Y-%m-%d %H:%M")
        assert reply.status_code in (402, 403, 409, 429), reply.data
        assert f"frees up at {frees_at} UTC" in str(reply.data)
        assert not Backtest.objects.exists()
    else:
        assert reply.status_code == 201, reply.data
    assert timezone.now() < first_hour + timedelta(hours=25)
