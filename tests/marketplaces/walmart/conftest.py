"""Walmart tests: a real simulator over HTTP, the adapter with an in-memory token store and no
shared budgets (their own tests take them), every exchange recordable."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from mpdash.marketplaces.auth import MemoryTokenStore
from mpdash.marketplaces.walmart.adapter import WalmartAdapter
from mpdash.marketplaces.walmart.simulator import serve

from ..amazon.conftest import _CANDIDATES  # <repo>/../shared (or MPDASH_SHARED_DIR)

SPECS: Path = next((c / "specs" / "walmart" for c in _CANDIDATES if (c / "specs" / "walmart").is_dir()),
                   _CANDIDATES[-1] / "specs" / "walmart")
DOCUMENTS = ("auth", "feeds", "items", "inventory", "price", "orders", "returns")


def documents() -> dict[str, dict]:
    """Walmart's OpenAPI documents by name; the test skips, saying why, when they are absent."""
    if not SPECS.is_dir():
        pytest.skip(f"Walmart's OpenAPI documents are not here ({SPECS}): the schema tests need ../shared/specs/walmart "
                    "(or MPDASH_SHARED_DIR)")
    return {name: json.loads((SPECS / f"{name}.json").read_text()) for name in DOCUMENTS}


class Recorder(httpx.BaseTransport):
    """A transport that keeps every request and its answer (the token calls too)."""

    def __init__(self):
        self.inner = httpx.HTTPTransport()
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self.inner.handle_request(request)
        response.read()
        # a copy: a request sent again (after a 401) is the same object with new headers
        self.exchanges.append((httpx.Request(request.method, request.url, headers=request.headers.copy(),
                                             content=request.content), response))
        return response

    def close(self) -> None:
        self.inner.close()


def settle(adapter, kind, submission):
    """Poll a feed until Walmart (the simulator) has processed it; its BatchStatus."""
    for _ in range(100):
        status = adapter.poll(kind, submission.remote_id, list(submission.sent))
        if status.done:
            return status
        time.sleep(0.05)
    raise AssertionError(f"feed {submission.remote_id} was not processed")


@pytest.fixture
def sim():
    simulator = serve(processing_delay=0.05, approval_delay=0.2, rate_limits=False, timeout_sleep=0.5)
    yield simulator
    simulator.stop()


@pytest.fixture
def adapter_for():
    made = []

    def make(simulator, *, transport=None, store=None, budgets=False, **config):
        adapter = WalmartAdapter({**simulator.adapter_config(), **config}, transport=transport, budgets=budgets,
                                 token_store=store or MemoryTokenStore())
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()
