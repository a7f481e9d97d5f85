"""A local HTTP server speaking N11's REST seller API, for tests, the demo and load runs.

Kept apart from production code: nothing outside this sub-package and the registry imports
it. ``serve()`` runs it in a daemon thread; ``python -m mpdash.marketplaces.n11.simulator
--port 8767`` in the foreground. Point a channel at ``{url}/ws/`` (``adapter_config()``).

API paths (headers ``appkey`` and ``appsecret`` on each; the ``/cdn`` category paths need
only ``appkey``): ``GET /cdn/categories``, ``GET /cdn/category/{id}/attribute``,
``POST /ms/product/tasks/product-create``, ``POST /ms/product/tasks/price-stock-update``,
``POST /ms/product/tasks/product-update`` ([UNVERIFIED] path),
``POST /ms/product/task-details/page-query``, ``GET /ms/product-query``,
``GET /rest/delivery/v1/shipmentPackages``, ``PUT /rest/order/v1/update``,
``POST /rest/delivery/v1/splitCombinePackage``, ``POST /rest/delivery/v1/splitPackageByQuantity``.

It refuses what N11 refuses: missing or wrong headers (401), more than 1,000 skus in a task,
list price below sale price or prices sent alone or with more than two decimals (the sku is
REJECTed), a second status in one package query, a start after the end, pages below 0 or
above 100 records, more than 1,000 calls a minute (429). A range wider than a month gives
the month before its end, as N11 documents.

Control paths (no auth): ``GET /_sim/state``, ``POST /_sim/config``, ``POST /_sim/reset``,
``POST /_sim/products``, ``POST /_sim/orders`` (``{lines: [{stockCode, quantity}]}``),
``GET /_sim/packages``, ``POST /_sim/packages/{id}/status`` (``{status, trackingNumber?}``),
``POST /_sim/approve/{stockCode}`` (the seller approves a product waiting in N11's panel).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from typing import Any

from ...simulation import (
    Answer,
    FaultSlot,
    RateWindows,
    SimulatorHandler,
    SimulatorServer,
    run_until_signal,
    validate_fault,
)
from .state import LEAVES, TREE, Refused, State, _tree_json, attribute_entries

ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/cdn/categories/?$"), "categories"),
    ("GET", re.compile(r"^/cdn/category/(?P<cid>[^/]+)/attribute/?$"), "attributes"),
    ("POST", re.compile(r"^/ms/product/tasks/product-create/?$"), "create"),
    ("POST", re.compile(r"^/ms/product/tasks/price-stock-update/?$"), "price_stock"),
    ("POST", re.compile(r"^/ms/product/tasks/product-update/?$"), "product_update"),
    ("POST", re.compile(r"^/ms/product/task-details/page-query/?$"), "task"),
    ("GET", re.compile(r"^/ms/product-query/?$"), "products"),
    ("GET", re.compile(r"^/rest/delivery/v1/shipmentPackages/?$"), "packages"),
    ("PUT", re.compile(r"^/rest/order/v1/update/?$"), "update"),
    ("POST", re.compile(r"^/rest/delivery/v1/splitCombinePackage/?$"), "split"),
    ("POST", re.compile(r"^/rest/delivery/v1/splitPackageByQuantity/?$"), "split_quantity"),
]


def error(status: int, message: str) -> Answer:
    # [UNVERIFIED] N11's error envelope; {"code", "message"} as its split service answers.
    return Answer(status, {"code": status, "message": message})


class N11Simulator:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any):
        fault = validate_fault(options.pop("fault", None))
        self._state = State(options)
        self.fault = FaultSlot()
        self.fault.set(fault)
        self.rates = RateWindows()
        self._stop_event = threading.Event()
        self._server = SimulatorServer((host, port), SimulatorHandler)
        self._server.simulator = self
        self._server.label = "n11 simulator"
        self._thread: threading.Thread | None = None
        self._shopper: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def stopped(self) -> bool:
        return self._stop_event.is_set()

    def start(self) -> N11Simulator:
        self._thread = threading.Thread(target=self._server.serve_forever, name="n11-simulator", daemon=True)
        self._thread.start()
        self._shopper = threading.Thread(target=self._shop, name="n11-shopper", daemon=True)
        self._shopper.start()
        return self

    def stop(self) -> None:
        if self._stop_event.is_set():
            return
        self._stop_event.set()
        self._server.shutdown()
        self._server.server_close()

    def _shop(self) -> None:
        while not self._stop_event.wait(0.2):
            rate = self._state.options()["order_rate"]
            if rate > 0 and self._state.rng.random() < rate * 0.2:
                self._state.shop()

    # --- HTTP ---------------------------------------------------------------------------
    def dispatch(self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> Answer:
        if path.startswith("/_sim/"):
            return self._control(method, path, body)
        with self._state.lock:
            self._state.requests_total += 1
        options = self._state.options()
        if options["latency"]:
            self._stop_event.wait(options["latency"])
        for prefix in ("/ws",):  # a base_url ending /ws/ as the seed pre-fills it
            if path.startswith(prefix + "/"):
                path = path[len(prefix):]
        route = next(((name, m) for verb, pattern, name in ROUTES if verb == method and (m := pattern.match(path))), None)
        if route is None:
            return error(404, f"no endpoint {method} {path}")
        name, match = route
        fault = self.fault.take(path)
        if fault:
            return self._fault_answer(fault, options)
        if headers.get("appkey") != options["app_key"]:
            return error(401, "appkey header is missing or wrong")
        if not path.startswith("/cdn/") and headers.get("appsecret") != options["app_secret"]:
            return error(401, "appsecret header is missing or wrong")
        allowed, _, reset = self.rates.spend(options["app_key"], options["rate_limit"], options["rate_window"])
        if not allowed:
            return Answer(429, {"code": 429, "message": "Too many requests"}, {"Retry-After": str(max(1, int(reset)))})
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return error(400, "the body is not JSON")
        try:
            return Answer(200, self._endpoint(name, match.groupdict(), query, data))
        except Refused as refused:
            return error(refused.status, refused.message)

    def _fault_answer(self, fault: dict[str, Any], options: dict[str, Any]) -> Answer:
        mode = fault["mode"]
        if mode == "429":
            return Answer(429, {"code": 429, "message": "Too many requests"}, {"Retry-After": "1"})
        if mode == "timeout":
            self._stop_event.wait(options["timeout_sleep"])
            return error(504, "timeout")
        if mode == "malformed":
            return Answer(200, b"<html>not json")
        return error(fault["status"], "internal error")

    def _endpoint(self, name: str, params: dict[str, str], query: dict[str, list[str]], data: Any) -> Any:
        state = self._state
        if name == "categories":
            return _tree_json(TREE)
        if name == "attributes":
            cid = params["cid"]
            if not cid.isdigit() or int(cid) not in LEAVES:
                raise Refused(404, f"category {cid} is not a leaf category")
            return {"id": int(cid), "categoryAttributes": attribute_entries(int(cid))}
        if name in ("create", "price_stock", "product_update"):
            kinds = {"create": "PRODUCT_CREATE", "price_stock": "PRICE_STOCK_UPDATE", "product_update": "PRODUCT_UPDATE"}
            return state.accept_task(kinds[name], data)
        if name == "task":
            if not isinstance(data, dict) or data.get("taskId") in (None, ""):
                raise Refused(400, "taskId is required")
            pageable = data.get("pageable") or {}
            return state.task_page(data["taskId"], int(pageable.get("page", 0)), int(pageable.get("size", 1000)))
        if name == "products":
            page, size = int((query.get("page") or ["0"])[0]), int((query.get("size") or ["20"])[0])
            if page < 0 or not 1 <= size <= 100:
                raise Refused(400, "page must be 0 or more and size 1..100")
            return state.product_page(page, size, (query.get("stockCode") or [None])[0])
        if name == "packages":
            return state.list_packages(query)
        if name == "update":
            return state.update_lines(data)
        if name == "split":
            return state.split_by_lines(data)
        return state.split_by_quantity(data)

    def _control(self, method: str, path: str, body: bytes) -> Answer:
        try:
            data = json.loads(body) if body else {}
            if path == "/_sim/state":
                return Answer(200, {"requests_total": self._state.requests_total, "products": self.products(),
                                    "options": {k: v for k, v in self.options.items() if k != "app_secret"}})
            if path == "/_sim/config" and method == "POST":
                return Answer(200, {k: v for k, v in self.configure(**data).items() if k != "app_secret"})
            if path == "/_sim/reset" and method == "POST":
                self.reset()
                return Answer(200, {"reset": True})
            if path == "/_sim/products" and method == "POST":
                return Answer(200, {"added": self.add_products(data.get("products") or [])})
            if path == "/_sim/orders" and method == "POST":
                return Answer(200, self.place_order(data.get("lines") or []))
            if path == "/_sim/packages":
                return Answer(200, self.packages())
            match = re.match(r"^/_sim/packages/([^/]+)/status$", path)
            if match and method == "POST":
                return Answer(200, self.set_package_status(match.group(1), data["status"], data.get("trackingNumber")))
            match = re.match(r"^/_sim/approve/([^/]+)$", path)
            if match and method == "POST":
                self.seller_approve(match.group(1))
                return Answer(200, {"approved": match.group(1)})
        except Refused as refused:
            return error(refused.status, refused.message)
        except (ValueError, KeyError) as bad:
            return error(400, f"bad control request: {bad}")
        return error(404, f"no control path {method} {path}")

    # --- steering and inspection ------------------------------------------------------
    @property
    def options(self) -> dict[str, Any]:
        """Every option, the fault in force included."""
        return {**self._state.options(), "fault": self.fault.current()}

    def configure(self, **options: Any) -> dict[str, Any]:
        if "fault" in options:
            self.fault.set(validate_fault(options["fault"]))
        return self._state.configure(options)

    def reset(self) -> None:
        self._state.reset()
        self.rates.clear()
        self.fault.set(None)

    def add_products(self, products: list[dict[str, Any]]) -> int:
        """``[{stockCode, barcode?, salePrice, listPrice, quantity, status (Active)}]``."""
        return self._state.add_products(products)

    def add_catalog_barcodes(self, barcodes: list[str]) -> None:
        """Barcodes already in N11's catalog: products created with them await the seller's approval."""
        with self._state.lock:
            self._state.catalog_barcodes |= {str(b) for b in barcodes}

    def reject(self, stock_code: str, reason: str) -> None:
        """N11's review will reject ``stock_code`` with ``reason`` (set before the product is created)."""
        with self._state.lock:
            self._state.rejections[str(stock_code)] = reason

    def seller_approve(self, stock_code: str) -> None:
        self._state.seller_approve(stock_code)

    def product(self, stock_code: str) -> dict[str, Any] | None:
        with self._state.lock:
            self._state.advance()
            product = self._state.products.get(stock_code)
            return dict(product) if product else None

    def products(self) -> list[dict[str, Any]]:
        with self._state.lock:
            self._state.advance()
            return [dict(p) for p in self._state.products.values()]

    def history(self, stock_code: str | None = None) -> list[dict[str, Any]]:
        with self._state.lock:
            return [dict(r) for r in self._state.history_rows if stock_code is None or r["stockCode"] == stock_code]

    def task(self, task_id: str) -> dict[str, Any] | None:
        with self._state.lock:
            self._state.advance()
            task = self._state.tasks.get(str(task_id))
            return None if task is None else {**task, "skus": list(task["skus"]), "results": list(task["results"])}

    def place_order(self, lines: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
        """One package: ``lines`` ``[{stockCode, quantity, price?, sellerDiscount?}]``; ``spec``:
        createdDate (epoch ms), orderNumber. Returns ``{packageId, orderNumber, lines}``."""
        return self._state.place_order(lines, **spec)

    def package(self, package_id: str) -> dict[str, Any] | None:
        with self._state.lock:
            package = self._state.packages.get(str(package_id))
            return None if package is None else json.loads(json.dumps(package))

    def packages(self, order_number: str | None = None) -> list[dict[str, Any]]:
        with self._state.lock:
            return [json.loads(json.dumps(p)) for p in self._state.packages.values()
                    if order_number is None or p["orderNumber"] == order_number]

    def package_of_line(self, line_id: str) -> dict[str, Any] | None:
        """The live (not UnPacked) package holding an order line."""
        return self._state.package_of_line(line_id)

    def cancelled_lines(self) -> list[dict[str, Any]]:
        with self._state.lock:
            return list(self._state.lines_cancelled)

    def customer_cancel(self, package_id: str, line_ids: list[str] | None = None) -> dict[str, Any]:
        """The customer cancels lines (all when None): the old package becomes Cancelled, the lines
        not cancelled move to a new package (``{"packageId"}`` of it, None when nothing is left)."""
        return self._state.customer_cancel(package_id, line_ids)

    def set_package_status(self, package_id: str, status: str, tracking_number: str | None = None) -> dict[str, Any]:
        """Move a package as N11 or its carrier would (Shipped, Delivered, Cancelled, Returned...)."""
        return self._state.set_status(package_id, status, tracking_number)

    def wait_until_processed(self, timeout: float = 10.0, *, approvals: bool = False) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._state.advance()
            if not self._state.pending() and not (approvals and self._state.pending_approvals()):
                return True
            time.sleep(0.02)
        return False

    @property
    def requests_total(self) -> int:
        return self._state.requests_total

    def adapter_config(self) -> dict[str, Any]:
        """Channel config keys that point an adapter at this simulator."""
        return {"base_url": f"{self.url}/ws/", "app_key": self.options["app_key"],
                "app_secret": self.options["app_secret"]}


def serve(host: str = "127.0.0.1", port: int = 0, **options: Any) -> N11Simulator:
    """Start a simulator in a background thread (port 0: a free port) and return it.

    Options (changeable later with ``configure()`` or ``POST /_sim/config``): ``app_key``,
    ``app_secret``; ``processing_delay`` (s before a task is processed, 1); ``approval_delay``
    (s until N11 approves a new product, 2); ``latency``; ``rate_limit``/``rate_window`` (1,000
    per 60 s; 0 = off); ``order_rate`` (orders a second placed by a shopper from Active, in-stock
    products; 0 = off); ``shopper_seed``; ``task_retention``; ``timeout_sleep``; ``fault``
    (``{"mode": "5xx"|"timeout"|"malformed"|"429", "count", "path", "status"}``)."""
    return N11Simulator(host, port, **options).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mpdash.marketplaces.n11.simulator",
                                     description="Run a local N11 REST API simulator until Ctrl-C.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8767)
    for option in ("processing-delay", "approval-delay", "latency", "order-rate"):
        parser.add_argument(f"--{option}", type=float)
    parser.add_argument("--rate-limit", type=int)
    args = parser.parse_args(argv)
    options = {k: v for k, v in vars(args).items() if k not in ("host", "port") and v is not None}
    try:
        simulator = serve(args.host, args.port, **options)
    except (OSError, ValueError) as exc:
        print(f"cannot start the simulator: {exc}", file=sys.stderr)
        return 2
    print(f"N11 REST API simulator on {simulator.url} (base_url {simulator.url}/ws/); Ctrl-C to stop.", flush=True)
    run_until_signal(simulator)
    return 0
