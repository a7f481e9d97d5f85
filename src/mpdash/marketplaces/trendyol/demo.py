"""The Trendyol part of ``mpdash demo``: a channel that *creates* the demo's clothing on
the simulator through the whole catalog path (category tree, attributes, brands, mapping,
product create, approval), then keeps its stock and price in sync."""

from __future__ import annotations

# Once the demo's clothing is approved and in stock, the simulator's shopper starts buying.
SIMULATOR_OPTIONS = {"processing_delay": 1.0, "approval_delay": 5.0, "duplicate_window": 0, "rate_limit": 500, "order_rate": 0.2}
ROOT = ("Giyim", "Kadın")
LEAF = ("Giyim", "Kadın", "Elbise")
SIM_CREDENTIALS = {"seller_id": "123456", "api_key": "demo-api-key", "api_secret": "demo-api-secret"}


def setup(lists: dict, sim_url: str, log=print):
    from mpdash.catalog.models import Catalog, CatalogItem, Category
    from mpdash.channels.models import SalesChannel
    from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
    from mpdash.channels.models_remote import RemoteBrand, RemoteCategory
    from mpdash.integration.dispatch import execute
    from mpdash.orders.models import CancellationReason

    from .catalog_data import catalog as build_catalog

    local = Category.objects.get(code="giyim")
    catalog, _ = Catalog.objects.get_or_create(code="demo-trendyol", defaults={"name": "Demo catalog: clothing for Trendyol"})
    if not CatalogItem.objects.filter(catalog=catalog).exists():
        ids = local.products.values_list("pk", flat=True)
        CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, product_id=pk) for pk in ids], batch_size=1000)
    data = build_catalog()
    channel = SalesChannel.objects.filter(slug="trendyol-demo").first()
    if channel is None:
        channel = SalesChannel(
            name="Trendyol (demo)", slug="trendyol-demo", marketplace="trendyol",
            catalog=catalog, price_list=lists["price_list"], stock_list=lists["stock_list"],
        )
        channel.save()
    wanted = ("product_create", "product_update", "delete_product", "stock", "price", "get_orders", "get_updated_orders",
              "get_cancel_orders", "get_refund_orders", "send_update_orders", "send_cancel_order_items", "approve_refund",
              "reject_refund")
    flags = {flag: flag in wanted for flag in channel.config["feature_flags"]}
    fi = dict(channel.config.get("failed_integration") or {})
    for kind in ("product", "productstock", "productprice", "order"):
        fi[kind] = {"RETRY_INTERVAL": 60, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 5}
    channel.update_config({
        "base_url": f"{sim_url}/integration", **SIM_CREDENTIALS, "integrator_name": "SelfIntegration",
        "category_ids": [str(data.find(*ROOT).id)], "feature_flags": flags, "failed_integration": fi,
        "cargo_company_mapping": {"default": 1}, "buffer_stock": 1, "claim_issue_reason_id": 1651,
        "cancellation_reason_id": CancellationReason.objects.get(cancellation_type="cancel", code="marketplace_cancelled").pk,
        "default_reason_id": CancellationReason.objects.get(cancellation_type="refund", code="marketplace_refund").pk,
        "order_number_format": "TY-{orderNumber}-{id}",
    })
    channel.full_clean()
    channel.save()
    # The operator's first day: read the marketplace's catalog, then map.
    for flow in ("category_node", "category_attributes", "default_attributes", "brands"):
        execute(channel.pk, flow, "manual")
    leaf = RemoteCategory.objects.filter(channel=channel, remote_id=str(data.find(*LEAF).id)).first()
    if leaf is not None:
        CategoryMapping.objects.get_or_create(channel=channel, local_category=local, defaults={"remote_category": leaf})
    brand = RemoteBrand.objects.filter(channel=channel).order_by("remote_id").first()
    for attribute, kind, source in (
        ("barcode", "field", "sku"), ("brandId", "constant", brand.remote_id if brand else "100"),
        ("dimensionalWeight", "constant", "2"), ("Renk", "attribute", "renk"), ("Beden", "attribute", "beden"),
        ("Materyal", "constant", "Pamuk"), ("Menşei", "constant", "TR"),
    ):
        AttributeMapping.objects.get_or_create(channel=channel, remote_category=None, attribute=attribute,
                                               defaults={"source_type": kind, "source": source})
    channel.is_active = True
    channel.full_clean()
    channel.save()
    from mpdash.integration.scheduling import set_schedule

    set_schedule(channel.pk, "get_orders", every_seconds=20)  # the demo's orders show up quickly
    set_schedule(channel.pk, "reconcile", every_seconds=120)  # the Dashboard's figures, fresh every two minutes
    log(f"  Trendyol simulator on {sim_url}: {CatalogItem.objects.filter(catalog=catalog).count()} clothing products to create")
    return channel
