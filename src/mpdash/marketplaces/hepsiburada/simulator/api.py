"""Hepsiburada's listing, catalog (mpop) and order (OMS) APIs on simkit's request pipeline,
and the simulator's ``/_sim/`` endpoints. Paths and options: see the package's docstring."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import partial
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from ...simkit import (
    Answer,
    Api,
    Call,
    ControlApi,
    RateWindow,
    Refusal,
    Request,
    basic_credentials,
    control,
    json_body,
    multipart_parts,
    reset_header,
    route,
)
from .. import catalog_data
from ..config import CATEGORY_PAGE_SIZE, CLAIM_STATUSES, MAX_SKUS_PER_LISTINGS_QUERY, STATUS_PAGE_SIZE, VALUE_PAGE_SIZE
from .catalog import PRODUCT_STATUSES
from .orders import OMS_PAGE_LIMITS, OmsError, parse_body_date, parse_query_date
from .state import UPLOAD_KINDS, now_iso

LATER = ("failed_upload",)  # accepted now, failing when processed
_MERCHANT = r"/listings/merchantid/(?P<mid>[^/]+)"
_KINDS = "|".join(UPLOAD_KINDS)
ROUTES = (
    route("GET", rf"{_MERCHANT}", "listings", ignore_case=True),
    route("POST", rf"{_MERCHANT}/(?P<kind>{_KINDS})-uploads", "upload", faults=LATER, ignore_case=True),
    route("GET", rf"{_MERCHANT}/(?P<kind>{_KINDS})-uploads/id/(?P<id>[^/]+)", "upload_status", ignore_case=True),
)


_PRODUCT = "/product/api"
CATALOG_ROUTES = (
    route("GET", rf"{_PRODUCT}/categories/get-all-categories", "categories", ignore_case=True),
    route("GET", rf"{_PRODUCT}/categories/(?P<cid>[^/]+)/attributes", "attributes", ignore_case=True),
    route("GET", rf"{_PRODUCT}/categories/(?P<cid>[^/]+)/attribute/(?P<aid>[^/]+)/values", "values", ignore_case=True),
    route("POST", rf"{_PRODUCT}/products/import", "import", faults=LATER, ignore_case=True),
    route("GET", rf"{_PRODUCT}/products/status/(?P<tid>[^/]+)", "import_status", ignore_case=True),
    route("POST", rf"{_PRODUCT}/products/check-product-status", "check_status", ignore_case=True),
    route("GET", rf"{_PRODUCT}/products/products-by-merchant-and-status", "by_status", ignore_case=True),
    route("POST", r"/ticket-api/api/integrator/import", "update", faults=LATER, ignore_case=True),
    route("GET", r"/ticket-api/api/integrator/status/(?P<tid>[^/]+)", "update_status", ignore_case=True),
)
CATALOG_PREFIXES = ("/product/", "/ticket-api/")


def error_answer(status: int, message: str, path: str, headers: dict[str, str] | None = None) -> Answer:
    body = {
        "timestamp": now_iso(),
        "status": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
        "path": path,
    }
    return Answer(status, body, headers or {})


class HepsiburadaApi(Api):
    """What Hepsiburada's APIs share: the Spring error body, Basic auth with a registered
    User-Agent, the merchant in the path, and ``X-RateLimit-*`` headers."""

    realm = ""

    def error(self, status: int, message: str, request: Request, *, key: str | None = None,
              headers: dict[str, str] | None = None) -> Answer:
        return error_answer(status, message, request.path, headers)

    def check_caller(self, request: Request) -> Answer | None:
        options = request.options
        user, password = basic_credentials(request.headers.get("Authorization"))
        if user != options["username"] or password != options["password"]:
            return self.error(401, "Unauthorized: invalid or missing Basic credentials", request,
                              headers={"WWW-Authenticate": f'Basic realm="{self.realm}"'})
        if request.headers.get("User-Agent") != options["user_agent"]:
            return self.error(403, "Forbidden: the User-Agent header is missing or not registered for this "
                              "integrator", request)
        merchant = request.params.get("mid")
        if merchant is not None and merchant.lower() != options["merchant_id"].lower():
            return _not_yours(merchant, request.path)
        return None

    def rate_headers(self, limit: int, remaining: int, reset: float) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": reset_header(reset)}

    def fault_headers(self, request: Request) -> dict[str, str]:
        return HepsiburadaApi.rate_headers(self, request.options["rate_limit"] or 50, 0, 2)


def _not_yours(merchant: Any, path: str) -> Answer:
    return error_answer(403, f"Forbidden: merchant {merchant} is not accessible with these credentials", path)


class ListingApi(HepsiburadaApi):
    """The listing API's behaviour (simkit's pipeline runs it)."""

    routes, realm = ROUTES, "listing-external"

    def rate_window(self, request: Request) -> RateWindow:
        return RateWindow(request.params["mid"], request.options["rate_limit"], 1.0)

    def on_listings(self, request: Request) -> Answer:
        query, path = request.query, request.path
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

    def on_upload(self, request: Request) -> Answer:
        path = request.path
        items = json_body(request.body, Refusal(400, "JSON parse error: the request body is not valid JSON"))
        if not isinstance(items, list) or not items:
            return error_answer(400, "The request body must be a non-empty JSON array of listings", path)
        if not all(isinstance(item, dict) for item in items):
            return error_answer(400, "Every element of the request body must be a JSON object", path)
        most = self.state.options()["max_items_per_upload"]
        if len(items) > most:
            return error_answer(400, f"An upload may carry at most {most} listings; this one has {len(items)}", path)
        try:
            upload = self.state.accept_upload(request.params["kind"].lower(), request.params["mid"], items,
                                              fail_whole=bool(request.fault))
        except ValueError as refused:
            return error_answer(400, str(refused), path)
        return Answer(200, {"id": upload.id})

    def on_upload_status(self, request: Request) -> Answer:
        kind, upload_id = request.params["kind"].lower(), request.params["id"]
        status = self.state.upload_status(kind, request.params["mid"], upload_id)
        if status is None:
            return error_answer(404, f"No {kind} upload with id {upload_id}", request.path)
        return Answer(200, status)


def catalog_answer(data: Any, **paging: Any) -> Answer:
    """A 200 in the catalog's wrapper."""
    return Answer(200, {"success": True, "code": 0, "version": 1, "message": None, **paging, "data": data})


