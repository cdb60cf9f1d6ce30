"""Contract tests of /api/v2/: shapes the LEAN CLI's pydantic models parse, three encodings."""

from __future__ import annotations

import pytest

from backtesting.models import Backtest
from ide.models import Project
from tests.factories import ALGORITHM

pytestmark = pytest.mark.django_db

PROJECT_KEYS = {
    "projectId", "organizationId", "name", "description", "modified", "created", "language",
    "collaborators", "leanVersionId", "leanPinnedToMaster", "leanEnvironment", "parameters",
    "libraries",
}  # fmt: skip
BACKTEST_KEYS = {
    "backtestId", "projectId", "status", "name", "created", "completed", "progress", "error",
    "stacktrace", "runtimeStatistics", "statistics", "totalPerformance", "charts",
}  # fmt: skip


def ok(reply) -> dict:
    assert reply.status_code == 200, reply.content
    body = reply.json()
    assert body["success"] is True, body
    assert body["errors"] == []
    return body


def refused(reply) -> list[str]:
    body = reply.json()
    assert body["success"] is False
    assert body["errors"]
    return body["errors"]


def test_account_and_organizations(owner, free_org, qc):
    client = qc(owner)
    assert ok(client.get("account/read"))["organizationId"] == str(free_org.pk)
    [row] = ok(client.post_json("organizations/list"))["organizations"]
    assert row == {
        "id": str(free_org.pk),
        "name": free_org.name,
        "type": "Free",
        "ownerName": "You",
        "members": 1,
        "preferred": True,
    }
    organization = ok(client.get("organizations/read", {"organizationId": free_org.pk}))
    assert organization["organization"]["members"][0]["id"] == owner.pk
    assert refused(client.get("organizations/read", {"organizationId": 999999}))


def test_projects_create_read_update_delete(owner, free_org, qc):
    client = qc(owner)
    created = ok(client.post_json("projects/create", {"name": "Alpha", "language": "Py"}))
    [project] = created["projects"]
    assert PROJECT_KEYS <= set(project)
    assert project["organizationId"] == str(free_org.pk)
    pid = project["projectId"]
    assert Project.objects.get(pk=pid).files.get().name == "main.py"

    listed = ok(client.get("projects/read"))["projects"]
    assert [p["projectId"] for p in listed] == [pid]
    one = ok(client.get("projects/read", {"projectId": pid}))["projects"]
    assert one[0]["name"] == "Alpha"

    # The CLI's projects/update: form data with PHP-style bracket keys.
    ok(
        client.post_form(
            "projects/update",
            {
                "projectId": pid,
                "name": "Beta",
                "parameters[0][key]": "fast",
                "parameters[0][value]": "10",
                "files[0][name]": "helpers.py",
                "files[0][content]": "X = 1\n",
            },
        )
    )
    project = ok(client.get("projects/read", {"projectId": pid}))["projects"][0]
    assert project["name"] == "Beta"
    assert project["parameters"] == [{"key": "fast", "value": "10"}]
    assert Project.objects.get(pk=pid).files.get(name="helpers.py").content == "X = 1\n"

    ok(client.post_json("projects/delete", {"projectId": pid}))
    assert not Project.objects.filter(pk=pid).exists()
    assert refused(client.get("projects/read", {"projectId": pid})) == ["Project not found"]


def test_files_in_all_three_encodings(owner, project, qc):
    client = qc(owner)
    pid = project.pk
    ok(client.post_json("files/create", {"projectId": pid, "name": "a.py", "content": "A = 1"}))
    ok(client.post_form("files/create", {"projectId": pid, "name": "b.py", "content": "B = 2"}))
    assert refused(client.post_json("files/create", {"projectId": pid, "name": "a.py"}))

    files = ok(client.get("files/read", {"projectId": pid}))["files"]
    assert [f["name"] for f in files] == ["a.py", "b.py", "main.py"]
    assert set(files[0]) == {"name", "content", "modified", "isLibrary"}
    [one] = ok(client.get("files/read", {"projectId": pid, "name": "b.py"}))["files"]
    assert one["content"] == "B = 2"

    ok(client.post_form("files/update", {"projectId": pid, "name": "a.py", "content": "A = 3"}))
    ok(client.post_json("files/update", {"projectId": pid, "name": "b.py", "newName": "c.py"}))
    names = {f.name: f.content for f in project.files.all()}
    assert names["a.py"] == "A = 3" and "c.py" in names and "b.py" not in names

    ok(client.post_json("files/delete", {"projectId": pid, "name": "a.py"}))
    assert not project.files.filter(name="a.py").exists()
    assert refused(client.post_json("files/delete", {"projectId": pid, "name": "main.py"}))


