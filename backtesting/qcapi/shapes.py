"""QuantDesk rows in the shapes of QuantConnect's API v2 (the LEAN CLI's pydantic models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backtesting.models import Backtest
from ide.models import Project, ProjectFile
from ide.parameters import project_parameters
from nodes.models import Node

#: QC's status texts; a running backtest shows its percentage.
STATUS_TEXT = {
    Backtest.Status.QUEUED: "In Queue...",
    Backtest.Status.COMPLETED: "Completed.",
    Backtest.Status.RUNTIME_ERROR: "Runtime Error",
    Backtest.Status.STOPPED: "Stopped.",
}


def qc_time(value: datetime | None) -> str | None:
    """QC's ``YYYY-MM-DD HH:MM:SS`` (UTC)."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else None


def project_shape(project: Project) -> dict[str, Any]:
    """``QCProject``."""
    return {
        "projectId": project.pk,
        "organizationId": str(project.organization_id),
        "name": project.name,
        "description": "",
        "modified": qc_time(project.updated_at),
        "created": qc_time(project.created_at),
        "language": "Py",
        "collaborators": [],
        "leanVersionId": -1,
        "leanPinnedToMaster": True,
        "leanEnvironment": 1,
        "parameters": [
            {"key": key, "value": value}
            for key, value in project_parameters(project=project).items()
        ],
        "libraries": [],
        "encrypted": False,
        "encryptionKey": None,
    }


def file_shape(project_file: ProjectFile) -> dict[str, Any]:
    """``QCFullFile``."""
    return {
        "name": project_file.name,
        "content": project_file.content,
        "modified": qc_time(project_file.updated_at),
        "isLibrary": False,
    }


def status_text(backtest: Backtest) -> str:
    """``In Queue...``, ``Running: 42%``, ``Completed.``, ``Runtime Error``, ``Stopped.``."""
    if backtest.status == Backtest.Status.RUNNING:
        return f"Running: {backtest.progress * 100:.0f}%"
    return STATUS_TEXT.get(backtest.status, backtest.status)


def backtest_shape(backtest: Backtest, charts: dict[str, Any] | None = None) -> dict[str, Any]:
    """``QCBacktest``: what ``backtests/read`` and ``backtests/create`` answer."""
    failed = backtest.status == Backtest.Status.RUNTIME_ERROR
    error = backtest.error or backtest.quota_error
    return {
        "backtestId": str(backtest.pk),
        "projectId": backtest.project_id,
        "status": status_text(backtest),
        "name": backtest.name,
        "note": None,
        "created": qc_time(backtest.created_at),
        "completed": not backtest.is_active,
        "progress": 1.0 if backtest.status == Backtest.Status.COMPLETED else backtest.progress,
        "error": (error.splitlines() or [""])[0] if failed and error else None,
        "stacktrace": error if failed and error else None,
        "runtimeStatistics": _strings(backtest.runtime_statistics),
        "statistics": _strings(backtest.statistics),
        "totalPerformance": None,
        "charts": charts or {},
        "parameterSet": _strings(backtest.parameters),
    }


def backtest_list_shape(backtest: Backtest) -> dict[str, Any]:
    """A ``backtests/list`` row (no charts)."""
    return {
        "backtestId": str(backtest.pk),
        "projectId": backtest.project_id,
        "name": backtest.name,
        "status": status_text(backtest),
        "created": qc_time(backtest.created_at),
        "completed": not backtest.is_active,
        "progress": backtest.progress,
    }


def node_shape(node: Node) -> dict[str, Any]:
    """``QCNode``."""
    backtest = node.current_backtest
    return {
        "id": str(node.pk),
        "name": node.name,
        "projectName": backtest.project.name if backtest else "",
        "description": f"{node.model.name}: {node.model.cores} cores, {node.model.ram_gb} GB",
        "usedBy": (backtest.created_by.get_username() if backtest and backtest.created_by else ""),
        "sku": node.model.name,
        "busy": node.status == Node.Status.BUSY,
        "price": {"monthly": 0, "yearly": 0},
        "speed": float(node.model.ghz or 0),
        "cpu": node.model.cores,
        "ram": float(node.model.ram_gb),
        "assets": 0,
        "host": None,
    }


def _strings(values: dict[str, Any] | None) -> dict[str, str]:
    return {str(key): str(value) for key, value in (values or {}).items()}
