"""The HTTP plumbing: a keep-alive ``ThreadingHTTPServer`` that hands every request to
``server.simulator.dispatch(method, path, query, headers, body)``, and the foreground loop of
``main()``."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from .wire import Answer

logger = logging.getLogger("mpdash.marketplaces.simkit")


class Dispatcher(Protocol):
    def dispatch(self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> Answer: ...

    def keep_blank_values(self, path: str) -> bool: ...


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

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        simulator = self.server.simulator
        query = parse_qs(parts.query, keep_blank_values=simulator.keep_blank_values(parts.path))
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        self._send(simulator.dispatch(method, parts.path, query, self.headers, body))

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
