"""Call budgets are shared across processes: two processes never spend the same slot twice."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from mpdash.marketplaces.errors import RateLimited
from mpdash.marketplaces.ratelimit import CallBudget, RateSpec

# Each process asks for 30 calls without waiting; prints how many it got.
GRAB = """
import sys
from mpdash.marketplaces.errors import RateLimited
from mpdash.marketplaces.ratelimit import CallBudget, RateSpec
budget = CallBudget(sys.argv[2], [RateSpec(20, 60)], url=sys.argv[1])
got = 0
for _ in range(30):
    try:
        budget.acquire(max_wait=0)
        got += 1
    except RateLimited:
        pass
print(got)
"""


def _spend_in_processes(url: str, key: str, processes: int = 3) -> list[int]:
    procs = [
        subprocess.Popen([sys.executable, "-c", GRAB, url, key], stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "MPDASH_CALL_BUDGET_SCALE": "1"})
        for _ in range(processes)
    ]
    return [int(p.communicate(timeout=60)[0].strip()) for p in procs]


def test_sqlite_budget_is_shared_between_processes(tmp_path):
    url = f"sqlite://{tmp_path / 'budget.sqlite3'}"
    counts = _spend_in_processes(url, "merchant-1")
    assert sum(counts) == 20, counts


def test_budget_refuses_with_rate_limited_and_a_retry_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("MPDASH_CALL_BUDGET_SCALE", "1")
    budget = CallBudget("m2", [RateSpec(2, 60)], url=f"sqlite://{tmp_path / 'b.sqlite3'}")
    budget.acquire(max_wait=0)
    budget.acquire(max_wait=0)
    with pytest.raises(RateLimited) as caught:
        budget.acquire(max_wait=0)
    assert caught.value.retry_after == 60
    assert "m2" in str(caught.value)


@pytest.mark.services
def test_redis_budget_is_shared_between_processes():
    url = os.environ.get("MPDASH_RATE_LIMIT_URL") or "redis://127.0.0.1:6379/15"
    if not url.startswith("redis"):
        url = "redis://127.0.0.1:6379/15"
    key = f"test-{uuid.uuid4().hex[:8]}"
    counts = _spend_in_processes(url, key)
    assert sum(counts) == 20, counts


def test_a_reservation_takes_the_slots_once_and_gives_up_the_rest(tmp_path, monkeypatch):
    """BaseClient.reserved: one weighted acquire for many requests from any thread; slots left
    unused are dropped when the block ends, and later requests take slots one by one again."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from mpdash.marketplaces.http import BaseClient

    monkeypatch.setenv("MPDASH_CALL_BUDGET_SCALE", "1")
    budget = CallBudget("m3", [RateSpec(10, 60)], url=f"sqlite://{tmp_path / 'b.sqlite3'}")
    taken: list[int] = []
    real = budget.acquire
    monkeypatch.setattr(budget, "acquire", lambda max_wait=2.0, weight=1: (taken.append(weight), real(0, weight))[1])
    client = BaseClient("http://sim.test", budget=budget,
                        transport=httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True})))
    with client.reserved(6):
        with ThreadPoolExecutor(3) as pool:
            assert list(pool.map(lambda _: client.request("GET", "/x"), range(4))) == [{"ok": True}] * 4
    assert taken == [6]  # one acquire for the four requests; two slots unused and given up
    client.request("GET", "/x")
    assert taken == [6, 1]
    # Never more than the rate at once: 50 is capped at 10, which the 3 slots left cannot cover.
    with pytest.raises(RateLimited), client.reserved(50):
        pass
    assert taken == [6, 1, 10]
    with client.reserved(3):
        client.request("GET", "/x")
    assert taken == [6, 1, 10, 3]
