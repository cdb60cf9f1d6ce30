"""Domain exceptions raised by services, and the one DRF handler that maps them to HTTP.

Services never build HTTP responses; they raise one of these. Every error response then has
the same shape: ``{"error": <sentence for a human>, "code": <machine code>, ...extra}``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

#: message of the 409 a launch gets when every backtesting node is busy (REST contract).
NO_IDLE_NODE = "no idle backtesting node"


class DomainError(Exception):
    """A rule of the platform refused the request; ``status`` is the HTTP status it maps to."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"


class NoIdleNode(DomainError):
    status = 409
    code = "no_idle_node"

    def __init__(self, message: str = NO_IDLE_NODE, **extra: Any) -> None:
        super().__init__(message, **extra)


class Conflict(DomainError):
    """The object is in a state that does not allow the action (a busy node, a running run)."""

    status = 409
    code = "conflict"


class QuotaExceeded(DomainError):
    """A tier quota refused the action; the message names the tier and its limit."""

    status = 403
    code = "quota_exceeded"

    def __init__(self, message: str, *, quota: str, tier: str, limit: int | None) -> None:
        super().__init__(message, quota=quota, tier=tier, limit=limit)


class BuildFailed(DomainError):
    """The project does not compile; carries the diagnostics the editor shows."""

    status = 400
    code = "build_failed"

    def __init__(self, diagnostics: list[Any]) -> None:
        super().__init__("build failed", diagnostics=diagnostics, success=False)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: domain errors and DRF's own errors in one shape."""
    if isinstance(exc, DomainError):
        return Response({"error": exc.message, "code": exc.code, **exc.extra}, status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = {"error": "invalid request", "code": "invalid", "fields": response.data}
    elif isinstance(response.data, dict) and "detail" in response.data:
        # DRF's own errors and Django's Http404/PermissionDenied arrive as {"detail": ...}.
        detail = response.data["detail"]
        response.data = {"error": str(detail), "code": getattr(detail, "code", "error")}
    return response
