"""The simulator's order side over plain HTTP: packages, their state machine, listing rules,
invoice links, claims, the shopper, the stage helpers and the control endpoints."""

from __future__ import annotations

import time

import httpx
import pytest

from mpdash.marketplaces.trendyol.simulator import serve
from mpdash.marketplaces.simkit.sample_data import PLACES

from .conftest import GOOD, SELLER

BASE = "/integration"
ORDERS = f"{BASE}/order/sellers/{SELLER}/orders"
PACKAGES = f"{BASE}/order/sellers/{SELLER}/shipment-packages"
CLAIMS = f"{BASE}/order/sellers/{SELLER}/claims"
DAY_MS = 86_400_000


def api(sim, method, path, **kw):
    kw = {**GOOD, **kw}
    return httpx.request(method, sim.url + path, timeout=5, **kw)


def control(sim, method, path, **kw):
    return httpx.request(method, sim.url + path, timeout=5, **kw)


def now_ms() -> int:
    return int(time.time() * 1000)


def recent(**params):
    return {"startDate": now_ms() - 3_600_000, "endDate": now_ms() + 1000, **params}


@pytest.fixture
def shop(sim):
    sim.add_products([{"barcode": "BC-1", "stockCode": "SKU-1", "quantity": 100, "salePrice": 99.9},
                      {"barcode": "BC-2", "stockCode": "SKU-2", "quantity": 100, "salePrice": 10.0}])
    sim.configure(repack_delay=0.1)
    return sim


def place(sim, *lines, **spec):
    answer = control(sim, "POST", "/_sim/orders", json={"lines": list(lines) or [{"barcode": "BC-1"}], **spec})
    assert answer.status_code == 200, answer.text
    return answer.json()


def package_of(sim, package_id):
    return control(sim, "GET", f"/_sim/packages/{package_id}").json()["package"]


def all_lines(package):
    return [{"lineId": line["lineId"], "quantity": line["quantity"]} for line in package["lines"]]


def set_status(sim, package_id, status, **body):
    return api(sim, "PUT", f"{PACKAGES}/{package_id}", json={"status": status, "params": body,
                                                           "lines": all_lines(package_of(sim, package_id))})


# --- placing and listing ----------------------------------------------------------------------


def test_control_order_is_listed_by_window_and_status(shop):
    placed = place(shop, {"barcode": "BC-1", "quantity": 2}, {"stockCode": "SKU-2", "quantity": 1})
    assert set(placed) >= {"orderNumber", "packageId", "status", "lines"} and placed["status"] == "Created"
    answer = api(shop, "GET", ORDERS, params=recent(status="Created"))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["totalElements"], body["totalPages"], body["page"], body["size"]) == (1, 1, 0, 200)
    package = body["content"][0]
    assert package["id"] == package["shipmentPackageId"] == placed["packageId"]
    assert package["orderNumber"] == placed["orderNumber"] and package["status"] == "Created"
    assert [(line["barcode"], line["merchantSku"], line["quantity"]) for line in package["lines"]] == [
        ("BC-1", "SKU-1", 2), ("BC-2", "SKU-2", 1)]
    assert package["packageTotalPrice"] == package["totalPrice"] == 209.8
    assert package["shipmentAddress"]["city"] and package["invoiceAddress"]["district"]
    assert api(shop, "GET", ORDERS, params=recent(status="Picking")).json()["totalElements"] == 0
    past = {"startDate": now_ms() - 5 * DAY_MS, "endDate": now_ms() - 4 * DAY_MS}
    assert api(shop, "GET", ORDERS, params=past).json()["totalElements"] == 0
    unknown = control(shop, "POST", "/_sim/orders", json={"lines": [{"barcode": "NOPE"}]})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["key"] == "product.not.found"


