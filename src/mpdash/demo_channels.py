"""The channels of ``mpdash demo``: each marketplace's declaration
(:class:`mpdash.marketplaces.demo.DemoChannel`) made into a channel on its simulator.

The marketplace packages say what is theirs as plain data; everything that touches the
database is here, the same for every marketplace. Running it again on the same data
directory finds what the last run made and sets it up again.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Callable

from mpdash.catalog.models import Catalog, CatalogItem, Category, ProductPrice
from mpdash.channels.models import SalesChannel
from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import RemoteBrand, RemoteCategory
from mpdash.integration.dispatch import execute
from mpdash.integration.scheduling import set_schedule
from mpdash.marketplaces import registry
from mpdash.marketplaces.demo import CatalogPath, DemoChannel, FirstBrand, Reason, SimUrl
from mpdash.orders.models import CancellationReason


def set_up(marketplace: str, demo: DemoChannel, lists: dict, sim_url: str, log: Callable[[str], None] = print) -> SalesChannel:
    """Make (or bring up to date) the demo channel of ``marketplace`` on the simulator at ``sim_url``.

    ``lists`` holds the demo's ``catalog``, ``price_list`` and ``stock_list``."""
    label = registry.adapter_class(marketplace).label
    catalog = _catalog(demo, lists)
    if demo.seed_listings is not None:
        count = _seed_listings(demo, lists, sim_url)
        log(f"  {label} simulator on {sim_url}: {count} listings seeded")
    channel = SalesChannel.objects.filter(slug=demo.slug).first()
    if channel is None:
        channel = SalesChannel(
            name=demo.name, slug=demo.slug, marketplace=marketplace,
            catalog=catalog, price_list=lists["price_list"], stock_list=lists["stock_list"],
        )
        channel.save()  # deploys the shipped schema and defaults ("Schema Update")
    channel.update_config(_config(demo, channel, sim_url))
    if demo.catalog_path is not None:
        channel.full_clean()
        channel.save()
        _walk_catalog_path(demo.catalog_path, channel)
    channel.is_active = True
    channel.full_clean()
    channel.save()
    for flow, seconds in demo.schedules.items():
        set_schedule(channel.pk, flow, every_seconds=seconds)
    if demo.catalog_path is not None:
        count = CatalogItem.objects.filter(catalog=catalog).count()
        log(f"  {label} simulator on {sim_url}: {count} products to create")
    return channel


def _catalog(demo: DemoChannel, lists: dict) -> Catalog:
    if demo.catalog is None:
        return lists["catalog"]
    own = demo.catalog
    local = Category.objects.get(code=own.category)
    catalog, _ = Catalog.objects.get_or_create(code=own.code, defaults={"name": own.name})
    if not CatalogItem.objects.filter(catalog=catalog).exists():
        ids = local.products.values_list("pk", flat=True)
        CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, product_id=pk) for pk in ids], batch_size=1000)
    return catalog


def _seed_listings(demo: DemoChannel, lists: dict, sim_url: str) -> int:
    prices = dict(ProductPrice.objects.filter(price_list=lists["price_list"]).values_list("product__sku", "price"))
    listings = [demo.seed_listings.listing(sku, float(price)) for sku, price in prices.items()]
    req = urllib.request.Request(
        f"{sim_url}{demo.seed_listings.path}", data=json.dumps(listings).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()
    return len(listings)


def _value(value: Any, sim_url: str) -> Any:
    if isinstance(value, SimUrl):
        return f"{sim_url}{value.path}"
    if isinstance(value, Reason):
        return CancellationReason.objects.get(cancellation_type=value.cancellation_type, code=value.code).pk
    return value


def _config(demo: DemoChannel, channel: SalesChannel, sim_url: str) -> dict[str, Any]:
    config = {key: _value(value, sim_url) for key, value in demo.config.items()}
    stored = channel.config.get("feature_flags", {})
    if demo.only_these_flags:
        flags = {flag: flag in demo.flags for flag in stored}
    else:
        flags = dict(stored)
        flags.update({flag: True for flag in demo.flags})
    config["feature_flags"] = flags
    penalties = dict(channel.config.get("failed_integration") or {})
    for kind in demo.penalised_kinds:
        penalties[kind] = dict(demo.penalty)
    config["failed_integration"] = penalties
    return config


def _walk_catalog_path(path: CatalogPath, channel: SalesChannel) -> None:
    for flow in path.read_flows:
        execute(channel.pk, flow, "manual")
    for local_code, remote_id in path.category_mappings:
        remote = RemoteCategory.objects.filter(channel=channel, remote_id=remote_id).first()
        if remote is not None:
            CategoryMapping.objects.get_or_create(
                channel=channel, local_category=Category.objects.get(code=local_code), defaults={"remote_category": remote}
            )
    brand = None
    if any(isinstance(source, FirstBrand) for _, _, source in path.attribute_mappings):
        brand = RemoteBrand.objects.filter(channel=channel).order_by("remote_id").first()
    for attribute, kind, source in path.attribute_mappings:
        if isinstance(source, FirstBrand):
            source = brand.remote_id if brand else source.fallback
        AttributeMapping.objects.get_or_create(
            channel=channel, remote_category=None, attribute=attribute, defaults={"source_type": kind, "source": source}
        )
