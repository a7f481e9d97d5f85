"""Mono, Fashfed and Passo in ``mpdash demo``, each a channel on a Seller Center simulator.

Mono goes through the catalog path: it reads the category tree (uuids) and attributes, maps
the demo's clothing to Giyim > Kadın > Elbise, sends the products as pre-offers, which the
owner's review approves (or rejects with reasons), then keeps stock and prices in sync.
Fashfed and Passo start with the demo catalog already offered (seeded, stock 0). On all three
the simulator's shopper's orders flow in; cancellations and refund claims flow both ways.
Plain data (see :mod:`mpdash.marketplaces.demo`)."""

from __future__ import annotations

from dataclasses import replace

from ..demo import CatalogPath, DemoChannel, OwnCatalog, Reason, SeedListings, SimUrl
from .marketplaces import FASHFED, MONO, PASSO, SellerCenterMarketplace
from .simulator.state import CANCEL_REASONS, TREE, uid

FLAGS = ("stock", "price", "delete_product", "get_orders", "get_updated_orders", "get_cancel_orders",
         "get_refund_orders", "send_update_orders", "send_cancel_order_items", "send_refund_order_status")


def _demo(market: SellerCenterMarketplace, prefix: str) -> DemoChannel:
    return DemoChannel(
        name=f"{market.label} (demo)", slug=f"{market.name}-demo",
        simulator_options={"order_rate": 0.2, "approval_delay": 5.0},
        seed_listings=SeedListings("/_sim/offers", lambda sku, price: {"sku": sku, "price": f"{price:.2f}", "stock": 0}),
        config={"base_url": SimUrl(), "access_token": "demo-api-key", "api_version": "i2", "buffer_stock": 1,
                "category_ids": ["f8aeb10e-f0f9-4f17-9687-60e542bdaefc"],  # Giyim, as the seed lists it
                "cargo_company_mapping": {"default": 1}, "seller_cancel_reason": next(iter(CANCEL_REASONS)),
                "reject_item_reason": "Damaged", "send_shipping_info": True,
                "cancellation_reason_id": Reason("cancel", "marketplace_cancelled"),
                "default_reason_id": Reason("refund", "marketplace_refund"),
                "order_number_format": f"{prefix}-{{orderNumber}}-{{id}}"},
        flags=FLAGS, only_these_flags=True, penalised_kinds=("productstock", "productprice", "order"),
    )


GIYIM = TREE[0][0]
ELBISE = uid(uid(GIYIM, "Kadın"), "Elbise")
_MONO = _demo(MONO, "MONO")
MONO_DEMO = replace(
    _MONO, seed_listings=None, flags=("product", *FLAGS),
    catalog=OwnCatalog("demo-mono", "Demo catalog: clothing for Mono", category="giyim"),
    penalised_kinds=("product", "productstock", "productprice", "order"),
    catalog_path=CatalogPath(
        read_flows=("category_node", "category_attributes", "default_attributes"),
        category_mappings=(("giyim", ELBISE),),
        attribute_mappings=(("Renk", "attribute", "renk"), ("Beden", "attribute", "beden"),
                            ("Marka", "attribute", "marka")),
    ),
)
FASHFED_DEMO = _demo(FASHFED, "FF")
PASSO_DEMO = _demo(PASSO, "PASSO")
