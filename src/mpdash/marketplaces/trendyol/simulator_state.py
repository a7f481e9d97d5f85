"""The in-memory marketplace behind the Trendyol simulator.

Holds the options, the seller's products, the accepted batch requests and the approval
queue, and (:class:`OrderBook`) the shipment packages, claims and the shopper. Work is done
lazily and in order: every request (and every inspection) first carries out what has fallen
due, in time order: batches in the order they were accepted, each ``processing_delay``
seconds after acceptance, and product approvals ``approval_delay`` seconds after a create or
update was processed; then the shopper's orders (``order_rate`` per second, each placed at
the instant it fell due) and the package events (Awaiting -> Created after
``awaiting_delay``, the new packages of unsupplied, cancelled or split ones after
``repack_delay``). Results carry the logical time they fell due, so nothing depends on how
often the simulator is asked.
Standard library only; every public method is thread-safe. The HTTP side lives in
:mod:`.simulator`.

Trendyol does not publish its failure texts; the ones here are ours, in Trendyol's
Turkish, and each names the field (``barcode``, ``listPrice``, ``attributeId``…) so that a
person can fix the product.
"""

from __future__ import annotations

import copy
import heapq
import json
import random
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..simulation import BASE_FAULT_MODES, FaultSlot, RateWindows, validate_fault
from .catalog_data import CatalogData, catalog
from .config import (
    BARCODE_MAX_LENGTH,
    CLAIM_ISSUE_DESCRIPTION_MAX,
    CLAIM_ISSUE_REASONS_WITHOUT_FILES,
    DESCRIPTION_MAX_LENGTH,
    DUPLICATE_MESSAGE,
    DUPLICATE_WINDOW_SECONDS,
    MAX_IMAGES,
    MAX_ITEMS_PER_REQUEST,
    MAX_RESULT_WINDOW,
    MAX_STOCK,
    ORDER_WINDOW_DAYS,
    RATE_LIMIT_CALLS,
    RATE_LIMIT_SECONDS,
    TITLE_MAX_LENGTH,
    UNSUPPLIED_REASONS,
    VAT_RATES,
)

FAULT_MODES = BASE_FAULT_MODES

CREATE = "ProductV2OnBoarding"
UPDATE = "ProductV2Update"
INVENTORY = "ProductInventoryUpdate"
ARCHIVE = "ProductArchiveUpdate"
DELETE = "ProductDeletion"
# guess: the batchRequestType Trendyol reports for content-bulk-update is not published.
CONTENT_UPDATE = "ProductV2ContentUpdate"
BATCH_TYPES = (CREATE, UPDATE, INVENTORY, ARCHIVE, DELETE, CONTENT_UPDATE)

DEFAULT_OPTIONS: dict[str, Any] = {
    "seller_id": "123456",
    "api_key": "demo-api-key",
    "api_secret": "demo-api-secret",
    "processing_delay": 1.0,  # seconds between accepting a batch and processing it
    "approval_delay": 2.0,  # seconds between a processed create/update and Trendyol's approval
    "latency": 0.0,  # seconds added to every API answer
    "rate_limit": RATE_LIMIT_CALLS,  # requests per window per seller and service group; 0/None = off
    "rate_window": float(RATE_LIMIT_SECONDS),
    "max_items_per_request": MAX_ITEMS_PER_REQUEST,
    "max_images": MAX_IMAGES,
    # Largest request body. Trendyol documents none; 10 MiB is our guess (a gateway-style 413).
    "max_body_bytes": 10 * 1024 * 1024,
    "duplicate_window": float(DUPLICATE_WINDOW_SECONDS),  # 0 switches the 15-minute rule off
    "batch_retention": 4 * 3600.0,  # Trendyol keeps batch results for 4 hours
    "archive_min_age": 24 * 3600.0,  # approved products can be deleted after a day in the archive
    "fault": None,
    "timeout_sleep": 30.0,  # how long the "timeout" fault holds an answer
    # --- order side
    "order_rate": 0.0,  # orders per second the shopper places (from approved, in-stock products); 0 = off
    "awaiting_delay": 0.0,  # seconds a new package stays Awaiting before it becomes Created; 0 = Created at once
    "repack_delay": 1.0,  # seconds until the new package(s) of an unsupplied, cancelled or split package appear
    "shopper_seed": 7,  # seed of the made-up customers, addresses and the shopper's choices
    "max_result_window": MAX_RESULT_WINDOW,  # records one package/claim query reaches (page * size below it)
    # guess: the longest startDate-endDate span of getShipmentPackages (the stream API's 14 days); 0 = off
    "max_order_window_days": float(ORDER_WINDOW_DAYS),
}

_CREDENTIALS = ("seller_id", "api_key", "api_secret")
_SECONDS = ("processing_delay", "approval_delay", "latency", "timeout_sleep", "duplicate_window", "batch_retention",
            "archive_min_age", "order_rate", "awaiting_delay", "repack_delay", "max_order_window_days")
_BARCODE_RE = re.compile(r"^[0-9A-Za-zÇĞİÖŞÜçğıöşü._-]+$")
_STOCK_FIELDS = ("quantity", "salePrice", "listPrice")
_HISTORY_NAMES = {"quantity": "stock", "salePrice": "price", "listPrice": "list_price"}
# Fields a create item must carry (the v2 OpenAPI ``required`` list).
_REQUIRED_CREATE = ("barcode", "title", "productMainId", "brandId", "categoryId", "quantity", "stockCode",
                    "dimensionalWeight", "description", "listPrice", "salePrice", "vatRate", "images")
# Fields unapproved-bulk-update may change (everything but the barcode).
_UPDATABLE = ("title", "description", "productMainId", "brandId", "categoryId", "stockCode", "origin",
              "dimensionalWeight", "vatRate", "deliveryOption", "deliveryDuration", "lotNumber", "cargoProviders",
              "shipmentAddressId", "returningAddressId", "images", "attributes")
# Fields content-bulk-update changes on an approved product (partial: only those sent; the
# attributes, when sent, replace the whole list). Trendyol: "barcode, productMainId, brandId,
# categoryId and slicer/varianter attribute values cannot be updated" on approved products.
_CONTENT_UPDATABLE = ("title", "description", "images", "attributes")
_CONTENT_FIXED = ("barcode", "productMainId", "brandId", "categoryId")
# guess: fields of other services (stock/price, variant, delivery) are refused per item rather
# than ignored, so that a client sending them notices.
_CONTENT_FOREIGN = ("quantity", "salePrice", "listPrice", "stockCode", "vatRate", "dimensionalWeight",
                    "currencyType", "cargoCompanyId", "deliveryOption", "deliveryDuration", "shipmentAddressId",
                    "returningAddressId", "origin", "lotNumber")
_PUBLIC_HIDDEN = ("_internal",)  # simulator bookkeeping kept inside a product


def now_ms() -> int:
    return int(time.time() * 1000)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def validate_options(changes: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise option changes; raise ValueError naming the bad option."""
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in DEFAULT_OPTIONS:
            raise ValueError(f"unknown simulator option {key!r}; known: {', '.join(sorted(DEFAULT_OPTIONS))}")
        try:
            if key in _CREDENTIALS:
                if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value):
                    raise ValueError("must be a non-empty string")
                value = str(value)
                if key == "seller_id" and not value.isdigit():
                    raise ValueError("must be digits (Trendyol seller ids are numbers)")
            elif key in _SECONDS:
                value = float(value)
                if value < 0:
                    raise ValueError("must be >= 0")
            elif key == "rate_window":
                value = float(value)
                if value <= 0:
                    raise ValueError("must be > 0")
            elif key == "rate_limit":
                value = None if value in (None, 0) else int(value)
                if value is not None and value < 0:
                    raise ValueError("must be >= 0")
            elif key == "shopper_seed":
                if not _is_int(value):
                    raise ValueError("must be a whole number")
            elif key in ("max_items_per_request", "max_images", "max_body_bytes", "max_result_window"):
                value = int(value)
                if value < 1:
                    raise ValueError("must be >= 1")
            elif key == "fault":
                value = validate_fault(value, FAULT_MODES)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"simulator option {key}: {exc}") from None
        clean[key] = value
    return clean


class Refused(Exception):
    """A request refused as a whole: HTTP status, Trendyol-style error key and message."""

    def __init__(self, status: int, key: str, message: str):
        super().__init__(message)
        self.status, self.key, self.message = status, key, message


@dataclass
class Batch:
    """One accepted batch request and what became of it."""

    id: str
    type: str
    seller_id: str
    items: list[dict[str, Any]]
    accepted_at: float  # epoch seconds
    due: float  # monotonic seconds at which it is processed
    accepted_mono: float
    results: list[dict[str, Any]] | None = None
    processed_at: float | None = None  # epoch seconds (logical: when it fell due)

    @property
    def processed(self) -> bool:
        return self.results is not None

    def answer(self) -> dict[str, Any]:
        """``GET …/batch-requests/{id}``, shaped like Trendyol's."""
        created = int(self.accepted_at * 1000)
        if self.results is None:
            items = []
            if self.type == INVENTORY:
                # No batch status for stock/price batches (documented); while they wait their
                # items say IN_PROGRESS (Trendyol uses that item status elsewhere; a guess here).
                items = [{"requestItem": _inventory_echo(i, self.accepted_at), "status": "IN_PROGRESS",
                          "failureReasons": []} for i in self.items]
            failed = 0
        else:
            items = copy.deepcopy(self.results)
            failed = sum(1 for r in self.results if r["status"] != "SUCCESS")
        answer: dict[str, Any] = {"batchRequestId": self.id, "items": items}
        if self.type != INVENTORY:
            answer["status"] = "COMPLETED" if self.results is not None else "IN_PROGRESS"
        answer.update({
            "creationDate": created,
            "lastModification": int((self.processed_at or self.accepted_at) * 1000),
            "sourceType": "API",
            "itemCount": len(self.items),
            "failedItemCount": failed,
            "batchRequestType": self.type,
            "notes": None,
        })
        return answer


def _inventory_echo(item: dict[str, Any], accepted_at: float) -> dict[str, Any]:
    echo = {k: item[k] for k in ("barcode", *_STOCK_FIELDS) if k in item}
    echo["updateRequestDate"] = _iso(accepted_at)
    return echo


@dataclass
class _Meta:
    """What the simulator knows about a product beyond what Trendyol shows."""

    approval_token: int = 0  # the approval event in force (older queued events are stale)
    archived_at: float | None = None


@dataclass(order=True)
class _Approval:
    due: float
    seq: int
    barcode: str = field(compare=False)
    token: int = field(compare=False)
    batch_id: str = field(compare=False)


# --- order side: packages, claims, the shopper ------------------------------------------------
# Deterministic Turkish customers: names and real city / ilçe (district) / mahalle triples.
FIRST_NAMES = ("Ayşe", "Mehmet", "Zeynep", "Mustafa", "Elif", "Ahmet", "Fatma", "Emre", "Selin", "Burak", "Merve",
               "Can", "Ece", "Oğuz", "Deniz", "Hülya", "İbrahim", "Gül", "Kerem", "Şule", "Çağla", "Ömer")
LAST_NAMES = ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
              "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek")
