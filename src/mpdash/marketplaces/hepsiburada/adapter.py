"""Hepsiburada's adapter: our stock and price records to listing uploads, and back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import httpx

from ..base import BatchStatus, ItemResult, Listing, MarketplaceAdapter, PriceRecord, StockRecord, Submission
from ..errors import ConfigError
from ..http import DEFAULT_TIMEOUT
from ..ratelimit import CallBudget
from .client import HepsiburadaListingClient, listing_budget
from .config import BATCH_SIZES, FLOWS, SCHEMA
from .models import UploadStatus

logger = logging.getLogger("mpdash.marketplaces.hepsiburada")

# Record kind of a sync flow -> the listing upload that carries it.
UPLOAD_KIND_BY_RECORD_KIND = {"productstock": "stock", "productprice": "price", "inventory": "inventory"}

# Plain-English reasons for the item error codes Hepsiburada documents.
ERROR_TEXT = {
    "ProductNotFound": "no listing with this sku on Hepsiburada",
    "MismatchingSkusSpecified": "hepsiburadaSku and merchantSku belong to different listings",
    "DuplicateHepsiburadaSkuSpecified": "the same hepsiburadaSku appears twice in the upload",
    "DuplicateMerchantSkuSpecified": "the same merchantSku appears twice in the upload",
    "InvalidPrice": "the price is not a valid positive amount",
    "InvalidAvailableStock": "the stock is not a whole number of at least 0",
    "InvalidMaximumPurchasableQuantity": "maximumPurchasableQuantity is not a whole number of at least 0",
    "InvalidDispatchTime": "the dispatch time is not a whole number of days",
    "DiscountedListingPriceIncrease": "the listing is in a campaign, its price cannot go up",
    "DiscountedListingStockDecrease": "the listing is in a campaign, its stock cannot go down",
    "ListingFrozen": "the listing is frozen and cannot be updated",
    "ListingDeletedRecently": "the listing was deleted recently",
    "OutOfPriceRange": "the price is outside the range Hepsiburada allows for this product",
}

RecordT = TypeVar("RecordT", StockRecord, PriceRecord)

_USE_SHARED_BUDGET: Any = object()  # default of ``budget``: the merchant's shared call budget


def _required(config: dict[str, Any], key: str) -> str:
    value = config.get(key)
    if value is None or not str(value).strip():
        raise ConfigError(f"Hepsiburada channel config: {key} is required")
    return str(value).strip()


def _buffer_stock(config: dict[str, Any]) -> int:
    raw = config.get("buffer_stock")
    if raw in (None, ""):
        return 0
    try:
        return max(0, int(raw))
    except (TypeError, ValueError):
        raise ConfigError(f"Hepsiburada channel config: buffer_stock must be a whole number, got {raw!r}") from None


def _wire_price(value: Decimal) -> float:
    """Lira with two decimals, as a JSON number (the API takes a double)."""
    return float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _last_per_sku(records: list[RecordT]) -> list[RecordT]:
    """Keep the last record of each sku: Hepsiburada rejects an upload's duplicate skus."""
    return list({r.sku: r for r in records}.values())


def _describe_errors(codes: list[str]) -> str:
    return "; ".join(f"{code}: {ERROR_TEXT[code]}" if code in ERROR_TEXT else code for code in codes) or "rejected"


