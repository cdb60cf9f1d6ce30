"""Admin for node models and nodes."""

from django.contrib import admin

from nodes.models import Node, NodeModel


@admin.register(NodeModel)
class NodeModelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "cores", "ghz", "ram_gb", "is_micro"]


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "model", "status", "current_backtest"]
    list_filter = ["status", "model"]
    raw_id_fields = ["current_backtest"]
