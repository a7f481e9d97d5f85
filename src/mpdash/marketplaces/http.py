"""The HTTP client every marketplace client builds on.

It owns what must be done the same way for all marketplaces: pooled connections
with timeouts always set, authentication (a provider of :mod:`mpdash.marketplaces.auth`:
Basic, key headers or a bearer token renewed once on a 401), the shared call budget,
one log line per request with
secrets redacted, a bounded record of request/response excerpts for the flow-run
logs, and the mapping of every failure to one of the errors in
:mod:`mpdash.marketplaces.errors`.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterator

import httpx

from mpdash import metrics
from mpdash.redaction import redact, redact_text, redacted_json_head

from .auth import BasicCredentials, Credentials
from .errors import AuthError, MalformedResponse, MarketplaceError, RateLimited, RequestRejected, TransientError
from .ratelimit import CallBudget

logger = logging.getLogger("mpdash.marketplaces.http")

EXCERPT_CHARS = 2000
REDACTION_MARGIN = 4096
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)


@dataclass
class Exchange:
    """One request and its answer, kept (redacted, truncated) for the Logs screen."""

    method: str
    url: str
    status_code: int | None
    duration_ms: float
    request: str
    response: str
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "status_code": self.status_code,
            "duration_ms": round(self.duration_ms, 1),
            "request": self.request,
            "response": self.response,
            "error": self.error,
        }


def _excerpt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        try:
            value = redacted_json_head(value, EXCERPT_CHARS + REDACTION_MARGIN)
        except (TypeError, ValueError):
            value = repr(value)
    # Redact only what can be shown: a big page (1 MB of orders) costs no more than a small
    # one. The margin is longer than any secret, so one cut in half at the edge is redacted
    # whole or falls beyond the final cut.
    longer = len(value) > EXCERPT_CHARS
    value = redact_text(value[: EXCERPT_CHARS + REDACTION_MARGIN])
    return value[:EXCERPT_CHARS] + "…" if longer else value


def _text_parts(files: Any) -> str:
    """The JSON and text parts of a multipart upload, as the Logs screen shows a request (binary
    parts such as images are left out)."""
    if not isinstance(files, dict):
        return ""
    return "\n".join(part[1].decode("utf-8", "replace") for part in files.values()
                     if isinstance(part, tuple) and len(part) >= 3 and isinstance(part[1], bytes)
                     and (part[2] == "application/json" or str(part[2]).startswith("text/")))


def retry_after_seconds(response: httpx.Response, default: float = 1.0) -> float:
    """Seconds to wait after a 429, from ``Retry-After`` or ``X-RateLimit-Reset``."""
    for header in ("Retry-After", "X-RateLimit-Reset"):
        raw = response.headers.get(header)
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            continue
        if value > 10**9:  # an epoch timestamp rather than a delay
            value = value - time.time()
        return max(0.0, min(value, 3600.0))
    return default


def json_error_details(body: str, describe: Callable[[Any], str]) -> str:
    """The readable part of an error body: ``describe`` of its JSON, or its first 300
    characters when it is not JSON."""
    try:
        return describe(json.loads(body))
    except ValueError:
        return body.strip()[:300]


@dataclass(frozen=True)
class Refusal:
    """One line of a marketplace's error table (checked in order before the general mapping).

    An answer whose status is in ``statuses`` (any 4xx but 429 when empty) and whose body holds one of
    ``marks`` (lower case; any body when empty) raises ``error`` with ``message``, in which
    ``{where}`` (method and path), ``{status}`` and ``{details}`` (the readable part of the body,
    else ``no_details``, else its first 300 characters) are filled in. ``retry_after`` is given to
    a RateLimited, read from the answer's headers first when ``from_headers``."""

    error: type[MarketplaceError]
    message: str
    statuses: tuple[int, ...] = ()
    marks: tuple[str, ...] = ()
    no_details: str | None = None
    retry_after: float | None = None
    from_headers: bool = False

    def matches(self, status: int, lower_body: str) -> bool:
        hit = status in self.statuses if self.statuses else 400 <= status < 500 and status != 429
        return hit and (not self.marks or any(mark in lower_body for mark in self.marks))

    def exception(self, where: str, response: httpx.Response, body: str, details: str) -> MarketplaceError:
        shown = details or (body.strip()[:300] if self.no_details is None else self.no_details)
        text = self.message.replace("{where}", where).replace("{status}", str(response.status_code))
        extra: dict[str, Any] = {}
        if self.retry_after is not None:
            extra["retry_after"] = (retry_after_seconds(response, default=self.retry_after) if self.from_headers
                                    else self.retry_after)
        return self.error(text.replace("{details}", shown), status_code=response.status_code, body=body, **extra)


_tls: ssl.SSLContext | None = None
_tls_lock = threading.Lock()


