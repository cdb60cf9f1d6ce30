"""Adding, removing and releasing nodes; the tier's node quota is enforced here."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Membership, Organization, Tier
from accounts.services import require_admin
from config.exceptions import Conflict, QuotaExceeded
from nodes.events import publish_node_removed, publish_node_state
from nodes.models import Node, NodeModel


def backtest_node_count(*, organization: Organization, tier: Tier) -> int:
    """Backtesting nodes that count against ``tier``'s quota.

    On a paid tier the B-MICRO node does not count: it goes away once a paid node exists.
    """
    nodes = Node.objects.filter(organization=organization, model__kind=NodeModel.Kind.BACKTEST)
    if tier.is_paid:
        nodes = nodes.exclude(model__is_micro=True)
    return nodes.count()


def create_node(*, organization: Organization, model_name: str, name: str = "") -> Node:
    """Create a node without quota checks (sign-up, seeding); see :func:`add_node`."""
    model = NodeModel.objects.get(name=model_name)
    if not name:
        taken = Node.objects.filter(organization=organization, model=model).count()
        name = f"{model.name} node {taken + 1}"
    node = Node.objects.create(organization=organization, model=model, name=name)
    publish_node_state(node.pk)
    return node


def add_node(*, actor: Membership, model_name: str, name: str = "") -> Node:
    """Add a node of ``model_name`` to the actor's organization within the tier's quota.

    Steps: 1. admins only; 2. lock the organization row so two concurrent adds cannot both
    pass the count; 3. refuse beyond the quota with a message naming tier and limit;
    4. create the node; 5. on a paid tier, a paid backtesting node retires idle B-MICRO nodes.
    """
    require_admin(actor)
    model = NodeModel.objects.filter(name=model_name).first()
    if model is None:
        raise Conflict(f"unknown node model {model_name!r}")
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=actor.organization_id)
        tier = organization.tier
        if model.is_micro and tier.is_paid:
            raise Conflict("B-MICRO nodes exist only on the Free tier")
        if model.kind == NodeModel.Kind.BACKTEST and tier.backtest_nodes is not None:
            used = backtest_node_count(organization=organization, tier=tier)
            if used >= tier.backtest_nodes:
                raise QuotaExceeded(
                    f"The {tier.name} tier allows {tier.backtest_nodes} backtest node(s)",
                    quota="backtest_nodes",
                    tier=tier.name,
                    limit=tier.backtest_nodes,
                )
        node = create_node(organization=organization, model_name=model.name, name=name)
        if tier.is_paid and model.kind == NodeModel.Kind.BACKTEST:
            _retire_idle_micro_nodes(organization)
    return node


def remove_node(*, actor: Membership, node: Node) -> None:
    """Remove an idle node (admins only); a busy node must be stopped first."""
    require_admin(actor)
    with transaction.atomic():
        deleted, _ = Node.objects.filter(pk=node.pk, status=Node.Status.IDLE).delete()
        if not deleted:
            raise Conflict("the node is running a backtest; stop it first")
        publish_node_removed(organization_id=node.organization_id, node_id=node.pk)


def release_node(*, node_id: int, backtest_id: int) -> bool:
    """Make the node idle again if it still runs ``backtest_id``; True when it did.

    The conditional UPDATE makes a double release (worker and sweeper racing) harmless.
    """
    released = Node.objects.filter(pk=node_id, current_backtest_id=backtest_id).update(
        status=Node.Status.IDLE, current_backtest=None
    )
    if released:
        node = Node.objects.select_related("organization__tier", "model").get(pk=node_id)
        if node.model.is_micro and node.organization.tier.is_paid:
            _retire_idle_micro_nodes(node.organization)
        else:
            publish_node_state(node_id)
    return bool(released)


def _retire_idle_micro_nodes(organization: Organization) -> None:
    """Drop idle B-MICRO nodes once a paid backtesting node exists; busy ones go at release."""
    has_paid = Node.objects.filter(
        organization=organization, model__kind=NodeModel.Kind.BACKTEST, model__is_micro=False
    ).exists()
    if not has_paid:
        return
    micro = Node.objects.filter(
        organization=organization, model__is_micro=True, status=Node.Status.IDLE
    )
    for node_id in list(micro.values_list("pk", flat=True)):
        Node.objects.filter(pk=node_id, status=Node.Status.IDLE).delete()
        publish_node_removed(organization_id=organization.pk, node_id=node_id)
