"""The catalog path on the N11 simulator: tree (one call) → attributes → map → preview →
product-create task → N11's review → on sale; a barcode already in N11's catalog waits for
the seller's approval; a refused product comes back with N11's reason."""

from __future__ import annotations

import pytest

from mpdash.catalog.models import CatalogItem
from mpdash.channels.mapper import preview
from mpdash.channels.models_remote import RemoteCategory
from mpdash.integration.dispatch import execute
from mpdash.integration.models import FlowRun

from . import product_helpers
from .conftest import n11_channel
from .product_helpers import integration, wait_approvals
from .test_sync_flow import settle

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(lists, n11_sim, no_celery):
    return n11_channel(lists, n11_sim, ("product_create", "delete_product", "stock", "price"), category_ids=["1000100"])


@pytest.fixture
def mapped(channel, n11_sim):
    from ..contract.drivers.n11 import N11Driver

    local = N11Driver().map_catalog(channel, n11_sim)  # tree, attributes, default attributes; Elbise mapped
    assert set(RemoteCategory.objects.filter(channel=channel).values_list("remote_id", flat=True)) == {
        "1000100", "1000101", "1000102"}
    return local


def add_product(lists, category, sku, **attributes):
    return product_helpers.add_product(lists, category, sku, barcode=f"869{sku}", images=1, **attributes)


def test_create_review_on_sale_and_delete(channel, mapped, lists, n11_sim):
    product = add_product(lists, mapped, "N11-P1")
    shown = preview(channel, product)
    assert shown["valid"], shown["errors"]
    payload = shown["payload"]
    assert payload["categoryId"] == 1000101 and payload["barcode"] == "869N11-P1" and payload["currencyType"] == "TL"
    assert {a["id"] for a in payload["attributes"]} == {1, 2, 3} and payload["listPrice"] == 599.9
    [run_id] = execute(channel.pk, "product_create", "manual")
    settle()
    assert FlowRun.objects.get(pk=run_id).status == "success"
    assert integration(channel, product).state == "pending_approval"
    wait_approvals(channel)
    assert integration(channel, product).state == "on_sale"
    assert n11_sim.product("N11-P1")["quantity"] == 7

    CatalogItem.objects.filter(product=product).delete()
    execute(channel.pk, "delete_product", "manual")
    settle()
    assert integration(channel, product).state == "deleted"
    assert n11_sim.product("N11-P1")["quantity"] == 0


def test_barcode_in_n11_catalog_waits_for_the_seller(channel, mapped, lists, n11_sim):
    product = add_product(lists, mapped, "N11-P2")
    n11_sim.add_catalog_barcodes(["869N11-P2"])
    execute(channel.pk, "product_create", "manual")
    settle()
    row = integration(channel, product)
    assert row.state == "pending_approval"
    wait_approvals(channel, timeout=1.0)
    assert integration(channel, product).state == "pending_approval"  # N11 does not approve it: the seller does
    n11_sim.seller_approve("N11-P2")
    wait_approvals(channel)
    assert integration(channel, product).state == "on_sale"


def test_unknown_value_fails_before_sending(channel, mapped, lists, n11_sim):
    product = add_product(lists, mapped, "N11-P3", beden="XXXXL-Dev")
    execute(channel.pk, "product_create", "manual")
    row = integration(channel, product)
    assert row.state == "failed" and any("XXXXL-Dev" in r for r in row.reasons), row.reasons
    assert n11_sim.requests_total == 1 + 2  # the tree and two leaves' attributes: nothing was sent
