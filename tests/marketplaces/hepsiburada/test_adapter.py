"""The adapter end to end against the simulator: what it sends and what it reads back."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from mpdash.marketplaces.base import PriceRecord, StockRecord
from mpdash.marketplaces.errors import ConfigError
from mpdash.marketplaces.hepsiburada.adapter import HepsiburadaAdapter

from .conftest import load_fixture, wait_done


def test_stock_upload_pending_then_done_with_buffer_and_purchase_cap(sim, make_adapter):
    sim.add_listings([{"merchantSku": "A", "price": 10, "availableStock": 1},
                      {"merchantSku": "B", "price": 10, "availableStock": 1}])
    adapter = make_adapter(buffer_stock=3)
    records = [StockRecord("A", 10, extra={"maximumPurchasableQuantity": "4"}), StockRecord("B", 2)]
    submission = adapter.send_stock(records)
    assert submission.sent == {
        "A": {"merchantSku": "A", "availableStock": 7, "maximumPurchasableQuantity": 4},
        "B": {"merchantSku": "B", "availableStock": 0},
    }
    assert submission.remote_id and submission.exchange["method"] == "POST"
    pending = adapter.poll("productstock", submission.remote_id)
    assert pending.done is False and pending.results == []
    done = wait_done(adapter, "productstock", submission.remote_id)
    assert done.done and not done.failed_whole
    assert sorted((r.sku, r.ok) for r in done.results) == [("A", True), ("B", True)]
    a, b = sim.listing("A"), sim.listing("B")
    assert (a["availableStock"], a["maximumPurchasableQuantity"], a["isSalable"]) == (7, 4, True)
    assert (b["availableStock"], b["isSalable"]) == (0, False)


def test_remote_sku_is_sent_along(sim, adapter):
    sim.add_listings([{"merchantSku": "A", "hepsiburadaSku": "HBV00000000AB", "price": 10, "availableStock": 1}])
    submission = adapter.send_stock([StockRecord("A", 5, remote_sku="HBV00000000AB")])
    assert submission.sent["A"] == {"merchantSku": "A", "hepsiburadaSku": "HBV00000000AB", "availableStock": 5}
    assert all(r.ok for r in wait_done(adapter, "productstock", submission.remote_id).results)


def test_price_upload(sim, adapter):
    sim.add_listings([{"merchantSku": "A", "price": 10, "availableStock": 1}])
    submission = adapter.send_prices([PriceRecord("A", Decimal("149.905"), list_price=Decimal("200"))])
    assert submission.sent == {"A": {"merchantSku": "A", "price": 149.91}}  # the price upload takes no list price
    status = wait_done(adapter, "productprice", submission.remote_id)
    assert [(r.sku, r.ok) for r in status.results] == [("A", True)]
    assert sim.listing("A")["price"] == 149.91
    assert sim.history("A")[-1]["kind"] == "price"


def test_unknown_sku_fails_per_item(sim, adapter):
    sim.add_listings([{"merchantSku": "A", "price": 10, "availableStock": 1}])
    submission = adapter.send_stock([StockRecord("GHOST", 3), StockRecord("A", 4)])
    status = wait_done(adapter, "productstock", submission.remote_id)
    results = {r.sku: r for r in status.results}
    assert results["A"].ok
    assert not results["GHOST"].ok and results["GHOST"].message.startswith("ProductNotFound")
    assert results["GHOST"].answer[0]["elementNo"] == 1


def test_poll_from_another_adapter_uses_the_given_skus(sim, adapter, make_adapter):
    sim.add_listings([{"merchantSku": "A", "price": 10, "availableStock": 1}])
    submission = adapter.send_stock([StockRecord("A", 4), StockRecord("GHOST", 1)])
    other = make_adapter()
    status = wait_done(other, "productstock", submission.remote_id, skus=list(submission.sent))
    assert sorted((r.sku, r.ok) for r in status.results) == [("A", True), ("GHOST", False)]
    without_skus = other.poll("productstock", submission.remote_id)
    assert [(r.sku, r.ok) for r in without_skus.results] == [("GHOST", False)]  # only failures are known


def test_two_uploads_for_one_sku_apply_in_order(sim, adapter):
    sim.add_listings([{"merchantSku": "A", "price": 10, "availableStock": 1}])
    first = adapter.send_stock([StockRecord("A", 11)])
    second = adapter.send_stock([StockRecord("A", 22)])
    wait_done(adapter, "productstock", second.remote_id)
    assert [(h["upload_id"], h["value"]) for h in sim.history("A") if h["kind"] == "stock"] == [
        (first.remote_id, 11), (second.remote_id, 22)]
    assert sim.listing("A")["availableStock"] == 22


def test_duplicate_skus_are_sent_once(sim, adapter):
    sim.add_listings([{"merchantSku": "A", "price": 10, "availableStock": 1}])
    submission = adapter.send_stock([StockRecord("A", 1), StockRecord("A", 8)])
    assert submission.sent == {"A": {"merchantSku": "A", "availableStock": 8}}


def test_whole_upload_failure(sim, adapter):
    sim.add_listings([{"merchantSku": "A", "price": 10, "availableStock": 1}])
    sim.configure(fault={"mode": "failed_upload", "count": 1, "path": None})
    submission = adapter.send_stock([StockRecord("A", 5)])
    status = wait_done(adapter, "productstock", submission.remote_id)
    assert status.done and status.results == []
    assert "Failed" in status.failed_whole
    assert sim.listing("A")["availableStock"] == 1


def test_list_listings_pages_through_everything(sim, adapter):
    sim.add_listings([{"merchantSku": f"S-{i}", "price": 10 + i, "availableStock": i % 2} for i in range(7)])
    adapter.listings_page_size = 3
    listings = list(adapter.list_listings())
    assert [listing.sku for listing in listings] == [f"S-{i}" for i in range(7)]
    assert listings[1].price == Decimal("11.0") and listings[1].stock == 1 and listings[1].on_sale
    assert listings[0].on_sale is False and listings[0].remote_sku.startswith("HBV")
    assert sim.requests_total == 3


def test_oversize_batch_is_refused_before_sending(adapter):
    with pytest.raises(ValueError, match="at most 4000"):
        adapter.send_stock([StockRecord(f"S{i}", 1) for i in range(4001)])


def test_empty_batch_sends_nothing(sim, adapter):
    submission = adapter.send_prices([])
    assert submission.remote_id is None and submission.results == []
    assert sim.requests_total == 0


@pytest.mark.parametrize("missing", ["listing_url", "merchant_id", "password", "user_agent"])
def test_missing_config_raises_config_error_naming_the_key(sim, missing):
    config = {**sim.adapter_config(), missing: ""}
    with pytest.raises(ConfigError, match=missing):
        HepsiburadaAdapter(config, budget=None)


def test_username_defaults_to_merchant_id(sim):
    config = {**sim.adapter_config(), "username": ""}
    adapter = HepsiburadaAdapter(config, budget=None)
    assert list(adapter.list_listings()) == []
    adapter.close()


def test_bad_buffer_stock_is_a_config_error(sim):
    with pytest.raises(ConfigError, match="buffer_stock"):
        HepsiburadaAdapter({**sim.adapter_config(), "buffer_stock": "lots"}, budget=None)


def test_price_locks_and_errors_map_to_item_failures():
    answer = load_fixture("price_upload_status_locked.json")
    adapter = HepsiburadaAdapter(
        {"listing_url": "https://listing.invalid", "merchant_id": "m", "password": "p", "user_agent": "ua"},
        budget=None, transport=httpx.MockTransport(lambda request: httpx.Response(200, json=answer)),
    )
    status = adapter.poll("productprice", answer["id"], skus=["sku-001", "sku-002", "sku-003"])
    results = {r.sku: r for r in status.results}
    assert not results["sku-001"].ok and "MaxLock" in results["sku-001"].message and "899.8" in results["sku-001"].message
    assert not results["sku-002"].ok and results["sku-002"].message.startswith("OutOfPriceRange")
    assert results["sku-003"].ok
    adapter.close()