def test_order_paths_need_credentials_and_user_agent(shop):
    assert httpx.get(shop.url + ORDERS, auth=GOOD["auth"]).status_code == 403
    assert api(shop, "GET", ORDERS, auth=("demo-api-key", "wrong")).status_code == 401
    assert api(shop, "GET", f"{BASE}/order/sellers/999/orders").status_code == 401
    assert api(shop, "POST", ORDERS).status_code == 405


def test_paging_sorting_and_the_10000_record_rule(shop):
    for _ in range(5):
        place(shop)
    first = api(shop, "GET", ORDERS, params=recent(page=0, size=2)).json()
    desc = api(shop, "GET", ORDERS, params=recent(page=0, size=2, orderByDirection="DESC")).json()
    assert (first["totalElements"], first["totalPages"]) == (5, 3)
    assert first["content"][0]["id"] < first["content"][1]["id"] and desc["content"][0]["id"] > first["content"][1]["id"]
    assert api(shop, "GET", ORDERS, params=recent(page=49, size=200)).status_code == 200
    refused = api(shop, "GET", ORDERS, params=recent(page=50, size=200))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["key"] == "max.result.window.exceeded"
    assert api(shop, "GET", ORDERS, params=recent(page=100, size=100)).status_code == 400
    assert api(shop, "GET", ORDERS, params=recent(size=201)).status_code == 400
    # claims have no documented record window: none is enforced
    assert api(shop, "GET", CLAIMS, params={"page": 50, "size": 200}).status_code == 200


def test_get_shipment_packages_covers_the_last_month_only(shop):
    month = {"startDate": now_ms() - 31 * DAY_MS, "endDate": now_ms() - 20 * DAY_MS}
    refused = api(shop, "GET", ORDERS, params=month)
    assert refused.status_code == 400 and "son 30 gün" in refused.json()["errors"][0]["message"]
    assert api(shop, "GET", ORDERS, params={"startDate": now_ms() - 29 * DAY_MS,
                                            "endDate": now_ms() - 20 * DAY_MS}).status_code == 200


def stream(shop, **params):
    return api(shop, "GET", ORDERS + "/stream", params=params)


def test_the_stream_pages_newest_first_by_cursor_with_its_filters(shop):
    placed = [place(shop)["packageId"] for _ in range(5)]
    first = stream(shop, size=2, lastModifiedStartDate=now_ms() - 3_600_000, lastModifiedEndDate=now_ms() + 1000)
    body = first.json()
    assert first.status_code == 200 and set(body) == {"content", "hasMore", "nextCursor", "size"}
    assert "totalElements" not in body and body["hasMore"] and body["nextCursor"]
    seen = [p["id"] for p in body["content"]]
    params = {"size": 2, "lastModifiedStartDate": body["content"][0]["lastModifiedDate"] - 3_600_000}
    assert stream(shop, nextCursor=body["nextCursor"], **params).status_code == 400  # other filters
    start, end = now_ms() - 3_600_000, now_ms() + 1000
    seen, cursor = [], None
    while True:
        page = stream(shop, size=2, lastModifiedStartDate=start, lastModifiedEndDate=end,
                      **({"nextCursor": cursor} if cursor else {})).json()
        seen += [p["id"] for p in page["content"]]
        if not page["hasMore"]:
            break
        cursor = page["nextCursor"]
    assert seen == placed[::-1]  # newest change first, each once
    assert stream(shop, nextCursor="not-a-cursor").json()["errors"][0]["key"] == "invalid.next.cursor"
    assert [p["id"] for p in stream(shop, packageItemStatuses="Picking,UnSupplied").json()["content"]] == []
    assert len(stream(shop, packageItemStatuses="created,Awaiting").json()["content"]) == 5  # no dates: last 14 days
    assert stream(shop, packageItemStatuses="Packed").status_code == 400
    assert stream(shop, size=201).status_code == 400


