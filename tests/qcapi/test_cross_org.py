"""Every /api/v2/ endpoint refuses another organization's ids, in every id parameter."""

from __future__ import annotations

import pytest

from backtesting.models import Backtest
from backtesting.qcapi.urls import urlpatterns  # noqa: F401  # registers every endpoint
from backtesting.qcapi.views import ENDPOINTS
from ide.services import build_project

pytestmark = pytest.mark.django_db

#: endpoints that take no id of a project, backtest, node or optimization.
ACCOUNT_LEVEL = {"authenticate", "account/read", "organizations/list", "projects/create"}


def test_every_endpoint_refuses_the_victims_ids(owner, outsider, project, free_org, qc):
    backtest = Backtest.objects.create(
        organization=free_org,
        project=project,
        artifact=build_project(project=project).artifact,
        created_by=owner,
        name="Victim's",
        status=Backtest.Status.COMPLETED,
    )
    node = free_org.nodes.get()
    victim_ids = {
        "projectId": project.pk,
        "backtestId": backtest.pk,
        "nodeId": node.pk,
        "organizationId": free_org.pk,
        "optimizationId": 1,
        "name": "main.py",
        "compileId": "x",
    }
    attacker = qc(outsider)
    checked = []
    for name in ENDPOINTS:
        if name in ACCOUNT_LEVEL:
            continue
        body = attacker.post_json(name, victim_ids).json()
        assert body["success"] is False, (name, body)
        assert body["errors"][0].endswith("not found"), (name, body)
        checked.append(name)
    assert len(checked) >= 25
    project.refresh_from_db()
    backtest.refresh_from_db()
    assert backtest.name == "Victim's"
    assert project.files.get(name="main.py").content
