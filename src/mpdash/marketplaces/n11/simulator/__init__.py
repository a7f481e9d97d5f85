"""A local HTTP server speaking N11's REST seller API, on simkit, for tests, the demo and load runs.

Kept apart from production code: nothing outside this sub-package and the registry imports
it. ``serve()`` runs it in a daemon thread; ``python -m mpdash.marketplaces.n11.simulator
--port 8767`` (or ``mpdash simulate n11``) in the foreground. Point a channel at ``{url}/ws/``
(``adapter_config()``).

API paths (headers ``appkey`` and ``appsecret`` on each; the ``/cdn`` category paths need
only ``appkey``): ``GET /cdn/categories``, ``GET /cdn/category/{id}/attribute``,
``POST /ms/product/tasks/product-create``, ``POST /ms/product/tasks/price-stock-update``,
``POST /ms/product/tasks/product-update`` ([UNVERIFIED] path),
``POST /ms/product/task-details/page-query``, ``GET /ms/product-query``,
``GET /rest/delivery/v1/shipmentPackages``, ``PUT /rest/order/v1/update``,
``POST /rest/delivery/v1/splitCombinePackage``, ``POST /rest/delivery/v1/splitPackageByQuantity``;
SOAP (auth in the envelope): ``POST /ws/claimCancelService/`` (ClaimCancelList, ClaimCancelApprove,
ClaimCancelDeny), ``POST /ws/returnService/`` (ClaimReturnList, ClaimReturnApprove, ClaimReturnDeny) and
``POST /ws/sellerInvoiceService/`` (SaveLinkSellerInvoice), ``POST /ws/productService/``
(DeleteProductBySellerCode).

It refuses what N11 refuses: missing or wrong headers (401), more than 1,000 skus in a task,
list price below sale price or prices sent alone or with more than two decimals (the sku is
REJECTed), a second status in one package query, a start after the end, pages below 0 or
above 100 records, more than 1,000 calls a minute (429). A range wider than a month gives
the month before its end, as N11 documents. SOAP: wrong appKey/appSecret in the envelope, a
claim answered twice, a deny without denyReasonId, period dates not dd/MM/yyyy (each a
``result.status`` failure with an errorCode); a broken envelope is a SOAP Fault.

Control paths (no auth), besides simkit's ``stats``, ``config``, ``reset``, ``state``,
``history``: ``POST /_sim/products`` (``{"products": [...]}``), ``POST /_sim/orders``
(``{lines: [{stockCode, quantity}]}``), ``GET /_sim/packages``, ``POST /_sim/packages/{id}/status``
(``{status, trackingNumber?}``), ``POST /_sim/approve/{stockCode}`` (the seller approves a
product waiting in N11's panel), ``POST /_sim/packages/{id}/cancel_request`` (``{lineIds?}``: the
buyer asks to cancel), ``POST /_sim/packages/{id}/return`` (``{lineId, quantity?}``: a return claim
on a Delivered package), ``GET /_sim/claims/{id}``.
"""

from __future__ import annotations

import json
from typing import Any

from ... import simkit
from .. import soap
from .state import LEAVES, TREE, Refused, State, _tree_json, attribute_entries

R = simkit.route


