"""The order side on every marketplace: an order in (once) → status and tracking out →
partial cancel → a claim approved, and one rejected. The ERP acts through the REST API."""

from __future__ import annotations

from collections import Counter

import pytest

from mpdash.integration.models import InboundCursor
from mpdash.orders.addresses import has_reference_data
from mpdash.orders.models import CancellationRequest, Order, OrderStatus

from ..conftest import make_products
from ..integration.conftest import post, reason
from .conftest import lines_of, require, run

pytestmark = pytest.mark.django_db

FLOWS = ("get_orders", "get_updated_orders", "get_cancel_orders", "get_refund_orders", "send_update_orders",
         "send_cancel_order_items", "approve_refund", "reject_refund")


@pytest.fixture
def shop(driver, sim, make_channel, lists):
    require(driver, "orders")
    products = make_products(lists, 3, prefix="CO")
    driver.list_products(sim, products, stock=50, price=100)
    channel = make_channel(*FLOWS)
    return channel, [p.sku for p in products]


def ingest(driver, sim, channel, lines, shopper=0) -> Order:
    placed = driver.place_order(sim, lines, shopper=shopper)
    result = run(channel, "get_orders")
    assert result.status == "success", (result.message, lines_of(result))
    return Order.objects.get(channel=channel, marketplace_order_number=placed.order_number)


def test_orders_arrive_once_with_their_lines(driver, sim, shop):
    channel, skus = shop
    placed = [driver.place_order(sim, [(skus[0], 1)], shopper=0), driver.place_order(sim, [(skus[1], 2)], shopper=1),
              driver.place_order(sim, [(skus[0], 1), (skus[2], 3)], shopper=2)]
    first = run(channel, "get_orders")
    assert first.status == "success", (first.message, lines_of(first))
    InboundCursor.objects.filter(channel=channel, flow="get_orders").update(high_water=None)
    run(channel, "get_orders")  # everything read again, from an older cursor
    run(channel, "get_orders")
    numbers = Counter(Order.objects.filter(channel=channel).values_list("marketplace_order_number", flat=True))
    assert numbers == Counter(p.order_number for p in placed), numbers
    for p in placed:
        order = Order.objects.get(channel=channel, marketplace_order_number=p.order_number)
        assert sorted((i.sku, i.quantity) for i in order.items.all()) == sorted(p.lines), p.order_number
        assert order.status == OrderStatus.APPROVED and order.package_id
        address = order.shipping_address
        # A township is required where we hold the country's address tables (Türkiye); abroad
        # (a US address has a state and a ZIP code, no ilçe) the city is enough.
        assert address.city_id and (address.township_id or not has_reference_data(address.country)), p.order_number


def test_status_and_tracking_flow_out(driver, sim, shop, erp):
    require(driver, "status_out")
    channel, skus = shop
    order = ingest(driver, sim, channel, [(skus[0], 2)])
    base = f"/api/v1/orders/{order.pk}"
    post(erp, f"{base}/mark_sent_to_erp/", {})
    post(erp, f"{base}/status/", {"status": OrderStatus.PREPARING})
    post(erp, f"{base}/invoice/", {"invoice_number": "CTR2026000000042", "invoice_link": "https://erp.example.com/invoices/42.pdf"})
    post(erp, f"{base}/tracking/", {"cargo_company": "yurtici", "tracking_number": "YK778899"})
    post(erp, f"{base}/status/", {"status": OrderStatus.SHIPPED})
    sent = run(channel, "send_update_orders")
    assert (sent.succeeded, sent.failed) == (1, 0), lines_of(sent)
    assert driver.remote_tracking(sim, order) == "YK778899"
    assert driver.remote_status(sim, order) == driver.status_after_shipped_out
    order.refresh_from_db()
    assert not order.remote_pending
    again = run(channel, "send_update_orders")
    assert (again.succeeded, again.failed) == (0, 0), lines_of(again)  # nothing new: nothing sent


