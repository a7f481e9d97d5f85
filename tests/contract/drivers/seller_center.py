"""The contract driver shared by the three Seller Center marketplaces (Mono, Fashfed, Passo):
one simulator, the same API; each registry name has a thin subclass in its own file."""

from __future__ import annotations

from decimal import Decimal

from ..driver import Driver, PlacedOrder

GIYIM = "f8aeb10e-f0f9-4f17-9687-60e542bdaefc"
STATUS = {1: "waiting", 2: "preparing", 3: "invoiced", 4: "shipped", 5: "delivered", 6: "cancelled", 7: "refunded"}


class SellerCenterDriver(Driver):
    simulator_options = {"processing_delay": 0.1, "approval_delay": 0.5, "rate_limit": 0, "timeout_sleep": 1.0}
    status_after_shipped_out = "shipped"
    fault_paths = {
        "stock": {"send": r"/offers/stocks/?$", "poll": r"/offers/batches/"},
        "price": {"send": r"/offers/prices/?$", "poll": r"/offers/batches/"},
        "get_orders": {"packages": r"/packages/?$"},
        "product_create": {"send": r"/pre-offers/?$", "poll": None},
    }

    def channel_config(self, sim):
        from mpdash.marketplaces.akinon.simulator.state import CANCEL_REASONS

        return {**sim.adapter_config(), "category_ids": [GIYIM], "send_shipping_info": True,
                "seller_cancel_reason": next(iter(CANCEL_REASONS)), "reject_item_reason": "Damaged"}

    # --- stock and price ----------------------------------------------------------------------
    def list_products(self, sim, products, *, stock=0, price=1):
        for p in products:
            sim.add_offer(p.sku, stock=stock, price=f"{Decimal(price):.2f}")

    def prepare_failing_record(self, sim, product):
        sim.remove_offer(product.sku)
        assert sim.offer(product.sku) is None
        return "no offer: Seller Center answers 'Offer not found.' for that sku"

    def remote_stock(self, sim, sku):
        offer = sim.offer(sku)
        return None if offer is None else int(offer["stock"])

    def remote_price(self, sim, sku):
        offer = sim.offer(sku)
        return None if offer is None else Decimal(offer["price"])

    def history(self, sim, sku, kind):
        values = [h["value"] for h in sim.history(sku) if h["kind"] == kind]
        return [Decimal(v).quantize(Decimal("0.01")) for v in values] if kind == "price" else values

    # --- the catalog path: pre-offers the owner reviews ------------------------------------------
    def map_catalog(self, channel, sim):
        from mpdash.catalog.models import Category
        from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
        from mpdash.channels.models_remote import RemoteCategory

        from ..conftest import run

        for flow in ("category_node", "category_attributes", "default_attributes"):
            result = run(channel, flow)
            assert result.status == "success", (flow, result.message)
        dress = RemoteCategory.objects.get(channel=channel, name="Elbise")
        local = Category.objects.create(code="elbise", name="Elbise")
        CategoryMapping.objects.create(channel=channel, local_category=local, remote_category=dress)
        for attribute, kind, source in (("Renk", "attribute", "renk"), ("Beden", "attribute", "beden"),
                                        ("Marka", "attribute", "brand")):
            AttributeMapping.objects.create(channel=channel, attribute=attribute, source_type=kind, source=source)
        return local

    def add_product(self, lists, category, sku):
        from ...integration.product_helpers import add_product

        return add_product(lists, category, sku, barcode=f"BRC{sku}", images=1)

    def approve(self, sim, product):
        assert sim.wait_until_reviewed(5.0), "the owner's review did not fall due"

    def reject(self, sim, product, reason):
        sim.reject(product.sku, reason)

    def product_state(self, sim, product):
        return sim.pre_offer(product.sku)

    def off_sale(self, sim, product):
        offer = sim.offer(product.sku)
        return offer is None or int(offer["stock"]) == 0

    # --- orders ---------------------------------------------------------------------------------
    def place_order(self, sim, lines, *, shopper=0):
        placed = sim.place_order(list(lines), shopper=shopper)
        return PlacedOrder(placed["order_number"], list(lines), placed)

    def remote_status(self, sim, order):
        return STATUS[sim.package(order.package_id)["status"]]

    def remote_tracking(self, sim, order):
        return str(sim.package(order.package_id).get("tracking_number") or "")

    def cancelled_skus(self, sim, order):
        return {i["sku"] for p in self._packages(sim, order) for i in sim.package_items(p) if i["status"] == 6}

    @staticmethod
    def _packages(sim, order):
        with sim.state.current():
            return [n for n, p in sim.state.packages.items() if p["order_number"] == order.marketplace_order_number]

    def customer_cancels(self, sim, order, sku):
        items = [i["id"] for i in sim.package_items(order.package_id) if i["sku"] == sku and i["status"] != 6]
        sim.customer_cancel(order.package_id, items)

    def deliver(self, sim, channel, order):
        from ..conftest import run

        sim.set_status(order.package_id, 5, tracking_number=sim.package(order.package_id).get("tracking_number") or "T1")
        result = run(channel, "get_updated_orders")
        assert result.status == "success", result.message

    def open_claim(self, sim, order, sku):
        item = next(i["id"] for i in sim.package_items(order.package_id) if i["sku"] == sku and i["status"] != 6)
        return sim.open_refund(item)["id"]

    def claim_outcome(self, sim, claim_id):
        status = sim.claim(claim_id)["status"]
        return {"approved": "approved", "completed": "approved", "rejected": "rejected"}.get(status, "open")

    def small_pages(self, monkeypatch):
        from mpdash.marketplaces.akinon.adapter import SellerCenterAdapter

        monkeypatch.setattr(SellerCenterAdapter, "orders_page_size", 2)
