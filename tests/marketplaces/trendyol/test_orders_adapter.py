"""The Trendyol adapter's order side against the simulator: listings, updates, cancellations,
claims and splits (real HTTP, no Django)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mpdash.marketplaces.base import OrderUpdate, RemoteCancellation, RemoteClaim, RemoteOrder
from mpdash.marketplaces.errors import RateLimited, TransientError
from mpdash.marketplaces.trendyol.adapter import TrendyolAdapter
from mpdash.marketplaces.simkit.sample_data import PLACES

JPEG = b"\xff\xd8\xff\xe0 a photo of the used product"
PDF = b"%PDF-1.4 a cargo report"


@pytest.fixture
def shop(sim):
    sim.add_products([{"barcode": "BC-1", "stockCode": "SKU-1", "quantity": 20_000, "salePrice": 150.0, "vatRate": 20},
                      {"barcode": "BC-2", "stockCode": "SKU-2", "quantity": 20_000, "salePrice": 40.0, "vatRate": 10}])
    sim.configure(repack_delay=0.1)
    return sim


def recent(hours: float = 1.0):
    """A window around now, like the flow's (its end a little ahead so nothing is cut off)."""
    now = datetime.now(UTC)
    return now - timedelta(hours=hours), now + timedelta(seconds=1)


def read_all(listing, start, end, limit: int = 10_000) -> list:
    """Every item of a listing, page by page, as the inbound flow reads it."""
    items, token, pages = [], None, 0
    while True:
        page = listing(start, end, token)
        items += page.items
        pages += 1
        assert pages < limit
        if page.next_token is None:
            return items
        token = page.next_token


def test_max_order_window_is_14_days():
    assert TrendyolAdapter.max_order_window_hours == 14 * 24


# --- listing -------------------------------------------------------------------------------------


def test_placed_order_appears_with_lines_customer_and_address(shop, adapter):
    placed = shop.place_order(
        [{"barcode": "BC-1", "quantity": 2, "discountPercentage": 10}, {"stockCode": "SKU-2", "quantity": 1}],
        customer={"firstName": "Ayşe", "lastName": "Yılmaz", "email": "pf+1@trendyolmail.com"},
        shippingAddress={"address1": "Moda Cad. No:5", "city": "İstanbul", "district": "Kadıköy",
                         "neighborhood": "Caferağa Mah.", "postalCode": "34710", "phone": "05550000000"},
        invoiceAddress={"address1": "Kızılay Mah. Atatürk Blv. No:1", "city": "Ankara", "district": "Çankaya",
                        "neighborhood": "Kızılay Mah.", "company": "Yılmaz Ltd.", "taxOffice": "Çankaya",
                        "taxNumber": "1234567890"},
    )
    page = adapter.list_orders(*recent())
    assert page.next_token is None and len(page.items) == 1
    order = page.items[0]
    assert isinstance(order, RemoteOrder)
    assert (order.package_id, order.order_number, order.status) == (str(placed["packageId"]), placed["orderNumber"],
                                                                     "created")
    first, second = order.lines
    assert (first.line_id, first.sku, first.remote_sku, first.quantity) == (
        str(placed["lines"][0]["lineId"]), "SKU-1", "BC-1", 2)
    assert (first.list_price, first.discount, first.price, first.tax_rate) == (
        Decimal("150"), Decimal("15"), Decimal("135"), Decimal("20"))
    assert (second.sku, second.price, second.status) == ("SKU-2", Decimal("40"), "Created")
    assert order.amount == Decimal("310") and order.discount == Decimal("30")
    assert (order.customer_name, order.customer_email) == ("Ayşe Yılmaz", "pf+1@trendyolmail.com")
    shipping, billing = order.shipping_address, order.billing_address
    assert (shipping.city, shipping.township, shipping.district, shipping.neighbourhood, shipping.line) == (
        "İstanbul", "Kadıköy", "Caferağa Mah.", "Caferağa Mah.", "Moda Cad. No:5")
    assert (shipping.postcode, shipping.phone, order.customer_phone) == ("34710", "05550000000", "05550000000")
    assert (billing.city, billing.township, billing.company, billing.tax_office, billing.tax_number) == (
        "Ankara", "Çankaya", "Yılmaz Ltd.", "Çankaya", "1234567890")
    assert order.cargo_company and order.tracking_number.isdigit() and order.tracking_url.startswith("https://")
    assert order.placed_at.tzinfo is not None and order.modified_at >= order.placed_at
    assert order.raw["orderNumber"] == placed["orderNumber"]


