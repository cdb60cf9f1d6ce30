"""Admin for backtests (read mostly; state changes go through services)."""

from django.contrib import admin

from backtesting.models import Backtest, Optimization


@admin.register(Backtest)
class BacktestAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "project", "node", "status", "progress", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["project", "node", "artifact", "created_by", "organization"]
    readonly_fields = ["last_seq", "log_bytes", "order_count", "heartbeat_at", "worker"]


@admin.register(Optimization)
class OptimizationAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "project", "status", "total", "dispatched"]
    list_filter = ["status"]
    raw_id_fields = ["project", "artifact", "created_by", "organization", "node_model"]
    readonly_fields = ["grid", "dispatched", "data_files"]
