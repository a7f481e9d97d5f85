"""Shared fixtures of the Hepsiburada tests: a simulator on a random port and clients of it.

These tests need no Django: budgets are switched off (``budget=None``) so nothing reads
Django settings.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from mpdash.marketplaces.hepsiburada.adapter import HepsiburadaAdapter
from mpdash.marketplaces.hepsiburada.client import HepsiburadaListingClient
from mpdash.marketplaces.hepsiburada.simulator import HepsiburadaSimulator, serve

FIXTURES = Path(__file__).parent / "fixtures"
FAST_DELAY = 0.2  # seconds before the simulator applies an upload


def load_fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def sim():
    simulator = serve(processing_delay=FAST_DELAY)
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
