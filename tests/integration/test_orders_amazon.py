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
