"""A local HTTP server that speaks Hepsiburada's listing, catalog and order (OMS) APIs, for
tests, demos and load runs.

Standard library only (``http.server``), so it starts in milliseconds. ``serve()`` runs it
in a daemon thread and returns a :class:`HepsiburadaSimulator`; ``python -m
mpdash.marketplaces.hepsiburada.simulator --port 8765`` runs it in the foreground. One port
serves every host: point ``listing_url``, ``base_url`` and ``oms_url`` at it (``adapter_config()``).

Listing paths (Basic auth and the User-Agent checked on each):

* ``GET  /listings/merchantid/{mid}?offset=&limit=[&merchantSkuList=a,b][&hbSkuList=…]``
* ``POST /listings/merchantid/{mid}/{stock|price|inventory}-uploads`` → ``{"id": "<uuid>"}``
* ``GET  /listings/merchantid/{mid}/{stock|price|inventory}-uploads/id/{id}``

Catalog paths (mpop; same auth; answers wrapped in ``{success, code, version, message, …, data}``):

* ``GET  /product/api/categories/get-all-categories?leaf=&status=&available=&page=&size=``
* ``GET  /product/api/categories/{categoryId}/attributes``
* ``GET  /product/api/categories/{categoryId}/attribute/{attributeId}/values?page=&size=``
* ``POST /product/api/products/import`` (multipart part ``file``: a JSON array) → ``data.trackingId``
* ``GET  /product/api/products/status/{trackingId}?page=&size=``
* ``POST /product/api/products/check-product-status`` ``[{merchant, merchantSkuList}]``
* ``GET  /product/api/products/products-by-merchant-and-status?merchantId=&productStatus=&page=&size=``
* ``POST /ticket-api/api/integrator/import`` (multipart ``file``: ``{merchantId, items}``) → ``data.trackingId``
* ``GET  /ticket-api/api/integrator/status/{trackingId}?page=&size=``

An import is validated ``processing_delay`` seconds after upload; a valid product is
``WAITING`` for ``approval_delay`` seconds and then ``MATCHED`` (it becomes a listing) or
``BLOCKED`` when a control call marked it for rejection.

Control paths (no auth): ``GET /_sim/state[?sku=]``, ``GET /_sim/stats``,
``GET /_sim/history[?sku=]``, ``GET /_sim/uploads/{id}``, ``GET|POST /_sim/config``,
``POST /_sim/reset``, ``POST /_sim/listings``; catalog: ``GET /_sim/catalog/products[?sku=]``,
``GET /_sim/catalog/imports/{trackingId}``, ``GET /_sim/catalog/stats``,
``POST /_sim/catalog/reject`` ``{"skus": [...], "reasons": [...], "now": false}``,
``POST /_sim/catalog/approve`` ``{"skus": [...]}``.

Order paths (OMS; same auth; dates ``yyyy-MM-dd HH:mm`` in Turkey time, begin inclusive, end
exclusive; a limit over a listing's largest is cut to it: paid lines 100, packages and unpacked
10, shipped/delivered/undelivered and cancelled 50; claims refuse more than 100):

* ``GET  /orders/merchantid/{mid}?offset=&limit=[&begindate=&enddate=]`` (offset and limit
  mandatory): paid lines waiting to be packaged, by order date
* ``GET  /orders/merchantid/{mid}/ordernumber/{orderNumber}``
* ``GET  /orders/merchantid/{mid}/cancelled?…`` (also under ``/packages/…``): by cancel date
* ``GET  /packages/merchantid/{mid}?offset=&limit=&(timespan=|begindate=&enddate=)``: by package date
* ``POST /packages/merchantid/{mid}`` ``{"lineItemRequests": [{"id", "quantity"}], "cargoCompany"}`` → 201
* ``GET  /packages/merchantid/{mid}/{shipped|delivered|undelivered}?…``: by that status's date
* ``GET  /packages/merchantid/{mid}/status/unpacked?…``: by unpack date
* ``GET  /packages/merchantid/{mid}/packagenumber/{pn}`` (tracking), ``…/labels?format=``
* ``POST …/packagenumber/{pn}/unpack``, ``…/split``, ``…/intransit``, ``…/deliver``, ``…/undeliver``;
  ``PUT …/invoice`` (the link must end in .pdf), ``…/changecargocompany``
* ``POST /lineitems/merchantid/{mid}/id/{lineItemId}/cancelbymerchant`` ``{"reasonId": 80|83}``
* ``GET  /claims/merchantId/{mid}[/status/{status}]?offset=&limit=&beginDate=&endDate=
  [&statusBeginDate=&statusEndDate=]`` (a bare array; totals in ``X-Total-Count`` and friends)
* ``POST /claims/number/{claimNumber}/accept`` | ``…/reject``

A package moves ``Packaged → InTransit → Delivered | Undelivered`` or from ``Packaged`` to
``Cancelled`` or ``Unpacked``; any other move answers 409. Merchants cancel only lines not
packaged yet; claims are accepted or rejected only while ``AwaitingAction`` (a rejection makes
the claim ``InDispute`` until Hepsiburada decides).

Order control paths (no auth): ``POST /_sim/orders`` ``{"lines": [{"merchantSku", "quantity"[,
"price"]}], "microExport", "orderDate", "pack", "paid", "shopper"}`` → its ``orderNumber`` and
``lineItemIds``; ``GET /_sim/orders[/{orderNumber}]``; ``POST /_sim/orders/{orderNumber}/cancel``
``{"lines": [...]}`` (the customer cancels); ``GET /_sim/packages[/{pn}]``; ``POST
/_sim/packages/{pn}/status`` ``{"status", "at", "trackingNumber", "reason"}`` (Hepsiburada's
carrier moves it); ``POST /_sim/claims`` ``{"lineItemId", "quantity", "reason", "explanation",
"status", "claimDate"}``; ``GET /_sim/claims[/{number}]``; ``POST /_sim/claims/{number}/status``
``{"status"}``; ``GET /_sim/oms/stats``.

Error bodies use the Spring shape ``{timestamp, status, error, message, path}`` that
Hepsiburada's services were recorded answering a 404 with; for 401/403/429 on the listing
host the exact body is not documented, so that shape is a guess. Catalog refusals (400/404)
use the catalog's own wrapper with ``success: false`` (guess: the wrapper's documented
``code`` is "non-zero on errors"; we put the HTTP status there).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import email.parser
import email.policy
import json
import logging
import math
import re
import sys
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from ..simulation import Answer, SimulatorHandler, SimulatorServer, run_until_signal
from . import catalog_data
from .config import CATEGORY_PAGE_SIZE, CLAIM_STATUSES, MAX_SKUS_PER_LISTINGS_QUERY, STATUS_PAGE_SIZE, VALUE_PAGE_SIZE
from .simulator_state import (
    OMS_PAGE_LIMITS,
    PRODUCT_STATUSES,
    UPLOAD_KINDS,
    OmsError,
    SimulatorState,
    parse_body_date,
    parse_query_date,
)

logger = logging.getLogger("mpdash.marketplaces.hepsiburada.simulator")

_MERCHANT = r"/listings/merchantid/(?P<mid>[^/]+)"
_KINDS = "|".join(UPLOAD_KINDS)
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(rf"^{_MERCHANT}/?$", re.I), "listings"),
    ("POST", re.compile(rf"^{_MERCHANT}/(?P<kind>{_KINDS})-uploads/?$", re.I), "upload"),
    ("GET", re.compile(rf"^{_MERCHANT}/(?P<kind>{_KINDS})-uploads/id/(?P<id>[^/]+)/?$", re.I), "upload_status"),
]


_PRODUCT = "/product/api"
CATALOG_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(rf"^{_PRODUCT}/categories/get-all-categories/?$", re.I), "categories"),
    ("GET", re.compile(rf"^{_PRODUCT}/categories/(?P<cid>[^/]+)/attributes/?$", re.I), "attributes"),
    ("GET", re.compile(rf"^{_PRODUCT}/categories/(?P<cid>[^/]+)/attribute/(?P<aid>[^/]+)/values/?$", re.I), "values"),
    ("POST", re.compile(rf"^{_PRODUCT}/products/import/?$", re.I), "import"),
    ("GET", re.compile(rf"^{_PRODUCT}/products/status/(?P<tid>[^/]+)/?$", re.I), "import_status"),
    ("POST", re.compile(rf"^{_PRODUCT}/products/check-product-status/?$", re.I), "check_status"),
    ("GET", re.compile(rf"^{_PRODUCT}/products/products-by-merchant-and-status/?$", re.I), "by_status"),
    ("POST", re.compile(r"^/ticket-api/api/integrator/import/?$", re.I), "update"),
    ("GET", re.compile(r"^/ticket-api/api/integrator/status/(?P<tid>[^/]+)/?$", re.I), "update_status"),
]
CATALOG_PREFIXES = ("/product/", "/ticket-api/")


def _match_route(
    routes: list[tuple[str, re.Pattern[str], str]], method: str, path: str
) -> tuple[str, dict[str, str]] | Answer:
    path_matched = False
    for route_method, pattern, name in routes:
        match = pattern.match(path)
        if match:
            path_matched = True
            if route_method == method:
                return name, {k: unquote(v) for k, v in match.groupdict().items()}
    if path_matched:
        return error_answer(405, f"Request method '{method}' is not supported", path)
    return error_answer(404, "No endpoint here", path)


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
        return _match_route(ROUTES, method, path)

    def _fault_answer(self, fault: dict[str, Any], path: str, options: dict[str, Any]) -> Answer:
        return fault_answer(fault, path, options, self.stop_event)

    @staticmethod
    def _check_caller(headers: Mapping[str, str], merchant_id: str, path: str, options: dict[str, Any]) -> Answer | None:
        refused = _check_credentials(headers, path, options, realm="listing-external")
        if refused:
            return refused
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


def fault_answer(fault: dict[str, Any], path: str, options: dict[str, Any], stop_event: threading.Event) -> Answer:
    """What an injected fault answers instead of the endpoint (``failed_upload`` is handled later)."""
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
    stop_event.wait(options["timeout_sleep"])
    return error_answer(504, "Gateway Timeout", path)


def _check_credentials(headers: Mapping[str, str], path: str, options: dict[str, Any], realm: str) -> Answer | None:
    user, password = _basic_credentials(headers.get("Authorization"))
    if user != options["username"] or password != options["password"]:
        return error_answer(401, "Unauthorized: invalid or missing Basic credentials", path,
                            {"WWW-Authenticate": f'Basic realm="{realm}"'})
    if headers.get("User-Agent") != options["user_agent"]:
        return error_answer(
            403, "Forbidden: the User-Agent header is missing or not registered for this integrator", path)
    return None


def catalog_answer(data: Any, **paging: Any) -> Answer:
    """A 200 in the catalog's wrapper."""
    return Answer(200, {"success": True, "code": 0, "version": 1, "message": None, **paging, "data": data})