class N11Api(simkit.Api):
    routes = (
        R("GET", r"/cdn/categories", "categories"),
        R("GET", r"/cdn/category/(?P<cid>[^/]+)/attribute", "attributes"),
        R("POST", r"/ms/product/tasks/product-create", "create"),
        R("POST", r"/ms/product/tasks/price-stock-update", "price_stock"),
        R("POST", r"/ms/product/tasks/product-update", "product_update"),
        R("POST", r"/ms/product/task-details/page-query", "task"),
        R("GET", r"/ms/product-query", "products"),
        R("GET", r"/rest/delivery/v1/shipmentPackages", "packages"),
        R("PUT", r"/rest/order/v1/update", "update"),
        R("POST", r"/rest/delivery/v1/splitCombinePackage", "split"),
        R("POST", r"/rest/delivery/v1/splitPackageByQuantity", "split_quantity"),
        R("POST", r"/claimCancelService", "soap", "cancel"), R("POST", r"/returnService", "soap", "return"),
        R("POST", r"/sellerInvoiceService", "soap", "invoice"), R("POST", r"/productService", "soap", "product"),
    )

    def find_route(self, request: simkit.Request) -> simkit.Answer | None:
        if request.path.startswith("/ws/"):  # a base_url ending /ws/, as the seed pre-fills it
            request.path = request.path[3:]
        return super().find_route(request)

    def error(self, status, message, request, *, key=None, headers=None) -> simkit.Answer:
        # [UNVERIFIED] N11's error envelope; {"code", "message"} as its split service answers.
        return simkit.Answer(status, {"code": status, "message": message}, headers or {})

    def fault_headers(self, request) -> dict[str, str]:
        return {"Retry-After": "1"}

    def check_caller(self, request) -> simkit.Answer | None:
        if request.route is not None and request.route.name == "soap":
            return None  # SOAP calls carry appKey and appSecret in the envelope (checked by on_soap)
        if request.headers.get("appkey") != request.options["app_key"]:
            return self.error(401, "appkey header is missing or wrong", request)
        if not request.path.startswith("/cdn/") and request.headers.get("appsecret") != request.options["app_secret"]:
            return self.error(401, "appsecret header is missing or wrong", request)
        return None

    def rate_window(self, request) -> simkit.RateWindow:
        return simkit.RateWindow("seller", request.options["rate_limit"], request.options["rate_window"])

    def rate_refused(self, request, window, reset) -> simkit.Answer:
        return self.error(429, "Too many requests", request, headers={"Retry-After": simkit.reset_header(reset)})

    @staticmethod
    def _body(request) -> Any:
        return simkit.json_body(request.body, Refused(400, "the body is not JSON")) if request.body else None

    def on_categories(self, request):
        return simkit.Answer(200, _tree_json(TREE))

    def on_attributes(self, request):
        cid = request.params["cid"]
        if not cid.isdigit() or int(cid) not in LEAVES:
            raise Refused(404, f"category {cid} is not a leaf category")
        return simkit.Answer(200, {"id": int(cid), "categoryAttributes": attribute_entries(int(cid))})

    def on_create(self, request):
        return simkit.Answer(200, self.state.accept_task("PRODUCT_CREATE", self._body(request)))

    def on_price_stock(self, request):
        return simkit.Answer(200, self.state.accept_task("PRICE_STOCK_UPDATE", self._body(request)))

    def on_product_update(self, request):
        return simkit.Answer(200, self.state.accept_task("PRODUCT_UPDATE", self._body(request)))

    def on_task(self, request):
        data = self._body(request)
        if not isinstance(data, dict) or data.get("taskId") in (None, ""):
            raise Refused(400, "taskId is required")
        pageable = data.get("pageable") or {}
        return simkit.Answer(200, self.state.task_page(data["taskId"], int(pageable.get("page", 0)),
                                                       int(pageable.get("size", 1000))))

    def on_products(self, request):
        page, size = int(request.arg("page", "0")), int(request.arg("size", "20"))
        if page < 0 or not 1 <= size <= 100:
            raise Refused(400, "page must be 0 or more and size 1..100")
        return simkit.Answer(200, self.state.product_page(page, size, request.arg("stockCode")))

    def on_packages(self, request):
        return simkit.Answer(200, self.state.list_packages(request.query))

    def on_update(self, request):
        return simkit.Answer(200, self.state.update_lines(self._body(request)))

    def on_split(self, request):
        return simkit.Answer(200, self.state.split_by_lines(self._body(request)))

    def on_split_quantity(self, request):
        return simkit.Answer(200, self.state.split_by_quantity(self._body(request)))

    def on_soap(self, request):
        """ClaimCancelService / ReturnService: List, Approve and Deny; failures as N11's
        ``result.status`` failure with an errorCode, broken envelopes as a SOAP Fault (500)."""
        kind = request.route.group
        try:
            name, data = soap.body_of(request.body.decode("utf-8", "replace"))
        except soap.SoapError as bad:
            return simkit.Answer(500, soap.fault(str(bad)).encode())
        operation = name.removesuffix("Request")
        prefix, id_key = ("ClaimCancel", "claimCancelId") if kind == "cancel" else ("ClaimReturn", "claimReturnId")
        data = data if isinstance(data, dict) else {}
        auth = data.get("auth") if isinstance(data.get("auth"), dict) else {}
        try:
            if (auth.get("appKey"), auth.get("appSecret")) != (request.options["app_key"], request.options["app_secret"]):
                raise Refused(401, "appKey or appSecret is missing or wrong", key="SELLER_API.authenticationFailed")
            if kind == "product" and operation == "DeleteProductBySellerCode":
                out = self.state.delete_by_seller_code(str(data.get("productSellerCode") or ""))
            elif kind == "invoice" and operation == "SaveLinkSellerInvoice":
                out = self.state.save_invoice_link(str(data.get("orderNumber") or ""), str(data.get("url") or ""))
            elif operation == f"{prefix}List":
                out = self.state.list_claims(kind, data)
            elif operation in (f"{prefix}Approve", f"{prefix}Deny"):
                deny = operation.endswith("Deny")
                if deny and not str(data.get("denyReasonId") or "").isdigit():
                    raise Refused(400, "denyReasonId is required", key="SELLER_API.invalidParameter")
                out = self.state.answer_claim(kind, data.get(id_key), data.get("denyReasonId") if deny else None)
            else:
                return simkit.Answer(500, soap.fault(f"no operation {name} in this service").encode())
        except Refused as refused:
            return simkit.Answer(200, soap.response(operation, {}, error=(refused.key or "SELLER_API.error",
                                                                          refused.message)).encode())
        return simkit.Answer(200, soap.response(operation, out).encode())


