"""The in-memory marketplace behind the Hepsiburada simulator: options, listings and uploads.

Uploads are simkit batches (:class:`~mpdash.marketplaces.simkit.BatchQueue`): applied in the
order they were accepted, ``processing_delay`` seconds after acceptance, on the lazy clock
(whatever asks next brings the state to the present first). The catalog side is in
:mod:`.catalog`, the order side in :mod:`.orders`; :class:`SimulatorState` puts them together.
Standard library only; every public method is thread-safe. The HTTP side is in :mod:`.api`,
the category and attribute data in :mod:`..catalog_data`.
"""

from __future__ import annotations

import copy
import uuid
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from ...simkit import BASE_FAULT_MODES, Batch, BatchQueue, ListingStore, OptionSet, SimState, is_int, is_number
from ...simkit import options as opt
from ..config import MAX_IMPORT_BYTES, MAX_LISTINGS_PER_UPLOAD, MAX_PRODUCTS_PER_IMPORT

# "failed_upload": uploads are accepted normally and later marked Failed (catalog imports and
# updates: every product fails).
FAULT_MODES = (*BASE_FAULT_MODES, "failed_upload")
DEFAULT_SHOPPER_SKUS = ("SIM-KILIF-1", "SIM-KULAKLIK-1", "SIM-SARJ-1")  # bought when no listing is on sale
UPLOAD_KINDS = ("stock", "price", "inventory")
PENDING_STATUS = "Pending"  # Hepsiburada documents only the end states Done/Failed; this one is a guess
TOO_MANY_PENDING = "There are too many ongoing/waiting inventory uploads at the moment. Please try again later."

