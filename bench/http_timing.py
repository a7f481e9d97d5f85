"""HTTP calls made through httpx and the time spent waiting for their answers, for benchmarks."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator


@dataclass
class HttpTally:
    calls: int = 0
    wait: float = 0.0  # seconds, summed over calls (concurrent calls each count in full)


@contextmanager
def counting_http() -> Iterator[HttpTally]:
    """Count every ``httpx.Client.send`` inside the block and time its answer."""
    import httpx

    tally = HttpTally()
    original_send = httpx.Client.send

    def timed_send(self, *a, **k):
        started = time.perf_counter()
        try:
            return original_send(self, *a, **k)
        finally:
            tally.wait += time.perf_counter() - started
            tally.calls += 1

    httpx.Client.send = timed_send
    try:
        yield tally
    finally:
        httpx.Client.send = original_send
