"""Scenario 3: PostgreSQL restarted while a backtest streams log lines.

The worker buffers the events it could not store, reconnects, and writes each batch with
the ``seq`` it expects, so the finished log holds every line exactly once.
"""

from __future__ import annotations

import pytest

from tests.faults.harness import restart_postgres, wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_a_backtest_survives_a_postgres_restart_with_every_log_line_once(deploy, record):
    deployment = deploy(nodes=1, workers=1)
    # Given a backtest logging a numbered line every bar,
    status, launched = deployment.launch(every=1, sleep=0.004, days=3)
    assert status == 201, launched
    backtest_id = launched["id"]
    wait_until(lambda: deployment.audit(backtest_id).lines >= 100, 60, "the first lines")

    # when PostgreSQL restarts under it (every connection is cut),
    down_for = restart_postgres()
    lines_after_restart = deployment.audit(backtest_id).lines

    # then the backtest completes,
    done = deployment.wait_final(backtest_id, timeout=120)
    assert done["status"] == "completed", done["error"]
    # having gone on after the restart, with every line stored exactly once.
    audit = deployment.audit(backtest_id)
    assert audit.total is not None and audit.total > lines_after_restart, audit
    assert audit.lines == audit.total, audit
    record(
        "3 PostgreSQL restarted mid-run -> completes, each line once",
        lost=audit.lost,
        duplicated=audit.duplicated,
        lines=audit.lines,
        restart_s=round(down_for, 1),
    )
    assert (audit.lost, audit.duplicated) == (0, 0), audit