def catalog_error(status: int, message: str) -> Answer:
    """A catalog refusal in the catalog's wrapper (guess: ``code`` carries the HTTP status)."""
    return Answer(status, {"success": False, "code": status, "version": 1, "message": message, "data": None})


def _paged(rows: list[Any], page: int, size: int) -> Answer:
    start = page * size
    chunk = rows[start:start + size]
    total_pages = math.ceil(len(rows) / size) if rows else 0
    return catalog_answer(chunk, totalElements=len(rows), totalPages=total_pages, number=page,
                          numberOfElements=len(chunk), first=page == 0, last=page >= total_pages - 1)


def _page_params(query: dict[str, list[str]], most: int) -> tuple[int, int] | str:
    """(page, size) from the query (defaults 0 and 1000, Hepsiburada's), or the reason they are wrong."""
    try:
        page = int(query.get("page", ["0"])[0] or 0)
        size = int(query.get("size", ["1000"])[0] or 1000)
    except ValueError:
        return "page and size must be whole numbers"
    if page < 0 or size < 1:
        return "page must be >= 0 and size >= 1"
    if size > most:
        return f"size must be at most {most}"
    return page, min(size, most)


def _flag(query: dict[str, list[str]], name: str, default: str) -> str:
    """A filter parameter: missing -> Hepsiburada's default; present but empty -> no filter ("")."""
    if name not in query:
        return default
    return (query[name][0] or "").strip()


