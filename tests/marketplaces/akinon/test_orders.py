"""Packages by update time, items, status codes, shipping with tracking and invoice, seller
cancellations with reasons, claims with approve and reject, over HTTP to the simulator."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from mpdash.marketplaces.akinon.adapter import FashfedAdapter
from mpdash.marketplaces.akinon.simulator.state import CANCEL_REASONS
from mpdash.marketplaces.base import OrderUpdate


@pytest.fixture
def adapter(sim):
    sim.add_offer("A", stock=50, price="100.00")
    sim.add_offer("B", stock=50, price="40.00")
    return FashfedAdapter({**sim.adapter_config(), "send_shipping_info": True,
                           "seller_cancel_reason": next(iter(CANCEL_REASONS)), "reject_item_reason": "Damaged"})


def window():
    now = datetime.now(UTC)
    return now - timedelta(hours=1), now + timedelta(minutes=1)


def every(listing, *window_):
    items, token = [], None
    while True:
        page = listing(*window_, token)
        items += page.items
        if page.next_token is None:
            return items
        token = page.next_token


def test_orders_by_update_time_over_pages_with_items(sim, adapter, monkeypatch):
    placed = [sim.place_order([("A", 2), ("B", 1)], shopper=n) for n in range(7)]
    monkeypatch.setattr(adapter, "orders_page_size", 3)
    orders = every(adapter.list_orders, *window())
    assert sorted(o.package_id for o in orders) == sorted(p["number"] for p in placed)  # once each, over 3 pages
    first = next(o for o in orders if o.package_id == placed[0]["number"])
    assert first.status == "created" and [(x.sku, x.quantity) for x in first.lines] == [("A", 2), ("B", 1)]
    ids = [i["id"] for i in placed[0]["items"]]
    assert [x.line_id for x in first.lines] == [f"{ids[0]},{ids[1]}", ids[2]] and str(first.amount) == "240.00"
    assert first.shipping_address.city and first.customer_email
    later = datetime.now(UTC) + timedelta(hours=2)
    assert every(adapter.list_orders, later, later + timedelta(hours=1)) == []


def test_a_window_ends_exactly_where_the_next_begins(sim, adapter):
    """Windows are [start, end) to the microsecond: a package changed a moment before the
    end is in, one at the end is in the next window, never in both (the flake this pins: a
    package placed within the last millisecond before a run's window end was left out)."""
    placed = sim.place_order([("A", 1)])["number"]
    at = datetime.fromisoformat(sim.package(placed)["updated_at"].replace("Z", "+00:00"))
    with sim.state.current():
        exact = sim.state.package(placed)["_updated_at"]
    start = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=round(exact * 1_000_000))  # as kept
    end = start + timedelta(microseconds=1)
    assert end - at < timedelta(milliseconds=1) + timedelta(microseconds=1)  # within the end's millisecond
    assert [o.package_id for o in every(adapter.list_orders, end - timedelta(hours=1), end)] == [placed]
    assert every(adapter.list_orders, end, end + timedelta(hours=1)) == []
    assert every(adapter.list_orders, start - timedelta(hours=1), start - timedelta(microseconds=1)) == []


def test_ship_with_tracking_and_invoice_then_delivered(sim, adapter):
    number = sim.place_order([("A", 1)])["number"]
    missing = adapter.send_order_update(OrderUpdate(number, "shipped"))
    assert not missing.ok and "tracking number" in missing.message
    done = adapter.send_order_update(OrderUpdate(number, "shipped", invoice_number="INV-1", tracking_number="TRK-9",
                                                 tracking_url="https://track.example/TRK-9", cargo_company="yurtici"))
    assert done.ok, done.message
    package = sim.package(number)
    assert package["status"] == 4 and package["tracking_number"] == "TRK-9" and package["invoice_number"] == "INV-1"
    assert [o.package_id for o in every(adapter.list_updated_orders, *window())] == [number]
    again = adapter.send_order_update(OrderUpdate(number, "picking"))  # never sent back: already further
    assert again.ok and "is shipped there already" in again.message and sim.package(number)["status"] == 4
    back = httpx.patch(f"{sim.url}/api/i2/packages/{number}/", json={"status": 2}, headers={"Authorization": "demo-api-key"})
    assert back.status_code == 400 and back.json()["code"] == "invalid_status_transition"
    assert adapter.send_order_update(OrderUpdate(number, "delivered", tracking_number="TRK-9")).ok
    assert sim.package(number)["status"] == 5


def test_seller_cancels_units_of_a_line_with_its_reason(sim, adapter):
    placed = sim.place_order([("A", 2), ("B", 1)])
    (line_a, line_b) = every(adapter.list_orders, *window())[0].lines
    too_many = adapter.cancel_lines(placed["number"], [(line_a.line_id, 3)], "")
    assert not too_many.ok and "has 2 live unit(s), not 3" in too_many.message
    result = adapter.cancel_lines(placed["number"], [(line_a.line_id, 1)], "")
    assert result.ok, result.message
    item = placed["items"][0]["id"]
    items = {i["id"]: i["status"] for i in sim.package_items(placed["number"])}
    assert items[item] == 6 and list(items.values()).count(6) == 1
    claim = next(c for c in sim.claims() if c["package_item"] == item)
    assert claim["type"] == "cancel" and claim["cancelled_by"] == 2 and claim["reason"]["id"] in CANCEL_REASONS
    after = every(adapter.list_orders, *window())[0].lines
    assert [(x.line_id, x.quantity) for x in after] == [(line_a.line_id, 1), (line_b.line_id, 1)]
    bad = adapter.cancel_lines(placed["number"], [(placed["items"][1]["id"], 1)], "00000000-0000-0000-0000-000000000000")
    assert not bad.ok and "is not a cancellation reason" in bad.message
    bare = FashfedAdapter(sim.adapter_config()).cancel_lines(placed["number"], [(placed["items"][1]["id"], 1)], "7")
    assert not bare.ok and "cancellation_reason_mapping or set seller_cancel_reason" in bare.message
    assert every(adapter.list_cancellations, *window()) == []  # the seller's own cancellation is not read back


def test_customer_cancellation_arrives(sim, adapter):
    placed = sim.place_order([("A", 1)])
    sim.customer_cancel(placed["number"])
    (cancel,) = every(adapter.list_cancellations, *window())
    assert cancel.package_id == placed["number"] and cancel.line_ids == [placed["items"][0]["id"]]  # a line of one unit
    assert sim.package(placed["number"])["status"] == 6


def test_refund_claims_approve_and_reject(sim, adapter):
    placed = sim.place_order([("A", 2)])
    sim.set_status(placed["number"], 5)
    first = sim.open_refund(placed["items"][0]["id"])["id"]
    second = sim.open_refund(placed["items"][1]["id"])["id"]
    claims = {c.claim_id: c for c in every(adapter.list_claims, *window())}
    assert set(claims) == {first, second} and claims[first].status == "waiting_action"
    assert claims[first].lines[0].line_id == ",".join(i["id"] for i in placed["items"])  # the line of both units
    assert adapter.approve_claim(claims[first], []).ok
    rejected = adapter.reject_claim(claims[second], [], "", "", [])
    assert rejected.ok and sim.claim(second)["status"] == "rejected" and sim.claim(second)["decision_reason"] == "Damaged"
    again = adapter.approve_claim(claims[second], [])
    assert not again.ok and "claim_not_open" in again.message
    assert {c.claim_id: c.status for c in every(adapter.list_claims, *window())} == {first: "accepted",
                                                                                    second: "rejected"}
