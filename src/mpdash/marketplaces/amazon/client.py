"""HTTP client of Amazon's Selling Partner API for one seller in one region.

Every call names its SP-API operation: each operation has its own token bucket (shared by all
workers through :mod:`mpdash.marketplaces.ratelimit`), and a 429 becomes
:class:`~mpdash.marketplaces.errors.RateLimited` with the wait of that operation's refill, which
the flow engine turns into "later", never a failed record. The LWA access token goes in
``x-amz-access-token``; uploads and downloads of feed documents go to pre-signed URLs with no
token at all.
"""

from __future__ import annotations

import gzip
import json
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx

from mpdash.redaction import redact_text

from ..auth import BearerCredentials, TokenProvider, refresh_token_grant
from ..errors import AuthError, MalformedResponse, RateLimited, RequestRejected, TransientError
from ..http import DEFAULT_TIMEOUT, BaseClient, json_error_details
from ..kit.config import require_set
from ..ratelimit import CallBudget, RateSpec
from .config import (
    BUDGETS,
    FEED_CONTENT_TYPE,
    FEED_PACE_SECONDS,
    FEED_TYPE,
    FEED_TYPE_LIMIT,
    LISTINGS_PAGE_SIZE,
    ORDERS_PAGE_SIZE,
)
from .models import (
    FeedAnswer,
    FeedCreated,
    FeedDocument,
    ListingsPage,
    ListingsSubmission,
    Order,
    OrderItemsPage,
    OrderPage,
    OrdersPage,
    Report,
    ReportCreated,
    ReportDocument,
    ReportList,
    SearchOrdersPage,
    error_text,
    parse_answer,
)

_ALL_BUDGETS = object()


def operation_budgets(seller_id: str) -> dict[str, CallBudget]:
    """One shared bucket per operation of one seller. A token bucket (rate r, burst b) is held as
    "b calls per b/r seconds": the burst at once, and on average no faster than the rate."""
    budgets = {op: CallBudget(f"amazon:{seller_id}:{op}", [RateSpec(b.burst, b.burst / b.rate)])
               for op, b in BUDGETS.items()}
    calls, seconds = FEED_TYPE_LIMIT
    own = BUDGETS["createFeed"]
    budgets["createFeed"] = CallBudget(f"amazon:{seller_id}:createFeed", [
        RateSpec(own.burst, own.burst / own.rate), RateSpec(calls, seconds), RateSpec(1, FEED_PACE_SECONDS)])
    return budgets


class AmazonCredentials(BearerCredentials):
    """The LWA token in ``x-amz-access-token``. SP-API answers an expired token with 403
    ("The access token you provided has expired"), not 401: both renew the token once."""

    requires_response_body = True

    def auth_flow(self, request: httpx.Request):
        token = self.provider.token()
        self._sign(request, token)
        response = yield request
        if response.status_code == 401 or (response.status_code == 403 and "expired" in response.text.lower()):
            self._sign(request, self.provider.renew(token))
            yield request