def _multipart_file(content_type: str, body: bytes, part_name: str = "file") -> bytes | None:
    """The bytes of one part of a multipart/form-data body (None when absent)."""
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        return None
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == part_name:
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else b""
    return None


class CatalogApi:
    """The catalog (mpop) API's behaviour, including the product update service (ticket-api)."""

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
        route = _match_route(CATALOG_ROUTES, method, path)
        if isinstance(route, Answer):
            return route
        name, params = route
        fault = self.state.take_fault(path, is_upload=name in ("import", "update"))
        if fault and fault["mode"] != "failed_upload":
            return fault_answer(fault, path, options, self.stop_event)
        refused = _check_credentials(headers, path, options, realm="mpop")
        if refused:
            return refused
        # Hepsiburada counts catalog calls per IP and answers 403 above the limit (changelog Ocak 2026).
        # guess: the 403's body text is undocumented.
        allowed, limit, _, _ = self.state.spend_rate("\x00catalog-per-ip", option="catalog_rate_limit")
        if not allowed:
            return error_answer(403, f"Too Many Requests: the catalog API allows {limit} requests per second "
                                "per IP; requests above it are refused and repeated excess blocks the IP", path)
        mid = options["merchant_id"]
        handler = getattr(self, f"_{name}")
        return handler(mid, params, query, headers, body, path, failing=bool(fault))

    # --- categories and attributes -----------------------------------------------------
    def _categories(self, mid, params, query, headers, body, path, failing) -> Answer:
        paging = _page_params(query, CATEGORY_PAGE_SIZE)
        if isinstance(paging, str):
            return catalog_error(400, paging)
        leaf, status, available = (_flag(query, "leaf", "true").lower(), _flag(query, "status", "ACTIVE").upper(),
                                   _flag(query, "available", "true").lower())
        flags = (("leaf", leaf, ("true", "false", "")), ("available", available, ("true", "false", "")),
                 ("status", status, ("ACTIVE", "INACTIVE", "ARCHIVED", "")))
        for name, value, allowed in flags:
            if value not in allowed:
                return catalog_error(400, f"{name} must be one of {', '.join(repr(a) for a in allowed)}")
        rows = [node for node in catalog_data.categories()
                if (not leaf or node["leaf"] == (leaf == "true"))
                and (not status or node["status"] == status)
                and (not available or node["available"] == (available == "true"))]
        return _paged(rows, *paging)

    def _leaf_or_error(self, category_id: str) -> dict[str, Any] | Answer:
        node = catalog_data.category(category_id)
        if node is None:
            return catalog_error(404, f"Category {category_id} not found")
        if not node["leaf"] or not node["available"]:
            return catalog_error(400, f"Category {category_id} ({node['name']}) has no attributes: attributes exist "
                                 "only for categories with leaf=true and available=true")
        return node

    def _attributes(self, mid, params, query, headers, body, path, failing) -> Answer:
        node = self._leaf_or_error(params["cid"])
        if isinstance(node, Answer):
            return node
        return catalog_answer(catalog_data.category_attributes(node["categoryId"]))

    def _values(self, mid, params, query, headers, body, path, failing) -> Answer:
        node = self._leaf_or_error(params["cid"])
        if isinstance(node, Answer):
            return node
        definition = catalog_data.category_attributes(node["categoryId"]) or {}
        known = {a["id"]: a for a in [*definition.get("attributes", []), *definition.get("variantAttributes", [])]}
        attribute = known.get(params["aid"])
        if attribute is None:
            return catalog_error(404, f"Attribute {params['aid']} is not defined for category {node['categoryId']}")
        if attribute["type"] != "enum":
            return catalog_error(400, f"Attribute {params['aid']} is of type {attribute['type']}; only enum "
                                 "attributes have values")
        paging = _page_params(query, VALUE_PAGE_SIZE)
        if isinstance(paging, str):
            return catalog_error(400, paging)
        return _paged(list(catalog_data.attribute_values(params["aid"])), *paging)

    # --- products ------------------------------------------------------------------------
    def _read_file(self, headers: Mapping[str, str], body: bytes, expect: type) -> Any:
        options = self.state.options()
        if len(body) > options["max_import_bytes"]:
            return catalog_error(413, f"Maximum upload size exceeded: the request has {len(body)} bytes, "
                                 f"at most {options['max_import_bytes']} are accepted")
        try:
            raw = _multipart_file(headers.get("Content-Type", ""), body)
        except Exception:  # a broken multipart body is the caller's fault
            raw = None
        if raw is None:
            return catalog_error(400, "Required request part 'file' is not present")
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return catalog_error(400, "The file is not valid UTF-8 JSON")
        if not isinstance(payload, expect):
            shape = "a JSON array of products" if expect is list else 'a JSON object {"merchantId", "items"}'
            return catalog_error(400, f"The file must hold {shape}")
        return payload

    def _import(self, mid, params, query, headers, body, path, failing) -> Answer:
        items = self._read_file(headers, body, list)
        if isinstance(items, Answer):
            return items
        if not items:
            return catalog_error(400, "The file holds no products")
        most = self.state.options()["max_products_per_import"]
        if len(items) > most:
            return catalog_error(400, f"A file may carry at most {most} products; this one has {len(items)}")
        imp = self.state.accept_import(mid, items, fail_whole=failing)
        return catalog_answer({"trackingId": imp.tracking_id})

    def _import_status(self, mid, params, query, headers, body, path, failing) -> Answer:
        paging = _page_params(query, STATUS_PAGE_SIZE)
        if isinstance(paging, str):
            return catalog_error(400, paging)
        items = self.state.import_status(mid, params["tid"])
        if items is None:
            return catalog_error(404, f"No import with trackingId {params['tid']}")
        return _paged(items, *paging)

    def _check_status(self, mid, params, query, headers, body, path, failing) -> Answer:
        try:
            payload = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            return catalog_error(400, "JSON parse error: the request body is not valid JSON")
        if not isinstance(payload, list) or not all(isinstance(e, dict) for e in payload):
            return catalog_error(400, 'The body must be a JSON array of {"merchant", "merchantSkuList"}')
        data = []
        for entry in payload:
            merchant, skus = entry.get("merchant"), entry.get("merchantSkuList")
            if not isinstance(skus, list) or not all(isinstance(sku, str) for sku in skus):
                return catalog_error(400, "merchantSkuList must be a list of strings")
            if str(merchant or "").lower() != mid.lower():
                return error_answer(403, f"Forbidden: merchant {merchant} is not accessible with these credentials",
                                    path)
            data.append({"merchant": merchant, "skuStatusList": self.state.check_product_status(mid, skus)})
        return catalog_answer(data)

    def _by_status(self, mid, params, query, headers, body, path, failing) -> Answer:
        merchant = (query.get("merchantId") or [""])[0]
        status = (query.get("productStatus") or [""])[0]
        if not merchant or not status:
            return catalog_error(400, "merchantId and productStatus are required")
        if status not in PRODUCT_STATUSES:
            return catalog_error(400, f"productStatus must be one of {', '.join(PRODUCT_STATUSES)}")
        if merchant.lower() != mid.lower():
            return error_answer(403, f"Forbidden: merchant {merchant} is not accessible with these credentials", path)
        paging = _page_params(query, STATUS_PAGE_SIZE)
        if isinstance(paging, str):
            return catalog_error(400, paging)
        return _paged(self.state.products_by_status(mid, status), *paging)

    # --- product update service ----------------------------------------------------------
    def _update(self, mid, params, query, headers, body, path, failing) -> Answer:
        payload = self._read_file(headers, body, dict)
        if isinstance(payload, Answer):
            return payload
        items = payload.get("items")
        if str(payload.get("merchantId") or "").lower() != mid.lower():
            return error_answer(403, f"Forbidden: merchant {payload.get('merchantId')} is not accessible with these "
                                "credentials", path)
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            return catalog_error(400, "items must be a non-empty list of objects with hbSku")
        most = self.state.options()["max_products_per_import"]
        if len(items) > most:
            return catalog_error(400, f"A file may carry at most {most} products; this one has {len(items)}")
        request = self.state.accept_update(mid, items, fail_whole=failing)
        return catalog_answer({"trackingId": request.tracking_id})

    def _update_status(self, mid, params, query, headers, body, path, failing) -> Answer:
        paging = _page_params(query, STATUS_PAGE_SIZE)
        if isinstance(paging, str):
            return catalog_error(400, paging)
        items = self.state.update_status(mid, params["tid"])
        if items is None:
            return catalog_error(404, f"No update request with trackingId {params['tid']}")
        page, size = paging
        chunk = items[page * size:(page + 1) * size]
        total_pages = math.ceil(len(items) / size) if items else 0
        return catalog_answer([{"merchantId": mid, "items": chunk}], totalElements=len(items),
                              totalPages=total_pages, number=page, numberOfElements=len(chunk),
                              first=page == 0, last=page >= total_pages - 1)


