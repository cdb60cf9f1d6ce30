"""REST endpoints of nodes: list, add, remove, stop, and the node models on offer."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from accounts.selectors import acting_membership, membership_of
from config.schema import BacktestOutput, ErrorOutput, NodeStateOutput
from nodes import services
from nodes.events import node_state, node_states_queryset
from nodes.models import Node, NodeModel


def _scoped_node(request: Request, pk: int) -> Node:
    """The node if the caller is a member of its organization, else 404."""
    return get_object_or_404(
        node_states_queryset(),
        pk=pk,
        organization__in=Membership.objects.filter(user=request.user).values("organization"),
    )


class NodeModelOutput(serializers.ModelSerializer):
    class Meta:
        model = NodeModel
        fields = ["name", "kind", "cores", "ghz", "ram_gb", "is_micro"]


class NodeModelListApi(APIView):
    @extend_schema(responses=NodeModelOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(NodeModelOutput(NodeModel.objects.all(), many=True).data)


class NodeListApi(APIView):
    """``GET`` every node of the caller's organizations (``?organization=`` narrows);
    ``POST {model, name?, organization?}`` adds one within the tier's quota."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "NodeListInput"  # unique name in the OpenAPI schema

        model = serializers.CharField()
        name = serializers.CharField(required=False, default="", allow_blank=True)
        organization = serializers.IntegerField(required=False)

    @extend_schema(responses=NodeStateOutput(many=True))
    def get(self, request: Request) -> Response:
        nodes = node_states_queryset().filter(
            organization__in=Membership.objects.filter(user=request.user).values("organization")
        )
        if "organization" in request.query_params:
            organization_id = int(request.query_params["organization"])
            membership_of(request.user, organization_id)
            nodes = nodes.filter(organization_id=organization_id)
        return Response([{**node_state(n), "organization": n.organization_id} for n in nodes])

    @extend_schema(request=InputSerializer, responses={201: NodeStateOutput, 403: ErrorOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = acting_membership(request.user, data.validated_data.get("organization"))
        node = services.add_node(
            actor=actor, model_name=data.validated_data["model"], name=data.validated_data["name"]
        )
        node = node_states_queryset().get(pk=node.pk)
        return Response(
            {**node_state(node), "organization": node.organization_id},
            status=status.HTTP_201_CREATED,
        )


class NodeDetailApi(APIView):
    @extend_schema(responses=NodeStateOutput)
    def get(self, request: Request, pk: int) -> Response:
        node = _scoped_node(request, pk)
        return Response({**node_state(node), "organization": node.organization_id})

    @extend_schema(responses={204: None, 409: ErrorOutput})
    def delete(self, request: Request, pk: int) -> Response:
        node = _scoped_node(request, pk)
        services.remove_node(actor=membership_of(request.user, node.organization_id), node=node)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NodeStopApi(APIView):
    """Stop the node's backtest (own run, or with the stop-nodes permission / admin role)."""

    @extend_schema(
        request=None, responses={200: BacktestOutput, 403: ErrorOutput, 409: ErrorOutput}
    )
    def post(self, request: Request, pk: int) -> Response:
        from backtesting.events import backtest_summary
        from backtesting.services import stop_node

        node = _scoped_node(request, pk)
        backtest = stop_node(user=request.user, node=node)
        return Response(backtest_summary(backtest))
