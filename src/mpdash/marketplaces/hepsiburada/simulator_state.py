"""The in-memory marketplace behind the Hepsiburada simulator.

Holds the options, the merchant's listings, the accepted uploads and the background
applier that carries them out in the order they were accepted, plus the per-merchant
request window and fault injection. The catalog side (:class:`CatalogState`) holds the
imported products, their imports and update requests, and the timed events that validate
an import after ``processing_delay`` and approve (or block) each product after
``approval_delay``; the same applier thread runs them, under the same lock, so a product
that becomes MATCHED is a listing at once. The order side (:class:`OrderState`) holds
orders and their lines, packages and their state machine, cancellations, unpacked packages
and claims, plus the shopper that places orders at ``order_rate`` and Hepsiburada's own
packing ``auto_pack_delay`` seconds after an order. Standard library only; every public
method is thread-safe. The HTTP side lives in :mod:`.simulator`, the category and attribute
data in :mod:`.catalog_data`, the shoppers' names and addresses in :mod:`.order_data`.
"""

from __future__ import annotations

import base64
import binascii
import copy
import heapq
import itertools
import math
import re
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from . import catalog_data, order_data
from .config import (
    CANCEL_REASONS,
    CLAIM_REASONS,
    CLAIMS_PAGE_SIZE,
    INVOICE_LINK_SUFFIX,
    LABEL_FORMATS,
    MAX_IMPORT_BYTES,
    MAX_LISTINGS_PER_UPLOAD,
    MAX_MERCHANT_STATEMENT,
    MAX_PRODUCTS_PER_IMPORT,
    OMS_DATE_FORMAT,
    OMS_UTC_OFFSET_HOURS,
    OWN_CARRIER_MAX_AGE_DAYS,
    PACKAGES_PAGE_SIZE,
    PAID_ORDERS_PAGE_SIZE,
    STATUS_LIST_PAGE_SIZE,
    UNPACKED_PAGE_SIZE,
)

FAULT_MODES = ("5xx", "timeout", "malformed", "429", "failed_upload")
DEFAULT_SHOPPER_SKUS = ("SIM-KILIF-1", "SIM-KULAKLIK-1", "SIM-SARJ-1")  # bought when no listing is on sale
UPLOAD_KINDS = ("stock", "price", "inventory")
PENDING_STATUS = "Pending"  # Hepsiburada documents only the end states Done/Failed; this one is a guess
TOO_MANY_PENDING = "There are too many ongoing/waiting inventory uploads at the moment. Please try again later."

DEFAULT_OPTIONS: dict[str, Any] = {
    "merchant_id": "demo-merchant",
    "username": "demo-merchant",
    "password": "demo-service-key",
    "user_agent": "mpdash",
    "processing_delay": 1.0,  # seconds between accepting an upload and applying it
    "latency": 0.0,  # seconds added to every API answer
    "rate_limit": 50,  # requests per second per merchant on listing paths; 0/None = off
    "max_items_per_upload": MAX_LISTINGS_PER_UPLOAD,
    "max_pending_uploads": None,  # Hepsiburada allows 5; off by default
    "fault": None,
    "timeout_sleep": 30.0,  # how long the "timeout" fault holds an answer
    # catalog (mpop) side
    "approval_delay": 2.0,  # seconds a valid imported product stays WAITING before MATCHED/BLOCKED
    "catalog_rate_limit": 100,  # catalog requests per second (Hepsiburada: 100/s per IP, 403 above); 0/None = off
    "max_products_per_import": MAX_PRODUCTS_PER_IMPORT,
    "max_import_bytes": MAX_IMPORT_BYTES,
    # order (OMS) side
    "order_rate": 0.0,  # orders per second the shopper places; 0 = no shopper
    "auto_pack_delay": 900.0,  # seconds after an order until Hepsiburada packs what the merchant has not; None = never
    "oms_rate_limit": 1000,  # OMS requests per second per merchant (Hepsiburada: 1,000, 429 above); 0/None = off
    "shopper_skus": list(DEFAULT_SHOPPER_SKUS),  # what the shopper buys when no listing is on sale
    "split_endpoint": True,  # False: …/split answers 404, as on a host without it
}

# Listing fields an upload may change, and the short name the history uses for each.
_HISTORY_NAMES = {"availableStock": "stock", "price": "price"}
_INT_FIELDS = {
    "availableStock": "InvalidAvailableStock",
    "maximumPurchasableQuantity": "InvalidMaximumPurchasableQuantity",
    "dispatchTime": "InvalidDispatchTime",
}
_TEXT_FIELDS = ("cargoCompany1", "cargoCompany2", "cargoCompany3", "shippingAddressLabel",
                "claimAddressLabel", "shippingProfileName")
