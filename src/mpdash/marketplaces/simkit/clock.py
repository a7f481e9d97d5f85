"""One clock model for every simulator: time advances lazily, on demand.

Nothing runs in the background. Every request (and every inspection) first carries out
what has fallen due, in due order, under the state's lock (:meth:`SimState.advance`), and
each event runs with the instant it fell due, so results carry logical times that do not
depend on how often the simulator is asked.

Why lazy and not a background applier thread (the other design that was in use): the
outcome is the same for every observer, because nobody can look without asking; there is
no thread to start, wake, join or leak when a test forgets ``stop()``; events of different
kinds (a batch, an approval, a shopper's order, a package's next status) come from one heap
in one order; and a fast clock is just a clock: :class:`Clock` can run ``speed`` times faster
than real time, or be stepped by hand (``clock.step(900)`` makes a 15-minute rule pass at
once), without any sleeping thread to wake.

* :class:`Clock`: simulated monotonic seconds, their wall-clock (epoch) equivalents;
* :class:`Timeline`: the heap of timed events, run by kind;
* :class:`BatchQueue`: the asynchronous batch lifecycle (accepted → processed after a delay,
  never before an earlier one → status answer → forgotten after the retention);
* :class:`Approvals`: a marketplace's decision on each new or changed product, due after a
  delay (one pending per product; a new one replaces it), with rejections marked in advance;
* :class:`Ticker`: the instants a recurring thing (the shopper's orders) falls due at a rate.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Clock:
    """Monotonic seconds as the simulator sees them: real time times ``speed``, plus steps."""

    def __init__(self, speed: float = 1.0):
        if speed <= 0:
            raise ValueError("clock speed must be > 0")
        self.speed = speed
        self._origin = time.monotonic()
        self._wall_origin = time.time()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._origin + (time.monotonic() - self._origin) * self.speed + self._offset

    def step(self, seconds: float) -> None:
        """Jump ahead (the next request carries out what fell due meanwhile)."""
        with self._lock:
            self._offset += seconds

    def epoch(self, instant: float | None = None) -> float:
        """The simulated wall-clock time (epoch seconds) of a clock instant (now when None): it
        runs with the clock, so a stepped or fast clock's dates run ahead of the real ones."""
        return self._wall_origin + ((self.now() if instant is None else instant) - self._origin)

    def real_seconds(self, seconds: float) -> float:
        """How long to really wait for ``seconds`` of this clock to pass."""
        return seconds / self.speed


@dataclass(order=True)
class Event:
    due: float
    seq: int
    kind: str = field(compare=False)
    payload: Any = field(compare=False)