def test_paging_450_packages_with_small_pages_returns_each_once(shop, adapter):
    placed = shop.place_orders([{"lines": [{"barcode": "BC-1"}]} for _ in range(450)])
    adapter.orders_page_size = 20
    seen = [order.package_id for order in read_all(adapter.list_orders, *recent())]
    assert len(seen) == 450 and set(seen) == {str(p["packageId"]) for p in placed}


def test_awaiting_is_reported_then_created(shop, adapter):
    shop.configure(awaiting_delay=0.4)
    placed = shop.place_order([{"barcode": "BC-1"}])
    [order] = read_all(adapter.list_orders, *recent())
    assert order.status == "awaiting"
    assert shop.wait_for_order_events(3)
    [order_again] = read_all(adapter.list_orders, *recent())
    assert order_again.package_id == str(placed["packageId"]) and order_again.status == "created"
    assert order_again.modified_at > order.modified_at


def test_listings_read_the_stream_never_get_shipment_packages(shop, adapter):
    """Every inbound listing goes to getShipmentPackagesStream, all its statuses in one query,
    following Trendyol's cursor; the page-numbered getShipmentPackages is left for lookups."""
    shop.place_orders([{"lines": [{"barcode": "BC-2"}]} for _ in range(45)])
    adapter.orders_page_size = 20
    calls, stream = [], adapter.client.get_shipment_packages_stream

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return stream(*args, **kwargs)

    def retired(*args, **kwargs):
        raise AssertionError("a listing called getShipmentPackages")

    adapter.client.get_shipment_packages_stream, adapter.client.get_shipment_packages = spy, retired
    for listing in (adapter.list_orders, adapter.list_updated_orders, adapter.list_cancellations):
        read_all(listing, *recent())
    assert [c["statuses"] for c in calls] == [("Awaiting", "Created")] * 3 + [
        ("Shipped", "Delivered", "UnDelivered"), ("Cancelled", "UnSupplied")]
    assert [bool(c["cursor"]) for c in calls] == [False, True, True, False, False]
    assert all(e.url.endswith("/orders/stream") for e in adapter.client.exchanges)


def test_windows_older_than_the_streams_3_months_are_cut_with_a_log_line(shop, adapter, caplog):
    now = datetime.now(UTC)
    assert adapter.list_orders(now - timedelta(days=120), now - timedelta(days=110)).items == []
    assert adapter.client.exchanges == []  # wholly beyond the 3 months: not asked at all
    shop.place_order([{"barcode": "BC-1"}], orderDate=int((now - timedelta(days=89)).timestamp() * 1000))
    with caplog.at_level("WARNING", logger="mpdash.marketplaces.trendyol"):
        page = adapter.list_orders(now - timedelta(days=95), now - timedelta(days=85))
    assert len(page.items) == 1 and "last 90 days only" in caplog.text
    assert all(e.status_code == 200 for e in adapter.client.exchanges)  # the simulator refuses older ranges


def test_more_than_10000_packages_in_one_window(shop, adapter):
    """getShipmentPackages reaches 10,000 records a query; the stream has no such window: all
    10,050 packages of one window are read by its cursor without a single refused page."""
    shop.configure(rate_limit=0)
    base = int(time.time() * 1000) - 10 * 86_400_000
    placed = shop.place_orders([{"lines": [{"barcode": "BC-1"}], "orderDate": base + i * 60_000}
                                for i in range(10_050)])
    now = datetime.now(UTC)
    seen = [order.package_id for order in read_all(adapter.list_orders, now - timedelta(days=11), now)]
    assert len(seen) == 10_050 and set(seen) == {str(p["packageId"]) for p in placed}
    assert not any(e.status_code == 400 for e in adapter.client.exchanges)