OPTIONS = OptionSet(
    **opt.common(fault=opt.fault_option(FAULT_MODES)),  # processing_delay: s between accepting and applying
    merchant_id=opt.text("demo-merchant"),
    username=opt.text("demo-merchant"),
    password=opt.text("demo-service-key"),
    user_agent=opt.text("mpdash"),
    rate_limit=opt.limit(50),  # requests per second per merchant on listing paths; 0/None = off
    max_items_per_upload=opt.whole(MAX_LISTINGS_PER_UPLOAD),
    max_pending_uploads=opt.limit(None),  # Hepsiburada allows 5; off by default
    # (timeout_sleep: s the timeout faults hold an answer; processing_delay also times import validation)
    # catalog (mpop) side; approval_delay: s a valid imported product stays WAITING before MATCHED/BLOCKED
    catalog_rate_limit=opt.limit(100),  # catalog requests per second (Hepsiburada: 100/s per IP, 403 above)
    max_products_per_import=opt.whole(MAX_PRODUCTS_PER_IMPORT),
    max_import_bytes=opt.whole(MAX_IMPORT_BYTES),
    # order (OMS) side
    # the shopper's orders per second (deterministic people, buying salable listings, else shopper_skus)
    order_rate=opt.number(0.0, high=10_000, unit=" orders per second"),
    auto_pack_delay=opt.number(900.0, optional=True),  # s until Hepsiburada packs what the merchant has not
    oms_rate_limit=opt.limit(1000),  # OMS requests per second per merchant (Hepsiburada: 1,000, 429 above)
    shopper_skus=opt.texts(list(DEFAULT_SHOPPER_SKUS), "merchant skus"),  # bought when no listing is on sale
    split_endpoint=opt.flag(True),  # False: …/split answers 404, as on a host without it
)

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


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _base36(number: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out.rjust(width, "0")


def upload_status(upload: Batch) -> dict[str, Any]:
    """The answer of ``GET …/{kind}-uploads/id/{id}``, shaped like Hepsiburada's."""
    fail_whole = upload.extra["fail_whole"]
    answer: dict[str, Any] = {
        "id": upload.id,
        "status": ("Failed" if fail_whole else "Done") if upload.processed else PENDING_STATUS,
        "createdAt": upload.extra["created_at"],
        "total": len(upload.items),
        "processed": len(upload.items) if upload.processed and not fail_whole else 0,
        "errors": copy.deepcopy(upload.results) or None,
    }
    if upload.kind == "price":
        answer["priceValidations"] = None
    return answer


class ListingState(SimState):
    """Listings, uploads, history and counters of the simulated merchant."""

    OPTIONS = OPTIONS

    def clear(self) -> None:
        super().clear()
        self._listings = ListingStore(key_name="sku", batch_name="upload_id")  # merchantSku -> listing
        self._uploads = BatchQueue(self.timeline, "upload", self._apply)
        self._hb_counter = 0x1000000

    @property
    def uploads_total(self) -> int:
        return self._uploads.total

    # --- listings ---------------------------------------------------------------------
    def _next_hb_sku(self) -> str:
        while True:
            self._hb_counter += 1
            candidate = "HBV" + _base36(self._hb_counter, 10)
            if not self._listings.find("hbSku", candidate):
                return candidate

    def add_listings(self, items: list[dict[str, Any]]) -> int:
        """Create (or overwrite) listings keyed by merchantSku; returns how many were added or updated."""
        if not isinstance(items, list):
            raise ValueError("listings must be a list of objects")
        with self.current():
            for raw in items:
                if not isinstance(raw, dict) or not isinstance(raw.get("merchantSku"), str) or not raw["merchantSku"]:
                    raise ValueError(f"each listing needs a non-empty merchantSku: {raw!r}")
                self._put_listing(raw)
        return len(items)

    def _put_listing(self, raw: dict[str, Any]) -> None:
        sku = raw["merchantSku"]
        existing = self._listings.get(sku)
        hb_sku = raw.get("hepsiburadaSku") or (existing["hepsiburadaSku"] if existing else self._next_hb_sku())
        owner = next(iter(self._listings.find("hbSku", hb_sku)), None)
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
        if existing is not None and existing["hepsiburadaSku"] != hb_sku:
            self._listings.unalias("hbSku", existing["hepsiburadaSku"], sku)
        self._listings[sku] = listing
        self._listings.alias("hbSku", hb_sku, sku)

    def listing(self, sku: str) -> dict[str, Any] | None:
        return self.view_of("_listings", sku)

    def listing_count(self) -> int:
        with self.current():
            return len(self._listings)

    def listings(self) -> list[dict[str, Any]]:
        return self.views_of("_listings", dict)

    def listings_page(
        self, offset: int, limit: int, merchant_skus: list[str] | None = None, hb_skus: list[str] | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of listings (optionally only the given skus) and the total count."""
        if merchant_skus is None and hb_skus is None:
            return [dict(listing) for listing in self._listings.page(offset, limit)], len(self._listings)
        wanted: list[str] = []
        for sku in merchant_skus or []:
            if sku in self._listings and sku not in wanted:
                wanted.append(sku)
        for hb_sku in hb_skus or []:
            for sku in self._listings.find("hbSku", hb_sku):
                if sku not in wanted:
                    wanted.append(sku)
        return [dict(self._listings[k]) for k in wanted[offset:offset + limit]], len(wanted)

    # --- uploads ----------------------------------------------------------------------
    def accept_upload(self, kind: str, merchant_id: str, items: list[dict[str, Any]], fail_whole: bool = False) -> Batch:
        """Queue an upload behind those accepted before it. Raises ValueError when refused."""
        pending_limit = self._options["max_pending_uploads"]
        if pending_limit is not None and self._uploads.waiting(merchant_id) >= pending_limit:
            raise ValueError(TOO_MANY_PENDING)
        return self._uploads.accept(kind, merchant_id, items, self._options["processing_delay"],
                                    fail_whole=fail_whole, created_at=now_iso())

    def upload_status(self, kind: str, merchant_id: str, upload_id: str) -> dict[str, Any] | None:
        upload = self._uploads.get(upload_id)
        if upload is None or upload.kind != kind or upload.owner != merchant_id:
            return None
        return upload_status(upload)

    def upload(self, upload_id: str) -> dict[str, Any] | None:
        """Everything about one upload, for inspection."""
        with self.current():
            upload = self._uploads.get(upload_id)
            if upload is None:
                return None
            return {
                "id": upload.id, "kind": upload.kind, "merchant_id": upload.owner,
                "status": upload_status(upload)["status"], "items": copy.deepcopy(upload.items),
                "errors": copy.deepcopy(upload.results or []), "accepted_at": upload.accepted_at,
                "applied_at": upload.processed_at,
            }

    def wait_until_applied(self, timeout: float = 10.0) -> bool:
        """Block until every accepted upload has been applied (or ``timeout`` passes)."""
        return self.wait_until(lambda: not self._uploads.waiting(), self._uploads.last_due, timeout)

    def history(self, sku: str | None = None, start: int = 0) -> list[dict[str, Any]]:
        """Every applied change in order, from position ``start``: ``{upload_id, kind, sku, value,
        accepted_at, applied_at}``."""
        with self.current():
            return self._listings.history(sku, start)

    def _apply(self, upload: Batch, now: float) -> list[dict[str, Any]]:
        """Apply one upload in a single pass; its errors are its results."""
        errors: list[dict[str, Any]] = []
        if upload.extra["fail_whole"]:
            return errors
        merchant_counts = Counter(i.get("merchantSku") for i in upload.items if i.get("merchantSku"))
        hb_counts = Counter(i.get("hepsiburadaSku") for i in upload.items if i.get("hepsiburadaSku"))
        for number, item in enumerate(upload.items, start=1):
            listing, codes = self._check_item(upload.kind, item, merchant_counts, hb_counts)
            if codes:
                errors.append({
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
                self._listings.record(upload.id, _HISTORY_NAMES.get(name, name), listing["merchantSku"], value,
                                      upload.accepted_at, now)
            _refresh_salable(listing)
        return errors

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
            owner = self._listings.find("hbSku", hb_sku)
            listing = self._listings.get(owner[0]) if owner else None
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
            if name in item and (not is_int(item[name]) or item[name] < 0):
                codes.append(code)
        if "price" in item:
            price = item["price"]
            if not is_number(price) or price <= 0:
                codes.append("InvalidPrice")
            elif listing["priceIncreaseDisabled"] and price > listing["price"]:
                codes.append("DiscountedListingPriceIncrease")
        stock = item.get("availableStock")
        if is_int(stock) and listing["stockDecreaseDisabled"] and stock < listing["availableStock"]:
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
