"""N11's contract driver: one simulator serves the catalog, product tasks and shipment packages.

N11 reviews a new product on its own after ``approval_delay`` (:meth:`approve` waits for it).
The brand's own carrier ships here (``send_shipping_info``), so a shipped update reports the
lines Shipped with the tracking number. Return claims go through N11's SOAP ReturnService
(its REST API has none): the customer's return is a REQUESTED claim the seller approves or denies.
"""

from __future__ import annotations

from ..driver import Driver, PlacedOrder, applied_values, map_dress, two_places

_CLAIM_OUTCOMES = {"REQUESTED": "open", "APPROVED": "approved", "DENIED": "rejected"}


class N11Driver(Driver):
    name = "n11"
    simulator_options = {"processing_delay": 0.1, "approval_delay": 0.5, "rate_limit": 0, "timeout_sleep": 1.0}
    status_after_shipped_out = "shipped"
    fault_paths = {
        "stock": {"send": r"/price-stock-update", "poll": r"/task-details/"},
        "price": {"send": r"/price-stock-update", "poll": r"/task-details/"},
        "product_create": {"send": r"/product-create", "poll": r"/task-details/"},
        "get_orders": {"packages": r"/shipmentPackages"},
    }

    def channel_config(self, sim):
        return {**sim.adapter_config(), "category_ids": ["1000100"], "send_shipping_info": True, "deny_reason_id": 81,
                "order_number_format": "N11-{orderNumber}-{id}"}

    # --- stock and price --------------------------------------------------------------------
    def list_products(self, sim, products, *, stock=0, price=1):
        sim.add_products([{"stockCode": p.sku, "quantity": stock, "salePrice": float(price),
                           "listPrice": float(price) * 2} for p in products])

    def prepare_failing_record(self, sim, product):
        assert sim.product(product.sku) is None, f"{product.sku} is on N11 already"
        return "not on N11: a stockCode it does not know is REJECTed per sku (Ürün bulunamadı)"

    def remote_stock(self, sim, sku):
        product = sim.product(sku)
        return None if product is None else int(product["quantity"])

    def remote_price(self, sim, sku):
        return two_places((sim.product(sku) or {}).get("salePrice"))

    def history(self, sim, sku, kind):
        return applied_values(sim.history(sku), kind)

    # --- the catalog path ---------------------------------------------------------------------
    def map_catalog(self, channel, sim):
        return map_dress(channel, ("category_node", "category_attributes", "default_attributes"), "1000101",
                         (("Renk", "attribute", "renk"), ("Beden", "attribute", "beden"), ("Marka", "attribute", "brand")))

    def add_product(self, lists, category, sku):
        from ...integration.product_helpers import add_product

        return add_product(lists, category, sku, barcode=f"869{sku}", images=1)

    def approve(self, sim, product):
        assert sim.wait_until_processed(5.0, approvals=True), "N11's review did not fall due"

    def reject(self, sim, product, reason):
        sim.reject(product.sku, reason)

    def product_state(self, sim, product):
        return sim.product(product.sku)

    def off_sale(self, sim, product):
        remote = sim.product(product.sku)
        return remote is None or int(remote["quantity"]) == 0

    # --- orders -----------------------------------------------------------------------------------
    def place_order(self, sim, lines, *, shopper=0):
        placed = sim.place_order([{"stockCode": sku, "quantity": q} for sku, q in lines])
        return PlacedOrder(str(placed["orderNumber"]), list(lines), placed)

    def remote_status(self, sim, order):
        return str(sim.package(order.package_id)["shipmentPackageStatus"]).lower()

    def remote_tracking(self, sim, order):
        return str(sim.package(order.package_id).get("cargoTrackingNumber") or "")

    def cancelled_skus(self, sim, order):
        cancelled = {row["orderLineId"] for row in sim.cancelled_lines()}
        return {item.sku for item in order.items.all() if item.remote_line_id in cancelled}

    def customer_cancels(self, sim, order, sku):
        sim.customer_cancel(order.package_id, [order.items.get(sku=sku).remote_line_id])

    def deliver(self, sim, channel, order):
        from mpdash.marketplaces.base import OrderUpdate

        from ..conftest import run

        adapter = channel.adapter()
        try:  # the seller accepts (Picking); N11's carrier ships and delivers
            assert adapter.send_order_update(OrderUpdate(package_id=order.package_id, status="picking")).ok
        finally:
            adapter.close()
        sim.set_package_status(order.package_id, "Shipped", tracking_number="YK1")
        sim.set_package_status(order.package_id, "Delivered")
        result = run(channel, "get_updated_orders")
        assert result.status == "success", result.message

    def open_claim(self, sim, order, sku):
        return sim.open_return(order.package_id, order.items.get(sku=sku).remote_line_id, 1)

    def claim_outcome(self, sim, claim_id):
        return _CLAIM_OUTCOMES.get(sim.claim(claim_id)["status"], "open")

    def small_pages(self, monkeypatch):
        from mpdash.marketplaces.n11.adapter import N11Adapter

        monkeypatch.setattr(N11Adapter, "orders_page_size", 2)