def test_packages_leaving_the_window_while_paging_skip_nothing(shop, adapter):
    placed = shop.place_orders([{"lines": [{"barcode": "BC-1"}]} for _ in range(50)])
    adapter.orders_page_size = 10
    start, end = recent()
    first = adapter.list_orders(start, end)
    assert len(first.items) == 10
    for order in first.items[:5]:  # prepared meanwhile: they leave the Created listing
        assert adapter.send_order_update(OrderUpdate(order.package_id, "picking")).ok
    seen = {o.package_id for o in first.items}
    token = first.next_token
    while token:
        page = adapter.list_orders(start, end, token)
        seen |= {o.package_id for o in page.items}
        token = page.next_token
    assert seen == {str(p["packageId"]) for p in placed}


def test_updated_orders_bring_shipped_delivered_and_undelivered(shop, adapter):
    ids = [str(shop.place_order([{"barcode": "BC-1"}])["packageId"]) for _ in range(4)]
    for package_id in ids:
        adapter.send_order_update(OrderUpdate(package_id, "picking"))
    shop.set_package_status(ids[0], "Shipped")
    shop.set_package_status(ids[1], "Shipped")
    shop.set_package_status(ids[1], "Delivered")
    shop.set_package_status(ids[2], "Shipped")
    shop.set_package_status(ids[2], "UnDelivered")
    updated = {o.package_id: o for o in read_all(adapter.list_updated_orders, *recent())}
    assert {k: o.status for k, o in updated.items()} == {ids[0]: "shipped", ids[1]: "delivered", ids[2]: "shipped"}
    assert updated[ids[2]].raw["status"] == "UnDelivered" and updated[ids[0]].tracking_number
    assert [o.package_id for o in read_all(adapter.list_orders, *recent())] == []  # none Created any more


def test_cancellations_cover_cancelled_and_unsupplied_packages(shop, adapter):
    cancelled = shop.place_order([{"barcode": "BC-1"}, {"barcode": "BC-2"}])
    unsupplied = shop.place_order([{"barcode": "BC-1", "quantity": 2}])
    shop.cancel_package(cancelled["packageId"])
    result = adapter.cancel_lines(str(unsupplied["packageId"]), [(str(unsupplied["lines"][0]["lineId"]), 1)], "500")
    assert result.ok and "new package" in result.message
    found = {c.package_id: c for c in read_all(adapter.list_cancellations, *recent())}
    assert set(found) == {str(cancelled["packageId"]), str(unsupplied["packageId"])}
    assert all(isinstance(c, RemoteCancellation) and c.line_ids == [] for c in found.values())
    assert found[str(unsupplied["packageId"])].reason_code == "UnSupplied"
    assert found[str(cancelled["packageId"])].reason_code == "Cancelled"
    assert found[str(cancelled["packageId"])].order_number == cancelled["orderNumber"]


def test_unsupplied_line_moves_the_rest_to_a_new_package(shop, adapter):
    placed = shop.place_order([{"barcode": "BC-1", "quantity": 3}, {"barcode": "BC-2", "quantity": 1}])
    old_id = str(placed["packageId"])
    line_id = str(placed["lines"][1]["lineId"])
    assert adapter.cancel_lines(old_id, [(line_id, 1)], "").ok  # empty reason: the channel's default (500)
    assert shop.package(old_id)["_sim"]["ended_lines"][0]["reasonId"] == 500
    assert shop.wait_for_order_events(3)
    orders = read_all(adapter.list_orders, *recent())
    [new] = [o for o in orders if o.order_number == placed["orderNumber"]]
    assert new.package_id != old_id and new.raw["originPackageIds"] == [int(old_id)]
    assert [(line.sku, line.quantity) for line in new.lines] == [("SKU-1", 3)]
    whole = adapter.cancel_lines(new.package_id, [], "505")  # no lines: the whole package
    assert whole.ok and shop.package(new.package_id)["status"] == "UnSupplied"
    assert not adapter.cancel_lines(new.package_id, [], "999").ok


# --- order updates -------------------------------------------------------------------------------