def _basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else (None, None)


# --- orders, packages and claims (OMS) ----------------------------------------------------
_OMS_MID = r"/(?P<mid>[^/]+)"
_PACKAGE = rf"^/packages/merchantid{_OMS_MID}/packagenumber/(?P<pn>[^/]+)"
OMS_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(rf"^/orders/merchantid{_OMS_MID}/?$", re.I), "paid_orders"),
    ("GET", re.compile(rf"^/orders/merchantid{_OMS_MID}/ordernumber/(?P<on>[^/]+)/?$", re.I), "order"),
    ("GET", re.compile(rf"^/orders/merchantid{_OMS_MID}/cancelled/?$", re.I), "cancelled"),
    # guess: integrators also call it under /packages; the document lists it under /orders.
    ("GET", re.compile(rf"^/packages/merchantid{_OMS_MID}/cancelled/?$", re.I), "cancelled"),
    ("GET", re.compile(rf"^/packages/merchantid{_OMS_MID}/?$", re.I), "packages"),
    ("POST", re.compile(rf"^/packages/merchantid{_OMS_MID}/?$", re.I), "create_package"),
    ("GET", re.compile(rf"^/packages/merchantid{_OMS_MID}/(?P<kind>shipped|delivered|undelivered)/?$", re.I),
     "status_list"),
    ("GET", re.compile(rf"^/packages/merchantid{_OMS_MID}/status/unpacked/?$", re.I), "unpacked"),
    ("GET", re.compile(rf"{_PACKAGE}/?$", re.I), "tracking"),
    ("GET", re.compile(rf"{_PACKAGE}/labels/?$", re.I), "labels"),
    ("POST", re.compile(rf"{_PACKAGE}/unpack/?$", re.I), "unpack"),
    ("POST", re.compile(rf"{_PACKAGE}/split/?$", re.I), "split"),
    ("PUT", re.compile(rf"{_PACKAGE}/invoice/?$", re.I), "invoice"),
    ("PUT", re.compile(rf"{_PACKAGE}/changecargocompany/?$", re.I), "change_cargo"),
    ("PUT", re.compile(rf"{_PACKAGE}/warehouse/?$", re.I), "warehouse"),
    ("POST", re.compile(rf"{_PACKAGE}/(?P<action>intransit|deliver|undeliver)/?$", re.I), "carrier"),
    ("POST", re.compile(rf"^/lineitems/merchantid{_OMS_MID}/id/(?P<lid>[^/]+)/cancelbymerchant/?$", re.I),
     "cancel_line"),
    ("GET", re.compile(rf"^/claims/merchantid{_OMS_MID}/?$", re.I), "claims"),
    ("GET", re.compile(rf"^/claims/merchantid{_OMS_MID}/status/(?P<status>[^/]+)/?$", re.I), "claims"),
    ("POST", re.compile(r"^/claims/number/(?P<number>[^/]+)/(?P<action>accept|reject)/?$", re.I), "claim_action"),
]
OMS_PREFIXES = ("/orders/", "/packages/", "/lineitems/", "/claims/")
_DONE = "OK"  # guess: the document types these 200 answers as a bare string


