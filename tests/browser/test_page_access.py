"""The page views: log-in required, another organization's ids answer 404 (like the API)."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def backtest(project, owner, free_org):
    from backtesting.models import Backtest
    from ide.models import BuildArtifact

    artifact = BuildArtifact.objects.create(sources_hash="0" * 64, magic=b"x", blob=b"x")
    return Backtest.objects.create(
        organization=free_org,
        project=project,
        artifact=artifact,
        created_by=owner,
        name="Quiet Blue Fox",
        status="completed",
    )


def _pages(project, backtest) -> list[str]:
    return [
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/backtests/",
        f"/backtests/{backtest.pk}/",
    ]


@pytest.mark.django_db
def test_pages_send_anonymous_visitors_to_log_in(project, backtest) -> None:
    client = Client()
    for path in ["/projects/", "/organization/", "/resources/", *_pages(project, backtest)]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path


@pytest.mark.django_db
def test_members_see_their_pages_with_the_ids_the_scripts_need(owner, project, backtest) -> None:
    client = Client()
    client.force_login(owner)
    for path in ["/projects/", "/organization/", "/resources/", *_pages(project, backtest)]:
        assert client.get(path).status_code == 200, path
    page = client.get(f"/backtests/{backtest.pk}/").context["page"]
    assert page["backtest"] == backtest.pk
    assert page["backtest_ws"] == f"/ws/backtests/{backtest.pk}/"
    assert page["resources_ws"] == f"/ws/organizations/{project.organization_id}/resources/"
    assert page["may_stop_others"] is True  # the owner


@pytest.mark.django_db
def test_another_organizations_pages_answer_404(outsider, project, backtest) -> None:
    client = Client()
    client.force_login(outsider)
    for path in [*_pages(project, backtest), f"/organizations/{project.organization_id}/"]:
        assert client.get(path).status_code == 404, path
    other = client.get(f"/resources/?organization={project.organization_id}")
    assert other.status_code == 404


@pytest.mark.django_db
def test_a_member_without_the_permission_is_told_they_may_stop_only_their_own(
    member, project
) -> None:
    client = Client()
    client.force_login(member)
    page = client.get(f"/projects/{project.pk}/").context["page"]
    assert page["may_stop_others"] is False
    assert page["project_name"] == "Demo"
