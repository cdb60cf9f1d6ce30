"""Sign-up, members and tiers: the writes of the accounts app."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import FREE_TIER, LogUsage, Membership, Organization, Tier, UserSettings
from accounts.selectors import current_hour
from config.exceptions import Conflict, PermissionDenied, QuotaExceeded

#: shown when a non-admin tries an admin-only action.
ADMINS_ONLY = "only the organization's owners and admins may do this"


def signup_user(*, username: str, password: str, email: str = "") -> AbstractBaseUser:
    """Create a user with their own Free organization and its B-MICRO node.

    Steps: 1. the user; 2. an organization on the Free tier owned by them; 3. one B-MICRO
    node, so a new user can backtest right away (after the free tier's delay).
    """
    from nodes.services import create_node

    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict(f"the user name {username!r} is taken")
        user = User.objects.create_user(username=username, password=password, email=email)
        organization = organization_create(owner=user, name=f"{username}'s organization")
        create_node(organization=organization, model_name="B-MICRO")
    return user


def organization_create(
    *, owner: AbstractBaseUser, name: str, tier_slug: str = FREE_TIER
) -> Organization:
    """Create an organization on a tier with ``owner`` as its owner (no nodes)."""
    organization = Organization.objects.create(name=name, tier=Tier.objects.get(slug=tier_slug))
    Membership.objects.create(user=owner, organization=organization, role=Membership.Role.OWNER)
    return organization


def require_admin(membership: Membership) -> None:
    """Raise PermissionDenied unless the membership is an owner's or an admin's."""
    if not membership.is_admin:
        raise PermissionDenied(ADMINS_ONLY)


def member_add(
    *,
    actor: Membership,
    username: str,
    role: str = Membership.Role.MEMBER,
    can_stop_nodes: bool = False,
) -> Membership:
    """Add an existing user to the actor's organization (admins only)."""
    require_admin(actor)
    if role == Membership.Role.OWNER and actor.role != Membership.Role.OWNER:
        raise PermissionDenied("only an owner may add another owner")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise Conflict(f"no user named {username!r}")
    membership, created = Membership.objects.get_or_create(
        user=user,
        organization=actor.organization,
        defaults={"role": role, "can_stop_nodes": can_stop_nodes},
    )
    if not created:
        raise Conflict(f"{username} is already a member")
    return membership


def member_update(
    *,
    actor: Membership,
    membership: Membership,
    role: str | None = None,
    can_stop_nodes: bool | None = None,
) -> Membership:
    """Change a member's role or stop-nodes permission (admins only; owners stay owners)."""
    require_admin(actor)
    if role is not None:
        if Membership.Role.OWNER in (role, membership.role) and actor.role != Membership.Role.OWNER:
            raise PermissionDenied("only an owner may grant or take away ownership")
        membership.role = role
    if can_stop_nodes is not None:
        membership.can_stop_nodes = can_stop_nodes
    membership.save(update_fields=["role", "can_stop_nodes"])
    return membership


def member_remove(*, actor: Membership, membership: Membership) -> None:
    """Remove a member (admins only); the last owner cannot be removed."""
    require_admin(actor)
    if membership.role == Membership.Role.OWNER:
        owners = Membership.objects.filter(
            organization=membership.organization, role=Membership.Role.OWNER
        ).count()
        if owners <= 1:
            raise Conflict("an organization keeps at least one owner")
    membership.delete()


def tier_change(*, actor: Membership, tier_slug: str) -> Organization:
    """Move the organization to another tier (admins only).

    A downgrade is refused while the organization has more backtesting nodes than the new
    tier allows, with a message naming the tier and its limit.
    """
    from nodes.services import backtest_node_count

    require_admin(actor)
    organization = actor.organization
    tier = Tier.objects.get(slug=tier_slug)
    used = backtest_node_count(organization=organization, tier=tier)
    if tier.backtest_nodes is not None and used > tier.backtest_nodes:
        raise QuotaExceeded(
            f"The {tier.name} tier allows {tier.backtest_nodes} backtest node(s); "
            f"remove nodes first ({used} in use)",
            quota="backtest_nodes",
            tier=tier.name,
            limit=tier.backtest_nodes,
        )
    organization.tier = tier
    organization.save(update_fields=["tier"])
    return organization


def log_usage_add(*, organization_id: int, size: int, now: datetime | None = None) -> None:
    """Add ``size`` log bytes to the organization's ledger for the current hour."""
    if size <= 0:
        return
    hour = current_hour(now)
    updated = LogUsage.objects.filter(organization_id=organization_id, hour=hour).update(
        bytes=F("bytes") + size
    )
    if not updated:
        try:
            with transaction.atomic():
                LogUsage.objects.create(organization_id=organization_id, hour=hour, bytes=size)
        except IntegrityError:  # another worker created this hour's row first
            LogUsage.objects.filter(organization_id=organization_id, hour=hour).update(
                bytes=F("bytes") + size
            )


#: purpose label of the key that encrypts QuantConnect API tokens (config.crypto).
QC_TOKEN_PURPOSE = "qc-api-token"


def api_token_regenerate(*, user: AbstractBaseUser) -> str:
    """Give ``user`` a new QuantConnect API v2 token (the old one stops working) and return it.

    Stored encrypted, not hashed: the v2 scheme signs ``sha256(token:timestamp)``, so the
    server needs the token itself to check a request.
    """
    import secrets

    from accounts.models import QuantConnectToken
    from config.crypto import encrypt

    token = secrets.token_hex(32)
    encrypted = encrypt(token.encode(), QC_TOKEN_PURPOSE).decode()
    QuantConnectToken.objects.update_or_create(user=user, defaults={"encrypted": encrypted})
    return token


def api_token_of(*, user: AbstractBaseUser) -> str:
    """The user's QuantConnect API v2 token, created on first use."""
    from accounts.models import QuantConnectToken
    from config.crypto import decrypt

    row = QuantConnectToken.objects.filter(user=user).first()
    if row is None:
        return api_token_regenerate(user=user)
    return decrypt(row.encrypted.encode(), QC_TOKEN_PURPOSE).decode()


def user_settings_update(*, user: AbstractBaseUser, auto_build: bool | None = None) -> UserSettings:
    """Change the user's own settings (creating their row on the first change).

    Settings are per user, not per organization or browser, so the IDE behaves the same
    wherever its user logs in; ``None`` leaves a setting as it is.
    """
    user_settings, _ = UserSettings.objects.get_or_create(user=user)
    if auto_build is not None:
        user_settings.auto_build = auto_build
        user_settings.save(update_fields=["auto_build"])
    return user_settings
