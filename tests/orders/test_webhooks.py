"""Outbound webhooks: outbox writes, signed POSTs a receiver can verify, retries with backoff,
and the secret kept out of API output, stored rows and logs."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from mpdash.orders import tasks, webhooks
from mpdash.orders.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db
SECRET = "receiver-shared-secret-42"


class Receiver:
    """A tiny HTTP server in a thread that records what it gets and answers from a script."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                code, text = receiver.script.pop(0) if receiver.script else (200, "ok")
                payload = text.encode()
                self.send_response(code)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mpdash"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def endpoint(receiver):
    return WebhookEndpoint.objects.create(name="erp", url=receiver.url, secret=SECRET, events=["*"])


# --- outbox ---------------------------------------------------------------------------------------------


def test_emit_writes_one_delivery_per_subscribed_active_endpoint(make_order):
    created_only = WebhookEndpoint.objects.create(url="https://a.example/h", secret=SECRET, events=["order.created"])
    everything = WebhookEndpoint.objects.create(url="https://b.example/h", secret=SECRET, events=["*"])
    WebhookEndpoint.objects.create(url="https://c.example/h", secret=SECRET, events=["*"], is_active=False)
    order = make_order()
    assert sorted(WebhookDelivery.objects.values_list("endpoint_id", "event")) == [
        (created_only.pk, "order.created"), (everything.pk, "order.created")
    ]
    webhooks.emit("order.updated", order)
    assert WebhookDelivery.objects.filter(event="order.updated").get().endpoint == everything
    payload = WebhookDelivery.objects.filter(event="order.created").first().payload
    assert payload["order"]["number"] == order.number and len(payload["order"]["items"]) == 2


def test_no_delivery_without_the_change(make_order):
    """The outbox row lives in the caller's transaction: rolled back together."""
    WebhookEndpoint.objects.create(url="https://b.example/h", secret=SECRET, events=["*"])
    order = make_order()
    before = WebhookDelivery.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        webhooks.emit("order.updated", order)
        raise RuntimeError("the change failed")
    assert WebhookDelivery.objects.count() == before


def test_unknown_event_is_refused(make_order):
    with pytest.raises(ValueError, match="unknown webhook event"):
        webhooks.emit("order.exploded", make_order())


# --- delivery ----------------------------------------------------------------------------------------------


def test_signature_is_verifiable_by_the_receiver(receiver, endpoint, make_order):
    order = make_order()
    assert webhooks.deliver_due() == {"delivered": 1, "retrying": 0, "failed": 0}
    (got,) = receiver.requests
    delivery = WebhookDelivery.objects.get()
    body, headers = got["body"], got["headers"]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Mpdash-Signature"], expected)
    assert webhooks.verify(SECRET, body, headers["X-Mpdash-Signature"])
    assert not webhooks.verify("wrong-secret", body, headers["X-Mpdash-Signature"])
    assert headers["X-Mpdash-Event"] == "order.created"
    assert headers["X-Mpdash-Delivery"] == str(delivery.uuid)
    assert headers["Content-Type"] == "application/json"
    envelope = json.loads(body)
    assert envelope["id"] == str(delivery.uuid) and envelope["event"] == "order.created"
    assert envelope["data"]["order"]["number"] == order.number
    assert delivery.status == "delivered" and delivery.attempts == 1 and delivery.last_status_code == 200
    assert list(WebhookAttempt.objects.values_list("number", "status_code")) == [(1, 200)]


