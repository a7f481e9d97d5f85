"""Stock and price through N11's price-stock-update tasks, in-process with real HTTP to the
N11 simulator: buffer stock, one failing record, prices always in pairs."""

from __future__ import annotations

import pytest

from mpdash.catalog.models import ProductPrice, ProductStock
from mpdash.integration.dispatch import execute
from mpdash.integration.models import FailedIntegration, FlowRun, PendingChange

from ..conftest import make_products
from .conftest import n11_channel
from .test_sync_flow import settle

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(lists, n11_sim, no_celery):
    products = make_products(lists, 5, prefix="N11", quantity=10)
    n11_sim.add_products([{"stockCode": p.sku, "salePrice": 1, "listPrice": 1, "quantity": 0} for p in products[:4]])
    channel = n11_channel(lists, n11_sim, ("stock", "price"), buffer_stock=3)
    channel.products = products
    return channel


def test_stock_lands_with_buffer_and_the_unknown_sku_alone_fails(channel, n11_sim):
    [run_id] = execute(channel.pk, "stock", "manual")
    settle()
    run = FlowRun.objects.get(pk=run_id)
    assert run.status == "partial", run.message  # one of five failed
    for product in channel.products[:4]:
        assert n11_sim.product(product.sku)["quantity"] == 7  # 10 minus the buffer of 3
        assert n11_sim.product(product.sku)["salePrice"] == 1  # prices untouched by a stock task
    missing = channel.products[4]
    assert FailedIntegration.objects.filter(channel=channel, kind="productstock", object_key=missing.sku).exists()
    assert not PendingChange.objects.filter(channel=channel, kind="productstock", product__in=channel.products[:4]).exists()
    ProductStock.objects.filter(product=channel.products[0]).update(quantity=2)
    execute(channel.pk, "stock", "manual")
    settle()
    assert n11_sim.product(channel.products[0].sku)["quantity"] == 0  # never below 0


def test_prices_go_as_pairs_and_a_list_price_below_sale_fails_only_its_record(channel, n11_sim):
    ProductPrice.objects.filter(product=channel.products[1]).update(price="150.00", retail_price="120.00")
    ProductPrice.objects.filter(product=channel.products[2]).update(price="99.999", retail_price=None)
    [run_id] = execute(channel.pk, "price", "manual")
    settle()
    assert FlowRun.objects.get(pk=run_id).status == "partial"
    assert n11_sim.product(channel.products[0].sku)["salePrice"] == 100.0
    assert n11_sim.product(channel.products[2].sku)["salePrice"] == n11_sim.product(channel.products[2].sku)["listPrice"]
    assert n11_sim.product(channel.products[1].sku)["salePrice"] == 1  # refused by N11: unchanged
    failed = FailedIntegration.objects.get(channel=channel, kind="productprice", object_key=channel.products[1].sku)
    assert "listPrice must be at least salePrice" in failed.last_error
    assert n11_sim.product(channel.products[0].sku)["quantity"] == 0  # stock untouched by a price task
