"""Orders on the N11 simulator, over real HTTP and through the REST API: packages become
orders exactly once; our status goes out as Picking; N11's shipped / delivered / cancelled
come in; a partial cancellation made here goes out as a split by quantity."""

from __future__ import annotations

import pytest

from mpdash.integration.models import InboundCursor
from mpdash.orders.models import Order, OrderStatus

from ..conftest import make_products
from .conftest import assert_cancelled_once_not_echoed, assert_shipped_then_delivered, n11_channel, post, reason, run

pytestmark = pytest.mark.django_db

FLOWS = ("get_orders", "get_updated_orders", "get_cancel_orders", "send_update_orders", "send_cancel_order_items")


@pytest.fixture
def channel(lists, n11_sim, no_celery):
    products = make_products(lists, 3, prefix="N11O")
    n11_sim.add_products([{"stockCode": p.sku, "salePrice": 100, "listPrice": 120, "quantity": 50} for p in products])
    channel = n11_channel(lists, n11_sim, FLOWS, order_number_format="N11-{orderNumber}-{id}",
                          cancellation_reason_id=reason("cancel", "marketplace_cancelled"),
                          default_reason_id=reason("refund", "marketplace_refund"))
    channel.products = products
    return channel


def ingest(channel, sim, lines) -> Order:
    placed = sim.place_order(lines)
    result = run(channel, "get_orders")
    assert result.status == "success", (result.message, list(result.lines.values("message")))
    return Order.objects.get(channel=channel, package_id=placed["packageId"])


def test_packages_become_orders_once(channel, n11_sim):
    placed = [n11_sim.place_order([{"stockCode": channel.products[i].sku, "quantity": 1}]) for i in range(3)]
    assert run(channel).status == "success"
    orders = {o.package_id: o for o in Order.objects.filter(channel=channel)}
    assert set(orders) == {p["packageId"] for p in placed}
    for p in placed:
        order = orders[p["packageId"]]
        assert order.number == f"N11-{p['orderNumber']}-{p['packageId']}"
        assert order.shipping_address.township_id and order.items.get().remote_line_id == p["lines"][0]["lineId"]
    InboundCursor.objects.filter(channel=channel, flow="get_orders").update(high_water=None)
    run(channel)
    run(channel)
    assert Order.objects.filter(channel=channel).count() == 3


def test_status_out_then_shipped_and_delivered_in(channel, n11_sim, erp):
    order = ingest(channel, n11_sim, [{"stockCode": channel.products[0].sku, "quantity": 2}])
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    post(erp, f"/api/v1/orders/{order.pk}/status/", {"status": OrderStatus.PREPARING})
    sent = run(channel, "send_update_orders")
    assert sent.succeeded == 1, list(sent.lines.values("message"))
    assert n11_sim.package(order.package_id)["shipmentPackageStatus"] == "Picking"
    assert_shipped_then_delivered(channel, n11_sim.set_package_status, order.package_id, "YK77")


def test_cancellation_on_n11_arrives_once_and_is_not_echoed(channel, n11_sim, erp):
    order = ingest(channel, n11_sim, [{"stockCode": channel.products[1].sku, "quantity": 1}])
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    n11_sim.set_package_status(order.package_id, "Cancelled")
    assert_cancelled_once_not_echoed(channel, order)


def test_partial_cancel_goes_out_as_a_split_and_the_rest_arrives_as_a_new_package(channel, n11_sim, erp):
    order = ingest(channel, n11_sim, [{"stockCode": channel.products[2].sku, "quantity": 3}])
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    item = order.items.get()
    post(erp, f"/api/v1/orders/{order.pk}/cancel/", {"items": [{"order_item": item.pk, "quantity": 1}]})
    result = run(channel, "send_cancel_order_items")
    assert result.succeeded == 1, list(result.lines.values("message"))
    assert n11_sim.cancelled_lines()[0]["quantity"] == 1 and n11_sim.cancelled_lines()[0]["reasonId"] == 65
    assert n11_sim.package(order.package_id)["shipmentPackageStatus"] == "UnPacked"
    kept = n11_sim.package_of_line(item.remote_line_id)
    assert kept["lines"][0]["quantity"] == 2
    assert run(channel, "get_orders").status == "success"
    new = Order.objects.get(channel=channel, package_id=kept["id"])
    assert new.items.get().quantity == 2
    assert run(channel, "get_cancel_orders").status == "success"
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Order.objects.filter(channel=channel).count() == 2
