"""The ``/api/v2/`` endpoints: QC parameters in, the shared services, QC shapes out.

Each endpoint is a function ``(user, params) -> dict`` registered under its QC path; one view
authenticates, parses the three encodings and wraps the answer as ``{success, errors, ...}``.
Domain errors answer 200 with ``success: false``, as QuantConnect does, so clients show them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Membership, Organization
from backtesting import services as backtest_services
from backtesting.api import _payloads
from backtesting.charts import downsample_points
from backtesting.models import Backtest
from backtesting.qcapi import shapes
from backtesting.qcapi.auth import AuthenticationFailed, authenticate
from backtesting.qcapi.parsing import BadRequest, request_params
from config.exceptions import BuildFailed, DomainError
from ide import services as ide_services
from ide.build import check_sources, has_errors, sources_hash
from ide.models import BuildArtifact, Project, ProjectFile
from ide.parameters import project_parameters_replace
from nodes.models import Node

logger = logging.getLogger(__name__)

Endpoint = Callable[[AbstractBaseUser, dict[str, Any]], dict[str, Any]]
#: QC path -> handler, in the order the URL map lists them.
ENDPOINTS: dict[str, Endpoint] = {}


class QcError(Exception):
    """A refusal shown to the client as ``errors: [message]``."""


def endpoint(path: str) -> Callable[[Endpoint], Endpoint]:
    """Register a handler for ``/api/v2/<path>``."""

    def register(handler: Endpoint) -> Endpoint:
        ENDPOINTS[path] = handler
        return handler

    return register


def _reply(status: int = 200, errors: list[str] | None = None, **data: Any) -> JsonResponse:
    return JsonResponse({**data, "success": not errors, "errors": errors or []}, status=status)


@csrf_exempt
def dispatch(request: HttpRequest, path: str) -> JsonResponse:
    """Authenticate, parse, run the endpoint's handler and wrap its answer."""
    if request.method not in ("GET", "POST"):
        return _reply(405, ["use GET or POST"])
    try:
        user = authenticate(request)
    except AuthenticationFailed as failure:
        return _reply(401, [str(failure)])
    try:
        data = ENDPOINTS[path](user, request_params(request))
    except BadRequest as error:
        return _reply(400, [str(error)])
    except BuildFailed as error:
        return _reply(errors=["Build failed", *_diagnostic_lines(error.extra.get("diagnostics"))])
    except (QcError, DomainError) as error:
        return _reply(errors=[str(error)])
    return _reply(**data)


@csrf_exempt
def unknown(request: HttpRequest, rest: str) -> JsonResponse:
    """Endpoints QuantDesk does not serve (live trading, data, ...) answer in the envelope."""
    return _reply(404, [f"QuantDesk does not serve the endpoint {rest!r}"])


# -- lookups ---------------------------------------------------------------------------------


def _memberships(user: AbstractBaseUser) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization")


def _organization(user: AbstractBaseUser, params: dict[str, Any]) -> Organization:
    """The organization named by ``organizationId``, else the user's first (owned first)."""
    memberships = _memberships(user).order_by("role", "pk")  # "owner" sorts after "admin"
    wanted = params.get("organizationId")
    if wanted not in (None, ""):
        membership = memberships.filter(organization_id=_int(wanted, "organizationId")).first()
    else:
        membership = memberships.filter(role=Membership.Role.OWNER).first() or memberships.first()
    if membership is None:
        raise QcError("Organization not found")
    return membership.organization


def _projects(user: AbstractBaseUser) -> QuerySet[Project]:
    return Project.objects.filter(
        organization__in=_memberships(user).values("organization")
    ).select_related("organization__tier")


def _project(user: AbstractBaseUser, params: dict[str, Any]) -> Project:
    project = _projects(user).filter(pk=_int(params.get("projectId"), "projectId")).first()
    if project is None:
        raise QcError("Project not found")
    return project