class HepsiburadaAdapter(MarketplaceAdapter):
    name = "hepsiburada"
    label = "Hepsiburada"
    flows = FLOWS
    schema = SCHEMA
    batch_sizes = BATCH_SIZES

    listings_page_size = 500  # Hepsiburada documents no ceiling; 500 keeps answers small
    remembered_uploads = 1000  # uploads whose skus are kept for poll()

    def __init__(
        self,
        config: dict[str, Any],
        *,
        transport: httpx.BaseTransport | None = None,
        budget: CallBudget | None = _USE_SHARED_BUDGET,
        timeout: httpx.Timeout | float | None = None,
    ):
        super().__init__(config, transport=transport, timeout=timeout)
        merchant_id = _required(config, "merchant_id")
        # The API user name is the merchant id unless Hepsiburada issued a separate one.
        username = str(config.get("username") or "").strip() or merchant_id
        self.client = HepsiburadaListingClient(
            _required(config, "listing_url"),
            merchant_id=merchant_id,
            username=username,
            password=_required(config, "password"),
            user_agent=_required(config, "user_agent"),
            budget=listing_budget(merchant_id) if budget is _USE_SHARED_BUDGET else budget,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            transport=transport,
        )
        self._buffer_stock = _buffer_stock(config)
        # Skus of the uploads this adapter sent, in order: Hepsiburada's status lists only
        # the rejected elements, so the accepted ones are known only from what was sent.
        self._sent_skus: dict[str, list[str]] = {}

    # --- sending ----------------------------------------------------------------------
    def _check_size(self, kind: str, count: int) -> None:
        limit = self.batch_size(kind)
        if count > limit:
            raise ValueError(f"{count} {kind} records in one upload; Hepsiburada accepts at most {limit}")

    def _submit(
        self, upload: Callable[[list[dict[str, Any]]], str], items: list[dict[str, Any]], sent: dict[str, dict[str, Any]]
    ) -> Submission:
        if not items:
            return Submission(remote_id=None, sent={}, results=[])
        upload_id = upload(items)
        self._sent_skus[upload_id] = list(sent)
        while len(self._sent_skus) > self.remembered_uploads:
            del self._sent_skus[next(iter(self._sent_skus))]  # forget the oldest
        return Submission(remote_id=upload_id, sent=sent, exchange=self.client.last_exchange())

    def send_stock(self, records: list[StockRecord]) -> Submission:
        """One stock upload: stock minus the buffer (never below 0), and purchase caps when given."""
        records = _last_per_sku(records)
        self._check_size("productstock", len(records))
        items, sent = [], {}
        for record in records:
            item: dict[str, Any] = {"merchantSku": record.sku}
            if record.remote_sku:
                item["hepsiburadaSku"] = record.remote_sku
            item["availableStock"] = max(0, int(record.quantity) - self._buffer_stock)
            cap = (record.extra or {}).get("maximumPurchasableQuantity")
            if cap not in (None, ""):
                try:
                    item["maximumPurchasableQuantity"] = int(cap)
                except (TypeError, ValueError):
                    item["maximumPurchasableQuantity"] = cap  # Hepsiburada reports it on this item
            items.append(item)
            sent[record.sku] = item
        return self._submit(self.client.upload_stock, items, sent)

    def send_prices(self, records: list[PriceRecord]) -> Submission:
        """One price upload. The price upload takes only the sale price: list prices are not sent."""
        records = _last_per_sku(records)
        self._check_size("productprice", len(records))
        items, sent = [], {}
        for record in records:
            item: dict[str, Any] = {"merchantSku": record.sku}
            if record.remote_sku:
                item["hepsiburadaSku"] = record.remote_sku
            item["price"] = _wire_price(record.price)
            items.append(item)
            sent[record.sku] = item
        return self._submit(self.client.upload_price, items, sent)

    # --- reading outcomes -------------------------------------------------------------
    def poll(self, kind: str, remote_id: str, skus: list[str] | None = None) -> BatchStatus:
        """Where an upload stands; once finished, one result per sku.

        ``skus`` are the skus of the upload in the order sent (as in ``Submission.sent``).
        Hepsiburada lists only the rejected elements, so without ``skus`` (and when this
        adapter did not send the upload itself) the results hold only the failures: every
        other sku of the upload was accepted.
        """
        upload_kind = UPLOAD_KIND_BY_RECORD_KIND.get(kind, kind)
        status = self.client.get_upload_status(upload_kind, remote_id)
        exchange = self.client.last_exchange()
        if not status.is_finished:
            return BatchStatus(done=False, exchange=exchange)
        remembered = self._sent_skus.pop(remote_id, None)
        known = list(skus) if skus is not None else remembered
        if status.is_failed:
            why = f"Hepsiburada marked upload {remote_id} as {status.status}"
            codes = sorted({code for error in status.errors for code in error.errors})
            if codes:
                why += f" ({', '.join(codes)})"
            return BatchStatus(done=True, failed_whole=why, exchange=exchange)
        return BatchStatus(done=True, results=self._item_results(status, known), exchange=exchange)

    @staticmethod
    def _item_results(status: UploadStatus, known: list[str] | None) -> list[ItemResult]:
        by_lower = {sku.lower(): sku for sku in known or []}

        def our_sku(element_no, merchant_sku, hepsiburada_sku) -> str:
            # elementNo is 1-based into the array sent; merchantSku may come back upper-cased.
            if known and element_no and 1 <= element_no <= len(known):
                return known[element_no - 1]
            if merchant_sku:
                return by_lower.get(merchant_sku.lower(), merchant_sku)
            return hepsiburada_sku or f"element {element_no}"

        failures: dict[str, list[str]] = {}
        answers: dict[str, list[dict[str, Any]]] = {}
        for error in status.errors:
            sku = our_sku(error.element_no, error.merchant_sku, error.hepsiburada_sku)
            failures.setdefault(sku, []).append(_describe_errors(error.errors))
            answers.setdefault(sku, []).append(error.model_dump(by_alias=True, exclude_none=True))
        for lock in status.price_validations:
            sku = our_sku(lock.element_no, lock.merchant_sku, lock.hepsiburada_sku)
            band = f"allowed {lock.min_price}–{lock.max_price}" if lock.min_price is not None else ""
            text = ", ".join(p for p in (lock.type or "PriceLocked", lock.description or "", band) if p)
            failures.setdefault(sku, []).append(f"listing locked: {text}")
            answers.setdefault(sku, []).append(lock.model_dump(by_alias=True, exclude_none=True))

        results = [ItemResult(sku, False, " | ".join(msgs), answers[sku]) for sku, msgs in failures.items()]
        results += [ItemResult(sku, True) for sku in (known or []) if sku not in failures]
        return results

    def list_listings(self) -> Iterator[Listing]:
        """Every listing of the merchant, page by page."""
        offset = 0
        while True:
            page = self.client.list_listings(offset, self.listings_page_size)
            for item in page.listings:
                if not item.merchant_sku:
                    logger.warning("Hepsiburada listing %s has no merchantSku; skipped", item.hepsiburada_sku)
                    continue
                yield Listing(
                    sku=item.merchant_sku,
                    remote_sku=item.hepsiburada_sku,
                    price=item.price,
                    stock=item.available_stock,
                    on_sale=bool(item.is_salable),
                )
            offset += len(page.listings)
            if not page.listings or offset >= page.total_count:
                return

    def close(self) -> None:
        self.client.close()