def test_the_stream_refuses_more_than_14_days_and_more_than_3_months_back(shop):
    now = now_ms()  # one reading: two calls a millisecond apart made a 14-day window 1 ms too long
    too_long = stream(shop, lastModifiedStartDate=now - 15 * DAY_MS, lastModifiedEndDate=now)
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["key"] == "invalid.date.range"
    assert stream(shop, lastModifiedStartDate=now - 14 * DAY_MS, lastModifiedEndDate=now).status_code == 200
    old = stream(shop, lastModifiedStartDate=now - 91 * DAY_MS, lastModifiedEndDate=now - 80 * DAY_MS)
    assert old.status_code == 400 and "son 90 gün" in old.json()["errors"][0]["message"]
    assert stream(shop, lastModifiedStartDate=now - 89 * DAY_MS,
                  lastModifiedEndDate=now - 80 * DAY_MS).status_code == 200


def test_window_longer_than_14_days_and_bad_parameters_are_refused(shop):
    now = now_ms()
    too_long = api(shop, "GET", ORDERS, params={"startDate": now - 15 * DAY_MS, "endDate": now})
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["key"] == "invalid.date.range"
    assert api(shop, "GET", ORDERS, params={"startDate": now - 14 * DAY_MS, "endDate": now}).status_code == 200
    assert api(shop, "GET", ORDERS, params={"status": "Packed"}).status_code == 400
    assert api(shop, "GET", ORDERS, params={"startDate": "yesterday"}).status_code == 400
    many = ",".join(str(i) for i in range(51))
    assert api(shop, "GET", ORDERS, params={"shipmentPackageIds": many}).status_code == 400


def test_package_ids_and_order_number_filters(shop):
    one, two = place(shop), place(shop)
    by_id = api(shop, "GET", ORDERS, params={"shipmentPackageIds": f"{two['packageId']},123"}).json()
    assert [p["id"] for p in by_id["content"]] == [two["packageId"]]
    by_number = api(shop, "GET", ORDERS, params=recent(orderNumber=one["orderNumber"])).json()
    assert [p["id"] for p in by_number["content"]] == [one["packageId"]]


# --- the state machine -------------------------------------------------------------------------


def test_only_allowed_moves_and_last_modified_on_every_change(shop):
    placed = place(shop)
    package_id = placed["packageId"]
    modified = [package_of(shop, package_id)["lastModifiedDate"]]

    def changed():
        time.sleep(0.005)
        modified.append(package_of(shop, package_id)["lastModifiedDate"])
        return modified[-1] > modified[-2]

    refused = set_status(shop, package_id, "Invoiced", invoiceNumber="INV-1")
    assert refused.status_code == 400 and refused.json()["errors"][0]["key"] == "picking.required"
    time.sleep(0.005)
    assert set_status(shop, package_id, "Picking").status_code == 200 and changed()
    assert set_status(shop, package_id, "Picking").status_code == 400
    assert set_status(shop, package_id, "Invoiced").json()["errors"][0]["key"] == "invoice.number.required"
    time.sleep(0.005)
    assert set_status(shop, package_id, "Invoiced", invoiceNumber="INV-1").status_code == 200 and changed()
    assert set_status(shop, package_id, "Shipped").status_code == 400  # the carrier's move, not the seller's
    time.sleep(0.005)
    assert control(shop, "POST", f"/_sim/packages/{package_id}/status", json={"status": "Shipped"}).status_code == 200
    assert changed()
    time.sleep(0.005)
    assert control(shop, "POST", f"/_sim/packages/{package_id}/status", json={"status": "Delivered"}).status_code == 200
    assert changed()
    back = control(shop, "POST", f"/_sim/packages/{package_id}/status", json={"status": "Shipped"})
    assert back.status_code == 400 and back.json()["errors"][0]["key"] == "invalid.status.transition"
    history = [h["status"] for h in package_of(shop, package_id)["packageHistories"]]
    assert history == ["Created", "Picking", "Invoiced", "Shipped", "Delivered"]
    assert control(shop, "POST", f"/_sim/packages/{package_id}/cancel").status_code == 400  # delivered


