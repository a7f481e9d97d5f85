"""Amazon tests: a real simulator over HTTP, the adapter with in-memory budgets and token store."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mpdash.marketplaces.amazon.adapter import AmazonAdapter
from mpdash.marketplaces.amazon.client import operation_budgets
from mpdash.marketplaces.amazon.simulator import serve
from mpdash.marketplaces.auth import MemoryTokenStore
from mpdash.marketplaces.ratelimit import CallBudget

REPO = Path(__file__).resolve().parents[3]
# <repo>/../shared; a git worktree of the repo kept one level deeper (wt/<name>) looks one up more.
_CANDIDATES = [Path(os.environ["MPDASH_SHARED_DIR"])] if os.environ.get("MPDASH_SHARED_DIR") else []
_CANDIDATES += [REPO.parent / "shared", REPO.parent.parent / "shared"]
SPECS = next((c / "specs" / "amazon" for c in _CANDIDATES if (c / "specs" / "amazon").is_dir()),
             REPO.parent / "shared" / "specs" / "amazon")


def spec(name: str) -> dict:
    """An official model or schema; skipped, saying why, when the shared specs are absent (a
    clone on its own; beside ../shared, as here and in CI, they run)."""
    if not SPECS.is_dir():
        pytest.skip(f"Amazon's official models are not here ({SPECS}): the schema tests need the shared specs "
                    "(set MPDASH_SHARED_DIR to the folder holding specs/amazon)")
    return json.loads((SPECS / name).read_text())


@pytest.fixture
def sim():
    simulator = serve(processing_delay=0.2, settle_seconds=0, rate_limits=False)
    yield simulator
    simulator.stop()


def memory_budgets(seller: str) -> dict[str, CallBudget]:
    return {op: CallBudget(b.key + ":test", b.specs, url="memory://") for op, b in operation_budgets(seller).items()}


@pytest.fixture
def adapter_for(monkeypatch):
    made = []
    monkeypatch.setattr("mpdash.marketplaces.amazon.adapter.ORDERS_SETTLE", __import__("datetime").timedelta(0))

    def make(simulator, budgets=None, **config):
        store = MemoryTokenStore()
        adapter = AmazonAdapter({**simulator.adapter_config(), **config}, budgets=budgets or {}, token_store=store)
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()
