"""HTTP clients for Hepsiburada's listing API (``listing-external.hepsiburada.com``), catalog
API (``mpop.hepsiburada.com``) and order API (OMS, ``oms-external.hepsiburada.com``).

Every call uses HTTP Basic (merchant id or API user name : service key) and the
``User-Agent`` Hepsiburada registered for the integrator; both are mandatory. Writes are
asynchronous: a listing upload answers only an upload id, a catalog import or product update
a ``trackingId``, and the outcome is read later from its status; order-side writes (packing,
invoice links, own-carrier statuses, cancellations, claims) act at once. Timeouts, logging, redaction
and the mapping of failures to :mod:`mpdash.marketplaces.errors` come from
:class:`~mpdash.marketplaces.http.BaseClient`.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Literal
from urllib.parse import quote

import httpx

from ..auth import BasicCredentials
from ..errors import MalformedResponse, RateLimited, RequestRejected
from ..http import DEFAULT_TIMEOUT, BaseClient, Refusal
from ..kit import check_page, path_part, require_set, required_text
from ..ratelimit import CallBudget, RateSpec
from .config import (
    CATEGORY_PAGE_SIZE,
    CLAIMS_PAGE_SIZE,
    LABEL_FORMATS,
    MAX_SKUS_PER_LISTINGS_QUERY,
    MAX_SKUS_PER_STATUS_CHECK,
    OMS_DATE_FORMAT,
    OMS_UTC_OFFSET_HOURS,
    PACKAGES_PAGE_SIZE,
    PAID_ORDERS_PAGE_SIZE,
    STATUS_LIST_PAGE_SIZE,
    STATUS_PAGE_SIZE,
    UNPACKED_PAGE_SIZE,
    VALUE_PAGE_SIZE,
)
from .models import (
    AttributeValuesPage,
    CancelledLinesPage,
    CategoriesPage,
    CategoryAttributes,
    CategoryAttributesAnswer,
    Claim,
    ClaimsPage,
    ImportAccepted,
    ImportStatusPage,
    LabelData,
    ListingsPage,
    Package,
    PackageCreated,
    PaidLinesPage,
    ProductsByStatusPage,
    ProductStatusAnswer,
    SkuStatus,
    StatusPackagesPage,
    TrackingInfo,
    UnpackedPage,
    UpdateStatusPage,
    UploadAccepted,
    UploadStatus,
    parse_answer,
    parse_catalog,
)

UploadKind = Literal["stock", "price", "inventory"]
UPLOAD_KINDS: tuple[str, ...] = ("stock", "price", "inventory")

# Our own pace for one merchant's listing calls, shared by every worker. Hepsiburada
# publishes no general rate for the listing host; the one figure it gives for a listing
# service is ~240 requests/minute per merchant (commission lookup), and it advises large
# batches rather than many small requests. We keep to that: 240/min with bursts of 20/s.
LISTING_RATES = [RateSpec(20, 1), RateSpec(240, 60)]

# Upload refusals Hepsiburada sends as a 4xx with a message rather than a 429. Both mean
# "not now", so they are mapped to RateLimited (no penalty) instead of RequestRejected.
_TOO_MANY_PENDING = "too many ongoing/waiting inventory uploads"  # more than 5 uploads pending
_DAILY_ALLOWANCE = "exceeds his inventory upload limit"  # daily allowance of 10 x listing count


def listing_budget(merchant_id: str) -> CallBudget:
    """The shared call budget of one merchant's listing API calls."""
    return CallBudget(f"hepsiburada:listing:{merchant_id}", LISTING_RATES)


class _HepsiburadaClient(BaseClient):
    """What every Hepsiburada host needs: Basic auth with the service key, the registered
    User-Agent, the merchant id, and a secret-free repr."""

    url_key = "base_url"  # the channel config key that holds this host, for error messages
    label = ""

    def __init__(
        self,
        base_url: str,
        *,
        merchant_id: str,
        username: str,
        password: str,
        user_agent: str,
        budget: CallBudget | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ):
        require_set({self.url_key: base_url, "merchant_id": merchant_id, "username": username, "password": password,
                     "user_agent": user_agent}, f"Hepsiburada {self.label} client")
        self.merchant_id = str(merchant_id).strip()
        super().__init__(
            base_url=str(base_url).strip(),
            headers={"User-Agent": str(user_agent).strip(), "Accept": "application/json"},
            credentials=BasicCredentials(username, password, hint="the channel's username, password and user agent"),
            timeout=timeout,
            budget=budget,
            transport=transport,
        )

    def __repr__(self) -> str:  # the dataclass repr would show the password
        return f"{type(self).__name__}(base_url={self.base_url!r}, merchant_id={self.merchant_id!r})"


