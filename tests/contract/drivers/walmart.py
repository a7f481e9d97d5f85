"""Walmart's contract driver: the Marketplace API simulator (US, USD); order addresses are US
addresses, which the order core keeps without Türkiye's township tables.

Stock and price go through inventory and price feeds here (see :meth:`WalmartDriver.start`);
the one-by-one PUT path is tested in tests/marketplaces/walmart.
"""

from __future__ import annotations

import time
from ..driver import Driver, PlacedOrder, applied_values, map_dress, two_places


class WalmartDriver(Driver):
    name = "walmart"
    simulator_options = {"processing_delay": 0.1, "approval_delay": 0.3, "rate_limits": False, "timeout_sleep": 1.0}
    status_after_shipped_out = "shipped"
    _feed = {"send": r"/v3/feeds$", "poll": r"/v3/feeds/[^/]+$"}
    fault_paths = {"stock": _feed, "price": _feed, "product_create": _feed, "get_orders": {"orders": r"/v3/orders$"}}
    unsupported = {
        "claim_reject": "Walmart's API has no rejection of a return (only POST /v3/returns/{returnOrderId}/refund)",
    }

    def start(self):
        from mpdash.marketplaces import registry
        from mpdash.marketplaces.walmart.adapter import WalmartAdapter

        # The suite's penalties retry at once: a record refused by a synchronous PUT would go
        # again within the same run. The suite holds the feed path, as for every batch marketplace.
        self._put_at_most, WalmartAdapter.put_at_most = WalmartAdapter.put_at_most, 0
        return registry.simulator_factory(self.name)(port=0, **self.simulator_options)

    def stop(self, sim) -> None:
        from mpdash.marketplaces.walmart.adapter import WalmartAdapter

        sim.stop()
        WalmartAdapter.put_at_most = self._put_at_most

    def channel_config(self, sim):
        return {**sim.adapter_config(), "category_ids": ["Clothing"], "send_shipping_info": True}

    # --- stock and price --------------------------------------------------------------------
    def list_products(self, sim, products, *, stock=0, price=1):
        for product in products:
            sim.put_item(product.sku, quantity=stock, price=float(price))

    def prepare_failing_record(self, sim, product):
        assert sim.item(product.sku) is None, f"{product.sku} is on Walmart already"
        return "not an item on Walmart: the feed answers DATA_ERROR for that sku"

    def remote_stock(self, sim, sku):
        item = sim.item(sku)
        return None if item is None else int(item["quantity"])

    def remote_price(self, sim, sku):
        item = sim.item(sku)
        return None if item is None else two_places(item["price"])

    def history(self, sim, sku, kind):
        return applied_values(sim.history(sku), kind)

    # --- the catalog path -------------------------------------------------------------------
    def map_catalog(self, channel, sim):
        return map_dress(channel, ("category_node", "category_attributes", "default_attributes"), "Clothing/dresses",
                         (("color", "constant", "Red"), ("clothingSize", "attribute", "beden")))

    def add_product(self, lists, category, sku):
        from ...integration.product_helpers import add_product

        return add_product(lists, category, sku, barcode="869" + "".join(c for c in sku if c.isdigit()).rjust(10, "0"), images=1)

    def approve(self, sim, product):
        time.sleep(sim.options["approval_delay"] + 0.1)  # Walmart publishes the item

    def reject(self, sim, product, reason):
        sim.refuse(product.sku, reason)

    def product_state(self, sim, product):
        return sim.item(product.sku)

    def off_sale(self, sim, product):
        item = sim.item(product.sku)
        return item is None or item["lifecycleStatus"] == "RETIRED" or int(item["quantity"]) == 0

    # --- orders -----------------------------------------------------------------------------
    def place_order(self, sim, lines, *, shopper=0):
        placed = sim.place_order(list(lines), shopper=shopper)
        return PlacedOrder(placed["customerOrderId"], list(lines), placed)

    def _lines(self, sim, order):
        return sim.order(order.package_id)["orderLines"]["orderLine"]

    def remote_status(self, sim, order):
        statuses = {s["status"] for line in self._lines(sim, order) for s in line["orderLineStatuses"]["orderLineStatus"]}
        return "shipped" if statuses == {"Shipped"} else ",".join(sorted(statuses)).lower()

    def remote_tracking(self, sim, order):
        found = [s["trackingInfo"]["trackingNumber"] for line in self._lines(sim, order)
                 for s in line["orderLineStatuses"]["orderLineStatus"] if s.get("trackingInfo")]
        return found[-1] if found else ""

    def cancelled_skus(self, sim, order):
        return {line["item"]["sku"] for line in self._lines(sim, order)
                if any(s["status"] == "Cancelled" for s in line["orderLineStatuses"]["orderLineStatus"])}

    def customer_cancels(self, sim, order, sku):
        sim.customer_cancel(order.package_id, sku)

    def deliver(self, sim, channel, order):
        """Shipped (straight on the simulator: the shipping update is the status_out scenario), then delivered."""
        from ..conftest import run

        lines = [(line["lineNumber"], int(line["orderLineQuantity"]["amount"])) for line in self._lines(sim, order)]
        with sim.state.current():
            po = sim.state.order(order.package_id)
            sim.state.acknowledge(po)
            for number, amount in lines:
                sim.state.move(po, number, amount, "Shipped", trackingInfo={
                    "shipDateTime": int(time.time() * 1000), "carrierName": {"carrier": "UPS"},
                    "methodCode": "Standard", "trackingNumber": "1Z999"})
        sim.deliver(order.package_id)
        result = run(channel, "get_updated_orders")
        assert result.status == "success", result.message

    def open_claim(self, sim, order, sku):
        return sim.open_return(order.package_id, sku)["returnOrderId"]

    def claim_outcome(self, sim, claim_id):
        lines = sim.return_order(claim_id)["returnOrderLines"]
        return "approved" if all(line["currentRefundStatus"] == "REFUND_COMPLETED" for line in lines) else "open"

    def small_pages(self, monkeypatch):
        from mpdash.marketplaces.walmart.adapter import WalmartAdapter

        monkeypatch.setattr(WalmartAdapter, "orders_page_size", 2)

