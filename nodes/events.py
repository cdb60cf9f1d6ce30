"""Wire shapes of the Resources panel: node states over REST and over the websocket.

Websocket frames sent by ``ResourcesConsumer`` (JSON text):

``{"type": "snapshot", "nodes": [NodeState, ...]}``  first frame, this socket only; again after a
                                                      quiet resync interval (replaces all)
``{"type": "node", "node": NodeState}``               a node was added or changed state/progress
``{"type": "node_removed", "id": <node id>}``         a node was removed
"""

from __future__ import annotations

from typing import Literal, TypedDict

from config.broadcast import send_on_commit
from nodes.models import Node


class NodeState(TypedDict):
    """One node as the Resources panel and ``GET /api/nodes/`` show it."""

    id: int
    name: str
    model: str
    kind: str
    status: str
    #: user name of whoever launched the node's current backtest.
    user: str | None
    project: int | None
    project_name: str | None
    backtest: int | None
    backtest_name: str | None
    progress: float | None


class NodeStateMessage(TypedDict):
    """Channel-layer message (``type`` picks the consumer handler ``resources_node``)."""

    type: Literal["resources.node"]
    node: NodeState


class NodeRemovedMessage(TypedDict):
    type: Literal["resources.removed"]
    id: int


def resources_group(organization_id: int) -> str:
    """Channel group of an organization's Resources panel."""
    return f"org.{organization_id}.resources"


def node_state(node: Node) -> NodeState:
    """The panel's view of a node; select_related ``model`` and ``current_backtest__*``."""
    backtest = node.current_backtest if node.current_backtest_id else None
    return {
        "id": node.pk,
        "name": node.name,
        "model": node.model.name,
        "kind": node.model.kind,
        "status": node.status,
        "user": backtest.created_by.get_username() if backtest and backtest.created_by else None,
        "project": backtest.project_id if backtest else None,
        "project_name": backtest.project.name if backtest else None,
        "backtest": backtest.pk if backtest else None,
        "backtest_name": backtest.name if backtest else None,
        "progress": backtest.progress if backtest else None,
    }


def node_states_queryset():
    """Nodes with everything :func:`node_state` reads, in one query."""
    return Node.objects.select_related(
        "model", "current_backtest__created_by", "current_backtest__project"
    )


def publish_node_state(node_id: int) -> None:
    """After commit, push the node's fresh state to its organization's Resources panels."""

    def _send() -> None:
        from config.broadcast import send_now

        node = node_states_queryset().filter(pk=node_id).first()
        if node is not None:
            message: NodeStateMessage = {"type": "resources.node", "node": node_state(node)}
            send_now(resources_group(node.organization_id), dict(message))

    from django.db import transaction

    transaction.on_commit(_send)


def publish_node_removed(*, organization_id: int, node_id: int) -> None:
    """After commit, tell the organization's Resources panels a node is gone."""
    message: NodeRemovedMessage = {"type": "resources.removed", "id": node_id}
    send_on_commit(resources_group(organization_id), dict(message))
