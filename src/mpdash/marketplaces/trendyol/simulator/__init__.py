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
* ``POST /product/sellers/{sellerId}/products/content-bulk-update`` (approved products, by contentId),
  ``…/variant-bulk-update`` and ``…/delivery-info-bulk-update`` (approved products, by barcode)
* ``GET  /product/sellers/{sellerId}/products/approved`` (filterApprovedProducts v2: <= 100 a
  page, nextPageToken) and ``…/products/unapproved`` (filterUnapprovedProducts v2); ``GET
  …/products`` (the retired V1 filterProducts), like V1 ``POST``/``PUT …/products`` and ``GET
  /product/product-categories/{id}/attributes``, answers 410 Gone (a guess); ``DELETE`` (delete)
* ``PUT  /product/sellers/{sellerId}/products/archive-state``
* ``GET  /product/sellers/{sellerId}/products/batch-requests/{batchRequestId}``
* ``POST /inventory/sellers/{sellerId}/products/price-and-inventory``

Order side (packages and claims; state in :class:`~.orders.OrderBook`):

* ``GET  /order/sellers/{sellerId}/orders`` (getShipmentPackages: startDate, endDate, page,
  size <= 200, status, orderNumber, shipmentPackageIds, orderByField, orderByDirection; the
  10,000-record rule, a 14-day window, the last 30 days only) and ``…/orders/stream``
  (getShipmentPackagesStream: lastModifiedStartDate/EndDate at most 14 days apart within the
  last 90, packageItemStatuses, size <= 200, nextCursor; newest change first)
* ``PUT  /order/sellers/{sellerId}/shipment-packages/{packageId}`` (Picking, then Invoiced)
* ``PUT  …/shipment-packages/{packageId}/items/unsupplied``
* ``POST …/shipment-packages/{packageId}/split-packages``
* ``PUT  …/shipment-packages/{packageId}/tracking-details`` (``{cargoSenderNumber, providerCode}``;
  the deprecated ``…/update-tracking-number`` answers 410 Gone, a guess)
* ``PUT  …/shipment-packages/{packageId}/warehouse`` (``{"warehouseId"}``, Trendyol Express sellers)
* ``PUT  /order/sellers/{sellerId}/manual-deliver/{cargoTrackingNumber}``
* ``POST /sellers/{sellerId}/seller-invoice-links`` (409 on a second link)
* ``GET  /order/sellers/{sellerId}/claims``, ``PUT …/claims/{claimId}/items/approve``,
  ``POST …/claims/{claimId}/issue`` (multipart), ``GET /order/claim-issue-reasons``
* stage helpers: ``POST /test/order/orders/core``,
  ``PUT /test/order/sellers/{sellerId}/shipment-packages/{packageId}/status``,
  ``PUT /test/order/sellers/{sellerId}/claims/waiting-in-action``

Rate limits (429 ``too.many.requests``): by default Trendyol's budgets (config): per minute
for product reads, product writes and stock & price at the ``listing_tier`` option, 30 price
updates a minute per barcode, the order list's 1000 a minute, 50 per 10 s on other endpoints;
``rate_limit=N`` (with ``rate_window``) counts N per service group instead, 0 switches them off.

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

