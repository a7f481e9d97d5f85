"""The Trendyol client's order and claim calls against the simulator (real HTTP, no Django)."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from mpdash.marketplaces.errors import (
    Action,
    AuthError,
    MalformedResponse,
    RateLimited,
    RequestRejected,
    TransientError,
)
from mpdash.marketplaces.trendyol.client import ConflictRejected, TrendyolClient

from .conftest import SELLER

HOUR_MS = 3_600_000


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def stocked(sim):
    sim.add_products([{"barcode": "BC-1", "stockCode": "SKU-1", "quantity": 50, "salePrice": 120.0},
                      {"barcode": "BC-2", "stockCode": "SKU-2", "quantity": 50, "salePrice": 80.5}])
    return sim


def lines_of(package) -> list[tuple[str, int]]:
    return [(line.line_id, line.quantity) for line in package.lines]


def test_placed_order_is_listed_with_lines_customer_and_address(stocked, client):
    placed = stocked.place_order([{"barcode": "BC-1", "quantity": 2}, {"stockCode": "SKU-2", "quantity": 1}])
    page = client.get_shipment_packages(now_ms() - HOUR_MS, now_ms() + 1000, status="Created")
    assert page.total_elements == 1 and page.page == 0
    package = page.content[0]
    assert package.id == str(placed["packageId"]) and package.order_number == placed["orderNumber"]
    assert package.status == "Created"
    assert [(line.barcode, line.merchant_sku, line.quantity) for line in package.lines] == [
        ("BC-1", "SKU-1", 2), ("BC-2", "SKU-2", 1)]
    assert package.lines[0].unit_price == package.lines[0].gross_amount
    assert package.customer_first_name and package.customer_email.endswith("@trendyolmail.com")
    address = package.shipment_address
    assert address.city and address.district and address.neighborhood and address.postal_code
    assert package.raw["orderNumber"] == placed["orderNumber"]  # the record as Trendyol sent it
    assert client.get_shipment_package(placed["packageId"]).id == package.id
    assert client.get_shipment_package("1") is None
    assert stocked.product("BC-1")["quantity"] == 48  # Trendyol holds sold units back


def test_status_filter_order_number_and_paging(stocked, client):
    numbers = [stocked.place_order([{"barcode": "BC-1"}])["orderNumber"] for _ in range(5)]
    start, end = now_ms() - HOUR_MS, now_ms() + 1000
    first = client.get_shipment_packages(start, end, 0, 2)
    last = client.get_shipment_packages(start, end, 2, 2)
    assert (first.total_elements, first.total_pages, len(first.content), len(last.content)) == (5, 3, 2, 1)
    assert [p.order_number for p in first.content] == numbers[:2]  # oldest change first
    assert client.get_shipment_packages(start, end, status="Picking").total_elements == 0
    assert client.get_shipment_packages(start, end, order_number=numbers[3]).content[0].order_number == numbers[3]


def test_picking_must_precede_invoiced(stocked, client):
    placed = stocked.place_order([{"barcode": "BC-1"}])
    package = client.get_shipment_package(placed["packageId"])
    with pytest.raises(RequestRejected) as refused:
        client.update_package_status(package.id, lines_of(package), "Invoiced", invoice_number="INV-1")
    assert refused.value.status_code == 400 and "Picking" in refused.value.message
    client.update_package_status(package.id, lines_of(package), "Picking")
    client.update_package_status(package.id, lines_of(package), "Invoiced", invoice_number="INV-1")
    assert client.get_shipment_package(package.id).status == "Invoiced"
    assert [h["status"] for h in stocked.package(package.id)["packageHistories"]] == ["Created", "Picking", "Invoiced"]
    with pytest.raises(ValueError, match="invoice number"):
        client.update_package_status(package.id, lines_of(package), "Invoiced")
    with pytest.raises(ValueError, match="Picking or Invoiced"):
        client.update_package_status(package.id, lines_of(package), "Shipped")


def test_unsupplied_creates_a_new_package_on_the_same_order(stocked, client):
    stocked.configure(repack_delay=0.2)
    placed = stocked.place_order([{"barcode": "BC-1", "quantity": 3}, {"barcode": "BC-2", "quantity": 1}])
    package = client.get_shipment_package(placed["packageId"])
    client.mark_unsupplied(package.id, [(package.lines[0].line_id, 1)], 500)
    assert client.get_shipment_package(package.id).status == "UnSupplied"
    assert stocked.wait_for_order_events(3)
    packages = client.get_shipment_packages(now_ms() - HOUR_MS, now_ms() + 1000,
                                            order_number=placed["orderNumber"]).content
    new = next(p for p in packages if p.id != package.id)
    assert new.status == "Created" and new.raw["originPackageIds"] == [int(package.id)]
    assert [(line.line_id, line.quantity) for line in new.lines] == [(package.lines[0].line_id, 2),
                                                                     (package.lines[1].line_id, 1)]
    with pytest.raises(RequestRejected, match="reasonId"):
        client.mark_unsupplied(new.id, lines_of(new), 503)


def test_split_package_and_tracking_number(stocked, client):
    stocked.configure(repack_delay=0)
    placed = stocked.place_order([{"barcode": "BC-1", "quantity": 2}, {"barcode": "BC-2", "quantity": 1}])
    package = client.get_shipment_package(placed["packageId"])
    client.update_tracking_number(package.id, "OWN-123", "ARASMP")
    assert client.get_shipment_package(package.id).cargo_tracking_number == "OWN-123"
    client.split_package(package.id, [[(package.lines[0].line_id, 1)], [(package.lines[1].line_id, 1)]])
    assert stocked.wait_for_order_events(2)
    assert client.get_shipment_package(package.id).status == "UnPacked"
    parts = [p for p in stocked.packages(placed["orderNumber"]) if p["id"] != int(package.id)]
    assert sorted(sum(line["quantity"] for line in p["lines"]) for p in parts) == [1, 1, 1]  # two groups + the rest


def test_invoice_link_twice_is_a_conflict(stocked, client):
    placed = stocked.place_order([{"barcode": "BC-1"}])
    client.send_invoice_link(placed["packageId"], "https://e-fatura.example.com/inv-1.pdf", invoice_number="INV-1",
                             invoice_date_ms=now_ms())
    assert stocked.package(placed["packageId"])["invoiceLink"] == "https://e-fatura.example.com/inv-1.pdf"
    with pytest.raises(ConflictRejected) as conflict:
        client.send_invoice_link(placed["packageId"], "https://e-fatura.example.com/inv-2.pdf")
    assert conflict.value.status_code == 409 and isinstance(conflict.value, RequestRejected)


def deliver(sim, client, package_id):
    package = client.get_shipment_package(package_id)
    client.update_package_status(package.id, lines_of(package), "Picking")
    sim.set_package_status(package.id, "Shipped")
    sim.set_package_status(package.id, "Delivered")
    return package


def test_claims_list_approve_and_reject_only_from_waiting_in_action(stocked, client):
    placed = stocked.place_order([{"barcode": "BC-1", "quantity": 2}])
    deliver(stocked, client, placed["packageId"])
    opened = stocked.create_claim(placed["packageId"], reasonId=301, customerNote="kırık geldi")
    page = client.get_claims(now_ms() - HOUR_MS, now_ms() + 1000)
    claim = page.content[0]
    assert page.total_elements == 1 and claim.id == opened["claimId"]
    assert claim.outbound_package_id == str(placed["packageId"])
    units = claim.items[0].claim_items
    assert [u.status_name for u in units] == ["WaitingInAction", "WaitingInAction"]
    assert units[0].customer_reason.id == "301" and units[0].customer_note == "kırık geldi"
    client.approve_claim_items(claim.id, [units[0].id])
    with pytest.raises(RequestRejected, match="WaitingInAction"):
        client.approve_claim_items(claim.id, [units[0].id])  # already accepted
    client.create_claim_issue(claim.id, 1, [units[1].id], "Ürün kullanılmış olarak geldi",
                              [("kanit.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg")])
    statuses = [u["claimItemStatus"]["name"] for u in stocked.claim(claim.id)["items"][0]["claimItems"]]
    assert statuses == ["Accepted", "Rejected"]
    assert client.get_claims(status="Rejected").total_elements == 1


def test_claim_issue_rules(stocked, client):
    placed = stocked.place_order([{"barcode": "BC-1", "quantity": 3}])
    deliver(stocked, client, placed["packageId"])
    created = stocked.create_claim(placed["packageId"], status="Created")
    item = created["claimItemIds"][0]
    with pytest.raises(RequestRejected, match="WaitingInAction"):
        client.approve_claim_items(created["claimId"], [item])  # Created: the goods are still on their way
    client.set_test_claims_waiting_in_action(created["claimId"])
    with pytest.raises(RequestRejected, match="dosya"):
        client.create_claim_issue(created["claimId"], 1, [item], "eksik parça")  # reason 1 needs a file
    with pytest.raises(ValueError, match="500"):
        client.create_claim_issue(created["claimId"], 451, [item], "x" * 501)
    client.create_claim_issue(created["claimId"], 451, [item], "İade paketi boş geldi")  # 451 needs no file
    reasons = client.get_claim_issue_reasons().root
    assert {451, 1651, 2101} <= {r.id for r in reasons} and all(r.name for r in reasons)


def test_stage_test_order_and_carrier_status(sim, client):
    sim.add_products([{"barcode": "00005678", "quantity": 5}])
    number = client.create_test_order(
        [{"barcode": "00005678", "quantity": 1, "discountPercentage": 20}],
        customer={"customerFirstName": "John", "customerLastName": "Doe"},
        shippingAddress={"addressText": "Caferağa Mah. Moda Cad. No:1", "city": "İstanbul", "district": "Kadıköy",
                         "neighborhood": "Caferağa Mah.", "postalCode": "34710"},
    )
    package = client.get_shipment_packages(order_number=number, start_ms=now_ms() - HOUR_MS,
                                           end_ms=now_ms() + 1000).content[0]
    assert package.customer_first_name == "John" and package.shipment_address.district == "Kadıköy"
    assert package.lines[0].unit_price == package.lines[0].gross_amount * 8 / 10
    with pytest.raises(RequestRejected, match="Created"):
        client.set_test_package_status(package.id, "Shipped", lines_of(package))  # not picked yet
    client.update_package_status(package.id, lines_of(package), "Picking")
    client.set_test_package_status(package.id, "Shipped", lines_of(package))
    client.set_test_package_status(package.id, "Delivered", lines_of(package))
    with pytest.raises(RequestRejected):
        client.set_test_package_status(package.id, "Shipped", lines_of(package))  # never backwards


# --- failures ----------------------------------------------------------------------------------


def test_429_on_order_paths_raises_rate_limited(sim, client):
    sim.configure(fault={"mode": "429", "count": 1, "path": "/orders"})
    with pytest.raises(RateLimited) as caught:
        client.get_shipment_packages(now_ms() - HOUR_MS, now_ms())
    assert caught.value.action is Action.RETRY_LATER and caught.value.retry_after == 10.0
    assert client.get_shipment_packages(now_ms() - HOUR_MS, now_ms()).total_elements == 0


def test_real_rate_limit_counts_order_reads_apart_from_claims(sim, client):
    sim.configure(rate_limit=2, rate_window=5)
    client.get_shipment_packages(now_ms() - HOUR_MS, now_ms())
    client.get_shipment_packages(now_ms() - HOUR_MS, now_ms())
    with pytest.raises(RateLimited, match="too.many.requests"):
        client.get_shipment_packages(now_ms() - HOUR_MS, now_ms())
    client.get_claims()  # another service group


def test_5xx_timeout_and_malformed_answers(sim, client, make_client):
    sim.configure(fault={"mode": "5xx", "count": 1, "path": "/claims", "status": 502})
    with pytest.raises(TransientError) as caught:
        client.get_claims()
    assert caught.value.status_code == 502
    sim.configure(fault={"mode": "malformed", "count": 1, "path": "/orders"})
    with pytest.raises(MalformedResponse, match="not JSON"):
        client.get_shipment_packages()
    sim.configure(fault={"mode": "timeout", "count": 1, "path": "shipment-packages"}, timeout_sleep=3)
    slow = make_client(timeout=httpx.Timeout(0.5))
    with pytest.raises(TransientError, match="did not answer in time"):
        slow.update_package_status("1", [("1", 1)], "Picking")


def test_unexpected_json_raises_malformed_response():
    answers = iter([
        httpx.Response(200, json={"content": []}),
        httpx.Response(200, json={"totalElements": 1, "content": [{"id": 5, "lines": []}]}),
        httpx.Response(200, json={"totalElements": 1, "content": [{"id": "c", "items": [{"claimItems": [{}]}]}]}),
    ])
    client = TrendyolClient("https://x.invalid/integration", seller_id="1", api_key="k", api_secret="s",
                            transport=httpx.MockTransport(lambda request: next(answers)))
    with pytest.raises(MalformedResponse, match="totalElements"):
        client.get_shipment_packages()
    with pytest.raises(MalformedResponse, match="orderNumber"):
        client.get_shipment_packages()
    with pytest.raises(MalformedResponse, match="claimItems"):
        client.get_claims()


def test_beyond_10000_records_or_a_month_back_is_refused_before_sending(client):
    with pytest.raises(ValueError, match="10,000"):
        client.get_shipment_packages(page=50, size=200)
    client.get_shipment_packages(page=49, size=200)
    with pytest.raises(ValueError, match="last 30 days only"):
        client.get_shipment_packages(now_ms() - 31 * 24 * HOUR_MS)
    client.get_claims(page=50, size=200)  # claims: no record window documented, none enforced


def test_stream_pages_by_cursor_and_refuses_windows_over_14_days(stocked, client):
    ids = [str(stocked.place_order([{"barcode": "BC-1"}])["packageId"]) for _ in range(3)]
    start, end = now_ms() - HOUR_MS, now_ms() + 1000
    first = client.get_shipment_packages_stream(start, end, statuses=("Created",), size=2)
    assert first.has_more and first.next_cursor and [p.id for p in first.content] == ids[:0:-1]
    last = client.get_shipment_packages_stream(start, end, statuses=("Created",), size=2, cursor=first.next_cursor)
    assert not last.has_more and last.next_cursor is None and [p.id for p in last.content] == ids[:1]
    with pytest.raises(ValueError, match="at most 14 days"):
        client.get_shipment_packages_stream(end - 15 * 24 * HOUR_MS, end)
    with pytest.raises(RequestRejected, match="nextCursor"):
        client.get_shipment_packages_stream(start - 1, end, statuses=("Created",), size=2, cursor=first.next_cursor)


def test_order_paths_check_credentials(make_client):
    with pytest.raises(AuthError) as caught:
        make_client(api_secret="wrong").get_shipment_packages()
    assert caught.value.status_code == 401
    with pytest.raises(AuthError):
        make_client(seller_id="999").get_claims()


def test_secrets_never_in_exchanges_or_logs(sim, make_client, caplog):
    sim.configure(api_key="order-key-4711", api_secret="order-secret-0815")
    sim.add_products([{"barcode": "BC-1", "quantity": 5}])
    client = make_client(api_key="order-key-4711", api_secret="order-secret-0815")
    placed = sim.place_order([{"barcode": "BC-1"}])
    with caplog.at_level(logging.DEBUG):
        package = client.get_shipment_package(placed["packageId"])
        client.update_package_status(package.id, lines_of(package), "Picking")
        client.send_invoice_link(package.id, "https://e-fatura.example.com/x.pdf")
        client.get_claims()
        with pytest.raises(RequestRejected):
            client.update_package_status(package.id, lines_of(package), "Picking")
    recorded = repr([e.as_dict() for e in client.exchanges]) + caplog.text
    assert client.exchanges and "seller-invoice-links" in recorded
    for secret in ("order-secret-0815", "order-key-4711"):
        assert secret not in recorded
    assert "Basic " not in recorded
    assert SELLER in recorded  # the seller id is no secret: it is in every path


def test_client_no_longer_calls_the_deprecated_update_tracking_number(stocked, client):
    """``…/update-tracking-number`` is deprecated (developers.trendyol.com/v2.0/docs/update-
    shipping-code-updatetrackingnumber, checked 2026-12-06): the client sends
    ``…/tracking-details`` with cargoSenderNumber and providerCode, and the simulator answers
    the old path 410 Gone (the status is a guess)."""
    package = client.get_shipment_package(stocked.place_order([{"barcode": "BC-1"}])["packageId"])
    client.update_tracking_number(package.id, "OWN-9", "ARASMP")
    assert stocked.package(package.id)["cargoProviderCode"] == "ARASMP"
    exchange = client.last_exchange()
    assert exchange is None or "update-tracking-number" not in str(exchange)
    with pytest.raises(Exception) as caught:
        client.request("PUT", f"/order/sellers/{client.seller_id}/shipment-packages/{package.id}/update-tracking-number",
                       json_body={"trackingNumber": "OLD-1"})
    assert "tracking-details" in str(caught.value) or "410" in str(caught.value)
    assert client.get_shipment_package(package.id).cargo_tracking_number == "OWN-9"
    with pytest.raises(ValueError, match="provider_code"):
        client.update_tracking_number(package.id, "OWN-9", "")