def _backtest(user: AbstractBaseUser, params: dict[str, Any]) -> Backtest:
    backtest = (
        Backtest.objects.filter(
            project=_project(user, params), pk=_int(params.get("backtestId"), "backtestId")
        )
        .select_related("project")
        .first()
    )
    if backtest is None:
        raise QcError("Backtest not found")
    return backtest


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QcError(f"{name} is required and must be a number") from None


def _diagnostic_lines(diagnostics: Any) -> list[str]:
    return [
        f"{d.get('file')}:{d.get('line')}:{d.get('col')}: {d.get('severity')}: {d.get('message')}"
        for d in diagnostics or []
    ]


# -- account ---------------------------------------------------------------------------------


@endpoint("authenticate")
def authenticate_endpoint(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """Nothing but the check the dispatcher already made."""
    return {}


@endpoint("account/read")
def account_read(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """``QCAccount``: QuantDesk has no credit, so the balance is 0."""
    organization = _organization(user, params)
    return {"organizationId": str(organization.pk), "creditBalance": 0.0, "card": None}


def _organization_shape(membership: Membership) -> dict[str, Any]:
    organization = membership.organization
    owner = organization.memberships.filter(role=Membership.Role.OWNER).select_related("user")
    # QuantConnect names the caller's own organization's owner "You"; the CLI looks for it.
    if membership.role == Membership.Role.OWNER:
        owner_name = "You"
    else:
        owner_name = owner[0].user.get_username() if owner else ""
    return {
        "id": str(organization.pk),
        "name": organization.name,
        "type": organization.tier.name,
        "ownerName": owner_name,
        "members": organization.memberships.count(),
        "preferred": membership.role == Membership.Role.OWNER,
    }


@endpoint("organizations/list")
def organizations_list(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """``QCMinimalOrganization`` rows of the user's organizations."""
    memberships = _memberships(user).select_related("organization__tier")
    return {"organizations": [_organization_shape(m) for m in memberships]}


@endpoint("organizations/read")
def organizations_read(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """``QCFullOrganization`` (no credit or products on QuantDesk)."""
    organization = _organization(user, params)
    members = organization.memberships.select_related("user")
    return {
        "organization": {
            "id": str(organization.pk),
            "name": organization.name,
            "seats": members.count(),
            "type": organization.tier.name,
            "credit": {"movements": [], "balance": 0.0},
            "products": [],
            "data": {"signedTime": None, "current": False},
            "members": [
                {
                    "id": m.user.pk,
                    "name": m.user.get_username(),
                    "isAdmin": m.is_admin,
                    "email": m.user.email,
                }
                for m in members
            ],
        }
    }


# -- projects and files ----------------------------------------------------------------------


@endpoint("projects/create")
def projects_create(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """A Python project with an empty ``main.py`` (QuantDesk runs Python only)."""
    name = str(params.get("name") or "").strip().lstrip("/")
    if not name:
        raise QcError("name is required")
    if params.get("language", "Py") not in ("Py", "Python"):
        raise QcError("QuantDesk runs Python projects only (language Py)")
    project = ide_services.project_create(
        organization=_organization(user, params), user=user, name=name
    )
    return {"projects": [shapes.project_shape(project)]}


@endpoint("projects/read")
def projects_read(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """One project with ``projectId``, else every project (of ``organizationId`` if given)."""
    if params.get("projectId") not in (None, ""):
        projects = [_project(user, params)]
    else:
        projects = _projects(user)
        if params.get("organizationId") not in (None, ""):
            projects = projects.filter(organization=_organization(user, params))
    return {"projects": [shapes.project_shape(p) for p in projects], "versions": []}


@endpoint("projects/update")
def projects_update(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """Rename, replace parameters and/or files (the CLI sends form data with brackets)."""
    project = _project(user, params)
    if params.get("name"):
        ide_services.project_rename(project=project, name=str(params["name"]).lstrip("/"))
    if "parameters" in params:
        rows = params["parameters"] if isinstance(params["parameters"], list) else []
        project_parameters_replace(
            project=project, values={row["key"]: row.get("value", "") for row in rows}
        )
    for row in params.get("files") or []:
        if isinstance(row, dict) and row.get("name"):
            ide_services.file_save(
                project=project, name=row["name"], content=row.get("content", "")
            )
    return {}


@endpoint("projects/delete")
def projects_delete(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    ide_services.project_delete(project=_project(user, params))
    return {}


def _file(project: Project, name: Any) -> ProjectFile:
    project_file = project.files.filter(name=str(name or "")).first()
    if project_file is None:
        raise QcError(f"File not found: {name}")
    return project_file


@endpoint("files/create")
def files_create(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    project = _project(user, params)
    name = str(params.get("name") or "")
    if project.files.filter(name=name).exists():
        raise QcError(f"File already exists: {name}")
    saved = ide_services.file_save(project=project, name=name, content=params.get("content", ""))
    return {"files": [shapes.file_shape(saved)]}


@endpoint("files/read")
def files_read(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """One file with ``name``, else all of the project's files."""
    project = _project(user, params)
    if params.get("name"):
        return {"files": [shapes.file_shape(_file(project, params["name"]))]}
    return {"files": [shapes.file_shape(f) for f in project.files.order_by("name")]}


@endpoint("files/update")
def files_update(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """Replace the content (``content``) or rename (``newName``)."""
    project = _project(user, params)
    project_file = _file(project, params.get("name"))
    if params.get("newName"):
        ide_services.file_rename(project_file=project_file, name=str(params["newName"]))
    if "content" in params:
        ide_services.file_save(project=project, name=project_file.name, content=params["content"])
    return {}


@endpoint("files/delete")
def files_delete(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    project = _project(user, params)
    ide_services.file_delete(project_file=_file(project, params.get("name")))
    return {}


# -- compile ---------------------------------------------------------------------------------


def _compile_shape(project: Project, compile_id: str, diagnostics: list, ok: bool) -> dict:
    return {
        "compileId": compile_id,
        "projectId": project.pk,
        "state": "BuildSuccess" if ok else "BuildError",
        "logs": ["Build Request Successful"] if ok else _diagnostic_lines(diagnostics),
        "signature": compile_id,
        "signatureOrder": [],
    }


@endpoint("compile/create")
def compile_create(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """Builds run synchronously (a syntax check and a cached compile), so the answer is final.

    The compile id is the sources' hash, so ``compile/read`` can tell which build it names.
    """
    project = _project(user, params)
    build = ide_services.build_project(project=project)
    compile_id = sources_hash(build.sources)
    return _compile_shape(project, compile_id, list(build.diagnostics), build.success)


@endpoint("compile/read")
def compile_read(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    project = _project(user, params)
    compile_id = str(params.get("compileId") or "")
    sources = project.sources()
    if sources_hash(sources) == compile_id:
        diagnostics = check_sources(sources)
        ok = "main.py" in sources and not has_errors(diagnostics)
        return _compile_shape(project, compile_id, diagnostics, ok)
    if BuildArtifact.objects.filter(sources_hash=compile_id).exists():
        return _compile_shape(project, compile_id, [], True)
    raise QcError("Compile not found")


# -- backtests -------------------------------------------------------------------------------


def _parameter_dict(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, list):
        return {str(row["key"]): str(row.get("value", "")) for row in value if "key" in row}
    return {}


@endpoint("backtests/create")
def backtests_create(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """Launch through the shared service (build, node choice, quotas).

    The service builds the project's current files, so a ``compileId`` of other sources
    (files changed since that compile) is refused rather than silently run on newer code.
    """
    project = _project(user, params)
    compile_id = params.get("compileId")
    if compile_id and str(compile_id) != sources_hash(project.sources()):
        raise QcError("The project changed since this compile; compile again")
    backtest = backtest_services.launch_backtest(
        user=user,
        project=project,
        parameters=_parameter_dict(params.get("parameters")),
        name=str(params.get("backtestName") or params.get("name") or "")[:128],
    )
    return {"backtest": shapes.backtest_shape(backtest)}


def _charts(backtest: Backtest, only: str | None = None, count: int | None = None) -> dict:
    """QC charts: ``{name: {name, series: {name: {name, unit, seriesType, values: [{x, y}]}}}}``."""
    charts: dict[str, dict[str, Any]] = {}
    for p in _payloads(backtest, "chart"):
        if only and p["chart"] != only:
            continue
        chart = charts.setdefault(p["chart"], {"name": p["chart"], "series": {}})
        series = chart["series"].setdefault(
            p["series"],
            {
                "name": p["series"],
                "unit": p.get("unit") or "$",
                "seriesType": p.get("series_type"),
                "values": [],
            },
        )
        series["values"].append([p["time"], p["value"]])
    for chart in charts.values():
        for series in chart["series"].values():
            points = downsample_points(series["values"], **({"limit": count} if count else {}))
            series["values"] = [{"x": int(x), "y": y} for x, y in points]
    return charts


@endpoint("backtests/read")
def backtests_read(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    backtest = _backtest(user, params)
    charts = _charts(backtest) if not backtest.is_active else {}
    return {"backtest": shapes.backtest_shape(backtest, charts)}


@endpoint("backtests/list")
def backtests_list(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    project = _project(user, params)
    backtests = project.backtests.filter(optimization__isnull=True).order_by("-created_at")
    return {"backtests": [shapes.backtest_list_shape(b) for b in backtests]}


@endpoint("backtests/update")
def backtests_update(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    backtest = _backtest(user, params)
    if params.get("name"):
        backtest_services.backtest_rename(user=user, backtest=backtest, name=str(params["name"]))
    return {}


@endpoint("backtests/delete")
def backtests_delete(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    backtest_services.backtest_delete(user=user, backtest=_backtest(user, params))
    return {}


@endpoint("backtests/chart/read")
def backtests_chart_read(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    backtest = _backtest(user, params)
    name = str(params.get("name") or "")
    count = int(params["count"]) if str(params.get("count", "")).isdigit() else None
    chart = _charts(backtest, only=name, count=count).get(name)
    if chart is None:
        raise QcError(f"Chart not found: {name}")
    return {"chart": chart}


def _page(params: dict[str, Any], rows: list, limit: int) -> list:
    start = int(params.get("start") or 0)
    end = int(params.get("end") or start + limit)
    return rows[start : min(end, start + limit)]


@endpoint("backtests/orders/read")
def backtests_orders_read(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """Order events in order, at most 100 per request (``start``/``end``)."""
    rows = [
        {k: v for k, v in p.items() if k != "type"}
        for p in _payloads(_backtest(user, params), "order_event")
    ]
    return {"orders": _page(params, rows, 100), "length": len(rows)}


@endpoint("backtests/read/log")
def backtests_read_log(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """Log lines, at most 200 per request (``start``/``end``)."""
    lines = [
        f"{p.get('time')} {p.get('message')}" for p in _payloads(_backtest(user, params), "log")
    ]
    return {"logs": _page(params, lines, 200), "length": len(lines)}


# -- nodes -----------------------------------------------------------------------------------


@endpoint("nodes/read")
def nodes_read(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """QuantDesk's backtesting nodes under ``backtest``; it has no research or live nodes."""
    nodes = Node.objects.filter(organization=_organization(user, params)).select_related(
        "model", "current_backtest__project", "current_backtest__created_by"
    )
    backtest = [shapes.node_shape(n) for n in nodes if n.model.kind == "backtest"]
    return {"backtest": backtest, "research": [], "live": []}


@endpoint("nodes/stop")
def nodes_stop(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    node = Node.objects.filter(
        organization=_organization(user, params), pk=_int(params.get("nodeId"), "nodeId")
    ).first()
    if node is None:
        raise QcError("Node not found")
    backtest_services.stop_node(user=user, node=node)
    return {}
