"""Failed log-in attempts counted per username and per client address.

Both the session log-in page and the token endpoint consult it, so password guessing is
slowed down whichever door is used. Counts live in Django's cache (Redis in production,
so every server process shares them) and expire after the window.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

#: the message shown while a client is blocked.
TOO_MANY_ATTEMPTS = "too many failed log-in attempts; try again in a few minutes"


def _keys(request: HttpRequest, username: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "")
    return [f"login-fail:user:{username.lower()}", f"login-fail:addr:{address}"]


def is_blocked(request: HttpRequest, username: str) -> bool:
    """True once either the username or the address used up its failed attempts."""
    limit = settings.LOGIN_FAILURE_LIMIT
    counts = cache.get_many(_keys(request, username))
    return any(count >= limit for count in counts.values())


def record_failure(request: HttpRequest, username: str) -> None:
    """Count one failed attempt against the username and the address."""
    window = int(settings.LOGIN_FAILURE_WINDOW_SECONDS)
    for key in _keys(request, username):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def clear(request: HttpRequest, username: str) -> None:
    """A successful log-in forgets the username's failures (not the address's)."""
    cache.delete(_keys(request, username)[0])