def test_carrier_needs_a_picked_package_and_undelivered_goes_back(shop):
    package_id = place(shop)["packageId"]
    early = control(shop, "POST", f"/_sim/packages/{package_id}/status", json={"status": "Shipped"})
    assert early.status_code == 400
    set_status(shop, package_id, "Picking")
    for status in ("Shipped", "UnDelivered", "Returned"):
        answer = control(shop, "POST", f"/_sim/packages/{package_id}/status", json={"status": status})
        assert answer.status_code == 200 and answer.json()["package"]["status"] == status


def test_awaiting_packages_become_created_after_the_delay(shop):
    shop.configure(awaiting_delay=1.0)  # long enough for three requests on a loaded machine
    placed = place(shop)
    assert placed["status"] == "Awaiting"
    assert api(shop, "GET", ORDERS, params=recent(status="Awaiting")).json()["totalElements"] == 1
    refused = set_status(shop, placed["packageId"], "Picking")
    assert refused.status_code == 400 and refused.json()["errors"][0]["key"] == "package.awaiting"
    time.sleep(1.05)
    created = api(shop, "GET", ORDERS, params=recent(status="Created")).json()
    assert created["totalElements"] == 1
    package = created["content"][0]
    assert [h["status"] for h in package["packageHistories"]] == ["Awaiting", "Created"]
    assert package["lastModifiedDate"] >= package["orderDate"] + 1000


def test_unsupplied_ends_the_package_and_a_new_one_follows(shop):
    shop.configure(repack_delay=1.0)
    placed = place(shop, {"barcode": "BC-1", "quantity": 2}, {"barcode": "BC-2", "quantity": 1})
    first, second = (line["lineId"] for line in placed["lines"])
    path = f"{PACKAGES}/{placed['packageId']}/items/unsupplied"
    bad = api(shop, "PUT", path, json={"lines": [{"lineId": first, "quantity": 1}], "reasonId": 503})
    assert bad.status_code == 400 and bad.json()["errors"][0]["key"] == "invalid.reason.id"
    too_many = api(shop, "PUT", path, json={"lines": [{"lineId": first, "quantity": 3}], "reasonId": 500})
    assert too_many.status_code == 400
    foreign = api(shop, "PUT", path, json={"lines": [{"lineId": 1, "quantity": 1}], "reasonId": 500})
    assert foreign.json()["errors"][0]["key"] == "line.not.found"
    assert api(shop, "PUT", path, json={"lines": [{"lineId": first, "quantity": 1}], "reasonId": 500}).status_code == 200
    old = package_of(shop, placed["packageId"])
    assert old["status"] == "UnSupplied"
    assert [line["orderLineItemStatusName"] for line in old["lines"]] == ["UnSupplied", "Repack"]
    assert len(control(shop, "GET", "/_sim/packages", params={"orderNumber": placed["orderNumber"]}).json()["packages"]) == 1
    assert shop.wait_for_order_events(3)  # the new package is made asynchronously
    packages = control(shop, "GET", "/_sim/packages", params={"orderNumber": placed["orderNumber"]}).json()["packages"]
    new = next(p for p in packages if p["id"] != placed["packageId"])
    assert new["status"] == "Created" and new["originPackageIds"] == [placed["packageId"]]
    assert [(line["lineId"], line["quantity"]) for line in new["lines"]] == [(first, 1), (second, 1)]
    assert new["packageTotalPrice"] == 109.9
    assert package_of(shop, placed["packageId"])["_sim"]["replaced_by"] == [new["id"]]
    again = api(shop, "PUT", path, json={"lines": [{"lineId": first, "quantity": 1}], "reasonId": 500})
    assert again.status_code == 400  # an ended package takes nothing more


def test_whole_package_unsupplied_makes_no_new_package(shop):
    placed = place(shop)
    api(shop, "PUT", f"{PACKAGES}/{placed['packageId']}/items/unsupplied",
        json={"lines": all_lines(package_of(shop, placed["packageId"])), "reasonId": 501})
    time.sleep(0.15)
    assert len(shop.packages(placed["orderNumber"])) == 1


