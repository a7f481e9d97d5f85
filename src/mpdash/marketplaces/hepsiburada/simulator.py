"""A local HTTP server that speaks Hepsiburada's listing API, for tests, demos and load runs.

Standard library only (``http.server``), so it starts in milliseconds. ``serve()`` runs it
in a daemon thread and returns a :class:`HepsiburadaSimulator`; ``python -m
mpdash.marketplaces.hepsiburada.simulator --port 8765`` runs it in the foreground.

API paths (Basic auth and the User-Agent checked on each):

* ``GET  /listings/merchantid/{mid}?offset=&limit=[&merchantSkuList=a,b][&hbSkuList=…]``
* ``POST /listings/merchantid/{mid}/{stock|price|inventory}-uploads`` → ``{"id": "<uuid>"}``
* ``GET  /listings/merchantid/{mid}/{stock|price|inventory}-uploads/id/{id}``

Control paths (no auth): ``GET /_sim/state[?sku=]``, ``GET /_sim/stats``,
``GET /_sim/history[?sku=]``, ``GET /_sim/uploads/{id}``, ``GET|POST /_sim/config``,
``POST /_sim/reset``, ``POST /_sim/listings``.

Error bodies use the Spring shape ``{timestamp, status, error, message, path}`` that
Hepsiburada's services were recorded answering a 404 with; for 401/403/429 on the listing
host the exact body is not documented, so that shape is a guess.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import logging
import math
import re
import signal
import sys
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .config import MAX_SKUS_PER_LISTINGS_QUERY
from .simulator_state import UPLOAD_KINDS, SimulatorState

logger = logging.getLogger("mpdash.marketplaces.hepsiburada.simulator")

_MERCHANT = r"/listings/merchantid/(?P<mid>[^/]+)"
_KINDS = "|".join(UPLOAD_KINDS)
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(rf"^{_MERCHANT}/?$", re.I), "listings"),
    ("POST", re.compile(rf"^{_MERCHANT}/(?P<kind>{_KINDS})-uploads/?$", re.I), "upload"),
    ("GET", re.compile(rf"^{_MERCHANT}/(?P<kind>{_KINDS})-uploads/id/(?P<id>[^/]+)/?$", re.I), "upload_status"),
]


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


def error_answer(status: int, message: str, path: str, headers: dict[str, str] | None = None) -> Answer:
    body = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "status": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
        "path": path,
    }
    return Answer(status, body, headers or {})


class ListingApi:
    """The listing API's behaviour, independent of the HTTP plumbing."""

    def __init__(self, state: SimulatorState, stop_event: threading.Event):
        self.state = state
        self.stop_event = stop_event

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: Mapping[str, str], body: bytes
    ) -> Answer:
        self.state.count_request()
        options = self.state.options()
        if options["latency"]:
            self.stop_event.wait(options["latency"])
        route = self._route(method, path)
        if isinstance(route, Answer):
            return route
        name, params = route
        fault = self.state.take_fault(path, is_upload=(name == "upload"))
        if fault and fault["mode"] != "failed_upload":
            return self._fault_answer(fault, path, options)
        refused = self._check_caller(headers, params["mid"], path, options)
        if refused:
            return refused
        allowed, limit, remaining, reset = self.state.spend_rate(params["mid"])
        rate_headers = {}
        if limit is not None:
            rate_headers = {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": str(max(1, math.ceil(reset))),
            }
        if not allowed:
            return error_answer(429, "Too Many Requests", path, rate_headers)
        if name == "listings":
            answer = self._listings(params["mid"], query, path)
        elif name == "upload":
            answer = self._upload(params["mid"], params["kind"].lower(), body, path, failing=bool(fault))
        else:
            answer = self._upload_status(params["mid"], params["kind"].lower(), params["id"], path)
        answer.headers.update(rate_headers)
        return answer

    # --- gatekeeping ------------------------------------------------------------------
    @staticmethod
    def _route(method: str, path: str) -> tuple[str, dict[str, str]] | Answer:
        path_matched = False
        for route_method, pattern, name in ROUTES:
            match = pattern.match(path)
            if match:
                path_matched = True
                if route_method == method:
                    return name, {k: unquote(v) for k, v in match.groupdict().items()}
        if path_matched:
            return error_answer(405, f"Request method '{method}' is not supported", path)
        return error_answer(404, "No endpoint here", path)

    def _fault_answer(self, fault: dict[str, Any], path: str, options: dict[str, Any]) -> Answer:
        mode = fault["mode"]
        if mode == "5xx":
            return error_answer(fault["status"], "Simulated server failure", path)
        if mode == "429":
            return error_answer(429, "Too Many Requests", path, {
                "X-RateLimit-Limit": str(options["rate_limit"] or 50),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "2",
            })
        if mode == "malformed":
            return Answer(200, b'{"id": "3957bf91-a1ee-46\x00<html><body>Bad gateway</body></html>')
        # "timeout": hold the answer, then give up like a gateway would (nothing is processed).
        self.stop_event.wait(options["timeout_sleep"])
        return error_answer(504, "Gateway Timeout", path)

    @staticmethod
    def _check_caller(headers: Mapping[str, str], merchant_id: str, path: str, options: dict[str, Any]) -> Answer | None:
        user, password = _basic_credentials(headers.get("Authorization"))
        if user != options["username"] or password != options["password"]:
            return error_answer(401, "Unauthorized: invalid or missing Basic credentials", path,
                                {"WWW-Authenticate": 'Basic realm="listing-external"'})
        if headers.get("User-Agent") != options["user_agent"]:
            return error_answer(403, "Forbidden: the User-Agent header is missing or not registered for this integrator", path)
        if merchant_id.lower() != options["merchant_id"].lower():
            return error_answer(403, f"Forbidden: merchant {merchant_id} is not accessible with these credentials", path)
        return None

    # --- endpoints --------------------------------------------------------------------
    def _listings(self, merchant_id: str, query: dict[str, list[str]], path: str) -> Answer:
        try:
            offset = int(query["offset"][0])
            limit = int(query["limit"][0])
        except (KeyError, ValueError, IndexError):
            return error_answer(400, "Bad Request limit and offset parameters are required", path)
        if offset < 0 or limit < 1:
            return error_answer(400, "Bad Request offset must be >= 0 and limit >= 1", path)
        filters = {}
        for name in ("merchantSkuList", "hbSkuList"):
            if name in query:
                skus = [s.strip() for v in query[name] for s in v.split(",") if s.strip()]
                if len(skus) > MAX_SKUS_PER_LISTINGS_QUERY:
                    return error_answer(400, f"Bad Request at most {MAX_SKUS_PER_LISTINGS_QUERY} skus in {name}", path)
                filters[name] = skus
        page, total = self.state.listings_page(offset, limit, filters.get("merchantSkuList"), filters.get("hbSkuList"))
        return Answer(200, {"listings": page, "totalCount": total, "limit": limit, "offset": offset})

    def _upload(self, merchant_id: str, kind: str, body: bytes, path: str, failing: bool) -> Answer:
        try:
            items = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            return error_answer(400, "JSON parse error: the request body is not valid JSON", path)
        if not isinstance(items, list) or not items:
            return error_answer(400, "The request body must be a non-empty JSON array of listings", path)
        if not all(isinstance(item, dict) for item in items):
            return error_answer(400, "Every element of the request body must be a JSON object", path)
        most = self.state.options()["max_items_per_upload"]
        if len(items) > most:
            return error_answer(400, f"An upload may carry at most {most} listings; this one has {len(items)}", path)
        try:
            upload = self.state.accept_upload(kind, merchant_id, items, fail_whole=failing)
        except ValueError as refused:
            return error_answer(400, str(refused), path)
        return Answer(200, {"id": upload.id})

    def _upload_status(self, merchant_id: str, kind: str, upload_id: str, path: str) -> Answer:
        status = self.state.upload_status(kind, merchant_id, upload_id)
        if status is None:
            return error_answer(404, f"No {kind} upload with id {upload_id}", path)
        return Answer(200, status)