def test_another_organizations_project_is_not_found(owner, outsider, project, qc):
    assert refused(qc(outsider).get("files/read", {"projectId": project.pk})) == [
        "Project not found"
    ]


def test_compile_success_and_error(owner, project, qc):
    client = qc(owner)
    built = ok(client.post_json("compile/create", {"projectId": project.pk}))
    assert built["state"] == "BuildSuccess"
    read = ok(
        client.get("compile/read", {"projectId": project.pk, "compileId": built["compileId"]})
    )
    assert read["state"] == "BuildSuccess"
    assert isinstance(read["logs"], list)

    ok(client.post_json("files/update", {"projectId": project.pk, "name": "main.py",
                                         "content": "def broken(:\n"}))  # fmt: skip
    failed = ok(client.post_json("compile/create", {"projectId": project.pk}))
    assert failed["state"] == "BuildError"
    assert failed["compileId"] != built["compileId"]
    assert any("main.py:1" in line for line in failed["logs"])
    again = ok(
        client.get("compile/read", {"projectId": project.pk, "compileId": failed["compileId"]})
    )
    assert again["state"] == "BuildError"
    # The earlier successful build is still known by its id.
    old = ok(client.get("compile/read", {"projectId": project.pk, "compileId": built["compileId"]}))
    assert old["state"] == "BuildSuccess"


def test_backtest_create_goes_through_the_shared_launch(owner, project, qc, settings):
    client = qc(owner)
    compile_id = ok(client.post_json("compile/create", {"projectId": project.pk}))["compileId"]
    body = {
        "projectId": project.pk,
        "compileId": compile_id,
        "backtestName": "First",
        "parameters": {"fast": "5"},
    }
    backtest = ok(client.post_json("backtests/create", body))["backtest"]
    assert BACKTEST_KEYS <= set(backtest)
    assert backtest["status"] == "In Queue..."
    assert backtest["completed"] is False
    row = Backtest.objects.get(pk=int(backtest["backtestId"]))
    assert row.name == "First" and row.parameters["fast"] == "5"
    assert row.node is not None  # claimed the free organization's B-MICRO node

    # The only node is busy: the shared service's refusal comes back as an error.
    assert refused(client.post_json("backtests/create", body))

    listed = ok(client.post_json("backtests/list", {"projectId": project.pk}))["backtests"]
    assert [b["backtestId"] for b in listed] == [backtest["backtestId"]]

    nodes = ok(client.get("nodes/read"))
    assert nodes["research"] == [] and nodes["live"] == []
    [node] = nodes["backtest"]
    assert node["busy"] is True and node["projectName"] == project.name

    ok(client.post_json("nodes/stop", {"nodeId": node["id"]}))
    row.refresh_from_db()
    assert row.status == "stopped"
    read = ok(client.get("backtests/read", {"projectId": project.pk, "backtestId": row.pk}))
    assert read["backtest"]["completed"] is True
    assert read["backtest"]["status"] == "Stopped."