def test_customer_cancel_and_split(shop):
    shop.configure(repack_delay=0)
    cancelled = place(shop, {"barcode": "BC-1", "quantity": 2})
    line = cancelled["lines"][0]["lineId"]
    answer = control(shop, "POST", f"/_sim/packages/{cancelled['packageId']}/cancel",
                     json={"lines": [{"lineId": line, "quantity": 1}]})
    assert answer.json()["package"]["status"] == "Cancelled"
    assert [p["status"] for p in shop.packages(cancelled["orderNumber"])] == ["Cancelled", "Created"]
    split = place(shop, {"barcode": "BC-1", "quantity": 2}, {"barcode": "BC-2", "quantity": 1})
    first, second = (x["lineId"] for x in split["lines"])
    path = f"{PACKAGES}/{split['packageId']}/split-packages"
    one_part = api(shop, "POST", path, json={"splitPackages": [{"packageDetails": [
        {"orderLineId": first, "quantities": 2}, {"orderLineId": second, "quantities": 1}]}]})
    assert one_part.status_code == 400 and one_part.json()["errors"][0]["key"] == "split.needs.two.packages"
    ok = api(shop, "POST", path, json={"splitPackages": [{"packageDetails": [{"orderLineId": first, "quantities": 1}]}],
                                       "shouldKeepPreviousStatus": True})
    assert ok.status_code == 200
    parts = shop.packages(split["orderNumber"])
    assert [p["status"] for p in parts] == ["UnPacked", "Created", "Created"]
    assert [[(x["lineId"], x["quantity"]) for x in p["lines"]] for p in parts[1:]] == [
        [(first, 1)], [(first, 1), (second, 1)]]


def test_tracking_number_and_manual_delivery(shop):
    placed = place(shop)
    path = f"{PACKAGES}/{placed['packageId']}/tracking-details"
    assert api(shop, "PUT", path, json={}).status_code == 400
    assert api(shop, "PUT", path, json={"cargoSenderNumber": "OWN-1"}).status_code == 400  # providerCode required
    retired = f"{PACKAGES}/{placed['packageId']}/update-tracking-number"
    assert api(shop, "PUT", retired, json={"trackingNumber": "OWN-1"}).status_code == 410  # deprecated service
    assert api(shop, "PUT", path, json={"cargoSenderNumber": "OWN-1", "providerCode": "ARASMP"}).status_code == 200
    deliver = f"{BASE}/order/sellers/{SELLER}/manual-deliver/OWN-1"
    assert api(shop, "PUT", deliver).status_code == 400  # not shipped yet
    set_status(shop, placed["packageId"], "Picking")
    control(shop, "POST", f"/_sim/packages/{placed['packageId']}/status", json={"status": "Shipped"})
    assert api(shop, "PUT", path, json={"cargoSenderNumber": "OWN-2",
                                        "providerCode": "ARASMP"}).status_code == 400  # shipped: too late
    assert api(shop, "PUT", deliver).status_code == 200
    assert package_of(shop, placed["packageId"])["status"] == "Delivered"
    assert api(shop, "PUT", f"{BASE}/order/sellers/{SELLER}/manual-deliver/NOPE").status_code == 404


def test_invoice_link_once_per_package(shop):
    one, two = place(shop), place(shop)
    path = f"{BASE}/sellers/{SELLER}/seller-invoice-links"
    link = "https://e-fatura.example.com/1.pdf"
    created = api(shop, "POST", path, json={"invoiceLink": link, "shipmentPackageId": one["packageId"]})
    assert created.status_code == 201
    again = api(shop, "POST", path, json={"invoiceLink": "https://e-fatura.example.com/2.pdf",
                                          "shipmentPackageId": one["packageId"]})
    assert again.status_code == 409 and again.json()["errors"][0]["key"] == "invoice.link.already.exists"
    reused = api(shop, "POST", path, json={"invoiceLink": link, "shipmentPackageId": two["packageId"]})
    assert reused.status_code == 409 and reused.json()["errors"][0]["key"] == "invoice.link.already.used"
    assert api(shop, "POST", path, json={"invoiceLink": "ftp://x", "shipmentPackageId": two["packageId"]}).status_code == 400
    assert api(shop, "POST", path, json={"invoiceLink": link + "x", "shipmentPackageId": 1}).status_code == 404