_FIELDS_BY_KIND = {
    "stock": ("availableStock", "maximumPurchasableQuantity"),
    "price": ("price",),
    "inventory": ("price", "availableStock", "maximumPurchasableQuantity", "dispatchTime", *_TEXT_FIELDS),
}
_REQUIRED_BY_KIND = {"stock": "availableStock", "price": "price"}


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _base36(number: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out.rjust(width, "0")


def validate_options(changes: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise option changes; raise ValueError naming the bad option."""
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in DEFAULT_OPTIONS:
            raise ValueError(f"unknown simulator option {key!r}; known: {', '.join(sorted(DEFAULT_OPTIONS))}")
        try:
            if key in ("merchant_id", "username", "password", "user_agent"):
                if not isinstance(value, str) or not value:
                    raise ValueError("must be a non-empty string")
            elif key in ("processing_delay", "latency", "timeout_sleep", "approval_delay"):
                value = float(value)
                if value < 0:
                    raise ValueError("must be >= 0")
            elif key == "order_rate":
                value = float(value)
                if not 0 <= value <= 10_000:
                    raise ValueError("must be between 0 and 10000 orders per second")
            elif key == "auto_pack_delay":
                value = None if value is None else float(value)
                if value is not None and value < 0:
                    raise ValueError("must be >= 0 or null (never)")
            elif key == "shopper_skus":
                if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                    raise ValueError("must be a non-empty list of merchant skus")
                value = list(value)
            elif key == "split_endpoint":
                if not isinstance(value, bool):
                    raise ValueError("must be true or false")
            elif key in ("rate_limit", "max_pending_uploads", "catalog_rate_limit", "oms_rate_limit"):
                value = None if value in (None, 0) else int(value)
                if value is not None and value < 0:
                    raise ValueError("must be >= 0")
            elif key in ("max_items_per_upload", "max_products_per_import", "max_import_bytes"):
                value = int(value)
                if value < 1:
                    raise ValueError("must be >= 1")
            elif key == "fault":
                value = _validate_fault(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"simulator option {key}: {exc}") from None
        clean[key] = value
    return clean


def _validate_fault(fault: Any) -> dict[str, Any] | None:
    if fault is None:
        return None
    if not isinstance(fault, dict):
        raise ValueError('must be null or {"mode": ..., "count": ..., "path": ...}')
    unknown = set(fault) - {"mode", "count", "path", "status"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    mode = fault.get("mode")
    if mode not in FAULT_MODES:
        raise ValueError(f"mode must be one of {', '.join(FAULT_MODES)}")
    count = fault.get("count")
    if count is not None and (not _is_int(count) or count < 1):
        raise ValueError("count must be a positive whole number or null (until cleared)")
    path = fault.get("path")
    if path is not None:
        re.compile(path)  # re.error is a ValueError
    status = fault.get("status", 500)
    if not _is_int(status) or not 500 <= status <= 599:
        raise ValueError("status must be a 5xx code")
    return {"mode": mode, "count": count, "path": path, "status": status}


@dataclass
class Upload:
    """One accepted upload and what became of it."""

    id: str
    kind: str
    merchant_id: str
    items: list[dict[str, Any]]
    accepted_at: float  # epoch seconds
    due_at: float  # monotonic seconds at which the applier may apply it
    created_at: str
    fail_whole: bool = False
    status: str = PENDING_STATUS
    applied_at: float | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def status_answer(self) -> dict[str, Any]:
        """The answer of ``GET …/{kind}-uploads/id/{id}``, shaped like Hepsiburada's."""
        finished = self.applied_at is not None
        answer: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "createdAt": self.created_at,
            "total": len(self.items),
            "processed": len(self.items) if finished and not self.fail_whole else 0,
            "errors": copy.deepcopy(self.errors) or None,
        }
        if self.kind == "price":
            answer["priceValidations"] = None
        return answer


# --- catalog (mpop) ---------------------------------------------------------------------
WAITING, MATCHED, BLOCKED = "WAITING", "MATCHED", "BLOCKED"
PRODUCT_STATUSES = ("WAITING", "IN_EXTERNAL_PROGRESS", "PRE_MATCHED", "MATCHED", "REJECTED",
                    "MATCHED_WITH_STAGED", "MISSING_INFO", "CREATED", "BLOCKED")
# guess: Hepsiburada's real reasons are free Turkish text written by its content team.
DEFAULT_REJECT_REASON = "Product images do not meet Hepsiburada's content rules"
PHOTO_LIMIT_TEXT = "The number of photos for the products to be sent must not exceed {limit}"  # the setup guide's rule
_IMAGE_KEY = re.compile(r"^image(\d+)$", re.IGNORECASE)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def parse_price(value: Any) -> float | None:
    """A positive amount from a number or a text such as "130,50" / "1.234,50" / "99.9"; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if "," in text and "." in text:  # Turkish thousands separator: 1.234,50
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and number > 0 else None


def parse_stock(value: Any) -> int | None:
    """A whole number >= 0 from a number or a digit string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _image_urls(attributes: dict[str, Any]) -> list[str]:
    numbered = []
    for key, value in attributes.items():
        match = _IMAGE_KEY.match(str(key))
        if match and not _blank(value):
            numbered.append((int(match.group(1)), str(value)))
    return [url for _, url in sorted(numbered)]


def _sku_of(raw: Any) -> str | None:
    attrs = raw.get("attributes") if isinstance(raw, dict) else None
    sku = attrs.get("merchantSku") if isinstance(attrs, dict) else None
    if isinstance(sku, bool) or not isinstance(sku, (str, int)) or _blank(sku):
        return None
    return str(sku)


def _values_of(value: Any, multi: bool) -> list[str]:
    """The values an attribute entry carries. guess: a multi-value attribute takes a comma-separated text."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if not _blank(v)]
    text = str(value).strip()
    return [part.strip() for part in text.split(",") if part.strip()] if multi else [text]


@dataclass
class CatalogImport:
    """One uploaded import file (``POST /product/api/products/import``) and its outcome."""

    tracking_id: str
    merchant_id: str
    items: list[Any]
    created_at: str
    due_at: float
    fail_whole: bool = False
    processed: bool = False
    outcomes: list[dict[str, Any]] = field(default_factory=list)  # per item, once processed


@dataclass
class UpdateRequest:
    """One product update file (``POST /ticket-api/api/integrator/import``) and its outcome."""

    tracking_id: str
    merchant_id: str
    items: list[Any]
    created_at: str
    due_at: float
    fail_whole: bool = False
    processed: bool = False
    outcomes: list[dict[str, Any]] = field(default_factory=list)


class CatalogState:
    """The catalog half of :class:`SimulatorState` (a mixin: it uses its lock, options and listings)."""

    _lock: threading.Lock
    _changed: threading.Condition
    _options: dict[str, Any]

    def _clear_catalog(self) -> None:
        self._products: dict[str, dict[str, Any]] = {}  # merchantSku -> product
        self._imports: dict[str, CatalogImport] = {}
        self._updates: dict[str, UpdateRequest] = {}
        self._reject_marks: dict[str, list[str]] = {}  # merchantSku -> reasons, used at its decision
        self._catalog_events: list[tuple[float, int, str, str]] = []  # heap of (due, seq, kind, key)
        self._event_seq = itertools.count()
        self.imports_total = 0
        self.updates_total = 0

    # --- timing -----------------------------------------------------------------------
    def _schedule(self, due_at: float, kind: str, key: str) -> int:
        seq = next(self._event_seq)
        heapq.heappush(self._catalog_events, (due_at, seq, kind, key))
        return seq

    def _drop_decision(self, sku: str) -> None:
        """Forget a product's pending approval (decided by hand, or replaced by a new import)."""
        kept = [event for event in self._catalog_events if not (event[2] == "decide" and event[3] == sku)]
        if len(kept) != len(self._catalog_events):
            heapq.heapify(kept)
            self._catalog_events = kept

    def _advance_catalog(self, now: float) -> bool:
        """Run every catalog event due by ``now`` (lock held); True when something changed."""
        changed = False
        while self._catalog_events and self._catalog_events[0][0] <= now:
            _, seq, kind, key = heapq.heappop(self._catalog_events)
            if kind == "import":
                self._process_import(self._imports[key])
            elif kind == "update":
                self._process_update(self._updates[key])
            elif kind == "decide":
                self._decide(key, seq)
            changed = True
        return changed

    def _catch_up(self) -> None:
        """Bring the catalog to the present before answering (the lock is held)."""
        if self._advance_catalog(time.monotonic()):
            self._changed.notify_all()

    def wait_until_catalog_settled(self, timeout: float) -> bool:
        """Block until no import, update or approval is pending (or ``timeout`` passes)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._catalog_events or self._stopping, timeout)

    # --- imports ----------------------------------------------------------------------
    def accept_import(self, merchant_id: str, items: list[Any], fail_whole: bool = False) -> CatalogImport:
        with self._lock:
            imp = CatalogImport(
                tracking_id=str(uuid.uuid4()), merchant_id=merchant_id, items=items, created_at=_now_iso(),
                due_at=time.monotonic() + self._options["processing_delay"], fail_whole=fail_whole,
            )
            self._imports[imp.tracking_id] = imp
            self._schedule(imp.due_at, "import", imp.tracking_id)
            self.imports_total += 1
            self._changed.notify_all()
            return imp

    def _process_import(self, imp: CatalogImport) -> None:
        imp.processed = True
        seen: set[str] = set()
        for number, raw in enumerate(imp.items, start=1):
            sku = _sku_of(raw)
            duplicate = sku is not None and sku in seen
            if sku is not None:
                seen.add(sku)
            outcome = {"itemOrderID": number, "merchantSku": sku}
            try:
                errors, validation = self._validate_import_item(imp, raw, duplicate)
                if not errors and not validation:
                    self._store_product(imp, raw)
            except Exception as exc:  # a simulator bug must not stop the applier thread
                errors, validation = [f"Simulator error while validating this product: {exc!r}"], []
            if errors or validation:
                outcome.update(importStatus="FAILED", errors=errors, validation=validation)
            else:
                outcome.update(importStatus="SUCCESS", errors=[], validation=[])
            imp.outcomes.append(outcome)

    def _validate_import_item(
        self, imp: CatalogImport, raw: Any, duplicate: bool
    ) -> tuple[list[str], list[dict[str, str]]]:
        """(import messages, validation results) that make Hepsiburada refuse one product.

        "<attribute> attribute is required" is the setup guide's text and "<attr> : <value> was
        not defined for <set> attribute set" the channel app's; the photo limit is the guide's
        rule. guess: the wording of the category, price, stock and file-level messages.
        """
        if imp.fail_whole:
            return ["Hepsiburada could not process this file (simulated failure); upload it again"], []
        if not isinstance(raw, dict):
            return ["Each element of the file must be a JSON object with categoryId, merchant and attributes"], []
        errors: list[str] = []
        validation: list[dict[str, str]] = []
        attrs = raw.get("attributes")
        if not isinstance(attrs, dict):
            return ["attributes must be a JSON object of attribute id -> value"], []
        sku = _sku_of(raw)
        if str(raw.get("merchant") or "").lower() != imp.merchant_id.lower():
            errors.append(f"merchant {raw.get('merchant')!r} does not match the merchant of these credentials")
        if duplicate:
            errors.append(f"merchantSku {sku} appears more than once in this file")
        existing = self._products.get(sku) if sku is not None else None
        # guess: a product already on sale is changed by the update service, not by importing it again.
        if existing is not None and existing["status"] == MATCHED:
            errors.append(f"merchantSku {sku} is already on sale as {existing['hbSku']}; "
                          "change it with the product update service")
        category_id = raw.get("categoryId")
        node = catalog_data.category(category_id)
        if node is None:
            errors.append(f"Category {category_id} not found")
        elif not node["leaf"]:
            errors.append(f"Category {category_id} ({node['name']}) is not a leaf category; "
                          "products can only be created under leaf categories")
        elif not catalog_data.can_take_products(node):
            errors.append(f"Category {category_id} ({node['name']}) does not accept products "
                          f"(status {node['status']}, available {str(node['available']).lower()}); "
                          "choose a leaf category with status ACTIVE and available true")
        else:
            definition = catalog_data.category_attributes(node["categoryId"]) or {}
            every = [*definition.get("baseAttributes", []), *definition.get("attributes", []),
                     *definition.get("variantAttributes", [])]
            for attribute in every:
                value = attrs.get(attribute["id"])
                if _blank(value):
                    if attribute["mandatory"]:
                        validation.append({"attributeName": attribute["id"],
                                           "message": f"{attribute['name']} attribute is required"})
                    continue
                if attribute["type"] != "enum":
                    continue
                allowed = catalog_data.allowed_values(attribute["id"])
                for one in _values_of(value, attribute["multiValue"]):
                    if one not in allowed:
                        validation.append({
                            "attributeName": attribute["id"],
                            "message": f"{attribute['name']} : {one} was not defined for {node['name']} attribute set",
                        })
        images = _image_urls(attrs)
        if len(images) > catalog_data.MAX_IMAGES:
            errors.append(PHOTO_LIMIT_TEXT.format(limit=catalog_data.MAX_IMAGES) + f" ({len(images)} sent)")
        if not _blank(attrs.get("price")) and parse_price(attrs["price"]) is None:
            validation.append({"attributeName": "price", "message": f"price: {attrs['price']!r} is not a valid "
                               "price; send a positive amount such as \"130,50\""})
        if not _blank(attrs.get("stock")) and parse_stock(attrs["stock"]) is None:
            validation.append({"attributeName": "stock", "message": f"stock: {attrs['stock']!r} is not a valid "
                               "stock; send a whole number of 0 or more"})
        return errors, validation

    def _store_product(self, imp: CatalogImport, raw: dict[str, Any]) -> None:
        """A valid product waits for approval (a re-import replaces a waiting or blocked one)."""
        attrs = raw["attributes"]
        sku = _sku_of(raw)
        node = catalog_data.category(raw["categoryId"])
        previous = self._products.get(sku)
        product = {
            "merchantSku": sku, "merchant": imp.merchant_id, "categoryId": node["categoryId"],
            "categoryName": node["name"], "status": WAITING,
            "hbSku": previous["hbSku"] if previous else None,
            "barcode": attrs.get("Barcode"), "productName": attrs.get("UrunAdi"),
            "description": attrs.get("UrunAciklamasi"), "brand": attrs.get("Marka"),
            "variantGroupId": attrs.get("VaryantGroupID"), "tax": attrs.get("tax_vat_rate"),
            "images": _image_urls(attrs), "attributes": copy.deepcopy(attrs),
            "price": parse_price(attrs.get("price")), "stock": parse_stock(attrs.get("stock")) or 0,
            "rejectReasonsMessages": [], "trackingId": imp.tracking_id, "createdAt": _now_iso(),
        }
        due = time.monotonic() + self._options["approval_delay"]
        self._drop_decision(sku)
        product["decision_seq"] = self._schedule(due, "decide", sku)
        self._products[sku] = product

    def _decide(self, sku: str, seq: int) -> None:
        product = self._products.get(sku)
        if product is None or product["decision_seq"] != seq or product["status"] != WAITING:
            return  # replaced by a later import, or decided by hand
        reasons = self._reject_marks.pop(sku, None)
        if reasons is not None:
            self._block(product, reasons)
        else:
            self._match(product)

    def _match(self, product: dict[str, Any]) -> None:
        """Approved: the product gets its hepsiburadaSku and becomes a listing with the imported price and stock."""
        hb_sku = product["hbSku"] or self._next_hb_sku()
        product.update(status=MATCHED, hbSku=hb_sku, rejectReasonsMessages=[])
        self._put_listing({"merchantSku": product["merchantSku"], "hepsiburadaSku": hb_sku,
                           "price": product["price"] or 0.0, "availableStock": product["stock"]})

    @staticmethod
    def _block(product: dict[str, Any], reasons: list[str]) -> None:
        product.update(status=BLOCKED, rejectReasonsMessages=list(reasons) or [DEFAULT_REJECT_REASON])

    def import_status(self, merchant_id: str, tracking_id: str) -> list[dict[str, Any]] | None:
        """The items of ``GET /product/api/products/status/{trackingId}`` (None when unknown)."""
        with self._lock:
            self._catch_up()
            imp = self._imports.get(tracking_id)
            if imp is None or imp.merchant_id.lower() != merchant_id.lower():
                return None
            if not imp.processed:
                return [self._processing_item(imp, number, raw) for number, raw in enumerate(imp.items, start=1)]
            return [self._import_item(imp, outcome) for outcome in imp.outcomes]

    # guess: before validation the status lists every product with importStatus PROCESSING
    # (the enum has it; whether Hepsiburada lists items that early is undocumented).
    @staticmethod
    def _processing_item(imp: CatalogImport, number: int, raw: Any) -> dict[str, Any]:
        sku = _sku_of(raw)
        return {"itemOrderID": number, "merchant": imp.merchant_id, "merchantSku": sku, "hbSku": None,
                "productStatus": None, "importStatus": "PROCESSING", "importMessages": [],
                "validationResults": [], "rejectReasonsMessages": [], "taskDetails": []}

    def _import_item(self, imp: CatalogImport, outcome: dict[str, Any]) -> dict[str, Any]:
        sku = outcome["merchantSku"]
        item: dict[str, Any] = {
            "itemOrderID": outcome["itemOrderID"], "merchant": imp.merchant_id, "merchantSku": sku,
            "importStatus": outcome["importStatus"], "taskDetails": [],
            "importMessages": [{"severity": "ERROR", "message": text} for text in outcome["errors"]],
            "validationResults": copy.deepcopy(outcome["validation"]),
        }
        product = self._products.get(sku) if outcome["importStatus"] == "SUCCESS" else None
        if product is None:
            item.update(hbSku=None, productStatus=None, rejectReasonsMessages=[])
            return item
        item["importMessages"] = [{"severity": "INFORMATION", "message": "Product received"}]
        item.update(self._product_view(product))
        return item

    @staticmethod
    def _product_view(product: dict[str, Any]) -> dict[str, Any]:
        view = {
            "merchantSku": product["merchantSku"], "barcode": product["barcode"], "hbSku": product["hbSku"],
            "variantGroupId": product["variantGroupId"], "productName": product["productName"],
            "categoryId": product["categoryId"], "productStatus": product["status"],
            "rejectReasonsMessages": list(product["rejectReasonsMessages"]),
            "matchedHbProductInfo": [],
        }
        if product["status"] == MATCHED:
            view["matchedHbProductInfo"] = [{"hbSku": product["hbSku"], "productName": product["productName"],
                                             "brand": product["brand"], "images": list(product["images"]),
                                             "variantTypeAttributes": []}]
        return view

    def check_product_status(self, merchant_id: str, skus: list[str]) -> list[dict[str, str]]:
        """``skuStatusList`` of check-product-status: known skus only (guess: unknown ones are left out)."""
        with self._lock:
            self._catch_up()
            return [{"merchantSku": sku, "status": self._products[sku]["status"]} for sku in skus
                    if sku in self._products and self._products[sku]["merchant"].lower() == merchant_id.lower()]

    def products_by_status(self, merchant_id: str, status: str) -> list[dict[str, Any]]:
        with self._lock:
            self._catch_up()
            return [{**self._product_view(p), "validationResults": [], "taskDetails": []}
                    for p in self._products.values()
                    if p["status"] == status and p["merchant"].lower() == merchant_id.lower()]

    # --- product updates (ticket-api) ---------------------------------------------------
    # guess: Hepsiburada reviews update requests (tickets) by hand, which can take days; here
    # they are decided ``processing_delay`` seconds after upload.
    def accept_update(self, merchant_id: str, items: list[Any], fail_whole: bool = False) -> UpdateRequest:
        with self._lock:
            request = UpdateRequest(
                tracking_id=str(uuid.uuid4()), merchant_id=merchant_id, items=items, created_at=_now_iso(),
                due_at=time.monotonic() + self._options["processing_delay"], fail_whole=fail_whole,
            )
            self._updates[request.tracking_id] = request
            self._schedule(request.due_at, "update", request.tracking_id)
            self.updates_total += 1
            self._changed.notify_all()
            return request

    def _process_update(self, request: UpdateRequest) -> None:
        request.processed = True
        by_hb_sku = {p["hbSku"]: p for p in self._products.values()
                     if p["status"] == MATCHED and p["merchant"].lower() == request.merchant_id.lower()}
        for raw in request.items:
            hb_sku = raw.get("hbSku") if isinstance(raw, dict) else None
            hb_sku = hb_sku if isinstance(hb_sku, str) else None
            outcome: dict[str, Any] = {"hbSku": hb_sku, "message": None, "productStatus": "COMPLETED",
                                       "updateResults": []}
            product = by_hb_sku.get(hb_sku)
            if request.fail_whole:
                outcome["message"] = "Hepsiburada could not process this file (simulated failure); upload it again"
            elif product is None:
                outcome["message"] = f"No product with hbSku {hb_sku} is on sale for this merchant"
            else:
                try:
                    outcome["updateResults"] = self._apply_update(product, raw)
                except Exception as exc:  # a simulator bug must not stop the applier thread
                    outcome["message"] = f"Simulator error while updating this product: {exc!r}"
            request.outcomes.append(outcome)

    def _apply_update(self, product: dict[str, Any], raw: dict[str, Any]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for key, name, field_name in (("productName", "productName", "NAME"),
                                      ("productDescription", "description", "DESCRIPTION")):
            if key in raw:
                if _blank(raw[key]):
                    results.append({"fieldName": field_name, "fieldResult": "REJECTED",
                                    "rejectReason": f"{key} cannot be empty"})
                else:
                    product[name] = raw[key]
                    results.append({"fieldName": field_name, "fieldResult": "APPROVED", "rejectReason": None})
        images = _image_urls(raw)
        if images:
            if len(images) > catalog_data.MAX_IMAGES:
                results.append({"fieldName": "MEDIA", "fieldResult": "REJECTED",
                                "rejectReason": PHOTO_LIMIT_TEXT.format(limit=catalog_data.MAX_IMAGES)
                                + f" ({len(images)} sent)"})
            else:
                product["images"] = images
                results.append({"fieldName": "MEDIA", "fieldResult": "APPROVED", "rejectReason": None})
        attrs = raw.get("attributes")
        if isinstance(attrs, dict) and attrs:
            definition = catalog_data.category_attributes(product["categoryId"]) or {}
            known = {a["id"]: a for a in [*definition.get("attributes", []), *definition.get("variantAttributes", [])]}
            verdicts = []
            for key, value in attrs.items():
                attribute = known.get(key)
                reason = None
                if attribute is None:
                    reason = f"{key} is not an attribute of {product['categoryName']}"
                elif not _blank(value) and attribute["type"] == "enum":
                    bad = [v for v in _values_of(value, attribute["multiValue"])
                           if v not in catalog_data.allowed_values(key)]
                    if bad:
                        reason = (f"{attribute['name']} : {bad[0]} was not defined for "
                                  f"{product['categoryName']} attribute set")
                if reason is None:
                    if _blank(value):
                        product["attributes"].pop(key, None)  # an empty value deletes the attribute
                    else:
                        product["attributes"][key] = value
                kind = "VARIANT_TYPE" if key.endswith("_variant_property") else "OPTIONAL"
                verdicts.append({"attributeId": key, "displayName": attribute["name"] if attribute else key,
                                 "rejectReason": reason, "attributeType": kind,
                                 "fieldResult": "REJECTED" if reason else "APPROVED"})
            rejected = sum(1 for v in verdicts if v["fieldResult"] == "REJECTED")
            overall = "APPROVED" if not rejected else "REJECTED" if rejected == len(verdicts) else "PARTIAL_APPROVED"
            results.append({"fieldName": "ATTRIBUTE", "fieldResult": overall, "attributes": verdicts,
                            "rejectReason": next((v["rejectReason"] for v in verdicts if v["rejectReason"]), None)})
        return results

    def update_status(self, merchant_id: str, tracking_id: str) -> list[dict[str, Any]] | None:
        with self._lock:
            self._catch_up()
            request = self._updates.get(tracking_id)
            if request is None or request.merchant_id.lower() != merchant_id.lower():
                return None
            if request.processed:
                return copy.deepcopy(request.outcomes)
            return [{"hbSku": raw.get("hbSku") if isinstance(raw, dict) else None, "message": None,
                     "productStatus": "UNCOMPLETED", "updateResults": []} for raw in request.items]

    # --- steering and inspection -------------------------------------------------------
    def mark_for_rejection(self, skus: list[str], reasons: list[str] | None = None, now: bool = False) -> int:
        """Block these skus at their approval (or at once with ``now`` for waiting ones); returns how many
        were blocked at once."""
        reasons = [str(r) for r in (reasons or []) if str(r).strip()] or [DEFAULT_REJECT_REASON]
        blocked = 0
        with self._lock:
            self._catch_up()
            for sku in skus:
                product = self._products.get(sku)
                if now and product is not None and product["status"] == WAITING:
                    self._block(product, reasons)
                    self._drop_decision(sku)
                    blocked += 1
                else:
                    self._reject_marks[sku] = reasons
            self._changed.notify_all()
        return blocked

    def approve_now(self, skus: list[str]) -> int:
        """Match these waiting products at once; returns how many were matched."""
        matched = 0
        with self._lock:
            self._catch_up()
            for sku in skus:
                product = self._products.get(sku)
                if product is not None and product["status"] == WAITING:
                    self._reject_marks.pop(sku, None)
                    self._match(product)
                    self._drop_decision(sku)
                    matched += 1
            self._changed.notify_all()
        return matched

    def catalog_product(self, sku: str) -> dict[str, Any] | None:
        with self._lock:
            self._catch_up()
            product = self._products.get(sku)
            return copy.deepcopy(product) if product else None

    def catalog_products(self) -> list[dict[str, Any]]:
        with self._lock:
            self._catch_up()
            return [copy.deepcopy(p) for p in self._products.values()]

    def catalog_import(self, tracking_id: str) -> dict[str, Any] | None:
        with self._lock:
            self._catch_up()
            imp = self._imports.get(tracking_id)
            if imp is None:
                return None
            return {"trackingId": imp.tracking_id, "merchant_id": imp.merchant_id, "created_at": imp.created_at,
                    "processed": imp.processed, "items": copy.deepcopy(imp.items),
                    "outcomes": copy.deepcopy(imp.outcomes)}

    def catalog_counters(self) -> dict[str, Any]:
        with self._lock:
            self._catch_up()
            return {"imports_total": self.imports_total, "updates_total": self.updates_total,
                    "products_total": len(self._products),
                    "by_status": dict(Counter(p["status"] for p in self._products.values()))}


# --- orders, packages and claims (OMS) ---------------------------------------------------------
OPEN = "Open"  # guess: the status of a paid line waiting to be packaged (the document leaves it untyped)
PACKAGED, IN_TRANSIT, DELIVERED, UNDELIVERED = "Packaged", "InTransit", "Delivered", "Undelivered"
CANCELLED, UNPACKED = "Cancelled", "Unpacked"
PACKAGE_STATUSES = (PACKAGED, IN_TRANSIT, DELIVERED, UNDELIVERED, CANCELLED, UNPACKED)
# The only moves a package makes; anything else is refused with 409 (guess: the documents list 400
# for every refusal; 409 tells a wrong state from a malformed request).
PACKAGE_MOVES: dict[str, tuple[str, ...]] = {
    PACKAGED: (IN_TRANSIT, CANCELLED, UNPACKED),
    IN_TRANSIT: (DELIVERED, UNDELIVERED),
}
AWAITING_ACTION, IN_DISPUTE, NEW_REQUEST = "AwaitingAction", "InDispute", "NewRequest"
# Claim moves Hepsiburada (or the customer) makes; the merchant only accepts or rejects AwaitingAction ones.
CLAIM_MOVES: dict[str, tuple[str, ...]] = {
    NEW_REQUEST: (AWAITING_ACTION, "Cancelled"),
    AWAITING_ACTION: ("Accepted", "Cancelled"),
    IN_DISPUTE: ("Accepted", "Rejected"),
    "Accepted": ("Refunded",),
}
SIM_TZ = timezone(timedelta(hours=OMS_UTC_OFFSET_HOURS))
OMS_PAGE_LIMITS = {  # listing -> (largest limit, default limit); over the largest is cut to it
    "orders": (PAID_ORDERS_PAGE_SIZE, PAID_ORDERS_PAGE_SIZE),
    "packages": (PACKAGES_PAGE_SIZE, PACKAGES_PAGE_SIZE),
    "status": (STATUS_LIST_PAGE_SIZE, STATUS_LIST_PAGE_SIZE),
    "unpacked": (UNPACKED_PAGE_SIZE, UNPACKED_PAGE_SIZE),
    "claims": (CLAIMS_PAGE_SIZE, CLAIMS_PAGE_SIZE),
}
DEFAULT_UNIT_PRICE = 100.0
# A 1x1 PNG: the simulated cargo label (guess: Hepsiburada answers label images base64-encoded).
LABEL_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
_CATCH_UP_LIMIT = 5.0  # seconds of shopper backlog placed at once; older backlog is dropped
_SHOPPER_SCAN = 200  # listings the shopper looks at for each order
_SHOPPER_STRIDE = 37  # how far the shopper's starting point moves between orders


class OmsError(Exception):
    """An OMS request the simulator refuses: HTTP ``status`` and Hepsiburada-style ``message``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def sim_iso(epoch: float | None) -> str | None:
    """A simulator time as the OMS answers it: ISO 8601 in Turkey time with milliseconds."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, SIM_TZ).isoformat(timespec="milliseconds")


def parse_query_date(text: str) -> float:
    """A ``begindate``/``enddate`` value (``yyyy-MM-dd HH:mm``, Turkey time) as epoch seconds."""
    try:
        return datetime.strptime(text.strip(), OMS_DATE_FORMAT).replace(tzinfo=SIM_TZ).timestamp()
    except (ValueError, AttributeError):
        raise OmsError(400, f"WrongDateFormat: {text!r} is not a date in the format yyyy-MM-dd HH:mm") from None


def parse_body_date(value: Any, name: str) -> float:
    """A date in a request body (ISO 8601, or yyyy-MM-dd HH:mm; without an offset: Turkey time)."""
    if not isinstance(value, str) or not value.strip():
        raise OmsError(400, f"{name} is required (an ISO 8601 date)")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.strptime(text, OMS_DATE_FORMAT)
        except ValueError:
            raise OmsError(400, f"{name}: {value!r} is not a date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SIM_TZ)
    return moment.timestamp()


def _money(amount: float) -> dict[str, Any]:
    return {"amount": round(amount, 2), "currency": "TRY"}


def _vat(gross: float, rate: float) -> float:
    """The VAT inside a VAT-inclusive amount."""
    return round(gross * rate / (100 + rate), 2)


def _in_window(moment: float | None, begin: float | None, end: float | None) -> bool:
    """``begin`` is inclusive, ``end`` exclusive (guess: the documents say "from" and "before")."""
    if moment is None:
        return False
    return (begin is None or moment >= begin) and (end is None or moment < end)


class OrderState:
    """The order half of :class:`SimulatorState` (a mixin: it uses its lock, options and listings).

    Orders are placed with paid lines (``Open``). The merchant packs lines into packages (or
    Hepsiburada does, ``auto_pack_delay`` seconds after the order when the merchant has not);
    a package then moves ``Packaged → InTransit → Delivered | Undelivered``, or from
    ``Packaged`` to ``Cancelled`` or ``Unpacked`` (its lines are waiting again), and no other
    way. Claims are opened on delivered lines and go ``AwaitingAction → Accepted`` or, when the
    merchant rejects, ``InDispute`` until Hepsiburada decides. A shopper places orders at
    ``order_rate`` per second. Times are epoch seconds; timed work is (due, seq, kind, key)
    events run by the applier thread under the state's lock.
    """

    _lock: threading.Lock
    _changed: threading.Condition
    _options: dict[str, Any]
    _listings: dict[str, dict[str, Any]]
    _order: list[str]
    _products: dict[str, dict[str, Any]]

    def _clear_orders(self) -> None:
        self._orders: dict[str, dict[str, Any]] = {}  # orderNumber -> order
        self._lines: dict[str, dict[str, Any]] = {}  # lineItemId -> line (in creation order)
        self._packages: dict[str, dict[str, Any]] = {}  # packageNumber -> package (in creation order)
        self._cancelled: list[dict[str, Any]] = []  # cancelled lines, in cancellation order
        self._unpacked: list[dict[str, Any]] = []  # unpacked packages, in unpack order
        self._claims: dict[str, dict[str, Any]] = {}  # claim number -> claim (in creation order)
        self._order_events: list[tuple[float, int, str, str]] = []  # heap of (due, seq, kind, key)
        self._order_event_seq = itertools.count()
        self._seq = itertools.count()  # creation order of lines and packages, for stable paging
        self._hb_skus_of: dict[str, str] = {}  # merchantSku without a listing -> its made-up hbSku
        self._shopper_n = 0
        self._shop_generation = 0
        self.orders_total = 0
        self.packages_total = 0
        self.claims_total = 0

    # --- timing -----------------------------------------------------------------------
    def _schedule_order_event(self, due_at: float, kind: str, key: str) -> None:
        heapq.heappush(self._order_events, (due_at, next(self._order_event_seq), kind, key))

    def _restart_shopper(self) -> None:
        """(Re)start the shopper at ``order_rate`` (lock held): earlier schedules are forgotten."""
        self._shop_generation += 1
        rate = self._options["order_rate"]
        if rate:
            self._schedule_order_event(time.monotonic() + 1.0 / rate, "shop", str(self._shop_generation))
        self._changed.notify_all()

    def _advance_orders(self, now: float) -> bool:
        """Run every order event due by ``now`` (lock held); True when something changed."""
        changed = False
        while self._order_events and self._order_events[0][0] <= now:
            due, _, kind, key = heapq.heappop(self._order_events)
            if kind == "shop":
                if key != str(self._shop_generation) or not self._options["order_rate"]:
                    continue  # the rate changed since this was scheduled
                self._place_shopper_order()
                next_due = max(due, now - _CATCH_UP_LIMIT) + 1.0 / self._options["order_rate"]
                self._schedule_order_event(next_due, "shop", key)
            elif kind == "autopack":
                self._auto_pack(key)
            changed = True
        return changed

    def _next_order_due(self) -> float | None:
        return self._order_events[0][0] if self._order_events else None

    def _catch_up_orders(self) -> None:
        if self._advance_orders(time.monotonic()):
            self._changed.notify_all()

    # --- placing orders ---------------------------------------------------------------
    def _hb_sku_for(self, sku: str) -> str:
        listing = self._listings.get(sku)
        if listing is not None:
            return listing["hepsiburadaSku"]
        if sku not in self._hb_skus_of:
            self._hb_skus_of[sku] = self._next_hb_sku()  # type: ignore[attr-defined]
        return self._hb_skus_of[sku]

    def place_order(self, lines: Any, *, shopper_n: int | None = None, abroad: bool = False,
                    at: float | None = None, pack: bool = False, paid: bool = True) -> dict[str, Any]:
        """Place one order: ``lines`` is ``[{merchantSku, quantity[, price][, hbDiscount][, name]}]``.

        ``at`` backdates it (epoch seconds); ``pack`` has Hepsiburada package it at once.
        Raises OmsError(400) when a line is malformed.
        """
        if not isinstance(lines, list) or not lines:
            raise OmsError(400, 'lines must be a non-empty list of {"merchantSku", "quantity"}')
        clean = []
        for raw in lines:
            if not isinstance(raw, dict) or not isinstance(raw.get("merchantSku"), str) or not raw["merchantSku"]:
                raise OmsError(400, f"every line needs a merchantSku: {raw!r}")
            quantity = raw.get("quantity", 1)
            if not _is_int(quantity) or quantity < 1:
                raise OmsError(400, f"quantity of {raw['merchantSku']} must be a whole number of at least 1")
            for key in ("price", "hbDiscount"):
                if key in raw and (not _is_number(raw[key]) or raw[key] < 0):
                    raise OmsError(400, f"{key} of {raw['merchantSku']} must be a number of at least 0")
            clean.append(raw)
        with self._lock:
            self._catch_up_orders()
            order = self._place(clean, shopper_n=shopper_n, abroad=abroad, at=at, paid=paid)
            if pack:
                self._auto_pack(order["orderNumber"], at=at)
            self._changed.notify_all()
            return self._order_view(order)

    def _place(self, lines: list[dict[str, Any]], *, shopper_n: int | None, abroad: bool, at: float | None,
               paid: bool = True) -> dict[str, Any]:
        self.orders_total += 1
        number = str(4_100_000_000 + self.orders_total)
        if shopper_n is None:
            shopper_n = self._shopper_n
            self._shopper_n += 1
        person = order_data.shopper(shopper_n, abroad=abroad)
        placed = time.time() if at is None else at
        order = {"orderNumber": number, "orderId": str(uuid.uuid4()), "placed": placed, "customer": person,
                 "microExport": abroad, "lines": []}
        self._orders[number] = order
        for raw in lines:
            sku = raw["merchantSku"]
            listing = self._listings.get(sku)
            price = raw.get("price")
            if price is None:
                price = listing["price"] if listing is not None and listing["price"] > 0 else DEFAULT_UNIT_PRICE
            product = self._products.get(sku)
            carrier = order_data.carrier_by_name(listing["cargoCompany1"] if listing else None)
            line = {
                "id": str(uuid.uuid4()), "seq": next(self._seq), "orderNumber": number, "merchantSku": sku,
                "hbSku": self._hb_sku_for(sku), "name": raw.get("name") or (product or {}).get("productName")
                or f"Ürün {sku}", "quantity": raw.get("quantity", 1), "unitPrice": float(price),
                "unitHbDiscount": float(raw.get("hbDiscount", 0.0)), "vatRate": 20,
                "status": OPEN, "packageNumber": None, "created": placed, "updated": placed,
                "canCreatePackage": paid, "cargo": carrier["shortName"],
                "listingId": listing["listingId"] if listing else None,
            }
            self._lines[line["id"]] = line
            order["lines"].append(line["id"])
            if listing is not None:  # the sale takes the units off the listing
                listing["availableStock"] = max(0, listing["availableStock"] - line["quantity"])
                _refresh_salable(listing)
        delay = self._options["auto_pack_delay"]
        if delay is not None:
            self._schedule_order_event(time.monotonic() + delay, "autopack", number)
        return order

    def _place_shopper_order(self) -> None:
        """The shopper's next order: 1-2 lines of salable listings (else ``shopper_skus``), 1-3 units each.

        Listings are looked at ``_SHOPPER_SCAN`` at a time from a point that moves with each
        order, so a catalogue of 100,000 listings costs no more than a small one.
        """
        n = self._shopper_n
        count = len(self._order)
        start = (n * _SHOPPER_STRIDE) % count if count else 0
        window = (self._order[(start + i) % count] for i in range(min(count, _SHOPPER_SCAN)))
        salable = [sku for sku in window if self._listings[sku]["isSalable"]]
        skus = salable or list(self._options["shopper_skus"])
        count = 1 + n % 2 if len(skus) > 1 else 1
        lines = [{"merchantSku": skus[(n * 5 + i * 3) % len(skus)], "quantity": 1 + (n + i) % 3} for i in range(count)]
        if count == 2 and lines[0]["merchantSku"] == lines[1]["merchantSku"]:
            lines = lines[:1]
        self._place(lines, shopper_n=None, abroad=n % 25 == 24, at=None)

    # --- packages -----------------------------------------------------------------------
    def _portion(self, line: dict[str, Any], quantities: list[int]) -> list[dict[str, Any]]:
        """Split ``line`` into lines of these quantities (they sum to its quantity); the first keeps its id."""
        out = [line]
        line["quantity"] = quantities[0]
        for quantity in quantities[1:]:
            part = {**line, "id": str(uuid.uuid4()), "seq": next(self._seq), "quantity": quantity}
            self._lines[part["id"]] = part
            self._orders[line["orderNumber"]]["lines"].append(part["id"])
            out.append(part)
        return out

    def _new_package(self, lines: list[dict[str, Any]], cargo: str, by: str, at: float | None = None) -> dict[str, Any]:
        self.packages_total += 1
        now = time.time() if at is None else at
        number = str(6_500_000_000 + self.packages_total)
        package = {
            "packageNumber": number, "id": str(uuid.uuid4()), "seq": next(self._seq),
            "barcode": f"HBC{7_000_000_000 + self.packages_total}", "status": PACKAGED,
            "lines": [line["id"] for line in lines], "cargo": cargo, "created": now, "updated": now,
            "packedBy": by, "shipped": None, "delivered": None, "undelivered": None, "undeliveredReason": None,
            "unpacked": None, "trackingNumber": None, "trackingUrl": None, "invoice": None,
            "history": [{"status": PACKAGED, "at": now, "by": by}],
        }
        for line in lines:
            line.update(status=PACKAGED, packageNumber=number, updated=now)
        self._packages[number] = package
        return package

    def create_package(self, requests: Any, cargo_short: Any = None) -> dict[str, Any]:
        """``POST /packages/merchantid/{id}``: package paid lines; returns ``{barcode, packageNumber}``."""
        if not isinstance(requests, list) or not requests:
            raise OmsError(400, "lineItemRequests must be a non-empty list of {id, quantity}")
        with self._lock:
            self._catch_up_orders()
            wanted: list[tuple[dict[str, Any], int]] = []
            for raw in requests:
                if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
                    raise OmsError(400, f"every lineItemRequest needs an id: {raw!r}")
                line = self._lines.get(raw["id"])
                if line is None:
                    raise OmsError(404, f"Line item {raw['id']} not found")
                if any(line is other for other, _ in wanted):
                    raise OmsError(400, f"Line item {raw['id']} appears more than once")
                quantity = raw.get("quantity")
                if not _is_int(quantity) or not 1 <= quantity <= line["quantity"]:
                    raise OmsError(400, f"quantity of line item {raw['id']} must be between 1 and {line['quantity']}")
                if line["status"] != OPEN:
                    raise OmsError(409, f"Line item {raw['id']} is {line['status']}; only lines waiting to be "
                                   "packaged can be packaged")
                if not line["canCreatePackage"]:
                    raise OmsError(400, f"Line item {raw['id']} is not paid yet (canCreatePackage false)")
                wanted.append((line, quantity))
            customers = {self._orders[line["orderNumber"]]["customer"]["customerId"] for line, _ in wanted}
            if len(customers) > 1:
                raise OmsError(400, "these line items cannot be packaged together: they go to different customers")
            cargo = wanted[0][0]["cargo"]
            if cargo_short not in (None, ""):
                found = order_data.carrier(cargo_short) if isinstance(cargo_short, str) else None
                if found is None:
                    raise OmsError(400, f"unknown cargo company {cargo_short!r}; use a short name such as "
                                   f"{', '.join(order_data.CARRIERS)}")
                cargo = found["shortName"]
            packed = []
            for line, quantity in wanted:
                parts = self._portion(line, [quantity, line["quantity"] - quantity]) if quantity < line["quantity"] \
                    else [line]
                packed.append(parts[0])
            package = self._new_package(packed, cargo, by="merchant")
            self._changed.notify_all()
            return {"barcode": package["barcode"], "packageNumber": package["packageNumber"]}

    def _auto_pack(self, order_number: str, at: float | None = None) -> None:
        """Hepsiburada packs an order's paid lines the merchant has not packed (lock held)."""
        order = self._orders.get(order_number)
        if order is None:
            return
        waiting = [self._lines[i] for i in order["lines"]
                   if self._lines[i]["status"] == OPEN and self._lines[i]["canCreatePackage"]]
        if waiting:
            self._new_package(waiting, waiting[0]["cargo"], by="hepsiburada", at=at)

    def _package(self, package_number: str) -> dict[str, Any]:
        package = self._packages.get(package_number)
        if package is None:
            raise OmsError(404, f"Package {package_number} not found")
        return package

    def _move(self, package: dict[str, Any], status: str, by: str, at: float | None = None) -> float:
        current = package["status"]
        if status not in PACKAGE_MOVES.get(current, ()):
            allowed = ", ".join(PACKAGE_MOVES.get(current, ())) or "nothing (final)"
            raise OmsError(409, f"Package {package['packageNumber']} is {current}; it can move to {allowed}, "
                           f"not {status}")
        now = time.time() if at is None else at
        package.update(status=status, updated=now)
        package["history"].append({"status": status, "at": now, "by": by})
        for line_id in package["lines"]:
            line = self._lines[line_id]
            if line["status"] != CANCELLED:
                line.update(status=status, updated=now)
        return now

    def _unpack(self, package: dict[str, Any], by: str, at: float | None = None) -> None:
        now = self._move(package, UNPACKED, by, at)
        package["unpacked"] = now
        orders = []
        for line_id in package["lines"]:
            line = self._lines[line_id]
            if line["status"] == UNPACKED:
                line.update(status=OPEN, packageNumber=None, updated=now)
            if line["orderNumber"] not in orders:
                orders.append(line["orderNumber"])
        self._unpacked.append({"packageNumber": package["packageNumber"], "barcode": package["barcode"],
                               "unpackedDate": now, "orderNumbers": orders})
        delay = self._options["auto_pack_delay"]
        if delay is not None:  # Hepsiburada packs the lines again if the merchant does not
            for number in orders:
                self._schedule_order_event(time.monotonic() + delay, "autopack", number)

    def unpack(self, package_number: str, by: str = "merchant", at: float | None = None) -> None:
        with self._lock:
            self._catch_up_orders()
            self._unpack(self._package(package_number), by, at)
            self._changed.notify_all()

    def split_package(self, package_number: str, details: Any, cancelled: Any) -> list[str]:
        """``POST …/packagenumber/{pn}/split``: the package is broken into new ones (and lines
        cancelled); every unit of the package must be placed exactly once. Returns the new numbers."""
        if not isinstance(details, list) or not isinstance(cancelled, list) or not (details or cancelled):
            raise OmsError(400, "packageDetails and cancelledItems must be lists, not both empty")
        with self._lock:
            self._catch_up_orders()
            package = self._package(package_number)
            if package["status"] != PACKAGED:
                raise OmsError(409, f"Package {package_number} is {package['status']}; only Packaged packages "
                               "can be split")
            own = {i: self._lines[i] for i in package["lines"] if self._lines[i]["status"] == PACKAGED}
            asked: dict[str, list[tuple[int, int | None, int]]] = {}  # line -> [(group or None, qty, reason)]
            for number, detail in enumerate(details):
                lines = detail.get("lines") if isinstance(detail, dict) else None
                if not isinstance(lines, list) or not lines:
                    raise OmsError(400, f"packageDetails[{number}].lines must be a non-empty list")
                for raw in lines:
                    self._ask(asked, own, raw, number, None)
            for raw in cancelled:
                reason = raw.get("cancelReasonId") if isinstance(raw, dict) else None
                if reason not in CANCEL_REASONS:
                    raise OmsError(400, f"cancelReasonId must be one of {', '.join(map(str, CANCEL_REASONS))}")
                self._ask(asked, own, raw, None, reason)
            for line_id, line in own.items():
                placed = sum(q for _, q, _ in asked.get(line_id, []))
                if placed != line["quantity"]:
                    raise OmsError(400, f"line {line_id} has {line['quantity']} unit(s) in the package but the split "
                                   f"places {placed}")
            self._unpack(package, "merchant")
            self._unpacked[-1]["reason"] = "split"
            groups: dict[int, list[dict[str, Any]]] = {}
            now = time.time()
            for line_id, portions in asked.items():
                parts = self._portion(own[line_id], [q for _, q, _ in portions])
                for part, (group, _, reason) in zip(parts, portions):
                    if group is None:
                        self._cancel_line(part, CANCEL_REASONS[reason], "Merchant", now)
                    else:
                        groups.setdefault(group, []).append(part)
            made = [self._new_package(groups[g], package["cargo"], by="merchant")["packageNumber"]
                    for g in sorted(groups)]
            self._changed.notify_all()
            return made

    @staticmethod
    def _ask(asked, own, raw, group, reason) -> None:
        if not isinstance(raw, dict) or raw.get("orderLineId") not in own:
            raise OmsError(400, f"{raw!r} does not name a line of this package (orderLineId)")
        quantity = raw.get("quantity")
        if not _is_int(quantity) or quantity < 1:
            raise OmsError(400, f"quantity of line {raw['orderLineId']} must be a whole number of at least 1")
        asked.setdefault(raw["orderLineId"], []).append((group, quantity, reason))

    def _cancel_line(self, line: dict[str, Any], reason_code: str, by: str, at: float | None = None) -> None:
        now = time.time() if at is None else at
        line.update(status=CANCELLED, updated=now)
        self._cancelled.append({"lineItemId": line["id"], "orderNumber": line["orderNumber"],
                                "merchantSku": line["merchantSku"], "sku": line["hbSku"],
                                "quantity": line["quantity"], "cancelDate": now, "cancelReasonCode": reason_code,
                                "cancelledBy": by})

    def cancel_by_merchant(self, line_id: str, reason_id: Any) -> None:
        """``cancelbymerchant``: only a line not packaged yet, with a known reason, is cancelled (whole)."""
        if reason_id not in CANCEL_REASONS or isinstance(reason_id, bool):
            raise OmsError(400, f"reasonId must be one of {', '.join(f'{k} ({v})' for k, v in CANCEL_REASONS.items())}")
        with self._lock:
            self._catch_up_orders()
            line = self._lines.get(line_id)
            if line is None:
                raise OmsError(404, f"Line item {line_id} not found")
            if line["status"] != OPEN:
                raise OmsError(409, f"Line item {line_id} is {line['status']}; the merchant can cancel only lines "
                               "not packaged yet (unpack the package first, or split it with cancelledItems)")
            self._cancel_line(line, CANCEL_REASONS[reason_id], "Merchant")
            self._changed.notify_all()

    def cancel_by_customer(self, order_number: str, line_ids: list[str] | None = None, at: float | None = None) -> int:
        """The customer (or Hepsiburada) cancels lines not shipped yet (now, or at epoch ``at``);
        packages left empty are Cancelled."""
        with self._lock:
            self._catch_up_orders()
            order = self._orders.get(order_number)
            if order is None:
                raise OmsError(404, f"Order {order_number} not found")
            wanted = order["lines"] if not line_ids else line_ids
            lines = []
            for line_id in wanted:
                line = self._lines.get(line_id)
                if line is None or line["orderNumber"] != order_number:
                    raise OmsError(404, f"Line item {line_id} is not in order {order_number}")
                if line["status"] in (OPEN, PACKAGED):
                    lines.append(line)
                elif line_ids:
                    raise OmsError(409, f"Line item {line_id} is {line['status']} and can no longer be cancelled")
            now = time.time() if at is None else float(at)
            touched = set()
            for line in lines:
                if line["packageNumber"]:
                    touched.add(line["packageNumber"])
                self._cancel_line(line, "CustomerRequest", "Customer", now)
            for number in touched:
                package = self._packages[number]
                if all(self._lines[i]["status"] == CANCELLED for i in package["lines"]):
                    self._move(package, CANCELLED, "customer", now)
            self._changed.notify_all()
            return len(lines)

    def set_invoice(self, package_number: str, body: Any) -> None:
        """``PUT …/invoice``: a link to a PDF (it must end in .pdf) on a package that is not cancelled or unpacked."""
        if not isinstance(body, dict):
            raise OmsError(400, "the body must be a JSON object with invoiceLink")
        link = body.get("invoiceLink")
        if not isinstance(link, str) or not link.strip():
            raise OmsError(400, "invoiceLink is required")
        link = link.strip()
        if not link.lower().startswith(("http://", "https://")):
            raise OmsError(400, f"invoiceLink {link!r} is not an http(s) link")
        if not link.lower().endswith(INVOICE_LINK_SUFFIX):
            raise OmsError(400, f"invoiceLink must be a link to a PDF file ending in {INVOICE_LINK_SUFFIX}: {link!r}")
        with self._lock:
            self._catch_up_orders()
            package = self._package(package_number)
            if package["status"] in (CANCELLED, UNPACKED):
                raise OmsError(409, f"Package {package_number} is {package['status']}; it takes no invoice")
            package["invoice"] = {"invoiceLink": link, **{k: body[k] for k in ("arrangementDate", "serialNumber",
                                                                            "rowNumber") if k in body},
                                  "at": time.time()}
            self._changed.notify_all()

    def _check_recent(self, moment: float, name: str) -> None:
        now = time.time()
        if moment > now + 600:
            raise OmsError(400, f"{name} is in the future")
        if moment < now - OWN_CARRIER_MAX_AGE_DAYS * 86400:
            raise OmsError(400, f"{name} is more than {OWN_CARRIER_MAX_AGE_DAYS} days ago")

    def carrier_status(self, package_number: str, action: str, body: Any) -> None:
        """Merchant-own-carrier statuses: ``intransit`` (Packaged), ``deliver`` / ``undeliver`` (InTransit)."""
        if not isinstance(body, dict):
            raise OmsError(400, "the body must be a JSON object")
        if action == "intransit":
            tracking = body.get("trackingNumber")
            if not isinstance(tracking, str) or not tracking.strip():
                raise OmsError(400, "trackingNumber is required")
            moment = parse_body_date(body.get("shippedDate"), "shippedDate")
            self._check_recent(moment, "shippedDate")
        elif action == "deliver":
            moment = parse_body_date(body.get("receivedDate"), "receivedDate")
            self._check_recent(moment, "receivedDate")
        else:
            moment = parse_body_date(body.get("undeliveredDate"), "undeliveredDate")
            self._check_recent(moment, "undeliveredDate")
        with self._lock:
            self._catch_up_orders()
            package = self._package(package_number)
            if action == "intransit":
                self._move(package, IN_TRANSIT, "merchant", moment)
                url = body.get("trackingUrl")
                package.update(shipped=moment, trackingNumber=body["trackingNumber"].strip(),
                               trackingUrl=url if isinstance(url, str) and url else None)
            elif action == "deliver":
                self._move(package, DELIVERED, "merchant", moment)
                package["delivered"] = moment
            else:
                self._move(package, UNDELIVERED, "merchant", moment)
                package.update(undelivered=moment, undeliveredReason=str(body.get("undeliveredReason") or ""))
            self._changed.notify_all()

    def move_package(self, package_number: str, status: str, *, at: float | None = None,
                     tracking_number: str | None = None, reason: str | None = None) -> dict[str, Any]:
        """Hepsiburada's side (its carrier, or the customer) moves a package; same rules as the merchant's."""
        if status not in PACKAGE_STATUSES:
            raise OmsError(400, f"status must be one of {', '.join(PACKAGE_STATUSES)}")
        with self._lock:
            self._catch_up_orders()
            package = self._package(package_number)
            if status == UNPACKED:
                self._unpack(package, "hepsiburada", at)
            elif status == CANCELLED:
                if package["status"] != PACKAGED:
                    self._move(package, CANCELLED, "hepsiburada", at)  # raises the 409
                moment = time.time() if at is None else at
                for line_id in package["lines"]:
                    if self._lines[line_id]["status"] == PACKAGED:
                        self._cancel_line(self._lines[line_id], "CancelledByHepsiburada", "Hepsiburada", moment)
                self._move(package, CANCELLED, "hepsiburada", moment)
            else:
                moment = self._move(package, status, "hepsiburada", at)
                if status == IN_TRANSIT:
                    package.update(shipped=moment, trackingNumber=tracking_number or package["barcode"])
                elif status == DELIVERED:
                    package["delivered"] = moment
                else:
                    package.update(undelivered=moment, undeliveredReason=reason or "Alıcı adreste bulunamadı")
            self._changed.notify_all()
            return self._package_detail(package)

    def change_cargo(self, package_number: str, short_name: Any) -> None:
        found = order_data.carrier(short_name) if isinstance(short_name, str) else None
        if found is None:
            raise OmsError(400, f"unknown cargo company {short_name!r}")
        with self._lock:
            self._catch_up_orders()
            package = self._package(package_number)
            if package["status"] != PACKAGED:
                raise OmsError(409, f"Package {package_number} is {package['status']}; only Packaged packages can "
                               "change carrier")
            package.update(cargo=found["shortName"], updated=time.time())
            self._changed.notify_all()

    # The merchant's shipping (warehouse) address labels the simulated store has defined.
    ADDRESS_LABELS = ("BIRINCIL", "IKINCIL", "122", "123")

    def change_warehouse(self, package_number: str, body: Any) -> None:
        """``PUT …/warehouse``: ship a package from another of the merchant's addresses.
        guess: the body names the address by its label, as packaging does (``shippingAddressLabel``)."""
        label = body.get("shippingAddressLabel") if isinstance(body, dict) else None
        if not isinstance(label, str) or not label.strip():
            raise OmsError(400, "shippingAddressLabel is required")
        if label.strip() not in self.ADDRESS_LABELS:
            raise OmsError(400, f"shippingAddressLabel {label!r} is not one of the merchant's addresses "
                           f"({', '.join(self.ADDRESS_LABELS)})")
        with self._lock:
            self._catch_up_orders()
            package = self._package(package_number)
            if package["status"] != PACKAGED:
                raise OmsError(409, f"Package {package_number} is {package['status']}; only Packaged packages can "
                               "change warehouse")
            package.update(warehouse=label.strip(), updated=time.time())
            self._changed.notify_all()

    # --- reading ----------------------------------------------------------------------
    def _order_view(self, order: dict[str, Any]) -> dict[str, Any]:
        lines = [self._lines[i] for i in order["lines"]]
        return {"orderNumber": order["orderNumber"], "orderId": order["orderId"], "orderDate": sim_iso(order["placed"]),
                "microExport": order["microExport"], "customer": copy.deepcopy(order["customer"]),
                "lineItemIds": [line["id"] for line in lines],
                "lines": [{"id": line["id"], "merchantSku": line["merchantSku"], "hbSku": line["hbSku"],
                           "quantity": line["quantity"], "unitPrice": line["unitPrice"], "status": line["status"],
                           "packageNumber": line["packageNumber"]} for line in lines],
                "packageNumbers": list(dict.fromkeys(line["packageNumber"] for line in lines if line["packageNumber"]))}

    def _addresses(self, order: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        person = order["customer"]
        address = person["address"]
        shipping = {"addressId": f"a-{person['customerId']}", "name": person["name"], "email": person["email"],
                    "phoneNumber": person["phoneNumber"], "alternatePhoneNumber": "", **address}
        billing = dict(shipping)
        if order["microExport"]:  # guess: micro-export invoices go to Hepsiburada's export agent in Türkiye
            billing.update(name="HB İhracat Aracı", address="Kuştepe Mah. Mecidiyeköy Yolu Cad. No:12 Şişli/İstanbul",
                           city="İstanbul", town="Şişli", district="Kuştepe Mah.", countryCode="TR",
                           postalCode="34387")
        return shipping, billing

    def _line_view(self, line: dict[str, Any]) -> dict[str, Any]:
        """A paid line as ``GET /orders/merchantid/{id}`` lists it (``LineRepresentation``)."""
        order = self._orders[line["orderNumber"]]
        shipping, billing = self._addresses(order)
        carrier = order_data.carrier(line["cargo"]) or {}
        quantity, unit, discount = line["quantity"], line["unitPrice"], line["unitHbDiscount"]
        return {
            "id": line["id"], "sku": line["hbSku"], "merchantSKU": line["merchantSku"], "name": line["name"],
            "orderId": order["orderId"], "orderNumber": order["orderNumber"], "orderDate": sim_iso(order["placed"]),
            "quantity": quantity, "status": line["status"], "canCreatePackage": line["canCreatePackage"],
            "isCancellable": line["status"] == OPEN, "isCancellableByHbAdmin": line["status"] in (OPEN, IN_TRANSIT),
            "merchantId": self._options["merchant_id"], "customerId": order["customer"]["customerId"],
            "customerName": order["customer"]["name"], "unitPrice": _money(unit),
            "totalPrice": _money(unit * quantity),
            "hbDiscount": {"unitPrice": _money(discount), "totalPrice": _money(discount * quantity)},
            "vatRate": line["vatRate"], "vat": _vat(unit * quantity, line["vatRate"]),
            "shippingAddress": shipping,
            "invoice": {"address": billing, "taxNumber": "", "taxOffice": "",
                        "turkishIdentityNumber": "11111111111"},
            "cargoCompany": carrier.get("name"),
            "cargoCompanyModel": {"id": list(order_data.CARRIERS).index(line["cargo"]) + 1, "name": carrier.get("name"),
                                  "shortName": line["cargo"], "logoUrl": "",
                                  "trackingUrl": carrier.get("url", "").replace("{code}", "")},
            "dispatchTime": 2, "dueDate": sim_iso(order["placed"] + 2 * 86400), "isMicroExport": order["microExport"],
            "lastStatusUpdateDate": sim_iso(line["updated"]), "deliveryType": "Standard",
            "warehouse": {"shippingAddressLabel": "BIRINCIL", "shippingModel": "Merchant"},
        }

    def _package_view(self, package: dict[str, Any]) -> dict[str, Any]:
        """A package as ``GET /packages/merchantid/{id}`` lists it (``ExternalRawPackageRepresentation``);
        lines cancelled out of a package that goes on are left out of it."""
        lines = [self._lines[i] for i in package["lines"]]
        if package["status"] != CANCELLED and any(line["status"] != CANCELLED for line in lines):
            lines = [line for line in lines if line["status"] != CANCELLED]
        order = self._orders[lines[0]["orderNumber"]]
        shipping, billing = self._addresses(order)
        carrier = order_data.carrier(package["cargo"]) or {}
        items, total = [], 0.0
        for line in lines:
            order_of = self._orders[line["orderNumber"]]
            quantity, unit, discount = line["quantity"], line["unitPrice"], line["unitHbDiscount"]
            total += unit * quantity
            items.append({
                "lineItemId": line["id"], "listingId": line["listingId"], "merchantId": self._options["merchant_id"],
                "merchantSku": line["merchantSku"], "hbSku": line["hbSku"], "productName": line["name"],
                "orderNumber": line["orderNumber"], "orderDate": sim_iso(order_of["placed"]), "quantity": quantity,
                "price": _money(unit), "totalPrice": _money(unit * quantity),
                "merchantUnitPrice": _money(unit + discount),
                "merchantTotalPrice": _money((unit + discount) * quantity),
                "unitHBDiscount": _money(discount), "totalHBDiscount": _money(discount * quantity),
                "unitMerchantDiscount": _money(0), "totalMerchantDiscount": _money(0),
                "vatRate": line["vatRate"], "vat": _vat(unit * quantity, line["vatRate"]),
                "isMicroExport": order_of["microExport"], "deliveryType": "Standard", "deci": 1,
                "status": line["status"],
            })
        return {
            "id": package["id"], "packageNumber": package["packageNumber"], "barcode": package["barcode"],
            "status": package["status"], "cargoCompany": carrier.get("name"),
            "isCargoChangable": package["status"] == PACKAGED,
            "orderDate": sim_iso(order["placed"]), "dueDate": sim_iso(order["placed"] + 2 * 86400),
            "estimatedArrivalDate": sim_iso(package["created"] + 3 * 86400),
            "lastStatusUpdateDate": sim_iso(package["updated"]), "unpackedDate": sim_iso(package["unpacked"]),
            "customerId": order["customer"]["customerId"], "customerName": order["customer"]["name"],
            "email": shipping["email"], "phoneNumber": shipping["phoneNumber"], "recipientName": shipping["name"],
            "shippingAddressDetail": shipping["address"], "shippingCity": shipping["city"],
            "shippingTown": shipping["town"], "shippingDistrict": shipping["district"],
            "shippingCountryCode": shipping["countryCode"], "companyName": billing["name"],
            "billingAddress": billing["address"], "billingCity": billing["city"], "billingTown": billing["town"],
            "billingDistrict": billing["district"], "billingPostalCode": billing["postalCode"],
            "billingCountryCode": billing["countryCode"], "taxOffice": "", "taxNumber": "",
            "identityNo": "11111111111", "totalPrice": _money(total), "shippingTotalPrice": _money(0),
            "customsTotalPrice": _money(0), "totalDeci": len(items), "items": items,
        }

    def _package_detail(self, package: dict[str, Any]) -> dict[str, Any]:
        """Everything about a package, for the control endpoints."""
        view = self._package_view(package)
        view.update(packedBy=package["packedBy"], invoice=copy.deepcopy(package["invoice"]),
                    warehouse=package.get("warehouse", "BIRINCIL"),
                    trackingNumber=package["trackingNumber"], trackingUrl=package["trackingUrl"],
                    shippedDate=sim_iso(package["shipped"]), deliveredDate=sim_iso(package["delivered"]),
                    undeliveredDate=sim_iso(package["undelivered"]), createdDate=sim_iso(package["created"]),
                    history=[{**h, "at": sim_iso(h["at"])} for h in package["history"]])
        return view

    @staticmethod
    def _page(rows: list[Any], offset: int, limit: int) -> list[Any]:
        return rows[offset:offset + limit]

    def paid_lines_page(self, begin: float | None, end: float | None, offset: int, limit: int) -> tuple[list, int]:
        """Paid lines waiting to be packaged, added in [begin, end), oldest first."""
        with self._lock:
            self._catch_up_orders()
            rows = sorted((line for line in self._lines.values()
                           if line["status"] == OPEN and _in_window(line["created"], begin, end)),
                          key=lambda line: (line["created"], line["seq"]))
            return [self._line_view(line) for line in self._page(rows, offset, limit)], len(rows)

    def order_detail(self, order_number: str) -> dict[str, Any]:
        """``GET /orders/merchantid/{id}/ordernumber/{orderNumber}`` (``OrderRepresentation``)."""
        with self._lock:
            self._catch_up_orders()
            order = self._orders.get(order_number)
            if order is None:
                raise OmsError(404, f"Order {order_number} not found")
            shipping, billing = self._addresses(order)
            return {"orderId": order["orderId"], "orderNumber": order_number, "orderDate": sim_iso(order["placed"]),
                    "createdDate": sim_iso(order["placed"]), "paymentStatus": "Paid",
                    "customer": {"customerId": order["customer"]["customerId"], "name": order["customer"]["name"]},
                    "deliveryAddress": shipping, "invoice": {"address": billing, "taxNumber": "", "taxOffice": "",
                                                             "turkishIdentityNumber": "11111111111"},
                    "items": [self._line_view(self._lines[i]) for i in order["lines"]]}

    def packages_page(self, begin: float | None, end: float | None, offset: int, limit: int) -> list[dict[str, Any]]:
        """Packages created in [begin, end), oldest first, whatever their status now."""
        with self._lock:
            self._catch_up_orders()
            rows = sorted((p for p in self._packages.values() if _in_window(p["created"], begin, end)),
                          key=lambda p: (p["created"], p["seq"]))
            return [self._package_view(p) for p in self._page(rows, offset, limit)]

    def status_page(self, kind: str, begin: float | None, end: float | None, offset: int,
                    limit: int) -> tuple[list, int]:
        """Packages shipped, delivered or undelivered in [begin, end) (PascalCase, as Hepsiburada answers)."""
        field_name = {"shipped": "shipped", "delivered": "delivered", "undelivered": "undelivered"}[kind]
        with self._lock:
            self._catch_up_orders()
            rows = sorted((p for p in self._packages.values() if _in_window(p[field_name], begin, end)),
                          key=lambda p: (p[field_name], p["seq"]))
            out = []
            for package in self._page(rows, offset, limit):
                numbers = list(dict.fromkeys(self._lines[i]["orderNumber"] for i in package["lines"]))
                item = {"Id": package["id"], "PackageNumber": package["packageNumber"], "Barcode": package["barcode"],
                        "MerchantId": self._options["merchant_id"], "OrderNumber": numbers[0], "OrderNumbers": numbers,
                        "EtgbNo": ""}
                if kind == "shipped":
                    item.update(ShippedDate=sim_iso(package["shipped"]), Deci=len(package["lines"]))
                elif kind == "delivered":
                    item["DeliveredDate"] = sim_iso(package["delivered"])
                else:
                    item.update(UndeliveredDate=sim_iso(package["undelivered"]),
                                UndeliveredReason=package["undeliveredReason"])
                out.append(item)
            return out, len(rows)

    def cancelled_page(self, begin: float | None, end: float | None, offset: int, limit: int) -> tuple[list, int]:
        with self._lock:
            self._catch_up_orders()
            rows = [c for c in self._cancelled if _in_window(c["cancelDate"], begin, end)]
            return ([{**c, "cancelDate": sim_iso(c["cancelDate"]), "merchantId": self._options["merchant_id"]}
                     for c in self._page(rows, offset, limit)], len(rows))

    def unpacked_page(self, begin: float | None, end: float | None, offset: int, limit: int) -> tuple[list, int]:
        with self._lock:
            self._catch_up_orders()
            rows = [u for u in self._unpacked if _in_window(u["unpackedDate"], begin, end)]
            return ([{"packageNumber": u["packageNumber"], "barcode": u["barcode"],
                      "unpackedDate": sim_iso(u["unpackedDate"])} for u in self._page(rows, offset, limit)], len(rows))

    def tracking(self, package_number: str) -> dict[str, Any]:
        """``GET …/packagenumber/{pn}``: status, carrier and tracking code (``ExternalTrackingInfoRepresentation``)."""
        with self._lock:
            self._catch_up_orders()
            package = self._package(package_number)
            carrier = order_data.carrier(package["cargo"]) or {}
            code = package["trackingNumber"]
            url = package["trackingUrl"] or (carrier.get("url", "").replace("{code}", code) if code else None)
            return {"packageNumber": package["packageNumber"], "barcode": package["barcode"],
                    "status": package["status"], "cargoCompany": carrier.get("name"), "deci": len(package["lines"]),
                    "estimatedArrivalDate": sim_iso(package["created"] + 3 * 86400), "trackingInfoCode": code,
                    "trackingInfoUrl": url}

    def labels(self, package_number: str, label_format: str) -> dict[str, Any]:
        if label_format not in LABEL_FORMATS:
            raise OmsError(400, f"format must be one of {', '.join(LABEL_FORMATS)}")
        with self._lock:
            self._catch_up_orders()
            package = self._package(package_number)
            if package["status"] not in (PACKAGED, IN_TRANSIT):
                raise OmsError(409, f"Package {package_number} is {package['status']}; it has no label")
            if label_format == "png":
                data = LABEL_PNG
            else:  # guess: the other formats carry the barcode in the format's own text (base64 for binaries)
                text = f"^XA^FO50,50^BCN,100,Y,N,N^FD{package['barcode']}^FS^XZ"
                data = text if label_format == "zpl" else base64.b64encode(text.encode()).decode()
            return {"data": [data], "format": label_format, "hasMerchantMutualBarcode": False}

    def package_detail(self, package_number: str) -> dict[str, Any] | None:
        with self._lock:
            self._catch_up_orders()
            package = self._packages.get(package_number)
            return self._package_detail(package) if package else None

    def all_packages(self) -> list[dict[str, Any]]:
        with self._lock:
            self._catch_up_orders()
            return [self._package_detail(p) for p in self._packages.values()]

    def order(self, order_number: str) -> dict[str, Any] | None:
        with self._lock:
            self._catch_up_orders()
            order = self._orders.get(order_number)
            return self._order_view(order) if order else None

    def all_orders(self) -> list[dict[str, Any]]:
        with self._lock:
            self._catch_up_orders()
            return [self._order_view(o) for o in self._orders.values()]

    def order_counters(self) -> dict[str, Any]:
        with self._lock:
            self._catch_up_orders()
            return {"orders_total": self.orders_total, "packages_total": self.packages_total,
                    "claims_total": self.claims_total,
                    "lines_by_status": dict(Counter(line["status"] for line in self._lines.values())),
                    "packages_by_status": dict(Counter(p["status"] for p in self._packages.values())),
                    "claims_by_status": dict(Counter(c["status"] for c in self._claims.values()))}

    # --- claims -------------------------------------------------------------------------
    def create_claim(self, line_id: Any, *, quantity: Any = None, reason: Any = "PoorQuality", explanation: Any = "",
                     status: Any = AWAITING_ACTION, at: float | None = None) -> dict[str, Any]:
        """A customer's return claim on a delivered line (the SIT claim stub's job)."""
        if reason not in CLAIM_REASONS:
            raise OmsError(400, f"reason must be one of {', '.join(CLAIM_REASONS)}")
        if status not in (AWAITING_ACTION, NEW_REQUEST):
            raise OmsError(400, f"a claim starts as {AWAITING_ACTION} or {NEW_REQUEST}")
        with self._lock:
            self._catch_up_orders()
            line = self._lines.get(line_id) if isinstance(line_id, str) else None
            if line is None:
                raise OmsError(404, f"Line item {line_id} not found")
            if line["status"] != DELIVERED:
                raise OmsError(409, f"Line item {line_id} is {line['status']}; claims are opened on delivered lines")
            quantity = line["quantity"] if quantity is None else quantity
            if not _is_int(quantity) or not 1 <= quantity <= line["quantity"]:
                raise OmsError(400, f"quantity must be between 1 and {line['quantity']}")
            self.claims_total += 1
            now = time.time() if at is None else at
            order = self._orders[line["orderNumber"]]
            claim = {"id": str(uuid.uuid4()), "number": f"HBT{8_000_000 + self.claims_total}", "status": status,
                     "claimType": "Return", "created": now, "updated": now, "lineItemId": line["id"],
                     "orderNumber": line["orderNumber"], "orderDate": order["placed"], "sku": line["hbSku"],
                     "merchantSku": line["merchantSku"], "quantity": quantity, "reason": reason,
                     "explanation": str(explanation or ""), "customerName": order["customer"]["name"],
                     "unitPrice": line["unitPrice"], "rejection": None, "acceptance": None, "refunded": None,
                     "history": [{"status": status, "at": now, "by": "customer"}]}
            self._claims[claim["number"]] = claim
            self._changed.notify_all()
            return self._claim_view(claim, detail=True)

    def _claim(self, number: str) -> dict[str, Any]:
        claim = self._claims.get(number)
        if claim is None:
            raise OmsError(404, f"Claim {number} not found")
        return claim

    def _set_claim_status(self, claim: dict[str, Any], status: str, by: str, at: float | None = None) -> None:
        now = time.time() if at is None else at
        claim.update(status=status, updated=now)
        claim["history"].append({"status": status, "at": now, "by": by})
        if status == "Refunded":
            claim["refunded"] = now

    def accept_claim(self, number: str, body: Any) -> None:
        if not isinstance(body, dict):
            raise OmsError(400, "the body must be a JSON object")
        with self._lock:
            self._catch_up_orders()
            claim = self._claim(number)
            if claim["status"] != AWAITING_ACTION:
                raise OmsError(409, f"Claim {number} is {claim['status']}; only {AWAITING_ACTION} claims can be "
                               "accepted")
            claim["acceptance"] = {k: body[k] for k in ("FinalizedWith", "InvoiceLink", "AcceptionReason") if k in body}
            self._set_claim_status(claim, "Accepted", "merchant")
            self._changed.notify_all()

    def reject_claim(self, number: str, body: Any) -> None:
        """The merchant's rejection sends the claim to Hepsiburada for review (``InDispute``)."""
        if not isinstance(body, dict):
            raise OmsError(400, "the body must be a JSON object")
        reason, statement = body.get("ClaimRejectionReason"), body.get("MerchantStatement")
        if not isinstance(reason, str) or not reason.strip():
            raise OmsError(400, "ClaimRejectionReason is required")
        if not isinstance(statement, str) or not statement.strip():
            raise OmsError(400, "MerchantStatement is required")
        if len(statement) > MAX_MERCHANT_STATEMENT:
            raise OmsError(400, f"MerchantStatement may be at most {MAX_MERCHANT_STATEMENT} characters "
                           f"({len(statement)} given)")
        reports = body.get("Reports") or []
        if not isinstance(reports, list) or not all(isinstance(r, str) for r in reports):
            raise OmsError(400, "Reports must be a list of base64 images")
        for report in reports:
            try:
                base64.b64decode(report, validate=True)
            except (binascii.Error, ValueError):
                raise OmsError(400, "Reports must be base64-encoded images") from None
        with self._lock:
            self._catch_up_orders()
            claim = self._claim(number)
            if claim["status"] != AWAITING_ACTION:
                raise OmsError(409, f"Claim {number} is {claim['status']}; only {AWAITING_ACTION} claims can be "
                               "rejected")
            claim["rejection"] = {"reason": reason.strip(), "statement": statement, "reports": len(reports)}
            self._set_claim_status(claim, IN_DISPUTE, "merchant")
            self._changed.notify_all()

    def move_claim(self, number: str, status: Any, at: float | None = None) -> dict[str, Any]:
        """Hepsiburada's (or the customer's) move of a claim: NewRequest → AwaitingAction, a dispute decided…"""
        with self._lock:
            self._catch_up_orders()
            claim = self._claim(number)
            allowed = CLAIM_MOVES.get(claim["status"], ())
            if status not in allowed:
                raise OmsError(409, f"Claim {number} is {claim['status']}; it can move to "
                               f"{', '.join(allowed) or 'nothing (final)'}, not {status}")
            self._set_claim_status(claim, status, "hepsiburada", at)
            self._changed.notify_all()
            return self._claim_view(claim, detail=True)

    def _claim_view(self, claim: dict[str, Any], detail: bool = False) -> dict[str, Any]:
        """A claim as the claim listings answer it (documented fields, then the observed PascalCase ones)."""
        view = {
            "id": claim["id"], "number": claim["number"], "status": claim["status"], "claimType": claim["claimType"],
            "claimDate": sim_iso(claim["created"]), "orderNumber": claim["orderNumber"],
            "orderDate": sim_iso(claim["orderDate"]), "sku": claim["sku"], "quantity": claim["quantity"],
            "customerName": claim["customerName"], "explanation": claim["explanation"],
            "priceAmount": claim["unitPrice"], "priceCurrency": "TRY",
            "totalPriceAmount": round(claim["unitPrice"] * claim["quantity"], 2),
            "refundAmount": round(claim["unitPrice"] * claim["quantity"], 2) if claim["refunded"] else None,
            "refundCurrency": "TRY", "refundDate": sim_iso(claim["refunded"]),
            "merchantRejectionStatement": (claim["rejection"] or {}).get("statement"),
            "finalizedWith": (claim["acceptance"] or {}).get("FinalizedWith"),
            "lastStatusUpdateDate": sim_iso(claim["updated"]),  # guess: the status-date filter's field
            "lineItemId": claim["lineItemId"], "MerchantSku": claim["merchantSku"], "Reason": claim["reason"],
            "Reports": None, "RequestedProduct": None, "tags": [],
            "AwaitingActionExpireDate": sim_iso(claim["updated"] + 2 * 86400)
            if claim["status"] == AWAITING_ACTION else None,
        }
        if detail:
            view.update(rejection=copy.deepcopy(claim["rejection"]), acceptance=copy.deepcopy(claim["acceptance"]),
                        history=[{**h, "at": sim_iso(h["at"])} for h in claim["history"]])
        return view

    def claims_page(self, status: str | None, begin: float | None, end: float | None, status_begin: float | None,
                    status_end: float | None, offset: int, limit: int) -> tuple[list, int]:
        """Claims created in [begin, end) (and, with a status, that reached it in [status_begin, status_end))."""
        with self._lock:
            self._catch_up_orders()
            dated = begin is not None or end is not None
            status_dated = status_begin is not None or status_end is not None
            rows = [c for c in self._claims.values()
                    if (status is None or c["status"] == status)
                    and (not dated or _in_window(c["created"], begin, end))
                    and (not status_dated or _in_window(c["updated"], status_begin, status_end))]
            return [self._claim_view(c) for c in self._page(rows, offset, limit)], len(rows)

    def claim(self, number: str) -> dict[str, Any] | None:
        with self._lock:
            self._catch_up_orders()
            claim = self._claims.get(number)
            return self._claim_view(claim, detail=True) if claim else None

    def all_claims(self) -> list[dict[str, Any]]:
        with self._lock:
            self._catch_up_orders()
            return [self._claim_view(c, detail=True) for c in self._claims.values()]


class SimulatorState(CatalogState, OrderState):
    """Listings, uploads, history and counters of the simulated merchant (and its catalog)."""

    def __init__(self, options: dict[str, Any] | None = None):
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._options = dict(DEFAULT_OPTIONS)
        self._options.update(validate_options(options or {}))
        self._fault_re: re.Pattern[str] | None = None
        self._compile_fault()
        self._rate_lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}
        self._stopping = False
        self._clear_data()
        with self._lock:
            self._restart_shopper()
        self._applier = threading.Thread(target=self._run_applier, name="hepsiburada-sim-applier", daemon=True)
        self._applier.start()

    def _clear_data(self) -> None:
        self._listings: dict[str, dict[str, Any]] = {}  # merchantSku -> listing
        self._order: list[str] = []  # merchantSkus in creation order, for paging
        self._by_hb_sku: dict[str, str] = {}  # hepsiburadaSku -> merchantSku
        self._uploads: dict[str, Upload] = {}
        self._queue: deque[Upload] = deque()
        self._history: list[dict[str, Any]] = []
        self._history_by_sku: dict[str, list[dict[str, Any]]] = {}
        self._hb_counter = 0x1000000
        self.requests_total = 0
        self.uploads_total = 0
        self._clear_catalog()
        self._clear_orders()

    # --- options ----------------------------------------------------------------------
    def options(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._options)

    def configure(self, changes: dict[str, Any]) -> dict[str, Any]:
        clean = validate_options(changes)
        with self._lock:
            self._options.update(clean)
            self._compile_fault()
            if "order_rate" in clean:
                self._restart_shopper()
            return copy.deepcopy(self._options)

    def _compile_fault(self) -> None:
        fault = self._options["fault"]
        self._fault_re = re.compile(fault["path"]) if fault and fault["path"] else None

    def reset(self) -> None:
        """Forget listings, uploads, history, orders, claims, counters and any fault; other options
        stay (a running shopper starts again)."""
        with self._lock:
            self._clear_data()
            self._options["fault"] = None
            self._fault_re = None
            self._restart_shopper()
            self._changed.notify_all()
        with self._rate_lock:
            self._windows.clear()

    # --- per-request bookkeeping ------------------------------------------------------
    def count_request(self) -> None:
        with self._lock:
            self.requests_total += 1

    def take_fault(self, path: str, is_upload: bool) -> dict[str, Any] | None:
        """The fault this request suffers, if any; counts it down and clears it at zero."""
        with self._lock:
            fault = self._options["fault"]
            if not fault:
                return None
            if fault["mode"] == "failed_upload" and not is_upload:
                return None  # only uploads can fail later; other requests pass untouched
            if self._fault_re is not None and not self._fault_re.search(path):
                return None
            if fault["count"] is not None:
                left = fault["count"] - 1
                self._options["fault"] = {**fault, "count": left} if left > 0 else None
                if left <= 0:
                    self._fault_re = None
            return dict(fault)

    def spend_rate(self, merchant_id: str, option: str = "rate_limit") -> tuple[bool, int | None, int, float]:
        """Count one call in the key's 1-second window: (allowed, limit, remaining, reset seconds).

        ``option`` names the limit: ``rate_limit`` (listing calls, per merchant) or
        ``catalog_rate_limit`` (catalog calls, which Hepsiburada counts per IP).
        """
        limit = self._options[option]
        if not limit:
            return True, None, 0, 0.0
        now = time.monotonic()
        window = int(now)
        with self._rate_lock:
            start, count = self._windows.get(merchant_id, (window, 0))
            if start != window:
                start, count = window, 0
            reset = max(0.0, start + 1 - now)
            if count >= limit:
                return False, limit, 0, reset
            self._windows[merchant_id] = (start, count + 1)
            return True, limit, limit - count - 1, reset

    # --- listings ---------------------------------------------------------------------
    def _next_hb_sku(self) -> str:
        while True:
            self._hb_counter += 1
            candidate = "HBV" + _base36(self._hb_counter, 10)
            if candidate not in self._by_hb_sku:
                return candidate

    def add_listings(self, items: list[dict[str, Any]]) -> int:
        """Create (or overwrite) listings keyed by merchantSku; returns how many were added or updated."""
        if not isinstance(items, list):
            raise ValueError("listings must be a list of objects")
        with self._lock:
            for raw in items:
                if not isinstance(raw, dict) or not isinstance(raw.get("merchantSku"), str) or not raw["merchantSku"]:
                    raise ValueError(f"each listing needs a non-empty merchantSku: {raw!r}")
                self._put_listing(raw)
        return len(items)

    def _put_listing(self, raw: dict[str, Any]) -> None:
        sku = raw["merchantSku"]
        existing = self._listings.get(sku)
        hb_sku = raw.get("hepsiburadaSku") or (existing["hepsiburadaSku"] if existing else self._next_hb_sku())
        owner = self._by_hb_sku.get(hb_sku)
        if owner is not None and owner != sku:
            raise ValueError(f"hepsiburadaSku {hb_sku} already belongs to merchantSku {owner}")
        listing = existing or {
            "listingId": str(uuid.uuid4()), "uniqueIdentifier": "", "hepsiburadaSku": hb_sku, "merchantSku": sku,
            "price": 0.0, "availableStock": 0, "dispatchTime": 3,
            "cargoCompany1": "Aras Kargo", "cargoCompany2": "", "cargoCompany3": "",
            "shippingAddressLabel": "BIRINCIL", "shippingProfileName": "", "claimAddressLabel": "BIRINCIL",
            "maximumPurchasableQuantity": 0, "minimumPurchasableQuantity": 0, "pricings": [],
            "isSalable": False, "customizableProperties": [], "deactivationReasons": [],
            "isSuspended": False, "isLocked": False, "lockReasons": [], "isFrozen": False, "freezeReasons": [],
            "availableWarehouses": [], "isFulfilledByHB": False, "priceIncreaseDisabled": False,
            "priceDecreaseDisabled": False, "stockDecreaseDisabled": False, "skuAfterSuspension": None,
            "productId": "HB" + hb_sku[3:], "hasVariant": False,
        }
        listing = dict(listing)
        listing.update({k: v for k, v in raw.items() if k in listing and k not in ("listingId", "merchantSku")})
        listing["hepsiburadaSku"] = hb_sku
        listing["price"] = float(listing["price"])
        listing["availableStock"] = int(listing["availableStock"])
        _refresh_salable(listing)
        if existing is None:
            self._order.append(sku)
        elif existing["hepsiburadaSku"] != hb_sku:
            self._by_hb_sku.pop(existing["hepsiburadaSku"], None)
        self._listings[sku] = listing
        self._by_hb_sku[hb_sku] = sku

    def listing(self, sku: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._listings.get(sku)
            return copy.deepcopy(found) if found else None

    def listing_count(self) -> int:
        with self._lock:
            return len(self._order)

    def all_listings(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(self._listings[sku]) for sku in self._order]

    def listings_page(
        self, offset: int, limit: int, merchant_skus: list[str] | None = None, hb_skus: list[str] | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of listings (optionally only the given skus) and the total count."""
        with self._lock:
            if merchant_skus is None and hb_skus is None:
                keys = self._order[offset:offset + limit]
                return [dict(self._listings[k]) for k in keys], len(self._order)
            wanted: list[str] = []
            for sku in merchant_skus or []:
                if sku in self._listings and sku not in wanted:
                    wanted.append(sku)
            for hb_sku in hb_skus or []:
                sku = self._by_hb_sku.get(hb_sku)
                if sku is not None and sku not in wanted:
                    wanted.append(sku)
            return [dict(self._listings[k]) for k in wanted[offset:offset + limit]], len(wanted)

    # --- uploads ----------------------------------------------------------------------
    def accept_upload(self, kind: str, merchant_id: str, items: list[dict[str, Any]], fail_whole: bool = False) -> Upload:
        """Queue an upload behind those accepted before it. Raises ValueError when refused."""
        with self._lock:
            pending_limit = self._options["max_pending_uploads"]
            if pending_limit is not None:
                pending = sum(1 for u in self._queue if u.merchant_id == merchant_id)
                if pending >= pending_limit:
                    raise ValueError(TOO_MANY_PENDING)
            upload = Upload(
                id=str(uuid.uuid4()), kind=kind, merchant_id=merchant_id, items=items, accepted_at=time.time(),
                due_at=time.monotonic() + self._options["processing_delay"], created_at=_now_iso(),
                fail_whole=fail_whole,
            )
            self._uploads[upload.id] = upload
            self._queue.append(upload)
            self.uploads_total += 1
            self._changed.notify_all()
            return upload

    def upload_status(self, kind: str, merchant_id: str, upload_id: str) -> dict[str, Any] | None:
        with self._lock:
            upload = self._uploads.get(upload_id)
            if upload is None or upload.kind != kind or upload.merchant_id != merchant_id:
                return None
            return upload.status_answer()

    def upload(self, upload_id: str) -> dict[str, Any] | None:
        """Everything about one upload, for inspection."""
        with self._lock:
            upload = self._uploads.get(upload_id)
            if upload is None:
                return None
            return {
                "id": upload.id, "kind": upload.kind, "merchant_id": upload.merchant_id, "status": upload.status,
                "items": copy.deepcopy(upload.items), "errors": copy.deepcopy(upload.errors),
                "accepted_at": upload.accepted_at, "applied_at": upload.applied_at,
            }

    def wait_until_applied(self, timeout: float) -> bool:
        """Block until every accepted upload has been applied (or ``timeout`` passes)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._queue or self._stopping, timeout)

    def history(self, sku: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            entries = self._history if sku is None else self._history_by_sku.get(sku, [])
            return [dict(e) for e in entries]

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._changed.notify_all()
        self._applier.join(timeout=5)

    # --- the applier ------------------------------------------------------------------
    def _run_applier(self) -> None:
        """Apply listing uploads in acceptance order, and run due catalog and order events, as their time comes."""
        with self._changed:
            while not self._stopping:
                now = time.monotonic()
                if self._advance_catalog(now) | self._advance_orders(now):
                    self._changed.notify_all()
                if self._queue and self._queue[0].due_at <= now:
                    self._apply(self._queue.popleft())
                    self._changed.notify_all()
                    continue
                dues = [self._queue[0].due_at] if self._queue else []
                if self._catalog_events:
                    dues.append(self._catalog_events[0][0])
                if self._order_events:
                    dues.append(self._order_events[0][0])
                if dues:
                    self._changed.wait(max(0.0, min(dues) - now))
                else:
                    self._changed.wait()

    def _apply(self, upload: Upload) -> None:
        """Apply one upload in a single pass (the lock is held by the applier)."""
        now = time.time()
        upload.applied_at = now
        if upload.fail_whole:
            upload.status = "Failed"
            return
        merchant_counts = Counter(i.get("merchantSku") for i in upload.items if i.get("merchantSku"))
        hb_counts = Counter(i.get("hepsiburadaSku") for i in upload.items if i.get("hepsiburadaSku"))
        for number, item in enumerate(upload.items, start=1):
            listing, codes = self._check_item(upload.kind, item, merchant_counts, hb_counts)
            if codes:
                upload.errors.append({
                    "elementNo": number,
                    "hepsiburadaSku": item.get("hepsiburadaSku") or (listing or {}).get("hepsiburadaSku"),
                    "merchantSku": item.get("merchantSku"),
                    "errors": codes,
                })
                continue
            for name in _FIELDS_BY_KIND[upload.kind]:
                if name not in item:
                    continue
                value = float(item[name]) if name == "price" else item[name]
                listing[name] = value
                entry = {
                    "upload_id": upload.id, "kind": _HISTORY_NAMES.get(name, name), "sku": listing["merchantSku"],
                    "value": value, "accepted_at": upload.accepted_at, "applied_at": now,
                }
                self._history.append(entry)
                self._history_by_sku.setdefault(listing["merchantSku"], []).append(entry)
            _refresh_salable(listing)
        upload.status = "Done"

    def _check_item(
        self, kind: str, item: dict[str, Any], merchant_counts: Counter, hb_counts: Counter
    ) -> tuple[dict[str, Any] | None, list[str]]:
        """The listing an upload element addresses, and Hepsiburada's error codes for it."""
        merchant_sku, hb_sku = item.get("merchantSku"), item.get("hepsiburadaSku")
        codes: list[str] = []
        listing = None
        if merchant_sku:
            listing = self._listings.get(merchant_sku) if isinstance(merchant_sku, str) else None
            if listing is not None and hb_sku and listing["hepsiburadaSku"] != hb_sku:
                codes.append("MismatchingSkusSpecified")
        elif hb_sku and isinstance(hb_sku, str):
            owner = self._by_hb_sku.get(hb_sku)
            listing = self._listings.get(owner) if owner else None
        if listing is None:
            return None, ["ProductNotFound"]
        if merchant_sku and merchant_counts[merchant_sku] > 1:
            codes.append("DuplicateMerchantSkuSpecified")
        if hb_sku and hb_counts[hb_sku] > 1:
            codes.append("DuplicateHepsiburadaSkuSpecified")
        required = _REQUIRED_BY_KIND.get(kind)
        if required and required not in item:
            codes.append("InvalidPrice" if required == "price" else "InvalidAvailableStock")
        for name, code in _INT_FIELDS.items():
            if name in item and (not _is_int(item[name]) or item[name] < 0):
                codes.append(code)
        if "price" in item:
            price = item["price"]
            if not _is_number(price) or price <= 0:
                codes.append("InvalidPrice")
            elif listing["priceIncreaseDisabled"] and price > listing["price"]:
                codes.append("DiscountedListingPriceIncrease")
        stock = item.get("availableStock")
        if _is_int(stock) and listing["stockDecreaseDisabled"] and stock < listing["availableStock"]:
            codes.append("DiscountedListingStockDecrease")
        if listing["isFrozen"]:
            codes.append("ListingFrozen")
        return listing, list(dict.fromkeys(codes))


def _refresh_salable(listing: dict[str, Any]) -> None:
    """A listing is on sale with a positive price and stock, unless locked, frozen or suspended."""
    reasons = []
    if listing["price"] <= 0:
        reasons.append("PriceIsLessThanOrEqualToZero")
    if listing["availableStock"] <= 0:
        reasons.append("StockIsLessThanOrEqualToZero")
    listing["deactivationReasons"] = reasons  # replaced, never mutated: pages are shallow copies
    listing["isSalable"] = not reasons and not (listing["isLocked"] or listing["isFrozen"] or listing["isSuspended"])
