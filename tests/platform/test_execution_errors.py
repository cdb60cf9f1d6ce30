"""A worker that fails around the sandbox still ends the backtest and frees the node."""

import pytest

from backtesting.execution import execute_backtest
from backtesting.models import Backtest
from nodes.models import Node


@pytest.mark.django_db(transaction=True)
def test_a_sandbox_failure_ends_runtime_error_with_the_traceback_in_the_log(
    api, owner, project, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("forkserver exploded")

    monkeypatch.setattr("backtesting.execution.run_in_sandbox", broken)
    backtest_id = (
        api(owner).post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    )

    execute_backtest(backtest_id=backtest_id)

    backtest = Backtest.objects.get(pk=backtest_id)
    assert backtest.status == "runtime_error"
    assert "forkserver exploded" in backtest.error
    logs = api(owner).get(f"/api/backtests/{backtest_id}/logs/").data
    assert logs[-1]["level"] == "error" and "forkserver exploded" in logs[-1]["message"]
    assert Node.objects.get(organization=project.organization).status == "idle"


@pytest.mark.django_db(transaction=True)
def test_a_time_limit_interrupt_releases_the_node_then_propagates(api, owner, project, monkeypatch):
    from dramatiq.middleware.time_limit import TimeLimitExceeded

    def too_long(*args, **kwargs):
        raise TimeLimitExceeded()

    monkeypatch.setattr("backtesting.execution.run_in_sandbox", too_long)
    backtest_id = (
        api(owner).post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    )

    with pytest.raises(TimeLimitExceeded):
        execute_backtest(backtest_id=backtest_id)

    assert Backtest.objects.get(pk=backtest_id).status == "runtime_error"
    assert Node.objects.get(organization=project.organization).status == "idle"
