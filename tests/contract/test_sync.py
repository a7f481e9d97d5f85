"""Stock and price sync: one record the marketplace refuses never holds back the others."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mpdash.catalog.models import ProductPrice, ProductStock
from mpdash.integration import penalties
from mpdash.integration.models import FailedIntegration, PendingChange

from ..conftest import make_products
from .conftest import lines_of, require, run, settle

pytestmark = pytest.mark.django_db

KIND = {"stock": "productstock", "price": "productprice"}


def remote(driver, sim, kind, sku):
    return driver.remote_stock(sim, sku) if kind == "stock" else driver.remote_price(sim, sku)


@pytest.mark.parametrize("kind", ["stock", "price"])
def test_one_failing_record_and_the_others_land(kind, driver, sim, make_channel, lists):
    require(driver, "sync")
    products = make_products(lists, 4, prefix="CS", quantity=6, price="120.50")
    good, bad = products[:3], products[3]
    expected = 6 if kind == "stock" else Decimal("120.50")
    driver.list_products(sim, good, stock=0, price=1)
    how = driver.prepare_failing_record(sim, bad)
    channel = make_channel("stock", "price")

    flow_run = run(channel, kind)
    settle()
    flow_run.refresh_from_db()
    assert (flow_run.sent, flow_run.succeeded, flow_run.failed) == (4, 3, 1), (how, lines_of(flow_run))
    for p in good:
        assert remote(driver, sim, kind, p.sku) == expected, p.sku
        assert driver.history(sim, p.sku, kind) == [expected], p.sku
    [failed_line] = flow_run.lines.filter(outcome="fail")
    assert failed_line.object_key == bad.sku and failed_line.message, lines_of(flow_run)
    penalty = FailedIntegration.objects.get(channel=channel, kind=KIND[kind])
    assert penalty.object_key == bad.sku and penalty.last_error
    assert list(PendingChange.objects.filter(channel=channel, kind=KIND[kind]).values_list("product__sku", flat=True)) == [bad.sku]

    # Fixed on the marketplace: the penalised record goes out once more; the others are not resent.
    driver.list_products(sim, [bad], stock=0, price=1)
    penalties.lift(channel, [bad.sku])
    again = run(channel, kind)
    settle()
    again.refresh_from_db()
    assert (again.sent, again.succeeded, again.failed) == (1, 1, 0), lines_of(again)
    assert remote(driver, sim, kind, bad.sku) == expected
    assert driver.history(sim, bad.sku, kind) == [expected]
    assert all(driver.history(sim, p.sku, kind) == [expected] for p in good)
    assert not PendingChange.objects.filter(channel=channel, kind=KIND[kind]).exists()
    assert not FailedIntegration.objects.filter(channel=channel).exists()


def test_a_later_change_is_sent_and_stock_never_goes_backwards(driver, sim, make_channel, lists):
    require(driver, "sync")
    [product] = make_products(lists, 1, prefix="CB", quantity=5, price="10.00")
    driver.list_products(sim, [product], stock=0, price=1)
    channel = make_channel("stock", "price")
    run(channel, "stock")  # still in flight when the next change arrives
    stock = ProductStock.objects.get(product=product)
    stock.quantity = 9
    stock.save()
    price = ProductPrice.objects.get(product=product)
    price.price = Decimal("12.30")
    price.save()
    settle()
    run(channel, "stock")
    run(channel, "price")
    settle()
    assert driver.history(sim, product.sku, "stock") == [5, 9]
    assert driver.remote_price(sim, product.sku) == Decimal("12.30")
    assert not PendingChange.objects.filter(channel=channel, kind__in=KIND.values()).exists()
