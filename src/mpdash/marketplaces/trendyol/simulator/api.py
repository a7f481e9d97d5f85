"""Trendyol's seller API on simkit's request pipeline, and the simulator's ``/_sim/`` endpoints.

The paths and options are listed in the package's docstring (:mod:`.`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...simkit import (
    Answer,
    Api,
    Call,
    ControlApi,
    RateWindow,
    Request,
    basic_credentials,
    control,
    json_body,
    multipart_parts,
    route,
)
from ..config import (
    GROUP_LIMITS_PER_MINUTE,
    RATE_LIMIT_CALLS,
    RATE_LIMIT_SECONDS,
    group_limit,
    CLAIM_ITEM_STATUSES,
    INTEGRATOR_MAX_LENGTH,
    MAX_CLAIM_PAGE_SIZE,
    MAX_APPROVED_PAGE_SIZE,
    MAX_APPROVED_WINDOW,
    MAX_UNAPPROVED_PAGE_SIZE,
    RETIRED_FILTER_MESSAGE,
    RETIRED_TRACKING_MESSAGE,
    MAX_ORDER_PAGE_SIZE,
    MAX_PACKAGE_IDS,
    MAX_VALUES_PAGE_SIZE,
    PACKAGE_STATUSES,
    STOREFRONT_CODES,
)
from .errors import PREFIX, Refused, auth_failed, error_answer
from .state import ARCHIVE, CONTENT_UPDATE, CREATE, DELETE, DELIVERY_UPDATE, INVENTORY, UPDATE, VARIANT_UPDATE

_SELLER = r"/product/sellers/(?P<sid>[^/]+)"
_ORDER = r"/order/sellers/(?P<sid>[^/]+)"
_PACKAGE = rf"{_ORDER}/shipment-packages/(?P<pid>[^/]+)"
# (method, pattern, route name, service group). The groups follow Trendyol's announced
# limit groups: product reads, product writes, and stock & price writes.
ROUTES = (
    route("GET", r"/product/product-categories", "categories", "product_read"),
    route("GET", r"/product/categories/(?P<cid>[^/]+)/attributes", "attributes", "product_read"),
    route("GET", r"/product/categories/(?P<cid>[^/]+)/attributes/(?P<aid>[^/]+)/values", "values",
          "product_read"),
    route("GET", r"/product/brands", "brands", "product_read"),
    route("GET", r"/product/brands/by-name", "brands_by_name", "product_read"),
    route("POST", rf"{_SELLER}/v2/products", "create", "product_write"),
    route("POST", rf"{_SELLER}/products/unapproved-bulk-update", "update", "product_write"),
    route("POST", rf"{_SELLER}/products/content-bulk-update", "content_update", "product_write"),
    # V2 updates of approved products (developers.trendyol.com/docs/ürün-güncelleme-onaylı-ürün-v2,
    # checked 2026-12-07; guess: the delivery path, cut short in the official endpoint table).
    route("POST", rf"{_SELLER}/products/variant-bulk-update", "variant_update", "product_write"),
    route("POST", rf"{_SELLER}/products/delivery-info-bulk-update", "delivery_update", "product_write"),
    # V1 filterProducts, retired 10 August 2026 (developers.trendyol.com/v2.0/docs/
    # product-filter-filterproducts, checked 2026-12-07): answered 410 Gone (guess: the live
    # service's answer to the retired path is not documented).
    route("GET", rf"{_SELLER}/products", "retired_filter", "product_read"),
    # The other V1 product services, retired with it (developers.trendyol.com/v3.0/docs/
    # 1-product-services-best-practices, checked 2026-12-07): create and update on …/products
    # and the V1 category attributes; 410 Gone (a guess, as above).
    route("POST", rf"{_SELLER}/products", "retired_v1", "product_write"),
    route("PUT", rf"{_SELLER}/products", "retired_v1", "product_write"),
    route("GET", r"/product/product-categories/(?P<cid>[^/]+)/attributes", "retired_v1", "product_read"),
    # The v2 filters (developers.trendyol.com/v2.0/docs/product-filtering-approved-products-v2,
    # checked 2026-12-07); guess: the paths …/products/approved and …/products/unapproved.
    route("GET", rf"{_SELLER}/products/approved", "filter_approved", "product_read"),
    route("GET", rf"{_SELLER}/products/unapproved", "filter_unapproved", "product_read"),
    route("DELETE", rf"{_SELLER}/products", "delete", "product_write"),
    route("PUT", rf"{_SELLER}/products/archive-state", "archive", "product_write"),
    route("GET", rf"{_SELLER}/products/batch-requests/(?P<bid>[^/]+)", "batch", "product_read"),
    route("POST", r"/inventory/sellers/(?P<sid>[^/]+)/products/price-and-inventory", "inventory",
          "inventory_write"),
    # order side: reads and writes of packages, claims, and the stage test services
    # getShipmentPackages (lookups; the last month since v2) and getShipmentPackagesStream
    # (developers.trendyol.com/docs/sipariş-paketlerini-akış-ile-çekme, checked 2026-12-07;
    # guess: the path …/orders/stream and its parameter names nextCursor, packageItemStatuses).
    route("GET", rf"{_ORDER}/orders", "packages", "order_read"),
    route("GET", rf"{_ORDER}/orders/stream", "packages_stream", "order_read"),
    route("PUT", rf"{_PACKAGE}", "package_status", "order_write"),
    route("PUT", rf"{_PACKAGE}/items/unsupplied", "unsupplied", "order_write"),
    route("POST", rf"{_PACKAGE}/split-packages", "split", "order_write"),
    # Tracking numbers: …/tracking-details (developers.trendyol.com/v3.0/docs/4-update-tracking-
    # number, checked 2026-12-07). The deprecated …/update-tracking-number is refused 410 Gone
    # (guess: the docs mark it deprecated and do not say how the live service answers it).
    route("PUT", rf"{_PACKAGE}/tracking-details", "tracking", "order_write"),
    route("PUT", rf"{_PACKAGE}/update-tracking-number", "retired_tracking", "order_write"),
    route("PUT", rf"{_PACKAGE}/warehouse", "warehouse", "order_write"),
    route("PUT", rf"{_ORDER}/manual-deliver/(?P<tracking>[^/]+)", "manual_deliver", "order_write"),
    route("POST", r"/sellers/(?P<sid>[^/]+)/seller-invoice-links", "invoice_link", "order_write"),
    route("GET", rf"{_ORDER}/claims", "claims", "claim_read"),
    route("PUT", rf"{_ORDER}/claims/(?P<cid>[^/]+)/items/approve", "claim_approve", "claim_write"),
    route("POST", rf"{_ORDER}/claims/(?P<cid>[^/]+)/issue", "claim_issue", "claim_write"),
    route("GET", r"/order/claim-issue-reasons", "claim_issue_reasons", "claim_read"),
    route("POST", r"/test/order/orders/core", "test_order", "test"),
    route("PUT", r"/test/order/sellers/(?P<sid>[^/]+)/shipment-packages/(?P<pid>[^/]+)/status",
          "test_package_status", "test"),
    route("PUT", r"/test/order/sellers/(?P<sid>[^/]+)/claims/waiting-in-action", "test_claims_waiting",
          "test"),
)
ORDER_ROUTES = frozenset(r.name for r in ROUTES if r.group.startswith(("order", "claim", "test")))
_BATCH_TYPE = {"create": CREATE, "update": UPDATE, "content_update": CONTENT_UPDATE, "delete": DELETE,
               "archive": ARCHIVE, "inventory": INVENTORY, "variant_update": VARIANT_UPDATE,
               "delivery_update": DELIVERY_UPDATE}
# Package writes: route name -> the OrderBook method taking (package id, body).
_PACKAGE_WRITES = {"package_status": "update_package", "unsupplied": "unsupplied", "split": "split_package",
                   "tracking": "update_tracking", "warehouse": "update_warehouse"}
_USER_AGENT_RE = re.compile(rf"^(?P<sid>\d+) - (?P<name>[A-Za-z0-9]{{1,{INTEGRATOR_MAX_LENGTH}}})$")
_KEYS = {404: "not.found", 405: "method.not.allowed", 429: "too.many.requests", 504: "gateway.timeout"}


class SellerApi(Api):
    """Trendyol's seller API behaviour (simkit's pipeline runs it)."""

    routes, prefix = ROUTES, PREFIX
    server_failure = "Trendyol sisteminde bir hata oluştu. İsteğinizi yeniden deneyin."
    too_many_requests = "too.many.requests"
    malformed = b'{"batchRequestId": "76e55c53-e0a4\x00<html><body>502 Bad Gateway</body></html>'

    def error(self, status: int, message: str, request: Request, *, key: str | None = None,
              headers: dict[str, str] | None = None) -> Answer:
        return error_answer(status, key or _KEYS.get(status, "internal.server.error"), message, headers)

    def not_found(self, request: Request) -> Answer:
        if not request.path.startswith(PREFIX + "/"):
            return self.error(404, f"No endpoint here: {request.path} (Trendyol's paths start with {PREFIX}/)", request)
        return self.error(404, f"No endpoint here: {request.path}", request)

    def not_allowed(self, request: Request) -> Answer:
        return self.error(405, f"Request method '{request.method}' is not supported on {request.path}", request)

    def rate_window(self, request: Request) -> RateWindow:
        """``rate_limit`` a number: that many per ``rate_window`` seconds and service group (a test knob).
        Else Trendyol's budgets (config): a product group's per minute at ``listing_tier``, the
        order list's 1000 a minute, and 50 per 10 seconds on every other endpoint."""
        options, group, name = request.options, request.route.group, request.route.name
        seller = options["seller_id"]
        if options["rate_limit"] != "documented":
            return RateWindow(f"{seller}:{group}", options["rate_limit"], options["rate_window"])
        if group in GROUP_LIMITS_PER_MINUTE:
            return RateWindow(f"{seller}:{group}", group_limit(group, options["listing_tier"]), 60)
        if name in ("packages", "packages_stream"):
            return RateWindow(f"{seller}:packages", 1000, 60)
        return RateWindow(f"{seller}:{name}", RATE_LIMIT_CALLS, RATE_LIMIT_SECONDS)

    def endpoint(self, request: Request) -> Answer:
        name, params, query = request.route.name, request.params, request.query
        if name in ORDER_ROUTES:
            return self._order_endpoint(name, params, query, request.headers, request.body)
        return self._endpoint(name, params, query, request.body, request.options)

    def check_caller(self, request: Request) -> Answer | None:
        headers, options = request.headers, request.options
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
            return auth_failed(request.path)
        if request.params.get("sid") not in (None, options["seller_id"]):
            return auth_failed(request.path)  # the credentials belong to another seller
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
        if name == "retired_filter":
            raise Refused(410, "service.retired", RETIRED_FILTER_MESSAGE)
        if name == "retired_v1":
            raise Refused(410, "service.retired", "Ürün V1 servisleri 10 Ağustos 2026 itibarıyla kullanımdan kaldırıldı: "
                          "v2 servislerini kullanın")
        if name == "filter_approved":
            page, size, filters = _filter_params(query, MAX_APPROVED_PAGE_SIZE)
            token = (query.get("nextPageToken") or [None])[0] or None
            if token is None and page * size > MAX_APPROVED_WINDOW:
                raise Refused(400, "invalid.query.param",
                              f"page x size en fazla {MAX_APPROVED_WINDOW} olabilir; sonrası için nextPageToken kullanın")
            try:
                return Answer(200, state.filter_approved(page, size, filters, token))
            except ValueError as exc:
                raise Refused(400, "invalid.query.param", str(exc)) from exc
        if name == "filter_unapproved":
            return Answer(200, state.filter_unapproved(*_filter_params(query, MAX_UNAPPROVED_PAGE_SIZE)))
        if name == "batch":
            answer = state.batch_answer(params["sid"], params["bid"])
            if answer is None:
                raise Refused(404, "batch.request.not.found",
                              f"batchRequestId bulunamadı veya 4 saatlik görüntüleme süresi doldu: {params['bid']}")
            return Answer(200, answer)
        items = self._items(body, options)
        if name == "inventory":
            self._spend_price_updates(params["sid"], items, options["price_updates_per_barcode"])
        batch = state.accept(_BATCH_TYPE[name], params["sid"], items)
        return Answer(200, {"batchRequestId": batch.id})

    def _spend_price_updates(self, seller: str, items: list[dict[str, Any]], limit: int | None) -> None:
        """Trendyol's 30 price updates a minute per barcode (config.PRICE_UPDATES_PER_BARCODE)."""
        for item in items:
            if "salePrice" in item or "listPrice" in item:
                allowed, _, reset = self.state.rates.spend(f"{seller}:price:{item.get('barcode')}", limit, 60)
                if not allowed:
                    raise Refused(429, "too.many.requests", f"{item.get('barcode')} barkodu için dakikada en fazla "
                                  f"{limit} fiyat güncellemesi yapılabilir; {reset:.0f} sn sonra tekrar deneyin")

    def _order_endpoint(self, name: str, params: dict[str, str], query: dict[str, list[str]],
                        headers: Mapping[str, str], body: bytes) -> Answer:
        state = self.state
        if name == "retired_tracking":
            raise Refused(410, "service.retired", RETIRED_TRACKING_MESSAGE)
        if name == "packages":
            return Answer(200, state.list_packages(**_package_params(query), encoded=True))
        if name == "packages_stream":
            statuses = (_query_text(query, "packageItemStatuses") or "").split(",")
            return Answer(200, state.stream_packages(
                start=_query_ms(query, "lastModifiedStartDate"), end=_query_ms(query, "lastModifiedEndDate"),
                size=_query_int(query, "size", 50, 1, MAX_ORDER_PAGE_SIZE), cursor=_query_text(query, "nextCursor"),
                statuses=[_canonical_status(s.strip(), PACKAGE_STATUSES) for s in statuses if s.strip()]))
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
        data = data if isinstance(data, dict) else {}  # a body of another shape reads as empty
        if name in _PACKAGE_WRITES:
            getattr(state, _PACKAGE_WRITES[name])(params["pid"], data)
        elif name == "invoice_link":
            state.invoice_link(data)
            return Answer(201)
        elif name == "claim_approve":
            state.approve_claim(params["cid"], data)
        elif name == "test_order":
            seller = headers.get("SellerId") or headers.get("sellerId")
            if seller is not None and str(seller).strip() != state.options()["seller_id"]:
                raise Refused(403, "forbidden", "SellerID başlığı kimlik bilgileriyle eşleşmiyor")
            placed = state.place_orders([data])[0]
            return Answer(201, {"orderNumber": placed["orderNumber"]})
        elif name == "test_package_status":
            state.carrier_status(params["pid"], data.get("status"))
        elif name == "test_claims_waiting":
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
        data = _json_body(body)
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


