"""Admin: staff can set any organization's tier and edit tier quotas."""

from django.contrib import admin

from accounts.models import Membership, Organization, Tier


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "backtest_nodes", "log_bytes_per_backtest", "files_per_project"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "created_at"]
    list_filter = ["tier"]
    inlines = [MembershipInline]
