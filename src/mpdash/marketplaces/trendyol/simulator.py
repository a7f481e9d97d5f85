"""A local HTTP server that speaks Trendyol's seller API, for tests, demos and load runs.

Standard library only (``http.server``), so it starts in milliseconds. ``serve()`` runs it
in a daemon thread and returns a :class:`TrendyolSimulator`; ``python -m
mpdash.marketplaces.trendyol.simulator --port 8766`` (or ``mpdash simulate trendyol``) runs
it in the foreground. Point a channel at ``{url}/integration`` (see ``adapter_config()``).

API paths, under ``/integration`` like Trendyol's gateway (User-Agent, Basic auth and the
optional ``storeFrontCode`` header checked on each):

* ``GET  /product/product-categories``
* ``GET  /product/categories/{categoryId}/attributes``
* ``GET  /product/categories/{categoryId}/attributes/{attributeId}/values?page=&size=``
* ``GET  /product/brands?page=&size=`` and ``GET /product/brands/by-name?name=``
* ``POST /product/sellers/{sellerId}/v2/products`` (create)
* ``POST /product/sellers/{sellerId}/products/unapproved-bulk-update``
* ``POST /product/sellers/{sellerId}/products/content-bulk-update`` (approved products, by contentId)
* ``GET  /product/sellers/{sellerId}/products`` (filterProducts) and ``DELETE`` (delete)
* ``PUT  /product/sellers/{sellerId}/products/archive-state``
* ``GET  /product/sellers/{sellerId}/products/batch-requests/{batchRequestId}``
* ``POST /inventory/sellers/{sellerId}/products/price-and-inventory``

Order side (packages and claims; state in :class:`~.simulator_state.OrderBook`):

* ``GET  /order/sellers/{sellerId}/orders`` (getShipmentPackages: startDate, endDate, page,
  size <= 200, status, orderNumber, shipmentPackageIds, orderByField, orderByDirection; the
  10,000-record rule and a 14-day window)
* ``PUT  /order/sellers/{sellerId}/shipment-packages/{packageId}`` (Picking, then Invoiced)
* ``PUT  …/shipment-packages/{packageId}/items/unsupplied``
* ``POST …/shipment-packages/{packageId}/split-packages``
* ``PUT  …/shipment-packages/{packageId}/update-tracking-number``
* ``PUT  …/shipment-packages/{packageId}/warehouse`` (``{"warehouseId"}``, Trendyol Express sellers)
* ``PUT  /order/sellers/{sellerId}/manual-deliver/{cargoTrackingNumber}``
* ``POST /sellers/{sellerId}/seller-invoice-links`` (409 on a second link)
* ``GET  /order/sellers/{sellerId}/claims``, ``PUT …/claims/{claimId}/items/approve``,
  ``POST …/claims/{claimId}/issue`` (multipart), ``GET /order/claim-issue-reasons``
* stage helpers: ``POST /test/order/orders/core``,
  ``PUT /test/order/sellers/{sellerId}/shipment-packages/{packageId}/status``,
  ``PUT /test/order/sellers/{sellerId}/claims/waiting-in-action``

Control paths (no auth): ``GET /_sim/state[?barcode=]``, ``GET /_sim/stats``,
``GET /_sim/history[?barcode=]``, ``GET /_sim/batches/{id}``, ``GET /_sim/catalog``,
``GET|POST /_sim/config``, ``POST /_sim/reset``, ``POST /_sim/products`` (seed products),
``POST /_sim/reject`` (``{"barcode", "reason", "detail"}``: reject at approval);
orders: ``POST /_sim/orders`` (one order ``{lines: [{barcode | stockCode, quantity}], …}`` or
``{"orders": [...]}``), ``GET /_sim/packages[?orderNumber=&status=]``, ``GET /_sim/packages/{id}``,
``POST /_sim/packages/{id}/status`` (``{"status", "trackingNumber"?}``: the carrier's moves),
``POST /_sim/packages/{id}/cancel`` (``{"lines"?}``: the customer cancels), ``GET /_sim/orders/stats``;
claims: ``POST /_sim/claims`` (``{packageId, lines?, reasonId?, status?, customerNote?}``),
``GET /_sim/claims``, ``GET /_sim/claims/{id}``, ``POST /_sim/claims/{id}/waiting-in-action``.

Error bodies: 401 ``{"exception": "ClientApiAuthenticationException", …}`` as documented;
everything else uses the documented ``{"errors": [{"key", "message", "errorCode"}]}``.
The keys Trendyol uses for 403, 404, 429 and the 15-minute rule are not published; the
ones here are our guesses.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from collections.abc import Mapping
from typing import Any, Self
from urllib.parse import unquote

from ..simulation import (
    Answer,
    SimulatorHandler,
    SimulatorServer,
    basic_credentials,
    run_until_signal,
)
from .config import (
    CLAIM_ITEM_STATUSES,
    INTEGRATOR_MAX_LENGTH,
    MAX_CLAIM_PAGE_SIZE,
    MAX_FILTER_PAGE,
    MAX_FILTER_PAGE_SIZE,
    MAX_ORDER_PAGE_SIZE,
    MAX_PACKAGE_IDS,
    MAX_VALUES_PAGE_SIZE,
    PACKAGE_STATUSES,
    STOREFRONT_CODES,
)
from .simulator_state import (
    ARCHIVE,
    CONTENT_UPDATE,
    CREATE,
    DELETE,
    INVENTORY,
    UPDATE,
    Refused,
    SimulatorState,
    now_ms,
)

logger = logging.getLogger("mpdash.marketplaces.trendyol.simulator")

PREFIX = "/integration"
_SELLER = r"/product/sellers/(?P<sid>[^/]+)"
_ORDER = r"/order/sellers/(?P<sid>[^/]+)"
_PACKAGE = rf"{_ORDER}/shipment-packages/(?P<pid>[^/]+)"
# (method, pattern, route name, service group). The groups follow Trendyol's announced
# limit groups: product reads, product writes, and stock & price writes.
ROUTES: list[tuple[str, re.Pattern[str], str, str]] = [
    ("GET", re.compile(r"^/product/product-categories/?$"), "categories", "product_read"),
    ("GET", re.compile(r"^/product/categories/(?P<cid>[^/]+)/attributes/?$"), "attributes", "product_read"),
    ("GET", re.compile(r"^/product/categories/(?P<cid>[^/]+)/attributes/(?P<aid>[^/]+)/values/?$"), "values",
     "product_read"),
    ("GET", re.compile(r"^/product/brands/?$"), "brands", "product_read"),
    ("GET", re.compile(r"^/product/brands/by-name/?$"), "brands_by_name", "product_read"),
    ("POST", re.compile(rf"^{_SELLER}/v2/products/?$"), "create", "product_write"),
    ("POST", re.compile(rf"^{_SELLER}/products/unapproved-bulk-update/?$"), "update", "product_write"),
    ("POST", re.compile(rf"^{_SELLER}/products/content-bulk-update/?$"), "content_update", "product_write"),
    ("GET", re.compile(rf"^{_SELLER}/products/?$"), "filter", "product_read"),
    ("DELETE", re.compile(rf"^{_SELLER}/products/?$"), "delete", "product_write"),
    ("PUT", re.compile(rf"^{_SELLER}/products/archive-state/?$"), "archive", "product_write"),
    ("GET", re.compile(rf"^{_SELLER}/products/batch-requests/(?P<bid>[^/]+)/?$"), "batch", "product_read"),
    ("POST", re.compile(r"^/inventory/sellers/(?P<sid>[^/]+)/products/price-and-inventory/?$"), "inventory",
     "inventory_write"),
    # order side: reads and writes of packages, claims, and the stage test services
    ("GET", re.compile(rf"^{_ORDER}/orders/?$"), "packages", "order_read"),
    ("PUT", re.compile(rf"^{_PACKAGE}/?$"), "package_status", "order_write"),
    ("PUT", re.compile(rf"^{_PACKAGE}/items/unsupplied/?$"), "unsupplied", "order_write"),
    ("POST", re.compile(rf"^{_PACKAGE}/split-packages/?$"), "split", "order_write"),
    ("PUT", re.compile(rf"^{_PACKAGE}/update-tracking-number/?$"), "tracking", "order_write"),
    ("PUT", re.compile(rf"^{_PACKAGE}/warehouse/?$"), "warehouse", "order_write"),
    ("PUT", re.compile(rf"^{_ORDER}/manual-deliver/(?P<tracking>[^/]+)/?$"), "manual_deliver", "order_write"),
    ("POST", re.compile(r"^/sellers/(?P<sid>[^/]+)/seller-invoice-links/?$"), "invoice_link", "order_write"),
    ("GET", re.compile(rf"^{_ORDER}/claims/?$"), "claims", "claim_read"),
    ("PUT", re.compile(rf"^{_ORDER}/claims/(?P<cid>[^/]+)/items/approve/?$"), "claim_approve", "claim_write"),
    ("POST", re.compile(rf"^{_ORDER}/claims/(?P<cid>[^/]+)/issue/?$"), "claim_issue", "claim_write"),
    ("GET", re.compile(r"^/order/claim-issue-reasons/?$"), "claim_issue_reasons", "claim_read"),
    ("POST", re.compile(r"^/test/order/orders/core/?$"), "test_order", "test"),
    ("PUT", re.compile(r"^/test/order/sellers/(?P<sid>[^/]+)/shipment-packages/(?P<pid>[^/]+)/status/?$"),
     "test_package_status", "test"),
    ("PUT", re.compile(r"^/test/order/sellers/(?P<sid>[^/]+)/claims/waiting-in-action/?$"), "test_claims_waiting",
     "test"),
]
ORDER_ROUTES = frozenset(name for _, _, name, group in ROUTES if group.startswith(("order", "claim", "test")))
_BATCH_TYPE = {"create": CREATE, "update": UPDATE, "content_update": CONTENT_UPDATE, "delete": DELETE, "archive": ARCHIVE, "inventory": INVENTORY}
_USER_AGENT_RE = re.compile(rf"^(?P<sid>\d+) - (?P<name>[A-Za-z0-9]{{1,{INTEGRATOR_MAX_LENGTH}}})$")
_AUTH_FAILED = "ClientApiAuthenticationException"


def error_answer(status: int, key: str, message: str, headers: dict[str, str] | None = None) -> Answer:
    """Trendyol's documented error envelope."""
    return Answer(status, {"errors": [{"key": key, "message": message, "errorCode": str(status)}]}, headers or {})


