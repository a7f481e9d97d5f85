"""Amazon's contract driver: the SP-API simulator on Amazon.com.tr (A33AVAJ2PDY3EV, EU region,
TRY), so that order addresses resolve to Türkiye's city and township tables as the suite checks
(foreign addresses are covered in tests/integration/test_orders_amazon.py).

Stock and price go through JSON_LISTINGS_FEEDs here (see :meth:`AmazonDriver.start`). Each simulator gets its own seller id, so
that every test starts with full per-operation buckets (getOrders bursts to 20 only).
Orders are placed 130 s old: Amazon lists no order updated in the last two minutes.
"""

from __future__ import annotations

import itertools
import os
from decimal import Decimal

from ..driver import Driver, PlacedOrder

_sellers = itertools.count(1)
_NO_CLAIMS = ("Amazon returns are read (the returns report) but decided in Seller Central: SP-API has no call to "
              "authorise or refuse a merchant-fulfilled return [UNVERIFIED]")


class AmazonDriver(Driver):
    name = "amazon"
    simulator_options = {"processing_delay": 0.1, "approval_delay": 0.3, "rate_limits": False, "timeout_sleep": 1.0,
                         "marketplace_id": "A33AVAJ2PDY3EV", "currency": "TRY"}
    status_after_shipped_out = "shipped"
    _feed = {"document": r"/feeds/2021-06-30/documents$", "upload": r"/_uploads/", "feed": r"/feeds/2021-06-30/feeds$",
             "poll": r"/feeds/2021-06-30/feeds/[^/]+$", "report": r"/feeds/2021-06-30/documents/[^/]+$"}
    fault_paths = {"stock": _feed, "price": _feed, "get_orders": {"orders": r"/orders/v0/orders$"}}
    unsupported = {
        "faults_products": "putListingsItem answers each product at once: no batch to poll for the fault scenario",
        "partial_cancel": "Amazon cancels whole orders; Orders v0 has no seller cancellation of single lines",
        "claim_approve": _NO_CLAIMS, "claim_reject": _NO_CLAIMS,
    }

    def start(self):
        from mpdash.marketplaces import registry

        from mpdash.marketplaces.amazon.adapter import AmazonAdapter

        # The suite's penalties retry at once: a record refused synchronously (patchListingsItem)
        # would go again within the same run. The suite holds the feed path (asynchronous, as
        # every batch marketplace); the patch path is tested in tests/marketplaces/amazon.
        self._patch_at_most, AmazonAdapter.patch_at_most = AmazonAdapter.patch_at_most, 0
        self._while_feeds_wait, AmazonAdapter.patch_while_feeds_wait = AmazonAdapter.patch_while_feeds_wait, 0
        return registry.simulator_factory(self.name)(port=0, seller_id=f"A3CONTRACT{os.getpid()}{next(_sellers):04d}",
                                                     **self.simulator_options)

    def stop(self, sim) -> None:
        from mpdash.marketplaces.amazon.adapter import AmazonAdapter

        sim.stop()
        AmazonAdapter.patch_at_most = self._patch_at_most
        AmazonAdapter.patch_while_feeds_wait = self._while_feeds_wait

    def channel_config(self, sim):
        return {**sim.adapter_config(), "category_ids": ["shirt", "shoes"], "send_shipping_info": True}

    # --- stock and price --------------------------------------------------------------------
    def list_products(self, sim, products, *, stock=0, price=1):
        for product in products:
            sim.put_listing(product.sku, quantity=stock, price=float(price))

    def prepare_failing_record(self, sim, product):
        assert sim.listing(product.sku) is None, f"{product.sku} is on Amazon already"
        return "not a listing on Amazon: a patch of an unknown SKU is refused per sku"

    def remote_stock(self, sim, sku):
        listing = sim.listing(sku)
        return None if listing is None else int(listing["quantity"])

    def remote_price(self, sim, sku):
        listing = sim.listing(sku)
        return None if listing is None else Decimal(str(listing["price"])).quantize(Decimal("0.01"))

    def history(self, sim, sku, kind):
        values = [h["value"] for h in sim.history(sku) if h["kind"] == kind]
        return [Decimal(str(v)).quantize(Decimal("0.01")) for v in values] if kind == "price" else values

    # --- the catalog path ---------------------------------------------------------------------
    def map_catalog(self, channel, sim):
        from mpdash.catalog.models import Category
        from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
        from mpdash.channels.models_remote import RemoteCategory

        from ..conftest import run

        for flow in ("category_node", "category_attributes", "default_attributes"):
            result = run(channel, flow)
            assert result.status == "success", (flow, result.message)
        local = Category.objects.create(code="elbise", name="Elbise")
        CategoryMapping.objects.create(channel=channel, local_category=local,
                                       remote_category=RemoteCategory.objects.get(channel=channel, remote_id="SHIRT"))
        for attribute, kind, source in (("color", "constant", "Red"), ("shirt_size", "attribute", "beden")):
            AttributeMapping.objects.create(channel=channel, attribute=attribute, source_type=kind, source=source)
        return local

    def add_product(self, lists, category, sku):
        from ...integration.product_helpers import add_product

        return add_product(lists, category, sku, barcode=f"869{sku[-6:]}", images=1)

    def approve(self, sim, product):
        import time

        time.sleep(sim.options["approval_delay"] + 0.1)  # Amazon's processing, then BUYABLE

    def reject(self, sim, product, reason):
        sim.refuse(product.sku, reason)

    def product_state(self, sim, product):
        return sim.listing(product.sku)

    def off_sale(self, sim, product):
        listing = sim.listing(product.sku)
        return listing is None or int(listing["quantity"]) == 0

    # --- orders -----------------------------------------------------------------------------------
    def place_order(self, sim, lines, *, shopper=0):
        placed = sim.place_order(list(lines), shopper=shopper, age=130)
        return PlacedOrder(placed["AmazonOrderId"], list(lines), placed)

    def remote_status(self, sim, order):
        return str(sim.order(order.package_id)["OrderStatus"]).lower()

    def remote_tracking(self, sim, order):
        packages = sim.order(order.package_id)["packages"]
        return str(packages[-1]["trackingNumber"]) if packages else ""

    def small_pages(self, monkeypatch):
        from mpdash.marketplaces.amazon.adapter import AmazonAdapter

        monkeypatch.setattr(AmazonAdapter, "orders_page_size", 2)
