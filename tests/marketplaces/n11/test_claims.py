"""N11's SOAP services over real HTTP: customers' cancellation requests (ClaimCancelService)
and return claims (ReturnService), listed by day, answered once; the simulator refuses what
N11 refuses (wrong appKey in the envelope, a second answer, a deny without a reason)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from mpdash.marketplaces.errors import AuthError, RequestRejected
from mpdash.marketplaces.n11 import soap
from mpdash.marketplaces.n11.adapter import N11Adapter
from mpdash.marketplaces.n11.client import N11Client


def window():
    now = datetime.now(UTC)
    return now - timedelta(days=1), now + timedelta(seconds=5)


def picking_package(sim, adapter, lines=(("C1", 1), ("C2", 2))):
    sim.add_products([{"stockCode": sku, "quantity": 10} for sku, _ in lines])
    placed = sim.place_order([{"stockCode": sku, "quantity": q} for sku, q in lines])
    ids = [x["lineId"] for x in placed["lines"]]
    N11Client.update_lines(adapter.client, ids, "Picking")
    return placed, ids


def test_a_cancellation_request_is_listed_once_and_approving_it_cancels_the_line(sim, adapter):
    placed, (first, second) = picking_package(sim, adapter)
    [request_id] = sim.request_cancel(placed["packageId"], [first])
    listed = adapter.list_cancel_requests(*window())
    assert [(c.claim_id, c.status, c.order_number, c.lines[0].line_id, c.lines[0].quantity) for c in listed.items] == [
        (request_id, "waiting_action", placed["orderNumber"], first, 1)]
    assert listed.next_token is None
    shown = adapter.client.last_exchange()
    assert "ClaimCancelListRequest" in shown["request"] and "demo-app-secret" not in shown["request"]  # redacted
    before, after = window()
    assert adapter.list_cancel_requests(after, after + timedelta(hours=1)).items == []  # requested before that window

    answered = adapter.answer_cancel_request(listed.items[0], approve=True)
    assert answered.ok, answered.message
    assert sim.claim(request_id)["status"] == "COMPLETED"
    assert sim.package(placed["packageId"])["shipmentPackageStatus"] == "Cancelled"  # the rest moves to a new package
    assert sim.package_of_line(second)["shipmentPackageStatus"] == "Picking"
    assert adapter.list_cancel_requests(*window()).items == []  # answered: no longer REQUESTED
    again = adapter.answer_cancel_request(listed.items[0], approve=True)
    assert not again.ok and "only REQUESTED claims" in again.message


def test_denying_needs_one_of_n11s_deny_reasons(sim):
    adapter = N11Adapter({**sim.adapter_config(), "deny_reason_id": 63}, budget=None)
    placed, (first, _) = picking_package(sim, adapter)
    [request_id] = sim.request_cancel(placed["packageId"], [first])
    request = adapter.list_cancel_requests(*window()).items[0]
    unset = N11Adapter(sim.adapter_config(), budget=None)
    refused = unset.answer_cancel_request(request, approve=False)
    assert not refused.ok and "deny_reason_id" in refused.message and "81 (Product Not Accepted" in refused.message
    assert sim.claim(request_id)["status"] == "REQUESTED"  # nothing was sent
    denied = adapter.answer_cancel_request(request, approve=False)
    assert denied.ok and "denied (63" in denied.message
    assert (sim.claim(request_id)["status"], sim.claim(request_id)["denyReasonType"]) == ("DENIED", "63")
    assert sim.package(placed["packageId"])["shipmentPackageStatus"] == "Picking"
    unset.close()
    adapter.close()


def test_return_claims_arrive_with_their_status_and_decisions_go_back(sim):
    adapter = N11Adapter({**sim.adapter_config(), "deny_reason_id": 81}, budget=None)
    placed, (first, second) = picking_package(sim, adapter)
    sim.set_package_status(placed["packageId"], "Delivered")
    kept, refused = sim.open_return(placed["packageId"], first), sim.open_return(placed["packageId"], second, 1)
    claims = {c.claim_id: c for c in adapter.list_claims(*window()).items}
    assert {k: (c.status, c.lines[0].line_id, c.lines[0].quantity) for k, c in claims.items()} == {
        kept: ("waiting_action", first, 1), refused: ("waiting_action", second, 1)}
    assert adapter.approve_claim(claims[kept], [first]).ok
    rejected = adapter.reject_claim(claims[refused], [second], "", "worn", [])
    assert rejected.ok and "81" in rejected.message  # no chosen N11 reason: the channel's deny_reason_id
    assert sim.claim(kept)["status"] == "APPROVED" and sim.claim(refused)["denyReasonType"] == "81"
    after = {c.claim_id: c.status for c in adapter.list_claims(*window()).items}
    assert after == {kept: "accepted", refused: "rejected"}
    adapter.close()


def test_claim_pages_are_read_to_the_end(sim, adapter, monkeypatch):
    monkeypatch.setattr("mpdash.marketplaces.n11.client.SOAP_PAGE_SIZE", 2)
    monkeypatch.setattr(N11Client.claims, "__defaults__", (0, 2))
    placed, ids = picking_package(sim, adapter, (("P1", 1), ("P2", 1), ("P3", 1)))
    made = sim.request_cancel(placed["packageId"])
    seen, token = [], None
    while True:
        page = adapter.list_cancel_requests(*window(), token)
        seen += [c.claim_id for c in page.items]
        token = page.next_token
        if token is None:
            break
    assert sorted(seen) == sorted(made) and len(made) == 3


def test_the_envelope_carries_the_credentials_and_wrong_ones_are_refused(sim):
    wrong = N11Adapter({**sim.adapter_config(), "app_secret": "nope"}, budget=None)
    with pytest.raises(AuthError, match="app_key and app_secret"):
        wrong.list_cancel_requests(*window())
    wrong.close()
    text = soap.request("ClaimCancelList", {"auth": {"appKey": "k", "appSecret": "s&<"}, "searchData": {"status": "ALL"}})
    name, data = soap.body_of(text)
    assert name == "ClaimCancelListRequest" and data["auth"]["appSecret"] == "s&<"
    with pytest.raises(soap.SoapError, match="DOCTYPE"):
        soap.body_of('<!DOCTYPE x [<!ENTITY a "b">]><x/>')


def test_a_deny_without_reason_and_unknown_claims_are_refused_by_the_simulator(sim, client):
    with pytest.raises(RequestRejected, match="denyReasonId is required"):
        client._soap("claimCancelService", "ClaimCancelDeny", {"claimCancelId": "1"})
    with pytest.raises(RequestRejected, match="claim 999 not found"):
        client.answer_claim("return", "999")
    with pytest.raises(RequestRejected, match="dd/MM/yyyy"):
        client.claims("cancel", "REQUESTED", "2026-01-01", "2026-01-02")


def test_the_shopper_asks_to_cancel_every_nth_order_after_the_delay():
    from mpdash.marketplaces.n11.simulator import serve

    sim = serve(order_rate=50.0, cancel_request_every=2, claim_delay=0.05, rate_limit=0)
    try:
        sim.add_products([{"stockCode": "T1", "quantity": 1000}])
        time.sleep(0.3)
        sim.configure(order_rate=0.0)
        time.sleep(0.1)
        orders = sim.counters()["shopper_orders"]
        requests = [sim.claim(c) for c in sim.state.claims]
        assert orders >= 4 and len(requests) == orders // 2
        assert {r["kind"] for r in requests} == {"cancel"} and {r["status"] for r in requests} == {"REQUESTED"}
    finally:
        sim.stop()


def test_an_invoice_link_goes_by_save_link_seller_invoice(sim, adapter):
    from mpdash.marketplaces.base import OrderUpdate

    placed, _ = picking_package(sim, adapter)
    sent = adapter.send_order_update(OrderUpdate(package_id=placed["packageId"], status="invoiced",
                                                 invoice_number="N1", invoice_link="https://erp.example.com/i/1.pdf"))
    assert sent.ok and "invoice link sent" in sent.message, sent.message
    assert sim.invoice_link(placed["orderNumber"]) == "https://erp.example.com/i/1.pdf"
    plain = adapter.send_order_update(OrderUpdate(package_id=placed["packageId"], status="invoiced",
                                                  invoice_link="http://erp.example.com/i/2.pdf"))
    assert not plain.ok and "https" in plain.message
    assert sim.invoice_link(placed["orderNumber"]) == "https://erp.example.com/i/1.pdf"


def test_a_barcode_under_another_seller_code_is_refused_until_that_code_is_deleted(sim, adapter):
    from .conftest import wait_done
    from .test_adapter import record

    sim.add_products([{"stockCode": "OLD-1", "barcode": "8691234"}])
    sent = adapter.send_products([record("NEW-1", barcode="8691234")])
    [result] = wait_done(adapter, "product", sent.remote_id).results
    assert not result.ok and "listed with OLD-1 seller code" in result.message
    assert adapter.clashing_seller_code(result.message.split(" | ")) == "OLD-1"
    assert adapter.clashing_seller_code(["Renk attribute is required"]) is None
    assert adapter.delete_seller_code("OLD-1").ok and sim.product("OLD-1") is None
    gone = adapter.delete_seller_code("OLD-1")
    assert not gone.ok and "no product with seller code" in gone.message
    again = adapter.send_products([record("NEW-1", barcode="8691234")])
    assert wait_done(adapter, "product", again.remote_id).results[0].ok
