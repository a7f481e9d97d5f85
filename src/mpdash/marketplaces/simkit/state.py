"""The base of every simulator's in-memory marketplace: lock, options, clock, faults, rate windows."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .clock import Clock, Timeline
from .faults import FaultSlot, RateWindows
from .options import OptionSet


class SimState:
    """Options, the clock and its timeline, the fault, rate windows and the request count.

    A marketplace subclasses it, declares ``OPTIONS`` and fills ``clear()`` with its data;
    every public method of the subclass works inside ``with self.current():`` (the lock held,
    and everything that fell due carried out first). The request pipeline runs each endpoint
    that way already, so a method only endpoints call need not take it again.
    """

    OPTIONS: OptionSet = OptionSet()

    def __init__(self, options: dict[str, Any] | None = None, clock: Clock | None = None):
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.timeline = Timeline(self.clock)
        self._options = self.OPTIONS.defaults()
        self._options.update(self.OPTIONS.validate(options or {}))
        self.faults = FaultSlot()
        self.faults.set(self._options.get("fault"))
        self.rates = RateWindows()
        self.stopping = threading.Event()
        self._advancing = False
        self.requests_total = 0
        with self.lock:
            self.clear()

    # --- to fill in ---------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every record (called at start and by ``reset()``, lock held)."""
        self.timeline.clear()

    def configured(self, clean: dict[str, Any]) -> None:
        """React to changed options (lock held), e.g. restart the shopper."""

    # --- options ------------------------------------------------------------------------
    def option(self, name: str) -> Any:
        return self._options[name]

    def options(self) -> dict[str, Any]:
        with self.lock:
            options = copy.deepcopy(self._options)
        if "fault" in options:
            options["fault"] = self.faults.current()
        return options

    def configure(self, changes: dict[str, Any]) -> dict[str, Any]:
        clean = self.OPTIONS.validate(changes)
        with self.current():  # what fell due under the old options happens under them
            self._options.update(clean)
            if "fault" in clean:
                self.faults.set(clean["fault"])
            self.configured(clean)
        return self.options()

    def reset(self) -> None:
        """Forget every record, the counters and the fault; the other options stay."""
        with self.lock:
            self.requests_total = 0
            self.clear()
            if "fault" in self._options:
                self._options["fault"] = None
            self.faults.set(None)
        self.rates.clear()

    # --- time ---------------------------------------------------------------------------
    def advance(self) -> None:
        """Carry out everything that has fallen due (in due order); an event that reads the
        state meanwhile does not start a second round."""
        with self.lock:
            if self._advancing:
                return
            self._advancing = True
            try:
                self.timeline.advance()
                self.tick(self.clock.now())
            finally:
                self._advancing = False

    def tick(self, now: float) -> None:
        """What falls due other than timeline events (a shopper's ticker), lock held."""

    @contextmanager
    def current(self) -> Iterator[None]:
        """The lock held, with the state brought to the present."""
        with self.lock:
            self.advance()
            yield

    def view_of(self, table: str, key: Any, show: Callable[[Any], Any] = copy.deepcopy) -> Any:
        """``show(record)`` of record ``key`` of the mapping attribute ``table``, with the state
        current; None when there is no such record (for a simulator's inspection helpers)."""
        with self.current():
            found = getattr(self, table).get(key)
            return show(found) if found else None

    def views_of(self, table: str, show: Callable[[Any], Any] = copy.deepcopy) -> list[Any]:
        """``show(record)`` of every record of the mapping attribute ``table``, with the state current."""
        with self.current():
            return [show(record) for record in getattr(self, table).values()]

    def wait_until(self, done: Callable[[], bool], until: Callable[[], float | None], timeout: float) -> bool:
        """Advance until ``done()`` (checked under the lock); ``until()`` says when the work
        waited for falls due, so the wait sleeps no longer than needed. False on timeout."""
        deadline = self.clock.now() + self.clock.speed * timeout
        while True:
            with self.current():
                if done():
                    return True
                last = until()
            now = self.clock.now()
            if now >= deadline or self.stopping.is_set():
                return False
            target = min(last if last is not None else now + 0.05, deadline)
            self.stopping.wait(max(0.001, min(self.clock.real_seconds(target - now), 0.05)))

    def stop(self) -> None:
        self.stopping.set()

    def count_request(self) -> None:
        with self.lock:
            self.requests_total += 1
