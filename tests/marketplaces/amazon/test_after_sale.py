"""Amazon after the first read: changes sent by count and budget, listings deleted, the
reconciliation's listings (searchListingsItems), delivered orders (Orders 2026-01-01) and
returns (the Reports API's returns report) against the simulator; the new answers checked
against Amazon's official models (the Reports API's model is not among the shared specs, so
createReport's body and the report's columns are not checked against one)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import jsonschema
import pytest

from mpdash.marketplaces.amazon import inbound
from mpdash.marketplaces.amazon.catalog import listing
from mpdash.marketplaces.amazon.models import ListingsPage, SearchOrdersPage
from mpdash.marketplaces.base import OrderUpdate, StockRecord
from mpdash.marketplaces.errors import RateLimited

from .conftest import memory_budgets, spec
from .test_amazon import wait_feed

def window():
    return datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(minutes=1)


def recording(adapter) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    adapter.client._client.event_hooks["request"] = [lambda r: calls.append((r.method, r.url.path))]
    return calls


# --- sending by count and budget ------------------------------------------------------------
def test_while_the_feed_budget_has_no_slot_a_few_dozen_changes_go_by_patches(sim, adapter_for, monkeypatch):
    monkeypatch.setenv("MPDASH_CALL_BUDGET_SCALE", "1")  # Amazon's documented figures
    for n in range(60):
        sim.put_listing(f"F{n}", quantity=1)
    adapter = adapter_for(sim, budgets=memory_budgets("feed-busy"))
    adapter.client.budget_max_wait = 0.0
    adapter.client.take("createFeed")  # this minute's feed (one a minute: FEED_PACE_SECONDS)
    with pytest.raises(RateLimited) as paced:
        adapter.client.take("createFeed")
    assert paced.value.retry_after == 60.0
    calls = recording(adapter)
    adapter.client.budget_max_wait = 3.0  # patches wait for their own slots (5/s, burst 5: the 6th waits about a second)
    sent = adapter.send_stock([StockRecord(f"F{n}", 7) for n in range(12)])
    assert sent.remote_id is None and all(r.ok for r in sent.results) and len(sent.results) == 12
    assert {sim.listing(f"F{n}")["quantity"] for n in range(12)} == {7}
    assert not [c for c in calls if c[1].startswith("/feeds")]
    adapter.client.budget_max_wait = 0.0
    with pytest.raises(RateLimited, match="createFeed"):  # too many for patches: they wait for a feed slot
        adapter.send_stock([StockRecord(f"F{n}", 8) for n in range(60)])
    assert not [c for c in calls if c[1].startswith("/feeds")] and sim.listing("F20")["quantity"] == 1


def test_a_feed_takes_its_slot_before_anything_is_uploaded(sim, adapter_for):
    for n in range(8):
        sim.put_listing(f"G{n}", quantity=1)
    adapter = adapter_for(sim)
    calls = recording(adapter)
    sent = adapter.send_stock([StockRecord(f"G{n}", 4) for n in range(8)])
    assert sent.remote_id and [c for c in calls if c[0] == "POST"] == [
        ("POST", "/feeds/2021-06-30/documents"), ("POST", "/feeds/2021-06-30/feeds")]
    assert all(r.ok for r in wait_feed(adapter, "productstock", sent.remote_id, list(sent.sent)).results)


def test_delete_listing_removes_it_by_delete_call_or_feed(sim, adapter_for):
    for n in range(9):
        sim.put_listing(f"D{n}", quantity=3)
    zero = adapter_for(sim)
    assert all(r.ok for r in zero.delete_products([StockRecord("D0", 3)]).results)
    assert sim.listing("D0")["quantity"] == 0  # the seed's meaning: stock to zero, the listing stays
    adapter = adapter_for(sim, delete_listing=True)
    few = adapter.delete_products([StockRecord("D1", 0), StockRecord("D1", 0), StockRecord("GONE", 0)])
    assert [r.ok for r in few.results] == [True, True] and sim.listing("D1") is None
    many = adapter.delete_products([StockRecord(f"D{n}", 0) for n in range(2, 9)])
    document = json.loads(sim.state.documents[sorted(sim.state.documents)[-1]]["content"])
    assert {m["operationType"] for m in document["messages"]} == {"DELETE"}
    jsonschema.Draft7Validator(spec("listings-feed-schema-v2.json")).validate(document)
    assert all(r.ok for r in wait_feed(adapter, "product_delete", many.remote_id, list(many.sent)).results)
    assert all(sim.listing(f"D{n}") is None for n in range(2, 9))


# --- reconciliation -----------------------------------------------------------------------------
def test_listings_are_read_page_by_page_for_the_reconciliation(sim, adapter_for):
    for n in range(45):
        sim.put_listing(f"L{n:02d}", quantity=n % 3, price=10 + n)
    adapter = adapter_for(sim, buffer_stock=1)
    calls = recording(adapter)
    found = {item.sku: item for item in adapter.list_listings()}
    assert len(found) == 45 and len([c for c in calls if c[1].endswith("/A3SIMSELLER0001")]) == 3  # 20 a page
    assert (found["L04"].price, found["L04"].stock, found["L04"].on_sale) == (Decimal("14.0"), 1, True)
    assert found["L03"].stock == 0 and not found["L03"].on_sale  # DISCOVERABLE only: not buyable
    assert found["L04"].remote_sku.startswith("B0")


# --- delivered ----------------------------------------------------------------------------------
def test_a_delivered_package_makes_the_order_delivered(sim, adapter_for):
    sim.put_listing("V", quantity=9, price=20)
    placed = sim.place_order([("V", 2)])
    adapter = adapter_for(sim)
    order = adapter.list_orders(*window()).items[0]
    assert adapter.send_order_update(OrderUpdate(order.package_id, "shipped", [(order.lines[0].line_id, 2)],
                                                 cargo_company="UPS", tracking_number="1ZV")).ok
    shipped = adapter.list_updated_orders(*window()).items
    assert [(o.package_id, o.status, o.tracking_number) for o in shipped] == [(placed["AmazonOrderId"], "shipped", "1ZV")]
    sim.deliver(placed["AmazonOrderId"])
    delivered, = adapter.list_updated_orders(*window()).items
    assert delivered.status == "delivered" and delivered.lines[0].sku == "V" and delivered.lines[0].price == Decimal("20.00")
    assert delivered.shipping_address.country == "US" and delivered.currency == "USD"


# --- returns ----------------------------------------------------------------------------------
def test_returns_come_from_the_returns_report_as_claims_waiting_for_the_seller(sim, adapter_for):
    sim.put_listing("R1", quantity=9)
    sim.put_listing("R2", quantity=9)
    placed = sim.place_order([("R1", 1), ("R2", 2)])
    order_id = placed["AmazonOrderId"]
    rma = sim.open_return(order_id, "R2", quantity=1, reason="CR-DEFECTIVE")
    adapter = adapter_for(sim)
    claim, = adapter.list_claims(*window()).items
    items = {i["SellerSKU"]: i["OrderItemId"] for i in sim.order(order_id)["items"]}
    assert (claim.claim_id, claim.package_id, claim.status) == (rma, order_id, "waiting_action")
    assert [(ln.line_id, ln.sku, ln.quantity, ln.reason_code) for ln in claim.lines] == [
        (items["R2"], "R2", 1, "CR-DEFECTIVE")]


def test_a_report_not_ready_is_a_wait_and_the_next_run_reads_the_same_report(sim, adapter_for):
    sim.put_listing("W", quantity=9)
    placed = sim.place_order([("W", 1)])
    sim.open_return(placed["AmazonOrderId"], "W")
    sim.configure(processing_delay=0.6)
    adapter = adapter_for(sim)
    adapter.report_wait = 0.0
    calls = recording(adapter)
    start, end = window()
    with pytest.raises(RateLimited, match="still preparing"):
        adapter.list_claims(start, end)
    time.sleep(0.7)
    assert len(adapter.list_claims(start, end + timedelta(seconds=30)).items) == 1
    assert calls.count(("POST", "/reports/2021-06-30/reports")) == 1
    adapter.report_wait = 5.0
    # A window after the return (the report's dates are whole seconds): CANCELLED, no data.
    time.sleep(1.5)
    later = datetime.now(UTC) - timedelta(seconds=0.2)  # two seconds after the return, at least
    assert adapter.list_claims(later, later + timedelta(minutes=1)).items == []


# --- Amazon's own models -------------------------------------------------------------------------
def validator(model: str, name: str):
    document = spec(model)
    return jsonschema.Draft7Validator({"$ref": f"#/definitions/{name}", "definitions": document["definitions"]})


def test_simulator_answers_match_the_models_and_the_models_examples_parse(sim, adapter_for):
    for n in range(3):
        sim.put_listing(f"M{n}", quantity=2)
    placed = sim.place_order([("M0", 1)])
    adapter = adapter_for(sim)
    order = adapter.list_orders(*window()).items[0]
    adapter.send_order_update(OrderUpdate(order.package_id, "shipped", [(order.lines[0].line_id, 1)],
                                          cargo_company="UPS", tracking_number="1ZM"))
    sim.deliver(placed["AmazonOrderId"])
    token = adapter.client.credentials.provider.token()
    search = httpx.get(f"{sim.url}/listings/2021-08-01/items/A3SIMSELLER0001", headers={"x-amz-access-token": token},
                       params={"marketplaceIds": "ATVPDKIKX0DER", "pageSize": 2}).json()
    orders = httpx.get(f"{sim.url}/orders/2026-01-01/orders", headers={"x-amz-access-token": token},
                       params={"marketplaceIds": "ATVPDKIKX0DER", "lastUpdatedAfter": "2020-01-01T00:00:00Z"}).json()
    deleted = httpx.delete(f"{sim.url}/listings/2021-08-01/items/A3SIMSELLER0001/M2",
                           headers={"x-amz-access-token": token}, params={"marketplaceIds": "ATVPDKIKX0DER"}).json()
    item = httpx.get(f"{sim.url}/listings/2021-08-01/items/A3SIMSELLER0001/M1", headers={"x-amz-access-token": token},
                     params={"marketplaceIds": "ATVPDKIKX0DER"}).json()
    for model, name, answer in (("listingsItems_2021-08-01.json", "ItemSearchResults", search),
                                ("listingsItems_2021-08-01.json", "Item", item),
                                ("listingsItems_2021-08-01.json", "ListingsItemSubmissionResponse", deleted),
                                ("orders_2026-01-01.json", "SearchOrdersResponse", orders)):
        errors = list(validator(model, name).iter_errors(answer))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert list(validator("orders_2026-01-01.json", "SearchOrdersResponse").iter_errors({"orders": [{}]}))

    # The models' own examples through the parsers.
    example = spec("orders_2026-01-01.json")["paths"]["/orders/2026-01-01/orders"]["get"]["responses"]["200"][
        "examples"]["application/json"]
    remote = inbound.remote_order(SearchOrdersPage.model_validate(example).orders[0], "USD")
    assert remote.status == "delivered" and remote.tracking_number == "1Z999AA1234567890"
    assert remote.lines[0].sku == "ECHO-DOT-4-CHARCOAL" and remote.shipping_address.city == "Seattle"
    assert remote.shipping_address.region == "WA"  # StateOrRegion, kept apart from the city
    listings = spec("listingsItems_2021-08-01.json")["paths"]["/listings/2021-08-01/items/{sellerId}"]["get"]
    static = listings["responses"]["200"].get("x-amzn-api-sandbox", {}).get("static", [])
    parsed = [listing(item) for case in static for item in ListingsPage.model_validate(case["response"]).items]
    assert parsed and all(p.sku for p in parsed)


def test_the_simulators_carrier_delivers_and_every_nth_delivered_order_comes_back(sim, adapter_for):
    sim.put_listing("N", quantity=9)
    sim.configure(delivery_delay=0.2, return_every=2)
    adapter = adapter_for(sim)
    for _ in range(2):
        placed = sim.place_order([("N", 1)])
        line = sim.order(placed["AmazonOrderId"])["items"][0]["OrderItemId"]
        assert adapter.send_order_update(OrderUpdate(placed["AmazonOrderId"], "shipped", [(line, 1)],
                                                     cargo_company="UPS", tracking_number=f"1Z{line}")).ok
    time.sleep(0.3)
    assert {o.status for o in adapter.list_updated_orders(*window()).items} == {"delivered"}
    claim, = adapter.list_claims(*window()).items
    assert claim.package_id == placed["AmazonOrderId"] and claim.lines[0].sku == "N"


def test_create_feed_holds_its_bucket_the_feed_types_limit_and_the_pace():
    from mpdash.marketplaces.amazon.client import operation_budgets

    specs = [(s.calls, round(s.per_seconds)) for s in operation_budgets("pace")["createFeed"].specs]
    assert specs == [(15, 1807), (5, 300), (1, 60)]  # 0.0083/s burst 15; 5 per 5 minutes; one a minute


def test_returns_come_20_a_page_from_one_report(sim, adapter_for):
    sim.put_listing("P", quantity=99)
    for n in range(25):
        sim.open_return(sim.place_order([("P", 1)], shopper=n)["AmazonOrderId"], "P")
    adapter = adapter_for(sim)
    calls = recording(adapter)
    start, end = window()
    first = adapter.list_claims(start, end)
    second = adapter.list_claims(start, end, first.next_token)
    assert (len(first.items), len(second.items), second.next_token) == (20, 5, None)
    assert len({c.claim_id for c in first.items + second.items}) == 25
    assert calls.count(("POST", "/reports/2021-06-30/reports")) == 1
    assert len([c for c in calls if c[1].startswith("/reports/2021-06-30/documents/")]) == 1
