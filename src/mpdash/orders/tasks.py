"""Celery tasks of the orders app (thin entries into plain functions the tests call too).

``deliver_webhooks`` lives in :mod:`.webhooks`, which queues it after each commit that
emitted an event; this module names it for Celery's autodiscovery.
"""

from __future__ import annotations

from .webhooks import BATCH, deliver_webhooks

__all__ = ["BATCH", "deliver_webhooks"]
