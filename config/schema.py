"""Serializers that only describe response shapes for the OpenAPI schema.

The API builds its responses from the TypedDicts in each app's ``events.py``; these mirror
them so ``/api/schema/`` documents the contract.
"""

from __future__ import annotations

from rest_framework import serializers


class ErrorOutput(serializers.Serializer):
    error = serializers.CharField()
    code = serializers.CharField()


class DiagnosticOutput(serializers.Serializer):
    file = serializers.CharField()
    line = serializers.IntegerField()
    col = serializers.IntegerField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    message = serializers.CharField()
    end_line = serializers.IntegerField(required=False)
    end_col = serializers.IntegerField(required=False)


class BuildOutput(serializers.Serializer):
    success = serializers.BooleanField()
    diagnostics = DiagnosticOutput(many=True)


class NodeStateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    model = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=["idle", "busy"])
    user = serializers.CharField(allow_null=True)
    project = serializers.IntegerField(allow_null=True)
    project_name = serializers.CharField(allow_null=True)
    backtest = serializers.IntegerField(allow_null=True)
    backtest_name = serializers.CharField(allow_null=True)
    progress = serializers.FloatField(allow_null=True)
    organization = serializers.IntegerField()


class BacktestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    project = serializers.IntegerField()
    node = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(
        choices=["queued", "running", "completed", "runtime_error", "stopped"]
    )
    progress = serializers.FloatField()
    error = serializers.CharField()
    statistics = serializers.DictField(child=serializers.CharField())
    runtime_statistics = serializers.DictField(child=serializers.CharField())
    parameters = serializers.DictField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class LaunchOutput(BacktestOutput):
    message = serializers.CharField()
    start_delay_seconds = serializers.FloatField()


class LogOutput(serializers.Serializer):
    time = serializers.CharField(allow_null=True)
    level = serializers.CharField()
    message = serializers.CharField()
