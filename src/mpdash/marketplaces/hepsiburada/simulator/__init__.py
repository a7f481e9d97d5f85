"""A local HTTP server that speaks Hepsiburada's listing, catalog and order (OMS) APIs, for
tests, demos and load runs.

Built on :mod:`mpdash.marketplaces.simkit` (pipeline, control API, lazy clock, options,
faults); the modules here: :mod:`.api` (HTTP side), :mod:`.state` (listings and uploads),
:mod:`.catalog` (imports, approvals), :mod:`.orders` (orders, packages, claims, shopper).
``serve()`` runs it in a daemon thread and returns a :class:`HepsiburadaSimulator`; ``python -m
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

from typing import Any

from ...simkit import Answer, Simulator, run_main, serve_factory
from .api import CATALOG_PREFIXES, CatalogApi, HepsiburadaControl, ListingApi, OmsApi, error_answer
from .catalog import CatalogState
from .orders import OmsError, OrderState
from .state import ListingState


class SimulatorState(CatalogState, OrderState, ListingState):
    """Listings and uploads, the catalog and the orders of the simulated merchant, on one lock and clock.

    Methods only :mod:`.api`'s endpoints call run with the state current (simkit's pipeline holds
    it); the inspection and steering methods take it themselves."""

    def clear(self) -> None:
        super().clear()
        self._clear_catalog()
        self._clear_orders()

    def configured(self, clean: dict[str, Any]) -> None:
        self._orders_configured(clean)


class HepsiburadaSimulator(Simulator):
    """A running simulator: its address, its options and thread-safe inspection helpers."""

    label, server_version = "Hepsiburada simulator", "HepsiburadaSimulator/1.0"
    state_class, api_classes, control_class = SimulatorState, (CatalogApi, OmsApi, ListingApi), HepsiburadaControl
    secret_options = ("password",)
    state: SimulatorState

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any):
        super().__init__(host, port, **options)
        self.catalog_api, self.oms_api, self.api = self.apis

    def keep_blank_values(self, path: str) -> bool:
        # The catalog tells "leaf=" (any) from a missing leaf (Hepsiburada's default, true).
        return path.lower().startswith(CATALOG_PREFIXES)

    def error(self, status: int, message: str, path: str, *, key: str | None = None) -> Answer:
        return error_answer(status, message, path)

    # Inspection and steering, thread-safe, documented on the state (:mod:`.state`, :mod:`.catalog`,
    # :mod:`.orders`): listings and uploads, the catalog, orders, packages and claims.
    forwarded = frozenset({
        "add_listings", "listing", "listings", "history", "upload", "wait_until_applied", "uploads_total",
        "catalog_product", "catalog_products", "catalog_import", "catalog_counters", "reject_products",
        "approve_products", "wait_until_catalog_settled",
        "order", "orders", "cancel_order", "package", "packages", "move_package", "create_claim", "claim", "claims",
        "move_claim", "oms_counters",
    })

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

    def place_order(self, lines: list[dict[str, Any]], *, micro_export: bool = False, at: float | None = None,
                    pack: bool = False, paid: bool = True, shopper: int | None = None) -> dict[str, Any]:
        """Place an order now (or at epoch ``at``): ``lines`` is ``[{merchantSku, quantity[, price]}]``.

        Returns ``{orderNumber, orderId, lineItemIds, lines, …}``. ``pack``: Hepsiburada packages it
        at once; ``paid`` False: its lines cannot be packaged (canCreatePackage false);
        ``micro_export``: a shopper abroad; ``shopper``: which deterministic shopper buys.
        """
        if shopper is not None and (not isinstance(shopper, int) or isinstance(shopper, bool) or shopper < 0):
            raise OmsError(400, "shopper must be a whole number of at least 0")
        return self.state.place_order(lines, shopper_n=shopper, abroad=micro_export, at=at, pack=pack, paid=paid)

    def counters(self) -> dict[str, int]:
        return {"requests_total": self.requests_total, "uploads_total": self.uploads_total,
                "listings_total": self.state.listing_count()}


# Options (all changeable later with ``configure()`` or ``POST /_sim/config``) are declared, each
# with its default and rule, in :data:`.state.OPTIONS`; ``clock=`` gives a fast clock.
serve = serve_factory(HepsiburadaSimulator)


def main(argv: list[str] | None = None) -> int:
    def banner(simulator: HepsiburadaSimulator) -> list[str]:
        current = simulator.options
        return [f"Hepsiburada listing, order and catalog simulator on {simulator.url}",
                f"  merchant id: {current['merchant_id']}", f"  username:    {current['username']}",
                f"  user agent:  {current['user_agent']}", "  password:    (the configured service key; not shown)"]

    return run_main(
        argv, serve=serve, prog="python -m mpdash.marketplaces.hepsiburada.simulator",
        description="Run a local Hepsiburada listing, order and catalog API simulator until Ctrl-C.", port=8765,
        banner=banner, flags=(
            ("--processing-delay", float, "seconds before an upload is applied (default 1)"),
            ("--latency", float, "seconds added to every answer (default 0)"),
            ("--rate-limit", int, "requests per second per merchant (default 50, 0 = off)"),
            ("--max-items-per-upload", int, "largest upload accepted (default 4000)"),
            ("--approval-delay", float, "seconds an imported product waits before it is matched (default 2)"),
            ("--order-rate", float, "orders per second the shopper places (default 0 = off)"),
            ("--auto-pack-delay", float,
             "seconds until Hepsiburada packs an order the merchant has not packed (default 900)"),
            ("--merchant-id", str, None), ("--username", str, None),
            ("--password", str, "the service key callers must send"), ("--user-agent", str, None)))


__all__ = ["HepsiburadaSimulator", "OmsError", "main", "serve"]
