"""The simulator's order side (OMS) over plain HTTP: paid lines, packing, the package state
machine, invoice links, cancellations, claims, paging and dates, limits, faults, the shopper."""

from __future__ import annotations

import base64
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from mpdash.marketplaces.hepsiburada.simulator import orders as order_data
from mpdash.marketplaces.hepsiburada.simulator import serve

from .conftest import GOOD, MID, wait_for

TR = timezone(timedelta(hours=3))
ORDERS = f"/orders/merchantid/{MID}"
PACKAGES = f"/packages/merchantid/{MID}"


_http: httpx.Client | None = None


@pytest.fixture(scope="module", autouse=True)
def http_client():
    """One client for the module's calls (a new client per call costs tens of milliseconds)."""
    global _http
    _http = httpx.Client(timeout=5)
    yield _http
    _http.close()
    _http = None


def api(sim, method, path, **kw):
    kw = {**GOOD, **kw}
    return _http.request(method, sim.url + path, **kw)


def control(sim, method, path, **kw):
    return _http.request(method, sim.url + path, **kw)


def place(sim, *lines, **fields) -> dict:
    """Place an order through the control endpoint; ``lines`` are (merchantSku, quantity)."""
    body = {"lines": [{"merchantSku": sku, "quantity": quantity} for sku, quantity in lines], **fields}
    answer = control(sim, "POST", "/_sim/orders", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def pack(sim, *lines, cargo=None) -> str:
    body = {"lineItemRequests": [{"id": line_id, "quantity": quantity} for line_id, quantity in lines]}
    if cargo:
        body["cargoCompany"] = cargo
    answer = api(sim, "POST", PACKAGES, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["packageNumber"]


def tr(moment: datetime) -> str:
    return moment.astimezone(TR).strftime("%Y-%m-%d %H:%M")


def deliver(sim, package_number: str) -> None:
    for status in ("InTransit", "Delivered"):
        moved = control(sim, "POST", f"/_sim/packages/{package_number}/status", json={"status": status})
        assert moved.status_code == 200


# --- gatekeeping ------------------------------------------------------------------------------
def test_oms_checks_credentials_user_agent_merchant_and_routes(sim):
    query = {"offset": 0, "limit": 10}
    assert api(sim, "GET", ORDERS, params=query, auth=(MID, "nope")).status_code == 401
    wrong = api(sim, "GET", ORDERS, params=query, headers={"User-Agent": "curl"})
    assert wrong.status_code == 403 and "User-Agent" in wrong.json()["message"]
    assert api(sim, "GET", "/orders/merchantid/someone-else", params=query).status_code == 403
    assert api(sim, "DELETE", PACKAGES).status_code == 405
    assert api(sim, "GET", f"{PACKAGES}/nothing/here").status_code == 404


def test_paid_orders_need_limit_and_offset_and_cut_the_limit_to_100(sim):
    missing = api(sim, "GET", ORDERS, params={"limit": 10})
    assert missing.status_code == 400 and "limit and offset" in missing.json()["message"]
    assert api(sim, "GET", ORDERS, params={"offset": 0, "limit": 0}).status_code == 400
    page = api(sim, "GET", ORDERS, params={"offset": 0, "limit": 500}).json()
    assert (page["limit"], page["totalCount"], page["items"]) == (100, 0, [])


# --- placing orders ------------------------------------------------------------------------------
def test_placed_order_lines_are_paid_and_listed_with_address(sim):
    sim.add_listings([{"merchantSku": "A", "price": 149.9, "availableStock": 5}])
    order = place(sim, ("A", 2), ("NO-LISTING", 1))
    assert order["orderNumber"] and len(order["lineItemIds"]) == 2
    page = api(sim, "GET", ORDERS, params={"offset": 0, "limit": 10}).json()
    assert page["totalCount"] == 2 and page["pageCount"] == 1
    first, second = page["items"]
    assert [first["id"], second["id"]] == order["lineItemIds"]
    assert (first["merchantSKU"], first["quantity"], first["status"], first["canCreatePackage"]) == (
        "A", 2, "Open", True)
    assert first["unitPrice"] == {"amount": 149.9, "currency": "TRY"} and first["totalPrice"]["amount"] == 299.8
    assert first["sku"] == sim.listing("A")["hepsiburadaSku"]
    assert second["unitPrice"]["amount"] == 100.0 and second["sku"].startswith("HBV")
    address = first["shippingAddress"]
    person = order_data.shopper(0)
    assert (address["name"], address["city"], address["town"], address["district"]) == (
        person["name"], "İstanbul", "Kadıköy", "Caferağa Mah.")
    assert first["invoice"]["address"]["city"] == "İstanbul" and first["isMicroExport"] is False
    assert sim.listing("A")["availableStock"] == 3  # the sale took the units off the listing


def test_control_order_validation(sim):
    bodies = [{"lines": []}, {"lines": [{"merchantSku": "A", "quantity": 0}]}, {"lines": [{"quantity": 1}]},
              {"lines": [{"merchantSku": "A", "price": -1}]}, {"lines": [{"merchantSku": "A"}], "shopper": -1},
              {"lines": [{"merchantSku": "A"}], "orderDate": "yesterday"}, ["not", "an", "object"]]
    for body in bodies:
        assert control(sim, "POST", "/_sim/orders", json=body).status_code == 400, body
    assert sim.oms_counters()["orders_total"] == 0


def test_micro_export_order_goes_abroad(sim):
    order = place(sim, ("A", 1), microExport=True)
    line = api(sim, "GET", ORDERS, params={"offset": 0, "limit": 10}).json()["items"][0]
    assert line["isMicroExport"] is True and line["orderNumber"] == order["orderNumber"]
    assert line["shippingAddress"]["countryCode"] != "TR"
    assert line["invoice"]["address"]["countryCode"] == "TR"  # billed to the export agent in Türkiye


def test_order_detail_by_number(sim):
    order = place(sim, ("A", 1), ("B", 3))
    detail = api(sim, "GET", f"{ORDERS}/ordernumber/{order['orderNumber']}").json()
    assert detail["orderNumber"] == order["orderNumber"] and detail["paymentStatus"] == "Paid"
    assert [i["merchantSKU"] for i in detail["items"]] == ["A", "B"]
    assert api(sim, "GET", f"{ORDERS}/ordernumber/999").status_code == 404


# --- dates ------------------------------------------------------------------------------------------
def test_date_window_is_begin_inclusive_end_exclusive_in_turkey_time(sim):
    base = datetime(2025, 3, 10, 9, 0, tzinfo=TR)
    for minutes in (0, 30, 60):
        place(sim, ("A", 1), orderDate=(base + timedelta(minutes=minutes)).isoformat())
    window = {"offset": 0, "limit": 10, "begindate": "2025-03-10 09:00", "enddate": "2025-03-10 10:00"}
    page = api(sim, "GET", ORDERS, params=window).json()
    assert [i["orderDate"][:16] for i in page["items"]] == ["2025-03-10T09:00", "2025-03-10T09:30"]
    utc = {"offset": 0, "limit": 10, "begindate": tr(base.astimezone(timezone.utc) + timedelta(minutes=60))}
    assert api(sim, "GET", ORDERS, params=utc).json()["totalCount"] == 1
    wrong = api(sim, "GET", ORDERS, params={"offset": 0, "limit": 10, "begindate": "2025-03-10T09:00:00Z"})
    assert wrong.status_code == 400 and wrong.json()["message"].startswith("WrongDateFormat")


# --- packing -----------------------------------------------------------------------------------------
def test_create_package_packs_lines_and_answers_201(sim):
    order = place(sim, ("A", 2), ("B", 1))
    a, b = order["lineItemIds"]
    number = pack(sim, (a, 2), (b, 1), cargo="yk")
    package = api(sim, "GET", PACKAGES, params={"offset": 0, "limit": 10}).json()[0]
    assert package["packageNumber"] == number and package["status"] == "Packaged"
    assert package["cargoCompany"] == "Yurtiçi Kargo" and package["barcode"].startswith("HBC")
    assert [(i["lineItemId"], i["merchantSku"], i["quantity"]) for i in package["items"]] == [(a, "A", 2), (b, "B", 1)]
    assert (package["recipientName"], package["shippingTown"]) == (order["customer"]["name"], "Kadıköy")
    assert package["totalPrice"]["amount"] == 300.0
    assert api(sim, "GET", ORDERS, params={"offset": 0, "limit": 10}).json()["totalCount"] == 0
    assert sim.package(number)["packedBy"] == "merchant"


def test_create_package_refusals(sim):
    a, b = place(sim, ("A", 2), ("B", 1))["lineItemIds"]
    other = place(sim, ("C", 1), shopper=7)["lineItemIds"][0]
    cases = [
        ({"lineItemRequests": [{"id": "nope", "quantity": 1}]}, 404),
        ({"lineItemRequests": [{"id": a, "quantity": 3}]}, 400),
        ({"lineItemRequests": [{"id": a, "quantity": 1}, {"id": a, "quantity": 1}]}, 400),
        ({"lineItemRequests": [{"id": a, "quantity": 1}], "cargoCompany": "NOPE"}, 400),
        ({"lineItemRequests": [{"id": a, "quantity": 1}, {"id": other, "quantity": 1}]}, 400),
        ({"lineItemRequests": []}, 400),
    ]
    for body, status in cases:
        assert api(sim, "POST", PACKAGES, json=body).status_code == status, body
    pack(sim, (b, 1))
    again = api(sim, "POST", PACKAGES, json={"lineItemRequests": [{"id": b, "quantity": 1}]})
    assert again.status_code == 409 and "Packaged" in again.json()["message"]
    unpaid = place(sim, ("D", 1), paid=False)["lineItemIds"][0]
    assert api(sim, "POST", PACKAGES, json={"lineItemRequests": [{"id": unpaid, "quantity": 1}]}).status_code == 400


def test_packing_part_of_a_line_leaves_the_rest_waiting(sim):
    line_id = place(sim, ("A", 3))["lineItemIds"][0]
    number = pack(sim, (line_id, 2))
    assert [(i["lineItemId"], i["quantity"]) for i in sim.package(number)["items"]] == [(line_id, 2)]
    waiting = api(sim, "GET", ORDERS, params={"offset": 0, "limit": 10}).json()["items"]
    assert len(waiting) == 1 and waiting[0]["quantity"] == 1 and waiting[0]["id"] != line_id


def test_hepsiburada_packs_what_the_merchant_does_not_after_the_delay(sim):
    sim.configure(auto_pack_delay=0.2)
    order = place(sim, ("A", 1), ("B", 2))
    assert sim.order(order["orderNumber"])["packageNumbers"] == []
    numbers = wait_for(lambda: sim.order(order["orderNumber"])["packageNumbers"], timeout=3)
    package = sim.package(numbers[0])
    assert package["packedBy"] == "hepsiburada" and len(package["items"]) == 2
    assert package["cargoCompany"] == "HepsiJET"
    sim.configure(auto_pack_delay=None)
    later = place(sim, ("C", 1))
    time.sleep(0.4)
    assert sim.order(later["orderNumber"])["packageNumbers"] == []


def test_pack_flag_and_timespan(sim):
    old = datetime.now(TR) - timedelta(hours=30)
    place(sim, ("OLD", 1), orderDate=old.isoformat(), pack=True)
    place(sim, ("NEW", 1), pack=True)
    recent = api(sim, "GET", PACKAGES, params={"timespan": 24}).json()
    assert [p["items"][0]["merchantSku"] for p in recent] == ["NEW"]
    assert len(api(sim, "GET", PACKAGES, params={"timespan": 48}).json()) == 2
    both = api(sim, "GET", PACKAGES, params={"timespan": 24, "begindate": tr(old)})
    assert both.status_code == 400


def test_packages_page_size_is_cut_to_ten_and_offset_is_read_in_any_case(sim):
    for n in range(12):
        place(sim, (f"S{n}", 1), pack=True)
    first = api(sim, "GET", PACKAGES, params={"limit": 50}).json()
    assert len(first) == 10
    rest = api(sim, "GET", PACKAGES, params={"limit": 10, "Offset": 10}).json()
    assert [p["items"][0]["merchantSku"] for p in rest] == ["S10", "S11"]


# --- the package state machine --------------------------------------------------------------------------
def test_package_moves_only_in_allowed_directions(sim):
    number = pack(sim, (place(sim, ("A", 1))["lineItemIds"][0], 1))
    now = datetime.now(TR).isoformat()
    path = f"{PACKAGES}/packagenumber/{number}"
    assert api(sim, "POST", f"{path}/deliver", json={"receivedDate": now}).status_code == 409
    assert api(sim, "POST", f"{path}/intransit", json={"trackingNumber": "T-1", "shippedDate": now}).status_code == 200
    again = api(sim, "POST", f"{path}/intransit", json={"trackingNumber": "T-1", "shippedDate": now})
    assert again.status_code == 409 and "InTransit" in again.json()["message"]
    assert api(sim, "POST", f"{path}/unpack").status_code == 409
    assert api(sim, "POST", f"{path}/deliver", json={"receivedDate": now}).status_code == 200
    assert api(sim, "POST", f"{path}/undeliver", json={"undeliveredDate": now}).status_code == 409
    assert api(sim, "GET", path).json()["status"] == "Delivered"
    assert [h["status"] for h in sim.package(number)["history"]] == ["Packaged", "InTransit", "Delivered"]
    refused = control(sim, "POST", f"/_sim/packages/{number}/status", json={"status": "Cancelled"})
    assert refused.status_code == 409


def test_carrier_status_needs_tracking_and_recent_dates(sim):
    number = pack(sim, (place(sim, ("A", 1))["lineItemIds"][0], 1))
    path = f"{PACKAGES}/packagenumber/{number}/intransit"
    now = datetime.now(TR)
    assert api(sim, "POST", path, json={"shippedDate": now.isoformat()}).status_code == 400
    old = api(sim, "POST", path, json={"trackingNumber": "T", "shippedDate": (now - timedelta(days=8)).isoformat()})
    assert old.status_code == 400 and "7 days" in old.json()["message"]
    future = api(sim, "POST", path, json={"trackingNumber": "T", "shippedDate": (now + timedelta(days=1)).isoformat()})
    assert future.status_code == 400
    assert api(sim, "POST", path, json={"trackingNumber": "T", "shippedDate": "2025-13-40"}).status_code == 400
    assert api(sim, "GET", f"{PACKAGES}/packagenumber/{number}").json()["status"] == "Packaged"


def test_undelivered_and_cancelled_and_unknown_packages(sim):
    first = pack(sim, (place(sim, ("A", 1))["lineItemIds"][0], 1))
    second = pack(sim, (place(sim, ("B", 1))["lineItemIds"][0], 1))
    control(sim, "POST", f"/_sim/packages/{first}/status", json={"status": "InTransit", "trackingNumber": "X1"})
    moved = control(sim, "POST", f"/_sim/packages/{first}/status",
                    json={"status": "Undelivered", "reason": "Adres yok"})
    assert moved.json()["status"] == "Undelivered"
    assert control(sim, "POST", f"/_sim/packages/{second}/status", json={"status": "Cancelled"}).json()["status"] == \
        "Cancelled"
    assert api(sim, "POST", f"{PACKAGES}/packagenumber/{second}/intransit",
               json={"trackingNumber": "T", "shippedDate": datetime.now(TR).isoformat()}).status_code == 409
    assert api(sim, "GET", f"{PACKAGES}/packagenumber/999").status_code == 404
    assert control(sim, "POST", f"/_sim/packages/{first}/status", json={"status": "Lost"}).status_code == 400


def test_tracking_and_labels(sim):
    number = pack(sim, (place(sim, ("A", 1))["lineItemIds"][0], 1), cargo="ARAS")
    path = f"{PACKAGES}/packagenumber/{number}"
    png = api(sim, "GET", f"{path}/labels", params={"format": "png"}).json()
    assert png["format"] == "png" and base64.b64decode(png["data"][0]).startswith(b"\x89PNG")
    assert "^XA" in api(sim, "GET", f"{path}/labels", params={"format": "zpl"}).json()["data"][0]
    assert api(sim, "GET", f"{path}/labels", params={"format": "gif"}).status_code == 400
    control(sim, "POST", f"/_sim/packages/{number}/status", json={"status": "InTransit", "trackingNumber": "AR-77"})
    info = api(sim, "GET", path).json()
    assert (info["status"], info["cargoCompany"], info["trackingInfoCode"]) == ("InTransit", "Aras Kargo", "AR-77")
    assert info["trackingInfoUrl"].endswith("code=AR-77")


def test_change_cargo_company_only_while_packaged(sim):
    number = pack(sim, (place(sim, ("A", 1))["lineItemIds"][0], 1))
    path = f"{PACKAGES}/packagenumber/{number}/changecargocompany"
    assert api(sim, "PUT", path, json={"CargoCompanyShortName": "MNG"}).status_code == 204
    assert sim.package(number)["cargoCompany"] == "MNG Kargo"
    assert api(sim, "PUT", path, json={"CargoCompanyShortName": "??"}).status_code == 400
    control(sim, "POST", f"/_sim/packages/{number}/status", json={"status": "InTransit"})
    assert api(sim, "PUT", path, json={"CargoCompanyShortName": "YK"}).status_code == 409


# --- invoice links --------------------------------------------------------------------------------------
def test_invoice_link_must_be_a_pdf(sim):
    number = pack(sim, (place(sim, ("A", 1))["lineItemIds"][0], 1))
    path = f"{PACKAGES}/packagenumber/{number}/invoice"
    html = api(sim, "PUT", path, json={"invoiceLink": "https://inv.example.com/1.html"})
    assert html.status_code == 400 and ".pdf" in html.json()["message"]
    assert api(sim, "PUT", path, json={"invoiceLink": "ftp://inv.example.com/1.pdf"}).status_code == 400
    assert api(sim, "PUT", path, json={}).status_code == 400
    assert sim.package(number)["invoice"] is None
    assert api(sim, "PUT", path, json={"invoiceLink": "https://inv.example.com/1.PDF", "serialNumber": "ABC"}
               ).status_code == 204
    assert sim.package(number)["invoice"]["invoiceLink"] == "https://inv.example.com/1.PDF"
    control(sim, "POST", f"/_sim/packages/{number}/status", json={"status": "Unpacked"})
    assert api(sim, "PUT", path, json={"invoiceLink": "https://inv.example.com/2.pdf"}).status_code == 409


# --- unpack, split, cancel ----------------------------------------------------------------------------------
def test_unpack_lists_the_package_and_its_lines_wait_again(sim):
    a, b = place(sim, ("A", 1), ("B", 2))["lineItemIds"]
    number = pack(sim, (a, 1), (b, 2))
    assert api(sim, "POST", f"{PACKAGES}/packagenumber/{number}/unpack").status_code == 200
    unpacked = api(sim, "GET", f"{PACKAGES}/status/unpacked").json()
    assert isinstance(unpacked, list) and len(unpacked) == 1  # the document's shape: an array of pages
    assert [(u["packageNumber"], bool(u["unpackedDate"])) for u in unpacked[0]["items"]] == [(number, True)]
    assert unpacked[0]["totalCount"] == 1
    waiting = api(sim, "GET", ORDERS, params={"offset": 0, "limit": 10}).json()["items"]
    assert [line["id"] for line in waiting] == [a, b]
    package = api(sim, "GET", PACKAGES, params={"offset": 0, "limit": 10}).json()[0]
    assert package["status"] == "Unpacked" and package["unpackedDate"]


def test_split_breaks_a_package_into_new_ones_and_cancels(sim):
    a, b = place(sim, ("A", 3), ("B", 1))["lineItemIds"]
    number = pack(sim, (a, 3), (b, 1))
    path = f"{PACKAGES}/packagenumber/{number}/split"
    short = {"packageDetails": [{"lines": [{"orderLineId": a, "quantity": 2}]}], "cancelledItems": []}
    assert api(sim, "POST", path, json=short).status_code == 400  # units left over
    body = {"packageDetails": [{"lines": [{"orderLineId": a, "quantity": 1}, {"orderLineId": b, "quantity": 1}]},
                               {"lines": [{"orderLineId": a, "quantity": 1}]}],
            "cancelledItems": [{"orderLineId": a, "quantity": 1, "cancelReasonId": 83}]}
    assert api(sim, "POST", path, json=body).status_code == 200
    assert sim.package(number)["status"] == "Unpacked"
    new = [p for p in sim.packages() if p["status"] == "Packaged"]
    assert sorted(sorted((i["merchantSku"], i["quantity"]) for i in p["items"]) for p in new) == [
        [("A", 1)], [("A", 1), ("B", 1)]]
    cancelled = api(sim, "GET", f"{ORDERS}/cancelled").json()["items"]
    assert [(c["merchantSku"], c["quantity"], c["cancelReasonCode"], c["cancelledBy"]) for c in cancelled] == [
        ("A", 1, "MerchantCanNotBeSupplied", "Merchant")]
    assert api(sim, "POST", path, json=body).status_code == 409  # the old package is gone
    sim.configure(split_endpoint=False)
    assert api(sim, "POST", f"{PACKAGES}/packagenumber/{new[0]['packageNumber']}/split", json=body).status_code == 404


def test_merchant_cancels_only_lines_not_packaged_yet(sim):
    a, b = place(sim, ("A", 1), ("B", 1))["lineItemIds"]
    pack(sim, (b, 1))
    path = f"/lineitems/merchantid/{MID}/id/{{}}/cancelbymerchant"
    assert api(sim, "POST", path.format(a), json={"reasonId": 99}).status_code == 400
    assert api(sim, "POST", path.format(a), json={"reasonId": 80}).status_code == 200
    packed = api(sim, "POST", path.format(b), json={"reasonId": 80})
    assert packed.status_code == 409 and "not packaged yet" in packed.json()["message"]
    assert api(sim, "POST", path.format("nope"), json={"reasonId": 80}).status_code == 404
    assert api(sim, "POST", path.format(a), json={"reasonId": 80}).status_code == 409  # already cancelled
    page = api(sim, "GET", f"{ORDERS}/cancelled").json()
    assert page["totalCount"] == 1 and page["items"][0]["cancelReasonCode"] == "WrongPrice"
    assert api(sim, "GET", f"{PACKAGES}/cancelled").json() == page  # also answered under /packages


def test_customer_cancellation_cancels_an_emptied_package(sim):
    order = place(sim, ("A", 1), ("B", 1))
    a, b = order["lineItemIds"]
    number = pack(sim, (a, 1), (b, 1))
    assert control(sim, "POST", f"/_sim/orders/{order['orderNumber']}/cancel", json={"lines": [a]}).json() == {
        "cancelled": 1}
    assert sim.package(number)["status"] == "Packaged"
    assert [i["lineItemId"] for i in sim.package(number)["items"]] == [b]
    control(sim, "POST", f"/_sim/orders/{order['orderNumber']}/cancel", json={})
    assert sim.package(number)["status"] == "Cancelled"
    assert [c["cancelledBy"] for c in api(sim, "GET", f"{ORDERS}/cancelled").json()["items"]] == ["Customer"] * 2


# --- status listings ----------------------------------------------------------------------------------------
def test_shipped_delivered_and_undelivered_listings_by_their_dates(sim):
    numbers = [pack(sim, (place(sim, (f"S{n}", 1))["lineItemIds"][0], 1)) for n in range(3)]
    day = datetime.now(TR) - timedelta(days=2)
    for number in numbers:
        control(sim, "POST", f"/_sim/packages/{number}/status", json={"status": "InTransit", "at": day.isoformat()})
    control(sim, "POST", f"/_sim/packages/{numbers[1]}/status", json={"status": "Delivered"})
    control(sim, "POST", f"/_sim/packages/{numbers[2]}/status", json={"status": "Undelivered"})
    shipped = api(sim, "GET", f"{PACKAGES}/shipped", params={"offset": 1, "limit": 1}).json()
    assert (shipped["totalCount"], shipped["pageCount"], shipped["items"][0]["PackageNumber"]) == (3, 3, numbers[1])
    assert shipped["items"][0]["ShippedDate"].startswith(day.strftime("%Y-%m-%d"))
    today = {"begindate": tr(datetime.now(TR) - timedelta(hours=1))}
    assert api(sim, "GET", f"{PACKAGES}/shipped", params=today).json()["totalCount"] == 0
    delivered = api(sim, "GET", f"{PACKAGES}/delivered", params=today).json()
    assert [i["PackageNumber"] for i in delivered["items"]] == [numbers[1]] and delivered["items"][0]["DeliveredDate"]
    undelivered = api(sim, "GET", f"{PACKAGES}/undelivered").json()["items"]
    assert undelivered[0]["PackageNumber"] == numbers[2] and undelivered[0]["UndeliveredReason"]


# --- claims ------------------------------------------------------------------------------------------------
def claimable(sim, sku="A", quantity=2) -> str:
    line_id = place(sim, (sku, quantity))["lineItemIds"][0]
    deliver(sim, pack(sim, (line_id, quantity)))
    return line_id


def test_claims_open_only_on_delivered_lines(sim):
    line_id = place(sim, ("A", 1))["lineItemIds"][0]
    assert control(sim, "POST", "/_sim/claims", json={"lineItemId": line_id}).status_code == 409
    deliver(sim, pack(sim, (line_id, 1)))
    assert control(sim, "POST", "/_sim/claims", json={"lineItemId": line_id, "reason": "Bored"}).status_code == 400
    assert control(sim, "POST", "/_sim/claims", json={"lineItemId": line_id, "quantity": 2}).status_code == 400
    claim = control(sim, "POST", "/_sim/claims", json={"lineItemId": line_id, "reason": "WrongProduct"}).json()
    assert claim["status"] == "AwaitingAction" and claim["number"].startswith("HBT")


def test_claims_listing_with_paging_headers_and_status_route(sim):
    line_id = claimable(sim, quantity=3)
    numbers = [control(sim, "POST", "/_sim/claims", json={"lineItemId": line_id, "quantity": 1}).json()["number"]
               for _ in range(3)]
    control(sim, "POST", f"/_sim/claims/{numbers[2]}/status", json={"status": "Cancelled"})
    answer = api(sim, "GET", f"/claims/merchantId/{MID}", params={"offset": 1, "limit": 1})
    assert [c["number"] for c in answer.json()] == [numbers[1]]
    headers = answer.headers
    assert (headers["X-Total-Count"], headers["X-Total-Pages"], headers["X-Page"]) == ("3", "3", "2")
    claim = answer.json()[0]
    assert (claim["lineItemId"], claim["MerchantSku"], claim["Reason"], claim["claimType"]) == (
        line_id, "A", "PoorQuality", "Return")
    waiting = api(sim, "GET", f"/claims/merchantId/{MID}/status/AwaitingAction").json()
    assert [c["number"] for c in waiting] == numbers[:2]
    recent = {"statusBeginDate": tr(datetime.now(TR) - timedelta(minutes=5))}
    assert len(api(sim, "GET", f"/claims/merchantId/{MID}/status/Cancelled", params=recent).json()) == 1
    assert api(sim, "GET", f"/claims/merchantId/{MID}/status/Whatever").status_code == 400
    assert api(sim, "GET", f"/claims/merchantId/{MID}", params={"limit": 101}).status_code == 400


def test_claims_are_accepted_or_rejected_only_while_awaiting_action(sim):
    line_id = claimable(sim, quantity=3)
    first, second, third = (control(sim, "POST", "/_sim/claims", json={"lineItemId": line_id, "quantity": 1}
                                    ).json()["number"] for _ in range(3))
    accept = f"/claims/number/{first}/accept"
    assert api(sim, "POST", accept, json={}).status_code == 204
    twice = api(sim, "POST", accept, json={})
    assert twice.status_code == 409 and "Accepted" in twice.json()["message"]
    reject = {"ClaimRejectionReason": "ProductIsUsed", "MerchantStatement": "Ürün kullanılmış geldi.",
              "Reports": [base64.b64encode(b"photo").decode()]}
    assert api(sim, "POST", f"/claims/number/{first}/reject", json=reject).status_code == 409
    assert api(sim, "POST", f"/claims/number/{second}/reject", json={**reject, "MerchantStatement": "x" * 501}
               ).status_code == 400
    assert api(sim, "POST", f"/claims/number/{second}/reject", json={**reject, "Reports": ["***"]}).status_code == 400
    assert api(sim, "POST", f"/claims/number/{second}/reject", json={"MerchantStatement": "x"}).status_code == 400
    assert api(sim, "POST", f"/claims/number/{second}/reject", json=reject).status_code == 204
    disputed = sim.claim(second)
    assert disputed["status"] == "InDispute" and disputed["merchantRejectionStatement"] == "Ürün kullanılmış geldi."
    assert api(sim, "POST", f"/claims/number/{second}/accept", json={}).status_code == 409
    assert control(sim, "POST", f"/_sim/claims/{second}/status", json={"status": "Rejected"}).json()["status"] == \
        "Rejected"
    control(sim, "POST", f"/_sim/claims/{third}/status", json={"status": "Cancelled"})
    assert api(sim, "POST", f"/claims/number/{third}/accept", json={}).status_code == 409
    assert api(sim, "POST", "/claims/number/HBT0/accept", json={}).status_code == 404
    new = control(sim, "POST", "/_sim/claims", json={"lineItemId": line_id, "quantity": 1, "status": "NewRequest"})
    assert api(sim, "POST", f"/claims/number/{new.json()['number']}/accept", json={}).status_code == 409


# --- limits, faults ---------------------------------------------------------------------------------------------
def test_oms_rate_limit_answers_429_with_headers(sim):
    sim.configure(oms_rate_limit=3)
    with httpx.Client(base_url=sim.url, timeout=5, **GOOD) as http:
        answers = [http.get(PACKAGES) for _ in range(10)]
    codes = [a.status_code for a in answers]
    assert codes[0] == 200 and 429 in codes
    limited = next(a for a in answers if a.status_code == 429)
    assert (limited.headers["X-RateLimit-Limit"], limited.headers["X-RateLimit-Remaining"]) == ("3", "0")
    assert int(limited.headers["X-RateLimit-Reset"]) >= 1
    assert answers[0].headers["X-RateLimit-Remaining"] == "2"


def test_faults_apply_to_oms_paths(sim):
    sim.configure(fault={"mode": "5xx", "count": 2, "path": "^/packages/", "status": 503})
    assert api(sim, "GET", ORDERS, params={"offset": 0, "limit": 1}).status_code == 200  # path does not match
    assert [api(sim, "GET", PACKAGES).status_code for _ in range(3)] == [503, 503, 200]
    sim.configure(fault={"mode": "malformed", "count": 1, "path": None})
    garbage = api(sim, "GET", PACKAGES)
    with pytest.raises(ValueError):
        garbage.json()


# --- the shopper ------------------------------------------------------------------------------------------------
def test_shopper_places_orders_at_the_rate(sim):
    sim.configure(order_rate=20)
    time.sleep(1.0)
    placed = sim.oms_counters()["orders_total"]
    assert 12 <= placed <= 28
    sim.configure(order_rate=0)
    stopped = sim.oms_counters()["orders_total"]
    time.sleep(0.3)
    assert sim.oms_counters()["orders_total"] == stopped
    orders = sim.orders()
    assert {line["merchantSku"] for order in orders for line in order["lines"]} <= set(sim.options["shopper_skus"])
    assert [o["customer"]["name"] for o in orders[:3]] == [order_data.shopper(n)["name"] for n in range(3)]
    assert [o["customer"]["address"]["town"] for o in orders[:3]] == ["Kadıköy", "Beşiktaş", "Üsküdar"]


def test_shopper_buys_what_is_on_sale(sim):
    sim.add_listings([{"merchantSku": "ON-SALE", "price": 50, "availableStock": 1000},
                      {"merchantSku": "NO-STOCK", "price": 50, "availableStock": 0}])
    sim.configure(order_rate=50)
    assert wait_for(lambda: sim.oms_counters()["orders_total"] >= 5, timeout=3)
    sim.configure(order_rate=0)
    assert {line["merchantSku"] for order in sim.orders() for line in order["lines"]} == {"ON-SALE"}
    assert sim.listing("ON-SALE")["availableStock"] < 1000


def test_shopper_and_order_options_are_validated():
    with pytest.raises(ValueError, match="order_rate"):
        serve(order_rate=-1)
    with pytest.raises(ValueError, match="shopper_skus"):
        serve(shopper_skus=[])
    with pytest.raises(ValueError, match="auto_pack_delay"):
        serve(auto_pack_delay=-2)
    running = serve(order_rate=0, auto_pack_delay=None, shopper_skus=["X"], oms_rate_limit=0)
    try:
        assert (running.options["auto_pack_delay"], running.options["oms_rate_limit"]) == (None, None)
    finally:
        running.stop()


def test_shopper_started_by_serve_keeps_running_after_reset():
    running = serve(order_rate=40, auto_pack_delay=None)
    try:
        assert wait_for(lambda: running.oms_counters()["orders_total"] >= 3, timeout=3)
        running.reset()
        assert running.oms_counters()["orders_total"] < 3
        assert wait_for(lambda: running.oms_counters()["orders_total"] >= 3, timeout=3)
    finally:
        running.stop()


# --- control endpoints ----------------------------------------------------------------------------------------
def test_order_control_endpoints_read_state(sim):
    order = place(sim, ("A", 1))
    number = pack(sim, (order["lineItemIds"][0], 1))
    deliver(sim, number)
    claim = control(sim, "POST", "/_sim/claims", json={"lineItemId": order["lineItemIds"][0]}).json()
    assert control(sim, "GET", f"/_sim/orders/{order['orderNumber']}").json()["packageNumbers"] == [number]
    assert [o["orderNumber"] for o in control(sim, "GET", "/_sim/orders").json()["orders"]] == [order["orderNumber"]]
    detail = control(sim, "GET", f"/_sim/packages/{number}").json()
    assert detail["status"] == "Delivered" and [h["by"] for h in detail["history"]] == ["merchant", "hepsiburada",
                                                                                         "hepsiburada"]
    assert len(control(sim, "GET", "/_sim/packages").json()["packages"]) == 1
    assert control(sim, "GET", f"/_sim/claims/{claim['number']}").json()["status"] == "AwaitingAction"
    assert len(control(sim, "GET", "/_sim/claims").json()["claims"]) == 1
    stats = control(sim, "GET", "/_sim/oms/stats").json()
    assert (stats["orders_total"], stats["packages_total"], stats["claims_total"]) == (1, 1, 1)
    assert stats["packages_by_status"] == {"Delivered": 1}
    for missing in ("/_sim/orders/0", "/_sim/packages/0", "/_sim/claims/0"):
        assert control(sim, "GET", missing).status_code == 404
    assert control(sim, "POST", "/_sim/claims/0/status", json={"status": "Accepted"}).status_code == 404
    assert control(sim, "POST", "/_sim/reset").json() == {"ok": True}
    assert control(sim, "GET", "/_sim/oms/stats").json()["orders_total"] == 0
    assert sim.counters() == {"requests_total": 0, "uploads_total": 0, "listings_total": 0}


def test_main_takes_the_order_options(monkeypatch, capsys):
    import threading

    from mpdash.marketplaces.hepsiburada import simulator as module

    started = []
    real_serve = module.serve

    def serve_and_stop(*args, **kwargs):
        running = real_serve(*args, **kwargs)
        started.append(running)
        threading.Timer(0.2, running.stop).start()
        return running

    monkeypatch.setattr(module, "serve", serve_and_stop)
    assert module.main(["--port", "0", "--order-rate", "0.5", "--auto-pack-delay", "30"]) == 0
    assert (started[0].options["order_rate"], started[0].options["auto_pack_delay"]) == (0.5, 30.0)
    assert "order and catalog simulator" in capsys.readouterr().out
