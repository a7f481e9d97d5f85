"""Fault injection and rate windows, the same for every simulated marketplace.

A fault is ``{"mode", "count", "path", "status"}``: ``mode`` is one of :data:`BASE_FAULT_MODES`
(or a marketplace's own extra mode), ``count`` how many matching requests suffer it (None:
until cleared), ``path`` a regex a request's path must match, ``status`` the 5xx code.

* ``5xx``: the marketplace's server-error body with ``status``; nothing is done;
* ``429``: the marketplace's rate-limit answer; nothing is done;
* ``timeout``: the answer is held ``timeout_sleep`` seconds, then a 504; nothing is done;
* ``timeout_after``: the request IS carried out, then the answer is held and a 504 sent
  (the client cannot tell whether it landed);
* ``malformed``: a 200 whose body is broken JSON; nothing is done.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from .wire import is_int

BASE_FAULT_MODES = ("5xx", "timeout", "timeout_after", "malformed", "429")


def validate_fault(fault: Any, modes: tuple[str, ...] = BASE_FAULT_MODES) -> dict[str, Any] | None:
    """Check a fault option: ``None`` or ``{"mode", "count", "path", "status"}``; raise ValueError."""
    if fault is None:
        return None
    if not isinstance(fault, dict):
        raise ValueError('must be null or {"mode": ..., "count": ..., "path": ...}')  # noqa: TRY004 (an option error)
    unknown = set(fault) - {"mode", "count", "path", "status"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    mode = fault.get("mode")
    if mode not in modes:
        raise ValueError(f"mode must be one of {', '.join(modes)}")
    count = fault.get("count")
    if count is not None and (not is_int(count) or count < 1):
        raise ValueError("count must be a positive whole number or null (until cleared)")
    path = fault.get("path")
    if path is not None:
        re.compile(path)  # re.error is a ValueError
    status = fault.get("status", 500)
    if not is_int(status) or not 500 <= status <= 599:
        raise ValueError("status must be a 5xx code")
    return {"mode": mode, "count": count, "path": path, "status": status}


class FaultSlot:
    """The one fault in force: taken by matching requests until its count runs out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fault: dict[str, Any] | None = None
        self._path_re: re.Pattern[str] | None = None

    def set(self, fault: dict[str, Any] | None) -> None:
        """Install an already validated fault (or clear it with None)."""
        with self._lock:
            self._fault = dict(fault) if fault else None
            self._path_re = re.compile(fault["path"]) if fault and fault.get("path") else None

    def current(self) -> dict[str, Any] | None:
        with self._lock:
            return dict(self._fault) if self._fault else None

    def take(self, path: str, modes: frozenset[str] | tuple[str, ...] = BASE_FAULT_MODES) -> dict[str, Any] | None:
        """The fault this request suffers, if any (only ``modes`` apply to it); counts it down
        and clears it at zero."""
        with self._lock:
            fault = self._fault
            if not fault or fault["mode"] not in modes:
                return None
            if self._path_re is not None and not self._path_re.search(path):
                return None
            if fault["count"] is not None:
                left = fault["count"] - 1
                if left > 0:
                    self._fault = {**fault, "count": left}
                else:
                    self._fault, self._path_re = None, None
            return dict(fault)


class RateWindows:
    """Fixed windows of ``limit`` requests per ``seconds``, one per key; a key's window
    opens with its first request and a new one with the first request after it ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()

    def spend(self, key: str, limit: int | None, seconds: float) -> tuple[bool, int, float]:
        """Count one request: ``(allowed, remaining, seconds until the window resets)``."""
        if not limit:
            return True, 0, 0.0
        now = time.monotonic()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= seconds:
                start, count = now, 0
            reset = max(0.0, start + seconds - now)
            if count >= limit:
                return False, 0, reset
            self._windows[key] = (start, count + 1)
            return True, limit - count - 1, reset