C = simkit.control


class N11Control(simkit.ControlApi):
    key_param, item, items, owner_option = "stockCode", "product", "products", "app_key_shown"
    routes = (
        *simkit.ControlApi.routes,
        C("POST", "products", "add"), C("POST", "orders", "order"), C("GET", "packages", "list_packages"),
        C("POST", r"packages/(?P<pid>[^/]+)/status", "status"), C("POST", r"approve/(?P<code>[^/]+)", "approve"),
        C("POST", r"packages/(?P<pid>[^/]+)/cancel_request", "cancel_request"),
        C("POST", r"packages/(?P<pid>[^/]+)/return", "open_return"), C("GET", r"claims/(?P<cid>[^/]+)", "claim"),
    )

    def add(self, call):
        return simkit.Answer(200, {"added": self.sim.add_products(call.body.get("products") or [])})

    def order(self, call):
        return simkit.Answer(200, self.sim.place_order(call.body.get("lines") or []))

    def list_packages(self, call):
        return simkit.Answer(200, self.sim.packages())

    def status(self, call):
        return simkit.Answer(200, self.sim.set_package_status(call.params["pid"], call.body["status"],
                                                              call.body.get("trackingNumber")))

    def approve(self, call):
        self.sim.seller_approve(call.params["code"])
        return simkit.Answer(200, {"approved": call.params["code"]})

    def cancel_request(self, call):
        return simkit.Answer(200, {"claimIds": self.sim.request_cancel(call.params["pid"], call.body.get("lineIds"))})

    def open_return(self, call):
        return simkit.Answer(200, {"claimId": self.sim.open_return(call.params["pid"], str(call.body["lineId"]),
                                                                   int(call.body.get("quantity") or 1))})

    def claim(self, call):
        found = self.sim.claim(call.params["cid"])
        return simkit.Answer(200 if found else 404, found or {"message": f"no claim {call.params['cid']}"})


