"""The reconciliation flow against the Hepsiburada simulator: the Dashboard's figures, the
SKUs behind them with reasons, and differences corrected by sending the SKUs again."""

from __future__ import annotations

import pytest

from mpdash.catalog.models import Product, ProductPrice, ProductStock
from mpdash.integration.models import PendingChange, Reconciliation

from ..conftest import make_products
from .conftest import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(channel_factory, sim, lists, no_celery):
    products = make_products(lists, 6, prefix="REC", quantity=10, price="100.00")
    Product.objects.filter(pk=products[4].pk).update(images=[])  # not listed, and no image either
    ProductStock.objects.filter(product=products[5]).update(quantity=0)  # nothing to sell
    sim.add_listings([
        {"merchantSku": products[0].sku, "price": 100, "availableStock": 10},
        {"merchantSku": products[1].sku, "price": 90, "availableStock": 10},  # price differs
        {"merchantSku": products[2].sku, "price": 100, "availableStock": 3},  # stock differs
        {"merchantSku": products[3].sku, "price": 100, "availableStock": 0},  # listed, not on sale
    ])
    channel = channel_factory(url=sim.url, active=True, flags=("stock", "price"))
    PendingChange.objects.filter(channel=channel).delete()  # as if everything had been sent long ago
    return channel, products


def test_figures_reasons_and_corrections(setup, sim):
    channel, products = setup
    result = run(channel, "reconcile")
    assert result.status == "success", result.message
    report = Reconciliation.objects.get(channel=channel)
    f = report.figures
    assert f["total_skus"] == 6 and f["listed"] == 4
    assert f["on_sale"] == 3  # REC-0..2 (REC-3 has no stock there)
    assert f["sellable"] == 5  # all but REC-5 (no stock here)
    assert f["sku_difference"] == 2  # REC-3 (listed, 0 there) and REC-4 (not listed)
    assert f["price_difference"] == 1 and f["price_corrected"] == 1
    assert f["stock_difference_skus"] == 2 and f["stock_corrected"] == 2  # REC-2 (3 vs 10), REC-3 (0 vs 10)
    assert f["total_stock"] == 50 and f["total_stock_on_sale"] == 23 and f["stock_difference"] == 27
    reasons = {line.sku: line.reason for line in report.lines.filter(kind="not_on_sale")}
    assert set(reasons) == {products[3].sku, products[4].sku, products[5].sku}
    assert "no image" in reasons[products[4].sku] and "not listed on the marketplace" in reasons[products[4].sku]
    assert "no stock" in reasons[products[5].sku]
    assert "listed but not on sale" in reasons[products[3].sku]
    # Corrected: queued for the price and stock flows, which send them; a second look is clean.
    assert set(PendingChange.objects.filter(channel=channel, kind="productprice").values_list("product__sku", flat=True)) == {products[1].sku}
    assert set(PendingChange.objects.filter(channel=channel, kind="productstock").values_list("product__sku", flat=True)) == {
        products[2].sku, products[3].sku}
    run(channel, "price")
    run(channel, "stock")
    assert sim.wait_until_applied()
    from mpdash.integration.tasks import poll_open_batches

    poll_open_batches()
    again = run(channel, "reconcile")
    figures = Reconciliation.objects.filter(channel=channel).first().figures
    assert figures["price_difference"] == 0 and figures["stock_difference_skus"] == 0, again.message
    assert figures["on_sale"] == 4


def test_a_failed_listing_read_fails_the_run_and_keeps_the_last_figures(setup, sim):
    channel, _ = setup
    run(channel, "reconcile")
    sim.configure(fault={"mode": "5xx", "count": 10})
    failed = run(channel, "reconcile")
    assert failed.status == "fail" and "listings failed" in failed.message
    assert Reconciliation.objects.filter(channel=channel).count() == 1