@override_settings(MPDASH_WEBHOOK_RETRY_BASE_SECONDS=60)
def test_a_500_is_retried_with_backoff_and_succeeds_later(receiver, endpoint, make_order):
    make_order()
    receiver.script = [(500, "upstream down"), (200, "thanks")]
    started = timezone.now()
    assert webhooks.deliver_due() == {"delivered": 0, "retrying": 1, "failed": 0}
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_status_code == 500
    assert delivery.response_excerpt == "upstream down" and delivery.last_error == "HTTP 500"
    wait = (delivery.next_retry_at - started).total_seconds()
    assert 59 <= wait <= 65
    # Not due yet: nothing is sent.
    assert webhooks.deliver_due() == {"delivered": 0, "retrying": 0, "failed": 0}
    assert len(receiver.requests) == 1
    # Once due, the retry succeeds.
    assert webhooks.deliver_due(now=delivery.next_retry_at + timedelta(seconds=1))["delivered"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2 and delivery.delivered_at is not None
    assert list(WebhookAttempt.objects.order_by("number").values_list("number", "status_code")) == [(1, 500), (2, 200)]
    first, second = receiver.requests
    assert first["body"] == second["body"]  # the same delivery, byte for byte
    assert first["headers"]["X-Mpdash-Delivery"] == second["headers"]["X-Mpdash-Delivery"]
    assert first["headers"]["X-Mpdash-Signature"] == second["headers"]["X-Mpdash-Signature"]


@override_settings(MPDASH_WEBHOOK_RETRY_BASE_SECONDS=30, MPDASH_WEBHOOK_RETRY_MAX_SECONDS=100)
def test_backoff_doubles_up_to_the_cap():
    assert [webhooks.backoff_seconds(n) for n in range(1, 6)] == [30, 60, 100, 100, 100]


@override_settings(MPDASH_WEBHOOK_MAX_ATTEMPTS=3, MPDASH_WEBHOOK_RETRY_BASE_SECONDS=1)
def test_gives_up_after_the_attempt_limit(receiver, endpoint, make_order):
    make_order()
    receiver.script = [(500, "")] * 5
    later = timezone.now()
    outcomes = []
    for _ in range(4):
        later += timedelta(hours=1)
        outcomes.append(webhooks.deliver_due(now=later))
    assert [o for o in outcomes if any(o.values())] == [
        {"delivered": 0, "retrying": 1, "failed": 0},
        {"delivered": 0, "retrying": 1, "failed": 0},
        {"delivered": 0, "retrying": 0, "failed": 1},
    ]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 3 and delivery.next_retry_at is None
    assert WebhookAttempt.objects.count() == 3 and len(receiver.requests) == 3


def test_an_unreachable_receiver_is_retried(make_order):
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/nothing-listens", secret=SECRET, events=["*"])
    make_order()
    assert webhooks.deliver_due()["retrying"] == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code is None and "ConnectError" in delivery.last_error
    assert WebhookAttempt.objects.get().error.startswith("ConnectError")


def test_redeliver_after_giving_up(receiver, endpoint, make_order, api):
    make_order()
    WebhookDelivery.objects.update(status="failed", next_retry_at=None)
    delivery = WebhookDelivery.objects.get()
    r = api.post(f"/api/v1/webhook_deliveries/{delivery.pk}/redeliver/")
    assert r.status_code == 202 and r.data["status"] == "pending"
    assert webhooks.deliver_due()["delivered"] == 1


# --- the secret --------------------------------------------------------------------------------------------


def test_the_secret_stays_out_of_logs_rows_and_api(receiver, endpoint, make_order, api, caplog):
    caplog.set_level(logging.DEBUG)
    make_order()
    receiver.script = [(500, f"bad signature, expected key {SECRET}")]  # a receiver echoing the secret
    webhooks.deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert SECRET not in delivery.response_excerpt and "********" in delivery.response_excerpt
    assert SECRET not in WebhookAttempt.objects.get().response_excerpt
    assert SECRET not in caplog.text and "webhook order.created delivery" in caplog.text
    assert SECRET not in WebhookEndpoint.objects.get().secret
    for url in ("/api/v1/webhook_endpoints/", "/api/v1/webhook_deliveries/", f"/api/v1/webhook_deliveries/{delivery.pk}/"):
        assert SECRET not in api.get(url).content.decode()


# --- the Celery task --------------------------------------------------------------------------------------------


def test_the_task_is_registered_with_the_celery_app():
    from mpdash.celery import app

    assert "mpdash.orders.deliver_webhooks" in app.tasks


@override_settings(MPDASH_WEBHOOK_RETRY_BASE_SECONDS=5)
def test_the_task_delivers_and_queues_itself_for_the_retry(receiver, endpoint, make_order, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.deliver_webhooks, "apply_async", lambda *a, **k: queued.append(k))
    make_order()
    receiver.script = [(503, "busy")]
    assert tasks.deliver_webhooks() == {"delivered": 0, "retrying": 1, "failed": 0}
    assert len(queued) == 1 and 1 <= queued[0]["countdown"] <= 5
