"""``make run``'s in-process node workers pick up backtests queued before a restart."""

import pytest

from backtesting.models import Backtest
from tests.platform.conftest import wait_for


@pytest.mark.django_db(transaction=True)
def test_inprocess_workers_resend_and_run_backtests_queued_before_the_restart(
    api, owner, project, fake_sandbox, monkeypatch
):
    import dramatiq

    from config import workers

    # Given a backtest queued while no worker was listening (its message is lost),
    monkeypatch.setattr("backtesting.services._send_run_message", lambda *args, **kwargs: None)
    backtest_id = (
        api(owner).post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    )
    monkeypatch.undo()
    monkeypatch.setattr("backtesting.execution.run_in_sandbox", fake_sandbox)
    dramatiq.get_broker().flush_all()

    # when the server starts its in-process workers,
    workers.start_inprocess_workers()
    try:
        # then the backtest is re-sent and runs to completion.
        fake_sandbox.wait_started(1)
        fake_sandbox.release(backtest_id)
        wait_for(lambda: Backtest.objects.get(pk=backtest_id).status == "completed")
    finally:
        worker, sweeper = workers._started
        worker.stop()
        sweeper.stop()
        workers._started.clear()
        broker = dramatiq.get_broker()
        broker.flush_all()
        broker.middleware[:] = [
            m for m in broker.middleware if type(m).__name__ != "_WorkerMiddleware"
        ]
