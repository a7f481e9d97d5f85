"""The same catalog path on the Trendyol simulator: the generic flows must not bend to
one marketplace's shape. Tree → attributes → brands → map → preview → create → approval
→ on sale; update; delete; rejection; penalty and recovery."""

from __future__ import annotations

import time

import pytest

from mpdash.catalog.models import CatalogItem, Category, Product, ProductPrice, ProductStock
from mpdash.channels.mapper import preview
from mpdash.channels.models import SalesChannel
from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import RemoteBrand, RemoteCategory
from mpdash.integration.dispatch import execute
from mpdash.integration.models import FailedIntegration, FlowRun, PendingChange, ProductIntegration
from mpdash.integration.product_flow import check_approvals

from .product_helpers import integration, wait_approvals
from .test_sync_flow import settle
from . import product_helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def ty_sim():
    from mpdash.marketplaces.trendyol.simulator import serve

    server = serve(port=0, processing_delay=0.2, approval_delay=0.4, duplicate_window=0, rate_limit=0)
    yield server
    server.stop()


@pytest.fixture
def channel(lists, ty_sim, no_celery):
    channel = SalesChannel(name="Trendyol", slug="ty", marketplace="trendyol", **lists)
    channel.save()
    flags = {f: f in ("product_create", "product_update", "delete_product", "stock", "price") for f in channel.config["feature_flags"]}
    fi = dict(channel.config["failed_integration"])
    fi["product"] = {"RETRY_INTERVAL": 1, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 5}
    women = ty_sim.catalog.find("Giyim", "Kadın")
    channel.update_config({**ty_sim.adapter_config(), "category_ids": [str(women.id)], "feature_flags": flags, "failed_integration": fi,
                           "cargo_company_mapping": {"default": 1}, "cancellation_reason_id": 1, "default_reason_id": 1})
    channel.is_active = True
    channel.full_clean()
    channel.save()
    return channel


@pytest.fixture
def mapped(channel, ty_sim):
    for flow in ("category_node", "category_attributes", "default_attributes", "brands"):
        [run_id] = execute(channel.pk, flow, "manual")
        run = FlowRun.objects.get(pk=run_id)
        assert run.status == "success", (flow, run.message)
    dress = ty_sim.catalog.find("Giyim", "Kadın", "Elbise")
    local = Category.objects.create(code="elbise", name="Elbise")
    CategoryMapping.objects.create(channel=channel, local_category=local, remote_category=RemoteCategory.objects.get(channel=channel, remote_id=str(dress.id)))
    brand = RemoteBrand.objects.filter(channel=channel).order_by("remote_id").first()
    for attribute, kind, source in (
        ("brandId", "constant", brand.remote_id), ("dimensionalWeight", "constant", "2"),
        ("Renk", "attribute", "renk"), ("Beden", "attribute", "beden"), ("Materyal", "constant", "Keten"),
        ("Menşei", "constant", "TR"),
    ):
        AttributeMapping.objects.create(channel=channel, attribute=attribute, source_type=kind, source=source)
    return local


def add_product(lists, category, sku, **attributes):
    return product_helpers.add_product(lists, category, sku, barcode=f"BRC{sku}", images=1, **attributes)


def test_create_approve_update_delete(channel, mapped, lists, ty_sim):
    assert RemoteBrand.objects.filter(channel=channel).count() > 100
    product = add_product(lists, mapped, "ELB-T1")
    shown = preview(channel, product)
    assert shown["valid"], shown["errors"]
    assert shown["payload"]["barcode"] == "BRCELB-T1" and shown["payload"]["categoryId"] == ty_sim.catalog.find("Giyim", "Kadın", "Elbise").id

    [run_id] = execute(channel.pk, "product_create", "manual")
    settle()
    assert integration(channel, product).state == "pending_approval"
    wait_approvals(channel)
    assert integration(channel, product).state == "on_sale"
    assert FlowRun.objects.get(pk=run_id).status == "success"

    product.description = "Yeni açıklama"
    product.save()
    [update_run] = execute(channel.pk, "product_update", "manual")
    settle()
    assert FlowRun.objects.get(pk=update_run).sent == 1
    assert not PendingChange.objects.filter(channel=channel, kind="product", product=product).exists()

    CatalogItem.objects.filter(product=product).delete()
    execute(channel.pk, "delete_product", "manual")
    settle()
    assert integration(channel, product).state == "deleted"


def test_unknown_value_fails_before_sending(channel, mapped, lists):
    product = add_product(lists, mapped, "ELB-T2", beden="XXXXL-Dev")
    execute(channel.pk, "product_create", "manual")
    row = integration(channel, product)
    assert row.state == "failed" and "`Beden`: `XXXXL-Dev` was not defined for `Elbise`" in row.reasons


def test_rejection_and_penalty_recovery(channel, mapped, lists, ty_sim):
    rejected = add_product(lists, mapped, "ELB-T3")
    execute(channel.pk, "product_create", "manual")
    settle()
    ty_sim.reject(rejected.attributes["barcode"], "Görseller ürünle uyuşmuyor")
    wait_approvals(channel)
    assert integration(channel, rejected).state == "rejected"
    assert any("uyuşmuyor" in r for r in integration(channel, rejected).reasons)

    failing = add_product(lists, mapped, "ELB-T4")
    ty_sim.configure(fault={"mode": "5xx", "count": 1, "path": "v2/products"})
    execute(channel.pk, "product_create", "manual")
    assert FailedIntegration.objects.filter(channel=channel, kind="product", object_key=failing.sku).exists()
    time.sleep(1.1)
    execute(channel.pk, "product_create", "manual")
    settle()
    assert integration(channel, failing).state == "pending_approval"
