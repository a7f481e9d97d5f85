"""HTTP client of Walmart's Marketplace API (US) for one seller.

Every call carries ``WM_SEC.ACCESS_TOKEN`` (a client-credentials token from ``POST /v3/token``,
cached, shared by every worker and renewed once on a 401), ``Authorization: Basic`` (the
documents require it on every operation), ``WM_SVC.NAME`` and a fresh ``WM_QOS.CORRELATION_ID``
that is logged with the call, so Walmart's support can trace it. Walmart's usage headers
(``X-Current-Token-Count``, ``X-Next-Replenishment-Time``) and 429s hold the operation for every
worker until its tokens come back: a held call raises RateLimited, which the flow engine turns
into "later", never a failed record.
"""

from __future__ import annotations

import base64
import logging
import time
import uuid
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, quote

import httpx

from mpdash.redaction import redact_text, register_secret

from ..auth import BearerCredentials, TokenProvider, client_credentials_grant
from ..errors import AuthError, RateLimited, RequestRejected
from ..http import DEFAULT_TIMEOUT, BaseClient, Refusal, json_error_details
from ..kit.config import require_set
from ..ratelimit import CallBudget, RateSpec
from .config import BUDGETS, FEED_LIMITS, FEED_PAGE, ORDERS_PAGE_SIZE, SERVICE_NAME
from .models import FeedStatus, ItemsPage, OrdersAnswer, ReturnsPage, error_text, parse_answer

logger = logging.getLogger("mpdash.marketplaces.walmart")
HOLD_DEFAULT = 60.0  # seconds an operation waits after a 429 that names no replenishment time


class WalmartTokens(TokenProvider):
    """The token call wants its own correlation id and JSON (Walmart answers XML by default)."""

    def _fetch(self) -> str:
        correlation = self.grant.headers["WM_QOS.CORRELATION_ID"] = str(uuid.uuid4())
        logger.info("POST /v3/token WM_QOS.CORRELATION_ID=%s", correlation)
        return super()._fetch()


class WalmartCredentials(BearerCredentials):
    def __init__(self, provider: TokenProvider, basic: str, service_name: str):
        super().__init__(provider, header="WM_SEC.ACCESS_TOKEN", scheme="",
                         hint="the channel's client_id and client_secret")
        self.basic, self.service_name = basic, service_name

    def _sign(self, request: httpx.Request, token: str) -> None:
        super()._sign(request, token)
        correlation = str(uuid.uuid4())
        request.headers.update({"Authorization": self.basic, "WM_SVC.NAME": self.service_name,
                                "WM_QOS.CORRELATION_ID": correlation})
        logger.info("%s %s WM_QOS.CORRELATION_ID=%s", request.method, request.url.path, correlation)