Error bodies: see :mod:`.errors`. Built on :mod:`mpdash.marketplaces.simkit` (pipeline,
control API, lazy clock, options, faults); the modules here: :mod:`.api` (HTTP side),
:mod:`.state` (products, batches, approvals), :mod:`.orders` (packages, claims, shopper).
"""

from __future__ import annotations

from typing import Any

from ...simkit import Answer, Simulator, run_main, serve_factory
from ...simkit.delegate import from_state
from .api import SellerApi, TrendyolControl
from .errors import PREFIX, error_answer
from .state import SimulatorState


class TrendyolSimulator(Simulator):
    """A running simulator: its address, its options and thread-safe inspection helpers."""

    label, server_version = "Trendyol simulator", "TrendyolSimulator/1.0"
    state_class, api_classes, control_class = SimulatorState, (SellerApi,), TrendyolControl
    secret_options = ("api_secret",)
    state: SimulatorState

    @property
    def api(self) -> SellerApi:
        return self.apis[0]

    def error(self, status: int, message: str, path: str, *, key: str | None = None) -> Answer:
        return error_answer(status, key or "invalid.request", message)

    # --- steering ---------------------------------------------------------------------
    def add_products(self, products: list[dict[str, Any]]) -> int:
        """Create or overwrite products directly: ``[{barcode, stockCode, quantity, salePrice, listPrice,
        approved (default true), rejected, archived, archivedSecondsAgo, categoryId, brandId, …}]``."""
        return self.state.add_products(products)

    def reject(self, barcode: str, reason: str, detail: str = "") -> None:
        """Have Trendyol reject ``barcode`` with ``reason`` when its approval falls due."""
        self.state.mark_rejection(barcode, reason, detail)

    # --- orders and claims ---------------------------------------------------------------
    def place_order(self, lines: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
        """Place one order (one package): ``lines`` ``[{barcode | stockCode, quantity,
        discountPercentage?, trendyolDiscountPercentage?, price?}]``; ``spec``: customer,
        shippingAddress, invoiceAddress, orderDate (epoch ms), cargoProviderName, micro, commercial.
        Returns ``{orderNumber, packageId, status, lines: [{lineId, barcode, quantity}]}``."""
        return self.state.place_orders([{**spec, "lines": lines}])[0]

    place_orders = from_state("place_orders")
    package = from_state("package", "A package as Trendyol lists it, plus ``_sim`` (replacements, invoice number, "
                         "ended lines).")
    packages = from_state("packages", "Packages, of one order_number and/or status when given.")

    def set_package_status(self, package_id: Any, status: str, tracking_number: Any = None) -> dict[str, Any]:
        """Move a package as the carrier would: Shipped (from Picking/Invoiced), AtCollectionPoint,
        Delivered, UnDelivered, Returned."""
        return self.state.carrier_status(str(package_id), status, tracking_number)

    def cancel_package(self, package_id: Any, lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The customer cancels ``lines`` (``[{lineId, quantity}]``, all when None); the rest moves
        to a new package after ``repack_delay``."""
        return self.state.cancel_package(str(package_id), lines)

    def create_claim(self, packageId: Any, lines: list[dict[str, Any]] | None = None, **spec: Any  # noqa: N803
                     ) -> dict[str, Any]:
        """A customer opens a return on a delivered package; ``spec``: reasonId (401), customerNote,
        status (WaitingInAction or Created), force. Returns ``{claimId, claimItemIds}``."""
        return self.state.create_claim({**spec, "packageId": packageId, "lines": lines})

    claim = from_state("claim")
    claims = from_state("all_claims")

    def claim_waiting_in_action(self, claim_id: str) -> int:
        """Move a claim's Created units to WaitingInAction (Trendyol's stage helper does the same)."""
        return self.state.claims_waiting_in_action([claim_id])

    order_counts = from_state("order_counts", "Orders placed (in all and by the shopper), packages, claims and "
                              "packages per status.")

    def wait_for_order_events(self, timeout: float = 10.0) -> bool:
        """Block until every scheduled package event (Awaiting -> Created, the new packages of
        unsupplied, cancelled or split ones) has happened; False if ``timeout`` passed first."""
        kinds = self.state.PACKAGE_EVENTS
        return self.state.wait_until(lambda: not self.state.timeline.pending(kinds),
                                     lambda: self.state.timeline.last_due(kinds), timeout)

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
        return self.state.catalog

    product = from_state("product")
    products = from_state("all_products")

    def history(self, barcode: str | None = None, start: int = 0) -> list[dict[str, Any]]:
        """Every applied change in order: ``{batch_request_id, kind, barcode, value, accepted_at, applied_at}``;
        kinds: stock, price, list_price, created, updated, approved, rejected, archived, deleted."""
        return self.state.history(barcode, start)

    batch = from_state("batch")

    def wait_until_processed(self, timeout: float = 10.0, *, approvals: bool = False) -> bool:
        """Block until every accepted batch (and, with ``approvals``, every pending approval)
        is carried out; False if ``timeout`` passed first."""
        return self.state.wait_until_idle(timeout, approvals=approvals)

    @property
    def batches_total(self) -> int:
        return self.state.batches_total

    def counters(self) -> dict[str, int]:
        return {"requests_total": self.requests_total, "batches_total": self.batches_total,
                "products_total": self.state.product_count()}


serve = serve_factory(TrendyolSimulator)
serve.__doc__ = """Start a simulator in a background thread (port 0 picks a free port) and return it.
Options (changeable later with ``configure()`` or ``POST /_sim/config``) are declared, each with
its default and rule, in :data:`.state.OPTIONS`; ``clock=`` gives a fast clock."""


def main(argv: list[str] | None = None) -> int:
    def banner(simulator: TrendyolSimulator) -> list[str]:
        current = simulator.options
        return [f"Trendyol seller API simulator on {simulator.url} (base_url {simulator.url}{PREFIX})",
                f"  seller id:  {current['seller_id']}", "  api key and secret: the configured ones (not shown)",
                f'  user agent: "{current["seller_id"]} - SelfIntegration" (any letters/digits name)']

    return run_main(argv, serve=serve, prog="python -m mpdash.marketplaces.trendyol.simulator",
                    description="Run a local Trendyol seller API simulator until Ctrl-C.", port=8766, banner=banner,
                    flags=(("--processing-delay", float, "seconds before a batch is processed (default 1)"),
                           ("--approval-delay", float, "seconds before a new product is approved (default 2)"),
                           ("--latency", float, "seconds added to every answer (default 0)"),
                           ("--rate-limit", int, "requests per window per service group (default: Trendyol's budgets; 0 = off)"),
                           ("--duplicate-window", float, "seconds of the identical-request rule (default 900)"),
                           ("--order-rate", float, "orders per second placed by the shopper (default 0 = off)"),
                           ("--awaiting-delay", float, "seconds a new package stays Awaiting (default 0)"),
                           ("--seller-id", str, None), ("--api-key", str, None),
                           ("--api-secret", str, "the secret callers must send")))


__all__ = ["TrendyolSimulator", "main", "serve"]
