"""Read-side questions about who belongs where; every scoped query starts here."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet, Sum
from django.utils import timezone

from accounts.models import LogUsage, Membership, Organization, UserSettings
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
    """Whether ``user`` belongs to the organization (websockets ask this before joining)."""
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


def log_bytes_today(*, organization: Organization, now: datetime | None = None) -> int:
    """Log bytes the organization stored in the rolling last 24 hours (hourly ledger)."""
    total = _usage_window(organization.pk, now).aggregate(total=Sum("bytes"))["total"]
    return int(total or 0)


def log_quota_frees_at(*, organization: Organization, now: datetime | None = None) -> datetime:
    """When the oldest hour still counted leaves the 24 h window."""
    oldest = _usage_window(organization.pk, now).filter(bytes__gt=0).order_by("hour").first()
    now = now or timezone.now()
    return oldest.hour + timedelta(hours=25) if oldest else now


def current_hour(now: datetime | None = None) -> datetime:
    """The start of the hour ``now`` falls in: the key of the log-usage ledger."""
    return (now or timezone.now()).replace(minute=0, second=0, microsecond=0)


def _usage_window(organization_id: int, now: datetime | None) -> QuerySet[LogUsage]:
    since = current_hour(now) - timedelta(hours=23)
    return LogUsage.objects.filter(organization_id=organization_id, hour__gte=since)


def user_settings_of(user: AbstractBaseUser) -> UserSettings:
    """``user``'s settings, or an unsaved row of defaults if they never changed one.

    Reading must not write: pages and ``GET /api/me/`` call this on every visit, and the
    row only needs to exist once a value differs from its default.
    """
    found = UserSettings.objects.filter(user=user).first()
    return found if found is not None else UserSettings(user=user)