# --- claims ------------------------------------------------------------------------------------


def delivered(sim, **lines):
    placed = place(sim, {"barcode": "BC-1", "quantity": 2})
    set_status(sim, placed["packageId"], "Picking")
    for status in ("Shipped", "Delivered"):
        control(sim, "POST", f"/_sim/packages/{placed['packageId']}/status", json={"status": status})
    return placed


def test_claims_open_on_delivered_packages_and_list_by_creation_date(shop):
    early = place(shop)
    refused = control(shop, "POST", "/_sim/claims", json={"packageId": early["packageId"]})
    assert refused.status_code == 400 and refused.json()["errors"][0]["key"] == "package.not.delivered"
    placed = delivered(shop)
    opened = control(shop, "POST", "/_sim/claims", json={"packageId": placed["packageId"], "reasonId": 351}).json()
    assert len(opened["claimItemIds"]) == 2
    too_many = control(shop, "POST", "/_sim/claims", json={"packageId": placed["packageId"]})
    assert too_many.status_code == 400  # both units are claimed already
    body = api(shop, "GET", CLAIMS, params={"startDate": now_ms() - 60_000, "endDate": now_ms() + 1000}).json()
    assert (body["totalElements"], body["size"]) == (1, 50)
    claim = body["content"][0]
    assert claim["id"] == opened["claimId"] and claim["orderOutboundPackageId"] == placed["packageId"]
    assert claim["items"][0]["orderLine"]["merchantSku"] == "SKU-1"
    assert claim["items"][0]["claimItems"][0]["customerClaimItemReason"]["id"] == 351
    later = api(shop, "GET", CLAIMS, params={"startDate": now_ms() + 60_000, "endDate": now_ms() + 120_000}).json()
    assert later["totalElements"] == 0
    assert api(shop, "GET", CLAIMS, params={"claimIds": opened["claimId"]}).json()["totalElements"] == 1
    assert api(shop, "GET", CLAIMS, params={"claimItemStatus": "Accepted"}).json()["totalElements"] == 0
    assert api(shop, "GET", CLAIMS, params={"claimItemStatus": "Nope"}).status_code == 400


def test_approve_only_from_waiting_in_action(shop):
    placed = delivered(shop)
    opened = shop.create_claim(placed["packageId"], status="Created")
    path = f"{CLAIMS}/{opened['claimId']}/items/approve"
    body = {"claimLineItemIdList": opened["claimItemIds"][:1], "params": {}}
    refused = api(shop, "PUT", path, json=body)
    assert refused.status_code == 400 and refused.json()["errors"][0]["key"] == "claim.item.status.not.valid"
    waiting = api(shop, "PUT", f"{BASE}/test/order/sellers/{SELLER}/claims/waiting-in-action",
                  json={"claimId": opened["claimId"]})
    assert waiting.status_code == 200
    assert api(shop, "PUT", path, json=body).status_code == 200
    assert api(shop, "PUT", path, json=body).status_code == 400  # Accepted now
    assert api(shop, "PUT", path, json={"claimLineItemIdList": ["nope"]}).status_code == 400
    assert api(shop, "PUT", f"{CLAIMS}/no-such-claim/items/approve", json=body).status_code == 404
    claim = shop.claim(opened["claimId"])
    assert [i["claimItemStatus"]["name"] for i in claim["items"][0]["claimItems"]] == ["Accepted", "WaitingInAction"]


