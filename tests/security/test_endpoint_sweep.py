"""Every URL of the URL conf and every websocket route, called with another organization's
ids by an anonymous client and by members of a different organization: nothing leaks.

The URL list is read from the resolver, not written by hand, so a view added later is swept
too. A URL carrying one of the victim's ids must answer with a refusal (redirect to log in,
401, 403, 404, 405); a URL without ids may answer 2xx (a list of the caller's own things)
but its body must not contain any of the victim's marker strings. Afterwards the victim's
organization holds exactly what it held before.
"""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from accounts.models import Membership
from backtesting.models import Backtest
from backtesting.optimization.models import Optimization
from config.routing import websocket_urlpatterns
from ide.models import Project, ProjectFile
from nodes.models import Node, NodeModel

#: strings only the victim's objects contain; none may appear in an attacker's reply.
MARKERS = ("VictimOrgQX", "VictimProjectQX", "VICTIM_SECRET_QX", "VictimBacktestQX", "VictimOptQX")

METHODS = ("get", "post", "put", "patch", "delete")
REFUSED = {302, 401, 403, 404, 405}


@pytest.fixture
def victim(api, owner, project, free_org) -> dict[str, int]:
    """Alice's organization with a project, a secret file, a backtest and an optimization."""
    free_org.name = "VictimOrgQX"
    free_org.save()
    project.name = "VictimProjectQX"
    project.save()
    main = project.files.get(name="main.py")
    main.content += "\n# VICTIM_SECRET_QX\n"
    main.save()
    backtest_id = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")
    backtest_id = backtest_id.data["id"]
    Backtest.objects.filter(pk=backtest_id).update(name="VictimBacktestQX")
    backtest = Backtest.objects.get(pk=backtest_id)
    optimization = Optimization.objects.create(
        organization=free_org,
        project=project,
        artifact=backtest.artifact,
        created_by=owner,
        node_model=NodeModel.objects.get(name="B2-8"),
        name="VictimOptQX",
        target="Sharpe Ratio",
        direction="max",
    )
    return {
        "org": free_org.pk,
        "project": project.pk,
        "backtest": backtest_id,
        "optimization": optimization.pk,
        "node": Node.objects.get(organization=free_org).pk,
        "member": Membership.objects.get(user=owner).pk,
    }


def _all_routes(resolvers, prefix: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """(route template, [(converter, name)]) of every pattern, includes flattened."""
    found = []
    for entry in resolvers:
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern):
            text = str(pattern)
        else:  # regex patterns (the admin's app index, catch-all): keep named groups
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", pattern.regex.pattern)
            text = text.lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(entry, URLResolver):
            found += _all_routes(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern):
            route = prefix + text
            found.append((route, re.findall(r"<(?:(\w+):)?(\w+)>", route)))
    return found


def _fill(route: str, ids: dict[str, int]) -> tuple[str, bool]:
    """The route with each parameter replaced by a victim's id; True when one was used."""
    used = False

    def value(match: re.Match) -> str:
        nonlocal used
        name = match.group(2)
        before = route[: match.start()]
        if name == "pk":
            kind = re.findall(r"(\w+)/$", before)[0]
            key = {
                "organizations": "org",
                "nodes": "node",
                "projects": "project",
                "backtests": "backtest",
                "optimizations": "optimization",
            }.get(kind)
            if key is None:  # the admin's object pages and the like
                key = "project"
        else:
            key = {
                "org_id": "org",
                "organization_id": "org",
                "project_id": "project",
                "backtest_id": "backtest",
                "optimization_id": "optimization",
                "member_id": "member",
                "object_id": "project",
            }.get(name)
        if key is None:
            return {"name": "main.py", "app_label": "ide", "path": "x"}.get(name, "x")
        used = True
        return str(ids[key])

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, route), used