class HepsiburadaListingClient(_HepsiburadaClient):
    """Calls to the listing API of one merchant."""

    url_key = "listing_url"
    label = "listing"

    # --- paths ------------------------------------------------------------------------
    @property
    def _merchant_path(self) -> str:
        return f"/listings/merchantid/{quote(self.merchant_id, safe='')}"

    def _upload_path(self, kind: str) -> str:
        if kind not in UPLOAD_KINDS:
            raise ValueError(f"unknown Hepsiburada upload kind {kind!r}; expected one of {', '.join(UPLOAD_KINDS)}")
        return f"{self._merchant_path}/{kind}-uploads"

    # --- uploads ----------------------------------------------------------------------
    def _upload(self, kind: str, items: list[dict[str, Any]]) -> str:
        if not items:
            raise ValueError(f"a {kind} upload needs at least one item")
        path = self._upload_path(kind)
        data = self.request("POST", path, json_body=items)
        return parse_answer(UploadAccepted, data, f"POST {path}").id

    def upload_stock(self, items: list[dict[str, Any]]) -> str:
        """Queue stock changes (``[{merchantSku|hepsiburadaSku, availableStock, …}]``); returns the upload id."""
        return self._upload("stock", items)

    def upload_price(self, items: list[dict[str, Any]]) -> str:
        """Queue price changes (``[{merchantSku|hepsiburadaSku, price}]``); returns the upload id."""
        return self._upload("price", items)

    def get_upload_status(self, kind: UploadKind, upload_id: str) -> UploadStatus:
        """The processing state of an upload, with the elements Hepsiburada rejected."""
        path = f"{self._upload_path(kind)}/id/{path_part(upload_id, 'upload_id')}"
        return parse_answer(UploadStatus, self.request("GET", path), f"GET {path}")

    # --- listings ---------------------------------------------------------------------
    def list_listings(self, offset: int, limit: int, merchant_skus: list[str] | None = None) -> ListingsPage:
        """One page of the merchant's listings (pagination is mandatory on this endpoint)."""
        if offset < 0 or limit <= 0:
            raise ValueError("offset must be >= 0 and limit > 0")
        params: dict[str, Any] = {"offset": offset, "limit": limit}
        if merchant_skus:
            if len(merchant_skus) > MAX_SKUS_PER_LISTINGS_QUERY:
                raise ValueError(f"at most {MAX_SKUS_PER_LISTINGS_QUERY} merchant skus per listings query")
            params["merchantSkuList"] = ",".join(merchant_skus)
        path = self._merchant_path
        return parse_answer(ListingsPage, self.request("GET", path, params=params), f"GET {path}")

    # Hepsiburada's upload-limit refusals (a 4xx with a message) mean "retry later".
    refusals = (
        Refusal(RateLimited, "{where}: Hepsiburada has too many of this merchant's uploads pending; retry later",
                marks=(_TOO_MANY_PENDING,), retry_after=30.0),
        Refusal(RateLimited, "{where}: the merchant's daily listing upload allowance is used up",
                marks=(_DAILY_ALLOWANCE,), retry_after=3600.0),
    )


# --- catalog (mpop) ---------------------------------------------------------------------
# Hepsiburada limits the catalog services to 100 requests per second per IP and answers 403
# (not 429) above it; sending on for 5 seconds gets the IP blocked until support lifts it.
# Source: changelog "Hepsiburada Entegrasyon - Ocak 2026" (Katalog Ürün Entegrasyonu - API
# İstek Limitleri); older pages said 500/s. The limit is per IP, so the budget is shared by
# every merchant of this installation, and we keep well under it.
CATALOG_RATES = [RateSpec(80, 1)]

# guess: the text of that 403 is undocumented; these are the phrases such gateways use.
_CATALOG_LIMIT_TEXTS = ("too many requests", "rate limit", "request limit", "istek limit")
CATALOG_LIMIT_RETRY_AFTER = 5.0

IMPORT_FILE_NAME = "integrator.json"  # the name Hepsiburada's examples give the file


def catalog_budget() -> CallBudget:
    """The shared call budget of the catalog API (its limit is per IP, not per merchant)."""
    return CallBudget("hepsiburada:catalog", CATALOG_RATES)


