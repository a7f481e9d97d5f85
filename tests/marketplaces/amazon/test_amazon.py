"""Amazon end to end against the simulator: auth, regions, budgets, stock and prices by patch and
by JSON_LISTINGS_FEED, orders in and shipments out, and what the simulator refuses."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from mpdash.marketplaces.amazon.adapter import AmazonAdapter, region_of
from mpdash.marketplaces.base import OrderUpdate, PriceRecord, StockRecord
from mpdash.marketplaces.errors import AuthError, ConfigError, RateLimited

from .conftest import memory_budgets


def wait_feed(adapter, kind, feed_id, skus, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = adapter.poll(kind, feed_id, skus)
        if status.done:
            return status
        time.sleep(0.1)
    raise AssertionError(f"feed {feed_id} not done in {timeout} s")


# --- (1) auth, regions, budgets ---------------------------------------------------------------
def test_regions_and_marketplace_checks(sim, adapter_for):
    assert region_of("eu-west-1") == "EU" and region_of("na") == "NA" and region_of("us-west-2") == "FE"
    with pytest.raises(ConfigError, match="region 'mars'"):
        region_of("mars")
    with pytest.raises(ConfigError, match="A33AVAJ2PDY3EV .TR. is served from the EU region"):
        adapter_for(sim, region="NA", marketplace_id="A33AVAJ2PDY3EV")
    adapter = adapter_for(sim, region="eu-west-1", marketplace_id="A33AVAJ2PDY3EV")
    assert adapter.currency == "TRY" and adapter.region == "EU"


def test_token_from_lwa_sent_as_header_and_renewed_once_when_expired(sim, adapter_for):
    sim.put_listing("SKU-1", quantity=1)
    adapter = adapter_for(sim)
    seen = []
    sim_headers = adapter.client._client.event_hooks
    sim_headers["request"] = [lambda request: seen.append(request.headers.get("x-amz-access-token"))]
    assert adapter.send_stock([StockRecord("SKU-1", 4)]).results[0].ok
    assert seen[0].startswith("Atza|") and adapter.client.credentials.provider.fetches == 1
    sim.expire_tokens()
    assert adapter.send_stock([StockRecord("SKU-1", 5)]).results[0].ok
    assert adapter.client.credentials.provider.fetches == 2  # one renewal after Amazon's 403 "expired"
    assert sim.listing("SKU-1")["quantity"] == 5


def test_wrong_refresh_token_is_an_auth_error_without_the_secret(sim, adapter_for):
    adapter = adapter_for(sim, refresh_token="Atzr|wrong-one")
    with pytest.raises(AuthError) as caught:
        adapter.send_stock([StockRecord("SKU-1", 1)])
    assert "refresh token" in str(caught.value) and "wrong-one" not in str(caught.value)


def test_an_empty_bucket_waits_and_a_429_is_rate_limited_never_a_failed_record(adapter_for, monkeypatch):
    sim = __import__("mpdash.marketplaces.amazon.simulator", fromlist=["serve"]).serve(
        processing_delay=0.1, rate_limits=True)
    try:
        for n in range(6):
            sim.put_listing(f"S{n}", quantity=1)
        adapter = adapter_for(sim)  # no budgets of our own: the simulator's bucket (burst 5) answers 429
        adapter.patch_at_most = 6
        with pytest.raises(RateLimited) as caught:
            adapter.send_stock([StockRecord(f"S{n}", 2) for n in range(6)])
        assert caught.value.retry_after == pytest.approx(0.2)  # patchListingsItem refills at 5/s
        # Our own buckets: with one slot of the burst of 5 used, five patches wait before anything is sent.
        monkeypatch.setenv("MPDASH_CALL_BUDGET_SCALE", "1")  # Amazon's documented figures
        budgets = memory_budgets("bucket-test")
        limited = adapter_for(sim, budgets=budgets)
        limited.client.budget_max_wait = 0.0
        limited.client.take("patchListingsItem")
        sim.configure(rate_limits=False)  # only our own bucket can refuse now
        with pytest.raises(RateLimited, match="patchListingsItem budget is spent"):
            limited.send_stock([StockRecord(f"S{n}", 3) for n in range(5)])
        assert all(sim.listing(f"S{n}")["quantity"] != 3 for n in range(5))
    finally:
        sim.stop()


# --- (2) stock and price ----------------------------------------------------------------------
def test_a_handful_of_changes_go_by_patch_with_issues_per_sku(sim, adapter_for):
    sim.put_listing("A", quantity=1)
    sim.put_listing("B", quantity=1, refuse="'[batteries_required]' is required but not supplied.")
    adapter = adapter_for(sim, buffer_stock=2)
    submission = adapter.send_stock([StockRecord("A", 7), StockRecord("B", 7), StockRecord("NOPE", 1)])
    assert submission.remote_id is None
    by_sku = {r.sku: r for r in submission.results}
    assert by_sku["A"].ok and sim.listing("A")["quantity"] == 5
    assert not by_sku["B"].ok and "batteries_required" in by_sku["B"].message
    assert not by_sku["NOPE"].ok and "not a listing" in by_sku["NOPE"].message


def test_many_changes_go_by_feed_and_the_report_maps_back_by_message_id(sim, adapter_for):
    for n in range(12):
        sim.put_listing(f"K{n}", quantity=0, price=5)
    sim.refuse("K3", "'[supplier_declared_dg_hz_regulation]' is required but not supplied.")
    adapter = adapter_for(sim)
    records = [PriceRecord(f"K{n}", Decimal("19.90") + n) for n in range(12)]
    submission = adapter.send_prices(records)
    assert submission.remote_id and submission.results is None
    status = wait_feed(adapter, "productprice", submission.remote_id, list(submission.sent))
    by_sku = {r.sku: r for r in status.results}
    assert len(by_sku) == 12 and not by_sku["K3"].ok and "supplier_declared" in by_sku["K3"].message
    assert all(by_sku[f"K{n}"].ok for n in range(12) if n != 3)
    assert sim.listing("K5")["price"] == pytest.approx(24.90) and sim.listing("K3")["price"] == 5


def test_stock_feed_and_delete_means_zero(sim, adapter_for):
    for n in range(8):
        sim.put_listing(f"D{n}", quantity=9)
    adapter = adapter_for(sim)
    submission = adapter.delete_products([StockRecord(f"D{n}", 9) for n in range(8)])
    status = wait_feed(adapter, "product_delete", submission.remote_id, list(submission.sent))
    assert all(r.ok for r in status.results) and all(sim.listing(f"D{n}")["quantity"] == 0 for n in range(8))
    assert [h["value"] for h in sim.history("D0")] == [0]


def test_a_feed_the_simulator_refuses_whole_fails_the_request_with_the_reason(sim, adapter_for, monkeypatch):
    for n in range(7):
        sim.put_listing(f"F{n}", quantity=1)
    adapter = adapter_for(sim)
    monkeypatch.setattr(adapter, "feed", lambda messages: {"header": {"sellerId": "SOMEONE-ELSE", "version": "2.0"},
                                                          "messages": messages})
    submission = adapter.send_stock([StockRecord(f"F{n}", 3) for n in range(7)])
    status = wait_feed(adapter, "productstock", submission.remote_id, list(submission.sent))
    assert "FATAL" in status.failed_whole and "sellerId" in status.failed_whole


def test_simulator_refuses_a_feed_over_25000_messages_and_retired_feed_types(sim, adapter_for):
    adapter = adapter_for(sim)
    messages = [{"messageId": n, "sku": f"X{n}", "operationType": "PATCH", "productType": "PRODUCT",
                 "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                              "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}]}]}
                for n in range(1, 25_002)]
    import json
    document = adapter.client.create_feed_document()
    adapter.client.upload(document.url, json.dumps(adapter.feed(messages)).encode())
    feed_id = adapter.client.create_feed(document.feed_document_id)
    status = wait_feed(adapter, "productstock", feed_id, [])
    assert "25001 messages; a feed carries at most 25000" in status.failed_whole
    token = adapter.client.credentials.provider.token()
    answer = httpx.post(f"{sim.url}/feeds/2021-06-30/feeds", headers={"x-amz-access-token": token},
                        json={"feedType": "POST_INVENTORY_AVAILABILITY_DATA", "marketplaceIds": ["ATVPDKIKX0DER"],
                              "inputFeedDocumentId": document.feed_document_id})
    assert answer.status_code == 400 and "retired" in answer.text


def test_simulator_refuses_schema_invalid_patch_bodies_and_expired_upload_urls(sim, adapter_for):
    sim.put_listing("P", quantity=1)
    adapter = adapter_for(sim)
    token = adapter.client.credentials.provider.token()
    url = f"{sim.url}/listings/2021-08-01/items/{sim.options['seller_id']}/P?marketplaceIds=ATVPDKIKX0DER"
    bad = httpx.patch(url, headers={"x-amz-access-token": token},
                      json={"productType": "PRODUCT", "patches": [{"op": "move", "path": "/attributes/x"}]})
    assert bad.status_code == 400 and "op (one of add, replace, merge, delete)" in bad.text
    sim.configure(upload_ttl=0.0)
    document = adapter.client.create_feed_document()
    with pytest.raises(Exception, match="expired"):
        adapter.client.upload(document.url, b"{}")


# --- (3) orders ------------------------------------------------------------------------------
def test_orders_by_update_time_with_next_token_items_and_foreign_address(sim, adapter_for):
    sim.put_listing("O1", quantity=50, price=12.5)
    placed = [sim.place_order([("O1", 2)], shopper=n) for n in range(25)]
    adapter = adapter_for(sim)
    start, end = datetime.now(UTC) - timedelta(hours=12), datetime.now(UTC) + timedelta(minutes=1)
    seen, token, pages = [], None, 0
    while True:
        page = adapter.list_orders(start, end, token)
        seen += page.items
        pages += 1
        token = page.next_token
        if token is None:
            break
    assert pages == 2 and sorted(o.package_id for o in seen) == sorted(p["AmazonOrderId"] for p in placed)
    order = seen[0]
    assert order.currency == "USD" and order.amount == Decimal("25.00") and order.status == "created"
    assert order.lines[0].price == Decimal("12.50") and order.lines[0].quantity == 2
    assert order.shipping_address.country == "US" and order.micro_export


def test_simulator_refuses_created_and_updated_mixed(sim, adapter_for):
    adapter = adapter_for(sim)
    token = adapter.client.credentials.provider.token()
    answer = httpx.get(f"{sim.url}/orders/v0/orders", headers={"x-amz-access-token": token},
                       params={"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2026-01-01T00:00:00Z",
                               "LastUpdatedAfter": "2026-01-01T00:00:00Z"})
    assert answer.status_code == 400 and "Exactly one of CreatedAfter and LastUpdatedAfter" in answer.text


def test_confirm_shipment_per_package_and_cancellations(sim, adapter_for):
    sim.put_listing("Z", quantity=9)
    placed = sim.place_order([("Z", 3)])
    adapter = adapter_for(sim)
    window = (datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(minutes=1))
    order = adapter.list_orders(*window).items[0]
    line = order.lines[0].line_id
    first = adapter.send_order_update(OrderUpdate(order.package_id, "shipped", [(line, 1)], cargo_company="UPS",
                                                  tracking_number="1Z999"))
    assert first.ok and sim.order(order.package_id)["OrderStatus"] == "PartiallyShipped"
    again = adapter.send_order_update(OrderUpdate(order.package_id, "shipped", [(line, 1)], cargo_company="UPS",
                                                  tracking_number="1Z999"))
    assert again.ok and sim.order(order.package_id)["items"][0]["QuantityShipped"] == 1  # the same package
    adapter.send_order_update(OrderUpdate(order.package_id, "shipped", [(line, 2)], cargo_company="UPS",
                                          tracking_number="1Z1000"))
    assert sim.order(order.package_id)["OrderStatus"] == "Shipped" and len(sim.order(order.package_id)["packages"]) == 2
    assert adapter.send_order_update(OrderUpdate(order.package_id, "picking")).ok
    other = sim.place_order([("Z", 1)])
    sim.cancel_order(other["AmazonOrderId"])
    cancelled = adapter.list_cancellations(*window).items
    assert [c.package_id for c in cancelled] == [other["AmazonOrderId"]] and placed["AmazonOrderId"] != other[
        "AmazonOrderId"]


def test_adapter_is_registered():
    from mpdash.marketplaces.registry import adapter_class, simulator_factory
    assert adapter_class("amazon") is AmazonAdapter and simulator_factory("amazon")


def test_a_patch_failing_half_way_fails_only_the_unsent_records(sim, adapter_for):
    for sku in ("H1", "H2", "H3"):
        sim.put_listing(sku, quantity=1)
    adapter = adapter_for(sim)
    sim.configure(fault={"mode": "5xx", "count": 1, "path": r"/items/[^/]+/H2$"})
    results = {r.sku: r for r in adapter.send_stock([StockRecord(s, 6) for s in ("H1", "H2", "H3")]).results}
    assert results["H1"].ok and not results["H2"].ok and not results["H3"].ok and "not sent" in results["H3"].message
    assert [h["value"] for h in sim.history("H1")] == [6] and sim.history("H3") == []


def test_cancelled_orders_are_read_as_cancellations_of_the_whole_order(sim, adapter_for):
    sim.put_listing("Q", quantity=3)
    placed = sim.place_order([("Q", 1)], age=200)
    sim.cancel_order(placed["AmazonOrderId"], age=150)
    adapter = adapter_for(sim)
    page = adapter.list_cancellations(datetime.now(UTC) - timedelta(hours=12), datetime.now(UTC))
    assert [(c.package_id, c.line_ids) for c in page.items] == [(placed["AmazonOrderId"], [])]


def test_an_empty_own_bucket_says_when_the_next_token_comes(sim, adapter_for, monkeypatch):
    monkeypatch.setenv("MPDASH_CALL_BUDGET_SCALE", "1")  # Amazon's documented figures
    budgets = memory_budgets("refill-test")
    adapter = adapter_for(sim, budgets=budgets)
    adapter.client.budget_max_wait = 0.0
    for _ in range(20):  # getOrders bursts to 20
        adapter.client._acquire("getOrders", 1)
    with pytest.raises(RateLimited) as caught:
        adapter.client._acquire("getOrders", 1)
    assert caught.value.retry_after == pytest.approx(1 / 0.0167)  # a minute, not the 20-minute window
