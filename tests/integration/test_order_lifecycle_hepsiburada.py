"""An order's whole life against the Hepsiburada simulator, over real HTTP, driven through
the REST API the way an ERP would: placed → stored → shipped here → Hepsiburada sees the
invoice and tracking → delivered → the customer returns it → an OPEN refund request → the
operator rejects it with a photo → Hepsiburada sees the rejection. Also cancellations in
both directions (with no echo) and unpacked packages."""

from __future__ import annotations

import os
import time

import pytest

from mpdash.integration import penalties
from mpdash.integration.models import InboundItem
from mpdash.orders.models import CancellationRequest, Order, OrderStatus

from ..conftest import make_products
from .conftest import post, reason, run

pytestmark = pytest.mark.django_db

FLOWS = ("get_orders", "get_updated_orders", "get_cancel_orders", "get_refund_orders", "send_update_orders",
         "send_cancel_order_items", "approve_refund", "reject_refund", "unpacked_orders")


@pytest.fixture
def channel(channel_factory, oms_sim, lists, no_celery):
    products = make_products(lists, 4, prefix="HBL")
    oms_sim.add_listings([{"merchantSku": p.sku, "price": 100, "availableStock": 50} for p in products])
    ch = channel_factory(
        url=oms_sim.url, active=True, flags=FLOWS, automatic_packing=True, send_shipping_info=True,
        cancellation_reason_id=reason("cancel", "marketplace_cancelled"),
        default_reason_id=reason("refund", "marketplace_refund"),
        send_cancellation_reason_id=83,
    )
    fi = dict(ch.config["failed_integration"])
    for kind in ("order", "refund", "DEFAULT"):
        fi[kind] = {"RETRY_INTERVAL": 1, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 5}
    ch.update_config({"failed_integration": fi})
    ch.save()
    ch.products = products
    return ch


def ingest(channel, sim, sku, quantity=1, shopper=0) -> Order:
    placed = sim.place_order([{"merchantSku": sku, "quantity": quantity}], shopper=shopper, at=time.time() - 120)
    result = run(channel, "get_orders")
    assert result.status == "success", result.message
    return Order.objects.get(channel=channel, marketplace_order_number=placed["orderNumber"])


def test_ship_deliver_return_and_reject_with_a_photo(channel, oms_sim, erp, no_celery, settings, tmp_path,
                                                    django_capture_on_commit_callbacks):
    order = ingest(channel, oms_sim, channel.products[0].sku, 2)
    base = f"/api/v1/orders/{order.pk}"
    post(erp, f"{base}/mark_sent_to_erp/", {})
    post(erp, f"{base}/status/", {"status": OrderStatus.PREPARING})
    post(erp, f"{base}/invoice/", {"invoice_number": "ABC2026000000042",
                                   "invoice_link": "https://erp.example.com/invoices/42.pdf"})
    post(erp, f"{base}/tracking/", {"cargo_company": "yurtici", "tracking_number": "YK778899"})
    with django_capture_on_commit_callbacks(execute=True):
        post(erp, f"{base}/status/", {"status": OrderStatus.SHIPPED})
    order.refresh_from_db()
    assert order.remote_pending
    # The local change queued the flow at once (the signal), and the run sends it.
    assert any(call[2]["kwargs"]["flow"] == "send_update_orders" for call in no_celery if call[0] == "run_flow")
    sent = run(channel, "send_update_orders")
    assert sent.status == "success" and sent.succeeded == 1, (sent.message, list(sent.lines.values("message")))
    package = oms_sim.package(order.package_id)
    assert package["status"] == "InTransit", package
    assert "YK778899" in str(package) and "42.pdf" in str(package)
    order.refresh_from_db()
    assert not order.remote_pending and order.remote_state["status"] == "shipped"
    # Nothing new: the next run sends nothing.
    again = run(channel, "send_update_orders")
    assert again.succeeded == 0 and again.failed == 0

    # A status that would go backwards is never sent.
    post(erp, f"{base}/status/", {"status": OrderStatus.DELIVERED})
    run(channel, "send_update_orders")
    assert oms_sim.package(order.package_id)["status"] == "Delivered"

    # The customer returns one unit: an OPEN refund request with the default reason.
    line_id = order.items.get().remote_line_id
    claim = oms_sim.create_claim(line_id, quantity=1, reason="ProductIsBrokenOrDamaged", explanation="broken zip",
                                 status="AwaitingAction", at=time.time() - 120)
    got = run(channel, "get_refund_orders")
    assert got.status == "success", got.message
    refund = CancellationRequest.objects.get(order=order, cancellation_type="refund")
    assert refund.status == "open" and refund.reason.code == "marketplace_refund"
    assert refund.marketplace_claim_id == claim["number"]
    assert run(channel, "get_refund_orders").succeeded == 0 or CancellationRequest.objects.filter(order=order).count() == 1
    assert CancellationRequest.objects.filter(order=order, cancellation_type="refund").count() == 1

    # While the return is open, order updates wait.
    post(erp, f"{base}/invoice/", {"invoice_number": "ABC2026000000043",
                                   "invoice_link": "https://erp.example.com/invoices/43.pdf"})
    waiting = run(channel, "send_update_orders")
    assert waiting.skipped == 1 and "return is open" in waiting.lines.get().message

    # The operator rejects it with a photo uploaded to the screens' media folder.
    settings.MEDIA_ROOT = str(tmp_path)
    os.makedirs(tmp_path / "refunds", exist_ok=True)
    (tmp_path / "refunds" / "zip.png").write_bytes(b"\x89PNG\r\n\x1a\nfake-photo")
    post(erp, f"/api/v1/refund_requests/{refund.pk}/decision/", {
        "decision": "reject", "reason": reason("refund", "not_as_described"),
        "description": "The zip works; see the photo.", "images": ["http://localhost/media/refunds/zip.png"],
    })
    refund.refresh_from_db()
    assert refund.status == "waiting_approval" and refund.remote_status == "pending"
    rejected = run(channel, "reject_refund")
    assert rejected.succeeded == 1, list(rejected.lines.values("message"))
    refund.refresh_from_db()
    assert refund.status == "rejected" and refund.remote_status == "sent"
    remote = oms_sim.claim(claim["number"])
    assert remote["status"] in ("InDispute", "Rejected"), remote
    assert "The zip works" in str(remote)


