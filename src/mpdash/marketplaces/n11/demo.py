"""The N11 part of ``mpdash demo``: a channel that creates the demo's shoes on the N11
simulator through the catalog path (the whole category tree in one call, attributes,
mapping, product-create tasks, N11's review), then keeps their stock and prices in sync
through price-stock-update tasks while the simulator's shopper places orders, and some
buyers ask to cancel theirs (N11's cancellation requests, answered by the channel).

Plain data (see :mod:`mpdash.marketplaces.demo`); :mod:`mpdash.demo_channels` sets it up.
"""

from __future__ import annotations

from ..demo import CatalogPath, DemoChannel, OwnCatalog, Reason, SimUrl

DEMO = DemoChannel(
    name="N11 (demo)",
    slug="n11-demo",
    # Once the shoes are approved and in stock, the simulator's shopper starts buying.
    # every fifth order is followed by the buyer's request to cancel it, which the channel
    # answers (approved: nothing is invoiced in the demo) and cancels here.
    simulator_options={"processing_delay": 1.0, "approval_delay": 5.0, "order_rate": 0.2, "cancel_request_every": 5,
                       "claim_delay": 15.0},
    catalog=OwnCatalog("demo-n11", "Demo catalog: shoes for N11", category="ayakkabi"),
    config={
        "base_url": SimUrl("/ws/"), "app_key": "demo-app-key", "app_secret": "demo-app-secret",
        "category_ids": ["1000001"], "cargo_company_mapping": {"default": 1}, "buffer_stock": 1,
        "deny_reason_id": 81,
        "cancellation_reason_id": Reason("cancel", "marketplace_cancelled"),
        "default_reason_id": Reason("refund", "marketplace_refund"),
        "order_number_format": "N11-{orderNumber}-{id}",
    },
    flags=(
        "send_products_inserted", "send_delete_products", "send_updated_product_stock", "send_updated_product_price",
        "get_orders", "get_updated_order_items", "get_cancel_orders", "send_update_orders", "send_cancel_order_items",
        "get_cancellation_request",
    ),
    schedules={"get_orders": 20, "get_cancellation_request": 30, "get_cancel_orders": 30, "reconcile": 120},
    only_these_flags=True,
    penalised_kinds=("product", "productstock", "productprice", "order"),
    catalog_path=CatalogPath(
        read_flows=("category_node", "category_attributes", "default_attributes"),
        category_mappings=(("ayakkabi", "1000501"),),  # Moda > Ayakkabı > Spor Ayakkabı
        attribute_mappings=(
            ("barcode", "field", "sku"), ("Renk", "attribute", "renk"), ("Beden", "attribute", "beden"),
            ("Marka", "attribute", "marka"),
        ),
    ),
)
