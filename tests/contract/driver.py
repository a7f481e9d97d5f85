"""The protocol a marketplace's contract driver implements, and how drivers are found.

The contract suite (``tests/contract/test_*.py``) runs the same scenarios against every
marketplace in :data:`mpdash.marketplaces.registry.MARKETPLACES`. Everything that differs
between marketplaces — how its simulator is started, which config points a channel at it,
how a listing is seeded, how a product is mapped, how an order is placed or a claim opened,
which request paths a fault is aimed at — lives in one small class per marketplace:
``tests/contract/drivers/<registry name>.py``, a subclass of :class:`Driver`. The scenarios
call only the methods below and the generic flow engine (``mpdash.integration``).

A marketplace that lacks a step says so in :attr:`Driver.unsupported` (step name → reason);
the scenarios that need the step skip with that reason. ``test_registry.py`` fails when a
registered marketplace has no driver, and when a driver leaves a method of a step it claims
to support unimplemented.

A new marketplace: copy the shape of ``drivers/trendyol.py`` (the shortest), fill every
method with its simulator's public helpers, and run ``pytest tests/contract -k <name>``.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from mpdash.marketplaces import registry

# Steps a driver may declare unsupported, and the driver methods each step needs.
STEPS: dict[str, tuple[str, ...]] = {
    "sync": ("list_products", "prepare_failing_record", "remote_stock", "remote_price", "history"),
    "products": ("map_catalog", "add_product", "approve", "reject", "product_state", "off_sale"),
    "orders": ("place_order",),
    "status_out": ("remote_status", "remote_tracking"),
    "partial_cancel": ("cancelled_skus", "customer_cancels"),
    "claim_approve": ("deliver", "open_claim", "claim_outcome"),
    "claim_reject": ("deliver", "open_claim", "claim_outcome"),
    "faults_sync": ("inject_fault", "clear_fault"),
    "faults_products": ("inject_fault", "clear_fault"),
    "faults_status_out": ("inject_fault", "clear_fault"),
    "faults_orders": ("inject_fault", "clear_fault", "order_catch_up"),
}

FAULT_MODES = ("5xx", "429", "timeout")


def required(method):
    """Marks a protocol method without a default: a driver implements it or declares its step unsupported."""
    method.required = True
    return method


@dataclass
class PlacedOrder:
    """An order placed on the simulator: its marketplace order number and the skus bought."""

    order_number: str
    lines: list[tuple[str, int]]
    raw: dict[str, Any] = field(default_factory=dict)


class Driver:
    """One marketplace's side of the contract. Subclasses set :attr:`name` and implement the
    methods of every step they do not list in :attr:`unsupported`.

    ``sim`` below is the object :meth:`start` returned; ``channel`` an active
    :class:`~mpdash.channels.models.SalesChannel` made by the suite from :meth:`channel_config`.
    """

    #: the registry name (a key of ``registry.MARKETPLACES``)
    name: ClassVar[str] = ""
    #: options of the registry's simulator factory: fast clocks, no rate windows
    simulator_options: ClassVar[dict[str, Any]] = {}
    #: step name -> why this marketplace does not have it (the scenario skips with that text)
    unsupported: ClassVar[dict[str, str]] = {}
    #: the package status (lower case) after we report it shipped with a tracking number
    status_after_shipped_out: ClassVar[str] = "intransit"
    #: flow (stock, price, product_create, get_orders) -> {step of the flow: regex of the
    #: request path a fault is aimed at}; every path must be hit by a run of that flow
    fault_paths: ClassVar[dict[str, dict[str, str | None]]] = {}

    # --- lifecycle --------------------------------------------------------------------------
    def start(self):
        """Start this marketplace's simulator on a free port (the registry's factory)."""
        return registry.simulator_factory(self.name)(port=0, **self.simulator_options)

    def stop(self, sim) -> None:
        sim.stop()

    def channel_config(self, sim) -> dict[str, Any]:
        """Config keys of a channel on ``sim``: credentials and URLs (``sim.adapter_config()``),
        category roots, and whatever the order flows need (reason ids, own-carrier shipping…).
        The suite adds feature flags, fast penalties, local reason ids and the cargo mapping."""
        return dict(sim.adapter_config())

    # --- stock and price ------------------------------------------------------------------------
    @required
    def list_products(self, sim, products, *, stock: int = 0, price: Decimal | int = 1) -> None:
        """Put ``products`` (catalog Products, made by ``make_products``) on sale on the
        marketplace with ``stock`` and ``price``, so that stock and price updates are accepted."""
        raise NotImplementedError

    @required
    def prepare_failing_record(self, sim, product) -> str:
        """Arrange that the marketplace refuses the next stock and price update of ``product``
        per item (the others of the same request land); :meth:`list_products` afterwards must
        make it acceptable again. Returns what was done, for messages."""
        raise NotImplementedError

    def listed_as(self, product) -> str:
        """The key :meth:`remote_stock` and :meth:`remote_price` take for a product made by
        :meth:`add_product` and created through the catalog path (default: its sku)."""
        return product.sku

    @required
    def remote_stock(self, sim, sku: str) -> int | None:
        """The stock the marketplace shows for ``sku`` (None when it has no such listing)."""
        raise NotImplementedError

    @required
    def remote_price(self, sim, sku: str) -> Decimal | None:
        """The sale price the marketplace shows for ``sku``."""
        raise NotImplementedError

    @required
    def history(self, sim, sku: str, kind: str) -> list[Any]:
        """Values of ``kind`` ("stock" or "price") the marketplace applied to ``sku``, in order;
        prices as Decimal with two places."""
        raise NotImplementedError

    # --- the catalog path -------------------------------------------------------------------------
    @required
    def map_catalog(self, channel, sim):
        """Run the catalog flows this marketplace needs (tree, attributes, brands…) and make the
        mappings an operator would; return the local Category that maps to a leaf."""
        raise NotImplementedError

    @required
    def add_product(self, lists, category, sku: str):
        """A local Product in ``category`` that previews valid for this marketplace (price,
        stock and catalog membership included)."""
        raise NotImplementedError

    @required
    def approve(self, sim, product) -> None:
        """The marketplace approves ``product`` (created and waiting) now or within a second."""
        raise NotImplementedError

    @required
    def reject(self, sim, product, reason: str) -> None:
        """The marketplace will reject ``product`` with ``reason`` when it reviews it (called
        before the product is created)."""
        raise NotImplementedError

    @required
    def product_state(self, sim, product) -> dict[str, Any] | None:
        """The marketplace's record of ``product`` (None when it has none)."""
        raise NotImplementedError

    @required
    def off_sale(self, sim, product) -> bool:
        """True when ``product`` can no longer be bought there (deleted, archived or stock 0)."""
        raise NotImplementedError

    # --- orders -----------------------------------------------------------------------------------
    @required
    def place_order(self, sim, lines: list[tuple[str, int]], *, shopper: int = 0) -> PlacedOrder:
        """A paid order of ``lines`` ((sku, quantity), skus listed with :meth:`list_products`),
        placed so that the next ``get_orders`` run reads it (mind the marketplace's windows)."""
        raise NotImplementedError

    @required
    def remote_status(self, sim, order) -> str:
        """The package's status there as the marketplace names it, lower-cased ("intransit", "invoiced"…)."""
        raise NotImplementedError

    @required
    def remote_tracking(self, sim, order) -> str:
        """The tracking number the marketplace holds for the package ("" when none)."""
        raise NotImplementedError

    @required
    def cancelled_skus(self, sim, order) -> set[str]:
        """Skus of ``order`` the marketplace shows cancelled (by us or the customer)."""
        raise NotImplementedError

    @required
    def customer_cancels(self, sim, order, sku: str) -> None:
        """The customer cancels the line of ``sku`` (all its units) on the marketplace, and only
        that line, so that the next ``get_cancel_orders`` run reads it."""
        raise NotImplementedError

    @required
    def deliver(self, sim, channel, order) -> None:
        """The package reaches the customer on the marketplace (its carrier's scans), and the
        local order learns it; a claim can be opened afterwards."""
        raise NotImplementedError

    @required
    def open_claim(self, sim, order, sku: str) -> str:
        """The customer returns one unit of ``sku``: a claim waiting for the seller's decision,
        placed so that the next ``get_refund_orders`` run reads it; returns its id."""
        raise NotImplementedError

    @required
    def claim_outcome(self, sim, claim_id: str) -> str:
        """"approved", "rejected" (or disputed after a rejection), or "open"."""
        raise NotImplementedError

    # --- faults -----------------------------------------------------------------------------------
    def inject_fault(self, sim, mode: str, *, path: str | None, count: int) -> None:
        """The next ``count`` requests whose path matches ``path`` (None: any) fail with ``mode``
        (one of :data:`FAULT_MODES`; "timeout" answers late, after the client gave up, without
        acting). The default uses the simulators' common ``fault`` option."""
        sim.configure(fault={"mode": mode, "count": count, "path": path})

    def clear_fault(self, sim) -> None:
        sim.configure(fault=None)

    def fault_left(self, sim) -> bool:
        """True while an injected fault has not been used up by matching requests."""
        return bool(sim.options.get("fault"))

    def small_pages(self, monkeypatch) -> None:
        """Make order listings page after two records (the adapter's page size), so that one
        ``get_orders`` run reads several pages and a fault can land between them. Default: none."""

    def order_catch_up(self, monkeypatch):
        """A context in which order flows see everything a failed run left on the marketplace
        (e.g. a later clock, for windows that end before the current minute). Default: none."""
        return contextlib.nullcontext()


