"""Shared fixtures of the Trendyol tests: a simulator on a random port and clients of it.

These tests need no Django: budgets are switched off (``budget=None``) so nothing reads
Django settings.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from mpdash.marketplaces.base import AttributeChoice, ProductRecord
from mpdash.marketplaces.trendyol.adapter import TrendyolAdapter
from mpdash.marketplaces.trendyol.catalog_data import CatalogData
from mpdash.marketplaces.trendyol.client import TrendyolClient
from mpdash.marketplaces.trendyol.simulator import TrendyolSimulator, serve

FIXTURES = Path(__file__).parent / "fixtures"
FAST_DELAY = 0.1  # seconds before the simulator processes a batch
APPROVAL_DELAY = 0.3  # seconds from a processed create to Trendyol's approval
SELLER = "123456"
GOOD = {"auth": ("demo-api-key", "demo-api-secret"), "headers": {"User-Agent": f"{SELLER} - SelfIntegration"}}
DRESS = ("Giyim", "Kadın", "Elbise")  # a leaf: Renk, Beden, Materyal, Menşei required


def load_fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def sim():
    simulator = serve(processing_delay=FAST_DELAY, approval_delay=APPROVAL_DELAY)
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def make_adapter(sim: TrendyolSimulator):
    adapters: list[TrendyolAdapter] = []

    def build(**config_changes) -> TrendyolAdapter:
        adapter = TrendyolAdapter({**sim.adapter_config(), **config_changes}, budget=None)
        adapters.append(adapter)
        return adapter

    yield build
    for adapter in adapters:
        adapter.close()


@pytest.fixture
def adapter(make_adapter) -> TrendyolAdapter:
    return make_adapter()


@pytest.fixture
def make_client(sim: TrendyolSimulator):
    clients: list[TrendyolClient] = []

    def build(**overrides) -> TrendyolClient:
        config = sim.adapter_config()
        kwargs = {key: config[key] for key in ("seller_id", "api_key", "api_secret", "integrator_name")}
        kwargs["budget"] = None
        kwargs.update(overrides)
        client = TrendyolClient(kwargs.pop("base_url", config["base_url"]), **kwargs)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client) -> TrendyolClient:
    return make_client()


def wait_done(adapter: TrendyolAdapter, kind: str, remote_id: str, timeout: float = 5.0, **kwargs):
    """Poll until the batch is finished (the test's own loop; the adapter never sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        status = adapter.poll(kind, remote_id, **kwargs)
        if status.done or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def wait_state(adapter: TrendyolAdapter, sku: str, state: str, timeout: float = 5.0):
    """Poll product_statuses until ``sku`` reaches ``state``; returns the last status."""
    deadline = time.monotonic() + timeout
    while True:
        status = adapter.product_statuses([sku])[sku]
        if status.state == state or time.monotonic() > deadline:
            return status
        # A lookup of an unapproved product is two filter calls (approved, then unapproved
        # v2 filter); 0.2 s keeps the polling inside the simulator's 50-per-10-s window.
        time.sleep(0.2)


def dress_record(catalog: CatalogData, sku: str, *, attributes: dict[int, str] | None = None, category=None,
                 **fields) -> ProductRecord:
    """A valid dress (every required attribute set) unless the caller overrides something."""
    chosen = {348: "Siyah", 293: "M", 14: "Pamuk", 1192: "TR"} if attributes is None else attributes
    values = {
        "barcode": f"BC-{sku}", "title": f"Kadın Elbise {sku}", "productMainId": f"MODEL-{sku}",
        "brandId": Decimal(104), "description": "<p>Pamuklu yazlık elbise</p>",
        "images": [f"https://cdn.example.com/{sku}/1.jpg", f"https://cdn.example.com/{sku}/2.jpg"],
        "listPrice": Decimal("249.90"), "salePrice": Decimal("199.90"), "quantity": Decimal(12),
        "stockCode": sku, "vatRate": Decimal("20.00"), "currencyType": "TRY", "dimensionalWeight": Decimal(2),
    }
    values.update(fields)
    choices = [
        AttributeChoice(str(aid), catalog.attribute_names[aid], value_ids=[str(catalog.value_named(aid, name))],
                        value_names=[name])
        for aid, name in chosen.items()
    ]
    category_id = str(catalog.find(*DRESS).id) if category is None else str(category)
    return ProductRecord(sku=sku, category_id=category_id, fields=values, attributes=choices)
