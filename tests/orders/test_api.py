"""The orders REST API: lists and filters, actions, reasons, refunds, webhook endpoints."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from mpdash.orders.cancellations import Line, request_cancellation
from mpdash.orders.models import (
    CancellationReason,
    CancellationRequest,
    Order,
    StatusChange,
    WebhookDelivery,
    WebhookEndpoint,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/orders/"),
        ("post", "/api/v1/orders/1/status/"),
        ("get", "/api/v1/refund_requests/"),
        ("get", "/api/v1/channel/1/cancellation_reasons/"),
        ("get", "/api/v1/webhook_endpoints/"),
    ],
)
def test_authentication_is_required(anon, method, path):
    assert getattr(anon, method)(path, {}, format="json").status_code == 401


# --- orders ---------------------------------------------------------------------------------------


def test_list_filters(api, make_order, other_channel):
    a = make_order("P1", "O1")
    b = make_order("P2", "O2", sent_to_erp=True)
    c = make_order("P3", "O3", on=other_channel)
    Order.objects.filter(pk=a.pk).update(date_placed=timezone.now() - timedelta(days=10), status=500)

    def ids(query):
        r = api.get(f"/api/v1/orders/?{query}")
        assert r.status_code == 200, r.data
        return {row["id"] for row in r.data["results"]}

    assert ids("") == {a.pk, b.pk, c.pk}
    assert ids(f"channel={other_channel.pk}") == {c.pk}
    assert ids("channel__slug=hb") == {a.pk, b.pk}
    assert ids("status=500") == {a.pk}
    assert ids("status__in=400,500") == {a.pk, b.pk, c.pk}
    assert ids("sent_to_erp=true") == {b.pk}
    assert ids("sent_to_erp=false") == {a.pk, c.pk}
    assert ids(f"number={b.number}") == {b.pk}
    assert ids("marketplace_order_number=O3") == {c.pk}
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(f"date_placed__gte={since.replace('+', '%2B')}") == {b.pk, c.pk}
    assert ids(f"date_placed__lte={since.replace('+', '%2B')}") == {a.pk}


def test_detail_has_items_addresses_and_customer(api, make_order):
    order = make_order()
    r = api.get(f"/api/v1/orders/{order.pk}/")
    assert r.status_code == 200
    body = r.data
    assert body["number"] == "ORD-1-PKG-1" and body["status"] == 400 and body["status_label"] == "approved"
    assert body["package_id"] == "PKG-1" and body["extra_field"]["packageNumber"] == "PKG-1"
    assert [i["sku"] for i in body["items"]] == ["SKU-1", "SKU-2"]
    assert body["items"][0]["remote_line_id"] == "PKG-1-L1"
    assert body["customer"]["email"] == "ayse@example.com"
    assert body["shipping_address"]["city"]["name"] == "İstanbul"
    assert body["shipping_address"]["township"]["name"] == "Kadıköy"
    assert body["billing_address"]["country"] == "TR"


def test_mark_sent_to_erp(api, make_order):
    order = make_order()
    r = api.post(f"/api/v1/orders/{order.pk}/mark_sent_to_erp/")
    assert r.status_code == 200 and r.data["sent_to_erp"] is True and r.data["sent_to_erp_at"]
    first = r.data["sent_to_erp_at"]
    again = api.post(f"/api/v1/orders/{order.pk}/mark_sent_to_erp/")
    assert again.data["sent_to_erp_at"] == first  # idempotent


def test_status_update_forward_and_history(api, make_order):
    order = make_order()
    r = api.post(f"/api/v1/orders/{order.pk}/status/", {"status": 500, "note": "handed to the carrier"}, format="json")
    assert r.status_code == 200, r.data
    assert r.data["status"] == 500 and {i["status"] for i in r.data["items"]} == {500}
    history = api.get(f"/api/v1/orders/{order.pk}/history/").data
    assert [(h["old_status"], h["new_status"]) for h in history if h["item"] is None] == [(None, 400), (400, 500)]


def test_status_never_goes_backwards_and_the_error_names_the_field(api, make_order):
    order = make_order()
    api.post(f"/api/v1/orders/{order.pk}/status/", {"status": 550}, format="json")
    r = api.post(f"/api/v1/orders/{order.pk}/status/", {"status": 500}, format="json")
    assert r.status_code == 400
    assert r.data == {"status": ["status cannot move backwards from 550 (delivered) to 500 (shipped)"]}
    bad = api.post(f"/api/v1/orders/{order.pk}/status/", {"status": 123}, format="json")
    assert bad.status_code == 400 and "status" in bad.data
    assert Order.objects.get(pk=order.pk).status == 550


def test_set_invoice(api, make_order):
    order = make_order()
    body = {"invoice_number": "INV-1", "invoice_date": "2025-01-02T10:00:00Z", "invoice_link": "https://e-fatura.example/INV-1.pdf"}
    r = api.post(f"/api/v1/orders/{order.pk}/invoice/", body, format="json")
    assert r.status_code == 200, r.data
    assert r.data["invoice_number"] == "INV-1" and r.data["invoice_link"].endswith("INV-1.pdf")
    bad = api.post(f"/api/v1/orders/{order.pk}/invoice/", {"invoice_link": "not a url"}, format="json")
    assert bad.status_code == 400 and set(bad.data) == {"invoice_number", "invoice_link"}


def test_set_tracking_builds_the_url(api, make_order):
    order = make_order()
    r = api.post(f"/api/v1/orders/{order.pk}/tracking/", {"cargo_company": "aras", "tracking_number": "998877"}, format="json")
    assert r.status_code == 200, r.data
    assert r.data["cargo_company"] == "aras"
    assert r.data["tracking_url"] == "https://kargotakip.araskargo.com.tr/mainpage.aspx?code=998877"
    assert {i["tracking_number"] for i in r.data["items"]} == {"998877"}
    bad = api.post(f"/api/v1/orders/{order.pk}/tracking/", {"cargo_company": "nope", "tracking_number": "1"}, format="json")
    assert bad.status_code == 400 and list(bad.data) == ["cargo_company"]


def test_cancel_items(api, make_order):
    order = make_order(sent_to_erp=True)
    item = order.items.get(sku="SKU-1")
    reason = CancellationReason.objects.get(cancellation_type="cancel", code="out_of_stock")
    r = api.post(
        f"/api/v1/orders/{order.pk}/cancel/",
        {"items": [{"order_item": item.pk, "quantity": 2}], "reason": reason.pk, "description": "no stock"},
        format="json",
    )
    assert r.status_code == 201, r.data
    assert r.data["cancellation_type"] == "cancel" and r.data["status"] == "approved"
    assert r.data["items"] == [{"id": r.data["items"][0]["id"], "order_item": item.pk, "sku": "SKU-1", "quantity": 2, "marketplace_claim_line_id": ""}]
    assert [p["sequence"] for p in r.data["plans"]] == [1]
    item.refresh_from_db()
    assert item.status == 100


def test_cancel_validation_names_the_fields(api, make_order):
    order = make_order(sent_to_erp=True)
    item = order.items.get(sku="SKU-2")
    r = api.post(f"/api/v1/orders/{order.pk}/cancel/", {"items": [{"order_item": item.pk, "quantity": 5}, {"order_item": 987654}]}, format="json")
    assert r.status_code == 400
    assert list(r.data) == ["items"]
    assert "quantity" in r.data["items"][0] and "exceeds the 1 unit(s)" in r.data["items"][0]["quantity"][0]
    assert "order_item" in r.data["items"][1]
    r = api.post(f"/api/v1/orders/{order.pk}/cancel/", {"items": [{"order_item": item.pk}], "description": "z" * 501}, format="json")
    assert r.status_code == 400 and list(r.data) == ["description"]
    refund_reason = CancellationReason.objects.get(cancellation_type="refund", code="other")
    r = api.post(f"/api/v1/orders/{order.pk}/cancel/", {"items": [{"order_item": item.pk}], "reason": refund_reason.pk}, format="json")
    assert r.status_code == 400 and list(r.data) == ["reason"]
    assert not CancellationRequest.objects.exists()


def test_cancel_an_order_not_in_the_erp(api, make_order):
    order = make_order()
    r = api.post(f"/api/v1/orders/{order.pk}/cancel/", {"items": [{"order_item": order.items.first().pk}]}, format="json")
    assert r.status_code == 400 and r.data == {"order": ["Unreported order of ERP can not be canceled"]}


# --- reasons -------------------------------------------------------------------------------------------


def test_cancellation_reasons_endpoint_with_both_filters(api, channel):
    CancellationReason.objects.create(cancellation_type="refund", code="old", name="Old reason", is_active=False)
    base = f"/api/v1/channel/{channel.pk}/cancellation_reasons/"

    def codes(query):
        r = api.get(base + query)
        assert r.status_code == 200, r.data
        return [(row["cancellation_type"], row["code"], row["is_active"]) for row in r.data["results"]]

    refunds = codes("?cancellation_type=refund&is_active=true")
    assert refunds and all(t == "refund" and active for t, _, active in refunds)
    assert ("refund", "old", False) not in refunds
    assert codes("?cancellation_type=refund&is_active=false") == [("refund", "old", False)]
    cancels = codes("?cancellation_type=cancel&is_active=true")
    assert cancels and all(t == "cancel" for t, _, _ in cancels)
    assert len(codes("")) == CancellationReason.objects.count()
    one = CancellationReason.objects.get(code="old")
    assert api.get(f"{base}{one.pk}/").data["name"] == "Old reason"
    assert api.get(f"/api/v1/channel/999999/cancellation_reasons/").status_code == 404


# --- refunds --------------------------------------------------------------------------------------------


def _refund(order, line="L1"):
    request, _ = request_cancellation(
        order, [Line(order.items.first(), 1, claim_line_id=line)], cancellation_type="refund", claim_id="C1",
        description="customer says broken",
    )
    return request


def test_refund_requests_list_detail_and_decision(api, make_order):
    order = make_order(sent_to_erp=True)
    refund = _refund(order)
    cancel_request, _ = request_cancellation(order, [Line(order.items.last(), 1)], status="approved")
    listed = api.get("/api/v1/refund_requests/?status=open").data["results"]
    assert [r["id"] for r in listed] == [refund.pk]
    assert api.get(f"/api/v1/refund_requests/{cancel_request.pk}/").status_code == 404
    assert api.get(f"/api/v1/cancellation_requests/{cancel_request.pk}/").status_code == 200
    detail = api.get(f"/api/v1/refund_requests/{refund.pk}/").data
    assert detail["marketplace_claim_id"] == "C1" and detail["items"][0]["marketplace_claim_line_id"] == "L1"

    reason = CancellationReason.objects.get(cancellation_type="refund", code="not_as_described")
    r = api.post(
        f"/api/v1/refund_requests/{refund.pk}/decision/",
        {"decision": "reject", "reason": reason.pk, "description": "used product", "images": ["https://img.example/a.png"]},
        format="json",
    )
    assert r.status_code == 200, r.data
    assert r.data["status"] == "waiting_approval" and r.data["decision"] == "reject"
    assert r.data["decision_reason"] == reason.pk and r.data["decision_images"] == ["https://img.example/a.png"]
    assert r.data["decided_by"] == "orders-api"
    again = api.post(f"/api/v1/refund_requests/{refund.pk}/decision/", {"decision": "approve"}, format="json")
    assert again.status_code == 400 and list(again.data) == ["status"]


def test_refund_decision_validation_names_the_field(api, make_order):
    refund = _refund(make_order(sent_to_erp=True))
    url = f"/api/v1/refund_requests/{refund.pk}/decision/"
    r = api.post(url, {"decision": "reject"}, format="json")
    assert r.status_code == 400 and list(r.data) == ["reason"]
    r = api.post(url, {"decision": "approve", "description": "d" * 501}, format="json")
    assert r.status_code == 400 and list(r.data) == ["description"]
    r = api.post(url, {"decision": "approve", "images": ["not-a-url"]}, format="json")
    assert r.status_code == 400 and list(r.data) == ["images"]
    r = api.post(url, {"decision": "maybe"}, format="json")
    assert r.status_code == 400 and list(r.data) == ["decision"]
    assert api.post(url, {"decision": "approve"}, format="json").status_code == 200


# --- webhook endpoints -------------------------------------------------------------------------------


SECRET = "whsec-0123456789-abcdef"


def test_webhook_endpoint_crud_never_shows_the_secret(api):
    r = api.post("/api/v1/webhook_endpoints/", {"url": "https://erp.example/hook", "secret": SECRET, "events": ["order.created"]}, format="json")
    assert r.status_code == 201, r.data
    assert r.data["secret"] == "********" and SECRET not in json.dumps(r.data)
    pk = r.data["id"]
    stored = WebhookEndpoint.objects.get(pk=pk)
    assert stored.secret.startswith("enc:v1:") and SECRET not in stored.secret and stored.plain_secret() == SECRET
    for response in (api.get("/api/v1/webhook_endpoints/"), api.get(f"/api/v1/webhook_endpoints/{pk}/")):
        assert SECRET not in response.content.decode()
    # Sending the mask back (or nothing) keeps the secret.
    r = api.patch(f"/api/v1/webhook_endpoints/{pk}/", {"secret": "********", "events": ["*"]}, format="json")
    assert r.status_code == 200 and WebhookEndpoint.objects.get(pk=pk).plain_secret() == SECRET
    r = api.patch(f"/api/v1/webhook_endpoints/{pk}/", {"secret": "another-secret-of-enough-length"}, format="json")
    assert r.status_code == 200 and WebhookEndpoint.objects.get(pk=pk).plain_secret() == "another-secret-of-enough-length"
    assert api.delete(f"/api/v1/webhook_endpoints/{pk}/").status_code == 204


def test_webhook_endpoint_validation(api):
    r = api.post("/api/v1/webhook_endpoints/", {"url": "https://erp.example/hook", "events": ["order.created"]}, format="json")
    assert r.status_code == 400 and list(r.data) == ["secret"]
    r = api.post("/api/v1/webhook_endpoints/", {"url": "https://erp.example/hook", "secret": SECRET, "events": ["order.exploded"]}, format="json")
    assert r.status_code == 400 and list(r.data) == ["events"]
    r = api.post("/api/v1/webhook_endpoints/", {"url": "nope", "secret": SECRET, "events": ["*"]}, format="json")
    assert r.status_code == 400 and list(r.data) == ["url"]


def test_api_actions_emit_webhooks(api, make_order):
    WebhookEndpoint.objects.create(url="https://erp.example/hook", secret=SECRET, events=["*"])
    order = make_order(sent_to_erp=True)
    api.post(f"/api/v1/orders/{order.pk}/status/", {"status": 450}, format="json")
    api.post(f"/api/v1/orders/{order.pk}/cancel/", {"items": [{"order_item": order.items.first().pk}]}, format="json")
    events = list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True))
    assert events == ["order.created", "order.updated", "order.cancelled"]
    r = api.get("/api/v1/webhook_deliveries/?event=order.updated")
    assert r.status_code == 200 and [d["event"] for d in r.data["results"]] == ["order.updated"]
    assert r.data["results"][0]["payload"]["order"]["status"] == 450
    assert StatusChange.objects.filter(order=order, item__isnull=True, new_status=450).exists()
