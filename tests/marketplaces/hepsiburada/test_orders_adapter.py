"""The adapter's order side end to end against the simulator: reading paid lines and packages
(automatic packing), paging and windows, updated orders, cancellations, unpacked packages and
claims; sending invoice links and own-carrier statuses, cancelling lines, claims, splitting."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest

from mpdash.marketplaces.base import OrderUpdate, RemoteClaim, RemoteClaimLine
from mpdash.marketplaces.errors import ConfigError
from mpdash.marketplaces.hepsiburada.adapter import HepsiburadaAdapter, tracking_url_for
from mpdash.marketplaces.hepsiburada.config import FLOW_LOOKBACK_HOURS

from .conftest import load_fixture

TR = timezone(timedelta(hours=3))
PROVIDERS = {
    "aras": {"tracking_url": "https://kargotakip.araskargo.com.tr/mainpage.aspx?code={tracking_number}",
             "tracking_url_by_tracking_number": ""},
    "yurtici": {"tracking_url": "https://yk.example.com/?code=${tracking_number}"},
    "hbexpress": {"tracking_url": "https://www.hepsijet.com/gonderi-takibi/{tracking_number}"},
    "ptt": {"tracking_url": "https://gonderitakip.ptt.gov.tr/Track/Verify?{tracking_number}"},
    "loomis": {"tracking_url": {"tur": "https://loomis.example.com/tr?tracking_number={tracking_number}",
                                "int": "https://loomis.example.com/int?no={tracking_number}"}},
}


def window(hours: float = 1.0) -> tuple[datetime, datetime]:
    """A window around now (ending in the future, so this minute is in it)."""
    now = datetime.now(timezone.utc)
    return now - timedelta(hours=hours), now + timedelta(minutes=5)


def read_all(lister, start, end) -> list:
    items, token, pages = [], None, 0
    while True:
        page = lister(start, end, token)
        items += page.items
        pages += 1
        assert pages < 1000
        if page.next_token is None:
            return items
        token = page.next_token


def place(sim, *lines, **kw) -> dict:
    return sim.place_order([{"merchantSku": sku, "quantity": quantity} for sku, quantity in lines], **kw)


def packaged(sim, *lines, **kw) -> tuple[dict, str]:
    order = place(sim, *lines, pack=True, **kw)
    return order, sim.order(order["orderNumber"])["packageNumbers"][0]


def delivered_line(sim, sku="A", quantity=1) -> str:
    order, number = packaged(sim, (sku, quantity))
    sim.move_package(number, "InTransit")
    sim.move_package(number, "Delivered")
    return order["lineItemIds"][0]


# --- declared data ------------------------------------------------------------------------------
def test_order_limits_are_declared():
    assert HepsiburadaAdapter.max_order_window_hours == 96
    assert FLOW_LOOKBACK_HOURS == {"get_orders": 12, "get_cancel_orders": 12, "get_updated_orders": 24}
    assert set(FLOW_LOOKBACK_HOURS) <= {f.name for f in HepsiburadaAdapter.flows}
    assert (HepsiburadaAdapter.paid_orders_page_size, HepsiburadaAdapter.packages_page_size,
            HepsiburadaAdapter.status_list_page_size, HepsiburadaAdapter.claims_page_size) == (100, 10, 50, 100)


def test_order_calls_need_oms_url_but_stock_does_not(sim):
    config = {k: v for k, v in sim.adapter_config().items() if k != "oms_url"}
    adapter = HepsiburadaAdapter(config, budget=None)
    try:
        with pytest.raises(ConfigError, match="oms_url"):
            adapter.list_orders(*window())
        sim.add_listings([{"merchantSku": "A", "price": 1, "availableStock": 1}])
        assert adapter.send_stock([]).remote_id is None and adapter.list_listings()
    finally:
        adapter.close()


# --- reading orders --------------------------------------------------------------------------------
def test_place_list_pack_and_the_package_appears_with_lines_and_address(sim, make_adapter):
    sim.add_listings([{"merchantSku": "KILIF", "price": 149.9, "availableStock": 10}])
    adapter = make_adapter(automatic_packing=True, store_account_cargo_company="YK", use_hb_tracking_number=True,
                           shipping_provider=PROVIDERS)
    order = place(sim, ("KILIF", 2), ("SARJ", 1))
    start, end = window()
    first = adapter.list_orders(start, end)
    assert first.next_token == {"packages": 0}
    [waiting] = first.items
    assert (waiting.package_id, waiting.order_number, waiting.status) == ("", order["orderNumber"], "created")
    assert [(line.sku, line.quantity) for line in waiting.lines] == [("KILIF", 2), ("SARJ", 1)]

    [package] = adapter.prepare_packages(first.items)
    number = sim.order(order["orderNumber"])["packageNumbers"][0]
    assert (package.package_id, package.order_number, package.status) == (number, order["orderNumber"], "created")
    assert sim.package(number)["packedBy"] == "merchant" and sim.package(number)["cargoCompany"] == "Yurtiçi Kargo"
    assert package.cargo_company == "Yurtiçi Kargo"
    barcode = sim.package(number)["barcode"]
    assert (package.tracking_number, package.tracking_url) == (barcode, f"https://yk.example.com/?code={barcode}")
    line = package.lines[0]
    assert (line.line_id, line.sku, line.quantity, line.price, line.remote_sku, line.tax_rate) == (
        order["lineItemIds"][0], "KILIF", 2, Decimal("149.90"), sim.listing("KILIF")["hepsiburadaSku"], Decimal("20"))
    assert package.amount == Decimal("399.80") and package.currency == "TRY"
    person = order["customer"]
    address = package.shipping_address
    assert (address.first_name, address.last_name) == tuple(person["name"].rsplit(" ", 1))
    assert (address.city, address.township, address.district, address.country) == (
        "İstanbul", "Kadıköy", "Caferağa Mah.", "TR")
    assert (package.customer_name, package.customer_email, package.customer_id) == (
        person["name"], person["email"], person["customerId"])
    assert package.placed_at.tzinfo is not None and package.micro_export is False

    # The run that packed it does not list it again (prepare_packages returned it) ...
    assert adapter.list_orders(start, end, first.next_token).items == []
    # ... a later run reads it from the package listing, with the same lines and address.
    adapter = make_adapter(automatic_packing=True, store_account_cargo_company="YK", use_hb_tracking_number=True,
                           shipping_provider=PROVIDERS)
    listed = adapter.list_orders(start, end, first.next_token)
    assert listed.next_token is None
    [again] = listed.items
    assert (again.package_id, again.status, again.shipping_address, again.tracking_number) == (
        number, "created", address, barcode)
    assert [(x.line_id, x.sku, x.quantity, x.price) for x in again.lines] == [
        (x.line_id, x.sku, x.quantity, x.price) for x in package.lines]
    assert again.raw["packageNumber"] == number and again.billing_address.city == "İstanbul"
    assert adapter.list_orders(start, end).items[0].package_id == number  # nothing waits any more


def test_without_automatic_packing_only_packages_are_read(sim, make_adapter):
    adapter = make_adapter()
    place(sim, ("A", 1))  # Hepsiburada packs it only after 15 minutes (the default delay)
    start, end = window()
    assert read_all(adapter.list_orders, start, end) == []
    assert adapter.prepare_packages([]) == []
    sim.configure(auto_pack_delay=0)
    place(sim, ("B", 1))
    [order] = read_all(adapter.list_orders, start, end)
    assert order.lines[0].sku == "B" and order.package_id and order.status == "created"
    assert (order.cargo_company, order.tracking_number) == ("HepsiJET", "")
    assert sim.package(order.package_id)["packedBy"] == "hepsiburada"


def test_a_refused_order_is_left_out_of_prepared_packages(sim, make_adapter):
    adapter = make_adapter(automatic_packing=True)
    first = place(sim, ("A", 1))
    place(sim, ("B", 1))
    page = adapter.list_orders(*window())
    sim.cancel_order(first["orderNumber"])  # cancelled between reading and packing
    prepared = adapter.prepare_packages(page.items)
    assert [o.lines[0].sku for o in prepared] == ["B"]


def test_unpaid_lines_are_not_packed(sim, make_adapter):
    adapter = make_adapter(automatic_packing=True)
    place(sim, ("A", 1), paid=False)
    assert adapter.list_orders(*window()).items == []


def test_250_orders_in_small_pages_each_exactly_once(sim, make_adapter):
    adapter = make_adapter(automatic_packing=True)
    adapter.paid_orders_page_size = 9
    adapter.packages_page_size = 7
    for n in range(250):
        place(sim, (f"S{n:03d}", 1 + n % 2), shopper=n % 40)
    start, end = window()
    first = adapter.list_orders(start, end)
    assert len(first.items) == len({o.order_number for o in first.items}) == 250
    prepared = adapter.prepare_packages(first.items)
    assert len(prepared) == 250
    assert read_all(adapter.list_orders, start, end) == []  # the run that packed them does not list them again
    later_run = make_adapter(automatic_packing=True)
    later_run.packages_page_size = 7
    packages = read_all(later_run.list_orders, start, end)
    ids = [o.package_id for o in packages]
    assert len(ids) == len(set(ids)) == 250
    assert set(ids) == {o.package_id for o in prepared}
    assert sim.requests_total < 250 + 3 * 80  # one create per order (no tracking read: the lines name the carrier), plus pages


def test_date_windows_partition_by_the_minute(sim, make_adapter):
    adapter = make_adapter(automatic_packing=True)
    base = datetime.now(TR).replace(second=0, microsecond=0) - timedelta(hours=5)
    for minutes in (0, 30, 60, 61):
        place(sim, (f"M{minutes}", 1), at=(base + timedelta(minutes=minutes, seconds=20)).timestamp(), pack=True)
    skus = lambda orders: sorted(o.lines[0].sku for o in orders)  # noqa: E731
    assert skus(read_all(adapter.list_orders, base, base + timedelta(minutes=60))) == ["M0", "M30"]
    later = read_all(adapter.list_orders, base + timedelta(minutes=60), base + timedelta(hours=2))
    assert skus(later) == ["M60", "M61"]
    # Seconds are cut: [hh:00:30, hh:01:30) reads minute hh:00; the next window starts at hh:01.
    half = timedelta(seconds=30)
    assert skus(read_all(adapter.list_orders, base + timedelta(minutes=60) + half, base + timedelta(minutes=61) + half)
                ) == ["M60"]
    assert read_all(adapter.list_orders, base + half, base + timedelta(seconds=50)) == []  # no whole minute
    with pytest.raises(ValueError, match="timezone-aware"):
        adapter.list_orders(datetime(2025, 1, 1), datetime(2025, 1, 2))


def test_paid_lines_are_read_into_the_minute_going_on(sim, make_adapter):
    """An order is packed and stored in the minute it is paid, not once that minute is over."""
    adapter = make_adapter(automatic_packing=True)
    order = place(sim, ("NOW", 1))
    now = datetime.now(timezone.utc)
    [waiting] = adapter.list_orders(now - timedelta(minutes=5), now).items
    assert waiting.order_number == order["orderNumber"] and waiting.package_id == ""


def test_a_window_never_exceeds_the_longest_hepsiburada_takes():
    from mpdash.marketplaces.hepsiburada.adapter import _minute_window

    start = datetime(2026, 1, 1, 10, 0, 30, tzinfo=TR)
    begin, finish = _minute_window(start, start + timedelta(hours=96), into_last_minute=True)
    assert finish - begin == timedelta(hours=96)
    begin, finish = _minute_window(start, start + timedelta(hours=1), into_last_minute=True)
    assert (begin.minute, finish - begin) == (0, timedelta(hours=1, minutes=1))
    assert _minute_window(start, start + timedelta(hours=1)) == (begin, begin + timedelta(hours=1))


def test_statuses_are_normalised(sim, make_adapter):
    adapter = make_adapter()
    numbers = [packaged(sim, (f"S{n}", 1))[1] for n in range(6)]
    sim.move_package(numbers[1], "InTransit")
    for number, final in ((numbers[2], "Delivered"), (numbers[3], "Undelivered")):
        sim.move_package(number, "InTransit")
        sim.move_package(number, final)
    sim.move_package(numbers[4], "Cancelled")
    sim.move_package(numbers[5], "Unpacked")
    by_id = {o.package_id: o.status for o in read_all(adapter.list_orders, *window())}
    assert [by_id[n] for n in numbers] == ["created", "shipped", "delivered", "returned", "cancelled", "unpacked"]


def test_micro_export_billing_and_neighbourhood_settings(sim, make_adapter):
    plain, same = make_adapter(), make_adapter(billing_address_same_as_shipping=True, use_neighborhood=True)
    packaged(sim, ("A", 1), micro_export=True)
    [order] = plain.list_orders(*window()).items
    assert order.micro_export is True and order.shipping_address.country != "TR"
    assert order.billing_address.country == "TR" and order.shipping_address.neighbourhood == ""
    [merged] = same.list_orders(*window()).items
    assert merged.billing_address == merged.shipping_address
    assert merged.raw["hbInvoiceAddress"]["city"] == "İstanbul"
    assert merged.shipping_address.neighbourhood == merged.shipping_address.district != ""


def test_cargo_label_is_fetched_in_the_configured_format(sim, make_adapter):
    packaged(sim, ("A", 1))
    [png] = make_adapter(use_cargo_label=True).list_orders(*window()).items
    assert png.label_url.startswith("data:image/png;base64,iVBOR") and png.raw["cargoLabel"]["format"] == "png"
    [zpl] = make_adapter(use_cargo_label=True, check_hepsijet_format_type="ZPL").list_orders(*window()).items
    assert zpl.label_url.startswith("data:text/plain") and "%5EXA" in zpl.label_url
    [none] = make_adapter().list_orders(*window()).items
    assert none.label_url == ""


def test_package_mapping_from_the_recorded_fixture(make_adapter):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=load_fixture("oms_packages.json"))

    adapter = HepsiburadaAdapter({"merchant_id": "demo-merchant", "password": "k", "user_agent": "ua",
                                  "listing_url": "https://l.invalid", "oms_url": "https://oms.invalid"},
                                 transport=httpx.MockTransport(handler), budget=None)
    [order] = adapter.list_orders(datetime(2025, 3, 10, tzinfo=TR), datetime(2025, 3, 11, tzinfo=TR)).items
    adapter.close()
    assert (order.package_id, order.order_number, order.amount, order.discount) == (
        "6512345678", "4123456789", Decimal("299.80"), Decimal("20"))
    assert order.placed_at == datetime(2025, 3, 10, 9, 15, 42, 310000, tzinfo=TR)  # no offset: Turkey time
    line = order.lines[0]
    assert (line.price, line.list_price, line.discount, line.status) == (
        Decimal("149.90"), Decimal("159.90"), Decimal("20"), "Packaged")
    assert (order.shipping_address.first_name, order.shipping_address.last_name) == ("Ayşe Nur", "Yılmaz")
    billing = order.billing_address
    assert (billing.company, billing.tax_office, billing.tax_number, billing.township) == (
        "Acme Bilişim Ltd.", "Zincirlikuyu", "1234567890", "Şişli")


# --- updated orders, cancellations, unpacked -------------------------------------------------------------
def test_updated_orders_carry_tracking_across_the_three_listings(sim, make_adapter):
    adapter = make_adapter(shipping_provider=PROVIDERS)
    adapter.status_list_page_size = 2
    numbers = [packaged(sim, (f"S{n}", 1))[1] for n in range(5)]
    for n, number in enumerate(numbers):
        sim.move_package(number, "InTransit", tracking_number=f"AR-{n}")
    sim.move_package(numbers[3], "Delivered")
    sim.move_package(numbers[4], "Undelivered")
    updates = read_all(adapter.list_updated_orders, *window())
    assert [(u.package_id, u.status) for u in updates] == [
        *[(n, s) for n, s in zip(numbers, ["shipped", "shipped", "shipped", "delivered", "returned"])],
        (numbers[3], "delivered"), (numbers[4], "returned")]
    first = updates[0]
    assert (first.tracking_number, first.cargo_company, first.lines) == ("AR-0", "HepsiJET", [])
    assert first.tracking_url == "https://www.hepsijet.com/gonderi-takibi/AR-0"
    assert first.modified_at.tzinfo is not None and first.raw["trackingInfo"]["status"] == "InTransit"
    hb = make_adapter(use_hb_tracking_number=True, shipping_provider=PROVIDERS)
    assert hb.list_updated_orders(*window()).items[0].tracking_number == sim.package(numbers[0])["barcode"]
    earlier = datetime.now(timezone.utc) - timedelta(days=3)
    assert read_all(adapter.list_updated_orders, earlier, earlier + timedelta(hours=1)) == []


def test_cancellations_are_grouped_per_order(sim, make_adapter):
    adapter = make_adapter()
    first = place(sim, ("A", 1), ("B", 2))
    second = place(sim, ("C", 1))
    sim.cancel_order(first["orderNumber"])
    sim.cancel_order(second["orderNumber"])
    cancellations = read_all(adapter.list_cancellations, *window())
    assert [(c.order_number, c.line_ids, c.package_id) for c in cancellations] == [
        (first["orderNumber"], first["lineItemIds"], ""), (second["orderNumber"], second["lineItemIds"], "")]
    assert cancellations[0].reason_code == "CustomerRequest" and cancellations[0].reason_text == "cancelled by Customer"
    assert cancellations[0].cancelled_at.tzinfo is not None and len(cancellations[0].raw["items"]) == 2


def test_unpacked_packages_are_read(sim, make_adapter):
    adapter = make_adapter()
    adapter.unpacked_page_size = 1
    numbers = [packaged(sim, (f"S{n}", 1))[1] for n in range(3)]
    for number in numbers:
        sim.move_package(number, "Unpacked")
    unpacked = read_all(adapter.list_unpacked, *window())
    assert [(u.package_id, u.reason_code, u.line_ids) for u in unpacked] == [(n, "Unpacked", []) for n in numbers]
    assert all(u.cancelled_at is not None for u in unpacked)


def test_claims_are_read_by_status_date(sim, make_adapter):
    adapter = make_adapter()
    adapter.claims_page_size = 1
    line_id = delivered_line(sim, quantity=3)
    waiting = sim.create_claim(line_id, quantity=1, reason="WrongProduct", explanation="Yanlış renk")
    accepted = sim.create_claim(line_id, quantity=1)
    sim.move_claim(accepted["number"], "Accepted")
    sim.create_claim(line_id, quantity=1, status="NewRequest")  # not actionable yet: not read
    claims = read_all(adapter.list_claims, *window())
    assert [(c.claim_id, c.status) for c in claims] == [(waiting["number"], "waiting_action"),
                                                        (accepted["number"], "accepted")]
    claim = claims[0]
    assert (claim.order_number, claim.package_id, claim.created_at.tzinfo is not None) == (
        waiting["orderNumber"], "", True)
    [line] = claim.lines
    assert (line.line_id, line.sku, line.quantity, line.reason_code, line.reason_text, line.customer_note) == (
        line_id, "A", 1, "WrongProduct", "a wrong product was sent", "Yanlış renk")
    assert claim.raw["number"] == waiting["number"]
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert read_all(adapter.list_claims, later, later + timedelta(hours=1)) == []


# --- sending order updates ------------------------------------------------------------------------------------
def test_invoice_link_must_be_a_pdf(sim, make_adapter):
    adapter = make_adapter()
    _, number = packaged(sim, ("A", 1))
    before = sim.requests_total
    refused = adapter.send_order_update(OrderUpdate(number, "invoiced", invoice_link="https://inv.example.com/1.html"))
    assert not refused.ok and ".pdf" in refused.message and "nothing was sent" in refused.message
    assert sim.requests_total == before and sim.package(number)["invoice"] is None
    sent = adapter.send_order_update(OrderUpdate(number, "invoiced", invoice_link="https://inv.example.com/1.pdf",
                                                 invoice_number="GIB2025000000042",
                                                 invoice_date=datetime(2025, 3, 10, 12, 0, tzinfo=TR)))
    assert sent.ok and sent.message == "invoice link sent"
    invoice = sim.package(number)["invoice"]
    assert (invoice["invoiceLink"], invoice["serialNumber"], invoice["rowNumber"]) == (
        "https://inv.example.com/1.pdf", "GIB", "2025000000042")
    assert invoice["arrangementDate"].startswith("2025-03-10T12:00")


def test_statuses_hepsiburada_does_not_take_are_no_ops(sim, make_adapter):
    adapter = make_adapter()
    _, number = packaged(sim, ("A", 1))
    before = sim.requests_total
    for status in ("picking", "invoiced", "shipped", "delivered"):
        result = adapter.send_order_update(OrderUpdate(number, status, tracking_number="T-1"))
        assert result.ok and "nothing" in result.message, status
    assert sim.requests_total == before and sim.package(number)["status"] == "Packaged"
    assert not adapter.send_order_update(OrderUpdate(number, "lost")).ok


def test_own_carrier_statuses_take_the_steps_needed(sim, make_adapter):
    adapter = make_adapter(send_shipping_info=True, shipping_provider=PROVIDERS)
    _, number = packaged(sim, ("A", 1))
    missing = adapter.send_order_update(OrderUpdate(number, "shipped"))
    assert not missing.ok and "tracking number" in missing.message
    shipped = adapter.send_order_update(OrderUpdate(number, "shipped", tracking_number="AR-9", cargo_company="Aras"))
    assert shipped.ok and shipped.message == "in transit with tracking number AR-9"
    package = sim.package(number)
    assert (package["status"], package["trackingNumber"]) == ("InTransit", "AR-9")
    assert package["trackingUrl"] == "https://kargotakip.araskargo.com.tr/mainpage.aspx?code=AR-9"
    assert adapter.send_order_update(OrderUpdate(number, "shipped", tracking_number="AR-9")).message == \
        "already in transit on Hepsiburada"
    assert adapter.send_order_update(OrderUpdate(number, "delivered")).message == "delivered"
    assert adapter.send_order_update(OrderUpdate(number, "delivered")).message == "already delivered on Hepsiburada"
    _, other = packaged(sim, ("B", 1))
    both = adapter.send_order_update(OrderUpdate(other, "delivered", tracking_number="YK-1",
                                                 invoice_link="https://inv.example.com/2.pdf"))
    assert both.ok and both.message == "invoice link sent; in transit with tracking number YK-1; delivered"
    assert [h["status"] for h in sim.package(other)["history"]] == ["Packaged", "InTransit", "Delivered"]


def test_own_carrier_refusals_are_results(sim, make_adapter):
    adapter = make_adapter(send_shipping_info=True)
    _, number = packaged(sim, ("A", 1))
    sim.move_package(number, "Cancelled")
    result = adapter.send_order_update(OrderUpdate(number, "shipped", tracking_number="T"))
    assert not result.ok and "Cancelled" in result.message
    unknown = adapter.send_order_update(OrderUpdate("404404", "shipped", tracking_number="T"))
    assert not unknown.ok and "404" in unknown.message


# --- cancelling lines -----------------------------------------------------------------------------------------
def test_cancel_lines_not_packaged_yet(sim, make_adapter):
    adapter = make_adapter(send_cancellation_reason_id=80)
    order = place(sim, ("A", 1), ("B", 1))
    result = adapter.cancel_lines("", [(order["lineItemIds"][0], 1)], "")
    assert result.ok and "WrongPrice" in result.message
    [cancellation] = adapter.list_cancellations(*window()).items
    assert (cancellation.line_ids, cancellation.reason_code) == ([order["lineItemIds"][0]], "WrongPrice")
    again = adapter.cancel_lines("", [(order["lineItemIds"][0], 1)], "83")
    assert not again.ok and "409" in again.message


def test_cancel_part_of_a_packaged_package(sim, make_adapter):
    adapter = make_adapter(store_account_cargo_company="MNG")
    order, number = packaged(sim, ("A", 3), ("B", 1), ("C", 1))
    a, b, _ = order["lineItemIds"]
    result = adapter.cancel_lines(number, [(a, 1), (b, 1)], "83")
    assert result.ok, result.message
    assert sim.package(number)["status"] == "Unpacked"
    [new] = [p for p in sim.packages() if p["status"] == "Packaged"]
    assert sorted((i["merchantSku"], i["quantity"]) for i in new["items"]) == [("A", 2), ("C", 1)]
    assert new["cargoCompany"] == "MNG Kargo" and new["packageNumber"] in result.message
    [cancellation] = adapter.list_cancellations(*window()).items
    assert sorted((i["merchantSku"], i["quantity"], i["cancelReasonCode"]) for i in cancellation.raw["items"]) == [
        ("A", 1, "MerchantCanNotBeSupplied"), ("B", 1, "MerchantCanNotBeSupplied")]
    assert [u.package_id for u in adapter.list_unpacked(*window()).items] == [number]


def test_cancel_refusals(sim, make_adapter):
    adapter = make_adapter()
    order, number = packaged(sim, ("A", 1))
    with pytest.raises(ConfigError, match="send_cancellation_reason_id"):
        adapter.cancel_lines(number, [(order["lineItemIds"][0], 1)], "")
    bad = adapter.cancel_lines(number, [(order["lineItemIds"][0], 1)], "5")
    assert not bad.ok and "80 (WrongPrice)" in bad.message
    too_many = adapter.cancel_lines(number, [(order["lineItemIds"][0], 2)], "80")
    assert not too_many.ok and "cannot be cancelled" in too_many.message
    [restored] = [p for p in sim.packages() if p["status"] == "Packaged"]  # packed again, nothing cancelled
    assert [(i["lineItemId"], i["quantity"]) for i in restored["items"]] == [(order["lineItemIds"][0], 1)]
    assert not adapter.cancel_lines(number, [(order["lineItemIds"][0], 0)], "80").ok
    nothing = adapter.cancel_lines("", [], "80")
    assert not nothing.ok and "name the lines" in nothing.message


def test_cancel_without_lines_cancels_the_whole_package(sim, make_adapter):
    adapter = make_adapter()
    order, number = packaged(sim, ("A", 2), ("B", 1))
    place(sim, ("WAITING", 1))  # another order's line waiting to be packaged is left alone
    result = adapter.cancel_lines(number, [], "83")
    assert result.ok and "3 unit(s) on 2 line(s) cancelled" in result.message
    assert [p["status"] for p in sim.packages()] == ["Unpacked"]
    [cancellation] = adapter.list_cancellations(*window()).items
    assert (cancellation.order_number, cancellation.line_ids) == (order["orderNumber"], order["lineItemIds"])
    assert sim.oms_counters()["lines_by_status"] == {"Cancelled": 2, "Open": 1}


# --- claims -----------------------------------------------------------------------------------------------------
def remote_claim(sim, adapter) -> RemoteClaim:
    return next(c for c in read_all(adapter.list_claims, *window()) if c.status == "waiting_action")


def test_claims_are_approved_only_from_awaiting_action(sim, make_adapter):
    adapter = make_adapter()
    sim.create_claim(delivered_line(sim))
    claim = remote_claim(sim, adapter)
    wrong_line = adapter.approve_claim(claim, ["other-line"])
    assert not wrong_line.ok and sim.claim(claim.claim_id)["status"] == "AwaitingAction"
    approved = adapter.approve_claim(claim, [claim.lines[0].line_id])
    assert approved.ok and sim.claim(claim.claim_id)["status"] == "Accepted"
    twice = adapter.approve_claim(claim, [])
    assert not twice.ok and "409" in twice.message and "AwaitingAction" in twice.message
    rejected = adapter.reject_claim(claim, [], "ProductIsUsed", "Kullanılmış", [])
    assert not rejected.ok and "409" in rejected.message


def test_reject_claim_sends_statement_and_photos_and_goes_in_dispute(sim, make_adapter):
    adapter = make_adapter()
    sim.create_claim(delivered_line(sim))
    claim = remote_claim(sim, adapter)
    before = sim.requests_total
    for reason, text in (("", "açıklama"), ("ProductIsUsed", ""), ("ProductIsUsed", "x" * 501)):
        refused = adapter.reject_claim(claim, [], reason, text, [])
        assert not refused.ok
    assert "at most 500" in refused.message and sim.requests_total == before
    result = adapter.reject_claim(claim, [claim.lines[0].line_id], "ProductIsUsed", "Ürün kullanılmış.",
                                  [b"\x89PNG photo"])
    assert result.ok and "dispute" in result.message
    stored = sim.claim(claim.claim_id)
    assert stored["status"] == "InDispute" and stored["rejection"] == {
        "reason": "ProductIsUsed", "statement": "Ürün kullanılmış.", "reports": 1}
    [disputed] = [c for c in read_all(adapter.list_claims, *window()) if c.claim_id == claim.claim_id]
    assert disputed.status == "in_dispute"
    sim.move_claim(claim.claim_id, "Rejected")
    assert [c.status for c in read_all(adapter.list_claims, *window())] == ["rejected"]


def test_unknown_claim_is_a_failed_result(make_adapter):
    claim = RemoteClaim("HBT0", "", "1", "waiting_action", None, None, [RemoteClaimLine("x", "l", "A", 1)])
    result = make_adapter().approve_claim(claim, [])
    assert not result.ok and "404" in result.message


# --- splitting --------------------------------------------------------------------------------------------------
def test_split_package_with_the_split_service(sim, make_adapter):
    adapter = make_adapter()
    order, number = packaged(sim, ("A", 2), ("B", 1))
    a, b = order["lineItemIds"]
    result = adapter.split_package(number, [[(a, 1), (b, 1)], [(a, 1)]])
    assert result.ok and result.message == f"package {number} split into 2 packages"
    new = [p for p in sim.packages() if p["status"] == "Packaged"]
    assert sorted(sorted((i["merchantSku"], i["quantity"]) for i in p["items"]) for p in new) == [
        [("A", 1)], [("A", 1), ("B", 1)]]
    assert not adapter.split_package(number, [[(a, 1)], [(b, 1)]]).ok  # the package is gone
    assert not adapter.split_package(number, [[(a, 1)]]).ok  # one group is no split


def test_split_package_falls_back_to_unpack_and_pack(sim, make_adapter):
    sim.configure(split_endpoint=False)
    adapter = make_adapter()
    order, number = packaged(sim, ("A", 1), ("B", 1))
    a, b = order["lineItemIds"]
    result = adapter.split_package(number, [[(a, 1)], [(b, 1)]])
    assert result.ok and "unpacked and packaged again" in result.message
    assert sim.package(number)["status"] == "Unpacked"
    assert sorted(p["items"][0]["merchantSku"] for p in sim.packages() if p["status"] == "Packaged") == ["A", "B"]
    missing = adapter.split_package("404404", [[(a, 1)], [(b, 1)]])
    assert not missing.ok and "404404" in missing.message


# --- tracking links ------------------------------------------------------------------------------------------------
def test_tracking_url_templates_and_special_cases():
    assert tracking_url_for(PROVIDERS, "Aras Kargo", "123") == \
        "https://kargotakip.araskargo.com.tr/mainpage.aspx?code=123"
    assert tracking_url_for(PROVIDERS, "YK", "9") == "https://yk.example.com/?code=9"
    assert tracking_url_for(PROVIDERS, "Yurtiçi Kargo", "9") == "https://yk.example.com/?code=9"
    assert tracking_url_for(PROVIDERS, "HepsiJET", "HB1") == "https://www.hepsijet.com/gonderi-takibi/HB1"
    assert tracking_url_for(PROVIDERS, "PTT Kargo", "KP123-ab-cd") == \
        "https://gonderitakip.ptt.gov.tr/Track/Verify?barkod=KP123&barkod_guid=ab-cd"
    assert tracking_url_for({"ptt": {"tracking_url": "https://p/?b=${barkod}&g=${barkod_guid}"}}, "ptt", "1-2") == \
        "https://p/?b=1&g=2"
    assert tracking_url_for(PROVIDERS, "Loomis", "tur-1234566") == \
        "https://loomis.example.com/tr?tracking_number=tur-1234566"
    assert tracking_url_for(PROVIDERS, "Loomis", "xyz-1") == ""
    fallback = {"aras": {"tracking_url": "", "tracking_url_by_tracking_number": "https://a/{tracking_number}"}}
    assert tracking_url_for(fallback, "aras", "5") == "https://a/5"
    assert tracking_url_for(PROVIDERS, "Sürat Kargo", "1") == ""
    assert tracking_url_for(None, "Aras", "1") == "" and tracking_url_for(PROVIDERS, "Aras", "") == ""
