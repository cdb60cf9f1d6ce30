"""REST endpoints of backtests: launch, list, read, stop, rename, delete, results."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from backtesting import services
from backtesting.charts import downsample_points
from backtesting.events import backtest_summary, stored_event
from backtesting.models import Backtest, BacktestEvent
from config.schema import BacktestOutput, BuildOutput, ErrorOutput, LaunchOutput, LogOutput
from ide.api import ProjectOutput, scoped_project


def scoped_backtests(request: Request) -> QuerySet[Backtest]:
    """Backtests of the caller's organizations; any other id answers 404."""
    return Backtest.objects.filter(
        organization__in=Membership.objects.filter(user=request.user).values("organization")
    )


def scoped_backtest(request: Request, pk: int) -> Backtest:
    """The caller's backtest, else 404."""
    return get_object_or_404(scoped_backtests(request).select_related("project"), pk=pk)


class BacktestListApi(APIView):
    """``GET`` (``?project=``, ``?optimization=`` narrow; an optimization's combinations are
    listed only with ``?optimization=``) and ``POST {project, node?, parameters?, name?}``.

    A launch answers 201 ``{id, name, status: "queued", message}``, 409 ``{error: "no idle
    backtesting node"}``, or 400 with the build's diagnostics.
    """

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BacktestListInput"  # unique name in the OpenAPI schema

        project = serializers.IntegerField()
        node = serializers.IntegerField(required=False, allow_null=True)
        parameters = serializers.DictField(required=False, default=dict)
        name = serializers.CharField(required=False, default="", allow_blank=True, max_length=128)

    @extend_schema(responses=BacktestOutput(many=True))
    def get(self, request: Request) -> Response:
        backtests = scoped_backtests(request)
        if "project" in request.query_params:
            backtests = backtests.filter(project_id=int(request.query_params["project"]))
        # An optimization's combinations are listed under it, not beside plain backtests.
        if "optimization" in request.query_params:
            backtests = backtests.filter(optimization_id=int(request.query_params["optimization"]))
        else:
            backtests = backtests.filter(optimization__isnull=True)
        return Response([backtest_summary(b) for b in backtests])

    @extend_schema(
        request=InputSerializer,
        responses={201: LaunchOutput, 400: BuildOutput, 409: ErrorOutput},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = scoped_project(request, data.validated_data["project"])
        backtest = services.launch_backtest(
            user=request.user,
            project=project,
            node_id=data.validated_data.get("node"),
            parameters=data.validated_data["parameters"],
            name=data.validated_data["name"],
        )
        return Response(
            {
                **backtest_summary(backtest),
                "message": services.queued_message(backtest),
                "start_delay_seconds": services.start_delay_seconds(backtest),
            },
            status=status.HTTP_201_CREATED,
        )


class BacktestDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BacktestDetailInput"  # unique name in the OpenAPI schema

        name = serializers.CharField(max_length=128)

    @extend_schema(responses=BacktestOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(backtest_summary(scoped_backtest(request, pk)))

    @extend_schema(request=InputSerializer, responses=BacktestOutput)
    def patch(self, request: Request, pk: int) -> Response:
        backtest = scoped_backtest(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        renamed = services.backtest_rename(
            user=request.user, backtest=backtest, **data.validated_data
        )
        return Response(backtest_summary(renamed))

    @extend_schema(responses={204: None, 409: ErrorOutput})
    def delete(self, request: Request, pk: int) -> Response:
        services.backtest_delete(user=request.user, backtest=scoped_backtest(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BacktestCloneApi(APIView):
    """``POST {name}``: a new project from the code snapshot the backtest ran."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BacktestCloneInput"  # unique name in the OpenAPI schema

        name = serializers.CharField(max_length=128)

    @extend_schema(request=InputSerializer, responses={201: ProjectOutput})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.backtest_clone(
            user=request.user, backtest=scoped_backtest(request, pk), **data.validated_data
        )
        return Response(ProjectOutput(project).data, status=status.HTTP_201_CREATED)


class BacktestStopApi(APIView):
    @extend_schema(request=None, responses={200: BacktestOutput, 403: ErrorOutput})
    def post(self, request: Request, pk: int) -> Response:
        backtest = services.stop_backtest(user=request.user, backtest=scoped_backtest(request, pk))
        return Response(backtest_summary(backtest))


def _payloads(backtest: Backtest, event_type: str) -> list[dict]:
    return list(
        BacktestEvent.objects.filter(backtest=backtest, type=event_type)
        .order_by("seq")
        .values_list("payload", flat=True)
    )


class BacktestLogsApi(APIView):
    """``[{time, level, message}]`` in the order they were written."""

    @extend_schema(responses=LogOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        logs = _payloads(scoped_backtest(request, pk), "log")
        return Response(
            [
                {"time": p.get("time"), "level": p.get("level"), "message": p.get("message")}
                for p in logs
            ]
        )


class BacktestOrdersApi(APIView):
    """Every order event (``order_event`` of the engine's sink) in order."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        events = _payloads(scoped_backtest(request, pk), "order_event")
        return Response([{k: v for k, v in p.items() if k != "type"} for p in events])


class BacktestChartsApi(APIView):
    """``{chart: {series: {"type"?, "unit"?, "points": [[unix seconds, value], ...]}}}``."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        charts: dict[str, dict[str, dict]] = {}
        for p in _payloads(scoped_backtest(request, pk), "chart"):
            series = charts.setdefault(p["chart"], {}).setdefault(
                p["series"], {"type": p.get("series_type"), "unit": p.get("unit"), "points": []}
            )
            series["points"].append([p["time"], p["value"]])
        for series_map in charts.values():
            for series in series_map.values():
                series["points"] = downsample_points(series["points"])
        return Response(charts)


class BacktestEventsApi(APIView):
    """Stored events after ``?after=<seq>`` (default 0), at most ``?limit=`` (default 5000)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        backtest = scoped_backtest(request, pk)
        after = int(request.query_params.get("after", 0))
        limit = min(int(request.query_params.get("limit", 5000)), 50000)
        rows = BacktestEvent.objects.filter(backtest=backtest, seq__gt=after).order_by("seq")[
            :limit
        ]
        return Response(
            [stored_event(seq, payload) for seq, payload in rows.values_list("seq", "payload")]
        )
