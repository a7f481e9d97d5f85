"""The Amazon part of ``mpdash demo``: an Amazon.com channel (US marketplace, USD) on the SP-API
simulator through the catalog path: product types read (SHIRT for the demo's clothing), its
JSON Schema's attributes mapped, the products created by putListingsItem and approved once
Amazon shows them BUYABLE; then stock and prices go out as JSON_LISTINGS_FEEDs (or single
patches for a handful of changes), and the simulator's shopper's orders come in with US
addresses (Amazon lists an order two minutes after its last change);
an order shipped from the dashboard is delivered 30 s later (Orders 2026-01-01), every third
delivered order comes back as a return (the returns report), and the reconciliation reads the
listings (searchListingsItems).

Plain data (see :mod:`mpdash.marketplaces.demo`); :mod:`mpdash.demo_channels` sets it up.
"""

from __future__ import annotations

from ..demo import CatalogPath, DemoChannel, OwnCatalog, Reason, SimUrl

DEMO = DemoChannel(
    name="Amazon US (demo)",
    slug="amazon-demo",
    simulator_options={"processing_delay": 2.0, "approval_delay": 5.0, "order_rate": 0.1, "rate_limits": False,
                       "marketplace_id": "ATVPDKIKX0DER", "currency": "USD", "seller_id": "A3DEMOSELLER01",
                       "delivery_delay": 30.0, "return_every": 3},
    catalog=OwnCatalog("demo-amazon", "Demo catalog: clothing for Amazon", category="giyim"),
    catalog_path=CatalogPath(
        read_flows=("category_node", "category_attributes", "default_attributes"),
        category_mappings=(("giyim", "SHIRT"),),
        attribute_mappings=(("brand", "attribute", "marka"), ("color", "attribute", "renk"),
                            ("shirt_size", "attribute", "beden")),
    ),
    config={
        "region": "us-east-1", "base_url": SimUrl(), "token_url": SimUrl("/auth/o2/token"),
        "client_id": "amzn1.application-oa2-client.sim", "client_secret": "sim-secret",
        "refresh_token": "Atzr|sim-refresh", "seller_id": "A3DEMOSELLER01", "marketplace_id": "ATVPDKIKX0DER",
        "category_ids": ["shirt"], "cargo_company_mapping": {"default": 1}, "buffer_stock": 1,
        "default_reason_id": Reason("refund", "marketplace_refund"),
        "cancellation_reason_id": Reason("cancel", "marketplace_cancelled"),
        "order_number_format": "AMZ-{n1}{n3}{n2}",
    },
    flags=("send_products", "send_updated_product_stock", "send_updated_product_price", "get_orders",
           "get_cancel_orders", "send_update_orders", "get_updated_orders", "get_refund_orders"),
    only_these_flags=True,
    penalised_kinds=("product", "productstock", "productprice", "order"),
    # searchOrders refills every 3 minutes and createReport every minute: the demo stays within them
    schedules={"get_orders": 20, "reconcile": 120, "get_updated_orders": 180, "get_refund_orders": 120},
)
