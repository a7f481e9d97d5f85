"""The Hepsiburada part of ``mpdash demo``: a channel on the simulator with stock and
price flows, the demo catalog already listed (seeded), the category chain, and orders
placed by the simulator's shopper flowing in (packed automatically)."""

from __future__ import annotations

import json
import urllib.request

# A shopper buys something every few seconds, and Hepsiburada's carrier is simulated by the
# merchant-side flows only (packages stay Packaged until someone moves them).
SIMULATOR_OPTIONS = {"processing_delay": 1.0, "order_rate": 0.2, "auto_pack_delay": None}


def _reason(kind: str, code: str) -> int:
    from mpdash.orders.models import CancellationReason

    return CancellationReason.objects.get(cancellation_type=kind, code=code).pk


def setup(lists: dict, sim_url: str, log=print):
    from mpdash.catalog.models import ProductPrice
    from mpdash.channels.models import SalesChannel

    prices = dict(ProductPrice.objects.filter(price_list=lists["price_list"]).values_list("product__sku", "price"))
    listings = [{"merchantSku": sku, "price": float(price), "availableStock": 0} for sku, price in prices.items()]
    req = urllib.request.Request(
        f"{sim_url}/_sim/listings", data=json.dumps(listings).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()
    log(f"  Hepsiburada simulator on {sim_url}: {len(listings)} listings seeded")

    channel = SalesChannel.objects.filter(slug="hepsiburada-demo").first()
    if channel is None:
        channel = SalesChannel(
            name="Hepsiburada (demo)", slug="hepsiburada-demo", marketplace="hepsiburada",
            catalog=lists["catalog"], price_list=lists["price_list"], stock_list=lists["stock_list"],
        )
        channel.save()  # deploys the shipped schema and defaults ("Schema Update")
    config = {
        "base_url": sim_url, "oms_url": sim_url, "listing_url": sim_url,
        "username": "demo-merchant", "password": "demo-service-key", "merchant_id": "demo-merchant",
        "user_agent": "mpdash", "category_ids": ["18021982"],
        "default_reason_id": _reason("refund", "marketplace_refund"),
        "cancellation_reason_id": _reason("cancel", "marketplace_cancelled"), "send_cancel_reason_id": 83,
        "cargo_company_mapping": {"default": 1}, "buffer_stock": 1,
        "automatic_packing": True, "store_account_cargo_company": "HX",
        "order_number_format": "HB-{orderNumber}-{id}",
    }
    flags = dict(channel.config.get("feature_flags", {}))
    flags.update({flag: True for flag in (
        "stock", "price", "get_orders", "get_updated_orders", "get_cancel_orders", "get_refund_orders", "unpacked_orders",
        "send_update_orders", "send_cancel_order_items", "approve_refund", "reject_refund",
    )})
    config["feature_flags"] = flags
    fi = dict(channel.config.get("failed_integration") or {})
    for kind in ("productstock", "productprice", "order"):  # short penalties so the demo recovers visibly
        fi[kind] = {"RETRY_INTERVAL": 60, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 5}
    config["failed_integration"] = fi
    channel.update_config(config)
    channel.is_active = True
    channel.full_clean()
    channel.save()
    from mpdash.integration.scheduling import set_schedule

    set_schedule(channel.pk, "get_orders", every_seconds=20)  # the demo's orders show up quickly
    set_schedule(channel.pk, "reconcile", every_seconds=120)  # the Dashboard's figures, fresh every two minutes
    return channel
