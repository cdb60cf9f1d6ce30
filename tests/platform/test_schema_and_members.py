"""The OpenAPI schema, membership management, and the free tier's start delay."""

import pytest

from accounts.models import Membership


@pytest.mark.django_db
def test_the_openapi_schema_lists_the_contract_endpoints(api, owner):
    response = api(owner).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/auth/token/",
        "/api/projects/",
        "/api/projects/{id}/files/{name}",
        "/api/projects/{id}/build/",
        "/api/backtests/",
        "/api/backtests/{id}/",
        "/api/backtests/{id}/stop/",
        "/api/backtests/{id}/logs/",
        "/api/nodes/",
        "/api/nodes/{id}/stop/",
    ):
        assert path in paths, path


@pytest.mark.django_db
def test_an_admin_grants_the_stop_nodes_permission_and_a_member_cannot(
    api, owner, member, free_org
):
    bob = Membership.objects.get(user=member)
    url = f"/api/organizations/{free_org.pk}/members/{bob.pk}/"

    refused = api(member).patch(url, {"can_stop_nodes": True}, format="json")
    granted = api(owner).patch(url, {"can_stop_nodes": True}, format="json")

    assert refused.status_code == 403
    assert granted.status_code == 200 and granted.data["can_stop_nodes"] is True
    bob.refresh_from_db()
    assert bob.can_stop_nodes is True


@pytest.mark.django_db
def test_members_are_listed_added_and_removed_by_admins(api, owner, free_org):
    from tests.factories import UserFactory

    UserFactory(username="dora")
    client = api(owner)
    added = client.post(
        f"/api/organizations/{free_org.pk}/members/", {"username": "dora"}, format="json"
    )
    assert added.status_code == 201
    names = [m["username"] for m in client.get(f"/api/organizations/{free_org.pk}/members/").data]
    assert names == ["alice", "dora"]
    assert (
        client.delete(f"/api/organizations/{free_org.pk}/members/{added.data['id']}/").status_code
        == 204
    )
    assert not Membership.objects.filter(user__username="dora").exists()
    # The last owner stays.
    alice = Membership.objects.get(user=owner)
    assert client.delete(f"/api/organizations/{free_org.pk}/members/{alice.pk}/").status_code == 409


@pytest.mark.django_db
def test_a_bmicro_launch_reports_its_start_delay_and_sends_a_delayed_message(
    api, owner, project, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.BMICRO_DELAY_SECONDS = 20
    sent = []
    monkeypatch.setattr(
        "backtesting.actors.run_backtest.send_with_options", lambda **kw: sent.append(kw)
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")

    assert response.data["start_delay_seconds"] == 20.0
    assert sent == [{"args": (response.data["id"],), "delay": 20000}]


@pytest.mark.django_db
def test_a_backtest_clones_the_code_it_ran_into_a_new_project(api, owner, project):
    client = api(owner)
    backtest_id = client.post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    ran = project.files.get(name="main.py").content
    client.put(f"/api/projects/{project.pk}/files/main.py", {"content": "x = 1\n"}, format="json")

    response = client.post(f"/api/backtests/{backtest_id}/clone/", {"name": "Copy"}, format="json")

    assert response.status_code == 201
    copy = client.get(f"/api/projects/{response.data['id']}/").data
    assert copy["name"] == "Copy"
    assert [(f["name"], f["content"]) for f in copy["files"]] == [("main.py", ran)]


@pytest.mark.django_db
def test_the_organization_reports_todays_log_usage(api, owner, project, free_org):
    from backtesting.services import claim_backtest, record_events

    client = api(owner)
    backtest_id = client.post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    claim_backtest(backtest_id=backtest_id, worker="test")
    record_events(
        backtest_id=backtest_id,
        events=[{"type": "log", "time": None, "level": "log", "message": "abcde"}],
    )
    assert client.get(f"/api/organizations/{free_org.pk}/").data["log_bytes_today"] == 5


@pytest.mark.django_db
def test_stored_events_keep_their_payload_and_a_type_cut_to_its_column(api, owner, project):
    """Events come from the sandboxed child: an overlong type is cut, never a failed write
    (PostgreSQL stores them with COPY, SQLite with bulk_create: one result)."""
    from backtesting.models import BacktestEvent
    from backtesting.services import claim_backtest, record_events

    client = api(owner)
    backtest_id = client.post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    claim_backtest(backtest_id=backtest_id, worker="test")
    events = [
        {"type": "chart", "chart": "Strategy Equity", "series": "Equity", "time": 1, "value": 1.5},
        {"type": "x" * 50, "note": 'quotes " and \\ backslashes\ttabs\nlines'},
    ]
    stored = record_events(backtest_id=backtest_id, events=events)
    assert [e["seq"] for e in stored] == [1, 2]
    rows = list(BacktestEvent.objects.filter(backtest_id=backtest_id).order_by("seq"))
    assert [(r.seq, r.type, r.payload) for r in rows] == [
        (1, "chart", events[0]),
        (2, "x" * 32, events[1]),
    ]
