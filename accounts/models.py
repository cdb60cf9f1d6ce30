"""Organizations, their members and the tiers whose quotas bound what they may use.

Quotas are data (rows of :class:`Tier`, seeded by a data migration) so that staff can tune
them in the admin and services read them instead of hard-coding numbers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Tier(models.Model):
    """A subscription level; ``None`` in a quota field means unlimited."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=64)
    rank = models.PositiveSmallIntegerField(default=0, help_text="Order from Free upwards.")
    backtest_nodes = models.PositiveIntegerField(null=True, blank=True)
    log_bytes_per_backtest = models.PositiveBigIntegerField(null=True, blank=True)
    log_bytes_per_day = models.PositiveBigIntegerField(null=True, blank=True)
    orders_per_backtest = models.PositiveBigIntegerField(null=True, blank=True)
    files_per_project = models.PositiveIntegerField()
    max_file_bytes = models.PositiveIntegerField()

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_paid(self) -> bool:
        """Every tier above Free is paid; the B-MICRO node only exists on Free."""
        return self.slug != FREE_TIER


#: slug of the tier every new organization starts on.
FREE_TIER = "free"


class Organization(models.Model):
    """The unit that owns projects, nodes and backtests and whose tier sets the quotas."""

    name = models.CharField(max_length=128)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="organizations")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in an organization: a role and whether they may stop others' nodes."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    can_stop_nodes = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def is_admin(self) -> bool:
        """Owners and admins manage members, nodes and the tier."""
        return self.role in (self.Role.OWNER, self.Role.ADMIN)

    @property
    def may_stop_others(self) -> bool:
        """Admins always may; members only with the stop-nodes permission."""
        return self.is_admin or self.can_stop_nodes


class LogUsage(models.Model):
    """Log bytes an organization's backtests stored in one hour (the daily quota's ledger).

    Kept apart from backtests so that deleting a backtest refunds nothing; the rolling 24 h
    usage is the sum of the last 24 hourly rows.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="log_usage"
    )
    hour = models.DateTimeField(help_text="Start of the hour (UTC).")
    bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "hour"], name="one_usage_row_per_hour")
        ]


class ApiToken(models.Model):
    """An API token, stored as its SHA-256 digest only.

    A database dump or backup then holds nothing that logs in: the token itself is shown
    once, when ``POST /api/auth/token/`` creates it. Tokens are 160 random bits, so a fast
    unsalted hash is enough (no one can guess their way through the space).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"token of {self.user} ({self.digest[:8]}…)"


class QuantConnectToken(models.Model):
    """The token of QuantConnect's API v2 scheme (``/api/v2/``), one per user, encrypted.

    Unlike :class:`ApiToken` it cannot be stored as a digest: clients send
    ``sha256("<token>:<timestamp>")``, so the server must know the token to recompute it.
    It is kept as a Fernet token under a key derived from ``SECRET_KEY`` (``config.crypto``)
    and shown to its user on the account page and ``GET /api/account/``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quantconnect_token"
    )
    encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"QuantConnect API token of {self.user}"


class UserSettings(models.Model):
    """A user's editor preferences, kept on the server so they follow the user across browsers.

    One row per user, created on the first change; until then the field defaults apply
    (see ``accounts.selectors.user_settings_of``). ``auto_build`` mirrors QuantConnect's
    "Automatic Builds": on by default, the IDE saves and builds shortly after typing stops.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_settings"
    )
    auto_build = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "user settings"

    def __str__(self) -> str:
        return f"settings of {self.user}"
