"""REST endpoints of optimizations: create, estimate, list, read, rename, abort, delete."""

from __future__ import annotations

from dataclasses import asdict

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from backtesting.models import Optimization
from backtesting.optimization import services
from config.schema import BuildOutput, ErrorOutput
from ide.api import scoped_project


def scoped_optimizations(request: Request) -> QuerySet[Optimization]:
    """Optimizations of the caller's organizations; any other id answers 404."""
    return Optimization.objects.filter(
        organization__in=Membership.objects.filter(user=request.user).values("organization")
    ).select_related("node_model")


def scoped_optimization(request: Request, pk: int) -> Optimization:
    """The caller's optimization, else 404."""
    return get_object_or_404(scoped_optimizations(request), pk=pk)


class OptimizationInput(serializers.Serializer):
    """The body of create and estimate (ranges are checked by the grid, not here)."""

    class Meta:
        ref_name = "OptimizationInput"  # unique name in the OpenAPI schema

    project = serializers.IntegerField()
    target = serializers.CharField(default="Sharpe Ratio")
    direction = serializers.ChoiceField(choices=["max", "min"], default="max")
    strategy = serializers.CharField(default="grid")
    parameters = serializers.ListField(child=serializers.DictField(), min_length=1)
    constraints = serializers.ListField(child=serializers.DictField(), default=list)
    node_type = serializers.CharField(default="O2-8")
    parallel_nodes = serializers.IntegerField(default=1)
    name = serializers.CharField(required=False, default="", allow_blank=True, max_length=128)


class OptimizationListApi(APIView):
    """``GET`` (``?project=`` narrows) and ``POST`` (see :class:`OptimizationInput`).

    A create answers 201 ``{id, status, total, ...}``, 400 for an invalid grid or a build
    error (with its diagnostics).
    """

    @extend_schema(operation_id="optimizations_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        optimizations = scoped_optimizations(request)
        if "project" in request.query_params:
            optimizations = optimizations.filter(project_id=int(request.query_params["project"]))
        return Response([services.optimization_summary(o) for o in optimizations])

    @extend_schema(
        request=OptimizationInput,
        responses={201: OpenApiTypes.OBJECT, 400: BuildOutput},
    )
    def post(self, request: Request) -> Response:
        data = OptimizationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = scoped_project(request, values.pop("project"))
        optimization = services.optimization_create(user=request.user, project=project, **values)
        optimization.refresh_from_db()
        return Response(services.optimization_summary(optimization), status=status.HTTP_201_CREATED)


class OptimizationEstimateApi(APIView):
    """``POST`` with the create body -> ``{total, estimated_seconds, seconds_per_backtest,
    based_on}`` (``based_on``: the backtest whose run time was used, or null)."""

    @extend_schema(request=OptimizationInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = OptimizationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = scoped_project(request, values.pop("project"))
        values.pop("name", None)
        estimate = services.optimization_estimate(user=request.user, project=project, **values)
        return Response(asdict(estimate))


class OptimizationDetailApi(APIView):
    """``GET`` progress, best and results; ``PATCH {name}``; ``DELETE`` once finished."""

    class RenameInput(serializers.Serializer):
        class Meta:
            ref_name = "OptimizationRenameInput"

        name = serializers.CharField(max_length=128)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        return Response(services.optimization_detail(scoped_optimization(request, pk)))

    @extend_schema(request=RenameInput, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, pk: int) -> Response:
        data = self.RenameInput(data=request.data)
        data.is_valid(raise_exception=True)
        renamed = services.optimization_rename(
            user=request.user, optimization=scoped_optimization(request, pk), **data.validated_data
        )
        return Response(services.optimization_summary(renamed))

    @extend_schema(responses={204: None, 409: ErrorOutput})
    def delete(self, request: Request, pk: int) -> Response:
        services.optimization_delete(
            user=request.user, optimization=scoped_optimization(request, pk)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class OptimizationAbortApi(APIView):
    """``POST``: stop running combinations, drop queued ones; answers the detail."""

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 403: ErrorOutput})
    def post(self, request: Request, pk: int) -> Response:
        aborted = services.optimization_abort(
            user=request.user, optimization=scoped_optimization(request, pk)
        )
        return Response(services.optimization_detail(aborted))
