"""The one request pipeline of every simulated API:

    count → latency → route → fault → credentials → rate window → endpoint

A marketplace API subclasses :class:`Api` and fills in its routes (``on_<name>`` methods),
its error body (:meth:`Api.error`), its credential check (:meth:`Api.check_caller`) and its
rate window (:meth:`Api.rate_window`); the order of the steps and the fault modes are here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .faults import BASE_FAULT_MODES
from .wire import Answer, Refusal

if TYPE_CHECKING:
    from .lifecycle import Simulator


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str  # the endpoint is the API's ``on_<name>`` method
    group: str = ""  # a rate-limit group, or any tag the API reads
    faults: tuple[str, ...] = ()  # the marketplace's own fault modes this route suffers


def route(method: str, pattern: str, name: str, group: str = "", *, faults: tuple[str, ...] = (),
          ignore_case: bool = False) -> Route:
    """A route whose ``pattern`` matches the whole path (a trailing slash allowed)."""
    return Route(method, re.compile(f"^{pattern}/?$", re.I if ignore_case else 0), name, group, faults)


@dataclass
class Request:
    method: str
    path: str  # as received (the API's prefix included)
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    options: dict[str, Any]
    route: Route | None = None
    params: dict[str, str] = field(default_factory=dict)
    fault: dict[str, Any] | None = None  # a fault of the marketplace's own mode, for the endpoint to act on

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass(frozen=True)
class RateWindow:
    key: str
    limit: int | None
    seconds: float


class Api:
    """One API (a host or a service) of a simulated marketplace."""

    routes: tuple[Route, ...] = ()
    prefixes: tuple[str, ...] = ()  # paths this API serves (lower case); () = every path
    prefix: str = ""  # stripped before routing (a gateway prefix such as "/integration")
    # texts of the answers the pipeline gives on the marketplace's behalf
    server_failure = "Simulated server failure"
    too_many_requests = "Too Many Requests"
    gateway_timeout = "Gateway Timeout"
    malformed = b'{"id": "3957bf91-a1ee-46\x00<html><body>Bad gateway</body></html>'

    def __init__(self, simulator: Simulator):
        self.sim = simulator
        self.state = simulator.state

    def serves(self, path: str) -> bool:
        return not self.prefixes or path.lower().startswith(self.prefixes)

    # --- the pipeline ---------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: Mapping[str, str],
               body: bytes) -> Answer:
        self.state.count_request()
        options = self.state.options()
        if options.get("latency"):
            self.sim.wait(options["latency"])
        request = Request(method, path, query, headers, body, options)
        refused = self.find_route(request)
        if refused is not None:
            return refused
        fault = self.state.faults.take(path, (*BASE_FAULT_MODES, *request.route.faults))
        if fault and fault["mode"] not in BASE_FAULT_MODES:
            request.fault = fault  # the endpoint acts on it (e.g. accepts an upload that fails later)
        elif fault and fault["mode"] != "timeout_after":
            return self.fault_answer(fault, request)
        refused = self.check_caller(request)
        if refused is not None:
            return refused
        window = self.rate_window(request)
        headers_out: dict[str, str] = {}
        if window is not None and window.limit:
            allowed, remaining, reset = self.state.rates.spend(window.key, window.limit, window.seconds)
            headers_out = self.rate_headers(window.limit, remaining, reset)
            if not allowed:
                answer = self.rate_refused(request, window, reset)
                answer.headers.update(headers_out)
                return answer
        try:
            with self.state.current():  # endpoints work on the state brought to the present, lock held
                answer = self.endpoint(request)
        except Refusal as refusal:
            answer = self.refusal_answer(refusal, request)
        if fault and fault["mode"] == "timeout_after":
            self.sim.wait(options["timeout_sleep"])  # done, but the caller never hears of it
            return self.error(504, self.gateway_timeout, request)
        answer.headers.update(headers_out)
        return answer

    def find_route(self, request: Request) -> Answer | None:
        """Set ``request.route`` and ``params``, or answer 404/405."""
        path = request.path
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                return self.not_found(request)
            path = path[len(self.prefix):]
        path_matched = False
        for candidate in self.routes:
            match = candidate.pattern.match(path)
            if match:
                path_matched = True
                if candidate.method == request.method:
                    request.route = candidate
                    request.params = {k: unquote(v) for k, v in match.groupdict().items()}
                    return None
        return self.not_allowed(request) if path_matched else self.not_found(request)

    # --- to fill in (defaults shown) --------------------------------------------------------
    def endpoint(self, request: Request) -> Answer:
        """The route's ``on_<name>(request)``."""
        return getattr(self, f"on_{request.route.name}")(request)

    def error(self, status: int, message: str, request: Request, *, key: str | None = None,
              headers: dict[str, str] | None = None) -> Answer:
        """The marketplace's error body."""
        return Answer(status, {"status": status, "message": message}, headers or {})

    def refusal_answer(self, refusal: Refusal, request: Request) -> Answer:
        return self.error(refusal.status, refusal.message, request, key=refusal.key)

    def not_found(self, request: Request) -> Answer:
        return self.error(404, "No endpoint here", request)

    def not_allowed(self, request: Request) -> Answer:
        return self.error(405, f"Request method '{request.method}' is not supported", request)

    def check_caller(self, request: Request) -> Answer | None:
        """Refuse a caller without the right credentials (None: let it in)."""
        return None

    def rate_window(self, request: Request) -> RateWindow | None:
        """The window this request is counted in (None: not limited)."""
        return None

    def rate_headers(self, limit: int, remaining: int, reset: float) -> dict[str, str]:
        return {}

    def rate_refused(self, request: Request, window: RateWindow, reset: float) -> Answer:
        return self.error(429, self.too_many_requests, request)

    def fault_answer(self, fault: dict[str, Any], request: Request) -> Answer:
        """What an injected fault answers instead of the endpoint."""
        mode = fault["mode"]
        if mode == "5xx":
            return self.error(fault["status"], self.server_failure, request)
        if mode == "429":
            return self.error(429, self.too_many_requests, request, headers=self.fault_headers(request))
        if mode == "malformed":
            return Answer(200, self.malformed)
        # "timeout": hold the answer, then give up like a gateway would (nothing is done).
        self.sim.wait(request.options["timeout_sleep"])
        return self.error(504, self.gateway_timeout, request)

    def fault_headers(self, request: Request) -> dict[str, str]:
        """The headers of an injected 429 (e.g. the rate-limit headers a real one carries)."""
        return {}


def reset_header(reset: float) -> str:
    """Whole seconds until a window resets, at least 1 (an ``X-RateLimit-Reset`` value)."""
    return str(max(1, math.ceil(reset)))