def catalog_error(status: int, message: str) -> Answer:
    """A catalog refusal in the catalog's wrapper (guess: ``code`` carries the HTTP status)."""
    return Answer(status, {"success": False, "code": status, "version": 1, "message": message, "data": None})


def _paged(rows: list[Any], page: int, size: int, wrap: Any = lambda chunk: chunk) -> Answer:
    """One page of ``rows`` in the catalog's wrapper (``wrap`` shapes the page's ``data``)."""
    chunk = rows[page * size:(page + 1) * size]
    total_pages = math.ceil(len(rows) / size) if rows else 0
    return catalog_answer(wrap(chunk), totalElements=len(rows), totalPages=total_pages, number=page,
                          numberOfElements=len(chunk), first=page == 0, last=page >= total_pages - 1)


def _page_params(query: dict[str, list[str]], most: int) -> tuple[int, int]:
    """(page, size) from the query (defaults 0 and 1000, Hepsiburada's); a Refusal says what is wrong."""
    try:
        page = int(query.get("page", ["0"])[0] or 0)
        size = int(query.get("size", ["1000"])[0] or 1000)
    except ValueError:
        raise Refusal(400, "page and size must be whole numbers") from None
    if page < 0 or size < 1:
        raise Refusal(400, "page must be >= 0 and size >= 1")
    if size > most:
        raise Refusal(400, f"size must be at most {most}")
    return page, size


def _flag(query: dict[str, list[str]], name: str, default: str) -> str:
    """A filter parameter: missing -> Hepsiburada's default; present but empty -> no filter ("")."""
    if name not in query:
        return default
    return (query[name][0] or "").strip()


