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


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind ``LOGIN_TRUSTED_PROXIES`` proxies the
    entry that many hops from the right of X-Forwarded-For (the left part is client-made)."""
    proxies = settings.LOGIN_TRUSTED_PROXIES
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _keys(request: HttpRequest, username: str) -> list[str]:
    return [f"login-fail:user:{username.lower()}", f"login-fail:addr:{client_address(request)}"]


def is_blocked(request: HttpRequest, username: str) -> bool:
    """True once the username used up its failed attempts, or the address five times as
    many (one address may be a whole office behind one NAT)."""
    user_key, address_key = _keys(request, username)
    counts = cache.get_many([user_key, address_key])
    limit = settings.LOGIN_FAILURE_LIMIT
    return counts.get(user_key, 0) >= limit or counts.get(address_key, 0) >= 5 * limit


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
