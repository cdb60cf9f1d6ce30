"""The Resources page, and the viewer facts every page with a Resources panel needs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Membership


def viewer_context(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    """What the Resources panel must know about who is looking.

    ``may_stop_others`` comes from the membership model (the rule lives there); the panel
    enables a stop button for the viewer's own node or when this is true, and still shows
    the API's refusal if the server disagrees.
    """
    return {
        "user": request.user.pk,
        "username": request.user.get_username(),
        "organization": membership.organization_id,
        "role": membership.role,
        "is_admin": membership.is_admin,
        "may_stop_others": membership.may_stop_others,
        "resources_ws": f"/ws/organizations/{membership.organization_id}/resources/",
        "bmicro_delay": settings.BMICRO_DELAY_SECONDS,
    }


def membership_for(request: HttpRequest, organization_id: int | None = None) -> Membership:
    """The viewer's membership in ``organization_id`` (or their first one); 404 otherwise."""
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    if organization_id is not None:
        memberships = memberships.filter(organization_id=organization_id)
    membership = memberships.order_by("id").first()
    if membership is None:
        raise Http404("No such organization")
    return membership


@login_required
def resources(request: HttpRequest) -> HttpResponse:
    """Every node of the viewer's organization, live over the websocket."""
    org = request.GET.get("organization")
    membership = membership_for(request, int(org) if org and org.isdigit() else None)
    return render(
        request,
        "nodes/resources.html",
        {"membership": membership, "page": viewer_context(request, membership)},
    )