def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client of the process: building one loads the CA
    bundle (tens of milliseconds), and a client is made per flow run and per poll round."""
    global _tls
    with _tls_lock:
        if _tls is None:
            _tls = httpx.create_ssl_context()
        return _tls


@dataclass
class BaseClient:
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    auth: tuple[str, str] | None = None  # Basic (user, password); or give ``credentials``
    credentials: Credentials | None = None
    timeout: httpx.Timeout | float = field(default_factory=lambda: DEFAULT_TIMEOUT)
    budget: CallBudget | None = None
    budget_max_wait: float = 2.0
    transport: httpx.BaseTransport | None = None
    keep_exchanges: int = 20
    # The marketplace's own refusals, checked before the general mapping (see Refusal).
    refusals: ClassVar[tuple[Refusal, ...]] = ()

    def __post_init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self._reserved = 0
        self._reserve_lock = threading.Lock()
        if self.credentials is None and self.auth is not None:
            self.credentials = BasicCredentials(*self.auth)
        self._client = httpx.Client(
            base_url=self.base_url.rstrip("/"),
            headers=self.headers,
            auth=self.credentials,
            timeout=self.timeout,
            transport=self.transport,
            verify=tls_context(),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )

    def close(self) -> None:
        self._client.close()

    @contextmanager
    def reserved(self, calls: int) -> Iterator[None]:
        """Take ``calls`` slots of the call budget at once for the requests made inside the block,
        from any thread: one budget round trip instead of one per request. Slots left unused
        are given up when the block ends (blocks overlapping on one client may give up each
        other's: their requests then take slots one by one, never more than the budget).
        At most the budget's smallest rate is reserved; requests beyond take slots as usual."""
        calls = min(calls, self.budget.largest_weight()) if self.budget is not None else 0
        if calls <= 0:
            yield
            return
        self.budget.acquire(self.budget_max_wait, weight=calls)
        with self._reserve_lock:
            self._reserved += calls
        try:
            yield
        finally:
            with self._reserve_lock:
                self._reserved = max(0, self._reserved - calls)

    def _spend_budget(self) -> None:
        with self._reserve_lock:
            if self._reserved > 0:
                self._reserved -= 1
                return
        self.budget.acquire(self.budget_max_wait)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _remember(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)
        if len(self.exchanges) > self.keep_exchanges:
            del self.exchanges[0]

    def last_exchange(self) -> dict[str, Any] | None:
        return self.exchanges[-1].as_dict() if self.exchanges else None

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        files: Any = None,
        expect_json: bool = True,
        content: str | None = None,
        content_type: str = "text/xml; charset=utf-8",
    ) -> Any:
        """One call; ``content`` (e.g. a SOAP envelope) is sent as the body with ``content_type``
        instead of ``json_body``."""
        if self.budget is not None:
            self._spend_budget()
        started = time.perf_counter()
        url = f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"
        sent = json_body if json_body is not None else (content or _text_parts(files) or params or "")
        request_excerpt = _excerpt(sent)
        extra: dict[str, Any] = {} if content is None else {
            "content": content.encode("utf-8"), "headers": {"Content-Type": content_type}}
        try:
            response = self._client.request(method, path, json=json_body, params=params, files=files, **extra)
        except httpx.TimeoutException as exc:
            self._record(method, url, None, started, request_excerpt, "", f"timeout: {exc}")
            raise TransientError(f"{method} {path}: the marketplace did not answer in time") from exc
        except httpx.TransportError as exc:
            self._record(method, url, None, started, request_excerpt, "", f"connection error: {exc}")
            raise TransientError(f"{method} {path}: could not reach the marketplace ({exc.__class__.__name__})") from exc
        body_text = response.text
        self._record(method, url, response.status_code, started, request_excerpt, body_text, "")
        self.raise_for_status(method, path, response)
        if not expect_json:
            return body_text
        if not body_text.strip():
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponse(
                f"{method} {path}: the marketplace answered {response.status_code} with a body that is not JSON",
                status_code=response.status_code,
                body=_excerpt(body_text),
            ) from exc

    def _record(self, method, url, status, started, request_excerpt, body, error) -> None:
        duration = (time.perf_counter() - started) * 1000
        exchange = Exchange(method, url, status, duration, request_excerpt, _excerpt(body), error)
        self._remember(exchange)
        logger.info("%s %s -> %s in %.0f ms%s", method, url, status or "-", duration, f" ({error})" if error else "")
        metrics.call_finished(self, method, url, status, duration, error)

    @property
    def credentials_hint(self) -> str:
        """What to check when the marketplace refuses the credentials (the provider's keys)."""
        return self.credentials.hint if self.credentials is not None else "the channel's credentials"

    def refusal_details(self, body: str) -> str:
        """The readable part of an error body, for ``{details}`` in refusal messages."""
        return body.strip()[:300]

    def raise_for_status(self, method: str, path: str, response: httpx.Response) -> None:
        """Map a non-2xx answer to one of the marketplace errors: the client's ``refusals``
        first, then the general mapping. Subclasses may refine it."""
        status = response.status_code
        if status < 400:
            return
        where = f"{method} {path}"
        if self.refusals:
            text = redact_text(response.text[:2000])
            lower = text.lower()
            for rule in self.refusals:
                if rule.matches(status, lower):
                    raise rule.exception(where, response, text, self.refusal_details(text))
        body = _excerpt(response.text)
        if status == 429:
            raise RateLimited(
                f"{where}: rate limited by the marketplace",
                retry_after=retry_after_seconds(response),
                status_code=status,
                body=body,
            )
        if status in (401, 403):
            raise AuthError(
                f"{where}: the marketplace refused the credentials ({status}); check {self.credentials_hint}",
                status_code=status,
                body=body,
            )
        if status >= 500:
            raise TransientError(f"{where}: the marketplace failed with {status}", status_code=status, body=body)
        raise RequestRejected(f"{where}: the marketplace rejected the request ({status}): {body[:300]}", status_code=status, body=body)


__all__ = ["BaseClient", "Exchange", "MarketplaceError", "Refusal", "json_error_details", "retry_after_seconds"]