# (city, plate code, district (ilçe), neighbourhoods (mahalle), postcode)
PLACES = (
    ("İstanbul", 34, "Kadıköy", ("Caferağa Mah.", "Moda Mah.", "Fenerbahçe Mah."), "34710"),
    ("İstanbul", 34, "Beşiktaş", ("Sinanpaşa Mah.", "Levent Mah."), "34330"),
    ("İstanbul", 34, "Üsküdar", ("Altunizade Mah.", "Kuzguncuk Mah."), "34662"),
    ("İstanbul", 34, "Şişli", ("Kuştepe Mah.", "Mecidiyeköy Mah."), "34387"),
    ("Ankara", 6, "Çankaya", ("Kızılay Mah.", "Bahçelievler Mah."), "06420"),
    ("Ankara", 6, "Keçiören", ("Etlik Mah.",), "06010"),
    ("İzmir", 35, "Karşıyaka", ("Bostanlı Mah.", "Mavişehir Mah."), "35590"),
    ("İzmir", 35, "Bornova", ("Kazımdirik Mah.",), "35100"),
    ("Bursa", 16, "Nilüfer", ("Görükle Mah.",), "16285"),
    ("Antalya", 7, "Muratpaşa", ("Meltem Mah.",), "07030"),
    ("Eskişehir", 26, "Tepebaşı", ("Hoşnudiye Mah.",), "26130"),
    ("Adana", 1, "Seyhan", ("Reşatbey Mah.",), "01120"),
    ("Konya", 42, "Selçuklu", ("Bosna Hersek Mah.",), "42060"),
    ("Trabzon", 61, "Ortahisar", ("Kemerkaya Mah.",), "61030"),
)
STREETS = ("Atatürk Cad.", "Cumhuriyet Cad.", "İstiklal Sok.", "Gül Sok.", "Bahar Sok.", "Menekşe Sok.", "Lale Sok.")
CARGO_PROVIDERS = ("Trendyol Express Marketplace", "Yurtiçi Kargo Marketplace", "Aras Kargo Marketplace")
# Customer return reasons (Trendyol's published table, a selection).
CUSTOMER_CLAIM_REASONS = {251: "Modelini beğenmedim", 301: "Kusurlu ürün gönderildi", 351: "Yanlış ürün gönderildi",
                          401: "Vazgeçtim", 451: "Diğer", 501: "Bedeni küçük geldi", 551: "Bedeni büyük geldi",
                          651: "Ürün belirtilen özelliklere sahip değil", 1651: "Kalitesini beğenmedim"}
# guess: the ids and names of getClaimIssueReasons (only 451, 1651 and 2101, the reasons that need
# no file, are named in Trendyol's documentation).
CLAIM_ISSUE_REASONS = (
    (1, "İade edilen ürün kullanılmış"),
    (51, "İade edilen ürün hasarlı / kırık geldi"),
    (101, "İade edilen ürün eksik parça / aksesuar ile geldi"),
    (151, "Farklı ürün iade edildi"),
    (201, "Hijyenik ürünün ambalajı açılmış"),
    (451, "İade paketi boş geldi"),
    (1651, "İade paketi bana ulaşmadı"),
    (2101, "Diğer"),
)
# Moves the carrier makes (simulator control and the stage test service): Trendyol's stage
# service says statuses only go forward ("Delivered" never back to "Shipped").
CARRIER_MOVES = {
    "Shipped": ("Picking", "Invoiced"),
    "AtCollectionPoint": ("Shipped",),
    "Delivered": ("Shipped", "AtCollectionPoint", "UnDelivered"),
    "UnDelivered": ("Shipped", "AtCollectionPoint"),
    "Returned": ("UnDelivered",),
}
CANCELLABLE = ("Awaiting", "Created", "Picking", "Invoiced")
UNSUPPLIABLE = ("Created", "Picking", "Invoiced")
SPLITTABLE = ("Created", "Picking")  # guess: Trendyol documents splitting of packages not yet shipped
TRACKABLE = ("Created", "Picking", "Invoiced")  # update-tracking-number is refused once shipped or cancelled
ENDED = ("Cancelled", "UnSupplied", "UnPacked", "Repack")
# A line that left its package for a new one (unsupplied, cancelled or split) shows this status
# in the old package. guess: Trendyol's own line status for it is not documented.
MOVED_LINE = "Repack"
SHOPPER_BURST_MAX = 10_000  # orders the shopper places in one catch-up at most
_DAY_MS = 86_400_000


@dataclass(order=True)
class _OrderEvent:
    due: float  # monotonic
    seq: int
    kind: str = field(compare=False)
    data: dict[str, Any] = field(compare=False)


