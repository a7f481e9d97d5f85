"""Orders from the Hepsiburada simulator, in-process with real HTTP: paid lines are packed,
each package becomes exactly one local order with mapped address and number, re-reads and
overlapping windows never duplicate, an unmapped township is held under its penalty and
stored once the mapping exists, and shipped/delivered news moves orders forward."""

from __future__ import annotations

import time

import pytest

from mpdash.integration import penalties
from mpdash.integration.models import FailedIntegration, InboundCursor, InboundItem
from mpdash.orders.models import Order, OrderStatus, Township

from ..conftest import make_products
from .conftest import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(channel_factory, oms_sim, lists, no_celery):
    products = make_products(lists, 5, prefix="HB")
    oms_sim.add_listings([{"merchantSku": p.sku, "price": 100, "availableStock": 50} for p in products])
    ch = channel_factory(
        url=oms_sim.url, active=True, flags=("get_orders", "get_updated_orders"), automatic_packing=True,
        order_number_format="HB-{orderNumber}-{id}",
    )
    fi = dict(ch.config["failed_integration"])
    fi["order"] = {"RETRY_INTERVAL": 1, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 5}
    ch.update_config({"failed_integration": fi})
    ch.save()
    ch.products = products
    return ch


def place(sim, sku, quantity, *, shopper):
    # Two minutes ago: Hepsiburada's windows are whole minutes, the current one is read next run.
    return sim.place_order([{"merchantSku": sku, "quantity": quantity}], shopper=shopper, at=time.time() - 120)


def test_orders_arrive_once_with_address_and_number(channel, oms_sim):
    placed = [place(oms_sim, channel.products[i].sku, 1 + i, shopper=i) for i in range(3)]
    first = run(channel)
    assert first.status == "success", first.message
    orders = list(Order.objects.filter(channel=channel).order_by("id"))
    assert len(orders) == 3
    by_number = {o.marketplace_order_number: o for o in orders}
    for p in placed:
        order = by_number[p["orderNumber"]]
        assert order.number == f"HB-{p['orderNumber']}-{order.package_id}"
        assert order.shipping_address.township_id and order.shipping_address.city_id
        assert order.items.count() == 1 and order.status == OrderStatus.APPROVED
    # Read again (and again from an older cursor): nothing new, nothing duplicated.
    run(channel)
    assert Order.objects.filter(channel=channel).count() == 3
    InboundCursor.objects.filter(channel=channel, flow="get_orders").update(high_water=None)
    run(channel)
    assert Order.objects.filter(channel=channel).count() == 3
    assert len({o.package_id for o in Order.objects.filter(channel=channel)}) == 3


def test_unmapped_township_is_held_and_stored_after_the_fix(channel, oms_sim):
    placed = place(oms_sim, channel.products[0].sku, 1, shopper=0)
    # Make the shopper's township unknown locally, as if our address table lacked it.
    order_detail = oms_sim.order(placed["orderNumber"])
    township_name = _township_of(order_detail)
    township = Township.objects.filter(name__iexact=township_name).first()
    assert township is not None, township_name
    original = township.name
    township.name = f"{original} (renamed)"
    township.save()
    result = run(channel)
    assert result.failed == 1
    line = result.lines.get(outcome="fail")
    assert "Address is not valid" in line.message and "model: Township" in line.message
    held = InboundItem.objects.get(channel=channel, flow="get_orders")
    assert FailedIntegration.objects.filter(channel=channel, kind="order", object_id=held.pk).exists()
    assert not Order.objects.filter(channel=channel).exists()
    # The cursor moved on, yet the held order is retried: fix the table, lift the penalty.
    township.name = original
    township.save()
    penalties.lift(channel, [held.key])
    retried = run(channel)
    assert Order.objects.filter(channel=channel).count() == 1, retried.message
    assert not InboundItem.objects.filter(channel=channel).exists()
    assert not FailedIntegration.objects.filter(channel=channel, kind="order").exists()


def _township_of(order_detail) -> str:
    """The township (ilçe) of an order's shipping address in the simulator's answer."""
    town = ((order_detail.get("customer") or {}).get("address") or {}).get("town")
    if town:
        return town
    for key in ("shippingAddress", "deliveryAddress", "address"):
        address = order_detail.get(key) if isinstance(order_detail, dict) else None
        if isinstance(address, dict):
            for name in ("town", "township", "district", "county"):
                if address.get(name):
                    return address[name]
    for item in (order_detail.get("items") or order_detail.get("lines") or []):
        address = item.get("shippingAddress") or {}
        for name in ("town", "township", "district", "county"):
            if address.get(name):
                return address[name]
    raise AssertionError(f"no township in {order_detail}")


def test_shipped_and_delivered_move_orders_forward(channel, oms_sim):
    placed = place(oms_sim, channel.products[1].sku, 2, shopper=1)
    run(channel)
    order = Order.objects.get(channel=channel, marketplace_order_number=placed["orderNumber"])
    oms_sim.move_package(order.package_id, "InTransit", tracking_number="HJ123456", at=time.time() - 90)
    result = run(channel, "get_updated_orders")
    assert result.status == "success", result.message
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED and order.tracking_number == "HJ123456"
    oms_sim.move_package(order.package_id, "Delivered", at=time.time() - 60)
    run(channel, "get_updated_orders")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED


def test_micro_export_orders_are_stored_with_the_delivery_address_abroad(channel, oms_sim):
    """A shopper abroad: no Turkish city or township to check the names against; the order is
    stored with the country and city, and (billing_address_same_as_shipping) one address."""
    channel.update_config({"billing_address_same_as_shipping": True})
    channel.save()
    placed = oms_sim.place_order([{"merchantSku": channel.products[0].sku, "quantity": 1}], micro_export=True,
                                 shopper=3, at=time.time() - 120)
    result = run(channel)
    assert result.status == "success", (result.message, list(result.lines.values("message")))
    order = Order.objects.get(channel=channel, marketplace_order_number=placed["orderNumber"])
    shipping = order.shipping_address
    assert shipping.country.code != "TR" and shipping.city.name and shipping.township is None
    assert order.billing_address.country_id == shipping.country_id and order.billing_address.city_id == shipping.city_id