def encode_import_file(payload: Any) -> bytes:
    """The JSON file an import or update upload carries (UTF-8, Turkish letters kept as they are)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class HepsiburadaCatalogClient(_HepsiburadaClient):
    """Calls to the catalog API (categories, attributes, product import, status, update)."""

    url_key = "base_url"
    label = "catalog"

    CATEGORIES_PATH = "/product/api/categories/get-all-categories"
    IMPORT_PATH = "/product/api/products/import"
    STATUS_CHECK_PATH = "/product/api/products/check-product-status"
    BY_STATUS_PATH = "/product/api/products/products-by-merchant-and-status"
    UPDATE_PATH = "/ticket-api/api/integrator/import"

    # --- categories and attributes ----------------------------------------------------
    def get_categories(
        self, page: int = 0, size: int = CATEGORY_PAGE_SIZE, *,
        leaf: bool | None = None, status: str | None = None, available: bool | None = None,
    ) -> CategoriesPage:
        """One page of the category tree.

        Hepsiburada applies ``leaf=true``, ``status=ACTIVE`` and ``available=true`` when a
        parameter is left out (its documented defaults), so ``None`` here sends the
        parameter empty, which the API's enum allows and which means "any".
        """
        check_page(page, size, CATEGORY_PAGE_SIZE)
        # guess: an empty value means "any" (the OpenAPI enum of leaf/available lists "").
        params: dict[str, Any] = {
            "leaf": "" if leaf is None else str(leaf).lower(),
            "status": status or "",
            "available": "" if available is None else str(available).lower(),
            "page": page,
            "size": size,
        }
        path = self.CATEGORIES_PATH
        return parse_catalog(CategoriesPage, self.request("GET", path, params=params), f"GET {path}")

    def get_attributes(self, category_id: str) -> CategoryAttributes:
        """Base, category and variant attributes of a leaf category."""
        path = f"/product/api/categories/{path_part(category_id, 'category_id')}/attributes"
        return parse_catalog(CategoryAttributesAnswer, self.request("GET", path), f"GET {path}").data

    def get_attribute_values(
        self, category_id: str, attribute_id: str, page: int = 0, size: int = VALUE_PAGE_SIZE
    ) -> AttributeValuesPage:
        """One page of an enum attribute's allowed values."""
        check_page(page, size, VALUE_PAGE_SIZE)
        path = (f"/product/api/categories/{path_part(category_id, 'category_id')}"
                f"/attribute/{path_part(attribute_id, 'attribute_id')}/values")
        data = self.request("GET", path, params={"page": page, "size": size})
        return parse_catalog(AttributeValuesPage, data, f"GET {path}")

    # --- products -----------------------------------------------------------------------
    def _upload_file(self, path: str, payload: Any) -> str:
        body = encode_import_file(payload)  # a JSON file: the Logs screen shows it like a JSON body
        data = self.request("POST", path, files={"file": (IMPORT_FILE_NAME, body, "application/json")})
        return parse_catalog(ImportAccepted, data, f"POST {path}").data.tracking_id

    def import_products(self, items: list[dict[str, Any]]) -> str:
        """Upload products (``[{categoryId, merchant, attributes}]``) as a JSON file; returns the trackingId."""
        if not items:
            raise ValueError("a product import needs at least one product")
        return self._upload_file(self.IMPORT_PATH, items)

    def get_import_status(self, tracking_id: str, page: int = 0, size: int = STATUS_PAGE_SIZE) -> ImportStatusPage:
        """Per-product outcome of an import (paged)."""
        check_page(page, size, STATUS_PAGE_SIZE)
        path = f"/product/api/products/status/{path_part(tracking_id, 'tracking_id')}"
        data = self.request("GET", path, params={"page": page, "size": size})
        return parse_catalog(ImportStatusPage, data, f"GET {path}")

    def check_product_status(self, merchant_skus: list[str]) -> list[SkuStatus]:
        """Catalog status (WAITING, MATCHED, BLOCKED…) of this merchant's skus; unknown skus are left out."""
        if not merchant_skus:
            return []
        if len(merchant_skus) > MAX_SKUS_PER_STATUS_CHECK:
            raise ValueError(f"at most {MAX_SKUS_PER_STATUS_CHECK} merchant skus per status check")
        path = self.STATUS_CHECK_PATH
        body = [{"merchant": self.merchant_id, "merchantSkuList": list(merchant_skus)}]
        answer = parse_catalog(ProductStatusAnswer, self.request("POST", path, json_body=body), f"POST {path}")
        return [status for entry in answer.data if entry.merchant in (None, self.merchant_id)
                for status in entry.sku_status_list]

    def products_by_status(self, status: str, page: int = 0, size: int = STATUS_PAGE_SIZE) -> ProductsByStatusPage:
        """One page of the merchant's products in a catalog status (with reject reasons)."""
        if not status:
            raise ValueError("status is empty")
        check_page(page, size, STATUS_PAGE_SIZE)
        path = self.BY_STATUS_PATH
        params = {"merchantId": self.merchant_id, "productStatus": status, "page": page, "size": size}
        return parse_catalog(ProductsByStatusPage, self.request("GET", path, params=params), f"GET {path}")

    # --- product update service (ticket-api) ----------------------------------------------
    def update_products(self, items: list[dict[str, Any]]) -> str:
        """Ask Hepsiburada to change listed products (``[{hbSku, productName, …}]``); returns the trackingId.

        The file is ``{merchantId, items}`` as in the update service's documented example
        (``integrator-ticket-upload.json``). The answer's ``trackingId`` is read at the top
        level or under ``data`` (issue 17 quotes the spec's example with it at the top level;
        guess: not confirmed on 2026-12-06). guess: issue 17 says the published spec declares
        bearer (JWT) auth for ticket-api; neither that nor how the token is obtained could be
        confirmed in the search corpus (checked 2026-12-06: developers.hepsiburada.com
        "Ürün Güncelleme Servisi" / uploadticketviafile), so Basic auth is kept.
        """
        if not items:
            raise ValueError("a product update needs at least one product")
        return self._upload_file(self.UPDATE_PATH, {"merchantId": self.merchant_id, "items": items})

    def get_update_status(self, tracking_id: str, page: int = 0, size: int = STATUS_PAGE_SIZE) -> UpdateStatusPage:
        check_page(page, size, STATUS_PAGE_SIZE)
        path = f"/ticket-api/api/integrator/status/{path_part(tracking_id, 'tracking_id')}"
        data = self.request("GET", path, params={"page": page, "size": size})
        return parse_catalog(UpdateStatusPage, data, f"GET {path}")

    # The catalog's 403 for going over its request limit, and 413.
    refusals = (
        Refusal(RateLimited, "{where}: over Hepsiburada's catalog request limit (100 per second per IP); slow down or "
                "the IP gets blocked", (403,), _CATALOG_LIMIT_TEXTS, retry_after=CATALOG_LIMIT_RETRY_AFTER),
        Refusal(RequestRejected, "{where}: the file is larger than Hepsiburada accepts; send fewer products per request",
                (413,)),
    )


