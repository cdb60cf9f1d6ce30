"""HTML pages of the accounts app: log in, sign up, log out, the organization page.

Thin on purpose: they authenticate and render; the organization page reads its data from
the REST API in the browser, so the rules live in one place (the services behind the API).
"""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import ratelimit
from accounts.models import Membership
from nodes.pages import membership_for, viewer_context


class LoginPage(auth_views.LoginView):
    """Django's log-in view with failed attempts rate-limited (see accounts.ratelimit)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        if ratelimit.is_blocked(request, username):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, ratelimit.TOO_MANY_ATTEMPTS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        ratelimit.record_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form) -> HttpResponse:
        ratelimit.clear(self.request, form.get_user().get_username())
        return super().form_valid(form)


class LogoutPage(auth_views.LogoutView):
    """POST-only log out (Django 5 refuses GET, which protects against drive-by log outs)."""


def home(request: HttpRequest) -> HttpResponse:
    """The site root: projects for a signed-in user, the log-in form otherwise."""
    return redirect("project-list" if request.user.is_authenticated else "login")


def signup(request: HttpRequest) -> HttpResponse:
    """Create the user and, through the accounts service, their Free organization."""
    if request.user.is_authenticated:
        return redirect("project-list")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _sign_up(
            username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("project-list")
    return render(request, "accounts/signup.html", {"form": form})


def _sign_up(*, username: str, password: str):
    # Imported here so this module loads before the service exists in a fresh checkout.
    from accounts.services import signup_user

    return signup_user(username=username, password=password)


@login_required
def organization(request: HttpRequest, org_id: int | None = None) -> HttpResponse:
    """Members, roles, tier, quotas and nodes of one of the viewer's organizations."""
    membership = membership_for(request, org_id)
    organizations = Membership.objects.filter(user=request.user).select_related("organization")
    return render(
        request,
        "accounts/organization.html",
        {
            "membership": membership,
            "organizations": organizations,
            "page": viewer_context(request, membership),
        },
    )