def _basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else (None, None)


class ControlApi:
    """The ``/_sim/`` endpoints: inspect and steer the simulator over HTTP."""

    def __init__(self, simulator: HepsiburadaSimulator):
        self.sim = simulator

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        try:
            payload = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            return error_answer(400, "the body is not valid JSON", path)
        sku = query.get("sku", [None])[0]
        try:
            if method == "GET" and path == "/_sim/state":
                if sku is not None:
                    listing = self.sim.listing(sku)
                    return Answer(200, {"listing": listing}) if listing else error_answer(404, f"no listing {sku}", path)
                return Answer(200, {"merchant_id": self.sim.options["merchant_id"], "counters": self.sim.counters(),
                                    "listings": self.sim.listings()})
            if method == "GET" and path == "/_sim/stats":
                return Answer(200, self.sim.counters())
            if method == "GET" and path == "/_sim/history":
                return Answer(200, {"history": self.sim.history(sku)})
            if method == "GET" and path.startswith("/_sim/uploads/"):
                upload = self.sim.upload(path.rsplit("/", 1)[-1])
                return Answer(200, upload) if upload else error_answer(404, "no such upload", path)
            if path == "/_sim/config" and method in ("GET", "POST"):
                if method == "POST":
                    if not isinstance(payload, dict):
                        return error_answer(400, "POST /_sim/config takes a JSON object of options", path)
                    self.sim.configure(**payload)
                return Answer(200, _public_options(self.sim.options))
            if method == "POST" and path == "/_sim/reset":
                self.sim.reset()
                return Answer(200, {"ok": True})
            if method == "POST" and path == "/_sim/listings":
                listings = payload.get("listings") if isinstance(payload, dict) else payload
                return Answer(200, {"added": self.sim.add_listings(listings)})
        except ValueError as exc:
            return error_answer(400, str(exc), path)
        return error_answer(404, "unknown simulator control endpoint", path)