# --- orders, packages and claims (OMS) ---------------------------------------------------
# Hepsiburada allows 1,000 requests per second on the order services and answers 429 with
# X-RateLimit-Limit/Remaining/Reset above it ("Sipariş Entegrasyonu Önemli Bilgiler"). We keep
# to half of it per merchant, shared by every worker.
OMS_RATES = [RateSpec(500, 1)]

OMS_TZ = timezone(timedelta(hours=OMS_UTC_OFFSET_HOURS))
STATUS_LISTS = ("shipped", "delivered", "undelivered")


def oms_budget(merchant_id: str) -> CallBudget:
    """The shared call budget of one merchant's order (OMS) calls."""
    return CallBudget(f"hepsiburada:oms:{merchant_id}", OMS_RATES)


def oms_date(value: datetime) -> str:
    """An aware datetime as the OMS query strings take it: ``yyyy-MM-dd HH:mm`` in Turkey time."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("OMS dates must be timezone-aware datetimes")
    return value.astimezone(OMS_TZ).strftime(OMS_DATE_FORMAT)


def oms_timestamp(value: datetime) -> str:
    """An aware datetime as the OMS request bodies take it (ISO 8601 in Turkey time).

    guess: the document types these dates as strings without a format; ISO 8601 is what the
    OMS answers with.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("OMS dates must be timezone-aware datetimes")
    return value.astimezone(OMS_TZ).isoformat(timespec="seconds")


def _window(params: dict[str, Any], begin: datetime | None, end: datetime | None,
            names: tuple[str, str] = ("begindate", "enddate")) -> dict[str, Any]:
    if begin is not None:
        params[names[0]] = oms_date(begin)
    if end is not None:
        params[names[1]] = oms_date(end)
    return params