class N11Simulator(simkit.Simulator):
    label = "N11 simulator"
    state_class = State
    api_classes = (N11Api,)
    control_class = N11Control
    secret_options = ("app_secret",)

    def error(self, status, message, path, *, key=None):
        return simkit.Answer(status, {"code": status, "message": message})

    # --- steering -------------------------------------------------------------------------
    def add_products(self, products: list[dict[str, Any]]) -> int:
        """``[{stockCode, barcode?, salePrice, listPrice, quantity, status (Active)}]``."""
        return self.state.add_products(products)

    def add_catalog_barcodes(self, barcodes: list[str]) -> None:
        """Barcodes already in N11's catalog: products created with them await the seller's approval."""
        with self.state.current():
            self.state.catalog_barcodes |= {str(b) for b in barcodes}

    def reject(self, stock_code: str, reason: str) -> None:
        """N11's review will reject ``stock_code`` with ``reason`` (set before the product is created)."""
        with self.state.current():
            self.state.reviews.mark(str(stock_code), reason)

    def seller_approve(self, stock_code: str) -> None:
        self.state.seller_approve(stock_code)

    def place_order(self, lines: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
        """One package: ``lines`` ``[{stockCode, quantity, price?, sellerDiscount?}]``; ``spec``:
        createdDate (epoch ms), orderNumber, shopper. Returns ``{packageId, orderNumber, lines}``."""
        return self.state.place_order(lines, **spec)

    def set_package_status(self, package_id: str, status: str, tracking_number: str | None = None) -> dict[str, Any]:
        """Move a package as N11 or its carrier would (Shipped, Delivered, Cancelled, Returned...)."""
        return self.state.set_status(package_id, status, tracking_number)

    def request_cancel(self, package_id: str, line_ids: list[str] | None = None) -> list[str]:
        """The customer asks to cancel lines (all when None) of a Picking package: REQUESTED
        cancellation requests (one per line) for the seller to answer; their ids."""
        return self.state.open_claim("cancel", package_id, line_ids)

    def open_return(self, package_id: str, line_id: str, quantity: int = 1, reason: str = "Beden uymadı") -> str:
        """The customer returns ``quantity`` units of a line of a Delivered package: a REQUESTED return claim."""
        return self.state.open_claim("return", package_id, [line_id], quantity=quantity, reason=("1", reason))[0]

    def invoice_link(self, order_number: str) -> str | None:
        """The invoice address saved for an order (SaveLinkSellerInvoice)."""
        with self.state.current():
            return self.state.invoice_links.get(str(order_number))

    def claim(self, claim_id: str) -> dict[str, Any] | None:
        """A cancellation request or return claim as stored (``kind``, ``status``, ``denyReasonType``...)."""
        with self.state.current():
            found = self.state.claims.get(str(claim_id))
            return dict(found) if found else None

    def customer_cancel(self, package_id: str, line_ids: list[str] | None = None) -> dict[str, Any]:
        """The customer cancels lines (all when None): the old package becomes Cancelled, the lines
        not cancelled move to a new package (``{"packageId"}`` of it, None when nothing is left)."""
        return self.state.customer_cancel(package_id, line_ids)

    def wait_until_processed(self, timeout: float = 10.0, *, approvals: bool = False) -> bool:
        """Block until every accepted task (and, with ``approvals``, every review) is carried out."""
        return self.state.wait_until(lambda: not self.state.pending(approvals),
                                     lambda: self.state.timeline.next_due(), timeout)

    # --- inspection -----------------------------------------------------------------------
    def product(self, stock_code: str) -> dict[str, Any] | None:
        with self.state.current():
            product = self.state.products.get(stock_code)
            return dict(product) if product else None

    def products(self) -> list[dict[str, Any]]:
        with self.state.current():
            return [dict(p) for p in self.state.products.values()]

    def history(self, stock_code: str | None = None, start: int = 0) -> list[dict[str, Any]]:
        """Applied changes ``{taskId, kind, stockCode, value, accepted_at, applied_at}``; kinds:
        stock, price, list_price, created, updated, approved, rejected."""
        with self.state.current():
            return self.state.products.history(stock_code, start)

    def task(self, task_id: str) -> dict[str, Any] | None:
        with self.state.current():
            task = self.state.tasks.get(str(task_id))
            return None if task is None else {"id": task.id, "kind": task.kind, "skus": list(task.items),
                                              "results": list(task.results or [])}

    def package(self, package_id: str) -> dict[str, Any] | None:
        with self.state.current():
            package = self.state.packages.get(str(package_id))
            return None if package is None else json.loads(json.dumps(package))

    def packages(self, order_number: str | None = None) -> list[dict[str, Any]]:
        with self.state.current():
            return [json.loads(json.dumps(p)) for p in self.state.packages.values()
                    if order_number is None or p["orderNumber"] == order_number]

    def package_of_line(self, line_id: str) -> dict[str, Any] | None:
        """The newest package holding an order line, UnPacked ones left out."""
        return self.state.package_of_line(line_id)

    def cancelled_lines(self) -> list[dict[str, Any]]:
        """Lines cancelled by the seller (split by quantity) or the customer."""
        with self.state.current():
            return [dict(row) for row in self.state.lines_cancelled]

    def counters(self) -> dict[str, int]:
        with self.state.current():
            return {"requests_total": self.requests_total, "tasks_total": self.state.tasks.total,
                    "products_total": len(self.state.products), "orders_total": self.state.orders_placed,
                    "shopper_orders": self.state.shopper_orders}

    def adapter_config(self) -> dict[str, Any]:
        """Channel config keys that point an adapter at this simulator."""
        options = self.options
        return {"base_url": f"{self.url}/ws/", "app_key": options["app_key"], "app_secret": options["app_secret"]}


serve = simkit.serve_factory(N11Simulator)
serve.__doc__ = """Start an N11 simulator in a background thread (port 0: a free port) and return it.

Options (changeable later with ``configure()`` or ``POST /_sim/config``): ``app_key``,
``app_secret``; ``processing_delay`` (s before a task is processed, 1); ``approval_delay`` (s
until N11's review of a new product, 2); ``latency``; ``rate_limit``/``rate_window`` (1,000 per
60 s; 0 = off); ``cancel_request_every`` (every Nth shopper order gets the buyer's request to
cancel it ``claim_delay`` s later; 0 = off); ``order_rate`` (orders a second a shopper places from Active, in-stock
products; 0 = off); ``shopper_seed``; ``task_retention``; ``timeout_sleep``; ``fault``
(``{"mode": "5xx"|"timeout"|"timeout_after"|"malformed"|"429", "count", "path", "status"}``)."""


def main(argv: list[str] | None = None) -> int:
    return simkit.run_main(
        argv, serve=lambda *a, **k: serve(*a, **k), prog="python -m mpdash.marketplaces.n11.simulator",
        description="Run a local N11 REST API simulator until Ctrl-C.", port=8767,
        flags=(("--processing-delay", float, "seconds before a task is processed (default 1)"),
               ("--approval-delay", float, "seconds until N11's review of a new product (default 2)"),
               ("--latency", float, "seconds added to every answer"),
               ("--order-rate", float, "orders per second placed by the shopper (default 0 = off)"),
               ("--rate-limit", int, "requests a minute (default 1000, 0 = off)")),
        banner=lambda sim: [f"N11 REST API simulator on {sim.url} (base_url {sim.url}/ws/)"],
    )
