"""Hepsiburada's contract driver: the listing, catalog and OMS APIs of one simulator.

Hepsiburada's order windows are whole minutes ending before the current one, so orders and
claims are placed a minute or two in the past, and a catch-up after faults runs with the
flow's clock a minute ahead (a package our automatic packing made in the current minute is
listed only once that minute is over). Packages are made by our ``automatic_packing``.
"""

from __future__ import annotations

import time
from decimal import Decimal

from ..driver import Driver, PlacedOrder, applied_values, map_dress

KADIN_GIYIM = "79673523"  # the simulator's Moda > Kadın Giyim (12 leaves keep the tree small)
ELBISE = "82286188"  # Moda > Kadın Giyim > Elbise


class HepsiburadaDriver(Driver):
    name = "hepsiburada"
    simulator_options = {
        "processing_delay": 0.1, "approval_delay": 1.0, "catalog_rate_limit": 0, "rate_limit": 0,
        "oms_rate_limit": 0, "auto_pack_delay": None, "timeout_sleep": 1.0,
    }
    fault_paths = {
        "stock": {"send": r"/stock-uploads/?$", "poll": r"/stock-uploads/id/"},
        "price": {"send": r"/price-uploads/?$", "poll": r"/price-uploads/id/"},
        "product_create": {"send": r"^/product/api/products/import", "poll": r"^/product/api/products/status/"},
        "get_orders": {
            "paid lines": r"^/orders/merchantid/[^/]+/?$",
            "packages (list and create)": r"^/packages/merchantid/[^/]+/?$",
        },
    }

    def channel_config(self, sim):
        return {
            **sim.adapter_config(), "category_ids": [KADIN_GIYIM], "automatic_packing": True,
            "send_shipping_info": True, "send_cancellation_reason_id": 83,
            "order_number_format": "HB-{orderNumber}-{id}",
        }

    # --- stock and price --------------------------------------------------------------------
    def list_products(self, sim, products, *, stock=0, price=1):
        sim.add_listings([{"merchantSku": p.sku, "price": float(price), "availableStock": stock} for p in products])

    def prepare_failing_record(self, sim, product):
        assert sim.listing(product.sku) is None, f"{product.sku} is listed already"
        return "not listed: Hepsiburada refuses updates of a sku it has no listing for"

    def remote_stock(self, sim, sku):
        listing = sim.listing(sku)
        return None if listing is None else int(listing["availableStock"])

    def remote_price(self, sim, sku):
        listing = sim.listing(sku)
        return None if listing is None else Decimal(str(listing["price"])).quantize(Decimal("0.01"))

    def history(self, sim, sku, kind):
        return applied_values(sim.history(sku), kind)

    # --- the catalog path ---------------------------------------------------------------------
    def map_catalog(self, channel, sim):
        return map_dress(channel, ("category_node", "category_attributes", "default_attributes"), ELBISE, (
            ("GarantiSuresi", "constant", "24"), ("kg", "constant", "1"), ("Cinsiyet", "constant", "Kadın"),
            ("Renk", "attribute", "renk"), ("Beden", "attribute", "beden"),
        ))

    def add_product(self, lists, category, sku):
        from ...integration.product_helpers import add_product

        return add_product(lists, category, sku, barcode=f"869{sku[-6:]:0>10}", images=2)

    def approve(self, sim, product):
        sim.approve_products([product.sku])

    def reject(self, sim, product, reason):
        sim.reject_products([product.sku], reasons=[reason])

    def product_state(self, sim, product):
        return sim.catalog_product(product.sku)

    def off_sale(self, sim, product):
        listing = sim.listing(product.sku)
        return listing is None or int(listing["availableStock"]) == 0

    # --- orders -----------------------------------------------------------------------------------
    def place_order(self, sim, lines, *, shopper=0):
        placed = sim.place_order([{"merchantSku": sku, "quantity": q} for sku, q in lines], shopper=shopper,
                                 at=time.time() - 120)
        return PlacedOrder(placed["orderNumber"], list(lines), placed)

    def remote_status(self, sim, order):
        return str(sim.package(order.package_id)["status"]).lower()

    def remote_tracking(self, sim, order):
        package = sim.package(order.package_id)
        return str(package.get("trackingNumber") or package.get("cargoTrackingNumber") or (package.get("tracking") or {}).get("number") or "")

    def cancelled_skus(self, sim, order):
        detail = sim.order(order.marketplace_order_number)
        return {line["merchantSku"] for line in detail["lines"] if "cancel" in str(line["status"]).lower()}

    def customer_cancels(self, sim, order, sku):
        sim.cancel_order(order.marketplace_order_number, [order.items.get(sku=sku).remote_line_id], at=time.time() - 90)

    def deliver(self, sim, channel, order):
        from ..conftest import run

        if self.remote_status(sim, order) == "packaged":
            sim.move_package(order.package_id, "InTransit", tracking_number="HJ1", at=time.time() - 100)
        sim.move_package(order.package_id, "Delivered", at=time.time() - 90)
        result = run(channel, "get_updated_orders")
        assert result.status == "success", result.message

    def open_claim(self, sim, order, sku):
        item = order.items.get(sku=sku)
        claim = sim.create_claim(item.remote_line_id, quantity=1, reason="ProductIsBrokenOrDamaged",
                                 explanation="broken zip", status="AwaitingAction", at=time.time() - 60)
        return str(claim["number"])

    def claim_outcome(self, sim, claim_id):
        status = sim.claim(claim_id)["status"]
        if status in ("Accepted", "Refunded"):
            return "approved"
        if status in ("InDispute", "Rejected"):
            return "rejected"
        return "open" if status in ("AwaitingAction", "NewRequest") else status

    # --- faults -----------------------------------------------------------------------------------
    def small_pages(self, monkeypatch):
        from mpdash.marketplaces.hepsiburada.adapter import HepsiburadaAdapter

        monkeypatch.setattr(HepsiburadaAdapter, "paid_orders_page_size", 2)

    def order_catch_up(self, monkeypatch):
        from ...integration.test_order_exactly_once import later  # the flow's clock a minute ahead

        return later(monkeypatch)

