"""The in-memory marketplace behind the Hepsiburada simulator.

Holds the options, the merchant's listings, the accepted uploads and the background
applier that carries them out in the order they were accepted, plus the per-merchant
request window and fault injection. Standard library only; every public method is
thread-safe. The HTTP side lives in :mod:`.simulator`.
"""

from __future__ import annotations

import copy
import re
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .config import MAX_LISTINGS_PER_UPLOAD

FAULT_MODES = ("5xx", "timeout", "malformed", "429", "failed_upload")
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
            elif key in ("processing_delay", "latency", "timeout_sleep"):
                value = float(value)
                if value < 0:
                    raise ValueError("must be >= 0")
            elif key in ("rate_limit", "max_pending_uploads"):
                value = None if value in (None, 0) else int(value)
                if value is not None and value < 0:
                    raise ValueError("must be >= 0")
            elif key == "max_items_per_upload":
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


class SimulatorState:
    """Listings, uploads, history and counters of the simulated merchant."""

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

    # --- options ----------------------------------------------------------------------
    def options(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._options)

    def configure(self, changes: dict[str, Any]) -> dict[str, Any]:
        clean = validate_options(changes)
        with self._lock:
            self._options.update(clean)
            self._compile_fault()
            return copy.deepcopy(self._options)

    def _compile_fault(self) -> None:
        fault = self._options["fault"]
        self._fault_re = re.compile(fault["path"]) if fault and fault["path"] else None

    def reset(self) -> None:
        """Forget listings, uploads, history, counters and any fault; other options stay."""
        with self._lock:
            self._clear_data()
            self._options["fault"] = None
            self._fault_re = None
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

    def spend_rate(self, merchant_id: str) -> tuple[bool, int | None, int, float]:
        """Count one call in the merchant's 1-second window: (allowed, limit, remaining, reset seconds)."""
        limit = self._options["rate_limit"]
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
        with self._changed:
            while not self._stopping:
                if not self._queue:
                    self._changed.wait()
                    continue
                head = self._queue[0]
                wait = head.due_at - time.monotonic()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                self._queue.popleft()
                self._apply(head)
                self._changed.notify_all()

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
