"""Outbound webhooks: an outbox written with the change, delivered by a Celery task.

:func:`emit` writes one :class:`WebhookDelivery` per subscribed, active endpoint in the
caller's transaction, so a delivery exists if and only if the change was committed; after
the commit the ``mpdash.orders.deliver_webhooks`` task is queued. :func:`deliver_due` POSTs
due deliveries with::

    Content-Type: application/json
    X-Mpdash-Event: order.created
    X-Mpdash-Delivery: <delivery uuid>
    X-Mpdash-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the endpoint secret>

A 2xx answer delivers; anything else (or no answer) is retried with exponential backoff
(``MPDASH_WEBHOOK_RETRY_BASE_SECONDS`` × 2^(attempt−1), capped at
``MPDASH_WEBHOOK_RETRY_MAX_SECONDS``) until ``MPDASH_WEBHOOK_MAX_ATTEMPTS`` attempts, then
the delivery is marked failed. Every attempt is recorded. Receivers should deduplicate on
the delivery id: a crash between the POST and its record can repeat a delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
from celery import shared_task
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from mpdash.redaction import redact_text

from .models import CancellationRequest, Order, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .serializers import CancellationRequestSerializer, OrderDetailSerializer

logger = logging.getLogger("mpdash.orders.webhooks")

SIGNATURE_HEADER = "X-Mpdash-Signature"
EVENT_HEADER = "X-Mpdash-Event"
DELIVERY_HEADER = "X-Mpdash-Delivery"
EXCERPT_CHARS = 2000
CLAIM_SECONDS = 120  # a delivery being sent is hidden from other workers this long


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def retry_base() -> float:
    return _setting("MPDASH_WEBHOOK_RETRY_BASE_SECONDS", 30)


def retry_cap() -> float:
    return _setting("MPDASH_WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600)


def max_attempts() -> int:
    return int(_setting("MPDASH_WEBHOOK_MAX_ATTEMPTS", 10))


def timeout() -> httpx.Timeout:
    return httpx.Timeout(_setting("MPDASH_WEBHOOK_TIMEOUT_SECONDS", 10), connect=5.0)


def backoff_seconds(attempts: int) -> float:
    """Wait after the ``attempts``-th failed attempt: base, 2×base, 4×base… up to the cap."""
    return min(retry_cap(), retry_base() * (2 ** max(0, attempts - 1)))


# --- payloads ---------------------------------------------------------------------------------


def payload_for(event: str, obj: Order | CancellationRequest) -> dict[str, Any]:
    if isinstance(obj, Order):
        data = {"order": OrderDetailSerializer(obj).data}
    elif isinstance(obj, CancellationRequest):
        data = {
            "request": CancellationRequestSerializer(obj).data,
            "order": {"id": obj.order_id, "number": obj.order.number, "channel": obj.channel_id},
        }
    else:  # pragma: no cover - programming error
        raise TypeError(f"emit() takes an Order or a CancellationRequest, not {type(obj).__name__}")
    # Round-trip through JSON so the stored payload is exactly what is sent.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def body_bytes(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat() if delivery.created_at else None,
        "data": delivery.payload,
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret: str, body: bytes) -> str:
    """The ``X-Mpdash-Signature`` value: ``sha256=<hex HMAC-SHA256 of body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), signature or "")


# --- outbox -------------------------------------------------------------------------------------


def _subscribed(event: str) -> list[WebhookEndpoint]:
    """The active endpoints that want ``event`` (an unknown event is a programming error)."""
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event!r}; known: {', '.join(WebhookEvent.values)}")
    return [e for e in WebhookEndpoint.objects.filter(is_active=True) if e.wants(event)]


def emit(event: str, obj: Order | CancellationRequest) -> list[WebhookDelivery]:
    """Write a delivery of ``event`` about ``obj`` for every endpoint subscribed to it."""
    endpoints = _subscribed(event)
    if not endpoints:
        return []
    payload = payload_for(event, obj)
    deliveries = [WebhookDelivery.objects.create(endpoint=e, event=event, payload=payload) for e in endpoints]
    transaction.on_commit(kick)
    return deliveries


def emit_many(event: str, objs: list[Order | CancellationRequest]) -> int:
    """:func:`emit` for many objects: the endpoints are read once and the deliveries written together."""
    endpoints = _subscribed(event)
    if not endpoints or not objs:
        return 0
    deliveries = [
        WebhookDelivery(endpoint=e, event=event, payload=payload)
        for payload in (payload_for(event, obj) for obj in objs)
        for e in endpoints
    ]
    WebhookDelivery.objects.bulk_create(deliveries)
    transaction.on_commit(kick)
    return len(deliveries)


