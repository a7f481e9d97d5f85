"""Amazon.com orders stored by the order core: a US address kept without Türkiye's city and
township tables (the township stays empty, the finer names stay text on the address), the
order in USD, read once however often get_orders runs; and stock sent by feed end to end."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mpdash.marketplaces.amazon.simulator import serve
from mpdash.orders.models import Order

from ..conftest import ensure_reference_data, make_products

pytestmark = pytest.mark.django_db


@pytest.fixture
def amazon(lists, no_celery):
    from mpdash.channels.models import SalesChannel

    sim = serve(processing_delay=0.1, rate_limits=False, seller_id="A3INTEGRATIONUS1")
    company = ensure_reference_data()
    channel = SalesChannel(name="Amazon US", slug="amazon-us", marketplace="amazon", **lists)
    channel.save()
    flags = {f: f in ("get_orders", "send_updated_product_stock") for f in channel.config["feature_flags"]}
    channel.update_config({**sim.adapter_config(), "category_ids": ["SHOES"], "feature_flags": flags,
                           "cargo_company_mapping": {"default": company}, "cancellation_reason_id": 1,
                           "default_reason_id": 1})
    channel.is_active = True
    channel.full_clean()
    channel.save()
    yield channel, sim
    sim.stop()


def test_a_us_order_is_stored_with_its_foreign_address_and_currency(amazon, lists):
    from ..contract.conftest import run

    channel, sim = amazon
    products = make_products(lists, 1, prefix="AMZ")
    sim.put_listing(products[0].sku, quantity=5, price=39.99)
    placed = sim.place_order([(products[0].sku, 2)], shopper=7, age=130)
    for _ in range(2):
        result = run(channel, "get_orders")
        assert result.status == "success", result.message
    order = Order.objects.get(channel=channel, marketplace_order_number=placed["AmazonOrderId"])
    assert order.currency == "USD" and order.amount == Decimal("79.98")
    address = order.shipping_address
    assert address.country.code == "US" and address.township_id is None and address.district_id is None
    assert address.city.name == placed["ShippingAddress"]["City"]
    assert Order.objects.filter(channel=channel).count() == 1


def test_delivered_returns_and_reconciliation_through_the_flows(amazon, lists):
    """get_updated_orders moves a shipped order to delivered (Orders 2026-01-01 packages);
    get_refund_orders opens one refund request per return, its Amazon reason mapped; the
    reconciliation reads what Amazon lists (searchListingsItems)."""
    from mpdash.integration.models import Reconciliation
    from mpdash.marketplaces.base import OrderUpdate
    from mpdash.orders.models import CancellationRequest, OrderStatus

    from ..contract.conftest import run
    from .conftest import reason

    channel, sim = amazon
    flags = {f: True for f in ("get_orders", "get_updated_orders", "get_refund_orders")}
    channel.update_config({"feature_flags": {**channel.config["feature_flags"], **flags},
                           "refund_reason_mapping": {"CR-DEFECTIVE": reason("refund", "damaged_product")},
                           "default_reason_id": reason("refund", "marketplace_refund")})
    channel.save()
    products = make_products(lists, 3, prefix="AMD")
    for product in products:
        sim.put_listing(product.sku, quantity=9, price=100)
    placed = sim.place_order([(products[0].sku, 2)], age=130)
    assert run(channel, "get_orders").status == "success"
    order = Order.objects.get(channel=channel, marketplace_order_number=placed["AmazonOrderId"])
    adapter = channel.adapter()
    line = sim.order(placed["AmazonOrderId"])["items"][0]["OrderItemId"]
    assert adapter.send_order_update(OrderUpdate(order.package_id, "shipped", [(line, 2)], cargo_company="UPS",
                                                 tracking_number="1ZAMD")).ok
    adapter.close()
    sim.deliver(placed["AmazonOrderId"], age=130)
    result = run(channel, "get_updated_orders")
    assert result.status == "success", result.message
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.tracking_number == "1ZAMD"

    rma = sim.open_return(placed["AmazonOrderId"], products[0].sku, reason="CR-DEFECTIVE")
    for _ in range(2):  # read twice: stored once
        result = run(channel, "get_refund_orders")
        assert result.status == "success", result.message
    refund = CancellationRequest.objects.get(order=order, cancellation_type="refund")
    assert refund.marketplace_claim_id == rma and refund.status == "open"
    assert refund.reason_id == reason("refund", "damaged_product") and refund.items.get().quantity == 1

    result = run(channel, "reconcile")
    assert result.status == "success", result.message
    figures = Reconciliation.objects.get(channel=channel).figures
    assert figures["listed"] == 3 and figures["total_skus"] == 3 and figures["on_sale"] == 3


def test_the_demo_channel_goes_through_the_catalog_path(no_celery):
    """The demo's Amazon channel: product types read, the clothing mapped to SHIRT, created by
    putListingsItem, on sale once BUYABLE."""
    from mpdash import demo_channels
    from mpdash.demo import create_demo_catalog
    from mpdash.integration.models import ProductIntegration
    from mpdash.marketplaces import registry

    from ..contract.conftest import run
    from .product_helpers import wait_approvals

    demo = registry.demo("amazon")
    lists = create_demo_catalog(60)
    sim = serve(port=0, **{**demo.simulator_options, "approval_delay": 0.2, "order_rate": 0.0})
    try:
        channel = demo_channels.set_up("amazon", demo, lists, sim.url, log=lambda _: None)
        result = run(channel, "product_create")
        assert result.status == "success", result.message
        wait_approvals(channel)
        states = dict(ProductIntegration.objects.filter(channel=channel).values_list("product__sku", "state"))
        assert len(states) == channel.catalog.items.count() > 0
        on_sale = [sku for sku, state in states.items() if state == ProductIntegration.State.ON_SALE]
        assert on_sale and all(sim.listing(sku)["productType"] == "SHIRT" for sku in on_sale)
    finally:
        sim.stop()
