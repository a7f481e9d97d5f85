"""HTTP client of N11's REST seller API (``api.n11.com``): appkey/appsecret headers on
every call; product writes are tasks polled by task id; orders are shipment packages.

Timeouts, logging, redaction and the error mapping come from
:class:`~mpdash.marketplaces.http.BaseClient`; this class adds N11's paths and limits.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from ..auth import HeaderCredentials
from ..errors import AuthError, ConfigError, MalformedResponse, RateLimited, RequestRejected
from ..kit.batches import check_batch_size
from ..kit.config import require_set
from ..http import DEFAULT_TIMEOUT, BaseClient, retry_after_seconds
from ..ratelimit import CallBudget, RateSpec
from .config import (
    INTEGRATOR,
    MAX_ORDER_PAGE_SIZE,
    MAX_SKUS_PER_TASK,
    PACKAGE_STATUSES,
    PRODUCT_PAGE_SIZE,
    RATE_LIMIT_CALLS,
    RATE_LIMIT_SECONDS,
    SOAP_PAGE_SIZE,
    TASK_PAGE_SIZE,
)
from . import soap
from .models import (
    CategoryAttributes,
    Category,
    PackagesPage,
    ProductsPage,
    TaskAccepted,
    TaskDetails,
    parse_answer,
)


def seller_budget(app_key: str) -> CallBudget:
    """The shared call budget of one N11 account: 1,000 calls a minute (documented for orders)."""
    return CallBudget(f"n11:{app_key[:12]}", [RateSpec(RATE_LIMIT_CALLS, RATE_LIMIT_SECONDS)])


def rest_root(base_url: str) -> str:
    """The host part of ``base_url``: the seed pre-fills the SOAP base ``…/ws/``, the REST
    paths hang off the host (a simulator's path prefix other than /ws is kept)."""
    text = str(base_url).strip().rstrip("/")
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        raise ConfigError(f"N11 channel config: base_url {base_url!r} is not an http(s) address, e.g. https://api.n11.com/ws/")
    path = parts.path[:-3] if parts.path.endswith("/ws") else parts.path
    return f"{parts.scheme}://{parts.netloc}{path}"


def _check_skus(skus: list[dict[str, Any]], what: str) -> None:
    if not skus:
        raise ValueError(f"{what} needs at least one sku")
    check_batch_size(len(skus), MAX_SKUS_PER_TASK, what, "N11", "task")


class N11Client(BaseClient):
    """Calls to N11's REST API for one seller account."""

    def __init__(self, base_url: str, *, app_key: str, app_secret: str, integrator: str = INTEGRATOR,
                 budget: CallBudget | None = None, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None):
        require_set({"base_url": base_url, "app_key": app_key, "app_secret": app_secret}, "N11 channel config")
        self.integrator = integrator
        self._soap_auth = {"appKey": str(app_key).strip(), "appSecret": str(app_secret).strip()}  # SOAP: in the body
        credentials = HeaderCredentials({"appkey": str(app_key), "appsecret": str(app_secret)},
                                        hint="the channel's app_key and app_secret (Satıcı Ofisi > Hesabım > Api Hesapları)")
        super().__init__(base_url=rest_root(base_url), timeout=timeout, budget=budget, transport=transport,
                         credentials=credentials, headers={"Accept": "application/json"})

    def __repr__(self) -> str:  # the dataclass repr would show the headers
        return f"N11Client(base_url={self.base_url!r})"

    # --- catalog ----------------------------------------------------------------------
    def get_categories(self) -> list[Category]:
        """The whole category tree in one call."""
        data = self.request("GET", "/cdn/categories")
        if isinstance(data, dict):  # [UNVERIFIED] a wrapped answer {"categories": [...]}
            data = data.get("categories", data.get("content"))
        if not isinstance(data, list):
            return parse_answer(Category, None, "GET /cdn/categories")  # raises
        return [parse_answer(Category, node, "GET /cdn/categories") for node in data]

    def get_category_attributes(self, category_id: str | int) -> CategoryAttributes:
        path = f"/cdn/category/{quote(str(category_id).strip(), safe='')}/attribute"
        return parse_answer(CategoryAttributes, self.request("GET", path), f"GET {path}")

    # --- product tasks ----------------------------------------------------------------
    def _task(self, path: str, skus: list[dict[str, Any]], what: str) -> str:
        _check_skus(skus, what)
        body = {"payload": {"integrator": self.integrator, "skus": skus}}
        return parse_answer(TaskAccepted, self.request("POST", path, json_body=body), f"POST {path}").id

    def create_products(self, skus: list[dict[str, Any]]) -> str:
        """Queue a product-create task; returns the task id."""
        return self._task("/ms/product/tasks/product-create", skus, "product-create")

    def update_products(self, skus: list[dict[str, Any]]) -> str:
        """Queue a product update task ("UpdateProduct" in N11's REST list; path and body
        [UNVERIFIED]: ``product-update`` with skus keyed by stockCode)."""
        return self._task("/ms/product/tasks/product-update", skus, "product-update")

    def update_price_stock(self, skus: list[dict[str, Any]]) -> str:
        """Queue a price-stock-update task (``[{stockCode, quantity?, listPrice+salePrice?, currencyType}]``)."""
        for sku in skus:
            if ("listPrice" in sku) != ("salePrice" in sku):
                raise ValueError(f"sku {sku.get('stockCode')!r}: N11 takes listPrice and salePrice only together")
        return self._task("/ms/product/tasks/price-stock-update", skus, "price-stock-update")

    def get_task(self, task_id: str, page: int = 0, size: int = TASK_PAGE_SIZE) -> TaskDetails:
        if not str(task_id or "").strip():
            raise ValueError("task_id is empty")
        path = "/ms/product/task-details/page-query"
        body = {"taskId": int(task_id) if str(task_id).isdigit() else task_id, "pageable": {"page": page, "size": size}}
        return parse_answer(TaskDetails, self.request("POST", path, json_body=body), f"POST {path}")

    def get_products(self, page: int = 0, size: int = PRODUCT_PAGE_SIZE, *, stock_code: str | None = None) -> ProductsPage:
        params: dict[str, Any] = {"page": page, "size": size}
        if stock_code:
            params["stockCode"] = stock_code
        return parse_answer(ProductsPage, self.request("GET", "/ms/product-query", params=params), "GET /ms/product-query")

    # --- orders -------------------------------------------------------------------------
    def get_packages(self, status: str, start_ms: int, end_ms: int, page: int = 0,
                     size: int = MAX_ORDER_PAGE_SIZE) -> PackagesPage:
        """One page of packages in one status changed in [start_ms, end_ms] (oldest first)."""
        if status not in PACKAGE_STATUSES:
            raise ValueError(f"status {status!r} is not one of N11's: {', '.join(PACKAGE_STATUSES)}")
        if page < 0 or not 1 <= size <= MAX_ORDER_PAGE_SIZE:
            raise ValueError(f"page must be 0 or more and size 1..{MAX_ORDER_PAGE_SIZE}")
        params = {"status": status, "startDate": int(start_ms), "endDate": int(end_ms), "page": page, "size": size,
                  "orderByDirection": "ASC"}
        path = "/rest/delivery/v1/shipmentPackages"
        return parse_answer(PackagesPage, self.request("GET", path, params=params), f"GET {path}")

    def update_lines(self, line_ids: list[str], status: str = "Picking", *, tracking_number: str = "",
                     cargo_company: str = "") -> Any:
        """Accept lines (``Picking``); or, when the seller ships with its own carrier, report them
        ``Shipped`` with the tracking number ([UNVERIFIED]: the documented UpdateOrder names lines
        and a status; the tracking keys are our guess)."""
        if not line_ids:
            raise ValueError("update needs at least one line id")
        if status not in ("Picking", "Shipped"):
            raise ValueError(f"status {status!r}: the seller sets Picking (or Shipped with its own carrier)")
        body: dict[str, Any] = {"lines": [{"lineId": int(i) if str(i).isdigit() else i} for i in line_ids],
                                "status": status}
        if status == "Shipped":
            if not str(tracking_number).strip():
                raise ValueError("Shipped needs a tracking number")
            body["trackingNumber"] = str(tracking_number).strip()
            if cargo_company:
                body["shipmentCompany"] = str(cargo_company)
        return self.request("PUT", "/rest/order/v1/update", json_body=body)

    def split_by_lines(self, groups: list[list[str]]) -> Any:
        """Split a Picking package by lines; the old package becomes UnPacked."""
        if not groups or any(not g for g in groups):
            raise ValueError("a split needs non-empty groups of line ids")
        body = {"splitGroups": [{"orderLineIds": [int(i) if str(i).isdigit() else i for i in g]} for g in groups]}
        return self.request("POST", "/rest/delivery/v1/splitCombinePackage", json_body=body)

    def split_by_quantity(self, package_id: str, kept: list[tuple[str, int]], cancelled: list[tuple[str, int]],
                          reason_id: int | None = None) -> Any:
        """Split a package by quantity: ``kept`` (line id, quantity) stay in a new package,
        ``cancelled`` are cancelled with ``reason_id``; N11 refuses a cancel alone (empty ``kept``)."""
        body: dict[str, Any] = {
            "packageId": int(package_id) if str(package_id).isdigit() else package_id,
            "packageDetails": [{"orderLineId": int(i) if str(i).isdigit() else i, "quantities": [q]} for i, q in kept],
            "cancelledItems": [{"orderLineId": int(i) if str(i).isdigit() else i, "quantity": q,
                                **({"reasonId": reason_id} if reason_id is not None else {})} for i, q in cancelled],
        }
        return self.request("POST", "/rest/delivery/v1/splitPackageByQuantity", json_body=body)

    # --- SOAP: customers' cancellation requests and return claims --------------------------------
    # kind -> (service path under /ws/, operation prefix, id element)
    CLAIM_SERVICES = {"cancel": ("claimCancelService", "ClaimCancel", "claimCancelId"),
                      "return": ("returnService", "ClaimReturn", "claimReturnId")}

    def _soap(self, service: str, operation: str, fields: dict[str, Any]) -> dict[str, Any]:
        path = f"/ws/{service}/"
        text = self.request("POST", path, content=soap.request(operation, {"auth": self._soap_auth, **fields}),
                            expect_json=False)
        where = f"POST {path} {operation}"
        try:
            name, data = soap.body_of(text or "")
        except soap.SoapError as bad:
            raise MalformedResponse(f"{where}: {bad}", body=(text or "")[:300]) from None
        if name != f"{operation}Response" or not isinstance(data, dict):
            raise MalformedResponse(f"{where}: N11 answered {name} instead of {operation}Response", body=text[:300])
        result = data.get("result") if isinstance(data.get("result"), dict) else {}
        if str(result.get("status", "")).lower() != "success":
            code, message = result.get("errorCode") or "", result.get("errorMessage") or "failure without a message"
            error = AuthError if "authentication" in str(code).lower() else RequestRejected
            raise error(f"{where}: N11 refused it ({code}): {message}" + (
                f"; check {self.credentials_hint}" if error is AuthError else ""), body=text[:300])
        return data

    def claims(self, kind: str, status: str, start_day: str, end_day: str, page: int = 0,
               size: int = SOAP_PAGE_SIZE) -> dict[str, Any]:
        """One page of cancellation requests (``kind`` "cancel") or return claims ("return") in
        ``status`` requested between two days (dd/MM/yyyy); ``{<kind>List: ..., pagingData}``."""
        service, prefix, _ = self.CLAIM_SERVICES[kind]
        return self._soap(service, f"{prefix}List", {
            "searchData": {"status": status, "period": {"startDate": start_day, "endDate": end_day}},
            "pagingData": {"currentPage": int(page), "pageSize": int(size)}})

    def answer_claim(self, kind: str, claim_id: str, deny_reason: int | None = None, note: str = "") -> dict[str, Any]:
        """Approve a cancellation request or return claim, or deny it with an N11 deny reason."""
        service, prefix, id_key = self.CLAIM_SERVICES[kind]
        if not str(claim_id or "").strip():
            raise ValueError("the claim id is empty")
        if deny_reason is None:
            return self._soap(service, f"{prefix}Approve", {id_key: claim_id})
        return self._soap(service, f"{prefix}Deny", {id_key: claim_id, "denyReasonId": int(deny_reason),
                                                       "denyReasonNote": str(note or "")[:500]})

    def delete_by_seller_code(self, code: str) -> dict[str, Any]:
        """ProductService DeleteProductBySellerCode (``productSellerCode``) [3rd-party SOAP clients;
        whether it outlived the 2024 shutdown of SOAP product writes is UNVERIFIED]."""
        if not str(code or "").strip():
            raise ValueError("the seller code is empty")
        return self._soap("productService", "DeleteProductBySellerCode", {"productSellerCode": str(code).strip()})

    def save_invoice_link(self, order_number: str, url: str) -> dict[str, Any]:
        """SellerInvoiceService SaveLinkSellerInvoice: the invoice's address for an order (``url``
        and ``orderNumber`` required, documented; the flat body and service path [UNVERIFIED])."""
        return self._soap("sellerInvoiceService", "SaveLinkSellerInvoice", {"orderNumber": order_number, "url": url})

    # --- errors -------------------------------------------------------------------------
    def raise_for_status(self, method: str, path: str, response: httpx.Response) -> None:
        """BaseClient's mapping (its texts carry N11's answer); after a 429 without Retry-After
        the wait is N11's window, a minute."""
        try:
            super().raise_for_status(method, path, response)
        except RateLimited as limited:
            limited.retry_after = retry_after_seconds(response, default=float(RATE_LIMIT_SECONDS))
            raise