def _round(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01")))


def _line_amounts(line: dict[str, Any]) -> None:
    """Fill a line's unit amounts (new and old names) from its gross and discounts."""
    gross, seller, ty = line["lineGrossAmount"], line["lineSellerDiscount"], line["lineTyDiscount"]
    net = _round(gross - seller - ty)
    line.update({
        "lineTotalDiscount": _round(seller + ty), "lineUnitPrice": net,
        "amount": gross, "discount": _round(seller + ty), "tyDiscount": ty, "price": net,
        "vatBaseAmount": _round(net / (1 + (line.get("vatRate") or 0) / 100)),
        "discountDetails": [{"lineItemPrice": net, "lineItemSellerDiscount": seller, "lineItemTyDiscount": ty}
                            for _ in range(line["quantity"])],
    })


def _package_amounts(package: dict[str, Any]) -> None:
    gross = seller = ty = 0.0
    for line in package["lines"]:
        gross += line["lineGrossAmount"] * line["quantity"]
        seller += line["lineSellerDiscount"] * line["quantity"]
        ty += line["lineTyDiscount"] * line["quantity"]
    total_discount = seller + ty
    package.update({
        "packageGrossAmount": _round(gross), "packageSellerDiscount": _round(seller),
        "packageTyDiscount": _round(ty), "packageTotalDiscount": _round(total_discount),
        "packageTotalPrice": _round(gross - total_discount),
        "grossAmount": _round(gross), "totalDiscount": _round(total_discount), "totalTyDiscount": _round(ty),
        "totalPrice": _round(gross - total_discount),
    })


def _canonical(value: Any, names: tuple[str, ...], what: str) -> str:
    for name in names:
        if isinstance(value, str) and value.strip().lower() == name.lower():
            return name
    raise Refused(400, f"invalid.{what}", f"Geçersiz {what}: {value!r}; geçerli değerler: {', '.join(names)}")


class OrderBook:
    """The order side of :class:`SimulatorState`: shipment packages, claims and the shopper.

    Uses the state's lock, options, clock and products; every public method carries out what
    has fallen due first (``advance``) and raises :class:`Refused` like Trendyol would.
    """

    _lock: threading.RLock
    _options: dict[str, Any]
    _products: dict[str, dict[str, Any]]
    _by_stock_code: dict[str, list[str]]

    def _clear_orders(self) -> None:
        self._packages: dict[str, dict[str, Any]] = {}  # package id (text) -> package, Trendyol's shape
        self._package_meta: dict[str, dict[str, Any]] = {}
        self._packages_by_order: dict[str, list[str]] = {}
        self._tracking: dict[str, str] = {}  # cargo tracking number -> package id
        self._invoice_links: dict[str, str] = {}  # link -> package id
        self._claims: dict[str, dict[str, Any]] = {}
        self._claim_of_item: dict[str, str] = {}
        self._order_events: list[_OrderEvent] = []
        self._order_seq = 0
        self._next_package = 3_100_000_000
        self._next_order = 10_400_000_000
        self._next_line = 4_700_000_000
        self._next_line_item = 9_200_000_000
        self._next_tracking = 7_330_000_000_000
        self._rng = random.Random(self._options["shopper_seed"])
        self._shopper_mark: float | None = time.monotonic() if self._options["order_rate"] else None
        self.orders_total = 0
        self.shopper_orders = 0

    def _orders_configured(self, clean: dict[str, Any]) -> None:
        if "shopper_seed" in clean:
            self._rng = random.Random(clean["shopper_seed"])
        if "order_rate" in clean:
            self._shopper_mark = time.monotonic() if clean["order_rate"] else None

    # --- the clock ------------------------------------------------------------------------
    def _advance_orders(self, now: float) -> None:
        """The shopper's orders and the package events that have fallen due (lock held)."""
        self._shop(now)
        while self._order_events and self._order_events[0].due <= now:
            event = heapq.heappop(self._order_events)
            at = self._epoch_at(event.due)
            if event.kind == "release":
                package = self._packages.get(event.data["package"])
                if package is not None and package["status"] == "Awaiting":
                    self._set_status(package, "Created", at)
            elif event.kind == "repack":
                self._repack(event.data, at)

    def _schedule(self, kind: str, delay: float, data: dict[str, Any]) -> None:
        self._order_seq += 1
        heapq.heappush(self._order_events, _OrderEvent(time.monotonic() + delay, self._order_seq, kind, data))

    def pending_order_events(self) -> float | None:
        """The monotonic time the last scheduled package event falls due, or None."""
        with self._lock:
            return max((e.due for e in self._order_events), default=None)

    # --- the shopper ----------------------------------------------------------------------
    def _shop(self, now: float) -> None:
        rate = self._options["order_rate"]
        if not rate:
            self._shopper_mark = None
            return
        if self._shopper_mark is None:
            self._shopper_mark = now
            return
        due = int((now - self._shopper_mark) * rate)
        if due <= 0:
            return
        for number in range(min(due, SHOPPER_BURST_MAX)):
            self._shop_once(self._epoch_at(self._shopper_mark + (number + 1) / rate))
        self._shopper_mark += due / rate

    def _shop_once(self, at: float) -> None:
        buyable = [p for p in self._products.values() if p["onSale"] and p["quantity"] > 0]
        if not buyable:
            return
        chosen = self._rng.sample(buyable, self._rng.randint(1, min(3, len(buyable))))
        lines = [{"barcode": p["barcode"], "quantity": min(p["quantity"], self._rng.choice((1, 1, 1, 2)))}
                 for p in chosen]
        self._place({"lines": lines}, at=at)
        self.shopper_orders += 1

    # --- placing orders -------------------------------------------------------------------
    def place_orders(self, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Place orders: ``[{lines: [{barcode | stockCode, quantity, discountPercentage?,
        trendyolDiscountPercentage?, price?}], customer?, shippingAddress?, invoiceAddress?,
        orderDate? (epoch ms, to backdate), cargoProviderName?, micro?, commercial?}]``.
        Each order becomes one package; returns ``{orderNumber, packageId, status, lines}`` each."""
        if not isinstance(specs, list):
            raise Refused(400, "invalid.body", "orders must be a list of objects")
        self.advance()
        with self._lock:
            return [self._place(spec) for spec in specs]

    def _find_product(self, line: dict[str, Any]) -> dict[str, Any]:
        barcode, code = line.get("barcode"), line.get("stockCode") or line.get("merchantSku")
        product = None
        if barcode is not None:
            product = self._products.get(str(barcode))
        elif code is not None:
            owners = self._by_stock_code.get(str(code)) or []
            product = self._products.get(owners[0]) if owners else None
        if product is None:
            raise Refused(400, "product.not.found", f"Ürün bulunamadı (barcode: {barcode}, stockCode: {code})")
        if not product["approved"]:
            raise Refused(400, "product.not.approved", f"Onaylı olmayan ürün sipariş edilemez (barcode: {product['barcode']})")
        return product

    def _place(self, spec: dict[str, Any], at: float | None = None) -> dict[str, Any]:
        if not isinstance(spec, dict):
            raise Refused(400, "invalid.body", f"each order must be an object: {spec!r}")
        wanted = spec.get("lines")
        if not isinstance(wanted, list) or not wanted or not all(isinstance(line, dict) for line in wanted):
            raise Refused(400, "lines.required", 'Sipariş en az bir kalem içermelidir: "lines": [{"barcode", "quantity"}]')
        resolved = []
        for line in wanted:
            quantity = line.get("quantity", 1)
            if not _is_int(quantity) or quantity < 1:
                raise Refused(400, "invalid.quantity", f"quantity 1 veya daha büyük bir tam sayı olmalıdır: {quantity!r}")
            resolved.append((self._find_product(line), quantity, line))
        if at is None:
            order_date = spec.get("orderDate")
            if order_date is not None and not _is_int(order_date):
                raise Refused(400, "invalid.order.date", "orderDate epoch milisaniye olmalıdır")
            at = order_date / 1000 if order_date is not None else time.time()
        customer, shipping, invoice = self._people(spec)
        self._next_order += 1
        order_number = str(self._next_order)
        lines = [self._new_line(product, quantity, line) for product, quantity, line in resolved]
        for product, quantity, _ in resolved:
            product["quantity"] = max(0, product["quantity"] - quantity)  # Trendyol holds sold units back
            self._record(None, "ordered", product["barcode"], quantity, None, at)
        delay = self._options["awaiting_delay"]
        cargo = spec.get("cargoProviderName") or self._rng.choice(CARGO_PROVIDERS)
        package = self._new_package(order_number, at, "Awaiting" if delay else "Created", lines, {
            "customerFirstName": customer["firstName"], "customerLastName": customer["lastName"],
            "customerEmail": customer["email"], "customerId": customer["id"],
            "shipmentAddress": shipping, "invoiceAddress": invoice, "cargoProviderName": str(cargo),
            "micro": bool(spec.get("micro", False)), "commercial": bool(spec.get("commercial", False)),
        })
        if delay:
            self._schedule("release", delay, {"package": str(package["id"])})
        self.orders_total += 1
        return {"orderNumber": order_number, "packageId": package["id"], "status": package["status"],
                "lines": [{"lineId": line["lineId"], "barcode": line["barcode"], "quantity": line["quantity"]}
                          for line in lines]}

    def _people(self, spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The customer and the shipping and invoice addresses: given ones, or made up."""
        rng = self._rng
        given = spec.get("customer") or {}
        first = given.get("customerFirstName") or given.get("firstName") or rng.choice(FIRST_NAMES)
        last = given.get("customerLastName") or given.get("lastName") or rng.choice(LAST_NAMES)
        customer = {"firstName": first, "lastName": last, "id": given.get("customerId") or rng.randint(10**7, 10**8 - 1),
                    "email": given.get("email") or f"pf+{rng.getrandbits(40):010x}@trendyolmail.com"}
        city, plate, district, hoods, postcode = rng.choice(PLACES)
        hood = rng.choice(hoods)
        made_up = {"city": city, "cityCode": plate, "district": district, "neighborhood": hood, "postalCode": postcode,
                   "address1": f"{hood} {rng.choice(STREETS)} No:{rng.randint(1, 120)} D:{rng.randint(1, 24)}"}
        shipping = self._address(spec.get("shippingAddress") or spec.get("address"), made_up, first, last)
        invoice = self._address(spec.get("invoiceAddress"), shipping, first, last)
        invoice.setdefault("taxOffice", None)
        invoice.setdefault("taxNumber", None)
        return customer, shipping, invoice

    def _address(self, given: dict[str, Any] | None, fallback: dict[str, Any], first: str, last: str) -> dict[str, Any]:
        given = given if isinstance(given, dict) else {}
        pick = lambda *keys: next((given[k] for k in keys if given.get(k) not in (None, "")), None)  # noqa: E731
        first = pick("firstName", "invoiceFirstName", "shippingFirstName") or first
        last = pick("lastName", "invoiceLastName", "shippingLastName") or last
        line1 = pick("address1", "addressText") or fallback["address1"]
        city = pick("city") or fallback["city"]
        district = pick("district") or fallback["district"]
        hood = pick("neighborhood") or (fallback["neighborhood"] if not given else "")
        plate = next((code for name, code, *_ in PLACES if name == city), None)
        self._next_line_item += 1
        return {
            "id": self._next_line_item, "firstName": first, "lastName": last, "company": pick("company") or "",
            "address1": line1, "address2": pick("address2") or "", "city": city, "cityCode": plate,
            "district": district, "districtId": None, "neighborhood": hood,
            "postalCode": str(pick("postalCode") or fallback.get("postalCode") or ""), "countryCode": "TR",
            "fullName": f"{first} {last}", "fullAddress": f"{line1} {district}/{city}",
            "phone": pick("phone"), "taxOffice": pick("taxOffice"), "taxNumber": pick("taxNumber"),
        }

    def _new_line(self, product: dict[str, Any], quantity: int, wanted: dict[str, Any]) -> dict[str, Any]:
        self._next_line += 1
        price = wanted.get("price")
        gross = float(price) if _is_number(price) else float(product.get("salePrice") or 0)
        seller_pct = wanted.get("discountPercentage") or 0
        ty_pct = wanted.get("trendyolDiscountPercentage") or 0
        if not _is_number(seller_pct) or not _is_number(ty_pct) or not 0 <= seller_pct + ty_pct <= 100:
            raise Refused(400, "invalid.discount", "İndirim yüzdeleri 0 ile 100 arasında olmalıdır")
        line = {
            "lineId": self._next_line, "id": self._next_line, "quantity": quantity,
            "productName": product.get("title"), "productCode": product.get("productContentId"),
            "productId": product.get("productContentId"), "barcode": product["barcode"],
            "merchantSku": product.get("stockCode"), "stockCode": product.get("stockCode"),
            "sku": product["barcode"], "productColor": None, "productSize": None, "productOrigin": "TR",
            "merchantId": int(self._options["seller_id"]), "vatRate": product.get("vatRate") or 0,
            "currencyCode": "TRY", "salesCampaignId": 0, "orderLineItemStatusName": "Created",
            "lineGrossAmount": _round(gross), "lineSellerDiscount": _round(gross * seller_pct / 100),
            "lineTyDiscount": _round(gross * ty_pct / 100),
        }
        _line_amounts(line)
        return line

    def _new_package(self, order_number: str, at: float, status: str, lines: list[dict[str, Any]],
                     fields: dict[str, Any], *, order_date: int | None = None) -> dict[str, Any]:
        self._next_package += 1
        self._next_tracking += 1
        package_id, tracking, ms = self._next_package, self._next_tracking, int(at * 1000)
        package: dict[str, Any] = {
            "id": package_id, "shipmentPackageId": package_id, "orderNumber": order_number,
            "orderDate": order_date if order_date is not None else ms, "lastModifiedDate": ms,
            "status": status, "shipmentPackageStatus": status,
            "customerFirstName": None, "customerLastName": None, "customerEmail": None, "customerId": None,
            "tcIdentityNumber": "11111111111", "identityNumber": "11111111111", "taxNumber": None,
            "shipmentAddress": None, "invoiceAddress": None,
            "cargoProviderName": CARGO_PROVIDERS[0], "cargoTrackingNumber": tracking,
            # guess: the shape of Trendyol's tracking link
            "cargoTrackingLink": f"https://kargotakip.trendyol.com/?orderNumber={order_number}&trackingNumber={tracking}",
            "cargoSenderNumber": str(self._options["seller_id"]), "currencyCode": "TRY", "lines": lines,
            "packageHistories": [{"createdDate": ms, "status": status}],
            "deliveryType": "normal", "deliveryAddressType": "Shipment", "timeSlotId": 0,
            "agreedDeliveryDate": ms + 2 * _DAY_MS, "estimatedDeliveryStartDate": ms + 2 * _DAY_MS,
            "estimatedDeliveryEndDate": ms + 4 * _DAY_MS, "originShipmentDate": ms,
            "fastDelivery": False, "commercial": False, "micro": False, "giftBoxRequested": False,
            "3pByTrendyol": False, "containsDangerousProduct": False, "deliveredByService": False,
            "cargoDeci": max(1, sum(line["quantity"] for line in lines)), "isCod": False,
            "createdBy": "order-creation", "originPackageIds": None, "invoiceLink": None, "warehouseId": 1001,
        }
        package.update(fields)
        for line in lines:
            line["orderLineItemStatusName"] = status
        _package_amounts(package)
        key = str(package_id)
        self._packages[key] = package
        self._package_meta[key] = {"replaced_by": [], "invoice_number": None, "ended_lines": []}
        self._packages_by_order.setdefault(order_number, []).append(key)
        self._tracking[str(tracking)] = key
        return package

    # --- package changes --------------------------------------------------------------------
    @staticmethod
    def _touch(package: dict[str, Any], at: float) -> None:
        package["lastModifiedDate"] = max(package["lastModifiedDate"], int(at * 1000))

    def _set_status(self, package: dict[str, Any], status: str, at: float) -> None:
        package["status"] = package["shipmentPackageStatus"] = status
        for line in package["lines"]:
            if line["orderLineItemStatusName"] not in (*ENDED, MOVED_LINE):
                line["orderLineItemStatusName"] = status
        self._touch(package, at)
        package["packageHistories"].append({"createdDate": package["lastModifiedDate"], "status": status})

    def _package(self, package_id: Any) -> dict[str, Any]:
        package = self._packages.get(str(package_id).strip())
        if package is None:
            raise Refused(404, "shipment.package.not.found", f"Paket bulunamadı (shipmentPackageId: {package_id})")
        return package

    @staticmethod
    def _lines_of(package: dict[str, Any], wanted: Any, *, id_key: str = "lineId", quantity_key: str = "quantity"
                  ) -> list[tuple[dict[str, Any], int]]:
        """``[{lineId, quantity}]`` checked against the package: known lines, 1..quantity each."""
        if not isinstance(wanted, list) or not wanted:
            raise Refused(400, "lines.required", f'lines en az bir {{"{id_key}", "{quantity_key}"}} içermelidir')
        by_id = {str(line["lineId"]): line for line in package["lines"]}
        out, seen = [], set()
        for entry in wanted:
            if not isinstance(entry, dict):
                raise Refused(400, "invalid.line", f"Geçersiz kalem: {entry!r}")
            line_id = str(entry.get(id_key))
            line = by_id.get(line_id)
            if line is None:
                raise Refused(400, "line.not.found", f"Kalem bu pakette bulunamadı ({id_key}: {line_id})")
            if line_id in seen:
                raise Refused(400, "duplicate.line", f"Aynı kalem birden fazla gönderildi ({id_key}: {line_id})")
            seen.add(line_id)
            quantity = entry.get(quantity_key)
            if not _is_int(quantity) or not 1 <= quantity <= line["quantity"]:
                raise Refused(400, "invalid.quantity", f"{quantity_key} 1 ile {line['quantity']} arasında olmalıdır "
                                                       f"({id_key}: {line_id}, gönderilen: {quantity!r})")
            out.append((line, quantity))
        return out

    def update_package(self, package_id: str, body: Any) -> None:
        """``PUT …/shipment-packages/{id}``: Picking, then Invoiced (with params.invoiceNumber)."""
        self.advance()
        with self._lock:
            package = self._package(package_id)
            body = body if isinstance(body, dict) else {}
            status = body.get("status")
            if status not in ("Picking", "Invoiced"):
                raise Refused(400, "invalid.status", f"Geçersiz statü: {status!r}; satıcı yalnızca Picking veya Invoiced "
                                                     "gönderebilir")
            self._lines_of(package, body.get("lines"))
            current = package["status"]
            if current == "Awaiting":
                raise Refused(400, "package.awaiting", "Awaiting statüsündeki paketler işlenemez; paket Created "
                                                       "statüsüne geçene kadar bekleyin")
            if status == "Picking" and current != "Created":
                raise Refused(400, "invalid.status.transition",
                              f"Paket {current} statüsünde; Picking yalnızca Created statüsündeki paketlere gönderilebilir")
            if status == "Invoiced":
                if current == "Created":
                    raise Refused(400, "picking.required", "Invoiced statüsünden önce paket Picking statüsüne "
                                                           "çekilmelidir")
                if current != "Picking":
                    raise Refused(400, "invalid.status.transition",
                                  f"Paket {current} statüsünde; Invoiced yalnızca Picking statüsündeki paketlere gönderilebilir")
                params = body.get("params") if isinstance(body.get("params"), dict) else {}
                number = params.get("invoiceNumber")
                if _blank(number):
                    raise Refused(400, "invoice.number.required", "Invoiced statüsü için params.invoiceNumber zorunludur")
                self._package_meta[str(package["id"])]["invoice_number"] = str(number)
            self._set_status(package, status, time.time())

    def _end(self, package: dict[str, Any], status: str, removed: list[tuple[dict[str, Any], int]], at: float,
             **info: Any) -> None:
        """End a package (UnSupplied or Cancelled) for ``removed``; what is left goes into a new
        package of the same order after ``repack_delay``."""
        remaining = []
        for line in package["lines"]:
            gone = sum(quantity for removed_line, quantity in removed if removed_line is line)
            if line["quantity"] - gone > 0:
                remaining.append((line["lineId"], line["quantity"] - gone))
            line["orderLineItemStatusName"] = status if gone else MOVED_LINE
        meta = self._package_meta[str(package["id"])]
        meta["ended_lines"] = [{"lineId": line["lineId"], "quantity": quantity, **info} for line, quantity in removed]
        self._set_status(package, status, at)
        if remaining:
            self._schedule("repack", self._options["repack_delay"],
                           {"from": str(package["id"]), "groups": [remaining], "status": "Created",
                            "createdBy": status.lower()})

    def unsupplied(self, package_id: str, body: Any) -> None:
        """``PUT …/items/unsupplied``: the package ends UnSupplied; a new package of the same
        order takes the other lines (asynchronously)."""
        self.advance()
        with self._lock:
            package = self._package(package_id)
            body = body if isinstance(body, dict) else {}
            reason = body.get("reasonId")
            if not _is_int(reason) or reason not in UNSUPPLIED_REASONS:
                raise Refused(400, "invalid.reason.id", f"Geçersiz reasonId: {reason!r}; geçerli değerler: "
                              + ", ".join(f"{k} ({v})" for k, v in UNSUPPLIED_REASONS.items()))
            if package["status"] not in UNSUPPLIABLE:
                raise Refused(400, "invalid.status.transition",
                              f"Paket {package['status']} statüsünde; tedarik edilemedi bildirimi yapılamaz")
            removed = self._lines_of(package, body.get("lines"))
            self._end(package, "UnSupplied", removed, time.time(), reasonId=reason)

    def cancel_package(self, package_id: str, lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The customer (or Trendyol) cancels lines (all when none are given)."""
        self.advance()
        with self._lock:
            package = self._package(package_id)
            if package["status"] not in CANCELLABLE:
                raise Refused(400, "invalid.status.transition", f"Paket {package['status']} statüsünde; iptal edilemez")
            wanted = lines or [{"lineId": line["lineId"], "quantity": line["quantity"]} for line in package["lines"]]
            self._end(package, "Cancelled", self._lines_of(package, wanted), time.time(), cancelledBy="customer")
            return copy.deepcopy(package)

    def split_package(self, package_id: str, body: Any) -> None:
        """``POST …/split-packages``: the package becomes UnPacked; one new package per group
        (and one for the lines no group names) appears after ``repack_delay``."""
        self.advance()
        with self._lock:
            package = self._package(package_id)
            body = body if isinstance(body, dict) else {}
            if package["status"] not in SPLITTABLE:
                raise Refused(400, "invalid.status.transition", f"Paket {package['status']} statüsünde; bölünemez")
            groups_in = body.get("splitPackages")
            if not isinstance(groups_in, list) or not groups_in:
                raise Refused(400, "split.packages.required",
                              'splitPackages en az bir {"packageDetails": [{"orderLineId", "quantities"}]} içermelidir')
            used: dict[str, int] = {}
            groups = []
            for group in groups_in:
                details = group.get("packageDetails") if isinstance(group, dict) else None
                chosen = self._lines_of(package, details, id_key="orderLineId", quantity_key="quantities")
                for line, quantity in chosen:
                    used[str(line["lineId"])] = used.get(str(line["lineId"]), 0) + quantity
                groups.append([(line["lineId"], quantity) for line, quantity in chosen])
            rest = []
            for line in package["lines"]:
                left = line["quantity"] - used.get(str(line["lineId"]), 0)
                if left < 0:
                    raise Refused(400, "invalid.quantity", f"Kalem {line['lineId']} için toplam {line['quantity']} "
                                                           f"adetten fazlası bölünemez")
                if left:
                    rest.append((line["lineId"], left))
            if rest:
                groups.append(rest)
            if len(groups) < 2:
                raise Refused(400, "split.needs.two.packages", "Paket en az iki pakete bölünmelidir")
            keep = body.get("shouldKeepPreviousStatus") is True
            status = package["status"] if keep else "Created"
            for line in package["lines"]:
                line["orderLineItemStatusName"] = MOVED_LINE
            self._set_status(package, "UnPacked", time.time())
            self._schedule("repack", self._options["repack_delay"],
                           {"from": str(package["id"]), "groups": groups, "status": status, "createdBy": "split"})

    def _repack(self, data: dict[str, Any], at: float) -> None:
        old = self._packages.get(data["from"])
        if old is None:
            return
        by_id = {line["lineId"]: line for line in old["lines"]}
        fields = {k: copy.deepcopy(old[k]) for k in (
            "customerFirstName", "customerLastName", "customerEmail", "customerId", "shipmentAddress",
            "invoiceAddress", "cargoProviderName", "micro", "commercial", "tcIdentityNumber", "identityNumber",
            "taxNumber")}
        fields["createdBy"] = data["createdBy"]
        fields["originPackageIds"] = [old["id"]]
        for group in data["groups"]:
            lines = []
            for line_id, quantity in group:
                line = copy.deepcopy(by_id[line_id])
                line["quantity"] = quantity
                _line_amounts(line)
                lines.append(line)
            new = self._new_package(old["orderNumber"], at, data["status"], lines, fields, order_date=old["orderDate"])
            self._package_meta[data["from"]]["replaced_by"].append(new["id"])

    def carrier_status(self, package_id: str, status: Any, tracking_number: Any = None) -> dict[str, Any]:
        """The carrier moves a package (Shipped, AtCollectionPoint, Delivered, UnDelivered, Returned)."""
        self.advance()
        with self._lock:
            package = self._package(package_id)
            status = _canonical(status, tuple(CARRIER_MOVES), "status")
            if package["status"] not in CARRIER_MOVES[status]:
                raise Refused(400, "invalid.status.transition",
                              f"Paket {package['status']} statüsünden {status} statüsüne geçemez "
                              f"(izin verilen: {', '.join(CARRIER_MOVES[status])})")
            if tracking_number not in (None, ""):
                self._set_tracking(package, tracking_number)
            self._set_status(package, status, time.time())
            return copy.deepcopy(package)

    def _set_tracking(self, package: dict[str, Any], tracking_number: Any) -> None:
        self._tracking.pop(str(package["cargoTrackingNumber"]), None)
        package["cargoTrackingNumber"] = tracking_number
        self._tracking[str(tracking_number)] = str(package["id"])

    # The seller's warehouses (Trendyol Express addresses) the simulated account has.
    WAREHOUSES = (1001, 1002, 1003)

    def update_warehouse(self, package_id: str, body: Any) -> None:
        """``PUT …/warehouse``: ``{"warehouseId": int}``; only while Created, Picking or Invoiced."""
        self.advance()
        with self._lock:
            package = self._package(package_id)
            warehouse = body.get("warehouseId") if isinstance(body, dict) else None
            if not _is_int(warehouse) or warehouse not in self.WAREHOUSES:
                raise Refused(400, "invalid.warehouse.id", f"Geçersiz warehouseId: {warehouse!r}; satıcının depoları: "
                              + ", ".join(map(str, self.WAREHOUSES)))
            if package["status"] not in ("Created", "Picking", "Invoiced"):
                raise Refused(400, "invalid.status.transition",
                              f"Paket {package['status']} statüsünde; depo bilgisi yalnızca Created, Picking ve "
                              "Invoiced paketlerde güncellenebilir")
            package["warehouseId"] = warehouse
            self._touch(package, time.time())

    def update_tracking(self, package_id: str, body: Any) -> None:
        """``PUT …/update-tracking-number``: the seller's own carrier's number."""
        self.advance()
        with self._lock:
            package = self._package(package_id)
            number = body.get("trackingNumber") if isinstance(body, dict) else None
            if _blank(number) or not isinstance(number, (str, int)) or isinstance(number, bool):
                raise Refused(400, "tracking.number.required", "trackingNumber zorunludur")
            if package["status"] not in TRACKABLE:
                raise Refused(400, "invalid.status.transition",
                              f"Paket {package['status']} statüsünde; kargoya verilmiş, teslim edilmiş veya iptal "
                              "edilmiş paketlerin takip numarası güncellenemez")
            self._set_tracking(package, str(number).strip())
            self._touch(package, time.time())

    def manual_deliver(self, tracking_number: str) -> None:
        """``PUT …/manual-deliver/{cargoTrackingNumber}``: a package of the seller's carrier is delivered."""
        self.advance()
        with self._lock:
            key = self._tracking.get(str(tracking_number).strip())
            if key is None:
                raise Refused(404, "shipment.package.not.found", f"Takip numarasına ait paket bulunamadı: {tracking_number}")
            package = self._packages[key]
            if package["status"] not in CARRIER_MOVES["Delivered"]:
                raise Refused(400, "invalid.status.transition",
                              f"Paket {package['status']} statüsünde; yalnızca kargoya verilmiş paketler teslim edilebilir")
            self._set_status(package, "Delivered", time.time())

    def invoice_link(self, body: Any) -> None:
        """``POST /sellers/{id}/seller-invoice-links``; 409 when the package already has one."""
        self.advance()
        with self._lock:
            body = body if isinstance(body, dict) else {}
            link, package_id = body.get("invoiceLink"), body.get("shipmentPackageId")
            if not isinstance(link, str) or not link.startswith(("https://", "http://")):
                raise Refused(400, "invalid.invoice.link", "invoiceLink http(s):// ile başlayan bir adres olmalıdır")
            if package_id is None:
                raise Refused(400, "shipment.package.id.required", "shipmentPackageId zorunludur")
            package = self._package(package_id)
            if package["invoiceLink"]:
                raise Refused(409, "invoice.link.already.exists",
                              f"Bu paket için daha önce fatura linki gönderilmiş (shipmentPackageId: {package_id})")
            if link in self._invoice_links:
                raise Refused(409, "invoice.link.already.used", "Bu fatura linki başka bir paket için kullanılmış")
            package["invoiceLink"] = link
            self._invoice_links[link] = str(package["id"])
            self._touch(package, time.time())

    # --- reading packages --------------------------------------------------------------------
    def list_packages(self, *, start: int | None, end: int | None, page: int, size: int, status: str | None,
                      order_number: str | None, package_ids: list[str] | None, order_by: str,
                      descending: bool, encoded: bool = False) -> dict[str, Any] | bytes:
        """``getShipmentPackages``; ``encoded``: the answer as JSON bytes (a page of 200 packages
        is about a megabyte: encoded once, under the lock)."""
        self.advance()
        with self._lock:
            most = self._options["max_result_window"]
            if page * size >= most:
                raise Refused(400, "max.result.window.exceeded",
                              f"Result window is too large: page * size en fazla {most} kayda kadar okunabilir "
                              f"(page={page}, size={size}); tarih aralığını daraltın")
            field_name = "orderDate" if order_by in ("CreatedDate", "OrderDate") else "lastModifiedDate"
            if package_ids:
                candidates = [self._packages[i] for i in dict.fromkeys(package_ids) if i in self._packages]
            else:
                now = now_ms()
                end = now if end is None else end
                start = end - ORDER_WINDOW_DAYS * _DAY_MS if start is None else start
                days = self._options["max_order_window_days"]
                if days and end - start > days * _DAY_MS:
                    raise Refused(400, "invalid.date.range",
                                  f"startDate ile endDate arası en fazla {days:g} gün olabilir")
                candidates = [p for p in self._packages.values() if start <= p[field_name] <= end]
            if status:
                candidates = [p for p in candidates if p["status"] == status]
            if order_number:
                candidates = [p for p in candidates if p["orderNumber"] == order_number]
            candidates.sort(key=lambda p: (p[field_name], p["id"]), reverse=descending)
            total = len(candidates)
            chunk = candidates[page * size:(page + 1) * size]
            answer = {"totalElements": total, "totalPages": (total + size - 1) // size, "page": page, "size": size,
                      "content": chunk}
            if encoded:
                return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            return {**answer, "content": _copied(chunk)}

    def package(self, package_id: Any) -> dict[str, Any] | None:
        """A package as Trendyol lists it, with the simulator's notes under ``_sim``."""
        self.advance()
        with self._lock:
            package = self._packages.get(str(package_id))
            if package is None:
                return None
            return {**copy.deepcopy(package), "_sim": copy.deepcopy(self._package_meta[str(package_id)])}

    def packages(self, order_number: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        self.advance()
        with self._lock:
            keys = self._packages_by_order.get(order_number, []) if order_number is not None else list(self._packages)
            found = [self._packages[k] for k in keys]
            return copy.deepcopy([p for p in found if status is None or p["status"] == status])

    def order_counts(self) -> dict[str, int]:
        self.advance()
        with self._lock:
            by_status: dict[str, int] = {}
            for package in self._packages.values():
                by_status[package["status"]] = by_status.get(package["status"], 0) + 1
            return {"orders_total": self.orders_total, "shopper_orders": self.shopper_orders,
                    "packages_total": len(self._packages), "claims_total": len(self._claims), **by_status}

    # --- claims ------------------------------------------------------------------------------
    def create_claim(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A customer opens a return: ``{packageId, lines?: [{lineId, quantity}] (all when absent),
        reasonId? (401), customerNote?, status? (WaitingInAction | Created), force? (skip the
        delivered check)}``; returns ``{claimId, claimItemIds}``."""
        if not isinstance(spec, dict):
            raise Refused(400, "invalid.body", "a claim is an object")
        self.advance()
        with self._lock:
            package = self._package(spec.get("packageId"))
            if package["status"] != "Delivered" and not spec.get("force"):
                raise Refused(400, "package.not.delivered", f"İade talebi yalnızca teslim edilmiş paketler için "
                                                            f"açılabilir (paket {package['status']} statüsünde)")
            status = _canonical(spec.get("status", "WaitingInAction"), ("Created", "WaitingInAction"), "status")
            reason = spec.get("reasonId", 401)
            if reason not in CUSTOMER_CLAIM_REASONS:
                raise Refused(400, "invalid.reason.id", f"Geçersiz iade sebebi: {reason!r}")
            wanted = spec.get("lines") or [{"lineId": line["lineId"], "quantity": line["quantity"]}
                                           for line in package["lines"]]
            chosen = self._lines_of(package, wanted)
            for line, quantity in chosen:
                open_units = sum(1 for claim in self._claims.values() for group in claim["items"]
                                 if group["orderLine"]["id"] == line["lineId"] for item in group["claimItems"]
                                 if item["claimItemStatus"]["name"] not in ("Cancelled", "Rejected"))
                if quantity > line["quantity"] - open_units:
                    raise Refused(400, "invalid.quantity", f"Kalem {line['lineId']} için en fazla "
                                                           f"{line['quantity'] - open_units} adet iade açılabilir")
            ms = now_ms()
            claim_id = str(uuid.uuid4())
            self._next_package += 1
            self._next_tracking += 1
            items, item_ids = [], []
            for line, quantity in chosen:
                units = []
                for _ in range(quantity):
                    self._next_line_item += 1
                    item_id = str(uuid.uuid4())
                    item_ids.append(item_id)
                    self._claim_of_item[item_id] = claim_id
                    units.append({
                        "id": item_id, "orderLineItemId": self._next_line_item,
                        "customerClaimItemReason": {"id": reason, "name": CUSTOMER_CLAIM_REASONS[reason],
                                                    "externalReasonId": reason, "code": str(reason)},
                        "trendyolClaimItemReason": {"id": 51, "name": "Sebep Yok", "externalReasonId": 51, "code": "51"},
                        "claimItemStatus": {"name": status}, "note": "", "customerNote": str(spec.get("customerNote") or ""),
                        "resolved": False, "autoAccepted": False, "acceptedBySeller": False,
                    })
                items.append({"orderLine": {
                    "id": line["lineId"], "productName": line["productName"], "barcode": line["barcode"],
                    "merchantSku": line["merchantSku"], "productColor": line["productColor"],
                    "productSize": line["productSize"], "price": line["lineUnitPrice"],
                    "vatBaseAmount": line["vatBaseAmount"], "vatRate": line["vatRate"],
                    "salesCampaignId": line["salesCampaignId"], "productCategory": None,
                }, "claimItems": units})
            self._claims[claim_id] = {
                "id": claim_id, "claimId": claim_id, "orderNumber": package["orderNumber"],
                "orderDate": package["orderDate"], "customerFirstName": package["customerFirstName"],
                "customerLastName": package["customerLastName"], "claimDate": ms,
                "cargoTrackingNumber": self._next_tracking,
                "cargoTrackingLink": f"https://kargotakip.trendyol.com/?trackingNumber={self._next_tracking}",
                "cargoSenderNumber": str(self._next_tracking), "cargoProviderName": package["cargoProviderName"],
                "orderShipmentPackageId": self._next_package, "orderOutboundPackageId": package["id"],
                "items": items, "lastModifiedDate": ms,
            }
            return {"claimId": claim_id, "claimItemIds": item_ids}

    def _claim(self, claim_id: str) -> dict[str, Any]:
        claim = self._claims.get(str(claim_id))
        if claim is None:
            raise Refused(404, "claim.not.found", f"İade talebi bulunamadı (claimId: {claim_id})")
        return claim

    def _claim_items(self, claim: dict[str, Any], item_ids: Any, status: str) -> list[dict[str, Any]]:
        if not isinstance(item_ids, list) or not item_ids:
            raise Refused(400, "claim.item.ids.required", "En az bir iade kalemi (claimItemId) gönderilmelidir")
        by_id = {item["id"]: item for group in claim["items"] for item in group["claimItems"]}
        out = []
        for item_id in item_ids:
            item = by_id.get(str(item_id).strip())
            if item is None:
                raise Refused(400, "claim.item.not.found", f"İade kalemi bu talepte bulunamadı: {item_id}")
            if item["claimItemStatus"]["name"] != status:
                raise Refused(400, "claim.item.status.not.valid",
                              f"İade kalemi {item_id} {item['claimItemStatus']['name']} statüsünde; bu işlem yalnızca "
                              f"{status} statüsündeki kalemler için yapılabilir")
            out.append(item)
        return out

    def approve_claim(self, claim_id: str, body: Any) -> None:
        """``PUT …/claims/{id}/items/approve``: WaitingInAction units become Accepted."""
        self.advance()
        with self._lock:
            claim = self._claim(claim_id)
            ids = body.get("claimLineItemIdList") if isinstance(body, dict) else None
            for item in self._claim_items(claim, ids, "WaitingInAction"):
                item.update({"claimItemStatus": {"name": "Accepted"}, "acceptedBySeller": True, "resolved": True})
            claim["lastModifiedDate"] = max(claim["lastModifiedDate"], now_ms())

    def claim_issue(self, claim_id: str, fields: dict[str, str], files: list[dict[str, Any]]) -> dict[str, Any]:
        """``POST …/claims/{id}/issue`` (multipart): the seller rejects WaitingInAction units.
        guess: Trendyol reviews a rejection before it stands; here the units become Rejected at once."""
        self.advance()
        with self._lock:
            claim = self._claim(claim_id)
            raw_reason = fields.get("claimIssueReasonId")
            try:
                reason = int(str(raw_reason).strip())
            except ValueError:
                raise Refused(400, "claim.issue.reason.required", "claimIssueReasonId zorunludur ve bir sayı olmalıdır") from None
            if reason not in dict(CLAIM_ISSUE_REASONS):
                raise Refused(400, "invalid.claim.issue.reason", f"Geçersiz claimIssueReasonId: {reason}")
            ids = [i for i in str(fields.get("claimItemIdList") or "").split(",") if i.strip()]
            description = fields.get("description") or ""
            if not description.strip():
                raise Refused(400, "description.required", "description zorunludur")
            if len(description) > CLAIM_ISSUE_DESCRIPTION_MAX:
                raise Refused(400, "description.too.long",
                              f"description en fazla {CLAIM_ISSUE_DESCRIPTION_MAX} karakter olabilir ({len(description)})")
            if not files and reason not in CLAIM_ISSUE_REASONS_WITHOUT_FILES:
                raise Refused(400, "files.required", f"Bu ret sebebi ({reason}) için en az bir dosya (jpeg veya pdf) "
                                                     "yüklenmelidir")
            for upload in files:
                name = (upload.get("filename") or "").lower()
                kind = (upload.get("content_type") or "").lower()
                if kind not in ("application/pdf", "image/jpeg", "image/jpg") and not name.endswith((".pdf", ".jpg", ".jpeg")):
                    raise Refused(400, "invalid.file.type", f"Yalnızca jpeg veya pdf dosyaları yüklenebilir: {upload.get('filename')}")
            items = self._claim_items(claim, ids, "WaitingInAction")
            issue_id = self._next_line_item = self._next_line_item + 1
            for item in items:
                item.update({"claimItemStatus": {"name": "Rejected"}, "resolved": True, "note": description,
                             "claimIssue": {"id": issue_id, "claimIssueReasonId": reason, "description": description,
                                            "files": [u.get("filename") for u in files]}})
            claim["lastModifiedDate"] = max(claim["lastModifiedDate"], now_ms())
            return {"id": issue_id}

    def claims_waiting_in_action(self, claim_ids: list[str]) -> int:
        """Stage helper: move Created units of the claims to WaitingInAction; how many moved."""
        self.advance()
        with self._lock:
            moved = 0
            for claim_id in claim_ids:
                claim = self._claim(claim_id)
                for group in claim["items"]:
                    for item in group["claimItems"]:
                        if item["claimItemStatus"]["name"] == "Created":
                            item["claimItemStatus"] = {"name": "WaitingInAction"}
                            moved += 1
                claim["lastModifiedDate"] = max(claim["lastModifiedDate"], now_ms())
            if not moved:
                raise Refused(400, "claim.item.status.not.valid", "WaitingInAction statüsüne çekilecek Created kalem yok")
            return moved

    def list_claims(self, *, start: int | None, end: int | None, page: int, size: int, status: str | None,
                    order_number: str | None, claim_ids: list[str] | None) -> dict[str, Any]:
        """``getClaims``: dates select by creation (claimDate); sorted by lastModifiedDate."""
        self.advance()
        with self._lock:
            most = self._options["max_result_window"]
            if page * size >= most:  # guess: the 10,000-record rule of packages holds for claims too
                raise Refused(400, "max.result.window.exceeded",
                              f"Result window is too large: page * size en fazla {most} kayda kadar okunabilir")
            if claim_ids:
                candidates = [self._claims[c] for c in dict.fromkeys(claim_ids) if c in self._claims]
            else:
                candidates = [c for c in self._claims.values()
                              if (start is None or c["claimDate"] >= start) and (end is None or c["claimDate"] <= end)]
                if status:
                    candidates = [c for c in candidates if any(item["claimItemStatus"]["name"] == status
                                                               for group in c["items"] for item in group["claimItems"])]
                if order_number:
                    candidates = [c for c in candidates if c["orderNumber"] == order_number]
            candidates.sort(key=lambda c: (c["lastModifiedDate"], c["claimDate"], c["id"]))
            total = len(candidates)
            chunk = candidates[page * size:(page + 1) * size]
            return {"totalElements": total, "totalPages": (total + size - 1) // size, "page": page, "size": size,
                    "content": copy.deepcopy(chunk)}

    def claim(self, claim_id: str) -> dict[str, Any] | None:
        self.advance()
        with self._lock:
            found = self._claims.get(str(claim_id))
            return copy.deepcopy(found) if found else None

    def all_claims(self) -> list[dict[str, Any]]:
        self.advance()
        with self._lock:
            return copy.deepcopy(list(self._claims.values()))

    @staticmethod
    def claim_issue_reasons() -> list[dict[str, Any]]:
        return [{"id": rid, "name": name} for rid, name in CLAIM_ISSUE_REASONS]


class SimulatorState(OrderBook):
    """Products, batches, approvals, history and counters of the simulated seller; its
    packages and claims come from :class:`OrderBook`."""

    def __init__(self, options: dict[str, Any] | None = None):
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._options = dict(DEFAULT_OPTIONS)
        self._options.update(validate_options(options or {}))
        self.fault = FaultSlot()
        self.fault.set(self._options["fault"])
        self.rates = RateWindows()
        self.catalog: CatalogData = catalog()
        self._brand_names = dict(self.catalog.brands)
        self._stopping = threading.Event()
        self._clear_data()

    def _clear_data(self) -> None:
        self._products: dict[str, dict[str, Any]] = {}  # barcode -> product (insertion ordered)
        self._meta: dict[str, _Meta] = {}
        self._by_stock_code: dict[str, list[str]] = {}
        self._rejections: dict[str, tuple[str, str]] = {}  # barcode -> (reason, detail) marked by the control API
        self._batches: OrderedDict[str, Batch] = OrderedDict()
        self._queue: deque[Batch] = deque()
        self._approvals: list[_Approval] = []
        self._seq = 0
        self._recent_inventory: OrderedDict[str, float] = OrderedDict()  # body -> accepted (monotonic)
        self._history: list[dict[str, Any]] = []
        self._history_by_barcode: dict[str, list[dict[str, Any]]] = {}
        self._content_id = 10_000_000
        self.requests_total = 0
        self.batches_total = 0
        self._clear_orders()

    # --- options ----------------------------------------------------------------------
    def options(self) -> dict[str, Any]:
        with self._lock:
            options = copy.deepcopy(self._options)
        options["fault"] = self.fault.current()
        return options

    def configure(self, changes: dict[str, Any]) -> dict[str, Any]:
        clean = validate_options(changes)
        with self._lock:
            self.advance()  # what fell due under the old options happens under them (the shopper's orders)
            self._options.update(clean)
            if "fault" in clean:
                self.fault.set(clean["fault"])
            self._orders_configured(clean)
        return self.options()

    def reset(self) -> None:
        """Forget products, batches, history, counters and any fault; other options stay."""
        with self._lock:
            self._clear_data()
            self._options["fault"] = None
            self.fault.set(None)
            self._changed.notify_all()
        self.rates.clear()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            self._changed.notify_all()

    def count_request(self) -> None:
        with self._lock:
            self.requests_total += 1

    # --- the clock ----------------------------------------------------------------------
    def advance(self) -> None:
        """Carry out every batch and approval that has fallen due, in time order, then the
        shopper's orders and the package events."""
        with self._lock:
            now = time.monotonic()
            while True:
                batch = self._queue[0] if self._queue and self._queue[0].due <= now else None
                approval = self._approvals[0] if self._approvals and self._approvals[0].due <= now else None
                if batch is None and approval is None:
                    break
                if approval is not None and (batch is None or approval.due < batch.due):
                    heapq.heappop(self._approvals)
                    self._settle_approval(approval)
                else:
                    self._queue.popleft()
                    self._process(batch)
                self._changed.notify_all()
            self._advance_orders(now)

    def _epoch_at(self, mono: float) -> float:
        """The wall-clock time of a monotonic instant (for logical timestamps)."""
        return time.time() - (time.monotonic() - mono)

    def wait_until_idle(self, timeout: float, approvals: bool = False) -> bool:
        """Block until every accepted batch (and, with ``approvals``, every pending approval)
        is carried out; False if ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        while True:
            self.advance()
            with self._lock:
                dues = [self._queue[-1].due] if self._queue else []
                if approvals and self._approvals:
                    dues.append(max(a.due for a in self._approvals))
            if not dues:
                return True
            now = time.monotonic()
            if now >= deadline or self._stopping.is_set():
                return False
            self._stopping.wait(max(0.001, min(max(dues) - now, deadline - now, 0.05)))

    # --- reference data -----------------------------------------------------------------
    def category_tree(self) -> dict[str, Any]:
        return {"categories": self.catalog.tree()}

    def category_attributes(self, category_id: int) -> dict[str, Any]:
        category = self.catalog.categories.get(category_id)
        if category is None:
            raise Refused(404, "category.not.found", f"Kategori bulunamadı (categoryId: {category_id})")
        if not category.is_leaf:
            raise Refused(400, "category.not.leaf",
                          f"Kategori en alt seviyede değil (categoryId: {category_id}, {category.name}); "
                          "özellikler yalnızca alt kategorisi olmayan kategoriler için listelenir")
        return {
            "id": category.id, "name": category.name, "displayName": category.name,
            "categoryAttributes": [
                {"allowCustom": rule.allow_custom,
                 "attribute": {"id": rule.attribute_id, "name": self.catalog.attribute_names[rule.attribute_id]},
                 "categoryId": category.id, "required": rule.required, "varianter": rule.varianter,
                 "slicer": rule.slicer, "allowMultipleAttributeValues": rule.allow_multiple}
                for rule in self.catalog.attributes[category.id]
            ],
        }

    def attribute_values(self, category_id: int, attribute_id: int, page: int, size: int) -> dict[str, Any]:
        self.category_attributes(category_id)  # 404 / 400 like above
        if attribute_id not in {r.attribute_id for r in self.catalog.attributes[category_id]}:
            raise Refused(404, "attribute.not.found",
                          f"Özellik bu kategoride tanımlı değil (categoryId: {category_id}, attributeId: {attribute_id})")
        values = self.catalog.values.get(attribute_id, [])
        total_pages = (len(values) + size - 1) // size
        chunk = values[page * size:(page + 1) * size]
        return {"totalElements": len(values), "totalPages": total_pages, "page": page, "size": size,
                "content": [{"attributeValueId": vid, "attributeValueName": name} for vid, name in chunk]}

    def brands_page(self, page: int, size: int) -> dict[str, Any]:
        chunk = self.catalog.brands[page * size:(page + 1) * size]
        return {"brands": [{"id": bid, "name": name} for bid, name in chunk]}

    def brands_by_name(self, name: str) -> list[dict[str, Any]]:
        """Brands whose name contains ``name``, ignoring case (Turkish İ/ı folded). Trendyol's
        own matching rule is undocumented; "contains, any case" is our guess."""
        wanted = _fold(name)
        return [{"id": bid, "name": bname} for bid, bname in self.catalog.brands if wanted in _fold(bname)]

    # --- accepting batches --------------------------------------------------------------
    def accept(self, batch_type: str, seller_id: str, items: list[dict[str, Any]]) -> Batch:
        """Queue a batch behind those accepted before it. Raises :class:`Refused` when refused whole."""
        with self._lock:
            now = time.monotonic()
            if batch_type == INVENTORY:
                self._check_duplicate(seller_id, items, now)
            batch = Batch(
                id=f"{uuid.uuid4()}-{int(time.time())}", type=batch_type, seller_id=seller_id, items=items,
                accepted_at=time.time(), due=now + self._options["processing_delay"], accepted_mono=now,
            )
            self._batches[batch.id] = batch
            self._queue.append(batch)
            self.batches_total += 1
            self._forget_old_batches()
            self._changed.notify_all()
            return batch

    def _check_duplicate(self, seller_id: str, items: list[dict[str, Any]], now: float) -> None:
        window = self._options["duplicate_window"]
        if not window:
            return
        while self._recent_inventory:
            oldest_key, at = next(iter(self._recent_inventory.items()))
            if now - at < window:
                break
            del self._recent_inventory[oldest_key]
        key = seller_id + ":" + json.dumps(items, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        if key in self._recent_inventory:
            raise Refused(400, "price.inventory.duplicate.request", DUPLICATE_MESSAGE)
        self._recent_inventory[key] = now

    def _forget_old_batches(self) -> None:
        retention = self._options["batch_retention"]
        cutoff = time.time() - retention
        while self._batches:
            oldest = next(iter(self._batches.values()))
            if not oldest.processed or oldest.accepted_at >= cutoff:
                break
            del self._batches[oldest.id]

    def batch_answer(self, seller_id: str, batch_id: str) -> dict[str, Any] | None:
        self.advance()
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None or batch.seller_id != seller_id:
                return None
            if time.time() - batch.accepted_at > self._options["batch_retention"]:
                return None  # Trendyol shows batch results for 4 hours only
            return batch.answer()

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        """Everything about one batch, for inspection."""
        self.advance()
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                return None
            return {"id": batch.id, "type": batch.type, "items": copy.deepcopy(batch.items),
                    "results": copy.deepcopy(batch.results), "accepted_at": batch.accepted_at,
                    "processed_at": batch.processed_at}

    # --- processing ---------------------------------------------------------------------
    def _process(self, batch: Batch) -> None:
        at = self._epoch_at(batch.due)
        handler = {CREATE: self._create, UPDATE: self._update, INVENTORY: self._inventory,
                   ARCHIVE: self._archive, DELETE: self._delete, CONTENT_UPDATE: self._content_update}[batch.type]
        counts: dict[str, int] = {}
        for item in batch.items:
            if batch.type == CONTENT_UPDATE:
                key = f"content:{item.get('contentId')}" if _is_int(item.get("contentId")) else None
            else:
                key = item.get("barcode") if isinstance(item.get("barcode"), str) else None
            if key:
                counts[key] = counts.get(key, 0) + 1
        results = []
        for item in batch.items:
            reasons, echo = handler(batch, item, at, counts)
            result = {"requestItem": echo, "status": "FAILED" if reasons else "SUCCESS", "failureReasons": reasons}
            if batch.type == ARCHIVE:
                result["batchRequestLogId"] = str(uuid.uuid4())
            results.append(result)
        batch.results = results
        batch.processed_at = at

    def _product_echo(self, item: dict[str, Any]) -> dict[str, Any]:
        return {"product": copy.deepcopy(item), "barcode": item.get("barcode")}

    def _create(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        echo = self._product_echo(item)
        reasons = [f"Zorunlu alan eksik: {name}" for name in _REQUIRED_CREATE if _blank(item.get(name))]
        barcode = item.get("barcode")
        if isinstance(barcode, str) and barcode:
            if counts.get(barcode, 0) > 1:
                reasons.append(f"Aynı istekte tekrarlanan barcode: {barcode}")
            if barcode in self._products:
                reasons.append(f"Bu barcode ile kayıtlı bir ürün zaten var: {barcode}")
        reasons += self._check_content(item)
        if not reasons:
            self._store_new(item, at, batch)
        return _unique(reasons), echo

    def _update(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        echo = self._product_echo(item)
        barcode = item.get("barcode")
        if _blank(barcode) or not isinstance(barcode, str):
            return ["Zorunlu alan eksik: barcode"], echo
        product = self._products.get(barcode)
        if product is None:
            return [f"Ürün bulunamadı (barcode: {barcode})"], echo
        if product["approved"]:
            return [(f"Onaylı ürün bu servisle güncellenemez (barcode: {barcode}); onaylı ürünler "
                     "content-bulk-update ve variant-bulk-update ile güncellenir")], echo
        if counts.get(barcode, 0) > 1:
            return [f"Aynı istekte tekrarlanan barcode: {barcode}"], echo
        merged = {**self._wire_view(product), **{k: v for k, v in item.items() if k in _UPDATABLE}}
        reasons = [f"Zorunlu alan eksik: {name}" for name in item if name in _UPDATABLE and _blank(item[name])
                   and name in _REQUIRED_CREATE]
        reasons += self._check_content(merged)
        if reasons:
            return _unique(reasons), echo
        self._apply_content(product, merged)
        product["rejected"] = False
        product["rejectReasonDetails"] = []
        product["lastUpdateDate"] = int(at * 1000)
        product["version"] += 1
        self._record(batch.id, "updated", barcode, None, batch.accepted_at, at)
        self._schedule_approval(barcode, batch)
        return [], echo

    def _content_update(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        """content-bulk-update: an approved product's content, keyed by ``contentId``. Partial
        (only the fields sent change), but ``attributes``, when sent, must hold all of them.
        The change is applied at once and the product stays approved and on sale."""
        echo = {"product": copy.deepcopy(item), "contentId": item.get("contentId")}
        content_id = item.get("contentId")
        if _blank(content_id):
            return ["Zorunlu alan eksik: contentId"], echo
        if not _is_int(content_id):
            return [f"contentId bir tam sayı olmalıdır: {content_id!r}"], echo
        products = [p for p in self._products.values() if p.get("productContentId") == content_id]
        if not products:
            return [f"Ürün bulunamadı (contentId: {content_id})"], echo
        if counts.get(f"content:{content_id}", 0) > 1:
            return [f"Aynı istekte tekrarlanan contentId: {content_id}"], echo
        if not all(p["approved"] for p in products):
            return [(f"Onaysız ürün bu servisle güncellenemez (contentId: {content_id}); onaysız ürünler "
                     "unapproved-bulk-update ile güncellenir")], echo
        reasons = []
        product = products[0]
        view = self._wire_view(product)
        for name in _CONTENT_FIXED:
            if name in item and item[name] != view.get(name):
                reasons.append(f"Onaylı üründe {name} güncellenemez (contentId: {content_id})")
        for name in _CONTENT_FOREIGN:
            if name in item:
                reasons.append(f"{name} bu servisle güncellenemez (contentId: {content_id}); stok ve fiyat "
                               "price-and-inventory, diğer alanlar variant-bulk-update ile güncellenir")
        changes = {k: item[k] for k in _CONTENT_UPDATABLE if k in item}
        if not changes:
            reasons.append(f"Güncellenecek bir alan gönderilmedi (contentId: {content_id}): title, description, "
                           "images veya attributes")
        reasons += [f"Zorunlu alan eksik: {name}" for name in changes if _blank(changes[name])]
        merged = {**view, **changes}
        reasons += self._check_content(merged)
        if "attributes" in changes and isinstance(changes["attributes"], list):
            reasons += self._check_fixed_attributes(product, changes["attributes"])
        if reasons:
            return _unique(reasons), echo
        for target in products:
            self._apply_content(target, changes)
            target["lastUpdateDate"] = int(at * 1000)
            target["version"] += 1
            self._record(batch.id, "content_updated", target["barcode"], sorted(changes), batch.accepted_at, at)
        return [], echo

    def _check_fixed_attributes(self, product: dict[str, Any], attributes: list[Any]) -> list[str]:
        """Slicer and varianter values of an approved product cannot change."""
        category_id = product.get("pimCategoryId")
        rules = self.catalog.attributes.get(category_id, []) if _is_int(category_id) else []
        fixed = {r.attribute_id for r in rules if r.slicer or r.varianter}

        def values(entries: list[Any]) -> dict[int, tuple]:
            out: dict[int, tuple] = {}
            for entry in entries or []:
                if not isinstance(entry, dict) or entry.get("attributeId") not in fixed:
                    continue
                ids = entry.get("attributeValueIds")
                if ids is None and "attributeValueId" in entry:
                    ids = [entry["attributeValueId"]]
                custom = entry.get("attributeValue", entry.get("customAttributeValue"))
                out[entry["attributeId"]] = (tuple(sorted(ids or [])), custom)
            return out

        old, new = values(product["_internal"]["attributes"]), values(attributes)
        names = self.catalog.attribute_names
        return [f"Onaylı üründe slicer/varianter özellik değeri güncellenemez: {names.get(aid, aid)} (attributeId: {aid})"
                for aid in sorted(fixed) if aid in new and new[aid] != old.get(aid)]

    def _inventory(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        echo = _inventory_echo(item, batch.accepted_at)
        barcode = item.get("barcode")
        if _blank(barcode) or not isinstance(barcode, str):
            return ["Zorunlu alan eksik: barcode"], echo
        product = self._products.get(barcode)
        if product is None:
            return [f"Ürün bulunamadı (barcode: {barcode})"], echo
        if not any(name in item for name in _STOCK_FIELDS):
            return ["quantity, salePrice veya listPrice alanlarından en az biri gönderilmelidir"], echo
        reasons = []
        quantity = item.get("quantity")
        if "quantity" in item:
            if not _is_int(quantity) or quantity < 0:
                reasons.append(f"quantity 0 veya daha büyük bir tam sayı olmalıdır: {quantity!r}")
            elif quantity > MAX_STOCK:
                reasons.append(f"quantity en fazla {MAX_STOCK} olabilir: {quantity}")
        prices = {}
        for name in ("salePrice", "listPrice"):
            if name in item:
                value = item[name]
                if not _is_number(value) or value <= 0:
                    reasons.append(f"{name} sıfırdan büyük bir sayı olmalıdır: {value!r}")
                else:
                    prices[name] = float(value)
        sale = prices.get("salePrice", product["salePrice"])
        list_price = prices.get("listPrice", product["listPrice"])
        if prices and sale is not None and list_price is not None and list_price < sale:
            reasons.append(f"listPrice ({_money(list_price)}) salePrice ({_money(sale)}) değerinden küçük olamaz")
        if reasons:
            return reasons, echo
        for name in _STOCK_FIELDS:
            if name in item:
                value = int(item[name]) if name == "quantity" else float(item[name])
                product[name] = value
                self._record(batch.id, _HISTORY_NAMES[name], barcode, value, batch.accepted_at, at)
        product["lastUpdateDate"] = int(at * 1000)
        _refresh_on_sale(product)
        return [], echo

    def _archive(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        echo = {k: item.get(k) for k in ("barcode", "archived")}
        barcode = item.get("barcode")
        if _blank(barcode) or not isinstance(barcode, str):
            return ["Zorunlu alan eksik: barcode"], echo
        if not isinstance(item.get("archived"), bool):
            return [f"archived true veya false olmalıdır (barcode: {barcode})"], echo
        product = self._products.get(barcode)
        if product is None:
            return [f"Ürün bulunamadı (barcode: {barcode})"], echo
        archived = item["archived"]
        if product["archived"] != archived:
            product["archived"] = archived
            product["archivedDate"] = int(at * 1000) if archived else None
            self._meta[barcode].archived_at = at if archived else None
            product["lastUpdateDate"] = int(at * 1000)
            self._record(batch.id, "archived", barcode, archived, batch.accepted_at, at)
        _refresh_on_sale(product)
        return [], echo

    def _delete(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        echo = {"barcode": item.get("barcode")}
        barcode = item.get("barcode")
        if _blank(barcode) or not isinstance(barcode, str):
            return ["Zorunlu alan eksik: barcode"], echo
        product = self._products.get(barcode)
        if product is None:
            return [f"Ürün bulunamadı (barcode: {barcode})"], echo
        if product["approved"]:
            archived_at = self._meta[barcode].archived_at
            if archived_at is None or at - archived_at < self._options["archive_min_age"]:
                return [f"Onaylı ürünler ancak arşivde bir günden fazla kaldıktan sonra silinebilir (barcode: {barcode})"], echo
        self._remove(barcode)
        self._record(batch.id, "deleted", barcode, None, batch.accepted_at, at)
        return [], echo

    # --- product content ----------------------------------------------------------------
    def _check_content(self, item: dict[str, Any]) -> list[str]:
        """Everything wrong with a product's content (create, or the merged result of an update)."""
        reasons: list[str] = []
        options = self._options
        barcode = item.get("barcode")
        if isinstance(barcode, str) and barcode:
            if len(barcode) > BARCODE_MAX_LENGTH:
                reasons.append(f"barcode en fazla {BARCODE_MAX_LENGTH} karakter olabilir: {barcode}")
            if not _BARCODE_RE.match(barcode.replace(" ", "")):
                reasons.append(f"barcode yalnızca harf, rakam ve . - _ karakterlerini içerebilir: {barcode}")
        elif barcode is not None and not isinstance(barcode, str):
            reasons.append("barcode metin olmalıdır")
        title = item.get("title")
        if isinstance(title, str) and len(title) > TITLE_MAX_LENGTH:
            reasons.append(f"title en fazla {TITLE_MAX_LENGTH} karakter olabilir ({len(title)} karakter gönderildi)")
        description = item.get("description")
        if isinstance(description, str) and len(description) > DESCRIPTION_MAX_LENGTH:
            reasons.append(f"description en fazla {DESCRIPTION_MAX_LENGTH} karakter olabilir")
        brand_id = item.get("brandId")
        if brand_id is not None and (not _is_int(brand_id) or brand_id not in self._brand_names):
            reasons.append(f"Marka bulunamadı (brandId: {brand_id})")
        category_id = item.get("categoryId")
        category = self.catalog.categories.get(category_id) if _is_int(category_id) else None
        if category_id is not None and category is None:
            reasons.append(f"Kategori bulunamadı (categoryId: {category_id})")
        elif category is not None and not category.is_leaf:
            reasons.append(f"Kategori en alt seviyede değil (categoryId: {category_id}, {category.name}); ürünler yalnızca "
                           "alt kategorisi olmayan kategorilere eklenebilir")
        quantity = item.get("quantity")
        if quantity is not None:
            if not _is_int(quantity) or quantity < 0:
                reasons.append(f"quantity 0 veya daha büyük bir tam sayı olmalıdır: {quantity!r}")
            elif quantity > MAX_STOCK:
                reasons.append(f"quantity en fazla {MAX_STOCK} olabilir: {quantity}")
        sale, list_price = item.get("salePrice"), item.get("listPrice")
        for name, value in (("salePrice", sale), ("listPrice", list_price)):
            if value is not None and (not _is_number(value) or value <= 0):
                reasons.append(f"{name} sıfırdan büyük bir sayı olmalıdır: {value!r}")
        if _is_number(sale) and _is_number(list_price) and list_price < sale:
            reasons.append(f"listPrice ({_money(list_price)}) salePrice ({_money(sale)}) değerinden küçük olamaz")
        vat = item.get("vatRate")
        if vat is not None and (not _is_int(vat) or vat not in VAT_RATES):
            reasons.append("KDV alanına (vatRate) 0, 1, 10 veya 20 değerlerinden birisini girebilirsiniz! "
                           f"Gönderilen: {vat!r}")
        weight = item.get("dimensionalWeight")
        if weight is not None and (not _is_number(weight) or weight < 0):
            reasons.append(f"dimensionalWeight 0 veya daha büyük bir sayı olmalıdır: {weight!r}")
        reasons += self._check_images(item.get("images"), options["max_images"])
        if category is not None and category.is_leaf:
            reasons += self._check_attributes(category.id, item.get("attributes"))
        return reasons

    @staticmethod
    def _check_images(images: Any, most: int) -> list[str]:
        if images is None:
            return []
        if not isinstance(images, list):
            return ["images bir liste olmalıdır: [{\"url\": \"https://...\"}]"]
        reasons = []
        if len(images) > most:
            reasons.append(f"En fazla {most} görsel gönderilebilir; {len(images)} görsel gönderildi (images)")
        for number, image in enumerate(images):
            url = image.get("url") if isinstance(image, dict) else None
            if not isinstance(url, str) or not url.startswith("https://"):
                reasons.append(f"Görsel adresi https:// ile başlamalıdır (images[{number}].url)")
        return reasons

    def _check_attributes(self, category_id: int, attributes: Any) -> list[str]:
        rules = {r.attribute_id: r for r in self.catalog.attributes[category_id]}
        names = self.catalog.attribute_names
        if attributes is None:
            attributes = []
        if not isinstance(attributes, list):
            return ["attributes bir liste olmalıdır"]
        reasons: list[str] = []
        given: set[int] = set()
        for entry in attributes:
            if not isinstance(entry, dict) or not _is_int(entry.get("attributeId")):
                reasons.append(f"attributeId eksik veya geçersiz: {entry!r}")
                continue
            aid = entry["attributeId"]
            rule = rules.get(aid)
            if rule is None:
                reasons.append(f"Özellik bu kategoride tanımlı değil (attributeId: {aid}, categoryId: {category_id})")
                continue
            name = names[aid]
            ids = entry.get("attributeValueIds")
            if ids is None and "attributeValueId" in entry:  # the singular form Trendyol echoes
                ids = [entry["attributeValueId"]]
            custom = entry.get("attributeValue", entry.get("customAttributeValue"))
            if ids is not None and not isinstance(ids, list):
                reasons.append(f"attributeValueIds bir liste olmalıdır ({name}, attributeId: {aid})")
                continue
            ids = ids or []
            if not ids and _blank(custom):
                reasons.append(f"Özellik değeri eksik: {name} (attributeId: {aid})")
                continue
            if len(ids) > 1 and not rule.allow_multiple:
                reasons.append(f"{name} (attributeId: {aid}) birden fazla değer alamaz")
            known = self.catalog.value_ids(aid)
            for vid in ids:
                if not _is_int(vid) or vid not in known:
                    reasons.append(f"Geçersiz özellik değeri: {vid!r} değeri {name} (attributeId: {aid}) için tanımlı değil")
            if not _blank(custom) and not rule.allow_custom:
                reasons.append(f"{name} (attributeId: {aid}) için serbest değer girilemez; attributeValueIds ile "
                               "tanımlı bir değer seçilmelidir")
            given.add(aid)
        for aid, rule in rules.items():
            if rule.required and aid not in given:
                reasons.append(f"Zorunlu özellik eksik: {names[aid]} (attributeId: {aid})")
        return reasons

    def _stored_attributes(self, attributes: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """Attributes as filterProducts shows them: one entry per value."""
        out = []
        for entry in attributes or []:
            aid = entry["attributeId"]
            name = self.catalog.attribute_names.get(aid, str(aid))
            ids = entry.get("attributeValueIds")
            if ids is None and "attributeValueId" in entry:
                ids = [entry["attributeValueId"]]
            value_names = dict(self.catalog.values.get(aid, []))
            for vid in ids or []:
                out.append({"attributeId": aid, "attributeName": name, "attributeValueId": vid,
                            "attributeValue": value_names.get(vid)})
            custom = entry.get("attributeValue", entry.get("customAttributeValue"))
            if not _blank(custom):
                out.append({"attributeId": aid, "attributeName": name, "attributeValue": custom})
        return out

    def _wire_view(self, product: dict[str, Any]) -> dict[str, Any]:
        """A stored product as the create item it came from (for merging an update)."""
        view = {k: product.get(k) for k in ("barcode", "title", "productMainId", "brandId", "stockCode",
                                             "dimensionalWeight", "description", "vatRate", "quantity", "listPrice",
                                             "salePrice")}
        view["categoryId"] = product.get("pimCategoryId")
        view["images"] = copy.deepcopy(product.get("images") or [])
        view["attributes"] = copy.deepcopy(product["_internal"]["attributes"])
        return view

    def _apply_content(self, product: dict[str, Any], item: dict[str, Any]) -> None:
        for name in ("title", "productMainId", "stockCode", "description", "dimensionalWeight", "vatRate",
                     "currencyType", "cargoCompanyId", "shipmentAddressId", "returningAddressId", "lotNumber", "origin"):
            if name in item:
                product[name] = item[name]
        if "brandId" in item:
            product["brandId"] = item["brandId"]
            product["brand"] = self._brand_names.get(item["brandId"])
        if "categoryId" in item:
            product["pimCategoryId"] = item["categoryId"]
            category = self.catalog.categories.get(item["categoryId"])
            product["categoryName"] = category.name if category else None
        delivery = item.get("deliveryOption") or {}
        if isinstance(delivery, dict) and "deliveryDuration" in delivery:
            product["deliveryDuration"] = delivery["deliveryDuration"]
        elif "deliveryDuration" in item:
            product["deliveryDuration"] = item["deliveryDuration"]
        if "images" in item:
            product["images"] = [{"url": image["url"]} for image in item["images"]]
        if "attributes" in item:
            product["_internal"]["attributes"] = copy.deepcopy(item["attributes"] or [])
            product["attributes"] = self._stored_attributes(item["attributes"])
        self._index_stock_code(product)

    def _store_new(self, item: dict[str, Any], at: float, batch: Batch | None) -> dict[str, Any]:
        barcode = item["barcode"]
        product: dict[str, Any] = {
            "id": uuid.uuid4().hex, "approved": False, "archived": False, "rejected": False, "blacklisted": False,
            "locked": False, "onSale": False, "barcode": barcode, "stockCode": None, "productMainId": None,
            "title": None, "description": None, "brand": None, "brandId": None, "categoryName": None,
            "pimCategoryId": None, "quantity": 0, "salePrice": None, "listPrice": None, "vatRate": None,
            "dimensionalWeight": None, "currencyType": "TRY", "cargoCompanyId": None, "deliveryDuration": None,
            "images": [], "attributes": [], "rejectReasonDetails": [], "productContentId": None,
            "platformListingId": None, "supplierId": int(self._options["seller_id"]), "stockUnitType": "Adet",
            "hasActiveCampaign": False, "archivedDate": None, "createDateTime": int(at * 1000),
            "lastUpdateDate": int(at * 1000), "version": 1, "_internal": {"attributes": []},
        }
        self._products[barcode] = product
        self._meta[barcode] = _Meta()
        self._apply_content(product, item)
        for name in _STOCK_FIELDS:
            if _is_number(item.get(name)):
                product[name] = int(item[name]) if name == "quantity" else float(item[name])
        if batch is not None:
            self._record(batch.id, "created", barcode, None, batch.accepted_at, at)
            self._schedule_approval(barcode, batch)
        return product

    def _index_stock_code(self, product: dict[str, Any]) -> None:
        barcode = product["barcode"]
        old = product["_internal"].get("indexed_stock_code")
        if old is not None and old != product.get("stockCode"):
            owners = self._by_stock_code.get(old, [])
            if barcode in owners:
                owners.remove(barcode)
            if not owners:
                self._by_stock_code.pop(old, None)
        code = product.get("stockCode")
        if code is not None:
            owners = self._by_stock_code.setdefault(str(code), [])
            if barcode not in owners:
                owners.append(barcode)
        product["_internal"]["indexed_stock_code"] = code

    def _remove(self, barcode: str) -> None:
        product = self._products.pop(barcode)
        self._meta.pop(barcode, None)
        code = product.get("stockCode")
        owners = self._by_stock_code.get(str(code), []) if code is not None else []
        if barcode in owners:
            owners.remove(barcode)
            if not owners:
                self._by_stock_code.pop(str(code), None)

    # --- approval -----------------------------------------------------------------------
    def _schedule_approval(self, barcode: str, batch: Batch) -> None:
        meta = self._meta[barcode]
        meta.approval_token += 1
        self._seq += 1
        heapq.heappush(self._approvals, _Approval(batch.due + self._options["approval_delay"], self._seq, barcode,
                                                  meta.approval_token, batch.id))

    def _settle_approval(self, approval: _Approval) -> None:
        product = self._products.get(approval.barcode)
        meta = self._meta.get(approval.barcode)
        if product is None or meta is None or meta.approval_token != approval.token or product["approved"]:
            return  # deleted, updated again since, or already settled
        at = self._epoch_at(approval.due)
        marked = self._rejections.pop(approval.barcode, None)
        if marked is not None:
            reason, detail = marked
            product["rejected"] = True
            product["rejectReasonDetails"] = [{"rejectReason": reason, "rejectReasonDetail": detail}]
            self._record(None, "rejected", approval.barcode, reason, None, at)
        else:
            self._content_id += 1
            product["approved"] = True
            product["rejected"] = False
            product["rejectReasonDetails"] = []
            product["productContentId"] = self._content_id
            product["platformListingId"] = uuid.uuid5(uuid.NAMESPACE_URL, approval.barcode).hex
            self._record(None, "approved", approval.barcode, True, None, at)
        product["lastUpdateDate"] = int(at * 1000)
        _refresh_on_sale(product)

    def mark_rejection(self, barcode: str, reason: str, detail: str = "") -> None:
        """Reject ``barcode`` when its approval falls due (now, if it is already waiting)."""
        if not isinstance(barcode, str) or not barcode:
            raise ValueError("reject needs a barcode")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError("reject needs a reason, e.g. 'Zorunlu Ürün Özellik Değeri Eksik/Yanlış'")
        self.advance()
        with self._lock:
            product = self._products.get(barcode)
            if product is not None and product["approved"]:
                raise ValueError(f"product {barcode} is already approved; only products awaiting approval can be rejected")
            self._rejections[barcode] = (reason.strip(), detail or "")

    # --- reading products ---------------------------------------------------------------
    def filter_products(self, page: int, size: int, filters: dict[str, Any]) -> dict[str, Any]:
        self.advance()
        with self._lock:
            if "barcode" in filters:
                candidates = [self._products[filters["barcode"]]] if filters["barcode"] in self._products else []
            elif "stockCode" in filters:
                candidates = [self._products[b] for b in self._by_stock_code.get(filters["stockCode"], [])]
            else:
                candidates = list(self._products.values())
            flags = {k: v for k, v in filters.items() if k in ("approved", "onSale", "rejected", "archived")}
            if "productMainId" in filters:
                candidates = [p for p in candidates if p.get("productMainId") == filters["productMainId"]]
            if flags:
                candidates = [p for p in candidates if all(p[k] == v for k, v in flags.items())]
            total = len(candidates)
            chunk = candidates[page * size:(page + 1) * size]
            return {"totalElements": total, "totalPages": (total + size - 1) // size, "page": page, "size": size,
                    "content": [_public(p) for p in chunk]}

    def product(self, barcode: str) -> dict[str, Any] | None:
        self.advance()
        with self._lock:
            found = self._products.get(barcode)
            return _public(found) if found else None

    def all_products(self) -> list[dict[str, Any]]:
        self.advance()
        with self._lock:
            return [_public(p) for p in self._products.values()]

    def product_count(self) -> int:
        with self._lock:
            return len(self._products)

    def add_products(self, items: list[dict[str, Any]]) -> int:
        """Create or overwrite products directly (approved unless ``approved`` is false)."""
        if not isinstance(items, list):
            raise ValueError("products must be a list of objects")  # noqa: TRY004 (answered as a 400)
        leaf = self.catalog.leaves()[0]
        brand_id = self.catalog.brands[0][0]
        with self._lock:
            at = time.time()
            for raw in items:
                if not isinstance(raw, dict) or not isinstance(raw.get("barcode"), str) or not raw["barcode"]:
                    raise ValueError(f"each product needs a non-empty barcode: {raw!r}")
                barcode = raw["barcode"]
                if barcode in self._products:
                    self._remove(barcode)
                sale = float(raw.get("salePrice", 100.0))
                item = {"barcode": barcode, "title": raw.get("title") or f"Ürün {barcode}",
                        "productMainId": raw.get("productMainId") or barcode, "brandId": raw.get("brandId", brand_id),
                        "categoryId": raw.get("categoryId", leaf), "stockCode": raw.get("stockCode", barcode),
                        "description": raw.get("description") or "", "vatRate": raw.get("vatRate", 20),
                        "dimensionalWeight": raw.get("dimensionalWeight", 1), "quantity": int(raw.get("quantity", 0)),
                        "salePrice": sale, "listPrice": float(raw.get("listPrice", sale)),
                        "images": raw.get("images") or [{"url": f"https://cdn.example.com/{barcode}.jpg"}]}
                item["attributes"] = raw.get("attributes") or self._default_attributes(item["categoryId"])
                product = self._store_new(item, at, None)
                if raw.get("approved", True):
                    self._content_id += 1
                    product["approved"] = True
                    product["productContentId"] = self._content_id
                    product["platformListingId"] = uuid.uuid5(uuid.NAMESPACE_URL, barcode).hex
                if raw.get("rejected"):
                    product["approved"] = False
                    product["rejected"] = True
                    product["rejectReasonDetails"] = [{"rejectReason": str(raw.get("rejectReason") or "Reddedildi"),
                                                       "rejectReasonDetail": ""}]
                if raw.get("archived"):
                    product["archived"] = True
                    product["archivedDate"] = int(at * 1000)
                    self._meta[barcode].archived_at = at - float(raw.get("archivedSecondsAgo", 0))
                _refresh_on_sale(product)
        return len(items)

    def _default_attributes(self, category_id: Any) -> list[dict[str, Any]]:
        """Valid values for a seeded product's required attributes (the first allowed value)."""
        rules = self.catalog.attributes.get(category_id, []) if _is_int(category_id) else []
        out = []
        for rule in rules:
            if not rule.required:
                continue
            values = self.catalog.values.get(rule.attribute_id)
            if values:
                out.append({"attributeId": rule.attribute_id, "attributeValueIds": [values[0][0]]})
            else:
                out.append({"attributeId": rule.attribute_id, "attributeValue": "Belirtilmemiş"})
        return out

    # --- history ------------------------------------------------------------------------
    def _record(self, batch_id: str | None, kind: str, barcode: str, value: Any, accepted_at: float | None,
                applied_at: float) -> None:
        entry = {"batch_request_id": batch_id, "kind": kind, "barcode": barcode, "value": value,
                 "accepted_at": accepted_at, "applied_at": applied_at}
        self._history.append(entry)
        self._history_by_barcode.setdefault(barcode, []).append(entry)

    def history(self, barcode: str | None = None) -> list[dict[str, Any]]:
        self.advance()
        with self._lock:
            entries = self._history if barcode is None else self._history_by_barcode.get(barcode, [])
            return [dict(e) for e in entries]


def _copied(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A deep copy of JSON-shaped records (faster than copy.deepcopy for pages of packages)."""
    return json.loads(json.dumps(records, ensure_ascii=False))


def _public(product: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in product.items() if k not in _PUBLIC_HIDDEN}


def _refresh_on_sale(product: dict[str, Any]) -> None:
    """On sale: approved and not archived, locked or blacklisted (stock 0 stays "on sale",
    just not buyable, as on Trendyol where onSale is the seller's listing state)."""
    product["onSale"] = bool(product["approved"] and not product["archived"] and not product["locked"]
                             and not product["blacklisted"])


def _money(value: float) -> str:
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except InvalidOperation:
        return str(value)


def _unique(reasons: list[str]) -> list[str]:
    return list(dict.fromkeys(reasons))


def _fold(text: str) -> str:
    return str(text).replace("İ", "i").replace("I", "ı").lower().replace("ı", "i").strip()
