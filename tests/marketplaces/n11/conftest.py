"""Fixtures of the N11 tests: a simulator on a random port and an adapter and client of it
(budgets off, so nothing reads Django settings)."""

from __future__ import annotations

import time

import pytest

from mpdash.marketplaces.n11.adapter import N11Adapter
from mpdash.marketplaces.n11.client import N11Client
from mpdash.marketplaces.n11.simulator import serve

HEADERS = {"appkey": "demo-app-key", "appsecret": "demo-app-secret"}


@pytest.fixture
def sim():
    simulator = serve(processing_delay=0.05, approval_delay=0.2)
    yield simulator
    simulator.stop()


@pytest.fixture
def adapter(sim):
    made = N11Adapter(sim.adapter_config(), budget=None)
    yield made
    made.close()


@pytest.fixture
def client(sim):
    config = sim.adapter_config()
    made = N11Client(config["base_url"], app_key=config["app_key"], app_secret=config["app_secret"])
    yield made
    made.close()


def wait_done(adapter, kind, remote_id, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        status = adapter.poll(kind, remote_id)
        if status.done or time.monotonic() > deadline:
            return status
        time.sleep(0.03)
