"""The Trendyol part of ``mpdash demo``: a channel that *creates* the demo's clothing on
the simulator through the whole catalog path (category tree, attributes, brands, mapping,
product create, approval), then keeps its stock and price in sync.

Plain data (see :mod:`mpdash.marketplaces.demo`); :mod:`mpdash.demo_channels` sets it up.
"""

from __future__ import annotations

from ..demo import CatalogPath, DemoChannel, FirstBrand, OwnCatalog, Reason, SimUrl
from .catalog_data import catalog

ROOT = ("Giyim", "Kadın")
LEAF = ("Giyim", "Kadın", "Elbise")
SIM_CREDENTIALS = {"seller_id": "123456", "api_key": "demo-api-key", "api_secret": "demo-api-secret"}

DEMO = DemoChannel(
    name="Trendyol (demo)",
    slug="trendyol-demo",
    # Once the demo's clothing is approved and in stock, the simulator's shopper starts buying.
    simulator_options={"processing_delay": 1.0, "approval_delay": 5.0, "duplicate_window": 0, "rate_limit": 500, "order_rate": 0.2},
    catalog=OwnCatalog("demo-trendyol", "Demo catalog: clothing for Trendyol", category="giyim"),
    config={
        "base_url": SimUrl("/integration"), **SIM_CREDENTIALS, "integrator_name": "SelfIntegration",
        "category_ids": [str(catalog().find(*ROOT).id)],
        "cargo_company_mapping": {"default": 1}, "buffer_stock": 1, "claim_issue_reason_id": 1651,
        "cancellation_reason_id": Reason("cancel", "marketplace_cancelled"),
        "default_reason_id": Reason("refund", "marketplace_refund"),
        "order_number_format": "TY-{orderNumber}-{id}",
    },
    flags=(
        "product_create", "product_update", "delete_product", "stock", "price", "get_orders", "get_updated_orders",
        "get_cancel_orders", "get_refund_orders", "send_update_orders", "send_cancel_order_items", "approve_refund",
        "reject_refund",
    ),
    only_these_flags=True,
    penalised_kinds=("product", "productstock", "productprice", "order"),
    # The operator's first day: read the marketplace's catalog, then map.
    catalog_path=CatalogPath(
        read_flows=("category_node", "category_attributes", "default_attributes", "brands"),
        category_mappings=(("giyim", str(catalog().find(*LEAF).id)),),
        attribute_mappings=(
            ("barcode", "field", "sku"), ("brandId", "constant", FirstBrand(fallback="100")),
            ("dimensionalWeight", "constant", "2"), ("Renk", "attribute", "renk"), ("Beden", "attribute", "beden"),
            ("Materyal", "constant", "Pamuk"), ("Menşei", "constant", "TR"),
        ),
    ),
)