def test_claim_issue_is_multipart_with_rules(shop):
    placed = delivered(shop)
    opened = shop.create_claim(placed["packageId"])
    path = f"{CLAIMS}/{opened['claimId']}/issue"
    first, second = opened["claimItemIds"]

    def issue(reason, items, description, files=()):
        form = [("claimIssueReasonId", (None, str(reason))), ("claimItemIdList", (None, ",".join(items))),
                ("description", (None, description))]
        return api(shop, "POST", path, files=form + [("files", f) for f in files])

    assert api(shop, "POST", path, json={"claimIssueReasonId": 1}).status_code == 415
    assert issue(1, [first], "kullanılmış").json()["errors"][0]["key"] == "files.required"
    assert issue(1, [first], "x" * 501, [("a.jpg", b"\xff\xd8", "image/jpeg")]).json()["errors"][0]["key"] == \
        "description.too.long"
    assert issue(1, [first], "kullanılmış", [("a.png", b"\x89PNG", "image/png")]).status_code == 400
    assert issue(77, [first], "kullanılmış", [("a.jpg", b"\xff\xd8", "image/jpeg")]).status_code == 400
    ok = issue(1, [first], "Ürün kullanılmış", [("a.jpg", b"\xff\xd8", "image/jpeg"), ("b.pdf", b"%PDF", "application/pdf")])
    assert ok.status_code == 200
    assert issue(2101, [second], "Diğer").status_code == 200  # 2101 needs no file
    assert issue(2101, [second], "Diğer").status_code == 400  # rejected already
    units = shop.claim(opened["claimId"])["items"][0]["claimItems"]
    assert [u["claimItemStatus"]["name"] for u in units] == ["Rejected", "Rejected"]
    assert units[0]["claimIssue"]["files"] == ["a.jpg", "b.pdf"]


def test_claim_issue_reasons_list(shop):
    reasons = api(shop, "GET", f"{BASE}/order/claim-issue-reasons").json()
    assert {451, 1651, 2101} <= {r["id"] for r in reasons} and all(r["name"] for r in reasons)


# --- stage helpers, shopper, control, faults --------------------------------------------------


def test_stage_test_order_service(shop):
    body = {"customer": {"customerFirstName": "John", "customerLastName": "Doe"},
            "lines": [{"barcode": "BC-1", "quantity": 1, "discountPercentage": 20, "trendyolDiscountPercentage": 30}],
            "shippingAddress": {"addressText": "Bostanlı Mah. Cemal Gürsel Cad. No:5", "city": "İzmir",
                                "district": "Karşıyaka", "neighborhood": "Bostanlı Mah."},
            "invoiceAddress": {"addressText": "x", "city": "İzmir", "district": "Karşıyaka", "company": "Doe A.Ş.",
                               "invoiceFirstName": "John", "invoiceLastName": "Doe"}}
    created = api(shop, "POST", f"{BASE}/test/order/orders/core", json=body, headers={**GOOD["headers"], "SellerId": SELLER})
    assert created.status_code == 201
    number = created.json()["orderNumber"]
    package = api(shop, "GET", ORDERS, params=recent(orderNumber=number)).json()["content"][0]
    line = package["lines"][0]
    assert (line["lineSellerDiscount"], line["lineTyDiscount"], line["lineUnitPrice"]) == (19.98, 29.97, 49.95)
    assert package["customerFirstName"] == "John" and package["shipmentAddress"]["cityCode"] == 35
    assert package["invoiceAddress"]["company"] == "Doe A.Ş."
    other = api(shop, "POST", f"{BASE}/test/order/orders/core", json=body, headers={**GOOD["headers"], "SellerId": "1"})
    assert other.status_code == 403
    status = f"{BASE}/test/order/sellers/{SELLER}/shipment-packages/{package['id']}/status"
    assert api(shop, "PUT", status, json={"lines": all_lines(package), "status": "Shipped"}).status_code == 400


