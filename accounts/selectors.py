"""Read-side questions about who belongs where; every scoped query starts here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from accounts.models import Membership, Organization
from config.exceptions import NotFound


def organizations_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Organization]:
    """The organizations ``user`` is a member of (none for anonymous users)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user)


def membership_of(user: AbstractBaseUser | AnonymousUser, organization_id: int) -> Membership:
    """``user``'s membership of the organization; outsiders get NotFound (no existence leak)."""
    if not user.is_authenticated:
        raise NotFound("not found")
    membership = (
        Membership.objects.select_related("organization__tier")
        .filter(user=user, organization_id=organization_id)
        .first()
    )
    if membership is None:
        raise NotFound("not found")
    return membership


def is_member(user: AbstractBaseUser | AnonymousUser, organization_id: int) -> bool:
    return bool(
        user.is_authenticated
        and Membership.objects.filter(user=user, organization_id=organization_id).exists()
    )


def acting_membership(
    user: AbstractBaseUser | AnonymousUser, organization_id: int | None = None
) -> Membership:
    """The membership a request acts through: the named organization's, or the user's first.

    Most users belong to one organization, so API clients may leave ``organization`` out.
    """
    if organization_id is not None:
        return membership_of(user, organization_id)
    if not user.is_authenticated:
        raise NotFound("not found")
    membership = (
        Membership.objects.select_related("organization__tier")
        .filter(user=user)
        .order_by("created_at", "id")
        .first()
    )
    if membership is None:
        raise NotFound("you are not a member of any organization")
    return membership


def log_bytes_today(*, organization: Organization) -> int:
    """Log bytes the organization's backtests stored in the last 24 hours (rolling).

    Summed over backtests created in the window, so deleting a backtest lowers it; the
    daily quota, which must not be refunded that way, needs a usage record of its own.
    """
    from datetime import timedelta

    from django.db.models import Sum
    from django.utils import timezone

    since = timezone.now() - timedelta(hours=24)
    total = organization.backtests.filter(created_at__gte=since).aggregate(total=Sum("log_bytes"))
    return int(total["total"] or 0)