def kick(countdown: float = 0) -> None:
    """Queue the delivery task; a broker outage only delays deliveries (the beat sweep finds them)."""
    try:
        deliver_webhooks.apply_async(countdown=countdown)
    except Exception as exc:  # noqa: BLE001 - never fail the caller's request for this
        logger.warning("could not queue webhook delivery: %s", exc)


# --- delivery ---------------------------------------------------------------------------------


def due(now: datetime | None = None):
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_retry_at__lte=now).order_by("next_retry_at", "id")


def _claim(delivery: WebhookDelivery, now: datetime) -> bool:
    """Take the delivery for this worker: hide it from others for CLAIM_SECONDS."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.PENDING, next_retry_at=delivery.next_retry_at
        ).update(next_retry_at=now + timedelta(seconds=CLAIM_SECONDS))
    )


def deliver_due(*, now: datetime | None = None, limit: int = 200, client: httpx.Client | None = None) -> dict[str, int]:
    """Attempt every due delivery once. Returns counts of delivered, retrying and failed."""
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    now = now or timezone.now()
    own_client = client is None
    client = client or httpx.Client(timeout=timeout(), follow_redirects=False)
    try:
        for delivery in list(due(now).select_related("endpoint")[:limit]):
            if not _claim(delivery, now):
                continue
            outcome = attempt(delivery, client=client)
            counts[outcome] += 1
    finally:
        if own_client:
            client.close()
    return counts


def attempt(delivery: WebhookDelivery, *, client: httpx.Client) -> str:
    """POST the delivery once and record the attempt; returns delivered, retrying or failed."""
    endpoint = delivery.endpoint
    body = body_bytes(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "mpdash-webhooks/1",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.uuid),
        SIGNATURE_HEADER: sign(endpoint.plain_secret(), body),
    }
    started = time.monotonic()
    status_code, excerpt, error = None, "", ""
    try:
        response = client.post(endpoint.url, content=body, headers=headers)
        status_code = response.status_code
        excerpt = redact_text(response.text[:EXCERPT_CHARS])
    except httpx.HTTPError as exc:
        error = redact_text(f"{type(exc).__name__}: {exc}")[:1000]
    duration_ms = int((time.monotonic() - started) * 1000)
    number = delivery.attempts + 1
    ok = status_code is not None and 200 <= status_code < 300
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, status_code=status_code, response_excerpt=excerpt, error=error,
            duration_ms=duration_ms,
        )
        delivery.attempts = number
        delivery.last_status_code = status_code
        delivery.response_excerpt = excerpt
        delivery.last_error = error or ("" if ok else f"HTTP {status_code}")
        if ok:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_retry_at = None
            outcome = "delivered"
        elif number >= max_attempts():
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_retry_at = None
            outcome = "failed"
        else:
            delivery.next_retry_at = now + timedelta(seconds=backoff_seconds(number))
            outcome = "retrying"
        delivery.save(
            update_fields=[
                "attempts", "last_status_code", "response_excerpt", "last_error", "status", "delivered_at", "next_retry_at",
            ]
        )
    logger.info(
        "webhook %s delivery %s to endpoint %s: attempt %d %s", delivery.event, delivery.uuid, endpoint.pk, number,
        outcome if status_code is None else f"{outcome} (HTTP {status_code})",
    )
    return outcome


def next_due_in(now: datetime | None = None) -> float | None:
    """Seconds until the next pending delivery is due (None when nothing is pending)."""
    now = now or timezone.now()
    nxt = (
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .order_by("next_retry_at")
        .values_list("next_retry_at", flat=True)
        .first()
    )
    if nxt is None:
        return None
    return max(0.0, (nxt - now).total_seconds())


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (also one that was given up)."""
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_retry_at = timezone.now()
    delivery.save(update_fields=["status", "next_retry_at"])
    transaction.on_commit(kick)
    return delivery


BATCH = 200  # deliveries one task attempts before it queues itself again


@shared_task(name="mpdash.orders.deliver_webhooks", ignore_result=True)
def deliver_webhooks() -> dict[str, int]:
    """Attempt the due webhook deliveries once.

    Queued after each commit that emitted an event, after a failed attempt (for when its
    retry is due), and every 30 s by beat as a safety net.
    """
    counts = deliver_due(limit=BATCH)
    if sum(counts.values()) >= BATCH:
        deliver_webhooks.apply_async(countdown=0)  # more are due: keep going
    elif counts["retrying"]:
        wait = next_due_in()
        if wait is not None:
            deliver_webhooks.apply_async(countdown=max(1.0, wait))
    return counts
