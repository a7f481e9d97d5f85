"""Celery tasks of the orders app (thin entries into plain functions the tests call too)."""

from __future__ import annotations

from celery import shared_task

BATCH = 200


@shared_task(name="mpdash.orders.deliver_webhooks", ignore_result=True)
def deliver_webhooks() -> dict[str, int]:
    """Attempt the due webhook deliveries once.

    Queued after each commit that emitted an event, after a failed attempt (for when its
    retry is due), and every 30 s by beat as a safety net.
    """
    from . import webhooks

    counts = webhooks.deliver_due(limit=BATCH)
    if sum(counts.values()) >= BATCH:
        deliver_webhooks.apply_async(countdown=0)  # more are due: keep going
    elif counts["retrying"]:
        wait = webhooks.next_due_in()
        if wait is not None:
            deliver_webhooks.apply_async(countdown=max(1.0, wait))
    return counts