def test_invoiced_takes_picking_first_then_sends_the_invoice_link(shop, adapter):
    placed = shop.place_order([{"barcode": "BC-1"}])
    package_id = str(placed["packageId"])
    result = adapter.send_order_update(OrderUpdate(package_id, "invoiced", invoice_number="TYA2026000000001",
                                                   invoice_date=datetime.now(UTC),
                                                   invoice_link="https://e-fatura.example.com/TYA1.pdf"))
    assert result.ok, result.message
    assert result.answer["steps"][0].startswith("Picking sent first")
    package = shop.package(package_id)
    assert [h["status"] for h in package["packageHistories"]] == ["Created", "Picking", "Invoiced"]
    assert package["_sim"]["invoice_number"] == "TYA2026000000001"
    assert package["invoiceLink"] == "https://e-fatura.example.com/TYA1.pdf"
    again = adapter.send_order_update(OrderUpdate(package_id, "invoiced", invoice_number="TYA2026000000001",
                                                  invoice_link="https://e-fatura.example.com/TYA1.pdf"))
    assert again.ok and "already Invoiced" in again.message and "already holds an invoice link" in again.message


def test_order_update_refusals_and_checks(shop, adapter):
    placed = shop.place_order([{"barcode": "BC-1"}])
    package_id = str(placed["packageId"])
    assert not adapter.send_order_update(OrderUpdate(package_id, "invoiced")).ok  # no invoice number
    assert not adapter.send_order_update(OrderUpdate(package_id, "packed")).ok
    assert not adapter.send_order_update(OrderUpdate("999", "picking")).ok
    assert adapter.send_order_update(OrderUpdate(package_id, "picking")).ok
    assert "already Picking" in adapter.send_order_update(OrderUpdate(package_id, "picking")).message
    shop.configure(awaiting_delay=30)
    waiting = shop.place_order([{"barcode": "BC-1"}])
    refused = adapter.send_order_update(OrderUpdate(str(waiting["packageId"]), "picking"))
    assert not refused.ok and "Awaiting" in refused.message
    shop.cancel_package(package_id)
    assert "Cancelled" in adapter.send_order_update(OrderUpdate(package_id, "invoiced", invoice_number="X")).message


def test_shipped_and_delivered_are_trendyols_unless_the_seller_ships(shop, adapter, make_adapter):
    placed = shop.place_order([{"barcode": "BC-1"}])
    package_id = str(placed["packageId"])
    shipped = adapter.send_order_update(OrderUpdate(package_id, "shipped", invoice_number="INV-9"))
    assert shipped.ok and "sets Shipped itself" in shipped.message
    assert shop.package(package_id)["status"] == "Invoiced"  # the earlier steps were taken
    own = make_adapter(send_shipping_info=True, cargo_provider_code="ARASMP")  # tracking-details needs it
    mine = str(shop.place_order([{"barcode": "BC-2"}])["packageId"])
    assert not own.send_order_update(OrderUpdate(mine, "shipped")).ok  # no tracking number
    result = own.send_order_update(OrderUpdate(mine, "shipped", tracking_number="ARAS-555"))
    assert result.ok and "tracking number ARAS-555 sent" in result.message
    assert shop.package(mine)["cargoTrackingNumber"] == "ARAS-555"
    assert not own.send_order_update(OrderUpdate(mine, "delivered")).ok  # not shipped yet
    shop.set_package_status(mine, "Shipped")
    repeated = own.send_order_update(OrderUpdate(mine, "shipped", tracking_number="ARAS-555"))
    assert repeated.ok and "already Shipped" in repeated.message  # no second tracking number
    delivered = own.send_order_update(OrderUpdate(mine, "delivered"))
    assert delivered.ok and shop.package(mine)["status"] == "Delivered"
    assert "already Delivered" in own.send_order_update(OrderUpdate(mine, "delivered")).message


def test_split_package_makes_new_packages_later(shop, adapter):
    placed = shop.place_order([{"barcode": "BC-1", "quantity": 2}, {"barcode": "BC-2", "quantity": 1}])
    first, second = (str(line["lineId"]) for line in placed["lines"])
    result = adapter.split_package(str(placed["packageId"]), [[(first, 1)], [(first, 1), (second, 1)]])
    assert result.ok and "UnPacked" in result.message
    assert shop.wait_for_order_events(3)
    orders = [o for o in read_all(adapter.list_orders, *recent()) if o.order_number == placed["orderNumber"]]
    assert sorted([(line.sku, line.quantity) for line in o.lines] for o in orders) == [
        [("SKU-1", 1)], [("SKU-1", 1), ("SKU-2", 1)]]
    assert not adapter.split_package(str(placed["packageId"]), [[(first, 1)]]).ok  # UnPacked: no more splits
    assert not adapter.split_package(orders[0].package_id, []).ok


