"""The Hepsiburada part of ``mpdash demo``: a channel on the simulator with stock and
price flows, the demo catalog already listed (seeded), the category chain, and orders
placed by the simulator's shopper flowing in (packed automatically).

Plain data (see :mod:`mpdash.marketplaces.demo`); :mod:`mpdash.demo_channels` sets it up.
"""

from __future__ import annotations

from ..demo import DemoChannel, Reason, SeedListings, SimUrl

DEMO = DemoChannel(
    name="Hepsiburada (demo)",
    slug="hepsiburada-demo",
    # A shopper buys something every few seconds, and Hepsiburada's carrier is simulated by the
    # merchant-side flows only (packages stay Packaged until someone moves them).
    # The demo multiplies call budgets by 20 (MPDASH_CALL_BUDGET_SCALE): the catalog's per-IP limit
    # is raised alike, or the category fetch would go over it and pause.
    simulator_options={"processing_delay": 1.0, "order_rate": 0.2, "auto_pack_delay": None, "catalog_rate_limit": 2000},
    # The demo catalog is on sale already: every product listed, with its price and no stock.
    seed_listings=SeedListings(
        "/_sim/listings", lambda sku, price: {"merchantSku": sku, "price": price, "availableStock": 0}
    ),
    config={
        "base_url": SimUrl(), "oms_url": SimUrl(), "listing_url": SimUrl(),
        "username": "demo-merchant", "password": "demo-service-key", "merchant_id": "demo-merchant",
        "user_agent": "mpdash", "category_ids": ["18021982"],
        "default_reason_id": Reason("refund", "marketplace_refund"),
        "cancellation_reason_id": Reason("cancel", "marketplace_cancelled"), "send_cancel_reason_id": 83,
        "cargo_company_mapping": {"default": 1}, "buffer_stock": 1,
        "automatic_packing": True, "store_account_cargo_company": "HX",
        "order_number_format": "HB-{orderNumber}-{id}",
    },
    flags=(
        "stock", "price", "get_orders", "get_updated_orders", "get_cancel_orders", "get_refund_orders", "unpacked_orders",
        "send_update_orders", "send_cancel_order_items", "approve_refund", "reject_refund",
    ),
    penalised_kinds=("productstock", "productprice", "order"),
)