def auth_failed(path: str) -> Answer:
    return Answer(401, {"timestamp": now_ms(), "status": 401, "exception": _AUTH_FAILED, "message": "Unauthorized",
                        "path": PREFIX + path})


class SellerApi:
    """Trendyol's seller API behaviour, independent of the HTTP plumbing."""

    def __init__(self, state: SimulatorState, stop_event: threading.Event):
        self.state = state
        self.stop_event = stop_event

    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: Mapping[str, str], body: bytes) -> Answer:
        self.state.count_request()
        options = self.state.options()
        if options["latency"]:
            self.stop_event.wait(options["latency"])
        if not path.startswith(PREFIX + "/"):
            return error_answer(404, "not.found", f"No endpoint here: {path} (Trendyol's paths start with {PREFIX}/)")
        path = path[len(PREFIX):]
        route = self._route(method, path)
        if isinstance(route, Answer):
            return route
        name, group, params = route
        fault = self.state.fault.take(PREFIX + path)
        if fault:
            return self._fault_answer(fault, options)
        refused = self._check_caller(headers, params.get("sid"), path, options)
        if refused:
            return refused
        allowed, _, _ = self.state.rates.spend(f"{options['seller_id']}:{group}", options["rate_limit"],
                                               options["rate_window"])
        if not allowed:
            return error_answer(429, "too.many.requests", "too.many.requests")
        try:
            if name in ORDER_ROUTES:
                return self._order_endpoint(name, params, query, headers, body)
            return self._endpoint(name, params, query, body, options)
        except Refused as refused:
            return error_answer(refused.status, refused.key, refused.message)

    # --- gatekeeping ------------------------------------------------------------------
    @staticmethod
    def _route(method: str, path: str) -> tuple[str, str, dict[str, str]] | Answer:
        path_matched = False
        for route_method, pattern, name, group in ROUTES:
            match = pattern.match(path)
            if match:
                path_matched = True
                if route_method == method:
                    return name, group, {k: unquote(v) for k, v in match.groupdict().items()}
        if path_matched:
            return error_answer(405, "method.not.allowed", f"Request method '{method}' is not supported on {PREFIX}{path}")
        return error_answer(404, "not.found", f"No endpoint here: {PREFIX}{path}")

    def _fault_answer(self, fault: dict[str, Any], options: dict[str, Any]) -> Answer:
        mode = fault["mode"]
        if mode == "5xx":
            return error_answer(fault["status"], "internal.server.error",
                                "Trendyol sisteminde bir hata oluştu. İsteğinizi yeniden deneyin.")
        if mode == "429":
            return error_answer(429, "too.many.requests", "too.many.requests")
        if mode == "malformed":
            return Answer(200, b'{"batchRequestId": "76e55c53-e0a4\x00<html><body>502 Bad Gateway</body></html>')
        # "timeout": hold the answer, then give up like a gateway would (nothing is processed).
        self.stop_event.wait(options["timeout_sleep"])
        return error_answer(504, "gateway.timeout", "Gateway Timeout")

    @staticmethod
    def _check_caller(headers: Mapping[str, str], seller_in_path: str | None, path: str,
                      options: dict[str, Any]) -> Answer | None:
        agent = (headers.get("User-Agent") or "").strip()
        if not agent:
            return error_answer(403, "forbidden", 'User-Agent zorunludur: "{sellerId} - {EntegratörFirmaAdı}" veya '
                                '"{sellerId} - SelfIntegration" gönderin')
        match = _USER_AGENT_RE.match(agent)
        if match is None or match.group("sid") != options["seller_id"]:
            return error_answer(403, "forbidden", f'User-Agent "{agent}" geçersiz: "{options["seller_id"]} - '
                                '{EntegratörFirmaAdı}" biçiminde olmalı (firma adı en fazla 30 harf/rakam)')
        user, password = basic_credentials(headers.get("Authorization"))
        if user != options["api_key"] or password != options["api_secret"]:
            return auth_failed(path)
        if seller_in_path is not None and seller_in_path != options["seller_id"]:
            return auth_failed(path)  # the credentials belong to another seller
        storefront = headers.get("storeFrontCode")
        if storefront is not None and storefront.strip().upper() not in STOREFRONT_CODES:
            return error_answer(400, "invalid.storefrontcode", f"Geçersiz storeFrontCode: {storefront}")
        return None

    # --- endpoints --------------------------------------------------------------------
    def _endpoint(self, name: str, params: dict[str, str], query: dict[str, list[str]], body: bytes,
                  options: dict[str, Any]) -> Answer:
        state = self.state
        if name == "categories":
            return Answer(200, state.category_tree())
        if name == "attributes":
            return Answer(200, state.category_attributes(_path_int(params["cid"], "categoryId")))
        if name == "values":
            page = _query_int(query, "page", 0, 0, MAX_VALUES_PAGE_SIZE)
            size = _query_int(query, "size", MAX_VALUES_PAGE_SIZE, 1, MAX_VALUES_PAGE_SIZE)
            return Answer(200, state.attribute_values(_path_int(params["cid"], "categoryId"),
                                                      _path_int(params["aid"], "attributeId"), page, size))
        if name == "brands":
            page = _query_int(query, "page", 0, 0, 10**6)
            size = _query_int(query, "size", 1000, 1, 5000)
            return Answer(200, state.brands_page(page, size))
        if name == "brands_by_name":
            wanted = (query.get("name") or [""])[0]
            if not wanted.strip():
                raise Refused(400, "name.required", "name parametresi zorunludur")
            return Answer(200, state.brands_by_name(wanted))
        if name == "filter":
            return Answer(200, state.filter_products(*_filter_params(query)))
        if name == "batch":
            answer = state.batch_answer(params["sid"], params["bid"])
            if answer is None:
                raise Refused(404, "batch.request.not.found",
                              f"batchRequestId bulunamadı veya 4 saatlik görüntüleme süresi doldu: {params['bid']}")
            return Answer(200, answer)
        items = self._items(body, options)
        batch = state.accept(_BATCH_TYPE[name], params["sid"], items)
        return Answer(200, {"batchRequestId": batch.id})

    def _order_endpoint(self, name: str, params: dict[str, str], query: dict[str, list[str]],
                        headers: Mapping[str, str], body: bytes) -> Answer:
        state = self.state
        if name == "packages":
            return Answer(200, state.list_packages(**_package_params(query), encoded=True))
        if name == "claims":
            return Answer(200, state.list_claims(**_claim_params(query)))
        if name == "claim_issue_reasons":
            return Answer(200, state.claim_issue_reasons())
        if name == "claim_issue":
            fields, files = _multipart(headers, body)
            for key, values in query.items():  # Trendyol's reference also shows the fields as query parameters
                fields.setdefault(key, values[0] if values else "")
            state.claim_issue(params["cid"], fields, files)
            return Answer(200)
        if name == "manual_deliver":
            state.manual_deliver(params["tracking"])
            return Answer(200)
        data = _json_body(body)
        if name == "package_status":
            state.update_package(params["pid"], data)
        elif name == "unsupplied":
            state.unsupplied(params["pid"], data)
        elif name == "split":
            state.split_package(params["pid"], data)
        elif name == "tracking":
            state.update_tracking(params["pid"], data)
        elif name == "warehouse":
            state.update_warehouse(params["pid"], data)
        elif name == "invoice_link":
            state.invoice_link(data)
            return Answer(201)
        elif name == "claim_approve":
            state.approve_claim(params["cid"], data)
        elif name == "test_order":
            seller = headers.get("SellerId") or headers.get("sellerId")
            if seller is not None and str(seller).strip() != state.options()["seller_id"]:
                raise Refused(403, "forbidden", "SellerID başlığı kimlik bilgileriyle eşleşmiyor")
            placed = state.place_orders([data if isinstance(data, dict) else {}])[0]
            return Answer(201, {"orderNumber": placed["orderNumber"]})
        elif name == "test_package_status":
            data = data if isinstance(data, dict) else {}
            state.carrier_status(params["pid"], data.get("status"))
        elif name == "test_claims_waiting":
            data = data if isinstance(data, dict) else {}
            ids = data.get("claimIds") or ([data["claimId"]] if data.get("claimId") else [])
            if not ids:
                raise Refused(400, "claim.id.required", "claimId zorunludur")
            state.claims_waiting_in_action([str(i) for i in ids])
        return Answer(200)

    @staticmethod
    def _items(body: bytes, options: dict[str, Any]) -> list[dict[str, Any]]:
        if len(body) > options["max_body_bytes"]:
            raise Refused(413, "payload.too.large",
                          f"İstek gövdesi çok büyük: {len(body)} bayt (en fazla {options['max_body_bytes']})")
        try:
            data = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            raise Refused(400, "invalid.request.body", "İstek gövdesi geçerli bir JSON değil") from None
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            raise Refused(400, "items.required", 'İstek gövdesi {"items": [...]} biçiminde ve en az bir item içermelidir')
        if not all(isinstance(item, dict) for item in items):
            raise Refused(400, "invalid.item", "items içindeki her eleman bir JSON nesnesi olmalıdır")
        most = options["max_items_per_request"]
        if len(items) > most:
            raise Refused(400, "items.max.size", f"Bir istekte en fazla {most} item gönderilebilir; {len(items)} gönderildi")
        return items


