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


class MarketplaceAdapter:
    """Base class of a marketplace's adapter. Subclasses set the class attributes."""

    name: ClassVar[str]
    label: ClassVar[str]
    flows: ClassVar[tuple[FlowSpec, ...]]
    schema: ClassVar[tuple[SchemaField, ...]]
    # Most records one request may carry, per record kind (the marketplace's real limit).
    batch_sizes: ClassVar[dict[str, int]]

    def __init__(self, config: dict[str, Any], *, transport=None, timeout: float | None = None):
        self.config = config
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

    def list_listings(self):  # -> Iterator[Listing]
        raise NotImplementedError

    def close(self) -> None:
        pass
