"""The catalog path on every marketplace: create → approval → update → delete, and a rejection."""

from __future__ import annotations

import pytest

from mpdash.catalog.models import CatalogItem
from mpdash.channels.mapper import preview
from mpdash.integration.models import PendingChange

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
