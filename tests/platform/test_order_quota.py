"""The order quota: the first order past it is not recorded and the run ends as a runtime
error that names the quota."""

import pytest

from accounts.models import Tier
from backtesting.models import Backtest
from backtesting.services import claim_backtest, finish_backtest, record_events
from nodes.models import Node


def _order(order_id: int) -> dict:
    return {"type": "order_event", "order_id": order_id, "status": "Submitted", "symbol": "SPY"}


@pytest.mark.django_db
def test_the_order_past_the_quota_stops_the_run_with_a_runtime_error(api, owner, project):
    Tier.objects.filter(slug="free").update(orders_per_backtest=3)  # quotas are data
    backtest_id = (
        api(owner).post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    )
    claim_backtest(backtest_id=backtest_id, worker="test")

    record_events(backtest_id=backtest_id, events=[_order(1), _order(2), _order(3)])
    assert Backtest.objects.get(pk=backtest_id).stop_requested is False
    record_events(backtest_id=backtest_id, events=[_order(4), _order(5)])

    backtest = Backtest.objects.get(pk=backtest_id)
    assert backtest.stop_requested is True  # the worker's monitor ends the child
    assert backtest.order_count == 3
    orders = api(owner).get(f"/api/backtests/{backtest_id}/orders/").data
    assert [o["order_id"] for o in orders] == [1, 2, 3]

    finish_backtest(backtest_id=backtest_id, status="stopped", error="stopped by request")

    backtest.refresh_from_db()
    assert backtest.status == "runtime_error"
    assert backtest.error == "Order quota reached: 3 orders per backtest on the Free tier"
    assert Node.objects.get(pk=backtest.node_id).status == "idle"