def _body(ids: dict[str, int]) -> dict:
    """One body that names the victim's objects in every field a view might read."""
    return {
        "organization": ids["org"],
        "project": ids["project"],
        "backtest": ids["backtest"],
        "name": "pwned",
        "content": "pwned",
        "tier": "team",
        "username": "mallory",
        "model": "B2-8",
        "target": "Sharpe Ratio",
        "direction": "max",
        "parameters": [],
    }


def _snapshot(ids: dict[str, int]) -> dict:
    org = ids["org"]
    return {
        "projects": list(Project.objects.filter(organization_id=org).values_list("id", "name")),
        "files": list(
            ProjectFile.objects.filter(project__organization_id=org).values_list("name", "content")
        ),
        "backtests": list(
            Backtest.objects.filter(organization_id=org).values_list("id", "name", "status")
        ),
        "optimizations": list(
            Optimization.objects.filter(organization_id=org).values_list("id", "name", "status")
        ),
        "nodes": list(Node.objects.filter(organization_id=org).values_list("id", "status")),
        "members": list(
            Membership.objects.filter(organization_id=org).values_list("user_id", "role")
        ),
    }


def _callers(api, outsider, stranger) -> dict[str, object]:
    session = Client()
    session.force_login(outsider)
    return {
        "anonymous": Client(),
        "outsider-session": session,
        "outsider-token": api(outsider),
        "member-of-other-org-token": api(stranger),
    }


@pytest.fixture
def stranger(other_org):
    """A plain member (not the owner) of another organization."""
    from tests.conftest import _member

    return _member(other_org, "eve")


@pytest.mark.django_db
def test_every_url_refuses_another_organizations_ids(api, victim, outsider, stranger):
    before = _snapshot(victim)
    routes = _all_routes(get_resolver().url_patterns)
    assert len(routes) > 30, routes  # the walk found the API, pages and admin
    with_ids = 0
    for caller_name, client in _callers(api, outsider, stranger).items():
        for route, _params in routes:
            url, names_victim = _fill(route, victim)
            url = "/" + url
            with_ids += names_victim
            for method in METHODS:
                response = getattr(client, method)(
                    url, _body(victim), content_type="application/json"
                )
                where = (caller_name, method, url, response.status_code)
                body = b"".join(response) if response.streaming else response.content
                text = body.decode(errors="replace")
                for marker in MARKERS:
                    assert marker not in text, where
                if names_victim:
                    assert response.status_code in REFUSED, where
                if names_victim and response.status_code == 302:
                    assert "login" in response["Location"], where
    assert with_ids > 20
    assert _snapshot(victim) == before


@pytest.mark.django_db
def test_the_markers_are_visible_to_the_victim_itself(api, victim, owner):
    """The sweep's marker check can fail: the owner sees every marker through the same URLs."""
    client = api(owner)
    seen = ""
    for route, _params in _all_routes(get_resolver().url_patterns):
        url, names_victim = _fill(route, victim)
        if names_victim and url.startswith("api/"):
            seen += client.get("/" + url).content.decode(errors="replace")
    for marker in MARKERS:
        assert marker in seen, marker


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_every_websocket_refuses_another_organizations_ids(victim, outsider, stranger):
    from config.asgi import application

    async def cookie_of(user) -> bytes:
        client = Client()
        await sync_to_async(client.force_login)(user)
        return f"sessionid={client.cookies['sessionid'].value}".encode()

    cookie, stranger_cookie = await cookie_of(outsider), await cookie_of(stranger)
    routes = _all_routes(websocket_urlpatterns)
    assert len(routes) == 3
    for route, _params in routes:
        url, names_victim = _fill(route, victim)
        assert names_victim
        for headers in ([(b"cookie", cookie)], [(b"cookie", stranger_cookie)], []):
            socket = WebsocketCommunicator(
                application,
                "/" + url,
                headers=[*headers, (b"origin", b"http://testserver"), (b"host", b"testserver")],
            )
            connected, _ = await socket.connect(timeout=5)
            if connected:  # accepted then closed: nothing may have been sent first
                message = await socket.receive_output(timeout=5)
                assert message["type"] == "websocket.close", (url, message)
            await socket.disconnect()