# --- claims --------------------------------------------------------------------------------------


def delivered_package(sim, adapter, **line) -> dict:
    placed = sim.place_order([{"barcode": "BC-1", "quantity": 2, **line}])
    assert adapter.send_order_update(OrderUpdate(str(placed["packageId"]), "picking")).ok
    sim.set_package_status(placed["packageId"], "Shipped")
    sim.set_package_status(placed["packageId"], "Delivered")
    return placed


def test_claims_are_mapped_and_approved_only_from_waiting_in_action(shop, adapter):
    placed = delivered_package(shop, adapter)
    shop.create_claim(placed["packageId"], reasonId=501, customerNote="bedeni küçük")
    [claim] = read_all(adapter.list_claims, *recent())
    assert isinstance(claim, RemoteClaim) and claim.status == "waiting_action"
    assert (claim.package_id, claim.order_number) == (str(placed["packageId"]), placed["orderNumber"])
    assert [(line.line_id, line.sku, line.quantity, line.reason_code, line.customer_note) for line in claim.lines] == [
        (str(placed["lines"][0]["lineId"]), "SKU-1", 1, "501", "bedeni küçük")] * 2
    assert claim.lines[0].reason_text == "Bedeni küçük geldi"
    first = adapter.approve_claim(claim, [claim.lines[0].claim_line_id])
    assert first.ok
    [claim] = read_all(adapter.list_claims, *recent())  # changed: listed again
    assert claim.status == "waiting_action"  # one unit still waits
    rest = adapter.approve_claim(claim, [])  # no ids: the units still waiting
    assert rest.ok and rest.answer["claimLineItemIdList"] == [claim.lines[1].claim_line_id]
    [claim] = read_all(adapter.list_claims, *recent())
    assert claim.status == "accepted"
    nothing = adapter.approve_claim(claim, [])
    assert not nothing.ok and "no unit waiting" in nothing.message
    refused = adapter.approve_claim(claim, [claim.lines[0].line_id])  # an order line id: all its units
    assert not refused.ok and "WaitingInAction" in refused.message
    assert not adapter.approve_claim(claim, ["no-such-unit"]).ok


def test_claims_rejected_with_files_and_the_rules(shop, adapter, client):
    placed = delivered_package(shop, adapter)
    opened = shop.create_claim(placed["packageId"], status="Created")
    assert read_all(adapter.list_claims, *recent()) == []  # the goods are on their way: nothing to do yet
    claim = TrendyolAdapter._remote_claim(client.get_claims(claim_ids=[opened["claimId"]]).content[0])
    assert claim.status == "created"
    assert "no unit waiting" in adapter.reject_claim(claim, [], "1", "Ürün kullanılmış", [JPEG]).message
    too_early = adapter.reject_claim(claim, [claim.lines[0].claim_line_id], "1", "Ürün kullanılmış", [JPEG])
    assert not too_early.ok and "WaitingInAction" in too_early.message and "400" in too_early.message
    client.set_test_claims_waiting_in_action(opened["claimId"])
    [claim] = read_all(adapter.list_claims, *recent())
    no_file = adapter.reject_claim(claim, [], "1", "Ürün kullanılmış", [])
    assert not no_file.ok and "jpeg or pdf" in no_file.message
    assert not adapter.reject_claim(claim, [], "1", "Ürün kullanılmış", [b"GIF89a"]).ok
    assert not adapter.reject_claim(claim, [], "", "Ürün kullanılmış", [JPEG]).ok  # no reason, none configured
    first = adapter.reject_claim(claim, [claim.lines[0].claim_line_id], "1", "Ürün kullanılmış " * 40, [JPEG, PDF])
    assert first.ok and "cut to Trendyol's 500" in first.message and first.answer["files"] == 2
    issue = shop.claim(claim.claim_id)["items"][0]["claimItems"][0]["claimIssue"]
    assert issue["files"] == ["file1.jpg", "file2.pdf"] and len(issue["description"]) == 500
    second = adapter.reject_claim(claim, [claim.lines[1].claim_line_id], "451", "İade paketi boş geldi", [])
    assert second.ok
    [claim] = read_all(adapter.list_claims, *recent())
    assert claim.status == "rejected"


