"""What every marketplace package supplies, and the records flows exchange with it.

A marketplace package (``mpdash/marketplaces/<name>/``) holds the same files in every
folder: ``client.py`` (HTTP calls, built on :class:`~mpdash.marketplaces.http.BaseClient`),
``adapter.py`` (a :class:`MarketplaceAdapter` subclass that turns our records into the
marketplace's payloads and back), ``config.py`` (schema, defaults and flows, as data),
``simulator.py`` (a local HTTP server speaking the marketplace's API). Flows in
:mod:`mpdash.integration` are generic: they select records, call the adapter, and
record outcomes; an adapter supplies only what differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from .renamed_keys import current_config

DATA_TYPES = ("list", "text", "integer", "bool", "json")


@dataclass(frozen=True)
class SchemaField:
    """One key of a channel's config, as shown on the settings form."""

    key: str
    label: str
    data_type: str
    required: bool = False
    secret: bool = False
    default: Any = None
    help: str = ""

    def as_schema_entry(self) -> dict[str, Any]:
        entry = {"key": self.key, "label": self.label, "required": self.required, "data_type": self.data_type}
        if self.secret:
            entry["secret"] = True
        return entry


@dataclass(frozen=True)
class FlowSpec:
    """One job of a channel.

    ``name`` is the generic flow the engine knows (``stock``, ``price``, ``get_orders``…);
    ``flag`` is the marketplace's own feature-flag name for it. ``kind`` is the
    record kind an outbound sync flow carries (``productstock``, ``productprice``).
    """

    name: str
    flag: str
    label: str
    direction: str  # "out", "in" or "maintenance"
    every_seconds: int | None = None
    crontab: str | None = None  # "minute hour day_of_month month day_of_week"
    kind: str | None = None

    @property
    def schedule_text(self) -> str:
        if self.crontab:
            return f"cron {self.crontab}"
        if self.every_seconds:
            if self.every_seconds % 60 == 0:
                return f"every {self.every_seconds // 60} min"
            return f"every {self.every_seconds} s"
        return "on trigger"


@dataclass
class StockRecord:
    sku: str
    quantity: int
    extra: dict[str, Any] = field(default_factory=dict)
    remote_sku: str | None = None


@dataclass
class PriceRecord:
    sku: str
    price: Decimal
    list_price: Decimal | None = None
    currency: str = "TRY"
    tax_rate: Decimal | None = None
    remote_sku: str | None = None


@dataclass
class ItemResult:
    sku: str
    ok: bool
    message: str = ""
    answer: Any = None
    # Product requests only: where the product stands after this result (one of
    # PRODUCT_STATES) and the marketplace's own id for it when it gave one.
    state: str = ""
    remote_sku: str | None = None


@dataclass
class Submission:
    """What an adapter sent in one request.

    ``remote_id`` is set when the marketplace processes the request later (its batch
    or upload id); ``results`` is set when it answered per item right away.
    ``sent`` holds, per sku, the values as sent (after buffer stock and the like).
    """

    remote_id: str | None
    sent: dict[str, dict[str, Any]]
    results: list[ItemResult] | None = None
    exchange: dict[str, Any] | None = None


@dataclass
class BatchStatus:
    """The marketplace's answer about an asynchronous request."""

    done: bool
    results: list[ItemResult] = field(default_factory=list)
    exchange: dict[str, Any] | None = None
    failed_whole: str = ""  # set when the whole request failed (no per-item results)


@dataclass
class Listing:
    """What the marketplace reports as on sale for one sku."""

    sku: str
    remote_sku: str | None
    price: Decimal | None
    stock: int | None
    on_sale: bool


# --- catalog side ---------------------------------------------------------------------
ON_SALE = "on_sale"
PENDING_APPROVAL = "pending_approval"
REJECTED = "rejected"
NOT_FOUND = "not_found"
PRODUCT_STATES = (ON_SALE, PENDING_APPROVAL, REJECTED, NOT_FOUND)