class Timeline:
    """Timed events by kind; ``advance`` runs every event due by now (the caller holds the lock)."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._heap: list[Event] = []
        self._seq = itertools.count()
        self._handlers: dict[str, Callable[[Any, float], None]] = {}

    def on(self, kind: str, handler: Callable[[Any, float], None]) -> None:
        """``handler(payload, instant)`` runs each event of ``kind`` when it falls due."""
        self._handlers[kind] = handler

    def at(self, due: float, kind: str, payload: Any = None) -> Event:
        event = Event(due, next(self._seq), kind, payload)
        heapq.heappush(self._heap, event)
        return event

    def after(self, delay: float, kind: str, payload: Any = None) -> Event:
        return self.at(self.clock.now() + delay, kind, payload)

    def cancel(self, kind: str, matches: Callable[[Any], bool]) -> int:
        kept = [e for e in self._heap if not (e.kind == kind and matches(e.payload))]
        dropped = len(self._heap) - len(kept)
        if dropped:
            heapq.heapify(kept)
            self._heap = kept
        return dropped

    def advance(self, now: float | None = None) -> int:
        """Run every event due by ``now``, in due order; how many ran."""
        now = self.clock.now() if now is None else now
        ran = 0
        while self._heap and self._heap[0].due <= now:
            event = heapq.heappop(self._heap)
            self._handlers[event.kind](event.payload, event.due)
            ran += 1
        return ran

    def last_due(self, kinds: tuple[str, ...] | None = None) -> float | None:
        """When the last pending event (of these kinds) falls due, or None."""
        return max((e.due for e in self._heap if kinds is None or e.kind in kinds), default=None)

    def next_due(self) -> float | None:
        return self._heap[0].due if self._heap else None

    def pending(self, kinds: tuple[str, ...] | None = None) -> int:
        return sum(1 for e in self._heap if kinds is None or e.kind in kinds)

    def clear(self) -> None:
        self._heap.clear()


@dataclass
class Batch:
    """One accepted batch (an upload, an import, a batch request) and what became of it."""

    id: str
    kind: str
    owner: str  # the merchant or seller that sent it
    items: list[Any]
    accepted_at: float  # epoch seconds
    due: float  # clock instant at which it is processed
    extra: dict[str, Any] = field(default_factory=dict)  # the marketplace's own notes (a failure to come…)
    results: list[Any] | None = None  # per item, once processed
    processed_at: float | None = None  # epoch seconds (logical: when it fell due)

    @property
    def processed(self) -> bool:
        return self.results is not None


class BatchQueue:
    """Batches processed in acceptance order, each ``delay`` seconds after it was accepted (and
    never before an earlier one); ``process(batch, epoch)`` returns the per-item results.
    Processed batches older than ``retention()`` seconds are forgotten (None: kept)."""

    def __init__(self, timeline: Timeline, name: str, process: Callable[[Batch, float], list[Any]],
                 retention: Callable[[], float | None] = lambda: None):
        self.timeline, self.name, self.process, self.retention = timeline, name, process, retention
        self._batches: OrderedDict[str, Batch] = OrderedDict()
        self._last_due = 0.0
        self.total = 0
        timeline.on(name, self._run)

    def accept(self, kind: str, owner: str, items: list[Any], delay: float, *, batch_id: str | None = None,
               **extra: Any) -> Batch:
        now = self.timeline.clock.now()
        self._last_due = max(now + delay, self._last_due)
        batch = Batch(batch_id or str(uuid.uuid4()), kind, owner, items, self.timeline.clock.epoch(now),
                      self._last_due, extra)
        self._batches[batch.id] = batch
        self.timeline.at(batch.due, self.name, batch.id)
        self.total += 1
        self._forget_old()
        return batch

    def _run(self, batch_id: str, instant: float) -> None:
        batch = self._batches.get(batch_id)
        if batch is not None and not batch.processed:
            at = self.timeline.clock.epoch(instant)
            batch.results = self.process(batch, at)
            batch.processed_at = at

    def _forget_old(self) -> None:
        retention = self.retention()
        if retention is None:
            return
        cutoff = self.timeline.clock.epoch() - retention
        while self._batches:
            oldest = next(iter(self._batches.values()))
            if not oldest.processed or oldest.accepted_at >= cutoff:
                break
            del self._batches[oldest.id]

    def get(self, batch_id: str) -> Batch | None:
        return self._batches.get(batch_id)

    def waiting(self, owner: str | None = None) -> int:
        """How many batches (of ``owner``) are not processed yet."""
        return sum(1 for b in self._batches.values() if not b.processed and (owner is None or b.owner == owner))

    def last_due(self) -> float | None:
        return max((b.due for b in self._batches.values() if not b.processed), default=None)

    def clear(self) -> None:
        self._batches.clear()
        self._last_due = 0.0
        self.total = 0


class Approvals:
    """Decisions due at an instant, one pending per key; ``decide(key, instant)`` runs when one
    falls due (it reads a rejection marked in advance with :meth:`take_mark`)."""

    def __init__(self, timeline: Timeline, name: str, decide: Callable[[str, float], None]):
        self.timeline, self.name, self.decide = timeline, name, decide
        self._tokens: dict[str, int] = {}
        self._marks: dict[str, Any] = {}
        self._seq = itertools.count()
        timeline.on(name, self._due)

    def schedule(self, key: str, due: float) -> None:
        """Decide ``key`` at ``due`` (instead of any decision still pending for it)."""
        self.cancel(key)
        token = self._tokens[key] = next(self._seq)
        self.timeline.at(due, self.name, (key, token))

    def cancel(self, key: str) -> None:
        if self._tokens.pop(key, None) is not None:
            self.timeline.cancel(self.name, lambda payload: payload[0] == key)

    def waiting(self, key: str) -> bool:
        return key in self._tokens

    def mark(self, key: str, rejection: Any) -> None:
        """Reject ``key`` (with this reason) when its decision falls due."""
        self._marks[key] = rejection

    def take_mark(self, key: str) -> Any:
        return self._marks.pop(key, None)

    def _due(self, payload: tuple[str, int], instant: float) -> None:
        key, token = payload
        if self._tokens.get(key) == token:
            del self._tokens[key]
            self.decide(key, instant)


class Ticker:
    """The instants something recurring falls due at ``rate`` per second (the shopper's orders).

    The first falls due ``1 / rate`` after the rate was set; a backlog (nobody asked for a
    while) is caught up to at most ``burst_max`` instants at once, the rest is dropped.
    """

    def __init__(self, burst_max: int = 10_000):
        self.burst_max = burst_max
        self.rate = 0.0
        self._mark: float | None = None

    def set_rate(self, rate: float, now: float) -> None:
        self.rate = rate
        self._mark = now if rate else None

    def due(self, now: float) -> list[float]:
        if not self.rate or self._mark is None:
            return []
        count = int((now - self._mark) * self.rate)
        if count <= 0:
            return []
        instants = [self._mark + (n + 1) / self.rate for n in range(min(count, self.burst_max))]
        self._mark += count / self.rate
        return instants