def _oms_body(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        raise OmsError(400, "JSON parse error: the request body is not valid JSON") from None


def _oms_paging(query: dict[str, str], kind: str, required: bool = False) -> tuple[int, int]:
    """(offset, limit) of an OMS listing: a limit over the listing's largest is cut to it
    ("at most N are shown"), except for claims, whose document declares a maximum."""
    most, default = OMS_PAGE_LIMITS[kind]
    offset_raw, limit_raw = query.get("offset"), query.get("limit")
    if required and (offset_raw in (None, "") or limit_raw in (None, "")):
        raise OmsError(400, "limit and offset are required")
    try:
        offset = int(offset_raw) if offset_raw not in (None, "") else 0
        limit = int(limit_raw) if limit_raw not in (None, "") else default
    except ValueError:
        raise OmsError(400, "limit and offset must be whole numbers") from None
    if offset < 0 or limit < 1:
        raise OmsError(400, "offset must be at least 0 and limit at least 1")
    if kind == "claims" and limit > most:
        raise OmsError(400, f"limit must be at most {most}")
    return offset, min(limit, most)


def _oms_dates(query: dict[str, str], begin: str = "begindate",
               end: str = "enddate") -> tuple[float | None, float | None]:
    """(begin, end) of a listing's window as epoch seconds, each None when not given."""
    return (parse_query_date(query[begin]) if query.get(begin) else None,
            parse_query_date(query[end]) if query.get(end) else None)


def _oms_page(items: list[Any], total: int, offset: int, limit: int) -> dict[str, Any]:
    return {"items": items, "limit": limit, "offset": offset, "pageCount": math.ceil(total / limit) if total else 0,
            "totalCount": total}


class OmsApi:
    """The order API's behaviour (oms-external): paid lines, packages, statuses, cancellations, claims."""

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
        route = _match_route(OMS_ROUTES, method, path)
        if isinstance(route, Answer):
            return route
        name, params = route
        fault = self.state.take_fault(path, is_upload=False)
        if fault:
            return fault_answer(fault, path, options, self.stop_event)
        refused = _check_credentials(headers, path, options, realm="oms-external")
        if refused:
            return refused
        if "mid" in params and params["mid"].lower() != options["merchant_id"].lower():
            return error_answer(403, f"Forbidden: merchant {params['mid']} is not accessible with these credentials",
                                path)
        allowed, limit, remaining, reset = self.state.spend_rate("\x00oms:" + options["merchant_id"],
                                                                 option="oms_rate_limit")
        rate_headers = {}
        if limit is not None:
            rate_headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining),
                            "X-RateLimit-Reset": str(max(1, math.ceil(reset)))}
        if not allowed:
            return error_answer(429, "Too Many Requests", path, rate_headers)
        # guess: query names are read in any case (the document spells the packages offset "Offset").
        flat = {key.lower(): values[0] for key, values in query.items() if values}
        try:
            answer = getattr(self, f"_{name}")(params, flat, body, path, options)
        except OmsError as refusal:
            answer = error_answer(refusal.status, refusal.message, path)
        answer.headers.update(rate_headers)
        return answer

    # --- paid lines and orders ------------------------------------------------------------
    def _paid_orders(self, params, query, body, path, options) -> Answer:
        offset, limit = _oms_paging(query, "orders", required=True)
        begin, end = _oms_dates(query)
        items, total = self.state.paid_lines_page(begin, end, offset, limit)
        return Answer(200, _oms_page(items, total, offset, limit))

    def _order(self, params, query, body, path, options) -> Answer:
        return Answer(200, self.state.order_detail(params["on"]))

    def _cancelled(self, params, query, body, path, options) -> Answer:
        offset, limit = _oms_paging(query, "status")
        begin, end = _oms_dates(query)
        items, total = self.state.cancelled_page(begin, end, offset, limit)
        return Answer(200, _oms_page(items, total, offset, limit))

    def _cancel_line(self, params, query, body, path, options) -> Answer:
        payload = _oms_body(body)
        self.state.cancel_by_merchant(params["lid"], (payload or {}).get("reasonId") if isinstance(payload, dict)
                                      else None)
        return Answer(200, _DONE)

    # --- packages ---------------------------------------------------------------------------
    def _packages(self, params, query, body, path, options) -> Answer:
        offset, limit = _oms_paging(query, "packages")
        begin, end = _oms_dates(query)
        if query.get("timespan"):
            if begin is not None or end is not None:
                raise OmsError(400, "give either timespan or begindate/enddate")
            try:
                hours = int(query["timespan"])
            except ValueError:
                raise OmsError(400, "timespan must be a whole number of hours") from None
            if hours < 1:
                raise OmsError(400, "timespan must be at least 1 hour")
            begin = time.time() - hours * 3600
        return Answer(200, self.state.packages_page(begin, end, offset, limit))

    def _create_package(self, params, query, body, path, options) -> Answer:
        payload = _oms_body(body)
        if not isinstance(payload, dict):
            raise OmsError(400, "the body must be a JSON object with lineItemRequests")
        created = self.state.create_package(payload.get("lineItemRequests"), payload.get("cargoCompany"))
        return Answer(201, created)

    def _status_list(self, params, query, body, path, options) -> Answer:
        offset, limit = _oms_paging(query, "status")
        begin, end = _oms_dates(query)
        items, total = self.state.status_page(params["kind"].lower(), begin, end, offset, limit)
        return Answer(200, _oms_page(items, total, offset, limit))

    def _unpacked(self, params, query, body, path, options) -> Answer:
        offset, limit = _oms_paging(query, "unpacked")
        begin, end = _oms_dates(query)
        items, total = self.state.unpacked_page(begin, end, offset, limit)
        return Answer(200, [_oms_page(items, total, offset, limit)])  # the document's shape: an array of pages

    def _tracking(self, params, query, body, path, options) -> Answer:
        return Answer(200, self.state.tracking(params["pn"]))

    def _labels(self, params, query, body, path, options) -> Answer:
        return Answer(200, self.state.labels(params["pn"], (query.get("format") or "zpl").lower()))

    def _unpack(self, params, query, body, path, options) -> Answer:
        self.state.unpack(params["pn"])
        return Answer(200, _DONE)

    def _split(self, params, query, body, path, options) -> Answer:
        if not options["split_endpoint"]:
            return error_answer(404, "No endpoint here", path)
        payload = _oms_body(body)
        if not isinstance(payload, dict):
            raise OmsError(400, "the body must be a JSON object with packageDetails and cancelledItems")
        self.state.split_package(params["pn"], payload.get("packageDetails") or [], payload.get("cancelledItems") or [])
        return Answer(200, _DONE)

    def _invoice(self, params, query, body, path, options) -> Answer:
        self.state.set_invoice(params["pn"], _oms_body(body))
        return Answer(204)

    def _change_cargo(self, params, query, body, path, options) -> Answer:
        payload = _oms_body(body)
        short_name = payload.get("CargoCompanyShortName") if isinstance(payload, dict) else None
        self.state.change_cargo(params["pn"], short_name)
        return Answer(204)

    def _warehouse(self, params, query, body, path, options) -> Answer:
        self.state.change_warehouse(params["pn"], _oms_body(body))
        return Answer(204)

    def _carrier(self, params, query, body, path, options) -> Answer:
        self.state.carrier_status(params["pn"], params["action"].lower(), _oms_body(body))
        return Answer(200, _DONE)

    # --- claims -------------------------------------------------------------------------------
    def _claims(self, params, query, body, path, options) -> Answer:
        status = params.get("status")
        if status is not None:
            known = {s.lower(): s for s in CLAIM_STATUSES}
            if status.lower() not in known:
                raise OmsError(400, f"status must be one of {', '.join(CLAIM_STATUSES)}")
            status = known[status.lower()]
        offset, limit = _oms_paging(query, "claims")
        begin, end = _oms_dates(query)
        status_begin, status_end = _oms_dates(query, "statusbegindate", "statusenddate")
        items, total = self.state.claims_page(status, begin, end, status_begin, status_end, offset, limit)
        pages = math.ceil(total / limit) if total else 0
        return Answer(200, items, {"X-Total-Count": str(total), "X-Limit": str(limit), "X-Offset": str(offset),
                                   "X-Page": str(offset // limit + 1), "X-Total-Pages": str(pages)})

    def _claim_action(self, params, query, body, path, options) -> Answer:
        payload = _oms_body(body)
        if params["action"].lower() == "accept":
            self.state.accept_claim(params["number"], payload if payload is not None else {})
        else:
            self.state.reject_claim(params["number"], payload)
        return Answer(204)


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
            if path.startswith("/_sim/catalog/"):
                return self._catalog(method, path, sku, payload)
            if path.startswith(("/_sim/orders", "/_sim/packages", "/_sim/claims", "/_sim/oms/")):
                return self._oms(method, path, payload)
        except OmsError as refusal:
            return error_answer(refusal.status, refusal.message, path)
        except ValueError as exc:
            return error_answer(400, str(exc), path)
        return error_answer(404, "unknown simulator control endpoint", path)

    def _oms(self, method: str, path: str, payload: Any) -> Answer:
        parts = [unquote(p) for p in path.strip("/").split("/")[1:]]  # after "_sim"
        body = payload if isinstance(payload, dict) else {}
        at = parse_body_date(body["at"], "at") if body.get("at") else None
        kind, key, action = (parts + [None, None, None])[:3]
        if kind == "oms" and key == "stats" and method == "GET":
            return Answer(200, self.sim.oms_counters())
        if kind == "orders":
            if key is None and method == "GET":
                return Answer(200, {"orders": self.sim.orders()})
            if key is None and method == "POST":
                if not isinstance(payload, dict):
                    return error_answer(400, 'POST /_sim/orders takes {"lines": [{"merchantSku", "quantity"}], ...}',
                                        path)
                at = parse_body_date(body["orderDate"], "orderDate") if body.get("orderDate") else at
                order = self.sim.place_order(body.get("lines"), micro_export=bool(body.get("microExport")), at=at,
                                             pack=bool(body.get("pack")), paid=body.get("paid", True) is not False,
                                             shopper=body.get("shopper"))
                return Answer(201, order)
            if key is not None and action is None and method == "GET":
                order = self.sim.order(key)
                return Answer(200, order) if order else error_answer(404, f"no order {key}", path)
            if key is not None and action == "cancel" and method == "POST":
                return Answer(200, {"cancelled": self.sim.cancel_order(key, body.get("lines"))})
        if kind == "packages":
            if key is None and method == "GET":
                return Answer(200, {"packages": self.sim.packages()})
            if key is not None and action is None and method == "GET":
                package = self.sim.package(key)
                return Answer(200, package) if package else error_answer(404, f"no package {key}", path)
            if key is not None and action == "status" and method == "POST":
                return Answer(200, self.sim.move_package(key, body.get("status"), at=at,
                                                         tracking_number=body.get("trackingNumber"),
                                                         reason=body.get("reason")))
        if kind == "claims":
            if key is None and method == "GET":
                return Answer(200, {"claims": self.sim.claims()})
            if key is None and method == "POST":
                at = parse_body_date(body["claimDate"], "claimDate") if body.get("claimDate") else at
                claim = self.sim.create_claim(body.get("lineItemId"), quantity=body.get("quantity"),
                                              reason=body.get("reason", "PoorQuality"),
                                              explanation=body.get("explanation", ""),
                                              status=body.get("status", "AwaitingAction"), at=at)
                return Answer(201, claim)
            if key is not None and action is None and method == "GET":
                claim = self.sim.claim(key)
                return Answer(200, claim) if claim else error_answer(404, f"no claim {key}", path)
            if key is not None and action == "status" and method == "POST":
                return Answer(200, self.sim.move_claim(key, body.get("status"), at=at))
        return error_answer(404, "unknown simulator control endpoint", path)


    def _catalog(self, method: str, path: str, sku: str | None, payload: Any) -> Answer:
        if method == "GET" and path == "/_sim/catalog/products":
            if sku is not None:
                product = self.sim.catalog_product(sku)
                return Answer(200, {"product": product}) if product else error_answer(404, f"no product {sku}", path)
            return Answer(200, {"products": self.sim.catalog_products()})
        if method == "GET" and path == "/_sim/catalog/stats":
            return Answer(200, self.sim.catalog_counters())
        if method == "GET" and path.startswith("/_sim/catalog/imports/"):
            found = self.sim.catalog_import(path.rsplit("/", 1)[-1])
            return Answer(200, found) if found else error_answer(404, "no such import", path)
        if method == "POST" and path in ("/_sim/catalog/reject", "/_sim/catalog/approve"):
            skus = payload.get("skus") if isinstance(payload, dict) else None
            if not isinstance(skus, list) or not skus or not all(isinstance(s, str) and s for s in skus):
                return error_answer(400, 'the body must be {"skus": ["sku", ...]} with at least one sku', path)
            if path.endswith("/approve"):
                return Answer(200, {"matched": self.sim.approve_products(skus)})
            reasons = payload.get("reasons") or []
            if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
                return error_answer(400, "reasons must be a list of texts", path)
            blocked = self.sim.reject_products(skus, reasons, now=bool(payload.get("now")))
            return Answer(200, {"marked": len(skus), "blocked_now": blocked})
        return error_answer(404, "unknown simulator control endpoint", path)


def _public_options(options: dict[str, Any]) -> dict[str, Any]:
    return {**options, "password": "********"}


class _Server(SimulatorServer):
    label = "Hepsiburada simulator"


class _Handler(SimulatorHandler):
    server_version = "HepsiburadaSimulator/1.0"

    def keep_blank_values(self, path: str) -> bool:
        # The catalog tells "leaf=" (any) from a missing leaf (Hepsiburada's default, true).
        return path.lower().startswith(CATALOG_PREFIXES)


class HepsiburadaSimulator:
    """A running simulator: its address, its options and thread-safe inspection helpers."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any):
        self._state = SimulatorState(options)
        self._stop_event = threading.Event()
        self.api = ListingApi(self._state, self._stop_event)
        self.catalog_api = CatalogApi(self._state, self._stop_event)
        self.oms_api = OmsApi(self._state, self._stop_event)
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

    def dispatch(self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> Answer:
        if path.startswith("/_sim/"):
            return self.control.handle(method, path, query, body)
        if path.lower().startswith(CATALOG_PREFIXES):
            return self.catalog_api.handle(method, path, query, headers, body)
        if path.lower().startswith(OMS_PREFIXES):
            return self.oms_api.handle(method, path, query, headers, body)
        return self.api.handle(method, path, query, headers, body)

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
            "base_url": self.url,
            "oms_url": self.url,
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

    # --- catalog ----------------------------------------------------------------------
    def catalog_product(self, sku: str) -> dict[str, Any] | None:
        """The imported product ``sku`` (status, hbSku, reasons, attributes…), or None."""
        return self._state.catalog_product(sku)

    def catalog_products(self) -> list[dict[str, Any]]:
        return self._state.catalog_products()

    def catalog_import(self, tracking_id: str) -> dict[str, Any] | None:
        """An import as uploaded (``items``) and, once processed, each item's outcome."""
        return self._state.catalog_import(tracking_id)

    def catalog_counters(self) -> dict[str, Any]:
        return self._state.catalog_counters()

    def reject_products(self, skus: list[str], reasons: list[str] | None = None, now: bool = False) -> int:
        """Make these skus BLOCKED with ``reasons`` at their approval (``now``: waiting ones at once)."""
        return self._state.mark_for_rejection(skus, reasons, now=now)

    def approve_products(self, skus: list[str]) -> int:
        """Make these waiting products MATCHED (and listings) at once."""
        return self._state.approve_now(skus)

    # --- orders, packages and claims ------------------------------------------------------
    def place_order(self, lines: list[dict[str, Any]], *, micro_export: bool = False, at: float | None = None,
                    pack: bool = False, paid: bool = True, shopper: int | None = None) -> dict[str, Any]:
        """Place an order now (or at epoch ``at``): ``lines`` is ``[{merchantSku, quantity[, price]}]``.

        Returns ``{orderNumber, orderId, lineItemIds, lines, …}``. ``pack``: Hepsiburada packages it
        at once; ``paid`` False: its lines cannot be packaged (canCreatePackage false);
        ``micro_export``: a shopper abroad; ``shopper``: which deterministic shopper buys.
        """
        if shopper is not None and (not isinstance(shopper, int) or isinstance(shopper, bool) or shopper < 0):
            raise OmsError(400, "shopper must be a whole number of at least 0")
        return self._state.place_order(lines, shopper_n=shopper, abroad=micro_export, at=at, pack=pack, paid=paid)

    def order(self, order_number: str) -> dict[str, Any] | None:
        return self._state.order(order_number)

    def orders(self) -> list[dict[str, Any]]:
        return self._state.all_orders()

    def cancel_order(self, order_number: str, line_ids: list[str] | None = None, at: float | None = None) -> int:
        """The customer cancels lines not shipped yet (all of the order's when ``line_ids`` is empty),
        now or at epoch ``at``."""
        return self._state.cancel_by_customer(order_number, line_ids, at=at)

    def package(self, package_number: str) -> dict[str, Any] | None:
        """A package as listed, plus its history, invoice, tracking and who packed it."""
        return self._state.package_detail(package_number)

    def packages(self) -> list[dict[str, Any]]:
        return self._state.all_packages()

    def move_package(self, package_number: str, status: str, *, at: float | None = None,
                     tracking_number: str | None = None, reason: str | None = None) -> dict[str, Any]:
        """Hepsiburada's carrier (or the customer) moves a package: InTransit, Delivered, Undelivered,
        Cancelled or Unpacked, along the allowed moves only (OmsError 409 otherwise)."""
        return self._state.move_package(package_number, status, at=at, tracking_number=tracking_number, reason=reason)

    def create_claim(self, line_item_id: str, **fields: Any) -> dict[str, Any]:
        """Open a claim on a delivered line: ``quantity``, ``reason``, ``explanation``, ``status``, ``at``."""
        return self._state.create_claim(line_item_id, **fields)

    def claim(self, number: str) -> dict[str, Any] | None:
        return self._state.claim(number)

    def claims(self) -> list[dict[str, Any]]:
        return self._state.all_claims()

    def move_claim(self, number: str, status: str, at: float | None = None) -> dict[str, Any]:
        """Hepsiburada's move of a claim (AwaitingAction after NewRequest, a dispute's outcome, Refunded…)."""
        return self._state.move_claim(number, status, at=at)

    def oms_counters(self) -> dict[str, Any]:
        return self._state.order_counters()

    def wait_until_catalog_settled(self, timeout: float = 10.0) -> bool:
        """Block until no import, update or approval is pending; False if ``timeout`` passed first."""
        return self._state.wait_until_catalog_settled(timeout)

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
    ``failed_upload`` accepts uploads normally and later marks them ``Failed`` (catalog imports
    and updates: every product fails).
    Catalog options: ``approval_delay`` (s a valid product waits before MATCHED/BLOCKED,
    default 2; ``processing_delay`` also times import validation); ``catalog_rate_limit``
    (requests/s, default 100, answered with 403 like Hepsiburada, 0 = off);
    ``max_products_per_import`` (default 1000); ``max_import_bytes`` (default 10 MiB).
    Order options: ``order_rate`` (orders per second a shopper places, deterministic Turkish
    names and addresses, buying salable listings or else ``shopper_skus``; default 0 = off);
    ``auto_pack_delay`` (s after an order until Hepsiburada packs the lines the merchant has not,
    default 900 as documented; None = never); ``oms_rate_limit`` (requests/s per merchant,
    default 1000, 0 = off); ``split_endpoint`` (False: …/split answers 404).
    """
    return HepsiburadaSimulator(host, port, **options).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mpdash.marketplaces.hepsiburada.simulator",
        description="Run a local Hepsiburada listing, order and catalog API simulator until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--processing-delay", type=float, help="seconds before an upload is applied (default 1)")
    parser.add_argument("--latency", type=float, help="seconds added to every answer (default 0)")
    parser.add_argument("--rate-limit", type=int, help="requests per second per merchant (default 50, 0 = off)")
    parser.add_argument("--max-items-per-upload", type=int, help="largest upload accepted (default 4000)")
    parser.add_argument("--approval-delay", type=float,
                        help="seconds an imported product waits before it is matched (default 2)")
    parser.add_argument("--order-rate", type=float, help="orders per second the shopper places (default 0 = off)")
    parser.add_argument("--auto-pack-delay", type=float,
                        help="seconds until Hepsiburada packs an order the merchant has not packed (default 900)")
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
    print(f"Hepsiburada listing, order and catalog simulator on {simulator.url}")
    print(f"  merchant id: {current['merchant_id']}")
    print(f"  username:    {current['username']}")
    print(f"  user agent:  {current['user_agent']}")
    print("  password:    (the configured service key; not shown)")
    print("Ctrl-C to stop.", flush=True)
    run_until_signal(simulator)
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