def _filter_params(query: dict[str, list[str]], most: int) -> tuple[int, int, dict[str, Any]]:
    page = _query_int(query, "page", 0, 0, MAX_APPROVED_WINDOW)
    size = _query_int(query, "size", min(50, most), 1, most)
    filters: dict[str, Any] = {}
    for name in ("barcode", "stockCode", "productMainId"):
        value = (query.get(name) or [None])[0]
        if value not in (None, ""):
            filters[name] = value
    for name in ("onSale", "rejected", "archived"):
        raw = (query.get(name) or [None])[0]
        if raw in (None, ""):
            continue
        if raw.lower() not in ("true", "false"):
            raise Refused(400, "invalid.query.param", f"{name} true veya false olmalıdır: {raw}")
        filters[name] = raw.lower() == "true"
    return page, size, filters


def _json_body(body: bytes) -> Any:
    return json_body(body, Refused(400, "invalid.request.body", "İstek gövdesi geçerli bir JSON değil"))


def _multipart(headers: Mapping[str, str], body: bytes) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The fields and files of a multipart/form-data body."""
    content_type = headers.get("Content-Type") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        raise Refused(415, "unsupported.media.type", "Bu servis multipart/form-data bekler")
    parts = multipart_parts(content_type, body)
    if parts is None:
        raise Refused(400, "invalid.request.body", "multipart gövdesi okunamadı")
    fields = {str(p.name): p.payload.decode("utf-8", "replace") for p in parts if p.filename is None}
    files = [{"field": p.name, "filename": p.filename, "content_type": p.content_type, "size": len(p.payload)}
             for p in parts if p.filename is not None]
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


class TrendyolControl(ControlApi):
    """Trendyol's own ``/_sim/`` endpoints, besides simkit's (state, stats, history, config, reset)."""

    key_param, item, items, owner_option = "barcode", "product", "products", "seller_id"
    routes = (
        *ControlApi.routes,
        control("GET", r"batches/(?P<bid>[^/]+)", "batch"),
        control("GET", "catalog", "catalog"),
        control("POST", "products", "add_products"),
        control("POST", "reject", "reject"),
        control("POST", "orders", "place_orders"),
        control("GET", "orders/stats", "order_counts"),
        control("GET", "packages", "packages"),
        control("GET", r"packages/(?P<pid>[^/]+)", "package"),
        control("POST", r"packages/(?P<pid>[^/]+)/(?P<action>status|cancel)", "move_package"),
        control("GET", "claims", "claims"),
        control("POST", "claims", "create_claim"),
        control("GET", r"claims/(?P<cid>[^/]+)", "claim"),
        control("POST", r"claims/(?P<cid>[^/]+)/waiting-in-action", "claim_waiting"),
    )

    def batch(self, call: Call) -> Answer:
        return self.found(self.sim.batch(call.params["bid"]), "such batch", call)

    def catalog(self, call: Call) -> Answer:
        data = self.sim.catalog
        return Answer(200, {"roots": [{"id": r, "name": data.categories[r].name} for r in data.roots],
                            "categories_total": len(data.categories), "leaves_total": len(data.leaves()),
                            "brands_total": len(data.brands)})

    def add_products(self, call: Call) -> Answer:
        products = call.payload.get("products") if isinstance(call.payload, dict) else call.payload
        return Answer(200, {"added": self.sim.add_products(products)})

    def reject(self, call: Call) -> Answer:
        if not isinstance(call.payload, dict):
            return self.error(400, 'POST /_sim/reject takes {"barcode", "reason", "detail"}', call.path, "invalid.body")
        self.sim.reject(call.body.get("barcode"), call.body.get("reason"), call.body.get("detail") or "")
        return Answer(200, {"ok": True})

    def place_orders(self, call: Call) -> Answer:
        if isinstance(call.body.get("orders"), list):
            return Answer(200, {"orders": self.sim.place_orders(call.body["orders"])})
        if not isinstance(call.payload, dict):
            return self.error(400, 'POST /_sim/orders takes {"lines": [...]} or {"orders": [...]}', call.path,
                              "invalid.body")
        return Answer(200, self.sim.place_orders([call.payload])[0])

    def order_counts(self, call: Call) -> Answer:
        return Answer(200, self.sim.order_counts())

    def packages(self, call: Call) -> Answer:
        packages = self.sim.packages(_query_text(call.query, "orderNumber"), _query_text(call.query, "status"))
        return Answer(200, {"total": len(packages), "packages": packages})

    def package(self, call: Call) -> Answer:
        return self.found(self.sim.package(call.params["pid"]), "such package", call, wrap="package")

    def move_package(self, call: Call) -> Answer:
        pid, body = call.params["pid"], call.body
        if call.params["action"] == "status":
            return Answer(200, {"package": self.sim.set_package_status(pid, body.get("status"),
                                                                       body.get("trackingNumber"))})
        return Answer(200, {"package": self.sim.cancel_package(pid, body.get("lines"))})

    def claims(self, call: Call) -> Answer:
        return Answer(200, {"claims": self.sim.claims()})

    def create_claim(self, call: Call) -> Answer:
        if not isinstance(call.payload, dict):
            return self.error(400, 'POST /_sim/claims takes {"packageId", "lines"?, ...}', call.path, "invalid.body")
        spec = {k: v for k, v in call.payload.items() if k not in ("packageId", "lines")}
        return Answer(200, self.sim.create_claim(call.payload.get("packageId"), call.payload.get("lines"), **spec))

    def claim(self, call: Call) -> Answer:
        return self.found(self.sim.claim(call.params["cid"]), "such claim", call, wrap="claim")

    def claim_waiting(self, call: Call) -> Answer:
        return Answer(200, {"moved": self.sim.claim_waiting_in_action(call.params["cid"])})