class WalmartClient(BaseClient):
    def __init__(self, base_url: str, *, client_id: str, client_secret: str, service_name: str = SERVICE_NAME,
                 budgets: bool = True, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None, token_store=None):
        require_set({"base_url": base_url, "client_id": client_id, "client_secret": client_secret,
                     "service_name": service_name}, "Walmart channel config")
        self.client_id = str(client_id).strip()
        grant = client_credentials_grant(f"{base_url.rstrip('/')}/v3/token", client_id=self.client_id,
                                         client_secret=str(client_secret),
                                         headers={"WM_SVC.NAME": service_name, "Accept": "application/json"})
        provider = WalmartTokens(f"walmart:{self.client_id}", grant, store=token_store, transport=transport)
        basic = "Basic " + base64.b64encode(f"{self.client_id}:{client_secret}".encode()).decode()
        register_secret(basic)
        self.tokens = provider
        key = f"walmart:{self.client_id}"
        self.budgets = {op: CallBudget(f"{key}:{op}", [RateSpec(n, s)]) for op, (n, s) in BUDGETS.items()} \
            if budgets else {}
        if budgets:
            self.budgets.update({f"feed:{t}": CallBudget(f"{key}:feed:{t}", [RateSpec(n, s)])
                                 for t, (n, s) in FEED_LIMITS.items()})
        super().__init__(base_url=base_url, credentials=WalmartCredentials(provider, basic, service_name),
                         timeout=timeout, transport=transport, headers={"Accept": "application/json"})
        self._operation = ""
        self._prepaid: set[str] = set()

    def __repr__(self) -> str:
        return f"WalmartClient(base_url={self.base_url!r})"

    # --- budgets and Walmart's own token counts ----------------------------------------------------
    def _hold_key(self, operation: str) -> str:
        return f"walmart:{self.client_id}:hold:{operation}"

    def _held(self, operation: str) -> None:
        found = self.tokens.store.get(self._hold_key(operation))
        if found:
            wait = max(0.1, found[1] - time.time())
            raise RateLimited(f"Walmart's {operation} tokens are spent; they come back in {wait:.1f} s",
                              retry_after=wait)

    def _hold(self, operation: str, response: httpx.Response, throttled: bool) -> float | None:
        """Hold ``operation`` for every worker until Walmart replenishes it, when its answer says
        no token is left (or it was a 429); the wait in seconds, or None."""
        count = response.headers.get("X-Current-Token-Count")
        if not throttled and (count is None or not count.strip().isdigit() or int(count) > 0):
            return None
        until = time.time() + HOLD_DEFAULT
        raw = response.headers.get("X-Next-Replenishment-Time", "")
        if raw.strip().isdigit():  # epoch milliseconds
            until = int(raw) / 1000 if int(raw) > 10**11 else int(raw)
        until = max(until, time.time() + 0.1)
        self.tokens.store.put(self._hold_key(operation), "1", until)
        return until - time.time()

    def _acquire(self, name: str, calls: int = 1) -> None:
        budget = self.budgets.get(name)
        if budget is not None:
            try:
                budget.acquire(self.budget_max_wait, weight=calls)
            except RateLimited as exc:
                raise RateLimited(f"Walmart's {name} budget is spent for now; retry in {exc.retry_after:.0f} s",
                                  retry_after=exc.retry_after) from None

    def take(self, operation: str, calls: int) -> bool:
        """Take ``calls`` slots of ``operation`` for the calls that follow (False, nothing taken,
        when the budget or Walmart's token count has no room now); ``release`` after them."""
        try:
            self._held(operation)
            self._acquire(operation, calls)
        except RateLimited:
            return False
        self._prepaid.add(operation)
        return True

    def release(self, operation: str) -> None:
        self._prepaid.discard(operation)

    @contextmanager
    def slots(self, operation: str, calls: int):
        """Take ``calls`` slots of ``operation`` at once (RateLimited before anything is sent when
        they do not come) for the requests made inside the block."""
        self._held(operation)
        self._acquire(operation, calls)
        self._prepaid.add(operation)
        try:
            yield
        finally:
            self._prepaid.discard(operation)

    def call(self, operation: str, method: str, path: str, *, feed_type: str = "", **kw) -> Any:
        self._held(operation)
        if operation not in self._prepaid:
            self._acquire(operation)
        if feed_type:
            self._acquire(f"feed:{feed_type}")
        self._operation = operation
        return self.request(method, path, **kw)

    refusals = (
        Refusal(AuthError, "{where}: Walmart refused the access ({status} {details}); check the channel's client_id "
                "and client_secret", statuses=(401, 403)),
        Refusal(RequestRejected, "{where}: Walmart rejected the request ({status}): {details}"),
    )

    def refusal_details(self, body: str) -> str:
        return json_error_details(body, error_text)

    def raise_for_status(self, method: str, path: str, response: httpx.Response) -> None:
        """Walmart's token counts first (a spent operation is held), then its error body."""
        wait = self._hold(self._operation, response, response.status_code == 429)
        if response.status_code == 429:
            raise RateLimited(f"{method} {path}: Walmart throttled {self._operation} (429); retry in {wait or 1:.1f} s",
                              retry_after=wait or 1.0, status_code=429, body=redact_text(response.text[:2000]))
        super().raise_for_status(method, path, response)

    # --- feeds -----------------------------------------------------------------------------------
    def submit_feed(self, feed_type: str, content: bytes, ship_node: str = "") -> str:
        """POST /v3/feeds?feedType= (and the inventory's shipNode) with the file as multipart/form-data."""
        files = {"file": ("feed.json", content, "application/json")}
        params = {"feedType": feed_type, **({"shipNode": ship_node} if ship_node else {})}
        data = self.call("feed", "POST", "/v3/feeds", feed_type=feed_type, params=params, files=files)
        feed_id = (data or {}).get("feedId") if isinstance(data, dict) else None
        if not feed_id:
            raise RequestRejected(f"POST /v3/feeds: Walmart gave no feedId ({error_text(data)})")
        return str(feed_id)

    def feed_status(self, feed_id: str, offset: int = 0) -> FeedStatus:
        path = f"/v3/feeds/{quote(str(feed_id), safe='')}"
        data = self.call("getFeedItemStatus", "GET", path,
                         params={"includeDetails": "true", "offset": str(offset), "limit": str(FEED_PAGE)})
        return parse_answer(FeedStatus, data, f"GET {path}")

    # --- items -----------------------------------------------------------------------------------
    def _sku(self, sku: str) -> str:
        if not str(sku or "").strip():
            raise ValueError("sku is empty")
        return quote(str(sku).strip(), safe="")

    def put_inventory(self, sku: str, amount: int, ship_node: str = "") -> dict[str, Any]:
        params = {"sku": sku, **({"shipNode": ship_node} if ship_node else {})}
        return self.call("updateInventoryForAnItem", "PUT", "/v3/inventory", params=params,
                         json_body={"sku": sku, "quantity": {"unit": "EACH", "amount": amount}})

    def put_price(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("updatePrice", "PUT", "/v3/price", json_body=body)

    def retire(self, sku: str) -> dict[str, Any]:
        return self.call("retireAnItem", "DELETE", f"/v3/items/{self._sku(sku)}")

    def item(self, sku: str) -> ItemsPage | None:
        """GET /v3/items/{sku}; None when Walmart has no such item."""
        path = f"/v3/items/{self._sku(sku)}"
        try:
            data = self.call("getAnItem", "GET", path, params={"productIdType": "SKU"})  # required by the document
            return parse_answer(ItemsPage, data, f"GET {path}")
        except RequestRejected as exc:
            if exc.status_code == 404:
                return None
            raise

    def items(self, cursor: str = "*", limit: int = 200) -> ItemsPage:
        data = self.call("getAllItems", "GET", "/v3/items", params={"nextCursor": cursor, "limit": str(limit)})
        return parse_answer(ItemsPage, data, "GET /v3/items")

    def taxonomy(self) -> list[dict[str, Any]]:
        data = self.call("getTaxonomyResponse", "GET", "/v3/items/taxonomy")
        return list((data or {}).get("payload") or [])

    def spec(self, feed_type: str, version: str, product_types: list[str]) -> dict[str, Any]:
        """The Get Spec API: the item spec (a JSON Schema) for up to 20 product types
        [UNVERIFIED: newer than the OpenAPI snapshot; body from Walmart's guide]."""
        return self.call("getSpec", "POST", "/v3/items/spec", json_body={
            "feedType": feed_type, "version": version, "productTypes": product_types[:20]}) or {}

    # --- orders ----------------------------------------------------------------------------------
    def orders(self, start: str, end: str, cursor: str | None = None, limit: int = ORDERS_PAGE_SIZE) -> OrdersAnswer:
        """Purchase orders modified in [start, end]; ``cursor`` is the previous page's nextCursor,
        a query string Walmart builds ("?limit=…&hasMoreElements=true&…") [UNVERIFIED form: the
        documents show none], sent back as the query of the next call."""
        if cursor:
            params: dict[str, Any] = {k: v[0] for k, v in parse_qs(cursor.lstrip("?")).items()}
        else:
            params = {"lastModifiedStartDate": start, "lastModifiedEndDate": end, "limit": str(min(limit, 200))}
        return parse_answer(OrdersAnswer, self.call("getAllOrders", "GET", "/v3/orders", params=params),
                            "GET /v3/orders")

    def _po(self, po: str) -> str:
        return f"/v3/orders/{self._sku(po)}"

    def order(self, po: str) -> dict[str, Any]:
        """One purchase order. The document's schema has it bare, its example (and Walmart) in
        ``order``: both are read."""
        data = self.call("getAnOrder", "GET", self._po(po)) or {}
        return data.get("order") or (data if "purchaseOrderId" in data else {})

    def order_action(self, operation: str, po: str, action: str, body: dict[str, Any] | None) -> dict[str, Any]:
        data = self.call(operation, "POST", f"{self._po(po)}/{action}", json_body=body)
        return (data or {}).get("order") or {}

    def returns(self, start: str, end: str, cursor: str | None = None, limit: int = ORDERS_PAGE_SIZE) -> ReturnsPage:
        if cursor:
            params: dict[str, Any] = {k: v[0] for k, v in parse_qs(cursor.lstrip("?")).items()}
        else:
            params = {"returnLastModifiedStartDate": start, "returnLastModifiedEndDate": end,
                      "limit": str(min(limit, 200))}
        return parse_answer(ReturnsPage, self.call("getReturns", "GET", "/v3/returns", params=params),
                            "GET /v3/returns")

    def refund_return(self, return_id: str, customer_order_id: str, lines: list[int]) -> dict[str, Any]:
        body = {"customerOrderId": customer_order_id, "refundLines": [{"returnOrderLineNumber": n} for n in lines]}
        return self.call("issueRefund", "POST", f"/v3/returns/{self._sku(return_id)}/refund", json_body=body) or {}
