"""An order's whole life against the Trendyol simulator, over real HTTP, through the REST
API: stored → invoiced here (Trendyol needs Picking first) → shipped and delivered by
Trendyol's carrier → the customer returns it → OPEN refund → the operator rejects it →
Trendyol sees the rejection. Cancellations in both directions, with no echo."""

from __future__ import annotations

import pytest


from mpdash.orders.models import CancellationRequest, Order, OrderStatus

from ..conftest import make_products
from .conftest import assert_cancelled_once_not_echoed, post, reason, run, trendyol_channel

pytestmark = pytest.mark.django_db

FLOWS = ("get_orders", "get_updated_orders", "get_cancel_orders", "get_refund_orders", "send_update_orders",
         "send_cancel_order_items", "approve_refund", "reject_refund")


@pytest.fixture
def channel(lists, ty_sim, no_celery):
    products = make_products(lists, 4, prefix="TYL")
    ty_sim.add_products([{"barcode": p.sku, "stockCode": p.sku, "quantity": 50, "salePrice": 100, "listPrice": 120}
                         for p in products])
    channel = trendyol_channel(
        lists, ty_sim, FLOWS, cancellation_reason_id=reason("cancel", "marketplace_cancelled"),
        default_reason_id=reason("refund", "marketplace_refund"), claim_issue_reason_id=1651,
    )
    channel.products = products
    return channel


def ingest(channel, sim, sku, quantity=1) -> Order:
    placed = sim.place_order([{"barcode": sku, "quantity": quantity}])
    assert run(channel, "get_orders").status == "success"
    return Order.objects.get(channel=channel, package_id=str(placed["packageId"]))


def test_invoice_ship_deliver_return_and_reject(channel, ty_sim, erp):
    order = ingest(channel, ty_sim, channel.products[0].sku, 2)
    base = f"/api/v1/orders/{order.pk}"
    post(erp, f"{base}/mark_sent_to_erp/", {})
    post(erp, f"{base}/invoice/", {"invoice_number": "TYA2026000000007",
                                   "invoice_link": "https://erp.example.com/invoices/7.pdf"})
    post(erp, f"{base}/status/", {"status": OrderStatus.PREPARING})
    result = run(channel, "send_update_orders")
    assert result.succeeded == 1, list(result.lines.values("message"))
    package = ty_sim.package(order.package_id)
    assert package["status"] == "Invoiced", package
    # Trendyol requires Picking before Invoiced: the adapter took that step, and says so.
    assert "Picking" in result.lines.get().message

    ty_sim.set_package_status(order.package_id, "Shipped", tracking_number="TEX42")
    ty_sim.set_package_status(order.package_id, "Delivered")
    run(channel, "get_updated_orders")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.tracking_number == "TEX42"

    made = ty_sim.create_claim(order.package_id, status="WaitingInAction", customerNote="too small")
    got = run(channel, "get_refund_orders")
    assert got.status == "success", (got.message, list(got.lines.values("message")))
    refund = CancellationRequest.objects.get(order=order, cancellation_type="refund")
    assert refund.status == "open" and refund.marketplace_claim_id == str(made["claimId"])
    run(channel, "get_refund_orders")
    assert CancellationRequest.objects.filter(order=order, cancellation_type="refund").count() == 1

    post(erp, f"/api/v1/refund_requests/{refund.pk}/decision/", {
        "decision": "reject", "reason": reason("refund", "not_as_described"), "description": "Used and washed.",
    })
    rejected = run(channel, "reject_refund")
    assert rejected.succeeded == 1, list(rejected.lines.values("message"))
    claim = ty_sim.claim(str(made["claimId"]))
    assert "Rejected" in str(claim) or "issue" in str(claim).lower(), claim
    refund.refresh_from_db()
    assert refund.status == "rejected" and refund.remote_status == "sent"


def test_customer_cancellation_arrives_once_and_is_not_echoed(channel, ty_sim, erp):
    order = ingest(channel, ty_sim, channel.products[1].sku, 1)
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    ty_sim.cancel_package(order.package_id)
    assert_cancelled_once_not_echoed(channel, order)


def test_local_cancellation_is_sent_as_unsupplied(channel, ty_sim, erp):
    order = ingest(channel, ty_sim, channel.products[2].sku, 2)
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    item = order.items.get()
    post(erp, f"/api/v1/orders/{order.pk}/cancel/", {"items": [{"order_item": item.pk, "quantity": 1}]})
    result = run(channel, "send_cancel_order_items")
    assert result.succeeded == 1, list(result.lines.values("message"))
    package = ty_sim.package(order.package_id)
    assert "UnSupplied" in str(package) or "Cancelled" in str(package), package