class AmazonClient(BaseClient):
    """Calls to the Listings Items, Feeds, Orders and Product Type Definitions APIs."""

    def __init__(self, base_url: str, *, token_url: str, client_id: str, client_secret: str, refresh_token: str,
                 seller_id: str, marketplace_id: str, budgets: dict[str, CallBudget] | None | object = _ALL_BUDGETS,
                 timeout: httpx.Timeout | float = DEFAULT_TIMEOUT, transport: httpx.BaseTransport | None = None,
                 token_store=None):
        require_set({"base_url": base_url, "client_id": client_id, "client_secret": client_secret,
                     "refresh_token": refresh_token, "seller_id": seller_id, "marketplace_id": marketplace_id},
                    "Amazon channel config")
        self.seller_id = str(seller_id).strip()
        self.marketplace_id = str(marketplace_id).strip()
        grant = refresh_token_grant(token_url, client_id=client_id, client_secret=client_secret,
                                    refresh_token=refresh_token)
        provider = TokenProvider(f"amazon:{self.seller_id}", grant, store=token_store, transport=transport)
        credentials = AmazonCredentials(provider, header="x-amz-access-token", scheme="",
                                        hint="the channel's client_id, client_secret and refresh_token")
        self.budgets = operation_budgets(self.seller_id) if budgets is _ALL_BUDGETS else (budgets or {})
        super().__init__(base_url=base_url, credentials=credentials, timeout=timeout, transport=transport,
                         headers={"Accept": "application/json", "User-Agent": "mpdash/0.1 (Language=Python)"})
        self._plain = httpx.Client(timeout=timeout, transport=transport)  # pre-signed URLs: no token
        self._prepaid: set[str] = set()

    def __repr__(self) -> str:
        return f"AmazonClient(base_url={self.base_url!r}, seller_id={self.seller_id!r})"

    def close(self) -> None:
        self._plain.close()
        super().close()

    def _acquire(self, operation: str, calls: int) -> None:
        """A slot of the operation's bucket; when none comes, RateLimited saying when one will
        (the bucket's refill, not the length of its window: getOrders' window is 20 minutes,
        its next token 60 seconds away)."""
        budget = self.budgets.get(operation)
        if budget is None:
            return
        try:
            budget.acquire(self.budget_max_wait, weight=calls)
        except RateLimited as exc:
            wait = BUDGETS[operation].refill_seconds * calls if operation in BUDGETS else exc.retry_after
            if operation == "createFeed":  # the next paced slot; a spent bucket or feed-type limit says so then
                wait = FEED_PACE_SECONDS
            raise RateLimited(f"Amazon's {operation} budget is spent for now; retry in {wait:.0f} s",
                              retry_after=wait) from None

    def take(self, operation: str, calls: int = 1) -> None:
        """``calls`` slots of ``operation``'s bucket at once, or RateLimited saying when they come."""
        self._acquire(operation, calls)

    @contextmanager
    def prepaid(self, operation: str):
        """Requests of ``operation`` inside the block take no slot: :meth:`take` took them (one thread)."""
        self._prepaid.add(operation)
        try:
            yield
        finally:
            self._prepaid.discard(operation)

    @contextmanager
    def slots(self, operation: str, calls: int):
        """Take ``calls`` slots of ``operation``'s bucket at once (RateLimited before anything is
        sent when they do not come), for the requests made inside the block."""
        self.take(operation, calls)
        with self.prepaid(operation):
            yield

    def call(self, operation: str, method: str, path: str, **kw) -> Any:
        """One request of ``operation``: a slot of its bucket first (RateLimited when none comes)."""
        if operation not in self._prepaid:
            self._acquire(operation, 1)
        self._operation = operation
        return self.request(method, path, **kw)

    @property
    def _listing_path(self) -> str:
        return f"/listings/2021-08-01/items/{quote(self.seller_id, safe='')}"

    # --- listings -------------------------------------------------------------------------
    def _sku_path(self, sku: str) -> str:
        if not str(sku or "").strip():
            raise ValueError("sku is empty")
        return f"{self._listing_path}/{quote(str(sku), safe='')}"

    def patch_listing(self, sku: str, body: dict[str, Any]) -> ListingsSubmission:
        path = self._sku_path(sku)
        data = self.call("patchListingsItem", "PATCH", path, json_body=body,
                         params={"marketplaceIds": self.marketplace_id, "includedData": "issues"})
        return parse_answer(ListingsSubmission, data, f"PATCH {path}")

    def get_listing(self, sku: str) -> dict[str, Any]:
        path = self._sku_path(sku)
        return self.call("getListingsItem", "GET", path, params={
            "marketplaceIds": self.marketplace_id, "includedData": "summaries,offers,fulfillmentAvailability,issues"})

    def put_listing(self, sku: str, body: dict[str, Any], *, preview: bool = False) -> ListingsSubmission:
        """Create or replace a listing; ``preview``: mode=VALIDATION_PREVIEW (Amazon's issues, nothing saved)."""
        path = self._sku_path(sku)
        params = {"marketplaceIds": self.marketplace_id, "includedData": "issues"}
        if preview:
            params["mode"] = "VALIDATION_PREVIEW"
        data = self.call("putListingsItem", "PUT", path, json_body=body, params=params)
        return parse_answer(ListingsSubmission, data, f"PUT {path}")

    def delete_listing(self, sku: str) -> ListingsSubmission:
        path = self._sku_path(sku)
        data = self.call("deleteListingsItem", "DELETE", path, params={"marketplaceIds": self.marketplace_id})
        return parse_answer(ListingsSubmission, data, f"DELETE {path}")

    def search_listings(self, page_token: str | None = None) -> ListingsPage:
        """One page of the seller's listings with offers and stock (searchListingsItems, SKU order)."""
        params = {"marketplaceIds": self.marketplace_id, "includedData": "summaries,offers,fulfillmentAvailability",
                  "pageSize": LISTINGS_PAGE_SIZE, "sortBy": "sku", "sortOrder": "ASC"}
        if page_token:
            params["pageToken"] = page_token
        data = self.call("searchListingsItems", "GET", self._listing_path, params=params)
        return parse_answer(ListingsPage, data, f"GET {self._listing_path}")

    def find_listing(self, sku: str) -> dict[str, Any] | None:
        """getListingsItem, None when Amazon has no such SKU."""
        try:
            return self.get_listing(sku)
        except RequestRejected as exc:
            if exc.status_code == 404:
                return None
            raise

    # --- product types --------------------------------------------------------------------
    def search_product_types(self, keywords: str) -> list[dict[str, Any]]:
        data = self.call("searchDefinitionsProductTypes", "GET", "/definitions/2020-09-01/productTypes",
                         params={"keywords": keywords, "marketplaceIds": self.marketplace_id})
        return list((data or {}).get("productTypes") or [])

    def product_type_schema(self, product_type: str, locale: str) -> dict[str, Any]:
        """The product type's JSON Schema (its definition names a pre-signed link to it)."""
        path = f"/definitions/2020-09-01/productTypes/{quote(product_type, safe='')}"
        data = self.call("getDefinitionsProductType", "GET", path, params={
            "marketplaceIds": self.marketplace_id, "sellerId": self.seller_id, "requirements": "LISTING",
            "locale": locale})
        try:
            url = data["schema"]["link"]["resource"]
        except (KeyError, TypeError):
            raise MalformedResponse(f"GET {path}: Amazon's answer names no schema link") from None
        try:
            response = self._plain.get(url)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise TransientError(f"download of the {product_type} schema failed ({exc.__class__.__name__})") from exc

    # --- feeds ----------------------------------------------------------------------------
    def create_feed_document(self) -> FeedDocument:
        data = self.call("createFeedDocument", "POST", "/feeds/2021-06-30/documents",
                         json_body={"contentType": FEED_CONTENT_TYPE})
        return parse_answer(FeedDocument, data, "POST /feeds/2021-06-30/documents")

    def upload(self, url: str, content: bytes) -> None:
        """PUT the feed to the pre-signed URL (with the content type given at creation)."""
        try:
            response = self._plain.put(url, content=content, headers={"Content-Type": FEED_CONTENT_TYPE})
        except httpx.HTTPError as exc:
            raise TransientError(f"upload of the feed document failed ({exc.__class__.__name__})") from exc
        if response.status_code >= 400:
            text = redact_text(response.text[:300])
            error = TransientError if response.status_code >= 500 else RequestRejected
            raise error(f"upload of the feed document refused ({response.status_code}): {text}",
                        status_code=response.status_code)

    def create_feed(self, document_id: str) -> str:
        body = {"feedType": FEED_TYPE, "marketplaceIds": [self.marketplace_id], "inputFeedDocumentId": document_id}
        data = self.call("createFeed", "POST", "/feeds/2021-06-30/feeds", json_body=body)
        return parse_answer(FeedCreated, data, "POST /feeds/2021-06-30/feeds").feed_id

    def get_feed(self, feed_id: str) -> FeedAnswer:
        path = f"/feeds/2021-06-30/feeds/{quote(str(feed_id), safe='')}"
        return parse_answer(FeedAnswer, self.call("getFeed", "GET", path), f"GET {path}")

    def _download(self, document: FeedDocument | ReportDocument, what: str) -> bytes:
        """A feed or report document from its pre-signed URL (gunzipped when Amazon says GZIP)."""
        try:
            response = self._plain.get(document.url)
        except httpx.HTTPError as exc:
            raise TransientError(f"download of the {what} failed ({exc.__class__.__name__})") from exc
        if response.status_code >= 400:
            raise TransientError(f"download of the {what} failed ({response.status_code})",
                                 status_code=response.status_code)
        content = response.content
        if (document.compression_algorithm or "").upper() == "GZIP":
            content = gzip.decompress(content)
        return content

    def feed_report(self, document_id: str) -> dict[str, Any]:
        """The processing report of a feed: getFeedDocument, then the pre-signed download."""
        path = f"/feeds/2021-06-30/documents/{quote(str(document_id), safe='')}"
        document = parse_answer(FeedDocument, self.call("getFeedDocument", "GET", path), f"GET {path}")
        try:
            return json.loads(self._download(document, "processing report"))
        except ValueError:
            raise MalformedResponse(f"the processing report of document {document_id} is not JSON") from None

    # --- reports --------------------------------------------------------------------------
    def create_report(self, report_type: str, start: str, end: str) -> str:
        body = {"reportType": report_type, "marketplaceIds": [self.marketplace_id], "dataStartTime": start,
                "dataEndTime": end}
        data = self.call("createReport", "POST", "/reports/2021-06-30/reports", json_body=body)
        return parse_answer(ReportCreated, data, "POST /reports/2021-06-30/reports").report_id

    def find_reports(self, report_type: str, created_since: str) -> list[Report]:
        """Reports of ``report_type`` requested since then, not failed (getReports, one page)."""
        data = self.call("getReports", "GET", "/reports/2021-06-30/reports", params={
            "reportTypes": report_type, "marketplaceIds": self.marketplace_id, "createdSince": created_since,
            "processingStatuses": "IN_QUEUE,IN_PROGRESS,DONE", "pageSize": 100})
        return parse_answer(ReportList, data, "GET /reports/2021-06-30/reports").reports

    def get_report(self, report_id: str) -> Report:
        path = f"/reports/2021-06-30/reports/{quote(str(report_id), safe='')}"
        return parse_answer(Report, self.call("getReport", "GET", path), f"GET {path}")

    def report_text(self, document_id: str) -> str:
        path = f"/reports/2021-06-30/documents/{quote(str(document_id), safe='')}"
        document = parse_answer(ReportDocument, self.call("getReportDocument", "GET", path), f"GET {path}")
        # Flat-file reports are in the marketplace's encoding [UNVERIFIED: UTF-8 assumed; Amazon
        # names Cp1252 for some EU flat files]; undecodable bytes are replaced, never fatal.
        return self._download(document, "report").decode("utf-8", "replace")

    # --- orders ---------------------------------------------------------------------------
    def get_orders(self, updated_after: str, updated_before: str, statuses: tuple[str, ...],
                   next_token: str | None = None, size: int = ORDERS_PAGE_SIZE) -> OrdersPage:
        """Orders changed in the window (LastUpdatedAfter only: Amazon refuses it with CreatedAfter)."""
        params: dict[str, Any] = {"MarketplaceIds": self.marketplace_id}
        if next_token:
            params["NextToken"] = next_token
        else:
            params.update({"LastUpdatedAfter": updated_after, "LastUpdatedBefore": updated_before,
                           "OrderStatuses": ",".join(statuses), "MaxResultsPerPage": size})
        data = self.call("getOrders", "GET", "/orders/v0/orders", params=params)
        return parse_answer(OrdersPage, data, "GET /orders/v0/orders")

    def get_order_items(self, order_id: str, next_token: str | None = None) -> OrderItemsPage:
        path = f"/orders/v0/orders/{quote(str(order_id), safe='')}/orderItems"
        data = self.call("getOrderItems", "GET", path, params={"NextToken": next_token} if next_token else None)
        return parse_answer(OrderItemsPage, data, f"GET {path}")

    def get_order(self, order_id: str) -> Order:
        path = f"/orders/v0/orders/{quote(str(order_id), safe='')}"
        data = self.call("getOrder", "GET", path)
        return parse_answer(OrderPage, data, f"GET {path}").payload

    def search_orders(self, updated_after: str, updated_before: str, statuses: tuple[str, ...],
                      token: str | None = None, size: int = ORDERS_PAGE_SIZE) -> SearchOrdersPage:
        """Orders 2026-01-01 changed in the window, with their packages' states (delivered...)."""
        params: dict[str, Any] = {"marketplaceIds": self.marketplace_id, "lastUpdatedAfter": updated_after,
                                  "lastUpdatedBefore": updated_before, "fulfillmentStatuses": ",".join(statuses),
                                  "maxResultsPerPage": size,
                                  "includedData": "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT,PACKAGES"}
        if token:
            params["paginationToken"] = token
        data = self.call("searchOrders", "GET", "/orders/2026-01-01/orders", params=params)
        return parse_answer(SearchOrdersPage, data, "GET /orders/2026-01-01/orders")

    def confirm_shipment(self, order_id: str, body: dict[str, Any]) -> None:
        path = f"/orders/v0/orders/{quote(str(order_id), safe='')}/shipmentConfirmation"
        self.call("confirmShipment", "POST", path, json_body=body)

    # --- errors ---------------------------------------------------------------------------
    def raise_for_status(self, method: str, path: str, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        text = redact_text(response.text[:2000])
        details = json_error_details(text, error_text)
        where = f"{method} {path}"
        operation = getattr(self, "_operation", "")
        if status == 429:
            wait = BUDGETS[operation].refill_seconds if operation in BUDGETS else 1.0
            raise RateLimited(f"{where}: Amazon's {operation or 'call'} bucket is empty (429); retry in {wait:.0f} s",
                              retry_after=wait, status_code=status, body=text)
        if status in (401, 403):
            raise AuthError(f"{where}: Amazon refused the access ({status} {details}); check {self.credentials_hint} "
                            "and the application's roles", status_code=status, body=text)
        if 400 <= status < 500:
            raise RequestRejected(f"{where}: Amazon rejected the request ({status}): {details}",
                                  status_code=status, body=text)
        super().raise_for_status(method, path, response)
