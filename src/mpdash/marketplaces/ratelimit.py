"""Call budgets shared by every worker on every machine.

A budget is a named set of rates (e.g. 10 requests/second for one merchant's
listing API). The storage follows the deployment: Redis in distributed mode, a
file-locked SQLite database in the embedded default, so two worker processes never
spend the same budget twice. A call that cannot get a slot within ``max_wait``
raises :class:`RateLimited`, which the flow engine turns into "try again later"
(no penalty) instead of sleeping inside the worker.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from pyrate_limiter import Duration, Limiter, Rate

from mpdash import metrics

from .errors import RateLimited


@dataclass(frozen=True)
class RateSpec:
    calls: int
    per_seconds: float

    def scaled_calls(self) -> int:
        """Calls allowed per window after ``MPDASH_CALL_BUDGET_SCALE`` (at least one)."""
        return max(1, int(self.calls * budget_scale()))

    def to_rate(self) -> Rate:
        return Rate(self.scaled_calls(), int(self.per_seconds * Duration.SECOND))


def budget_scale() -> float:
    """``MPDASH_CALL_BUDGET_SCALE`` multiplies every budget (default 1: the marketplaces'
    documented limits). Tests and benchmarks against simulators raise it; production never should."""
    try:
        return max(0.001, float(os.environ.get("MPDASH_CALL_BUDGET_SCALE", "1") or 1))
    except ValueError:
        return 1.0


LOCK_WAIT_FLOOR = 0.25  # seconds

_limiters: dict[tuple[str, str], Limiter] = {}
_lock = threading.Lock()


def _storage_url() -> str:
    from django.conf import settings

    return settings.MPDASH_RATE_LIMIT_URL


def _make_bucket(url: str, key: str, rates: list[Rate]):
    parsed = urlparse(url)
    if parsed.scheme.startswith("redis"):
        import redis
        from pyrate_limiter import RedisBucket

        client = redis.Redis.from_url(url)
        return RedisBucket.init(rates, client, f"mpdash:rl:{key}")
    if parsed.scheme == "sqlite":
        from pyrate_limiter import SQLiteBucket

        path = parsed.path or None
        table = "rl_" + "".join(c if c.isalnum() else "_" for c in key)
        return SQLiteBucket.init_from_file(rates, db_path=path, table=table, create_new_table=True, use_file_lock=True)
    from pyrate_limiter import InMemoryBucket

    return InMemoryBucket(rates)


class CallBudget:
    def __init__(self, key: str, specs: list[RateSpec], *, url: str | None = None):
        self.key = key
        self.specs = specs
        self._url = url

    def _limiter(self) -> Limiter:
        url = self._url or _storage_url()
        cache_key = (url, self.key)
        with _lock:
            limiter = _limiters.get(cache_key)
            if limiter is None:
                rates = [s.to_rate() for s in self.specs]
                limiter = Limiter(_make_bucket(url, self.key, rates))
                _limiters[cache_key] = limiter
        return limiter

    def largest_weight(self) -> int:
        """The most slots one :meth:`acquire` can take: the smallest of the rates."""
        return min(s.scaled_calls() for s in self.specs)

    def acquire(self, max_wait: float = 2.0, weight: int = 1) -> None:
        # Always the blocking form with a timeout: pyrate-limiter's non-blocking form passes
        # ``False`` as the file lock's timeout, which filelock >= 4.2 refuses (TypeError).
        # The floor is time to take the shared lock (a file lock the bucket's cleaner thread
        # also takes), not a wait for a slot: below it, "no wait" failed now and then on a free budget.
        started = time.perf_counter()
        ok = self._limiter().try_acquire(self.key, weight=weight, blocking=True, timeout=max(max_wait, LOCK_WAIT_FLOOR))
        metrics.budget_waited(self.key, time.perf_counter() - started, ok)
        if not ok:
            # Try again after the shortest window: a slot may free up then (asking costs no
            # call to the marketplace), rather than a minute later for a per-minute rate.
            window = min(s.per_seconds for s in self.specs)
            raise RateLimited(f"call budget {self.key!r} exhausted; retry later", retry_after=window)