class CatalogApi(HepsiburadaApi):
    """The catalog (mpop) API's behaviour, including the product update service (ticket-api)."""

    routes, prefixes, realm = CATALOG_ROUTES, CATALOG_PREFIXES, "mpop"

    # Hepsiburada counts catalog calls per IP and answers 403 above the limit (changelog Ocak 2026).
    def rate_window(self, request: Request) -> RateWindow:
        return RateWindow("\x00catalog-per-ip", request.options["catalog_rate_limit"], 1.0)

    def rate_headers(self, limit: int, remaining: int, reset: float) -> dict[str, str]:
        return {}

    def rate_refused(self, request: Request, window: RateWindow, reset: float) -> Answer:
        # guess: the 403's body text is undocumented.
        return self.error(403, f"Too Many Requests: the catalog API allows {window.limit} requests per second "
                          "per IP; requests above it are refused and repeated excess blocks the IP", request)

    def refusal_answer(self, refusal: Refusal, request: Request) -> Answer:
        return catalog_error(refusal.status, refusal.message)

    def endpoint(self, request: Request) -> Answer:
        handler = getattr(self, f"_{request.route.name}")
        return handler(request.options["merchant_id"], request.params, request.query, request.headers, request.body,
                       request.path, failing=bool(request.fault))

    # --- categories and attributes -----------------------------------------------------
    def _categories(self, mid, params, query, headers, body, path, failing) -> Answer:
        paging = _page_params(query, CATEGORY_PAGE_SIZE)
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

    @staticmethod
    def _leaf(category_id: str) -> dict[str, Any]:
        node = catalog_data.category(category_id)
        if node is None:
            raise Refusal(404, f"Category {category_id} not found")
        if not node["leaf"] or not node["available"]:
            raise Refusal(400, f"Category {category_id} ({node['name']}) has no attributes: attributes exist "
                          "only for categories with leaf=true and available=true")
        return node

    def _attributes(self, mid, params, query, headers, body, path, failing) -> Answer:
        node = self._leaf(params["cid"])
        return catalog_answer(catalog_data.category_attributes(node["categoryId"]))

    def _values(self, mid, params, query, headers, body, path, failing) -> Answer:
        node = self._leaf(params["cid"])
        definition = catalog_data.category_attributes(node["categoryId"]) or {}
        known = {a["id"]: a for a in [*definition.get("attributes", []), *definition.get("variantAttributes", [])]}
        attribute = known.get(params["aid"])
        if attribute is None:
            return catalog_error(404, f"Attribute {params['aid']} is not defined for category {node['categoryId']}")
        if attribute["type"] != "enum":
            return catalog_error(400, f"Attribute {params['aid']} is of type {attribute['type']}; only enum "
                                 "attributes have values")
        paging = _page_params(query, VALUE_PAGE_SIZE)
        return _paged(list(catalog_data.attribute_values(params["aid"])), *paging)

    # --- products ------------------------------------------------------------------------
    def _read_file(self, headers: Mapping[str, str], body: bytes, expect: type) -> Any:
        options = self.state.options()
        if len(body) > options["max_import_bytes"]:
            raise Refusal(413, f"Maximum upload size exceeded: the request has {len(body)} bytes, "
                          f"at most {options['max_import_bytes']} are accepted")
        try:
            parts = multipart_parts(headers.get("Content-Type", ""), body) or []
            raw = next((part.payload for part in parts if part.name == "file"), None)
        except Exception:  # a broken multipart body is the caller's fault
            raw = None
        if raw is None:
            raise Refusal(400, "Required request part 'file' is not present")
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Refusal(400, "The file is not valid UTF-8 JSON") from None
        if not isinstance(payload, expect):
            shape = "a JSON array of products" if expect is list else 'a JSON object {"merchantId", "items"}'
            raise Refusal(400, f"The file must hold {shape}")
        return payload

    def _import(self, mid, params, query, headers, body, path, failing) -> Answer:
        items = self._read_file(headers, body, list)
        if not items:
            return catalog_error(400, "The file holds no products")
        most = self.state.options()["max_products_per_import"]
        if len(items) > most:
            return catalog_error(400, f"A file may carry at most {most} products; this one has {len(items)}")
        imp = self.state.accept_import(mid, items, fail_whole=failing)
        return catalog_answer({"trackingId": imp.id})

    def _import_status(self, mid, params, query, headers, body, path, failing) -> Answer:
        paging = _page_params(query, STATUS_PAGE_SIZE)
        items = self.state.import_status(mid, params["tid"])
        if items is None:
            return catalog_error(404, f"No import with trackingId {params['tid']}")
        return _paged(items, *paging)

    def _check_status(self, mid, params, query, headers, body, path, failing) -> Answer:
        payload = json_body(body, Refusal(400, "JSON parse error: the request body is not valid JSON"))
        if not isinstance(payload, list) or not all(isinstance(e, dict) for e in payload):
            return catalog_error(400, 'The body must be a JSON array of {"merchant", "merchantSkuList"}')
        data = []
        for entry in payload:
            merchant, skus = entry.get("merchant"), entry.get("merchantSkuList")
            if not isinstance(skus, list) or not all(isinstance(sku, str) for sku in skus):
                return catalog_error(400, "merchantSkuList must be a list of strings")
            if str(merchant or "").lower() != mid.lower():
                return _not_yours(merchant, path)
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
            return _not_yours(merchant, path)
        paging = _page_params(query, STATUS_PAGE_SIZE)
        return _paged(self.state.products_by_status(mid, status), *paging)

    # --- product update service ----------------------------------------------------------
    def _update(self, mid, params, query, headers, body, path, failing) -> Answer:
        payload = self._read_file(headers, body, dict)
        items = payload.get("items")
        if str(payload.get("merchantId") or "").lower() != mid.lower():
            return _not_yours(payload.get("merchantId"), path)
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            return catalog_error(400, "items must be a non-empty list of objects with hbSku")
        most = self.state.options()["max_products_per_import"]
        if len(items) > most:
            return catalog_error(400, f"A file may carry at most {most} products; this one has {len(items)}")
        request = self.state.accept_update(mid, items, fail_whole=failing)
        return catalog_answer({"trackingId": request.id})

    def _update_status(self, mid, params, query, headers, body, path, failing) -> Answer:
        paging = _page_params(query, STATUS_PAGE_SIZE)
        items = self.state.update_status(mid, params["tid"])
        if items is None:
            return catalog_error(404, f"No update request with trackingId {params['tid']}")
        return _paged(items, *paging, wrap=lambda chunk: [{"merchantId": mid, "items": chunk}])


