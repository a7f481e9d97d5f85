"""Stock and price of offers in bulk, with the simulator refusing what the real API refuses."""

from decimal import Decimal

import httpx
import pytest

from mpdash.marketplaces.akinon.adapter import MonoAdapter
from mpdash.marketplaces.base import PriceRecord, StockRecord


def outcome(adapter, sim, sub):
    """Wait for the simulator to apply the batch, then poll it: results by sku."""
    assert sub.remote_id and sim.wait_until_processed(5.0)
    status = adapter.poll("productstock", sub.remote_id, list(sub.sent))
    assert status.done
    return {r.sku: r for r in status.results}


@pytest.fixture
def adapter(sim):
    for sku in ("A", "B", "C"):
        sim.add_offer(sku, stock=5, price="100.00", retail_price="120.00")
    return MonoAdapter({**sim.adapter_config(), "buffer_stock": 2})


def test_stock_in_bulk_with_buffer_and_one_refused(sim, adapter):
    sub = adapter.send_stock([StockRecord("A", 10), StockRecord("B", 1), StockRecord("ZZ", 4), StockRecord("A", 12)])
    assert sub.sent["A"] == {"sku": "A", "stock": 10} and sub.sent["B"]["stock"] == 0
    assert not adapter.poll("productstock", sub.remote_id).done or sim.options["processing_delay"] == 0
    results = outcome(adapter, sim, sub)
    assert results["A"].ok and results["B"].ok
    assert not results["ZZ"].ok and "Offer not found. (offer_not_found)" in results["ZZ"].message
    assert sim.offer("A")["stock"] == 10 and sim.offer("B")["stock"] == 0 and sim.offer("C")["stock"] == 5
    assert [h["value"] for h in sim.history("A") if h["kind"] == "stock"] == [10]
    outcome(adapter, sim, adapter.send_stock([StockRecord("A", 12)]))  # the same value again is no new change
    assert [h["value"] for h in sim.history("A") if h["kind"] == "stock"] == [10]


def test_delete_sets_stock_zero(sim, adapter):
    sub = adapter.delete_products([StockRecord("C", 9)])
    assert outcome(adapter, sim, sub)["C"].ok and sim.offer("C")["stock"] == 0


def test_prices_in_bulk_and_refusals_per_item(sim, adapter):
    sub = adapter.send_prices([PriceRecord("A", Decimal("89.90"), Decimal("99.90")), PriceRecord("B", Decimal("50")),
                               PriceRecord("C", Decimal("130"), Decimal("120"))])
    results = outcome(adapter, sim, sub)
    assert results["A"].ok and results["B"].ok
    assert not results["C"].ok and "price cannot be greater than retail_price" in results["C"].message
    assert sim.offer("A")["price"] == "89.90" and sim.offer("A")["retail_price"] == "99.90"
    assert sim.offer("B")["retail_price"] == "50.00" and sim.offer("C")["price"] == "100.00"


@pytest.mark.parametrize(("item", "text"), [
    ({"sku": "A", "price": "12.345"}, "no more than 2 decimal places"),
    ({"sku": "A", "price": 0}, "greater than 0"),
    ({"sku": "A", "price": "NaN"}, "greater than 0"),
    ({"sku": "A", "price": 10, "currency_type": "usd"}, "not a valid choice"),
])
def test_simulator_refuses_bad_prices(sim, adapter, item, text):
    answer = httpx.patch(f"{sim.url}/api/i2/offers/prices/", json=[item], headers={"Authorization": "demo-api-key"})
    assert answer.status_code == 202 and sim.wait_until_processed(5.0)
    batch = httpx.get(f"{sim.url}/api/i2/offers/batches/{answer.json()['id']}/", headers={"Authorization": "demo-api-key"})
    assert batch.json()["status"] == "completed" and text in batch.json()["results"][0]["detail"]
    assert sim.offer("A")["price"] == "100.00"


@pytest.mark.parametrize(("body", "code"), [
    ({"sku": "A", "stock": 1}, "not_a_list"), ([], "empty"),
    ([{"sku": "A", "stock": 1}, {"sku": "A", "stock": 2}], "duplicate_sku"),
    ([{"sku": f"S{n}", "stock": 1} for n in range(101)], "max_length"),
])
def test_simulator_refuses_whole_bad_requests(sim, adapter, body, code):
    answer = httpx.patch(f"{sim.url}/api/i2/offers/stocks/", json=body, headers={"Authorization": "demo-api-key"})
    assert answer.status_code == 400 and answer.json()["code"] == code and "detail" in answer.json()
    assert sim.offer("A")["stock"] == 5


def test_stock_must_be_a_whole_number(sim, adapter):
    answer = httpx.patch(f"{sim.url}/api/i2/offers/stocks/", json=[{"sku": "A", "stock": -1}, {"sku": "B", "stock": 1.5},
                                                                  {"sku": "C", "stock": 3}],
                         headers={"Authorization": "demo-api-key"})
    assert sim.wait_until_processed(5.0)
    batch = httpx.get(f"{sim.url}/api/i2/offers/batches/{answer.json()['id']}/", headers={"Authorization": "demo-api-key"})
    assert [r["sku"] for r in batch.json()["results"] if r["status"] == "error"] == ["A", "B"]
    assert sim.offer("C")["stock"] == 3


def test_more_than_a_request_holds_is_refused_before_sending(sim, adapter):
    with pytest.raises(ValueError, match="100"):
        adapter.send_stock([StockRecord(f"S{n}", 1) for n in range(101)])
    assert sim.counters()["requests_total"] == 0


def test_offers_seeded_through_the_control_api_as_a_list_or_an_object(sim):
    for body in ([{"sku": "L1", "price": "10.00", "stock": 0}], {"offers": [{"sku": "L2", "price": "12.50"}]}):
        answer = httpx.post(f"{sim.url}/_sim/offers", json=body)
        assert answer.status_code == 200 and len(answer.json()["added"]) == 1
    assert sim.offer("L1")["price"] == "10.00" and sim.offer("L2")["retail_price"] == "12.50"