def test_partial_cancel_flows_out_once(driver, sim, shop, erp):
    require(driver, "partial_cancel")
    channel, skus = shop
    order = ingest(driver, sim, channel, [(skus[0], 1), (skus[1], 1)], shopper=3)
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    item = order.items.get(sku=skus[0])
    post(erp, f"/api/v1/orders/{order.pk}/cancel/", {"items": [{"order_item": item.pk, "quantity": 1}],
                                                     "reason": reason("cancel", "out_of_stock")})
    result = run(channel, "send_cancel_order_items")
    assert (result.succeeded, result.failed) == (1, 0), lines_of(result)
    assert CancellationRequest.objects.get(order=order).remote_status == "sent"
    assert driver.cancelled_skus(sim, order) == {skus[0]}
    assert run(channel, "send_cancel_order_items").selected == 0  # sent once


def live_units(channel, order_number) -> Counter:
    """Units per sku still to be delivered, over every local order of one marketplace order
    (a marketplace may move the lines not cancelled into a new package, i.e. a new local order)."""
    from mpdash.orders.models import CancellationRequestItem

    units = Counter()
    for order in Order.objects.filter(channel=channel, marketplace_order_number=order_number):
        if order.status == OrderStatus.CANCELLED:
            continue
        for item in order.items.all():
            cancelled = sum(CancellationRequestItem.objects.filter(
                order_item=item, request__cancellation_type="cancel").values_list("quantity", flat=True))
            units[item.sku] += item.quantity - cancelled
    return +units


def test_a_customer_cancelling_one_line_arrives_once(driver, sim, shop, erp):
    require(driver, "partial_cancel")
    channel, skus = shop
    order = ingest(driver, sim, channel, [(skus[0], 1), (skus[2], 2)], shopper=5)
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    driver.customer_cancels(sim, order, skus[2])
    assert driver.cancelled_skus(sim, order) == {skus[2]}
    for flow in ("get_cancel_orders", "get_orders", "get_cancel_orders", "get_orders"):  # twice: stored once
        result = run(channel, flow)
        assert result.status == "success", (flow, result.message, lines_of(result))
    assert live_units(channel, order.marketplace_order_number) == Counter({skus[0]: 1})
    assert CancellationRequest.objects.filter(order=order, cancellation_type="cancel").count() == 1
    assert run(channel, "send_cancel_order_items").selected == 0  # never echoed back


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_claim_is_decided_here_and_the_marketplace_sees_it(decision, driver, sim, shop, erp):
    require(driver, f"claim_{decision}")
    channel, skus = shop
    order = ingest(driver, sim, channel, [(skus[1], 2)], shopper=4)
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    driver.deliver(sim, channel, order)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    claim_id = driver.open_claim(sim, order, skus[1])
    got = run(channel, "get_refund_orders")
    assert got.status == "success", (got.message, lines_of(got))
    refund = CancellationRequest.objects.get(order=order, cancellation_type="refund")
    assert refund.status == "open" and refund.marketplace_claim_id == claim_id
    run(channel, "get_refund_orders")
    assert CancellationRequest.objects.filter(order=order, cancellation_type="refund").count() == 1
    assert driver.claim_outcome(sim, claim_id) == "open"

    body = {"decision": "approve"} if decision == "approve" else {
        "decision": "reject", "reason": reason("refund", "not_as_described"), "description": "Used and washed."}
    post(erp, f"/api/v1/refund_requests/{refund.pk}/decision/", body)
    sent = run(channel, f"{decision}_refund")
    assert (sent.succeeded, sent.failed) == (1, 0), lines_of(sent)
    refund.refresh_from_db()
    assert refund.status == ("approved" if decision == "approve" else "rejected")
    assert driver.claim_outcome(sim, claim_id) == ("approved" if decision == "approve" else "rejected")
    assert run(channel, f"{decision}_refund").succeeded == 0  # sent once
