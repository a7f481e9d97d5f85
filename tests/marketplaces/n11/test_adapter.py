"""The N11 adapter against the simulator over real HTTP: stock and price tasks, the catalog,
product create and approval, orders in and updates out."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mpdash.marketplaces.base import (
    NOT_FOUND,
    ON_SALE,
    PENDING_APPROVAL,
    AttributeChoice,
    OrderUpdate,
    PriceRecord,
    ProductRecord,
    StockRecord,
)
from mpdash.marketplaces.errors import AuthError, ConfigError, TransientError
from mpdash.marketplaces.n11.adapter import N11Adapter
from mpdash.marketplaces.n11.client import rest_root

from .conftest import wait_done


def window():
    now = datetime.now(UTC)
    return now - timedelta(days=2), now + timedelta(seconds=5)


def all_pages(lister, start, end):
    items, token = [], None
    while True:
        page = lister(start, end, token)
        items += page.items
        token = page.next_token
        if token is None:
            return items


def test_rest_root_strips_the_soap_base():
    assert rest_root("https://api.n11.com/ws/") == "https://api.n11.com"
    assert rest_root("http://127.0.0.1:9/prefix") == "http://127.0.0.1:9/prefix"
    with pytest.raises(ConfigError, match="base_url"):
        rest_root("api.n11.com")


def test_stock_with_buffer_and_prices_with_two_decimals(sim):
    adapter = N11Adapter({**sim.adapter_config(), "buffer_stock": 2}, budget=None)
    sim.add_products([{"stockCode": "S1", "salePrice": 10, "listPrice": 10, "quantity": 0},
                      {"stockCode": "S2", "salePrice": 10, "listPrice": 10, "quantity": 0}])
    sent = adapter.send_stock([StockRecord("S1", 5), StockRecord("S2", 1), StockRecord("S1", 7)])
    assert sent.sent["S1"]["quantity"] == 5 and sent.sent["S2"]["quantity"] == 0  # last record per sku, minus buffer
    assert all(r.ok for r in wait_done(adapter, "productstock", sent.remote_id).results)
    assert sim.product("S1")["quantity"] == 5 and sim.product("S1")["salePrice"] == 10
    prices = adapter.send_prices([PriceRecord("S1", Decimal("19.999"), Decimal("25")), PriceRecord("S2", Decimal("30"))])
    assert prices.sent["S1"] == {"stockCode": "S1", "listPrice": 25.0, "salePrice": 20.0, "currencyType": "TL"}
    assert prices.sent["S2"]["listPrice"] == prices.sent["S2"]["salePrice"] == 30.0
    assert all(r.ok for r in wait_done(adapter, "productprice", prices.remote_id).results)
    assert (sim.product("S1")["salePrice"], sim.product("S1")["quantity"]) == (20.0, 5)
    adapter.close()


def test_one_failing_record_does_not_fail_the_others(adapter, sim):
    sim.add_products([{"stockCode": c, "salePrice": 10, "quantity": 1} for c in ("OK", "LOW")])
    sent = adapter.send_prices([PriceRecord("OK", Decimal("12")), PriceRecord("LOW", Decimal("12"), Decimal("11")),
                                PriceRecord("GONE", Decimal("5"))])
    results = {r.sku: r for r in wait_done(adapter, "productprice", sent.remote_id).results}
    assert results["OK"].ok and not results["LOW"].ok and not results["GONE"].ok
    assert "not found" in results["GONE"].message and "salePrice" in results["LOW"].message


def test_more_than_1000_records_are_refused_before_sending(adapter, sim):
    with pytest.raises(ValueError, match="at most 1000"):
        adapter.send_stock([StockRecord(f"S{i}", 1) for i in range(1001)])
    assert sim.requests_total == 0


def test_faults_and_credentials(sim):
    adapter = N11Adapter(sim.adapter_config(), budget=None, timeout=2)
    sim.configure(fault={"mode": "5xx", "count": 1})
    with pytest.raises(TransientError):
        adapter.send_stock([StockRecord("S", 1)])
    wrong = N11Adapter({**sim.adapter_config(), "app_secret": "nope"}, budget=None)
    with pytest.raises(AuthError, match="app_key and app_secret"):
        wrong.send_stock([StockRecord("S", 1)])
    with pytest.raises(ConfigError, match="app_key"):
        N11Adapter({"base_url": sim.url}, budget=None)
    adapter.close()
    wrong.close()


def test_category_tree_and_attributes(adapter):
    nodes = list(adapter.fetch_categories(["1000001"]))
    assert nodes[0].remote_id == "1000001" and nodes[0].parent_id is None
    leaves = {n.remote_id for n in nodes if n.is_leaf}
    assert leaves == {"1000101", "1000102", "1000201", "1000202", "1000501"}
    assert {n.remote_id: n.parent_id for n in nodes}["1000101"] == "1000100"
    with pytest.raises(ConfigError, match="not in N11's category tree"):
        list(adapter.fetch_categories(["42"]))
    attributes = {a.name: a for a in adapter.fetch_attributes("1000101")}
    assert attributes["Renk"].required and attributes["Renk"].slicer and not attributes["Renk"].variant
    assert attributes["Beden"].variant and {v.name for v in attributes["Beden"].values} >= {"S", "M", "L"}
    assert attributes["Marka"].allow_custom and not attributes["Materyal"].required


def record(sku, barcode=None, **fields):
    values = {"title": f"Elbise {sku}", "description": "Keten", "barcode": barcode or f"B{sku}",
              "productMainId": "M1", "stockCode": sku, "images": ["https://img.invalid/1.jpg"],
              "listPrice": Decimal("120"), "salePrice": Decimal("99.9"), "quantity": Decimal(4), "vatRate": Decimal(20)}
    values.update(fields)
    attributes = [AttributeChoice("1", "Renk", value_ids=["1001"]), AttributeChoice("2", "Beden", value_ids=["2004"]),
                  AttributeChoice("3", "Marka", custom_value="Mpdash")]
    return ProductRecord(sku=sku, category_id="1000101", fields=values, attributes=attributes)


def test_product_create_then_approval_and_the_catalog_path(adapter, sim):
    sim.add_catalog_barcodes(["8690000000001"])
    bad = record("P3")
    bad.attributes = bad.attributes[1:]  # no colour
    assert adapter.check_product(record("P4", listPrice=Decimal("50"))) == [
        "list price 50.00 is below sale price 99.90; N11 requires listPrice ≥ salePrice"]
    payload = adapter.build_product_payload(record("P1"))
    assert payload["attributes"][0] == {"id": 1, "valueId": 1001} and payload["attributes"][2]["customValue"] == "Mpdash"
    assert payload["currencyType"] == "TL" and payload["salePrice"] == 99.9 and payload["images"][0]["order"] == 1
    sent = adapter.send_products([record("P1"), record("P2", barcode="8690000000001"), bad])
    results = {r.sku: r for r in wait_done(adapter, "product", sent.remote_id).results}
    assert results["P1"].ok and results["P1"].state == PENDING_APPROVAL
    assert results["P2"].ok and results["P2"].state == PENDING_APPROVAL and "already pending approval" in results["P2"].message
    assert not results["P3"].ok and "Renk attribute is required" in results["P3"].message
    time.sleep(0.3)
    statuses = adapter.product_statuses(["P1", "P2", "P9"])
    assert statuses["P1"].state == ON_SALE  # N11 reviewed it
    assert statuses["P2"].state == PENDING_APPROVAL  # waits for the seller's approval in N11's panel
    assert statuses["P9"].state == NOT_FOUND
    sim.seller_approve("P2")
    assert adapter.product_statuses(["P2"])["P2"].state == ON_SALE
    listings = {x.sku: x for x in adapter.list_listings()}
    assert listings["P1"].on_sale and listings["P1"].price == Decimal("99.9") and listings["P1"].stock == 4


def test_orders_pages_statuses_and_mapping(sim):
    adapter = N11Adapter({**sim.adapter_config(), "get_discount_amount": True}, budget=None)
    adapter.orders_page_size = 2
    sim.add_products([{"stockCode": "A", "salePrice": 100, "quantity": 50}])
    placed = [sim.place_order([{"stockCode": "A", "quantity": 2, "sellerDiscount": 20}]) for _ in range(5)]
    sim.set_package_status(placed[0]["packageId"], "Picking")
    sim.set_package_status(placed[4]["packageId"], "Shipped")
    orders = all_pages(adapter.list_orders, *window())  # Created, then Picking: one status per request
    assert [o.package_id for o in orders] == [p["packageId"] for p in placed[1:4]] + [placed[0]["packageId"]]
    order = orders[0]
    assert order.status == "created" and order.shipping_address.township and order.lines[0].quantity == 2
    assert order.lines[0].price == Decimal("90.00") and order.lines[0].discount == Decimal("10.00")
    sim.set_package_status(placed[1]["packageId"], "Shipped", tracking_number="YK1")
    sim.set_package_status(placed[2]["packageId"], "Delivered")
    sim.set_package_status(placed[3]["packageId"], "Cancelled")
    updated = {o.package_id: o for o in all_pages(adapter.list_updated_orders, *window())}
    assert set(updated) == {placed[i]["packageId"] for i in (1, 2, 4)}
    assert updated[placed[1]["packageId"]].tracking_number == "YK1" and updated[placed[2]["packageId"]].status == "delivered"
    cancelled = all_pages(adapter.list_cancellations, *window())
    assert [c.package_id for c in cancelled] == [placed[3]["packageId"]] and cancelled[0].line_ids
    # Windows longer than a month are read month by month.
    start = datetime.now(UTC) - timedelta(days=75)
    old = sim.place_order([{"stockCode": "A"}], createdDate=int((time.time() - 50 * 86400) * 1000))
    found = [o.package_id for o in all_pages(adapter.list_orders, start, window()[1])]
    assert found == [old["packageId"], placed[0]["packageId"]]
    adapter.close()


def test_accept_split_and_partial_cancel(adapter, sim):
    sim.add_products([{"stockCode": "A", "quantity": 50}, {"stockCode": "B", "quantity": 50}])
    placed = sim.place_order([{"stockCode": "A", "quantity": 3}, {"stockCode": "B", "quantity": 1}])
    package_id = placed["packageId"]
    a_line, b_line = (x["lineId"] for x in placed["lines"])
    result = adapter.cancel_lines(package_id, [(a_line, 1)], "")
    assert result.ok and "Picking sent first" in result.message, result.message
    assert sim.cancelled_lines() == [{"orderLineId": a_line, "quantity": 1, "packageId": package_id, "reasonId": 65,
                                      "by": "seller"}]
    kept = sim.package_of_line(a_line)
    assert {x["orderLineId"]: x["quantity"] for x in kept["lines"]} == {a_line: 2, b_line: 1}
    assert sim.package(package_id)["shipmentPackageStatus"] == "UnPacked"
    assert not adapter.cancel_lines(kept["id"], [(a_line, 2), (b_line, 1)], "").ok  # nothing left to keep
    assert not adapter.cancel_lines(kept["id"], [(a_line, 1)], "99").ok  # not an N11 reason

    assert kept["shipmentPackageStatus"] == "Picking"
    # The old package now comes as a cancellation, the new one as an order.
    assert [c.package_id for c in all_pages(adapter.list_cancellations, *window())] == [package_id]
    assert [o.package_id for o in all_pages(adapter.list_orders, *window())] == [kept["id"]]
    again = adapter.send_order_update(OrderUpdate(package_id=kept["id"], status="invoiced"))
    assert again.ok and "already Picking" in again.message

    fresh = sim.place_order([{"stockCode": "A", "quantity": 1}])
    update = adapter.send_order_update(OrderUpdate(package_id=fresh["packageId"], status="picking"))
    assert update.ok and "Picking sent" in update.message
    assert sim.package(fresh["packageId"])["shipmentPackageStatus"] == "Picking"
    split = adapter.split_package(kept["id"], [[(a_line, 2)], [(b_line, 1)]])
    assert split.ok, split.message
    assert sim.package_of_line(a_line)["id"] != sim.package_of_line(b_line)["id"]
    assert not adapter.send_order_update(OrderUpdate(package_id="404", status="picking")).ok


def test_update_task_review_rejection_and_own_carrier_tracking(sim):
    adapter = N11Adapter({**sim.adapter_config(), "send_shipping_info": True}, budget=None)
    sim.reject("R1", "Görsel ürünle uyuşmuyor")
    sent = adapter.send_products([record("R1"), record("U1")])
    assert all(r.ok for r in wait_done(adapter, "product", sent.remote_id).results)
    assert sim.wait_until_processed(3, approvals=True)
    statuses = adapter.product_statuses(["R1", "U1"])
    assert statuses["R1"].state == "rejected" and statuses["R1"].reasons == ["Görsel ürünle uyuşmuyor"]
    assert statuses["U1"].state == ON_SALE
    changed = record("U1", title="Yeni başlık")
    update = adapter.send_products([changed], update=True)
    assert set(update.sent["U1"]) <= {"stockCode", "title", "description", "images", "attributes", "productMainId",
                                      "vatRate"}
    assert wait_done(adapter, "product", update.remote_id).results[0].ok
    assert sim.product("U1")["title"] == "Yeni başlık" and sim.product("U1")["salePrice"] == 99.9

    sim.add_products([{"stockCode": "A", "quantity": 5}])
    placed = sim.place_order([{"stockCode": "A", "quantity": 1}])
    missing = adapter.send_order_update(OrderUpdate(package_id=placed["packageId"], status="shipped"))
    assert not missing.ok and "tracking number is needed" in missing.message
    shipped = adapter.send_order_update(OrderUpdate(package_id=placed["packageId"], status="shipped",
                                                    tracking_number="YK5", cargo_company="Yurtiçi Kargo"))
    assert shipped.ok and "Shipped sent with tracking number YK5" in shipped.message, shipped.message
    package = sim.package(placed["packageId"])
    assert (package["shipmentPackageStatus"], package["cargoTrackingNumber"]) == ("Shipped", "YK5")
    adapter.close()


def test_a_package_changed_in_the_ends_millisecond_before_the_end_is_read_in_that_window(sim):
    """N11 filters by whole milliseconds: a window ending 0.5 ms into the millisecond of a
    package's change reads it now, not one run later."""
    adapter = N11Adapter(sim.adapter_config(), budget=None)
    sim.add_products([{"stockCode": "A", "salePrice": 100, "quantity": 50}])
    placed = sim.place_order([{"stockCode": "A", "quantity": 1}])
    [order] = all_pages(adapter.list_orders, *window())
    changed = datetime.fromtimestamp(order.raw["lastModifiedDate"] / 1000, UTC)
    end = changed + timedelta(microseconds=500)
    assert [o.package_id for o in all_pages(adapter.list_orders, end - timedelta(hours=1), end)] == [placed["packageId"]]
    assert all_pages(adapter.list_orders, end - timedelta(hours=1), changed) == []
    assert [o.package_id for o in all_pages(adapter.list_orders, changed, end)] == [placed["packageId"]]
