"""Trendyol's contract driver: one simulator serves the product, inventory and order APIs.

Trendyol makes the packages itself and approves products on its own after
``approval_delay`` (the simulator has no "approve now"): :meth:`approve` waits for it.
Its carrier ships: with ``send_shipping_info`` (the seller's own carrier) a shipped update
sends the tracking number and the package stays Invoiced until a carrier scan.
"""

from __future__ import annotations

from decimal import Decimal

from ..driver import Driver, PlacedOrder, applied_values

_CLAIM_OUTCOMES = {"Accepted": "approved", "Rejected": "rejected", "Unresolved": "rejected", "InAnalysis": "rejected"}


class TrendyolDriver(Driver):
    name = "trendyol"
    simulator_options = {
        "processing_delay": 0.1, "approval_delay": 0.5, "duplicate_window": 0, "rate_limit": 0,
        "repack_delay": 0.2, "timeout_sleep": 1.0,
    }
    status_after_shipped_out = "invoiced"
    fault_paths = {
        "stock": {"send": r"/price-and-inventory", "poll": r"/batch-requests/"},
        "price": {"send": r"/price-and-inventory", "poll": r"/batch-requests/"},
        "product_create": {"send": r"/v2/products", "poll": r"/batch-requests/"},
        "get_orders": {"packages": r"/order/sellers/[^/]+/orders"},
    }

    def channel_config(self, sim):
        women = sim.catalog.find("Giyim", "Kadın")
        return {**sim.adapter_config(), "category_ids": [str(women.id)], "send_shipping_info": True,
                "claim_issue_reason_id": 1651, "order_number_format": "TY-{orderNumber}-{id}"}

    # --- stock and price --------------------------------------------------------------------
    def list_products(self, sim, products, *, stock=0, price=1):
        sim.add_products([{"barcode": p.sku, "stockCode": p.sku, "quantity": stock, "salePrice": float(price),
                           "listPrice": float(price) * 2} for p in products])

    def prepare_failing_record(self, sim, product):
        assert sim.product(product.sku) is None, f"{product.sku} is on Trendyol already"
        return "not on Trendyol: a barcode it does not know is refused per item (Ürün bulunamadı)"

    def remote_stock(self, sim, sku):
        product = sim.product(sku)
        return None if product is None else int(product["quantity"])

    def remote_price(self, sim, sku):
        product = sim.product(sku)
        return None if product is None else Decimal(str(product["salePrice"])).quantize(Decimal("0.01"))

    def history(self, sim, sku, kind):
        return applied_values(sim.history(sku), kind)

    # --- the catalog path ---------------------------------------------------------------------
    def map_catalog(self, channel, sim):
        from mpdash.catalog.models import Category
        from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
        from mpdash.channels.models_remote import RemoteBrand, RemoteCategory

        from ..conftest import run

        for flow in ("category_node", "category_attributes", "default_attributes", "brands"):
            result = run(channel, flow)
            assert result.status == "success", (flow, result.message)
        dress = sim.catalog.find("Giyim", "Kadın", "Elbise")
        local = Category.objects.create(code="elbise", name="Elbise")
        CategoryMapping.objects.create(channel=channel, local_category=local,
                                       remote_category=RemoteCategory.objects.get(channel=channel, remote_id=str(dress.id)))
        brand = RemoteBrand.objects.filter(channel=channel).order_by("remote_id").first()
        for attribute, kind, source in (
            ("brandId", "constant", brand.remote_id), ("dimensionalWeight", "constant", "2"),
            ("Renk", "attribute", "renk"), ("Beden", "attribute", "beden"), ("Materyal", "constant", "Keten"),
            ("Menşei", "constant", "TR"),
        ):
            AttributeMapping.objects.create(channel=channel, attribute=attribute, source_type=kind, source=source)
        return local

    def add_product(self, lists, category, sku):
        from ...integration.product_helpers import add_product

        return add_product(lists, category, sku, barcode=f"BRC{sku}", images=1)

    def listed_as(self, product):
        return product.attributes["barcode"]  # Trendyol keys products by barcode

    def approve(self, sim, product):
        assert sim.wait_until_processed(5.0, approvals=True), "Trendyol's approvals did not fall due"

    def reject(self, sim, product, reason):
        sim.reject(product.attributes["barcode"], reason)

    def product_state(self, sim, product):
        return sim.product(product.attributes["barcode"])

    def off_sale(self, sim, product):
        remote = sim.product(product.attributes["barcode"])
        return remote is None or bool(remote["archived"]) or int(remote["quantity"]) == 0

    # --- orders -----------------------------------------------------------------------------------
    def place_order(self, sim, lines, *, shopper=0):
        placed = sim.place_order([{"barcode": sku, "quantity": q} for sku, q in lines])
        return PlacedOrder(str(placed["orderNumber"]), list(lines), placed)

    def remote_status(self, sim, order):
        return str(sim.package(order.package_id)["status"]).lower()

    def remote_tracking(self, sim, order):
        return str(sim.package(order.package_id).get("cargoTrackingNumber") or "")

    def cancelled_skus(self, sim, order):
        return {line["barcode"] for package in sim.packages(order.marketplace_order_number)
                for line in package["lines"] if line.get("orderLineItemStatusName") in ("UnSupplied", "Cancelled")}

    def customer_cancels(self, sim, order, sku):
        item = order.items.get(sku=sku)
        sim.cancel_package(order.package_id, [{"lineId": int(item.remote_line_id), "quantity": item.quantity}])
        assert sim.wait_for_order_events(5.0), "the new package of the lines not cancelled did not appear"

    def deliver(self, sim, channel, order):
        from mpdash.marketplaces.base import OrderUpdate

        from ..conftest import run

        if self.remote_status(sim, order) == "created":
            adapter = channel.adapter()
            try:
                assert adapter.send_order_update(OrderUpdate(package_id=order.package_id, status="picking")).ok
            finally:
                adapter.close()
        if self.remote_status(sim, order) in ("picking", "invoiced"):
            sim.set_package_status(order.package_id, "Shipped", tracking_number="TEX1")
        sim.set_package_status(order.package_id, "Delivered")
        result = run(channel, "get_updated_orders")
        assert result.status == "success", result.message

    def open_claim(self, sim, order, sku):
        item = order.items.get(sku=sku)
        made = sim.create_claim(order.package_id, lines=[{"lineId": int(item.remote_line_id), "quantity": 1}],
                                status="WaitingInAction", customerNote="too small")
        return str(made["claimId"])

    def small_pages(self, monkeypatch):
        from mpdash.marketplaces.trendyol.adapter import TrendyolAdapter

        monkeypatch.setattr(TrendyolAdapter, "orders_page_size", 2)

    def claim_outcome(self, sim, claim_id):
        names = {unit["claimItemStatus"]["name"] for group in sim.claim(claim_id)["items"] for unit in group["claimItems"]}
        outcomes = {_CLAIM_OUTCOMES.get(n, "open") for n in names}
        return outcomes.pop() if len(outcomes) == 1 else f"mixed: {sorted(names)}"