def test_shopper_places_orders_at_the_configured_rate(shop):
    started = time.monotonic()
    shop.configure(order_rate=20)
    time.sleep(1.0)
    stats = control(shop, "GET", "/_sim/orders/stats").json()
    shop.configure(order_rate=0)
    assert 20 <= stats["shopper_orders"] <= 20 * (time.monotonic() - started) + 1
    assert stats["packages_total"] == stats["orders_total"] == stats["Created"]
    settled = shop.order_counts()["shopper_orders"]
    time.sleep(0.2)
    assert shop.order_counts()["shopper_orders"] == settled  # switched off
    packages = shop.packages()
    places = {(city, district, hood) for city, _, district, hoods, _ in PLACES for hood in hoods}
    assert all((p["shipmentAddress"]["city"], p["shipmentAddress"]["district"], p["shipmentAddress"]["neighborhood"])
               in places for p in packages)
    assert all(p["lines"] and p["customerFirstName"] for p in packages)


def test_shopper_customers_are_deterministic():
    def customers(seed):
        with serve(shopper_seed=seed) as sim:
            sim.add_products([{"barcode": "A", "quantity": 10}])
            return [(p["customerFirstName"], p["customerLastName"], p["shipmentAddress"]["city"],
                     p["shipmentAddress"]["district"])
                    for p in (sim.package(sim.place_order([{"barcode": "A"}])["packageId"]) for _ in range(5))]

    assert customers(7) == customers(7)
    assert customers(7) != customers(8)


def test_shopper_buys_only_what_is_on_sale_and_in_stock(sim):
    sim.add_products([{"barcode": "OUT", "quantity": 0}, {"barcode": "WAIT", "quantity": 5, "approved": False},
                      {"barcode": "ONE", "quantity": 1}])
    sim.configure(order_rate=50)
    time.sleep(0.3)
    sim.configure(order_rate=0)
    bought = [line["barcode"] for p in sim.packages() for line in p["lines"]]
    assert bought == ["ONE"] and sim.product("ONE")["quantity"] == 0


def test_rate_limit_and_faults_cover_order_paths(shop):
    shop.configure(rate_limit=1, rate_window=5)
    assert api(shop, "GET", ORDERS).status_code == 200
    limited = api(shop, "GET", ORDERS)
    assert limited.status_code == 429 and limited.json()["errors"][0]["key"] == "too.many.requests"
    assert api(shop, "GET", CLAIMS).status_code == 200  # another service group
    shop.configure(rate_limit=0, fault={"mode": "5xx", "count": 1, "path": "/claims", "status": 503})
    assert api(shop, "GET", CLAIMS).status_code == 503
    assert api(shop, "GET", CLAIMS).status_code == 200
    shop.configure(fault={"mode": "malformed", "count": 1, "path": "/orders"})
    with pytest.raises(ValueError):
        api(shop, "GET", ORDERS).json()


def test_control_endpoints_and_reset(shop):
    many = control(shop, "POST", "/_sim/orders", json={"orders": [{"lines": [{"barcode": "BC-1"}]}] * 3}).json()
    assert len(many["orders"]) == 3
    listing = control(shop, "GET", "/_sim/packages", params={"status": "Created"}).json()
    assert listing["total"] == 3
    assert control(shop, "GET", "/_sim/packages/1").status_code == 404
    assert control(shop, "GET", "/_sim/claims").json() == {"claims": []}
    assert control(shop, "GET", "/_sim/claims/x").status_code == 404
    assert control(shop, "POST", "/_sim/orders", json=[1]).status_code == 400
    assert control(shop, "POST", "/_sim/config", json={"order_rate": -1}).status_code == 400
    assert control(shop, "POST", "/_sim/config", json={"shopper_seed": "x"}).status_code == 400
    assert control(shop, "POST", "/_sim/reset").status_code == 200
    assert shop.packages() == [] and shop.order_counts()["orders_total"] == 0