def _path_int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise Refused(400, "invalid.path.param", f"{name} bir sayı olmalıdır: {raw}") from None


def _query_int(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    raw = (query.get(name) or [None])[0]
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Refused(400, "invalid.query.param", f"{name} bir sayı olmalıdır: {raw}") from None
    if not low <= value <= high:
        raise Refused(400, "invalid.query.param", f"{name} {low} ile {high} arasında olmalıdır: {value}")
    return value


def _filter_params(query: dict[str, list[str]]) -> tuple[int, int, dict[str, Any]]:
    page = _query_int(query, "page", 0, 0, MAX_FILTER_PAGE)
    size = _query_int(query, "size", 50, 1, MAX_FILTER_PAGE_SIZE)
    filters: dict[str, Any] = {}
    for name in ("barcode", "stockCode", "productMainId"):
        value = (query.get(name) or [None])[0]
        if value not in (None, ""):
            filters[name] = value
    for name in ("approved", "onSale", "rejected", "archived"):
        raw = (query.get(name) or [None])[0]
        if raw in (None, ""):
            continue
        if raw.lower() not in ("true", "false"):
            raise Refused(400, "invalid.query.param", f"{name} true veya false olmalıdır: {raw}")
        filters[name] = raw.lower() == "true"
    return page, size, filters


def _json_body(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "invalid.request.body", "İstek gövdesi geçerli bir JSON değil") from None


def _multipart(headers: Mapping[str, str], body: bytes) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The fields and files of a multipart/form-data body (the standard library's MIME parser)."""
    content_type = headers.get("Content-Type") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        raise Refused(415, "unsupported.media.type", "Bu servis multipart/form-data bekler")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise Refused(400, "invalid.request.body", "multipart gövdesi okunamadı")
    fields: dict[str, str] = {}
    files: list[dict[str, Any]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            fields[str(name)] = payload.decode("utf-8", "replace")
        else:
            files.append({"field": name, "filename": filename, "content_type": part.get_content_type(),
                          "size": len(payload)})
    return fields, files


def _query_text(query: dict[str, list[str]], name: str) -> str | None:
    value = (query.get(name) or [None])[0]
    return None if value in (None, "") else value.strip()


def _query_ms(query: dict[str, list[str]], name: str) -> int | None:
    raw = _query_text(query, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Refused(400, "invalid.query.param", f"{name} epoch milisaniye olmalıdır: {raw}") from None


def _package_params(query: dict[str, list[str]]) -> dict[str, Any]:
    status = _query_text(query, "status")
    ids = [i.strip() for i in (_query_text(query, "shipmentPackageIds") or "").split(",") if i.strip()]
    if len(ids) > MAX_PACKAGE_IDS:
        raise Refused(400, "invalid.query.param", f"shipmentPackageIds en fazla {MAX_PACKAGE_IDS} paket içerebilir")
    order_by = _query_text(query, "orderByField") or "PackageLastModifiedDate"
    if order_by not in ("PackageLastModifiedDate", "CreatedDate", "OrderDate"):
        raise Refused(400, "invalid.query.param", f"Geçersiz orderByField: {order_by}")
    direction = (_query_text(query, "orderByDirection") or "ASC").upper()  # guess: the default direction
    if direction not in ("ASC", "DESC"):
        raise Refused(400, "invalid.query.param", f"orderByDirection ASC veya DESC olmalıdır: {direction}")
    return {
        "start": _query_ms(query, "startDate"), "end": _query_ms(query, "endDate"),
        "page": _query_int(query, "page", 0, 0, 10**6),
        "size": _query_int(query, "size", MAX_ORDER_PAGE_SIZE, 1, MAX_ORDER_PAGE_SIZE),
        "status": _canonical_status(status, PACKAGE_STATUSES) if status else None,
        "order_number": _query_text(query, "orderNumber"), "package_ids": ids or None,
        "order_by": order_by, "descending": direction == "DESC",
    }


def _claim_params(query: dict[str, list[str]]) -> dict[str, Any]:
    status = _query_text(query, "claimItemStatus")
    ids = [i.strip() for i in (_query_text(query, "claimIds") or "").split(",") if i.strip()]
    return {
        "start": _query_ms(query, "startDate"), "end": _query_ms(query, "endDate"),
        "page": _query_int(query, "page", 0, 0, 10**6),
        "size": _query_int(query, "size", 50, 1, MAX_CLAIM_PAGE_SIZE),
        "status": _canonical_status(status, CLAIM_ITEM_STATUSES) if status else None,
        "order_number": _query_text(query, "orderNumber"), "claim_ids": ids or None,
    }


def _canonical_status(value: str, names: tuple[str, ...]) -> str:
    for name in names:
        if value.lower() == name.lower():
            return name
    raise Refused(400, "invalid.status", f"Geçersiz statü: {value}; geçerli değerler: {', '.join(names)}")


_CONTROL_PACKAGE = re.compile(r"^/_sim/packages/(?P<pid>[^/]+)(?P<action>/status|/cancel)?/?$")
_CONTROL_CLAIM = re.compile(r"^/_sim/claims/(?P<cid>[^/]+)(?P<action>/waiting-in-action)?/?$")


class ControlApi:
    """The ``/_sim/`` endpoints: inspect and steer the simulator over HTTP."""

    def __init__(self, simulator: TrendyolSimulator):
        self.sim = simulator

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        try:
            payload = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            return error_answer(400, "invalid.body", "the body is not valid JSON")
        barcode = (query.get("barcode") or [None])[0]
        try:
            if method == "GET" and path == "/_sim/state":
                if barcode is not None:
                    product = self.sim.product(barcode)
                    return Answer(200, {"product": product}) if product else error_answer(404, "not.found", f"no product {barcode}")
                return Answer(200, {"seller_id": self.sim.options["seller_id"], "counters": self.sim.counters(),
                                    "products": self.sim.products()})
            if method == "GET" and path == "/_sim/stats":
                return Answer(200, self.sim.counters())
            if method == "GET" and path == "/_sim/history":
                return Answer(200, {"history": self.sim.history(barcode)})
            if method == "GET" and path.startswith("/_sim/batches/"):
                batch = self.sim.batch(path.rsplit("/", 1)[-1])
                return Answer(200, batch) if batch else error_answer(404, "not.found", "no such batch")
            if method == "GET" and path == "/_sim/catalog":
                data = self.sim.catalog
                return Answer(200, {
                    "roots": [{"id": r, "name": data.categories[r].name} for r in data.roots],
                    "categories_total": len(data.categories), "leaves_total": len(data.leaves()),
                    "brands_total": len(data.brands),
                })
            if path == "/_sim/config" and method in ("GET", "POST"):
                if method == "POST":
                    if not isinstance(payload, dict):
                        return error_answer(400, "invalid.body", "POST /_sim/config takes a JSON object of options")
                    self.sim.configure(**payload)
                return Answer(200, _public_options(self.sim.options))
            if method == "POST" and path == "/_sim/reset":
                self.sim.reset()
                return Answer(200, {"ok": True})
            if method == "POST" and path == "/_sim/products":
                products = payload.get("products") if isinstance(payload, dict) else payload
                return Answer(200, {"added": self.sim.add_products(products)})
            if method == "POST" and path == "/_sim/reject":
                if not isinstance(payload, dict):
                    return error_answer(400, "invalid.body", 'POST /_sim/reject takes {"barcode", "reason", "detail"}')
                self.sim.reject(payload.get("barcode"), payload.get("reason"), payload.get("detail") or "")
                return Answer(200, {"ok": True})
            answer = self._orders(method, path, query, payload)
            if answer is not None:
                return answer
        except Refused as refused:
            return error_answer(refused.status, refused.key, refused.message)
        except ValueError as exc:
            return error_answer(400, "invalid.request", str(exc))
        return error_answer(404, "not.found", "unknown simulator control endpoint")

    def _orders(self, method: str, path: str, query: dict[str, list[str]], payload: Any) -> Answer | None:
        sim = self.sim
        if path == "/_sim/orders" and method == "POST":
            if isinstance(payload, dict) and isinstance(payload.get("orders"), list):
                return Answer(200, {"orders": sim.place_orders(payload["orders"])})
            if not isinstance(payload, dict):
                return error_answer(400, "invalid.body", 'POST /_sim/orders takes {"lines": [...]} or {"orders": [...]}')
            return Answer(200, sim.place_orders([payload])[0])
        if path == "/_sim/orders/stats" and method == "GET":
            return Answer(200, sim.order_counts())
        if path == "/_sim/packages" and method == "GET":
            packages = sim.packages(_query_text(query, "orderNumber"), _query_text(query, "status"))
            return Answer(200, {"total": len(packages), "packages": packages})
        if path == "/_sim/claims" and method == "GET":
            return Answer(200, {"claims": sim.claims()})
        if path == "/_sim/claims" and method == "POST":
            if not isinstance(payload, dict):
                return error_answer(400, "invalid.body", 'POST /_sim/claims takes {"packageId", "lines"?, ...}')
            spec = {k: v for k, v in payload.items() if k not in ("packageId", "lines")}
            return Answer(200, sim.create_claim(payload.get("packageId"), payload.get("lines"), **spec))
        match = _CONTROL_PACKAGE.match(path)
        if match:
            payload = payload if isinstance(payload, dict) else {}
            if method == "GET" and not match.group("action"):
                package = sim.package(match.group("pid"))
                return Answer(200, {"package": package}) if package else error_answer(404, "not.found", "no such package")
            if method == "POST" and match.group("action") == "/status":
                return Answer(200, {"package": sim.set_package_status(match.group("pid"), payload.get("status"),
                                                                      payload.get("trackingNumber"))})
            if method == "POST" and match.group("action") == "/cancel":
                return Answer(200, {"package": sim.cancel_package(match.group("pid"), payload.get("lines"))})
        match = _CONTROL_CLAIM.match(path)
        if match:
            if method == "GET" and not match.group("action"):
                claim = sim.claim(match.group("cid"))
                return Answer(200, {"claim": claim}) if claim else error_answer(404, "not.found", "no such claim")
            if method == "POST" and match.group("action"):
                return Answer(200, {"moved": sim.claim_waiting_in_action(match.group("cid"))})
        return None


def _public_options(options: dict[str, Any]) -> dict[str, Any]:
    return {**options, "api_secret": "********"}


class _Server(SimulatorServer):
    label = "Trendyol simulator"


class _Handler(SimulatorHandler):
    server_version = "TrendyolSimulator/1.0"


class TrendyolSimulator:
    """A running simulator: its address, its options and thread-safe inspection helpers."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any):
        self._state = SimulatorState(options)
        self._stop_event = threading.Event()
        self.api = SellerApi(self._state, self._stop_event)
        self.control = ControlApi(self)
        self._server = _Server((host, port), _Handler)
        self._server.simulator = self
        self.host = host
        self.port: int = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="trendyol-sim", daemon=True
        )
        self._stopped = False

    def dispatch(self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> Answer:
        if path.startswith("/_sim/"):
            return self.control.handle(method, path, query, body)
        return self.api.handle(method, path, query, headers, body)

    def start(self) -> TrendyolSimulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self._stop_event.set()  # wake handlers held by latency or the timeout fault
        self._state.stop()
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    close = stop

    @property
    def stopped(self) -> bool:
        return self._stopped

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- steering ---------------------------------------------------------------------
    @property
    def options(self) -> dict[str, Any]:
        return self._state.options()

    def configure(self, **options: Any) -> dict[str, Any]:
        """Change options (same names as ``serve()``); returns them all."""
        return self._state.configure(options)

    def reset(self) -> None:
        """Drop products, batches, history, counters and the fault; keep the other options."""
        self._state.reset()

    def add_products(self, products: list[dict[str, Any]]) -> int:
        """Create or overwrite products directly: ``[{barcode, stockCode, quantity, salePrice, listPrice,
        approved (default true), rejected, archived, archivedSecondsAgo, categoryId, brandId, …}]``."""
        return self._state.add_products(products)

    def reject(self, barcode: str, reason: str, detail: str = "") -> None:
        """Have Trendyol reject ``barcode`` with ``reason`` when its approval falls due."""
        self._state.mark_rejection(barcode, reason, detail)

    # --- orders and claims ---------------------------------------------------------------
    def place_order(self, lines: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
        """Place one order (one package): ``lines`` ``[{barcode | stockCode, quantity,
        discountPercentage?, trendyolDiscountPercentage?, price?}]``; ``spec``: customer,
        shippingAddress, invoiceAddress, orderDate (epoch ms), cargoProviderName, micro, commercial.
        Returns ``{orderNumber, packageId, status, lines: [{lineId, barcode, quantity}]}``."""
        return self._state.place_orders([{**spec, "lines": lines}])[0]

    def place_orders(self, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._state.place_orders(specs)

    def package(self, package_id: Any) -> dict[str, Any] | None:
        """A package as Trendyol lists it, plus ``_sim`` (replacements, invoice number, ended lines)."""
        return self._state.package(package_id)

    def packages(self, order_number: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        return self._state.packages(order_number, status)

    def set_package_status(self, package_id: Any, status: str, tracking_number: Any = None) -> dict[str, Any]:
        """Move a package as the carrier would: Shipped (from Picking/Invoiced), AtCollectionPoint,
        Delivered, UnDelivered, Returned."""
        return self._state.carrier_status(str(package_id), status, tracking_number)

    def cancel_package(self, package_id: Any, lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The customer cancels ``lines`` (``[{lineId, quantity}]``, all when None); the rest moves
        to a new package after ``repack_delay``."""
        return self._state.cancel_package(str(package_id), lines)

    def create_claim(self, packageId: Any, lines: list[dict[str, Any]] | None = None, **spec: Any  # noqa: N803
                     ) -> dict[str, Any]:
        """A customer opens a return on a delivered package; ``spec``: reasonId (401), customerNote,
        status (WaitingInAction or Created), force. Returns ``{claimId, claimItemIds}``."""
        return self._state.create_claim({**spec, "packageId": packageId, "lines": lines})

    def claim(self, claim_id: str) -> dict[str, Any] | None:
        return self._state.claim(claim_id)

    def claims(self) -> list[dict[str, Any]]:
        return self._state.all_claims()

    def claim_waiting_in_action(self, claim_id: str) -> int:
        """Move a claim's Created units to WaitingInAction (Trendyol's stage helper does the same)."""
        return self._state.claims_waiting_in_action([claim_id])

    def order_counts(self) -> dict[str, int]:
        """Orders placed (in all and by the shopper), packages, claims and packages per status."""
        return self._state.order_counts()

    def wait_for_order_events(self, timeout: float = 10.0) -> bool:
        """Block until every scheduled package event (Awaiting -> Created, the new packages of
        unsupplied, cancelled or split ones) has happened; False if ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        while True:
            last = self._state.pending_order_events()
            self._state.advance()
            if last is None:
                return True
            now = time.monotonic()
            if now >= deadline or self._stopped:
                return False
            self._stop_event.wait(max(0.001, min(last - now, deadline - now, 0.05)))

    def adapter_config(self) -> dict[str, Any]:
        """Channel config keys that point an adapter at this simulator."""
        options = self.options
        return {
            "base_url": self.url + PREFIX,
            "seller_id": options["seller_id"],
            "api_key": options["api_key"],
            "api_secret": options["api_secret"],
            "integrator_name": "SelfIntegration",
        }

    # --- inspection -------------------------------------------------------------------
    @property
    def catalog(self):
        """The generated categories, attributes, values and brands (:class:`CatalogData`)."""
        return self._state.catalog

    def product(self, barcode: str) -> dict[str, Any] | None:
        return self._state.product(barcode)

    def products(self) -> list[dict[str, Any]]:
        return self._state.all_products()

    def history(self, barcode: str | None = None) -> list[dict[str, Any]]:
        """Every applied change in order: ``{batch_request_id, kind, barcode, value, accepted_at, applied_at}``;
        kinds: stock, price, list_price, created, updated, approved, rejected, archived, deleted."""
        return self._state.history(barcode)

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        return self._state.batch(batch_id)

    def wait_until_processed(self, timeout: float = 10.0, *, approvals: bool = False) -> bool:
        """Block until every accepted batch (and, with ``approvals``, every pending approval)
        is carried out; False if ``timeout`` passed first."""
        return self._state.wait_until_idle(timeout, approvals=approvals)

    @property
    def requests_total(self) -> int:
        return self._state.requests_total

    @property
    def batches_total(self) -> int:
        return self._state.batches_total

    def counters(self) -> dict[str, int]:
        return {"requests_total": self.requests_total, "batches_total": self.batches_total,
                "products_total": self._state.product_count()}


def serve(host: str = "127.0.0.1", port: int = 0, **options: Any) -> TrendyolSimulator:
    """Start a simulator in a background thread (port 0 picks a free port) and return it.

    Options (all changeable later with ``configure()`` or ``POST /_sim/config``):
    ``seller_id`` (digits), ``api_key``, ``api_secret`` (what callers must send);
    ``processing_delay`` (s before a batch is processed, default 1); ``approval_delay`` (s
    from a processed create/update to approval, default 2); ``latency`` (s added to every
    answer); ``rate_limit`` and ``rate_window`` (requests per window per seller and service
    group, default 50 per 10 s as Trendyol documents; 0 = off); ``max_items_per_request``
    (1000); ``max_images`` (8); ``max_body_bytes`` (10 MiB, a guess); ``duplicate_window``
    (s during which an identical price-and-inventory body is refused, 900; 0 = off);
    ``batch_retention`` (s batch results stay readable, 4 h); ``archive_min_age`` (s an
    approved product must be archived before it can be deleted, 1 day); ``timeout_sleep``
    (s the timeout fault holds an answer, 30); ``fault``: None or ``{"mode": "5xx"|"timeout"|
    "malformed"|"429", "count": n or None (until cleared), "path": regex or None, "status": 5xx}``.

    Order side: ``order_rate`` (orders per second a shopper places from approved, in-stock
    products, with deterministic Turkish customers and addresses; 0 = off); ``awaiting_delay``
    (s a new package stays Awaiting before it becomes Created; 0 = Created at once);
    ``repack_delay`` (s until the new package of an unsupplied, cancelled or split one appears,
    1); ``shopper_seed`` (7); ``max_result_window`` (records one package or claim query may reach,
    10,000); ``max_order_window_days`` (longest startDate-endDate span of a package query, 14;
    0 = off). The rate limit and faults apply to these paths too.
    """
    return TrendyolSimulator(host, port, **options).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mpdash.marketplaces.trendyol.simulator",
        description="Run a local Trendyol seller API simulator until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--processing-delay", type=float, help="seconds before a batch is processed (default 1)")
    parser.add_argument("--approval-delay", type=float, help="seconds before a new product is approved (default 2)")
    parser.add_argument("--latency", type=float, help="seconds added to every answer (default 0)")
    parser.add_argument("--rate-limit", type=int, help="requests per window per service group (default 50, 0 = off)")
    parser.add_argument("--duplicate-window", type=float, help="seconds of the identical-request rule (default 900)")
    parser.add_argument("--order-rate", type=float, help="orders per second placed by the shopper (default 0 = off)")
    parser.add_argument("--awaiting-delay", type=float, help="seconds a new package stays Awaiting (default 0)")
    parser.add_argument("--seller-id")
    parser.add_argument("--api-key")
    parser.add_argument("--api-secret", help="the secret callers must send")
    args = parser.parse_args(argv)
    options = {key: value for key, value in vars(args).items() if key not in ("host", "port") and value is not None}
    try:
        simulator = serve(args.host, args.port, **options)
    except (OSError, ValueError) as exc:
        print(f"cannot start the simulator: {exc}", file=sys.stderr)
        return 2
    current = simulator.options
    print(f"Trendyol seller API simulator on {simulator.url} (base_url {simulator.url}{PREFIX})")
    print(f"  seller id:  {current['seller_id']}")
    print("  api key and secret: the configured ones (not shown)")
    print(f'  user agent: "{current["seller_id"]} - SelfIntegration" (any letters/digits name)')
    print("Ctrl-C to stop.", flush=True)
    run_until_signal(simulator)
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