# --- orders, packages and claims (OMS) ----------------------------------------------------
_OMS_MID = r"/(?P<mid>[^/]+)"
_PACKAGE = rf"/packages/merchantid{_OMS_MID}/packagenumber/(?P<pn>[^/]+)"
OMS_ROUTES = (
    route("GET", rf"/orders/merchantid{_OMS_MID}", "paid_orders", ignore_case=True),
    route("GET", rf"/orders/merchantid{_OMS_MID}/ordernumber/(?P<on>[^/]+)", "order", ignore_case=True),
    route("GET", rf"/orders/merchantid{_OMS_MID}/cancelled", "cancelled", ignore_case=True),
    # guess: integrators also call it under /packages; the document lists it under /orders.
    route("GET", rf"/packages/merchantid{_OMS_MID}/cancelled", "cancelled", ignore_case=True),
    route("GET", rf"/packages/merchantid{_OMS_MID}", "packages", ignore_case=True),
    route("POST", rf"/packages/merchantid{_OMS_MID}", "create_package", ignore_case=True),
    route("GET", rf"/packages/merchantid{_OMS_MID}/(?P<kind>shipped|delivered|undelivered)", "status_list", ignore_case=True),
    route("GET", rf"/packages/merchantid{_OMS_MID}/status/unpacked", "unpacked", ignore_case=True),
    route("GET", rf"{_PACKAGE}", "tracking", ignore_case=True),
    route("GET", rf"{_PACKAGE}/labels", "labels", ignore_case=True),
    route("POST", rf"{_PACKAGE}/unpack", "unpack", ignore_case=True),
    route("POST", rf"{_PACKAGE}/split", "split", ignore_case=True),
    route("PUT", rf"{_PACKAGE}/invoice", "invoice", ignore_case=True),
    route("PUT", rf"{_PACKAGE}/changecargocompany", "change_cargo", ignore_case=True),
    route("PUT", rf"{_PACKAGE}/warehouse", "warehouse", ignore_case=True),
    route("POST", rf"{_PACKAGE}/(?P<action>intransit|deliver|undeliver)", "carrier", ignore_case=True),
    route("POST", rf"/lineitems/merchantid{_OMS_MID}/id/(?P<lid>[^/]+)/cancelbymerchant", "cancel_line", ignore_case=True),
    route("GET", rf"/claims/merchantid{_OMS_MID}", "claims", ignore_case=True),
    route("GET", rf"/claims/merchantid{_OMS_MID}/status/(?P<status>[^/]+)", "claims", ignore_case=True),
    route("POST", r"/claims/number/(?P<number>[^/]+)/(?P<action>accept|reject)", "claim_action", ignore_case=True),
)
OMS_PREFIXES = ("/orders/", "/packages/", "/lineitems/", "/claims/")
_DONE = "OK"  # guess: the document types these 200 answers as a bare string


