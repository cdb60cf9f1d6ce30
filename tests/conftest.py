"""Platform test personas and helpers (engine tests have their own conftest and no Django).

Personas (healthchecks' Alice/Bob/Charlie): ``owner``, ``admin``, ``member``,
``member_who_can_stop_nodes`` of ``free_org``; ``outsider`` owns ``other_org``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

#: market data for tests that run real backtests (never copied into the repo).
os.environ.setdefault(
    "DATA_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "lean"),
)


def _seed_reference_data() -> None:
    """Tiers and node models come from data migrations, which a transactional test's
    flush removes; the same seed functions put them back (they are idempotent)."""
    import importlib

    from django.apps import apps

    for module in ("accounts.migrations.0002_seed_tiers", "nodes.migrations.0002_seed_node_models"):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture
def reference_data(db) -> None:
    _seed_reference_data()


@pytest.fixture
def free_org(reference_data):
    from accounts.models import Organization, Tier
    from nodes.services import create_node

    organization = Organization.objects.create(name="Free Org", tier=Tier.objects.get(slug="free"))
    create_node(organization=organization, model_name="B-MICRO")
    return organization


@pytest.fixture
def paid_org(reference_data):
    from accounts.models import Organization, Tier
    from nodes.services import create_node

    organization = Organization.objects.create(name="Team Org", tier=Tier.objects.get(slug="team"))
    create_node(organization=organization, model_name="B2-8")
    create_node(organization=organization, model_name="B2-8")
    return organization


def _member(organization, username: str, role: str = "member", can_stop_nodes: bool = False):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username=username)
    MembershipFactory(
        user=user, organization=organization, role=role, can_stop_nodes=can_stop_nodes
    )
    return user


@pytest.fixture
def owner(free_org):
    return _member(free_org, "alice", role="owner")


@pytest.fixture
def admin(free_org):
    return _member(free_org, "adam", role="admin")


@pytest.fixture
def member(free_org):
    return _member(free_org, "bob")


@pytest.fixture
def member_who_can_stop_nodes(free_org):
    return _member(free_org, "carol", can_stop_nodes=True)


@pytest.fixture
def other_org(reference_data):
    from accounts.models import Organization, Tier
    from nodes.services import create_node

    organization = Organization.objects.create(name="Other Org", tier=Tier.objects.get(slug="free"))
    create_node(organization=organization, model_name="B-MICRO")
    return organization


@pytest.fixture
def outsider(other_org):
    return _member(other_org, "mallory", role="owner")


@pytest.fixture
def api() -> Callable:
    """``api(user)`` -> a DRF client authenticated with the user's API token."""
    from rest_framework.test import APIClient

    from accounts.tokens import issue_token

    def _client(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
        return client

    return _client


@pytest.fixture
def project(free_org, owner):
    from tests.factories import ProjectFactory

    return ProjectFactory(organization=free_org, created_by=owner, name="Demo")


@pytest.fixture
def stub_worker(transactional_db) -> Iterator:
    """A Dramatiq worker on the stub broker, consuming the backtest queue in threads."""
    import dramatiq
    from dramatiq import Worker

    import backtesting.actors  # noqa: F401  # declares the actor on the broker

    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = Worker(broker, worker_timeout=50, worker_threads=4)
    worker.start()
    yield worker
    # Ask runs still going to stop, so stopping the worker never waits for a long backtest.
    from backtesting.models import Backtest

    Backtest.objects.filter(status="running").update(stop_requested=True)
    worker.stop()
    broker.flush_all()
    # Each Worker adds its own middleware to the global broker; keep it from piling up.
    broker.middleware[:] = [m for m in broker.middleware if type(m).__name__ != "_WorkerMiddleware"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, one per test session.

    Shared by tests/browser and tests/faults: Playwright's sync API refuses a second
    ``sync_playwright()`` while another is running in the same process.
    """
    from pathlib import Path

    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("CI") or os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