class HepsiburadaOmsClient(_HepsiburadaClient):
    """Calls to the order API of one merchant: paid lines, packages, their statuses and claims."""

    url_key = "oms_url"
    label = "order (OMS)"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.last_headers: httpx.Headers = httpx.Headers()

    # --- paths ------------------------------------------------------------------------
    @property
    def _mid(self) -> str:
        return quote(self.merchant_id, safe="")

    def _package_path(self, package_number: str, action: str = "") -> str:
        path = f"/packages/merchantid/{self._mid}/packagenumber/{path_part(package_number, 'package_number')}"
        return f"{path}/{action}" if action else path

    def _write(self, method: str, path: str, body: Any) -> str:
        """A write that answers 200/201/204 with a short text (or nothing)."""
        return self.request(method, path, json_body=body, expect_json=False)

    # --- paid order lines ---------------------------------------------------------------
    def list_paid_orders(self, offset: int, limit: int, begin: datetime | None = None,
                         end: datetime | None = None) -> PaidLinesPage:
        """One page of paid lines waiting to be packaged (limit and offset are mandatory here)."""
        check_page(offset, limit, PAID_ORDERS_PAGE_SIZE, first="offset")
        path = f"/orders/merchantid/{self._mid}"
        params = _window({"offset": offset, "limit": limit}, begin, end)
        return parse_answer(PaidLinesPage, self.request("GET", path, params=params), f"GET {path}")

    def get_order(self, order_number: str) -> dict[str, Any]:
        """Every line of one order (``OrderRepresentation``), as Hepsiburada answers it."""
        path = f"/orders/merchantid/{self._mid}/ordernumber/{path_part(order_number, 'order_number')}"
        data = self.request("GET", path)
        if not isinstance(data, dict):
            raise MalformedResponse(f"GET {path}: expected an order object from Hepsiburada", body=repr(data)[:500])
        return data

    def cancel_line(self, line_item_id: str, reason_id: int) -> None:
        """Cancel a line that is not packaged yet (``cancelbymerchant``); the whole line is cancelled."""
        path = f"/lineitems/merchantid/{self._mid}/id/{path_part(line_item_id, 'line_item_id')}/cancelbymerchant"
        self._write("POST", path, {"reasonId": int(reason_id)})

    # --- packages -----------------------------------------------------------------------
    def list_packages(self, offset: int, limit: int, begin: datetime | None = None, end: datetime | None = None,
                      timespan: int | None = None) -> list[Package]:
        """One page of the merchant's packages (a bare array: a short page is the last one)."""
        check_page(offset, limit, PACKAGES_PAGE_SIZE, first="offset")
        if timespan is not None and (begin is not None or end is not None):
            raise ValueError("give either timespan or begin/end, not both")
        path = f"/packages/merchantid/{self._mid}"
        # "Offset", capital O, as Hepsiburada's own examples for this path spell it
        # (developers.hepsiburada.com changelog "Hepsiburada Entegrasyon- Haziran 2023" and
        # "- Mayıs 2024": ``…?timespan=96&limit=10&Offset=0``; checked 2026-12-06). Every other
        # OMS listing's example says "offset". guess: the published OpenAPI file itself was
        # not found in the search corpus, so its spelling is unconfirmed.
        params = _window({"Offset": offset, "limit": limit}, begin, end)
        if timespan is not None:
            params["timespan"] = int(timespan)
        data = self.request("GET", path, params=params)
        if not isinstance(data, list):
            raise MalformedResponse(f"GET {path}: expected an array of packages from Hepsiburada",
                                    body=repr(data)[:500])
        return [parse_answer(Package, item, f"GET {path}") for item in data]

    def get_package(self, package_number: str) -> TrackingInfo:
        """Status, carrier and tracking code of one package."""
        path = self._package_path(package_number)
        return parse_answer(TrackingInfo, self.request("GET", path), f"GET {path}")

    def get_labels(self, package_number: str, label_format: str = "png") -> LabelData:
        """The cargo label(s) of a package in ``label_format`` (zpl, base64zpl, pdf, png, jpg)."""
        fmt = str(label_format or "").strip().lower()
        if fmt not in LABEL_FORMATS:
            raise ValueError(f"label format must be one of {', '.join(LABEL_FORMATS)}")
        path = self._package_path(package_number, "labels")
        return parse_answer(LabelData, self.request("GET", path, params={"format": fmt}), f"GET {path}")

    def create_package(self, lines: list[tuple[str, int]], cargo_company: str | None = None) -> PackageCreated:
        """Package paid lines (``[(lineItemId, quantity)]``) into one package.

        ``cargo_company`` is the short name of the carrier (e.g. ``YK``) for merchants shipping
        on their own account. guess: it goes in ``cargoCompany``; the document types the field
        without describing it.
        """
        if not lines:
            raise ValueError("a package needs at least one line")
        body: dict[str, Any] = {"lineItemRequests": [{"id": str(line_id), "quantity": int(quantity)}
                                                     for line_id, quantity in lines]}
        if cargo_company and str(cargo_company).strip():
            body["cargoCompany"] = str(cargo_company).strip()
        path = f"/packages/merchantid/{self._mid}"
        return parse_answer(PackageCreated, self.request("POST", path, json_body=body), f"POST {path}")

    def unpack(self, package_number: str) -> None:
        """Break a package up; its lines are waiting to be packaged again."""
        self._write("POST", self._package_path(package_number, "unpack"), None)

    def split_package(self, package_number: str, groups: list[list[tuple[str, int]]],
                      cancelled: list[tuple[str, int, int]] | None = None) -> None:
        """Break a package into new packages (``groups`` of ``(lineItemId, quantity)``), cancelling
        ``cancelled`` ``(lineItemId, quantity, reasonId)`` at the same time ("Paket Bölme")."""
        body = {
            "packageDetails": [{"lines": [{"orderLineId": str(i), "quantity": int(q)} for i, q in group]}
                               for group in groups if group],
            "cancelledItems": [{"orderLineId": str(i), "quantity": int(q), "cancelReasonId": int(r)}
                               for i, q, r in cancelled or []],
        }
        if not body["packageDetails"] and not body["cancelledItems"]:
            raise ValueError("a split needs at least one group or cancelled line")
        self._write("POST", self._package_path(package_number, "split"), body)

    def change_warehouse(self, package_number: str, address_label: str) -> None:
        """``PUT …/packagenumber/{n}/warehouse`` ("Paket Bilgilerinde Depo Bilgisi Güncelleme").
        guess: the body names the merchant address by its label, as packaging does."""
        self._write("PUT", self._package_path(package_number, "warehouse"),
                    {"shippingAddressLabel": required_text(address_label, "address_label")})

    def send_invoice_link(self, package_number: str, invoice_link: str, *, arrangement_date: datetime | None = None,
                          serial_number: str | None = None, row_number: str | None = None) -> None:
        """Attach the invoice PDF link to a package (Hepsiburada refuses links that do not end in .pdf)."""
        body: dict[str, Any] = {"invoiceLink": invoice_link}
        if arrangement_date is not None:
            body["arrangementDate"] = oms_timestamp(arrangement_date)
        if serial_number:
            body["serialNumber"] = serial_number
        if row_number:
            body["rowNumber"] = row_number
        self._write("PUT", self._package_path(package_number, "invoice"), body)

    # --- merchant-own carrier ("Mağaza Hesabı") statuses ------------------------------------
    def mark_in_transit(self, package_number: str, *, tracking_number: str, shipped_date: datetime,
                        tracking_url: str | None = None, estimated_arrival: datetime | None = None) -> None:
        body: dict[str, Any] = {"trackingNumber": required_text(tracking_number, "tracking_number"),
                                "shippedDate": oms_timestamp(shipped_date)}
        if tracking_url:
            body["trackingUrl"] = tracking_url
        if estimated_arrival is not None:
            body["estimatedArrivalDate"] = oms_timestamp(estimated_arrival)
        self._write("POST", self._package_path(package_number, "intransit"), body)

    def mark_delivered(self, package_number: str, *, received_date: datetime, received_by: str | None = None) -> None:
        body: dict[str, Any] = {"receivedDate": oms_timestamp(received_date)}
        if received_by:
            body["receivedBy"] = received_by
        self._write("POST", self._package_path(package_number, "deliver"), body)

    # --- status listings ------------------------------------------------------------------
    def list_status_packages(self, status: str, offset: int, limit: int, begin: datetime | None = None,
                             end: datetime | None = None) -> StatusPackagesPage:
        """One page of shipped, delivered or undelivered packages (by the date of that status)."""
        if status not in STATUS_LISTS:
            raise ValueError(f"status must be one of {', '.join(STATUS_LISTS)}")
        check_page(offset, limit, STATUS_LIST_PAGE_SIZE, first="offset")
        path = f"/packages/merchantid/{self._mid}/{status}"
        params = _window({"offset": offset, "limit": limit}, begin, end)
        return parse_answer(StatusPackagesPage, self.request("GET", path, params=params), f"GET {path}")

    def list_cancelled_lines(self, offset: int, limit: int, begin: datetime | None = None,
                             end: datetime | None = None) -> CancelledLinesPage:
        """One page of lines cancelled (by the customer, Hepsiburada or the merchant), by cancel date."""
        check_page(offset, limit, STATUS_LIST_PAGE_SIZE, first="offset")
        path = f"/orders/merchantid/{self._mid}/cancelled"
        params = _window({"offset": offset, "limit": limit}, begin, end)
        return parse_answer(CancelledLinesPage, self.request("GET", path, params=params), f"GET {path}")

    def list_unpacked(self, offset: int, limit: int, begin: datetime | None = None,
                      end: datetime | None = None) -> UnpackedPage:
        """One page of packages that were broken up, by unpack date."""
        check_page(offset, limit, UNPACKED_PAGE_SIZE, first="offset")
        path = f"/packages/merchantid/{self._mid}/status/unpacked"
        params = _window({"offset": offset, "limit": limit}, begin, end)
        data = self.request("GET", path, params=params)
        if isinstance(data, list):  # the document's shape: an array holding the page object
            if len(data) > 1:
                raise MalformedResponse(f"GET {path}: expected one page object from Hepsiburada",
                                        body=repr(data)[:500])
            data = data[0] if data else {"items": [], "totalCount": 0}
        return parse_answer(UnpackedPage, data, f"GET {path}")

    # --- claims ---------------------------------------------------------------------------
    def list_claims(self, offset: int, limit: int, *, status: str | None = None, begin: datetime | None = None,
                    end: datetime | None = None, status_begin: datetime | None = None,
                    status_end: datetime | None = None) -> ClaimsPage:
        """One page of claims, optionally in one status; ``begin``/``end`` filter on the claim date,
        ``status_begin``/``status_end`` (with a status only) on the date it reached that status."""
        check_page(offset, limit, CLAIMS_PAGE_SIZE, first="offset")
        if status is None and (status_begin is not None or status_end is not None):
            raise ValueError("status dates filter only a status listing")
        path = f"/claims/merchantId/{self._mid}"
        if status is not None:
            path += f"/status/{quote(str(status), safe='')}"
        params = _window({"offset": offset, "limit": limit}, begin, end, ("beginDate", "endDate"))
        _window(params, status_begin, status_end, ("statusBeginDate", "statusEndDate"))
        data = self.request("GET", path, params=params)
        if not isinstance(data, list):
            raise MalformedResponse(f"GET {path}: expected an array of claims from Hepsiburada", body=repr(data)[:500])
        items = [parse_answer(Claim, item, f"GET {path}") for item in data]
        total = self.last_headers.get("X-Total-Count")
        return ClaimsPage(items=items, total_count=int(total) if total and total.strip().isdigit() else None)

    def accept_claim(self, claim_number: str, **fields: Any) -> None:
        """Accept a claim waiting for the merchant (optional ``FinalizedWith``, ``InvoiceLink``,
        ``AcceptionReason``; their values are undocumented)."""
        path = f"/claims/number/{path_part(claim_number, 'claim_number')}/accept"
        self._write("POST", path, {k: v for k, v in fields.items() if v not in (None, "")})

    def reject_claim(self, claim_number: str, reason: str, statement: str, reports: list[str] | None = None) -> None:
        """Reject a claim waiting for the merchant; ``reports`` are base64 images. Hepsiburada then
        reviews the dispute."""
        path = f"/claims/number/{path_part(claim_number, 'claim_number')}/reject"
        body: dict[str, Any] = {"ClaimRejectionReason": reason, "MerchantStatement": statement}
        if reports:
            body["Reports"] = list(reports)
        self._write("POST", path, body)

    # --- errors -----------------------------------------------------------------------
    def raise_for_status(self, method: str, path: str, response: httpx.Response) -> None:
        """Like BaseClient; also keeps the answer's headers (claims carry their total in X-Total-Count)."""
        self.last_headers = response.headers
        super().raise_for_status(method, path, response)