def test_approving_a_return_accepts_the_claim(channel, oms_sim, erp):
    order = ingest(channel, oms_sim, channel.products[1].sku, 1, shopper=1)
    oms_sim.move_package(order.package_id, "InTransit", tracking_number="HJ1", at=time.time() - 100)
    oms_sim.move_package(order.package_id, "Delivered", at=time.time() - 90)
    run(channel, "get_updated_orders")
    claim = oms_sim.create_claim(order.items.get().remote_line_id, quantity=1, reason="ProductIsBrokenOrDamaged",
                                 status="AwaitingAction", at=time.time() - 60)
    run(channel, "get_refund_orders")
    refund = CancellationRequest.objects.get(order=order, cancellation_type="refund")
    post(erp, f"/api/v1/refund_requests/{refund.pk}/decision/", {"decision": "approve"})
    result = run(channel, "approve_refund")
    assert result.succeeded == 1, list(result.lines.values("message"))
    assert oms_sim.claim(claim["number"])["status"] in ("Accepted", "Refunded"), oms_sim.claim(claim["number"])
    refund.refresh_from_db()
    assert refund.status == "approved"


def test_marketplace_cancellation_waits_for_the_erp_and_is_never_echoed(channel, oms_sim, erp):
    order = ingest(channel, oms_sim, channel.products[2].sku, 1, shopper=2)
    oms_sim.cancel_order(order.marketplace_order_number, at=time.time() - 90)
    held = run(channel, "get_cancel_orders")
    # The order has not reached the ERP yet: the seed's message, and the record is held.
    assert held.failed == 1 and "Unreported order of ERP can not be canceled" in held.lines.get(outcome="fail").message
    item = InboundItem.objects.get(channel=channel, flow="get_cancel_orders")
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    penalties.lift(channel, [item.key])
    stored = run(channel, "get_cancel_orders")
    assert stored.status == "success", stored.message
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    request = CancellationRequest.objects.get(order=order)
    assert request.reason.code == "marketplace_cancelled" and request.remote_status == ""
    # Read again: stored once. And nothing goes back to Hepsiburada.
    run(channel, "get_cancel_orders")
    assert CancellationRequest.objects.filter(order=order).count() == 1
    echo = run(channel, "send_cancel_order_items")
    assert echo.selected == 0


def test_local_cancellation_reaches_hepsiburada(channel, oms_sim, erp):
    order = ingest(channel, oms_sim, channel.products[3].sku, 2, shopper=3)
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    item = order.items.get()
    post(erp, f"/api/v1/orders/{order.pk}/cancel/", {"items": [{"order_item": item.pk, "quantity": 2}],
                                                     "reason": reason("cancel", "out_of_stock")})
    result = run(channel, "send_cancel_order_items")
    assert result.succeeded == 1, list(result.lines.values("message"))
    request = CancellationRequest.objects.get(order=order)
    assert request.remote_status == "sent"
    detail = oms_sim.order(order.marketplace_order_number)
    assert "Cancel" in str(detail), detail
    assert run(channel, "send_cancel_order_items").selected == 0  # sent once


def test_unpacked_package_cancels_the_local_order(channel, oms_sim, erp):
    order = ingest(channel, oms_sim, channel.products[0].sku, 1, shopper=4)
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    oms_sim.move_package(order.package_id, "Unpacked", at=time.time() - 60)
    result = run(channel, "unpacked_orders")
    assert result.status == "success", result.message
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert CancellationRequest.objects.get(order=order).reason.code == "marketplace_cancelled"
