"""Shared fixtures of the Hepsiburada tests: a simulator on a random port and clients of it.

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
from mpdash.marketplaces.hepsiburada import catalog_data
from mpdash.marketplaces.hepsiburada.adapter import HepsiburadaAdapter
from mpdash.marketplaces.hepsiburada.client import (
    HepsiburadaCatalogClient,
    HepsiburadaListingClient,
    HepsiburadaOmsClient,
)
from mpdash.marketplaces.hepsiburada.simulator import HepsiburadaSimulator, serve

FIXTURES = Path(__file__).parent / "fixtures"
FAST_DELAY = 0.2  # seconds before the simulator applies an upload (or validates an import)
FAST_APPROVAL = 0.3  # seconds a valid imported product waits before it is matched

MID = "demo-merchant"
GOOD = {"auth": ("demo-merchant", "demo-service-key"), "headers": {"User-Agent": "mpdash"}}

# A leaf with a mandatory enum attribute of more than 1000 values (uyumlu_model), a mandatory
# variant (renk) and a mandatory category attribute (garanti_tipi).
PHONE_CASE = ("Elektronik", "Telefon Aksesuarları", "Telefon Kılıfı")


def load_fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def leaf_id(*path: str) -> str:
    return str(catalog_data.find_category(*(path or PHONE_CASE))["categoryId"])


def product_record(sku: str = "CASE-1", *, images: int = 2, category_id: str | None = None,
                   attributes: list[AttributeChoice] | None = None, **fields) -> ProductRecord:
    """A phone case the simulator accepts, with ``fields`` overriding the default attributes."""
    values = {
        "merchantSku": sku, "VaryantGroupID": "CASE", "Barcode": "8690000000001", "UrunAdi": "Şeffaf Telefon Kılıfı",
        "UrunAciklamasi": "Darbeye dayanıklı, ince silikon kılıf.", "Marka": "Acme", "GarantiSuresi": 24,
        "kg": Decimal("0.5"), "tax_vat_rate": Decimal("20.00"), "price": Decimal("149.9"), "stock": 10,
        "images": [f"https://img.example.com/{sku}/{n}.jpg" for n in range(1, images + 1)],
    }
    values.update(fields)
    if attributes is None:
        attributes = [
            AttributeChoice("uyumlu_model", "Uyumlu Model", value_ids=["x"], value_names=["Apple iPhone 15 Pro"]),
            AttributeChoice("garanti_tipi", "Garanti Tipi", value_ids=["y"], value_names=["İthalatçı Garantili"]),
            AttributeChoice("renk_variant_property", "Renk", value_ids=["z"], value_names=["Siyah"]),
        ]
    return ProductRecord(sku, category_id or leaf_id(), values, attributes)


def import_item(sku: str = "CASE-1", *, category_id: str | None = None, drop: tuple[str, ...] = (), **attrs) -> dict:
    """A raw import file element for the simulator's HTTP tests."""
    values = {
        "merchantSku": sku, "VaryantGroupID": "CASE", "Barcode": "8690000000001", "UrunAdi": "Telefon Kılıfı",
        "UrunAciklamasi": "Silikon kılıf", "Marka": "Acme", "GarantiSuresi": 24, "kg": "1", "tax_vat_rate": "20",
        "price": "130,50", "stock": "13", "Image1": "https://img.example.com/1.jpg",
        "uyumlu_model": "Apple iPhone 15", "garanti_tipi": "Distribütör Garantili", "renk_variant_property": "Siyah",
    }
    values.update(attrs)
    for key in drop:
        values.pop(key, None)
    return {"categoryId": int(category_id or leaf_id()), "merchant": MID, "attributes": values}


def wait_for(check, timeout: float = 5.0, every: float = 0.05):
    """Call ``check`` until it returns something truthy (the test's own loop)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


@pytest.fixture
def sim():
    simulator = serve(processing_delay=FAST_DELAY, approval_delay=FAST_APPROVAL)
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def make_adapter(sim: HepsiburadaSimulator):
    adapters: list[HepsiburadaAdapter] = []

    def build(**config_changes) -> HepsiburadaAdapter:
        adapter = HepsiburadaAdapter({**sim.adapter_config(), **config_changes}, budget=None)
        adapters.append(adapter)
        return adapter

    yield build
    for adapter in adapters:
        adapter.close()


@pytest.fixture
def adapter(make_adapter) -> HepsiburadaAdapter:
    return make_adapter()


@pytest.fixture
def make_client(sim: HepsiburadaSimulator):
    clients: list[HepsiburadaListingClient] = []

    def build(**overrides) -> HepsiburadaListingClient:
        config = sim.adapter_config()
        kwargs = {
            "merchant_id": config["merchant_id"],
            "username": config["username"],
            "password": config["password"],
            "user_agent": config["user_agent"],
            "budget": None,
        }
        kwargs.update(overrides)
        client = HepsiburadaListingClient(kwargs.pop("base_url", sim.url), **kwargs)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client) -> HepsiburadaListingClient:
    return make_client()


def wait_done(adapter: HepsiburadaAdapter, kind: str, remote_id: str, timeout: float = 5.0, **kwargs):
    """Poll until the upload is finished (the test's own loop; the adapter never sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        status = adapter.poll(kind, remote_id, **kwargs)
        if status.done or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


@pytest.fixture
def make_catalog_client(sim: HepsiburadaSimulator):
    clients: list[HepsiburadaCatalogClient] = []

    def build(**overrides) -> HepsiburadaCatalogClient:
        config = sim.adapter_config()
        kwargs = {
            "merchant_id": config["merchant_id"],
            "username": config["username"],
            "password": config["password"],
            "user_agent": config["user_agent"],
            "budget": None,
        }
        kwargs.update(overrides)
        client = HepsiburadaCatalogClient(kwargs.pop("base_url", sim.url), **kwargs)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def catalog_client(make_catalog_client) -> HepsiburadaCatalogClient:
    return make_catalog_client()


@pytest.fixture
def make_oms_client(sim: HepsiburadaSimulator):
    clients: list[HepsiburadaOmsClient] = []

    def build(**overrides) -> HepsiburadaOmsClient:
        config = sim.adapter_config()
        kwargs = {
            "merchant_id": config["merchant_id"],
            "username": config["username"],
            "password": config["password"],
            "user_agent": config["user_agent"],
            "budget": None,
        }
        kwargs.update(overrides)
        client = HepsiburadaOmsClient(kwargs.pop("base_url", sim.url), **kwargs)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def oms_client(make_oms_client) -> HepsiburadaOmsClient:
    return make_oms_client()
