"""The catalog path on every marketplace: create → approval → update → delete, and a rejection."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mpdash.catalog.models import CatalogItem, ProductPrice, ProductStock
from mpdash.channels.mapper import preview
from mpdash.integration.models import FailedIntegration, PendingChange

from ..integration.product_helpers import integration, wait_approvals
from .conftest import lines_of, run, settle

pytestmark = pytest.mark.django_db


def test_create_approve_update_delete(driver, sim, mapped, lists):
    channel, category = mapped
    product = driver.add_product(lists, category, "CTR-000001")
    shown = preview(channel, product)
    assert shown["valid"], shown["errors"]

    created = run(channel, "product_create")
    settle()
    assert integration(channel, product).state in ("pending_approval", "on_sale"), integration(channel, product).reasons
    assert driver.product_state(sim, product) is not None
    driver.approve(sim, product)
    wait_approvals(channel)
    row = integration(channel, product)
    assert row.state == "on_sale" and row.created_remotely and row.accepted_version == product.version, row.reasons
    created.refresh_from_db()
    assert (created.sent, created.succeeded, created.failed) == (1, 1, 0), lines_of(created)

    # An edit: product_update (not create) sends it, once.
    product.name = "Keten elbise, yeni sezon"
    product.save()
    assert PendingChange.objects.filter(channel=channel, kind="product", product=product).exists()
    assert run(channel, "product_create").sent == 0
    updated = run(channel, "product_update")
    settle()
    updated.refresh_from_db()
    assert (updated.sent, updated.succeeded, updated.failed) == (1, 1, 0), lines_of(updated)
    assert not PendingChange.objects.filter(channel=channel, kind="product", product=product).exists()

    # Out of the catalog: off sale on the marketplace.
    CatalogItem.objects.filter(product=product).delete()
    deleted = run(channel, "delete_product")
    settle()
    deleted.refresh_from_db()
    assert deleted.failed == 0, lines_of(deleted)
    assert integration(channel, product).state == "deleted"
    assert driver.off_sale(sim, product), driver.product_state(sim, product)


def test_a_rejection_keeps_the_marketplace_reason(driver, sim, mapped, lists):
    channel, category = mapped
    product = driver.add_product(lists, category, "CTR-000002")
    driver.reject(sim, product, "Görseller ürünle uyuşmuyor")
    run(channel, "product_create")
    settle()
    wait_approvals(channel)
    row = integration(channel, product)
    assert row.state == "rejected", (row.state, row.reasons)
    assert any("uyuşmuyor" in r for r in row.reasons), row.reasons


def test_stock_and_price_changed_during_the_review_wait_for_it_then_land(driver, sim, mapped, lists):
    """A new product's stock and price changed while the marketplace reviews it: where the
    product takes them only once approved (listed on approval) they wait, never fail or get
    penalised; elsewhere they go at once. Either way they land once it is on sale, under the
    name the marketplace gave the product (Trendyol: its barcode, not our sku)."""
    channel, category = mapped
    product = driver.add_product(lists, category, "CTR-000003")
    run(channel, "product_create")
    settle()
    assert integration(channel, product).state in ("pending_approval", "on_sale"), integration(channel, product).reasons
    stock = ProductStock.objects.get(product=product)
    stock.quantity = 17
    stock.save()
    price = ProductPrice.objects.get(product=product)
    price.price, price.retail_price = Decimal("77.50"), Decimal("99.00")
    price.save()
    early = [run(channel, kind) for kind in ("stock", "price")]
    settle()
    for flow_run in early:
        flow_run.refresh_from_db()
        assert flow_run.failed == 0, lines_of(flow_run)
    assert not FailedIntegration.objects.filter(channel=channel).exists()

    driver.approve(sim, product)
    wait_approvals(channel)
    assert integration(channel, product).state == "on_sale", integration(channel, product).reasons
    for kind in ("stock", "price"):
        late = run(channel, kind)
        settle()
        late.refresh_from_db()
        assert late.failed == 0, lines_of(late)
    assert driver.remote_stock(sim, driver.listed_as(product)) == 17
    assert driver.remote_price(sim, driver.listed_as(product)) == Decimal("77.50")
    assert not PendingChange.objects.filter(channel=channel, kind__in=("productstock", "productprice")).exists()
    assert not FailedIntegration.objects.filter(channel=channel).exists()
