"""The Walmart part of ``mpdash demo``: a Walmart.com channel (USD) on the simulator, the demo
catalog already set up there (seeded), stock and prices going out one by one or as inventory and
price feeds, and the simulator's shopper's purchase orders coming in with US addresses,
acknowledged when read.

Plain data (see :mod:`mpdash.marketplaces.demo`); :mod:`mpdash.demo_channels` sets it up.
"""

from __future__ import annotations

from ..demo import DemoChannel, Reason, SeedListings, SimUrl

DEMO = DemoChannel(
    name="Walmart US (demo)",
    slug="walmart-demo",
    simulator_options={"processing_delay": 2.0, "order_rate": 0.1, "rate_limits": False,
                       "client_id": "demo-walmart-client", "client_secret": "demo-walmart-secret"},
    seed_listings=SeedListings("/_sim/listings", lambda sku, price: {"sku": sku, "price": price, "quantity": 0}),
    config={
        "base_url": SimUrl(), "client_id": "demo-walmart-client", "client_secret": "demo-walmart-secret",
        "service_name": "Walmart Marketplace", "cargo_company_mapping": {"default": 1}, "buffer_stock": 1,
        "default_reason_id": Reason("refund", "marketplace_refund"),
        "cancellation_reason_id": Reason("cancel", "marketplace_cancelled"),
    },
    flags=("stock", "price", "get_orders", "get_cancel_orders", "send_update_orders"),
    only_these_flags=True,
    penalised_kinds=("productstock", "productprice", "order"),
    schedules={"get_orders": 20, "reconcile": 120},
)