def _oms_body(body: bytes) -> Any:
    return json_body(body, OmsError(400, "JSON parse error: the request body is not valid JSON"))


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


def _oms_page(query: dict[str, str], kind: str, read: Any, required: bool = False) -> dict[str, Any]:
    """One page of an OMS listing: ``read(begin, end, offset, limit)`` gives its items and total."""
    offset, limit = _oms_paging(query, kind, required)
    items, total = read(*_oms_dates(query), offset, limit)
    return {"items": items, "limit": limit, "offset": offset, "pageCount": math.ceil(total / limit) if total else 0,
            "totalCount": total}


class OmsApi(HepsiburadaApi):
    """The order API's behaviour (oms-external): paid lines, packages, statuses, cancellations, claims."""

    routes, prefixes, realm = OMS_ROUTES, OMS_PREFIXES, "oms-external"

    def rate_window(self, request: Request) -> RateWindow:
        merchant = request.options["merchant_id"]
        return RateWindow("\x00oms:" + merchant, request.options["oms_rate_limit"], 1.0)

    def endpoint(self, request: Request) -> Answer:
        # guess: query names are read in any case. Hepsiburada's examples spell the packages
        # offset "Offset" and every other listing's "offset" (changelog Haziran 2023 / Mayıs
        # 2024, checked 2026-12-06) and its error says "limit and offset parameters are
        # required" for both, which suggests the service does not tell them apart; how
        # strictly it reads them is not documented, so the simulator stays lenient.
        flat = {key.lower(): values[0] for key, values in request.query.items() if values}
        handler = getattr(self, f"_{request.route.name}")
        return handler(request.params, flat, request.body, request.path, request.options)

    # --- paid lines and orders ------------------------------------------------------------
    def _paid_orders(self, params, query, body, path, options) -> Answer:
        return Answer(200, _oms_page(query, "orders", self.state.paid_lines_page, required=True))

    def _order(self, params, query, body, path, options) -> Answer:
        return Answer(200, self.state.order_detail(params["on"]))

    def _cancelled(self, params, query, body, path, options) -> Answer:
        return Answer(200, _oms_page(query, "status", self.state.cancelled_page))

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
            begin = self.sim.clock.epoch() - hours * 3600
        return Answer(200, self.state.packages_page(begin, end, offset, limit))

    def _create_package(self, params, query, body, path, options) -> Answer:
        payload = _oms_body(body)
        if not isinstance(payload, dict):
            raise OmsError(400, "the body must be a JSON object with lineItemRequests")
        created = self.state.create_package(payload.get("lineItemRequests"), payload.get("cargoCompany"))
        return Answer(201, created)

    def _status_list(self, params, query, body, path, options) -> Answer:
        return Answer(200, _oms_page(query, "status", partial(self.state.status_page, params["kind"].lower())))

    def _unpacked(self, params, query, body, path, options) -> Answer:
        # The document's shape: an array holding the page.
        return Answer(200, [_oms_page(query, "unpacked", self.state.unpacked_page)])

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


class HepsiburadaControl(ControlApi):
    """Hepsiburada's own ``/_sim/`` endpoints, besides simkit's (state, stats, history, config, reset)."""

    routes = (
        *ControlApi.routes,
        control("GET", r"uploads/(?P<uid>[^/]+)", "upload"),
        control("POST", "listings", "add_listings"),
        *(control(method, r"catalog/.+", "catalog") for method in ("GET", "POST")),
        *(control(method, r"(orders|packages|claims|oms)(/.*)?", "oms") for method in ("GET", "POST")),
    )

    def upload(self, call: Call) -> Answer:
        return self.found(self.sim.upload(call.params["uid"]), "such upload", call)

    def add_listings(self, call: Call) -> Answer:
        listings = call.payload.get("listings") if isinstance(call.payload, dict) else call.payload
        return Answer(200, {"added": self.sim.add_listings(listings)})

    def catalog(self, call: Call) -> Answer:
        return self._catalog(call.method, call.path, call.arg("sku"), call.payload)

    def oms(self, call: Call) -> Answer:
        return self._oms(call.method, call.path, call.payload)

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
