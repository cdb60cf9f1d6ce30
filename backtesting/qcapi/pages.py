"""The account page: the user id and API v2 token QuantConnect tools log in with."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import Membership
from accounts.services import api_token_of, api_token_regenerate


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """``GET`` shows the id and token; ``POST`` regenerates the token (the old one dies)."""
    if request.method == "POST":
        api_token_regenerate(user=request.user)
        return redirect("account")
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    return render(
        request,
        "qcapi/account.html",
        {
            "user_id": request.user.pk,
            "api_token": api_token_of(user=request.user),
            "memberships": memberships,
            "api_url": request.build_absolute_uri("/api/v2/"),
        },
    )