def test_claim_reason_default_comes_from_the_channel(shop, make_adapter):
    adapter = make_adapter(claim_issue_reason_id=2101)
    placed = delivered_package(shop, adapter)
    shop.create_claim(placed["packageId"])
    [claim] = read_all(adapter.list_claims, *recent())
    assert adapter.reject_claim(claim, [], "", "Diğer", []).ok  # 2101 needs no file


def test_claims_created_long_before_are_listed_when_they_change(shop, adapter):
    placed = delivered_package(shop, adapter)
    opened = shop.create_claim(placed["packageId"], status="Created")
    time.sleep(0.05)
    start = datetime.now(UTC)
    assert read_all(adapter.list_claims, start, start + timedelta(minutes=1)) == []  # unchanged since
    shop.claim_waiting_in_action(opened["claimId"])
    [claim] = read_all(adapter.list_claims, start, datetime.now(UTC) + timedelta(seconds=1))
    assert claim.claim_id == opened["claimId"] and claim.status == "waiting_action"


# --- the shopper, failures, tokens --------------------------------------------------------------


def test_shopper_orders_become_packages_with_real_places(shop, adapter):
    started = time.monotonic()
    shop.configure(order_rate=40)
    time.sleep(0.5)
    orders = read_all(adapter.list_orders, *recent())
    shop.configure(order_rate=0)
    assert 20 <= len(orders) <= 40 * (time.monotonic() - started) + 1  # 40 a second, placed as they fall due
    places = {(city, district) for city, _, district, _, _ in PLACES}
    assert all((o.shipping_address.city, o.shipping_address.township) in places for o in orders)
    assert all(o.customer_name and o.lines and all(line.sku in ("SKU-1", "SKU-2") for line in o.lines)
               for o in orders)


def test_listing_failures_raise_the_mapped_errors(shop, adapter):
    shop.place_order([{"barcode": "BC-1"}])
    shop.configure(fault={"mode": "429", "count": 1, "path": "/orders"})
    with pytest.raises(RateLimited):
        adapter.list_orders(*recent())
    shop.configure(fault={"mode": "5xx", "count": 1, "path": "/claims"})
    with pytest.raises(TransientError):
        adapter.list_claims(*recent())
    shop.configure(fault={"mode": "5xx", "count": 1, "path": "shipment-packages"})
    with pytest.raises(TransientError):  # outages raise (retried later); refusals come back as results
        adapter.send_order_update(OrderUpdate(str(shop.packages()[0]["id"]), "picking"))
    assert len(adapter.list_orders(*recent()).items) == 1


def test_foreign_tokens_are_refused(adapter):
    with pytest.raises(ValueError, match="page token"):
        adapter.list_orders(*recent(), token="page-2")


def test_list_unpacked_stays_hepsiburada_only(adapter):
    with pytest.raises(NotImplementedError):
        adapter.list_unpacked(*recent())


def test_a_package_changed_in_the_ends_millisecond_before_the_end_is_read_in_that_window(shop, adapter):
    """The stream filters by whole milliseconds. A window ending 0.5 ms into the millisecond
    in which a package changed reads it now; it used to wait for the next window."""
    shop.place_order([{"barcode": "BC-1"}])
    [order] = read_all(adapter.list_orders, *recent())
    changed = datetime.fromtimestamp(order.raw["lastModifiedDate"] / 1000, UTC)
    end = changed + timedelta(microseconds=500)
    assert [o.package_id for o in read_all(adapter.list_orders, end - timedelta(hours=1), end)] == [order.package_id]
    assert read_all(adapter.list_orders, end - timedelta(hours=1), changed) == []  # a window ending on the ms: next one's
    assert [o.package_id for o in read_all(adapter.list_orders, changed, end)] == [order.package_id]
