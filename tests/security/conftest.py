"""Fixtures for the security suite: a worker with enough threads to run every hostile
algorithm at once, on an organization with enough nodes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

#: worker threads (and nodes): every hostile case plus the honest run at the same time.
THREADS = 20


@pytest.fixture
def wide_worker(transactional_db) -> Iterator:
    """A Dramatiq worker on the stub broker with THREADS threads (the real actor and sandbox)."""
    import dramatiq
    from dramatiq import Worker

    import backtesting.actors  # noqa: F401  # declares the actor on the broker
    from backtesting.models import Backtest

    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = Worker(broker, worker_timeout=50, worker_threads=THREADS)
    worker.start()
    yield worker
    Backtest.objects.filter(status="running").update(stop_requested=True)
    worker.stop()
    broker.flush_all()
    broker.middleware[:] = [m for m in broker.middleware if type(m).__name__ != "_WorkerMiddleware"]


@pytest.fixture
def firm(reference_data):
    """A Trading Firm organization (no node quota) with THREADS B2-8 nodes and an owner."""
    from accounts.models import Organization, Tier
    from nodes.models import Node, NodeModel
    from tests.factories import MembershipFactory, UserFactory

    organization = Organization.objects.create(name="Firm Org", tier=Tier.objects.get(slug="firm"))
    model = NodeModel.objects.get(name="B2-8")
    for number in range(THREADS):
        Node.objects.create(organization=organization, model=model, name=f"firm-{number}")
    user = UserFactory(username="fiona")
    MembershipFactory(user=user, organization=organization, role="owner")
    return organization, user