# --- helpers drivers share ----------------------------------------------------------------------
def applied_values(rows, kind: str) -> list[Any]:
    """The values of ``kind`` in a simulator's history rows (``{"kind", "value"}``), in order;
    prices as Decimal with two places (what :meth:`Driver.history` returns)."""
    values = [row["value"] for row in rows if row["kind"] == kind]
    return [Decimal(str(v)).quantize(Decimal("0.01")) for v in values] if kind == "price" else values


def two_places(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def map_dress(channel, read_flows: tuple[str, ...], remote_id: str, attributes) -> Any:
    """Run ``read_flows`` (the category tree, attributes…), map a new local "elbise" category to
    the leaf ``remote_id`` and make the global ``attributes`` mappings ((attribute, source type,
    source)); the local Category."""
    from mpdash.catalog.models import Category
    from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
    from mpdash.channels.models_remote import RemoteCategory

    from .conftest import run

    for flow in read_flows:
        result = run(channel, flow)
        assert result.status == "success", (flow, result.message)
    local = Category.objects.create(code="elbise", name="Elbise")
    CategoryMapping.objects.create(channel=channel, local_category=local,
                                   remote_category=RemoteCategory.objects.get(channel=channel, remote_id=remote_id))
    for attribute, kind, source in attributes:
        AttributeMapping.objects.create(channel=channel, attribute=attribute, source_type=kind, source=source)
    return local


class MissingDriver(LookupError):
    pass


def driver_module_name(marketplace: str) -> str:
    return f"{__package__}.drivers.{marketplace}"


def driver_class(marketplace: str) -> type[Driver]:
    """The Driver subclass in ``tests/contract/drivers/<marketplace>.py``; MissingDriver says what to add."""
    module_name = driver_module_name(marketplace)
    path = f"tests/contract/drivers/{marketplace}.py"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise MissingDriver(
            f"marketplace {marketplace!r} is registered in mpdash.marketplaces.registry but has no contract driver: "
            f"add {path} with one subclass of tests.contract.driver.Driver (name = {marketplace!r}); "
            "see tests/contract/driver.py for the protocol"
        ) from None
    found = [c for _, c in inspect.getmembers(module, inspect.isclass)
             if issubclass(c, Driver) and c is not Driver and c.__module__ == module.__name__]
    if len(found) != 1:
        raise MissingDriver(f"{path} must define exactly one subclass of Driver; it defines {len(found)}")
    cls = found[0]
    if cls.name != marketplace:
        raise MissingDriver(f"{path}: {cls.__name__}.name is {cls.name!r}; it must be the registry name {marketplace!r}")
    return cls


def missing_methods(cls: type[Driver]) -> dict[str, list[str]]:
    """step -> protocol methods the driver neither implements nor excuses (step in ``unsupported``)."""
    out: dict[str, list[str]] = {}
    for step, methods in STEPS.items():
        if step in cls.unsupported:
            continue
        absent = [m for m in methods if getattr(getattr(cls, m), "required", False)]
        if absent:
            out[step] = absent
    return out

