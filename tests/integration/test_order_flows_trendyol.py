"""Orders from the Trendyol simulator: shipment packages become local orders exactly once;
Awaiting packages wait until Trendyol confirms them; shipped/delivered move them forward."""

from __future__ import annotations

import time

import pytest

from mpdash.integration.models import InboundCursor
from mpdash.orders.models import Order

from ..conftest import make_products
from .conftest import assert_shipped_then_delivered, run, trendyol_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(lists, ty_sim, no_celery):
    products = make_products(lists, 4, prefix="TY")
    ty_sim.add_products([{"barcode": p.sku, "stockCode": p.sku, "quantity": 50, "salePrice": 100, "listPrice": 120} for p in products])
    channel = trendyol_channel(lists, ty_sim, ("get_orders", "get_updated_orders"), order_number_format="TY-{orderNumber}-{id}")
    channel.products = products
    return channel


def test_packages_become_orders_once(channel, ty_sim):
    placed = [ty_sim.place_order([{"barcode": channel.products[i].sku, "quantity": 1}]) for i in range(3)]
    first = run(channel)
    assert first.status == "success", first.message
    orders = {o.package_id: o for o in Order.objects.filter(channel=channel)}
    assert set(orders) == {str(p["packageId"]) for p in placed}
    for p in placed:
        order = orders[str(p["packageId"])]
        assert order.number == f"TY-{p['orderNumber']}-{p['packageId']}"
        assert order.shipping_address.township_id and order.items.get().sku in {x.sku for x in channel.products}
    InboundCursor.objects.filter(channel=channel, flow="get_orders").update(high_water=None)
    run(channel)
    run(channel)
    assert Order.objects.filter(channel=channel).count() == 3


def test_awaiting_packages_wait_for_confirmation(channel, ty_sim):
    ty_sim.configure(awaiting_delay=1.0)
    placed = ty_sim.place_order([{"barcode": channel.products[0].sku, "quantity": 1}])
    waiting = run(channel)
    assert not Order.objects.filter(channel=channel).exists()
    assert waiting.skipped == 1 and "awaiting" in waiting.lines.get(outcome="skipped").message
    time.sleep(1.2)
    run(channel)
    assert Order.objects.filter(channel=channel, package_id=str(placed["packageId"])).exists()


def test_shipped_and_delivered(channel, ty_sim):
    placed = ty_sim.place_order([{"barcode": channel.products[1].sku, "quantity": 2}])
    run(channel)
    order = Order.objects.get(channel=channel, package_id=str(placed["packageId"]))
    adapter = channel.adapter()
    from mpdash.marketplaces.base import OrderUpdate

    assert adapter.send_order_update(OrderUpdate(package_id=order.package_id, status="picking")).ok
    adapter.close()
    assert_shipped_then_delivered(channel, ty_sim.set_package_status, order.package_id, "TEX123")


def test_the_daily_sweep_finds_an_order_the_windows_missed(channel, ty_sim):
    """A package dated before the cursor's window (a marketplace that published it late) is
    found by the reconciliation sweep, which re-reads the last ``reconciliation_days``."""
    from datetime import timedelta

    from django.utils import timezone

    run(channel)  # the cursor is now at "now"; the sweep of this first day is done
    cursor = InboundCursor.objects.get(channel=channel, flow="get_orders")
    assert cursor.high_water and cursor.last_sweep_at
    late = ty_sim.place_order([{"barcode": channel.products[2].sku, "quantity": 1}],
                              orderDate=int((time.time() - 2 * 86400) * 1000))
    run(channel)
    assert not Order.objects.filter(package_id=str(late["packageId"])).exists()  # outside the window
    InboundCursor.objects.filter(pk=cursor.pk).update(last_sweep_at=timezone.now() - timedelta(hours=25))
    swept = run(channel)
    assert Order.objects.filter(package_id=str(late["packageId"])).count() == 1, swept.message
    assert InboundCursor.objects.get(pk=cursor.pk).last_sweep_at > timezone.now() - timedelta(minutes=1)