def _public_options(options: dict[str, Any]) -> dict[str, Any]:
    return {**options, "password": "********"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # hundreds of clients may connect at once
    simulator: HepsiburadaSimulator

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the client went away (e.g. it timed out first)
        logger.exception("Hepsiburada simulator: error while answering %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API
    disable_nagle_algorithm = True  # headers and body go out in separate writes; don't wait for ACKs
    server_version = "HepsiburadaSimulator/1.0"
    server: _Server

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

    def _dispatch(self, method: str) -> None:
        sim = self.server.simulator
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        if parts.path.startswith("/_sim/"):
            answer = sim.control.handle(method, parts.path, query, body)
        else:
            answer = sim.api.handle(method, parts.path, query, self.headers, body)
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


class HepsiburadaSimulator:
    """A running simulator: its address, its options and thread-safe inspection helpers."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any):
        self._state = SimulatorState(options)
        self._stop_event = threading.Event()
        self.api = ListingApi(self._state, self._stop_event)
        self.control = ControlApi(self)
        self._server = _Server((host, port), _Handler)
        self._server.simulator = self
        self.host = host
        self.port: int = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="hepsiburada-sim", daemon=True
        )
        self._stopped = False

    def start(self) -> HepsiburadaSimulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self._stop_event.set()  # wake handlers held by latency or the timeout fault
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        self._state.stop()

    @property
    def stopped(self) -> bool:
        return self._stopped

    def __enter__(self) -> HepsiburadaSimulator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- steering ---------------------------------------------------------------------
    @property
    def options(self) -> dict[str, Any]:
        return self._state.options()

    def configure(self, **options: Any) -> dict[str, Any]:
        """Change options (same names as ``serve()``); returns them all."""
        return self._state.configure(options)

    def reset(self) -> None:
        """Drop listings, uploads, history, counters and the fault; keep the other options."""
        self._state.reset()

    def add_listings(self, listings: list[dict[str, Any]]) -> int:
        """Create or overwrite listings: ``[{merchantSku, price, availableStock, …}]``."""
        return self._state.add_listings(listings)

    def adapter_config(self) -> dict[str, Any]:
        """Channel config keys that point an adapter at this simulator."""
        options = self.options
        return {
            "listing_url": self.url,
            "merchant_id": options["merchant_id"],
            "username": options["username"],
            "password": options["password"],
            "user_agent": options["user_agent"],
        }

    # --- inspection -------------------------------------------------------------------
    def listing(self, sku: str) -> dict[str, Any] | None:
        return self._state.listing(sku)

    def listings(self) -> list[dict[str, Any]]:
        return self._state.all_listings()

    def history(self, sku: str | None = None) -> list[dict[str, Any]]:
        """Every applied change in order: ``{upload_id, kind, sku, value, accepted_at, applied_at}``."""
        return self._state.history(sku)

    def upload(self, upload_id: str) -> dict[str, Any] | None:
        return self._state.upload(upload_id)

    def wait_until_applied(self, timeout: float = 10.0) -> bool:
        """Block until every accepted upload is applied; False if ``timeout`` passed first."""
        return self._state.wait_until_applied(timeout)

    @property
    def requests_total(self) -> int:
        return self._state.requests_total

    @property
    def uploads_total(self) -> int:
        return self._state.uploads_total

    def counters(self) -> dict[str, int]:
        return {"requests_total": self.requests_total, "uploads_total": self.uploads_total,
                "listings_total": self._state.listing_count()}


def serve(host: str = "127.0.0.1", port: int = 0, **options: Any) -> HepsiburadaSimulator:
    """Start a simulator in a background thread (port 0 picks a free port) and return it.

    Options (all changeable later with ``configure()`` or ``POST /_sim/config``):
    ``merchant_id``, ``username``, ``password``, ``user_agent`` (what callers must send);
    ``processing_delay`` (s before an upload is applied, default 1); ``latency`` (s added
    to every answer); ``rate_limit`` (requests/s per merchant, default 50, 0 = off);
    ``max_items_per_upload`` (default 4000); ``max_pending_uploads`` (None = no limit;
    Hepsiburada's is 5); ``timeout_sleep`` (s the timeout fault holds an answer, default 30);
    ``fault``: None or ``{"mode": "5xx"|"timeout"|"malformed"|"429"|"failed_upload",
    "count": n or None (until cleared), "path": regex or None, "status": 5xx code}``.
    ``failed_upload`` accepts uploads normally and later marks them ``Failed``.
    """
    return HepsiburadaSimulator(host, port, **options).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mpdash.marketplaces.hepsiburada.simulator",
        description="Run a local Hepsiburada listing API simulator until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--processing-delay", type=float, help="seconds before an upload is applied (default 1)")
    parser.add_argument("--latency", type=float, help="seconds added to every answer (default 0)")
    parser.add_argument("--rate-limit", type=int, help="requests per second per merchant (default 50, 0 = off)")
    parser.add_argument("--max-items-per-upload", type=int, help="largest upload accepted (default 4000)")
    parser.add_argument("--merchant-id")
    parser.add_argument("--username")
    parser.add_argument("--password", help="the service key callers must send")
    parser.add_argument("--user-agent")
    args = parser.parse_args(argv)
    options = {
        key: value for key, value in vars(args).items()
        if key not in ("host", "port") and value is not None
    }
    try:
        simulator = serve(args.host, args.port, **options)
    except (OSError, ValueError) as exc:
        print(f"cannot start the simulator: {exc}", file=sys.stderr)
        return 2
    current = simulator.options
    print(f"Hepsiburada listing simulator on {simulator.url}")
    print(f"  merchant id: {current['merchant_id']}")
    print(f"  username:    {current['username']}")
    print(f"  user agent:  {current['user_agent']}")
    print("  password:    (the configured service key; not shown)")
    print("Ctrl-C to stop.", flush=True)
    stop_requested = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stop_requested.set())
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not (stop_requested.wait(0.2) or simulator.stopped):
            pass
    finally:
        simulator.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