def test_finished_backtest_read_update_results_delete(owner, project, qc):
    client = qc(owner)
    backtest = Backtest.objects.create(
        organization=project.organization,
        project=project,
        artifact=_artifact(project),
        created_by=owner,
        name="Done",
        status=Backtest.Status.COMPLETED,
        progress=1.0,
        statistics={"Total Orders": 1, "Net Profit": "1.2%"},
        runtime_statistics={"Equity": "$101,200.00"},
    )
    for seq, (kind, payload) in enumerate(
        [
            ("chart", {"chart": "Strategy Equity", "series": "Equity", "time": 1381161600,
                       "value": 100000.0, "unit": "$", "series_type": 0}),
            ("chart", {"chart": "Strategy Equity", "series": "Equity", "time": 1381248000,
                       "value": 101200.0, "unit": "$", "series_type": 0}),
            ("log", {"time": "2013-10-07 09:31:00", "level": "info", "message": "bought"}),
            ("order_event", {"order_id": 1, "symbol": "SPY", "quantity": 10}),
        ],
        start=1,
    ):  # fmt: skip
        backtest.events.create(seq=seq, type=kind, payload={"type": kind, **payload})
    ids = {"projectId": project.pk, "backtestId": backtest.pk}

    read = ok(client.get("backtests/read", ids))["backtest"]
    assert read["status"] == "Completed." and read["completed"] is True
    assert read["progress"] == 1.0
    assert read["statistics"] == {"Total Orders": "1", "Net Profit": "1.2%"}
    assert read["runtimeStatistics"] == {"Equity": "$101,200.00"}
    values = read["charts"]["Strategy Equity"]["series"]["Equity"]["values"]
    assert values == [{"x": 1381161600, "y": 100000.0}, {"x": 1381248000, "y": 101200.0}]

    chart = ok(client.post_json("backtests/chart/read", {**ids, "name": "Strategy Equity",
                                                         "count": 100}))  # fmt: skip
    assert chart["chart"]["name"] == "Strategy Equity"
    assert refused(client.post_json("backtests/chart/read", {**ids, "name": "Nope"}))

    orders = ok(client.post_json("backtests/orders/read", {**ids, "start": 0, "end": 100}))
    assert orders["length"] == 1 and orders["orders"][0]["symbol"] == "SPY"
    log = ok(client.post_json("backtests/read/log", {**ids, "start": 0, "end": 200}))
    assert log["length"] == 1 and log["logs"][0].endswith("bought")

    ok(client.post_form("backtests/update", {**ids, "name": "Renamed"}))
    backtest.refresh_from_db()
    assert backtest.name == "Renamed"
    ok(client.post_json("backtests/delete", ids))
    assert not Backtest.objects.filter(pk=backtest.pk).exists()


def test_runtime_error_shape(owner, project, qc):
    backtest = Backtest.objects.create(
        organization=project.organization,
        project=project,
        artifact=_artifact(project),
        created_by=owner,
        name="Broken",
        status=Backtest.Status.RUNTIME_ERROR,
        error="ZeroDivisionError: division by zero\n  at on_data in main.py: line 3",
    )
    read = ok(qc(owner).get("backtests/read", {"projectId": project.pk, "backtestId": backtest.pk}))
    assert read["backtest"]["status"] == "Runtime Error"
    assert read["backtest"]["error"] == "ZeroDivisionError: division by zero"
    assert "line 3" in read["backtest"]["stacktrace"]


def test_malformed_json_is_a_400_with_the_envelope(owner, qc):
    client = qc(owner)
    reply = client.client.post(
        "/api/v2/projects/create", "{not json", content_type="application/json",
        **client.headers(),
    )  # fmt: skip
    assert reply.status_code == 400
    assert reply.json()["success"] is False


def _artifact(project):
    from ide.services import build_project

    project.files.filter(name="main.py").update(content=ALGORITHM)
    return build_project(project=project).artifact


def test_a_stale_compile_id_is_refused(owner, project, qc):
    client = qc(owner)
    compile_id = ok(client.post_json("compile/create", {"projectId": project.pk}))["compileId"]
    ok(client.post_json("files/create", {"projectId": project.pk, "name": "x.py", "content": ""}))
    body = {"projectId": project.pk, "compileId": compile_id, "backtestName": "Old"}
    assert refused(client.post_json("backtests/create", body)) == [
        "The project changed since this compile; compile again"
    ]
    assert not Backtest.objects.filter(project=project).exists()
