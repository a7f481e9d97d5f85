"""Plumbing every marketplace simulator needs, whatever the marketplace.

A simulator is a standard-library :class:`ThreadingHTTPServer` run in a daemon thread;
this module holds the parts that do not depend on the marketplace's API:

* :class:`Answer`: a status, a JSON-able body (or raw bytes) and headers;
* :class:`SimulatorServer` and :class:`SimulatorHandler`: keep-alive HTTP/1.1 serving that
  hands every request to ``server.simulator.dispatch(method, path, query, headers, body)``;
* :class:`FaultSlot`: the injected fault (``5xx``, ``timeout``, ``malformed``, ``429``…),
  counted down per matching request and optionally limited to paths matching a regex;
* :class:`RateWindows`: fixed request windows per key (a seller and a service group);
* :func:`basic_credentials` and :func:`run_until_signal` (the ``main()`` loop).

Marketplace packages keep their own routes, error bodies and state; nothing here names a
marketplace.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger("mpdash.marketplaces.simulation")

BASE_FAULT_MODES = ("5xx", "timeout", "malformed", "429")


@dataclass
class Answer:
    status: int
    body: Any = None  # JSON-able, or raw bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    """``(user, password)`` of an HTTP Basic ``Authorization`` header, or ``(None, None)``."""
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else (None, None)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    if count is not None and (not _is_int(count) or count < 1):
        raise ValueError("count must be a positive whole number or null (until cleared)")
    path = fault.get("path")
    if path is not None:
        re.compile(path)  # re.error is a ValueError
    status = fault.get("status", 500)
    if not _is_int(status) or not 500 <= status <= 599:
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

    def take(self, path: str) -> dict[str, Any] | None:
        """The fault this request suffers, if any; counts it down and clears it at zero."""
        with self._lock:
            fault = self._fault
            if not fault:
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


class Dispatcher(Protocol):
    def dispatch(self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> Answer: ...


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # hundreds of clients may connect at once
    simulator: Dispatcher
    label = "simulator"

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the client went away (e.g. it timed out first)
        logger.exception("%s: error while answering %s", self.label, client_address)


class SimulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real APIs
    disable_nagle_algorithm = True  # headers and body go out in separate writes; don't wait for ACKs
    server_version = "MarketplaceSimulator/1.0"
    server: SimulatorServer

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def keep_blank_values(self, path: str) -> bool:
        """Whether ``a=`` counts as a parameter given empty (True) or as not given."""
        return True

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=self.keep_blank_values(parts.path))
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        answer = self.server.simulator.dispatch(method, parts.path, query, self.headers, body)
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        payload = answer.encoded()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-correlation-id", str(uuid.uuid4()))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class Stoppable(Protocol):
    @property
    def stopped(self) -> bool: ...

    def stop(self) -> None: ...


def run_until_signal(simulator: Stoppable) -> None:
    """Block until SIGINT/SIGTERM (or the simulator stops), then stop it."""
    stop_requested = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stop_requested.set()) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not (stop_requested.wait(0.2) or simulator.stopped):
            pass
    finally:
        simulator.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
