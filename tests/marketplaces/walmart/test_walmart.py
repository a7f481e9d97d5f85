"""The Walmart adapter against its simulator over real HTTP: auth and headers, throttling,
stock and prices by PUT or feed, products through MP_ITEM feeds, orders, returns."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from mpdash.marketplaces import registry
from mpdash.marketplaces.auth import MemoryTokenStore
from mpdash.marketplaces.base import (
    PENDING_APPROVAL,
    REJECTED,
    AttributeChoice,
    OrderUpdate,
    PriceRecord,
    ProductRecord,
    StockRecord,
)
from mpdash.marketplaces.errors import RateLimited
from mpdash.marketplaces.ratelimit import CallBudget, RateSpec
from mpdash.marketplaces.walmart.adapter import WalmartAdapter, po_status
from mpdash.marketplaces.walmart.models import ItemIngestion, PurchaseOrder

from .conftest import Recorder, settle

WINDOW = (datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=1))



def test_registered_with_simulator_and_demo():
    assert registry.adapter_class("walmart") is WalmartAdapter
    assert registry.simulator_factory("walmart") and registry.demo("walmart").slug == "walmart-demo"
    assert "reject_refund" not in {f.name for f in WalmartAdapter.flows}  # Walmart offers no rejection


def test_the_control_api_seeds_places_and_shows_state(sim):
    assert httpx.post(f"{sim.url}/_sim/listings", json=[{"sku": "C1", "price": 9.5, "quantity": 2}]).status_code == 200
    placed = httpx.post(f"{sim.url}/_sim/orders", json={"lines": [["C1", 1]]}).json()
    state = httpx.get(f"{sim.url}/_sim/state").json()
    assert [i["sku"] for i in state["items"]] == ["C1"] and state["items"][0]["publishedStatus"] == "PUBLISHED"
    assert httpx.get(f"{sim.url}/_sim/state", params={"sku": "C1"}).json()["item"]["quantity"] == 1
    assert placed["orderLines"]["orderLine"][0]["item"]["sku"] == "C1"


def test_one_shared_token_with_walmarts_headers_on_every_call_and_one_renewal(sim, adapter_for, caplog):
    sim.put_item("S1")
    store, recorder = MemoryTokenStore(), Recorder()
    first, second = adapter_for(sim, store=store, transport=recorder), adapter_for(sim, store=store)
    caplog.set_level(logging.INFO, "mpdash.marketplaces.walmart")
    first.send_stock([StockRecord("S1", 2)])
    second.send_stock([StockRecord("S1", 3)])
    assert first.client.tokens.fetches + second.client.tokens.fetches == 1  # cached and shared
    sim.expire_tokens()
    first.send_stock([StockRecord("S1", 4)])
    assert first.client.tokens.fetches == 2 and sim.item("S1")["quantity"] == 4
    token_call = recorder.exchanges[0]
    calls = [x for x in recorder.exchanges if x[0].url.path != "/v3/token"]
    assert token_call[0].url.path == "/v3/token" and token_call[0].headers["Authorization"].startswith("Basic ")
    assert b"grant_type=client_credentials" in token_call[0].content and token_call[0].headers["WM_SVC.NAME"]
    ids = [r.headers["WM_QOS.CORRELATION_ID"] for r, _ in recorder.exchanges]
    assert len(set(ids)) == len(ids) and all(uuid.UUID(i) for i in ids)  # a fresh GUID per call
    for request, _ in calls:
        assert request.headers["WM_SVC.NAME"] == "Walmart Marketplace" and request.headers["WM_SEC.ACCESS_TOKEN"]
        assert request.headers["Authorization"].startswith("Basic ")
    assert [r.status_code for _, r in calls] == [200, 401, 200]  # refreshed once on the 401
    assert all(i in caplog.text for i in ids[1:])  # logged with the call


def test_the_simulator_refuses_missing_headers_and_expired_tokens(sim):
    url = f"{sim.url}/v3/items"
    basic = httpx.BasicAuth("sim-client-id", "sim-client-secret")
    answer = httpx.get(url, auth=basic, headers={"WM_QOS.CORRELATION_ID": str(uuid.uuid4())})
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "WM_SVC.NAME"
    headers = {"WM_SVC.NAME": "x", "WM_QOS.CORRELATION_ID": str(uuid.uuid4())}
    token = httpx.post(f"{sim.url}/v3/token", auth=basic, headers=headers,
                       data={"grant_type": "client_credentials"}).json()["access_token"]
    assert httpx.get(url, auth=basic, headers={**headers, "WM_SEC.ACCESS_TOKEN": token}).status_code == 200
    sim.expire_tokens()
    expired = httpx.get(url, auth=basic, headers={**headers, "WM_SEC.ACCESS_TOKEN": token})
    assert expired.status_code == 401 and "expired" in expired.json()["errors"][0]["description"]
    assert httpx.post(f"{sim.url}/v3/token", auth=httpx.BasicAuth("sim-client-id", "wrong"), headers=headers,
                      data={"grant_type": "client_credentials"}).status_code == 401


def test_a_429_and_a_spent_token_count_hold_the_operation_for_every_worker(sim, adapter_for):
    sim.put_item("S1")
    store = MemoryTokenStore()
    one, two = adapter_for(sim, store=store), adapter_for(sim, store=store)
    sim.configure(fault={"mode": "429", "count": 1, "path": "/v3/inventory"})
    with pytest.raises(RateLimited) as caught:
        one.send_stock([StockRecord("S1", 5)])
    assert 0 < caught.value.retry_after <= 1
    with pytest.raises(RateLimited, match="tokens are spent"):  # the other worker waits too, without calling
        two.client.put_inventory("S1", 5)
    held = two.send_stock([StockRecord("S1", 5)])  # a change to send goes as a feed meanwhile
    assert held.remote_id and settle(two, "productstock", held).results[0].ok
    time.sleep(0.3)
    assert two.send_stock([StockRecord("S1", 6)]).results[0].ok  # then by PUT again; nothing failed
    sim.configure(rate_limits=True)
    for n in range(25):  # updateInventoryForAnItem's window: 20 calls, the last answered X-Current-Token-Count 0
        if one.send_stock([StockRecord("S1", n)]).remote_id:
            break
    else:
        raise AssertionError("the spent token count did not hold the operation")
    with pytest.raises(RateLimited) as caught:
        one.client.put_inventory("S1", 1)
    assert caught.value.retry_after > 1


def test_a_few_changes_go_by_put_and_many_by_feed_with_per_item_status(sim, adapter_for):
    adapter = adapter_for(sim)
    for n in range(8):
        sim.put_item(f"S{n}", price=5)
    few = adapter.send_prices([PriceRecord("S0", Decimal("7.50"), currency="USD"),
                               PriceRecord("GONE", Decimal("1"), currency="USD")])
    assert few.remote_id is None and [r.ok for r in few.results] == [True, False]
    assert "GONE" in few.results[1].message and sim.item("S0")["price"] == 7.5
    many = adapter.send_stock([StockRecord(f"S{n}", n) for n in range(8)] + [StockRecord("GONE", 1)])
    assert many.remote_id and many.results is None
    results = settle(adapter, "productstock", many).results
    assert [r.ok for r in results] == [True] * 8 + [False]
    assert "DATA_ERROR" in results[-1].message or "not an item" in results[-1].message
    assert [sim.item(f"S{n}")["quantity"] for n in range(8)] == list(range(8))


def test_a_spent_put_budget_sends_the_few_changes_as_a_feed(sim, adapter_for, monkeypatch):
    monkeypatch.setenv("MPDASH_CALL_BUDGET_SCALE", "1")
    adapter = adapter_for(sim)
    sim.put_item("S1", price=5)
    adapter.client.budgets = {"updatePrice": CallBudget(f"walmart-test:{uuid.uuid4()}", [RateSpec(1, 60)], url="memory://")}
    assert adapter.send_prices([PriceRecord("S1", Decimal("6"), currency="USD")]).remote_id is None  # the one PUT
    by_feed = adapter.send_prices([PriceRecord("S1", Decimal("7"), currency="USD")])
    assert by_feed.remote_id and settle(adapter, "productprice", by_feed).results[0].ok
    assert [h["value"] for h in sim.history("S1")] == [6.0, 7.0]


def test_feeds_over_the_size_are_refused_before_sending_and_by_the_simulator(sim, adapter_for, monkeypatch):
    adapter = adapter_for(sim)
    monkeypatch.setattr("mpdash.marketplaces.walmart.adapter.FEED_MAX_BYTES", 200)
    with pytest.raises(ValueError, match="under 200"):
        adapter.send_stock([StockRecord(f"SKU-{n}", n) for n in range(20)])
    sim.configure(max_feed_bytes=100)
    with pytest.raises(Exception, match="must be under 100 bytes"):
        adapter.client.submit_feed("inventory", b'{"InventoryHeader":{"version":"1.4"},"Inventory":[' + b" " * 200 + b"]}")


def test_ingestion_statuses_become_each_records_result():
    found = [ItemIngestion.model_validate({"sku": s, "ingestionStatus": st, "ingestionErrors": {"ingestionError": [
        {"type": st, "code": "E1", "description": f"{s} bad"}] if st != "SUCCESS" else []}})
        for s, st in (("A", "SUCCESS"), ("B", "DATA_ERROR"), ("C", "SYSTEM_ERROR"), ("D", "TIMEOUT_ERROR"))]
    results = WalmartAdapter.item_results("product", found, ["A", "B", "C", "D", "E"])
    assert [(r.ok, r.state) for r in results] == [(True, PENDING_APPROVAL), (False, REJECTED), (False, "failed"),
                                                  (False, "failed"), (False, REJECTED)]
    assert "B bad" in results[1].message and "not mention" in results[4].message


def test_catalog_tree_attributes_and_an_mp_item_feed(sim, adapter_for):
    adapter = adapter_for(sim)
    tree = list(adapter.fetch_categories(["Clothing"]))
    assert [(c.remote_id, c.parent_id, c.is_leaf) for c in tree][:2] == [("Clothing", None, False),
                                                                        ("Clothing/clothing_other", "Clothing", True)]
    attributes = {a.remote_id: a for a in adapter.fetch_attributes("Clothing/dresses")}
    assert attributes["color"].required and "Red" in [v.remote_id for v in attributes["color"].values]
    assert attributes["fabricContent"].multi_value and "mainImageUrl" not in attributes
    base = {"productName": "Dress", "brand": "B", "productId": "0869000000017", "price": Decimal("20"),
            "mainImageUrl": ["https://img.invalid/1.jpg"]}
    good = ProductRecord("P1", "Clothing/dresses", base, [AttributeChoice("color", "Color", ["Red"]),
                                                         AttributeChoice("clothingSize", "Size", custom_value="M")])
    bad = ProductRecord("P2", "Clothing/dresses", base, [AttributeChoice("color", "Color", ["Pink"])])
    assert adapter.check_product(good) == [] and adapter.check_product(
        ProductRecord("P3", "Clothing", {**base, "productId": "12"})) != []
    sim.refuse("P1", "Images do not match the product")
    refused = settle(adapter, "product", adapter.send_products([good, bad])).results
    assert [(r.ok, r.state) for r in refused] == [(False, REJECTED), (False, REJECTED)]
    assert "Images do not match" in refused[0].message and "clothingSize" in refused[1].message
    sim.refuse("P1", "")
    [ok] = settle(adapter, "product", adapter.send_products([good])).results
    assert ok.ok and ok.state == PENDING_APPROVAL
    assert adapter.product_statuses(["P1"])["P1"].state == PENDING_APPROVAL
    time.sleep(0.25)
    assert adapter.product_statuses(["P1", "NO"]) == {
        "P1": adapter.product_statuses(["P1"])["P1"], "NO": adapter.product_statuses(["NO"])["NO"]}
    assert adapter.product_statuses(["P1"])["P1"].state == "on_sale"
    assert adapter.delete_products([StockRecord("P1", 0)]).results[0].ok
    assert adapter.product_statuses(["P1"])["P1"].state == "not_found" and sim.item("P1")["lifecycleStatus"] == "RETIRED"
    assert {x.sku for x in adapter.list_listings()} == {"P1"}


def test_orders_page_by_cursor_are_acknowledged_shipped_per_line_and_cancelled(sim, adapter_for, monkeypatch):
    adapter = adapter_for(sim)
    monkeypatch.setattr(WalmartAdapter, "orders_page_size", 2)
    for sku in ("A", "B"):
        sim.put_item(sku, quantity=10, price=20)
    placed = [sim.place_order([("A", 2), ("B", 1)], shopper=n) for n in range(3)]
    orders, token = [], None
    while True:
        page = adapter.list_orders(*WINDOW, token)
        orders += page.items
        token = page.next_token
        if not token:
            break
    assert [o.package_id for o in orders] == [p["purchaseOrderId"] for p in placed]
    order = orders[0]
    assert order.currency == "USD" and order.amount == Decimal("60.00") and order.status == "created"
    assert order.shipping_address.country == "US" and order.shipping_address.township == ""
    assert [(ln.line_id, ln.sku, ln.quantity, ln.price) for ln in order.lines] == [("1", "A", 2, Decimal("20.00")),
                                                                                   ("2", "B", 1, Decimal("20.00"))]
    adapter.prepare_packages(orders)
    po = order.package_id
    assert {s["status"] for ln in sim.order(po)["orderLines"]["orderLine"]
            for s in ln["orderLineStatuses"]["orderLineStatus"]} == {"Acknowledged"}
    shipped = adapter.send_order_update(OrderUpdate(po, "shipped", [("1", 2)], tracking_number="1Z9",
                                                    cargo_company="fedex", tracking_url="https://t.invalid/1Z9"))
    assert shipped.ok
    line = sim.order(po)["orderLines"]["orderLine"][0]["orderLineStatuses"]["orderLineStatus"][0]
    assert line["trackingInfo"]["carrierName"] == {"carrier": "FedEx"} and line["trackingInfo"]["trackingURL"]
    assert po_status(PurchaseOrder.model_validate(sim.order(po))) == "picking"  # a split: one line shipped
    again = adapter.send_order_update(OrderUpdate(po, "shipped", [("1", 2)], tracking_number="1Z9"))
    assert again.ok and "nothing left" in again.message
    assert adapter.cancel_lines(po, [("2", 1)], "not-a-walmart-code").ok
    status = sim.order(po)["orderLines"]["orderLine"][1]["orderLineStatuses"]["orderLineStatus"][0]
    assert status == {"status": "Cancelled", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"},
                      "cancellationReason": "SELLER_CANCEL_OUT_OF_STOCK"}
    [cancel] = adapter.list_cancellations(*WINDOW).items
    assert cancel.package_id == po and cancel.line_ids == ["2"]
    assert not adapter.cancel_lines(po, [("2", 1)], "").ok  # nothing left to cancel
    assert [o.status for o in adapter.list_updated_orders(*WINDOW).items] == ["shipped"]


def test_returns_are_refund_requests_approved_by_refunding(sim, adapter_for):
    adapter = adapter_for(sim)
    sim.put_item("A", quantity=5, price=30)
    po = sim.place_order([("A", 1)])["purchaseOrderId"]
    ret = sim.open_return(po, "A")
    [claim] = adapter.list_claims(*WINDOW).items
    assert (claim.claim_id, claim.package_id, claim.status) == (ret["returnOrderId"], po, "waiting_action")
    assert [(ln.line_id, ln.sku, ln.quantity) for ln in claim.lines] == [("1", "A", 1)]
    assert adapter.approve_claim(claim, ["1"]).ok
    assert sim.return_order(claim.claim_id)["returnOrderLines"][0]["currentRefundStatus"] == "REFUND_COMPLETED"
    assert adapter.list_claims(*WINDOW).items[0].status == "accepted"
    refused = adapter.reject_claim(claim, [], "", "", [])
    assert not refused.ok and "no rejection" in refused.message