@dataclass
class RemoteCategory:
    """One node of a marketplace's category tree."""

    remote_id: str
    name: str
    parent_id: str | None
    is_leaf: bool
    # False when the marketplace says products cannot be listed under it (inactive or
    # not available), even if it is a leaf.
    available: bool = True


@dataclass
class AttributeValue:
    remote_id: str
    name: str


@dataclass
class RemoteAttribute:
    """One attribute a marketplace category asks for.

    ``data_type``: ``enum`` (pick from ``values``), ``text``, ``number`` or ``bool``.
    ``values`` holds every allowed value (the adapter pages through them).
    """

    remote_id: str
    name: str
    required: bool = False
    variant: bool = False  # varies within one product group (size)
    slicer: bool = False  # splits the group into separate product cards (colour)
    allow_custom: bool = False
    multi_value: bool = False
    data_type: str = "enum"
    values: list[AttributeValue] = field(default_factory=list)


@dataclass(frozen=True)
class DefaultAttribute:
    """A field every product needs on a marketplace, whatever its category.

    The Mapper fills these like category attributes. ``source`` names the product field
    that fills it when the operator maps nothing (``name``, ``description``, ``sku``,
    ``base_code``, ``images``, ``price``, ``list_price``, ``stock``, ``tax_rate``,
    ``attributes.<key>``) or is empty when the operator must map it.
    """

    key: str
    label: str
    required: bool = True
    data_type: str = "text"  # text | number | list | bool
    source: str = ""


@dataclass
class Brand:
    remote_id: str
    name: str


@dataclass
class AttributeChoice:
    """A category attribute resolved by the Mapper for one product.

    Exactly one of ``value_ids`` (allowed value ids; several only for multi-value
    attributes) and ``custom_value`` (free text, where the marketplace allows it) is set.
    """

    attribute_id: str
    attribute_name: str
    value_ids: list[str] = field(default_factory=list)
    value_names: list[str] = field(default_factory=list)
    custom_value: str | None = None


@dataclass
class ProductRecord:
    """One product resolved by the Mapper, ready for an adapter to turn into a payload.

    ``fields`` holds the default attributes by key (see ``DefaultAttribute``), with
    images as a list of URLs and amounts as ``Decimal``; ``attributes`` the category
    attributes. ``remote_sku`` is set once the marketplace has given its own id.
    """

    sku: str
    category_id: str
    fields: dict[str, Any]
    attributes: list[AttributeChoice] = field(default_factory=list)
    remote_sku: str | None = None


@dataclass
class ProductStatus:
    """Where one product stands on the marketplace (see PRODUCT_STATES)."""

    sku: str
    state: str
    reasons: list[str] = field(default_factory=list)
    remote_sku: str | None = None


# --- order side --------------------------------------------------------------------------
@dataclass
class RemoteAddress:
    """An address as the marketplace gives it; the flows map names to local ids."""

    first_name: str = ""
    last_name: str = ""
    line: str = ""
    city: str = ""
    township: str = ""  # ilçe
    district: str = ""  # mahalle / semt
    neighbourhood: str = ""
    postcode: str = ""
    region: str = ""  # state, province or region abroad (a US state); Türkiye has none
    country: str = "TR"
    phone: str = ""
    email: str = ""
    company: str = ""
    tax_office: str = ""
    tax_number: str = ""
    identity_number: str = ""


@dataclass
class RemoteOrderLine:
    line_id: str  # the marketplace's line id (used for status updates and cancellations)
    sku: str  # our sku (merchantSku / stockCode)
    quantity: int
    price: Decimal  # unit price paid, after discounts
    list_price: Decimal | None = None
    discount: Decimal = Decimal("0")
    remote_sku: str | None = None
    name: str = ""
    status: str = ""  # the marketplace's own status text
    tax_rate: Decimal | None = None


