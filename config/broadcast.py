"""The one place that sends to channel groups; services call it, consumers receive.

Sends happen after the surrounding transaction commits, so no browser ever sees a state the
database later rolls back (Zulip's ``send_event_on_commit``).
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def send_now(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` (with a dotted ``type``) to every consumer in ``group``."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a broken channel layer must never fail a backtest or a request
        logger.exception("broadcast to %s failed", group)


def send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send after the current transaction commits (immediately outside one)."""
    transaction.on_commit(lambda: send_now(group, message))
