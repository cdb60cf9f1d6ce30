"""HTML pages of the ide app: the project list and the editor page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.selectors import user_settings_of
from ide.models import Project
from nodes.pages import membership_for, viewer_context


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """The viewer's projects; the list itself is fetched from /api/projects/."""
    membership = membership_for(request)
    return render(
        request,
        "ide/project_list.html",
        {"membership": membership, "page": viewer_context(request, membership)},
    )


def project_page(request: HttpRequest, project_id: int) -> tuple[Project, dict[str, Any]]:
    """The viewer's project and the page data every project page starts from.

    Another organization's project answers 404, like the API does."""
    project = get_object_or_404(
        Project.objects.select_related("organization"),
        pk=project_id,
        organization__memberships__user=request.user,
    )
    membership = membership_for(request, project.organization_id)
    page = {
        **viewer_context(request, membership),
        "project": project.pk,
        "project_name": project.name,
    }
    return project, page


@login_required
def ide(request: HttpRequest, project_id: int) -> HttpResponse:
    """The editor: file tree, CodeMirror, console, Resources panel, Build and Backtest."""
    project, page = project_page(request, project_id)
    page = {
        **page,
        # Per-user (issue 4): the same choice in every browser the user logs in from.
        "auto_build": user_settings_of(request.user).auto_build,
    }
    return render(request, "ide/ide.html", {"project": project, "page": page})