@dataclass
class RemoteOrder:
    """One marketplace package (the unit an order is created locally from).

    ``package_id`` is unique on the marketplace and is what makes ingestion
    exactly-once; ``order_number`` groups packages of one purchase.
    """

    package_id: str
    order_number: str
    status: str  # normalised: created | picking | invoiced | shipped | delivered | cancelled | returned | unpacked
    placed_at: Any  # datetime (aware)
    modified_at: Any  # datetime (aware); the cursor of get_orders / get_updated_orders
    currency: str = "TRY"
    amount: Decimal = Decimal("0")
    discount: Decimal = Decimal("0")
    shipping_amount: Decimal = Decimal("0")
    lines: list[RemoteOrderLine] = field(default_factory=list)
    customer_name: str = ""
    customer_email: str = ""
    customer_phone: str = ""
    customer_id: str = ""
    shipping_address: RemoteAddress | None = None
    billing_address: RemoteAddress | None = None
    cargo_company: str = ""  # the marketplace's carrier name or code
    cargo_company_id: int | None = None  # our shipping company when the channel config fixes it (no mapping)
    tracking_number: str = ""
    tracking_url: str = ""
    label_url: str = ""
    micro_export: bool = False
    raw: dict[str, Any] = field(default_factory=dict)  # the marketplace's own record (stored in extra_field)


@dataclass
class RemoteCancellation:
    package_id: str
    order_number: str
    line_ids: list[str]  # empty: the whole package
    reason_code: str = ""
    reason_text: str = ""
    cancelled_at: Any = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class RemoteClaimLine:
    claim_line_id: str
    line_id: str
    sku: str
    quantity: int
    reason_code: str = ""
    reason_text: str = ""
    customer_note: str = ""


@dataclass
class RemoteClaim:
    """A return (refund) request opened by a customer on the marketplace."""

    claim_id: str
    package_id: str
    order_number: str
    status: str  # normalised: waiting_action | accepted | rejected | in_dispute | cancelled
    created_at: Any
    modified_at: Any
    lines: list[RemoteClaimLine] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Page:
    """One page of a listing; ``next_token`` is None on the last page."""

    items: list
    next_token: Any = None


@dataclass
class OrderUpdate:
    """What our side tells the marketplace about one package."""

    package_id: str
    status: str  # picking | invoiced | shipped | delivered
    line_ids: list[tuple[str, int]] = field(default_factory=list)  # (line id, quantity)
    invoice_number: str = ""
    invoice_date: Any = None
    invoice_link: str = ""
    cargo_company: str = ""  # the marketplace's carrier code (mapped by the flow)
    tracking_number: str = ""
    tracking_url: str = ""


class MarketplaceAdapter:
    """Base class of a marketplace's adapter. Subclasses set the class attributes."""

    name: ClassVar[str]
    label: ClassVar[str]
    flows: ClassVar[tuple[FlowSpec, ...]]
    schema: ClassVar[tuple[SchemaField, ...]]
    # Most records one request may carry, per record kind (the marketplace's real limit).
    batch_sizes: ClassVar[dict[str, int]]
    # Most requests of ``open_batch_kinds`` the marketplace lets one merchant have sent but not
    # finished at once (None: no such rule). The engine never has more in flight; changes
    # arriving meanwhile accumulate into the next full batch.
    max_open_batches: ClassVar[int | None] = None
    open_batch_kinds: ClassVar[tuple[str, ...]] = ("productstock", "productprice")
    # Feature flags a channel may have stored under an earlier name -> the current flag (several
    # old flags may become one: it is on when any of them was on).
    renamed_flags: ClassVar[dict[str, str]] = {}
    # A cancellation reason code the marketplace sends -> the marketplace's own config key that
    # holds our reason id for it (read before ``cancellation_reason_mapping``).
    cancellation_reason_keys: ClassVar[dict[str, str]] = {}
    # Inbound flow -> hours each run reads back at least (the seed's window), instead of the flow's default.
    inbound_floor_hours: ClassVar[dict[str, float]] = {}
    # A new product exists on the marketplace (takes stock and price) only once the marketplace
    # approves it, not when it accepts the create: its stock and price wait for the approval.
    listed_on_approval: ClassVar[bool] = False

    def __init__(self, config: dict[str, Any], *, transport=None, timeout: float | None = None):
        self.config = current_config(config)  # keys saved under an old name read under the current one
        self.transport = transport
        self.timeout = timeout

    # --- declared data ------------------------------------------------------------
    @classmethod
    def flow(cls, name: str) -> FlowSpec | None:
        return next((f for f in cls.flows if f.name == name), None)

    @classmethod
    def flow_by_flag(cls, flag: str) -> FlowSpec | None:
        return next((f for f in cls.flows if f.flag == flag), None)

    @classmethod
    def default_config(cls) -> dict[str, Any]:
        config = {f.key: f.default for f in cls.schema if f.default is not None}
        config["feature_flags"] = {f.flag: False for f in cls.flows if f.flag}
        return config

    @classmethod
    def current_flags(cls, flags: dict[str, Any]) -> dict[str, Any]:
        """``flags`` with ``renamed_flags`` under their current name (a flag already stored under
        the current name keeps its value; otherwise on when any old flag was on)."""
        if not any(old in flags for old in cls.renamed_flags):
            return flags
        out = {k: v for k, v in flags.items() if k not in cls.renamed_flags}
        for old, new in cls.renamed_flags.items():
            if old in flags and new not in flags:
                out[new] = bool(out.get(new)) or bool(flags[old])
        return out

    @classmethod
    def default_schema(cls) -> dict[str, dict[str, Any]]:
        return {f.key: f.as_schema_entry() for f in cls.schema}

    @classmethod
    def batch_size(cls, kind: str) -> int:
        return cls.batch_sizes.get(kind, 100)

    # --- calls the flows make -------------------------------------------------------
    def send_stock(self, records: list[StockRecord]) -> Submission:
        raise NotImplementedError

    def send_prices(self, records: list[PriceRecord]) -> Submission:
        raise NotImplementedError

    def poll(self, kind: str, remote_id: str, skus: list[str] | None = None) -> BatchStatus:
        """``skus``: the records of the request, in the order sent (some marketplaces
        report only the rejected ones, by position)."""
        raise NotImplementedError

    def stock_to_send(self, quantity: int) -> int:
        """The stock figure the marketplace should show for a local quantity (after a buffer,
        a cap...); the reconciliation compares with it."""
        return max(0, int(quantity))

    def list_listings(self):  # -> Iterator[Listing]
        raise NotImplementedError

    # --- catalog side -------------------------------------------------------------------
    # Most products one create/update request may carry and the largest request body in
    # bytes; payload builders never exceed either.
    max_request_bytes: ClassVar[int] = 10 * 1024 * 1024
    max_images: ClassVar[int | None] = None
    # The default attribute holding a brand *id* (marketplaces with a brand list): the
    # Mapper turns a brand name into its id through the channel's fetched brands.
    brand_attribute: ClassVar[str] = ""

    @classmethod
    def default_attributes(cls) -> tuple[DefaultAttribute, ...]:
        """The fields every product needs here (remote id, title, barcode, brand, ...)."""
        return ()

    def fetch_categories(self, root_ids: list[str]):  # -> Iterator[RemoteCategory]
        """Every node under the given roots (all roots when empty), parents before children."""
        raise NotImplementedError

    def fetch_attributes(self, category_id: str) -> list[RemoteAttribute]:
        """The attributes of one leaf category, each with all its allowed values."""
        raise NotImplementedError

    def fetch_brands(self, name: str | None = None) -> list[Brand]:
        """Brands, or those matching ``name``; empty for marketplaces that take brand names."""
        return []

    def check_product(self, record: ProductRecord) -> list[str]:
        """Problems the marketplace would reject the product for, found before sending
        (too many images, list price below price, ...); empty when none."""
        return []

    def preview_problems(self, record: ProductRecord) -> list[str]:
        """For the payload preview only: what the marketplace itself says of the payload, asked
        without saving it (a validation preview); empty where it cannot be asked."""
        return []

    def build_product_payload(self, record: ProductRecord, *, update: bool = False) -> dict[str, Any]:
        """The exact item this adapter would send for ``record`` (used by previews)."""
        raise NotImplementedError

    def send_products(self, records: list[ProductRecord], *, update: bool = False) -> Submission:
        """One create (or update) request; results arrive by ``poll("product", ...)``,
        each ``ItemResult`` with ``state`` set."""
        raise NotImplementedError

    def product_statuses(self, skus: list[str]) -> dict[str, ProductStatus]:
        """Approval state of products already sent (skus the marketplace does not know
        map to ``NOT_FOUND``)."""
        raise NotImplementedError

    def clashing_seller_code(self, reasons: list[str]) -> str | None:
        """The marketplace's seller code named by a refusal saying it lists the product (its
        barcode) under that other code, read from a product's reasons; None for other refusals."""
        return None

    def delete_seller_code(self, code: str) -> ItemResult:
        """Delete the marketplace's product held under our seller ``code``, so that the product
        can be created again under the code it has now."""
        raise NotImplementedError

    def delete_products(self, records: list[StockRecord]) -> Submission:
        """Take products off sale (stock 0, and archive where the marketplace allows);
        results by ``poll("product_delete", ...)``."""
        raise NotImplementedError

    # --- order side -----------------------------------------------------------------------
    # Listing calls take an aware datetime window and a page token (None for the first
    # page) and return one Page; the flow pages, keeps the cursor and stores results
    # idempotently. Windows longer than ``max_order_window`` are split by the flow.
    max_order_window_hours: ClassVar[float] = 24 * 14

    def list_orders(self, start, end, token=None) -> Page:
        """Packages created or changed in [start, end) (paid, ready to be prepared)."""
        raise NotImplementedError

    def list_updated_orders(self, start, end, token=None) -> Page:
        """Packages shipped, delivered (or undelivered) in the window, with tracking."""
        raise NotImplementedError

    def list_cancellations(self, start, end, token=None) -> Page:
        """Packages or lines cancelled on the marketplace in the window (RemoteCancellation)."""
        raise NotImplementedError

    def list_claims(self, start, end, token=None) -> Page:
        """Return claims opened or changed in the window (RemoteClaim)."""
        raise NotImplementedError

    def list_cancel_requests(self, start, end, token=None) -> Page:
        """Customers' requests to cancel lines the seller has accepted, waiting for the seller's
        answer (RemoteClaim, status ``waiting_action``), where the marketplace has them."""
        raise NotImplementedError

    def list_unpacked(self, start, end, token=None) -> Page:
        """Packages the marketplace unpacked in the window (RemoteCancellation), where it unpacks them."""
        raise NotImplementedError

    def prepare_packages(self, orders: list[RemoteOrder]) -> list[RemoteOrder]:
        """Marketplaces where the seller creates packages from paid lines do it here
        (with automatic packing); the default returns the orders as they are."""
        return orders

    def send_order_update(self, update: OrderUpdate) -> ItemResult:
        """Tell the marketplace a package's new status, invoice and tracking; a status
        that needs intermediate steps (e.g. Picking before Invoiced) takes them."""
        raise NotImplementedError

    def cancel_lines(self, package_id: str, lines: list[tuple[str, int]], reason_id: str) -> ItemResult:
        """Cancel lines on the marketplace (cannot supply / merchant cancel)."""
        raise NotImplementedError

    def answer_cancel_request(self, request: RemoteClaim, approve: bool) -> ItemResult:
        """Approve a customer's cancellation request (the lines are cancelled there) or deny it
        (the adapter's own deny reason)."""
        raise NotImplementedError

    def approve_claim(self, claim: RemoteClaim, line_ids: list[str]) -> ItemResult:
        raise NotImplementedError

    def reject_claim(
        self, claim: RemoteClaim, line_ids: list[str], reason_id: str, description: str, images: list[bytes]
    ) -> ItemResult:
        raise NotImplementedError

    def split_package(self, package_id: str, groups: list[list[tuple[str, int]]]) -> ItemResult:
        """Split a package into several (line id, quantity) groups; new ids arrive later."""
        raise NotImplementedError

    def update_warehouse(self, package_id: str, erp_code: str) -> ItemResult:
        """Ship a package from the warehouse our ``erp_code`` names (mapped by the channel config)."""
        raise NotImplementedError

    def close(self) -> None:
        pass
