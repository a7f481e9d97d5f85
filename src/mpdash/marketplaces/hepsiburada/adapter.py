"""Hepsiburada's adapter: our stock and price records to listing uploads, our products to
catalog imports and updates, Hepsiburada's packages and claims to our orders and returns, and
the marketplace's answers back to our records.

Three hosts: the listing API (``listing_url``: stock, price, listings, and deleting by stock 0),
the catalog API (``base_url``, mpop: categories, attributes, product import, product status,
product update) and the order API (``oms_url``: paid lines, packages, their statuses, invoice
links, cancellations, claims). The catalog and order clients are built on first use, so a
channel that only syncs stock and price needs neither ``base_url`` nor ``oms_url``.

On Hepsiburada paid order lines become packages, made by the merchant (``automatic_packing``:
:meth:`HepsiburadaAdapter.prepare_packages`) or by Hepsiburada within 15 minutes; a package is
what becomes one local order (``package_id`` is its package number).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

import httpx

from ..base import (
    NOT_FOUND,
    ON_SALE,
    PENDING_APPROVAL,
    REJECTED,
    AttributeValue,
    BatchStatus,
    DefaultAttribute,
    ItemResult,
    Listing,
    MarketplaceAdapter,
    OrderUpdate,
    Page,
    PriceRecord,
    ProductRecord,
    ProductStatus,
    RemoteAddress,
    RemoteAttribute,
    RemoteCancellation,
    RemoteCategory,
    RemoteClaim,
    RemoteClaimLine,
    RemoteOrder,
    RemoteOrderLine,
    StockRecord,
    Submission,
)
from ..errors import ConfigError, MalformedResponse, RequestRejected
from ..http import DEFAULT_TIMEOUT
from ..kit import (
    BatchSending,
    ConfigReader,
    SentMemory,
    aware,
    blank,
    Chunk,
    StagedWalker,
    chunks,
    depth_first,
    epoch_ms,
    from_ms,
    moment,
    number_text,
    read_pages,
    text,
    to_decimal,
    truthy,
    wire_amount,
)
from ..ratelimit import CallBudget
from .client import (
    OMS_TZ,
    STATUS_LISTS,
    HepsiburadaCatalogClient,
    HepsiburadaListingClient,
    HepsiburadaOmsClient,
    catalog_budget,
    encode_import_file,
    listing_budget,
    oms_budget,
)
from .config import (
    BATCH_SIZES,
    CANCEL_REASONS,
    CATEGORY_PAGE_SIZE,
    CLAIMS_PAGE_SIZE,
    FLOWS,
    INVOICE_LINK_SUFFIX,
    MAX_IMAGES_PER_PRODUCT,
    MAX_IMPORT_BYTES,
    MAX_MERCHANT_STATEMENT,
    MAX_SKUS_PER_LISTINGS_QUERY,
    MAX_SKUS_PER_STATUS_CHECK,
    ORDER_WINDOW_HOURS,
    PACKAGES_PAGE_SIZE,
    PAID_ORDERS_PAGE_SIZE,
    SCHEMA,
    STATUS_LIST_PAGE_SIZE,
    STATUS_PAGE_SIZE,
    UNPACKED_PAGE_SIZE,
    VALUE_PAGE_SIZE,
)
from .models import (
    AttributeDefinition,
    CancelledLine,
    CatalogEnvelope,
    Claim,
    ImportStatusItem,
    Money,
    OrderAddress,
    OrderInvoice,
    Package,
    PackageCreated,
    PaidLine,
    StatusPackage,
    TrackingInfo,
    UpdateStatusItem,
    UploadStatus,
)

logger = logging.getLogger("mpdash.marketplaces.hepsiburada")

# Record kind of a sync flow -> the listing upload that carries it. Deleting a product is a
# stock upload with availableStock 0 (the setup guide: "products removed from the catalog
# have their stock set to 0 on the Hepsiburada side").
UPLOAD_KIND_BY_RECORD_KIND = {
    "productstock": "stock", "productprice": "price", "inventory": "inventory", "product_delete": "stock",
}

# Catalog product status -> where the product stands. MATCHED, WAITING and BLOCKED (with
# rejectReasonsMessages) are documented (changelogs Temmuz/Kasım 2022); the rest of the enum
# comes from the catalog OpenAPI document without a description.
STATE_BY_PRODUCT_STATUS = {
    "MATCHED": ON_SALE,
    "CREATED": ON_SALE,  # guess: "yaratıldı, satışa hazır" — created in the catalog, ready for sale
    "WAITING": PENDING_APPROVAL,
    "IN_EXTERNAL_PROGRESS": PENDING_APPROVAL,  # guess: with an outside content team
    "PRE_MATCHED": PENDING_APPROVAL,  # matched to an existing product; the merchant may approve or reject the match
    "MATCHED_WITH_STAGED": PENDING_APPROVAL,  # guess
    "MISSING_INFO": REJECTED,  # guess: Hepsiburada asks for more information, so someone must act
    "REJECTED": REJECTED,
    "BLOCKED": REJECTED,
}

# A product update's remote id is its trackingId with this prefix, so that
# ``poll("product", …)`` knows to read the update service rather than the import status.
UPDATE_PREFIX = "update:"

# The Mapper's default fields: Hepsiburada's import keys (the ``attributes`` of an import
# item), except ``images``, which becomes Image1..Image10.
DEFAULT_ATTRIBUTES: tuple[DefaultAttribute, ...] = (
    DefaultAttribute("merchantSku", "Merchant SKU (Satıcı Stok Kodu)", True, "text", "sku"),
    # Not mandatory on Hepsiburada for single products; when empty the sku is sent, so each
    # product is its own variant group.
    DefaultAttribute("VaryantGroupID", "Variant group id", False, "text", "base_code"),
    # guess: our catalog has no barcode or brand column; these are the attribute keys the
    # operator most likely uses. Map other keys in the Mapper.
    DefaultAttribute("Barcode", "Barcode", True, "text", "attributes.barcode"),
    DefaultAttribute("UrunAdi", "Product name (Ürün Adı)", True, "text", "name"),
    DefaultAttribute("UrunAciklamasi", "Description (Ürün Açıklaması)", True, "text", "description"),
    DefaultAttribute("Marka", "Brand (Marka)", True, "text", "attributes.brand"),
    DefaultAttribute("GarantiSuresi", "Warranty in months (Garanti Süresi)", True, "number", ""),
    DefaultAttribute("kg", "Desi / weight (kg)", True, "number", ""),
    DefaultAttribute("tax_vat_rate", "VAT rate % (KDV)", True, "number", "tax_rate"),
    DefaultAttribute("price", "Price (Fiyat)", True, "number", "price"),
    DefaultAttribute("stock", "Stock (Stok)", True, "number", "stock"),
    DefaultAttribute("images", f"Images (Image1…Image{MAX_IMAGES_PER_PRODUCT})", True, "list", "images"),
)
_DEFAULT_KEYS = frozenset(a.key for a in DEFAULT_ATTRIBUTES)
# Base attributes that the default fields already cover (images and video are not mapped per category).
_IMAGE_OR_VIDEO = re.compile(r"^(image|video)\d+$", re.IGNORECASE)
_MULTIPART_OVERHEAD = 1024  # bytes of multipart framing around the JSON file (boundary, headers)
_MAX_PAGES = 10_000  # a paged read that goes on longer than this is a broken answer
PACKING_THREADS = 4  # packages created at once by automatic_packing
PACKING_CHUNK = 50  # package requests the call budget is taken for at once

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

# --- order side ---------------------------------------------------------------------------
# Package status -> the contract's normalised status. Packaged, InTransit, Delivered,
# Undelivered, Cancelled and Unpacked are the statuses packages move through.
# guess: the documents type "status" as free text; the other spellings are accepted too.
ORDER_STATUS_BY_PACKAGE_STATUS = {
    "open": "created",  # a paid line waiting to be packaged
    "packaged": "created", "packed": "created", "readytoship": "created",
    "intransit": "shipped", "shipped": "shipped",
    "delivered": "delivered",
    "undelivered": "returned",  # guess: the carrier could not deliver it and brings it back to the merchant
    "cancelled": "cancelled", "canceled": "cancelled",
    "unpacked": "unpacked",
}
STATUS_BY_LIST = {"shipped": "shipped", "delivered": "delivered", "undelivered": "returned"}
CLAIM_STATUS_BY_HB_STATUS = {
    "awaitingaction": "waiting_action", "newrequest": "waiting_action", "awaitingpreapproval": "waiting_action",
    "accepted": "accepted", "refunded": "accepted", "rejected": "rejected", "indispute": "in_dispute",
    "cancelled": "cancelled",
}
# The claim statuses list_claims reads, by the date the claim reached them. NewRequest and
# AwaitingPreApproval are left out: the merchant cannot act on them yet.
CLAIM_LIST_STATUSES = ("AwaitingAction", "InDispute", "Accepted", "Rejected", "Refunded", "Cancelled")
CLAIM_REASON_TEXT = {
    "ProductIsBrokenOrDamaged": "the product is broken or damaged",
    "NotArrivedWhenNeeded": "it did not arrive when needed",
    "FoundCheaper": "the customer found it cheaper",
    "PoorQuality": "poor quality",
    "IncompatiblyProduct": "the product is not compatible",
    "MissingProduct": "a product or part is missing",
    "WrongProduct": "a wrong product was sent",
    "ProductHasExpired": "the product has expired",
    "SizeTooLarge": "the size is too large",
}
DEFAULT_LABEL_FORMAT = "png"  # the setup guide's example for check_hepsijet_format_type
LABEL_MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "pdf": "application/pdf", "base64zpl": "text/plain"}
# Carrier names Hepsiburada answers with -> the shipping_provider keys the setup guide uses.
CARRIER_ALIASES = {
    "hepsijet": "hbexpress", "hx": "hbexpress", "hbx": "hbexpress", "kolaygelsin": "kgelsin", "yk": "yurtici",
    "pttkargo": "ptt", "mngkargo": "mng", "araskargo": "aras", "yurticikargo": "yurtici", "suratkargo": "surat",
    "upskargo": "ups",
}

_USE_SHARED_BUDGET: Any = object()  # default of ``budget``: the merchant's shared call budget


def _import_price(value: Any) -> str:
    """The import file's price: two decimals with a decimal comma, as Hepsiburada's example ("130,50")."""
    number = to_decimal(value)
    if number is None:
        return "" if value is None else str(value).strip()
    return str(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)).replace(".", ",")


def _line_carrier(line: PaidLine) -> str:
    """The short name (e.g. ``YK``) of the carrier a paid line names, or ""."""
    return text(line.cargo_company_model.short_name) if line.cargo_company_model else ""


def _is_last_page(answer: CatalogEnvelope, next_page: int, got: int, size: int) -> bool:
    if got == 0 or answer.last is True:
        return True
    if answer.total_pages is not None:
        return next_page >= answer.total_pages
    return got < size


def _images(record: ProductRecord) -> list[str]:
    raw = record.fields.get("images")
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw] if raw.strip() else []
    return [str(url).strip() for url in raw if not blank(url)]


def _attribute_value(choice) -> str:
    """What Hepsiburada takes for a category attribute: the value text, never its id.

    guess: a multi-value attribute takes its values as one comma-separated text.
    """
    if choice.custom_value is not None:
        return str(choice.custom_value).strip()
    names = [str(n).strip() for n in choice.value_names if not blank(n)]
    return ",".join(names or [str(i).strip() for i in choice.value_ids if not blank(i)])


def _product_state(status: str | None) -> str:
    if not status:
        return NOT_FOUND
    state = STATE_BY_PRODUCT_STATUS.get(status.strip().upper())
    if state is None:  # guess: a status added after the documented enum is most likely another waiting state
        logger.warning("Hepsiburada product status %r is not known; treated as pending approval", status)
        return PENDING_APPROVAL
    return state


def _listing_item(record: StockRecord | PriceRecord, **values: Any) -> dict[str, Any]:
    """A listing upload's element: our sku, Hepsiburada's when known, then ``values``."""
    item: dict[str, Any] = {"merchantSku": record.sku}
    if record.remote_sku:
        item["hepsiburadaSku"] = record.remote_sku
    return {**item, **values}


def _describe_errors(codes: list[str]) -> str:
    return "; ".join(f"{code}: {ERROR_TEXT[code]}" if code in ERROR_TEXT else code for code in codes) or "rejected"


class HepsiburadaAdapter(BatchSending, MarketplaceAdapter):
    name = "hepsiburada"
    label = "Hepsiburada"
    flows = FLOWS
    schema = SCHEMA
    batch_sizes = BATCH_SIZES
    batch_unit = "upload"
    # Hepsiburada refuses a sixth stock/price upload while five are waiting or processing
    # ("too many ongoing/waiting inventory uploads"); a product delete is a stock upload.
    # unverified: the figure 5 comes from the seeds and integrators' notes, not an official page.
    max_open_batches = 5
    open_batch_kinds = ("productstock", "productprice", "product_delete")
    # A new product gets its listing (the merchant SKU the listing API updates) once the catalog
    # approves it; before that an inventory upload answers ProductNotFound for it.
    # unverified: the order of catalog approval and listing comes from integrators' notes.
    listed_on_approval = True

    listings_page_size = 500  # Hepsiburada documents no ceiling; 500 keeps answers small
    remembered_uploads = 1000  # uploads whose skus are kept for poll()
    category_page_size = CATEGORY_PAGE_SIZE
    value_page_size = VALUE_PAGE_SIZE
    status_page_size = STATUS_PAGE_SIZE

    max_images = MAX_IMAGES_PER_PRODUCT
    max_request_bytes = MAX_IMPORT_BYTES

    # Order side: the OMS's largest pages, and the longest window one listing call covers.
    paid_orders_page_size = PAID_ORDERS_PAGE_SIZE
    packages_page_size = PACKAGES_PAGE_SIZE
    status_list_page_size = STATUS_LIST_PAGE_SIZE
    unpacked_page_size = UNPACKED_PAGE_SIZE
    claims_page_size = CLAIMS_PAGE_SIZE
    max_order_window_hours = ORDER_WINDOW_HOURS

    def __init__(
        self,
        config: dict[str, Any],
        *,
        transport: httpx.BaseTransport | None = None,
        budget: CallBudget | None = _USE_SHARED_BUDGET,
        timeout: httpx.Timeout | float | None = None,
    ):
        super().__init__(config, transport=transport, timeout=timeout)
        read = ConfigReader(self.config, "Hepsiburada")
        merchant_id = read.required("merchant_id")
        # The API user name is the merchant id unless Hepsiburada issued a separate one.
        username = str(config.get("username") or "").strip() or merchant_id
        self._budget = budget
        self._credentials = {
            "merchant_id": merchant_id,
            "username": username,
            "password": read.required("password"),
            "user_agent": read.required("user_agent"),
        }
        self.merchant_id = merchant_id
        self.client = HepsiburadaListingClient(
            read.required("listing_url"),
            **self._credentials,
            budget=listing_budget(merchant_id) if budget is _USE_SHARED_BUDGET else budget,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            transport=transport,
        )
        self._catalog: HepsiburadaCatalogClient | None = None
        self._oms: HepsiburadaOmsClient | None = None
        # Paid lines of the orders list_orders returned waiting, as read: packing uses them
        # instead of parsing them again from the record.
        self._waiting_lines: dict[str, list[PaidLine]] = {}
        # Packages this adapter made: returned by prepare_packages, so the package listing of the
        # same run (its window reaches into the minute they were made in) leaves them out.
        self._packed: set[str] = set()
        self._buffer_stock = max(0, read.whole("buffer_stock", default=0, minimum=None))
        # Skus of the uploads and imports this adapter sent, in order: Hepsiburada's listing
        # status lists only the rejected elements, so the accepted ones are known only from
        # what was sent; a product import's status is matched to them by merchantSku.
        self.sent_batches: SentMemory[list[str]] = SentMemory(self.remembered_uploads, on_forget=self._forget)
        # Product update requests: hbSku -> our sku, and the skus left out for want of an hbSku.
        self._update_skus: dict[str, dict[str, str]] = {}
        self._update_skipped: dict[str, list[ItemResult]] = {}

    @property
    def catalog(self) -> HepsiburadaCatalogClient:
        """The catalog (mpop) client, built on first use from ``base_url``."""
        if self._catalog is None:
            self._catalog = self._host_client(HepsiburadaCatalogClient, "base_url", catalog_budget)
        return self._catalog

    def _host_client(self, cls: type, url_key: str, shared_budget: Callable[[], CallBudget]):
        """A client of another Hepsiburada host with this adapter's credentials, timeout and transport."""
        return cls(
            ConfigReader(self.config, "Hepsiburada").required(url_key),
            **self._credentials,
            budget=shared_budget() if self._budget is _USE_SHARED_BUDGET else self._budget,
            timeout=DEFAULT_TIMEOUT if self.timeout is None else self.timeout,
            transport=self.transport,
        )

    def _forget(self, remote_id: str) -> None:
        """An upload forgotten by the sent-batch memory: what is kept beside it goes too."""
        self._update_skus.pop(remote_id, None)
        self._update_skipped.pop(remote_id, None)

    # --- sending ----------------------------------------------------------------------
    def stock_to_send(self, quantity: int) -> int:
        return max(0, int(quantity) - self._buffer_stock)

    def send_stock(self, records: list[StockRecord]) -> Submission:
        """One stock upload: stock minus the buffer (never below 0), and purchase caps when given."""
        _, items, sent = self.prepare_batch("productstock", records, self._stock_item)
        return self.submit(self.client.upload_stock, items, sent, self.client)

    def _stock_item(self, record: StockRecord) -> dict[str, Any]:
        item = _listing_item(record, availableStock=self.stock_to_send(record.quantity))
        cap = (record.extra or {}).get("maximumPurchasableQuantity")
        if cap not in (None, ""):
            try:
                item["maximumPurchasableQuantity"] = int(cap)
            except (TypeError, ValueError):
                item["maximumPurchasableQuantity"] = cap  # Hepsiburada reports it on this item
        return item

    def send_prices(self, records: list[PriceRecord]) -> Submission:
        """One price upload. The price upload takes only the sale price: list prices are not sent."""
        _, items, sent = self.prepare_batch("productprice", records,
                                            lambda r: _listing_item(r, price=wire_amount(r.price)))
        return self.submit(self.client.upload_price, items, sent, self.client)

    # --- reading outcomes -------------------------------------------------------------
    def poll(self, kind: str, remote_id: str, skus: list[str] | None = None) -> BatchStatus:
        """Where an upload stands; once finished, one result per sku.

        ``skus`` are the skus of the upload in the order sent (as in ``Submission.sent``).
        Hepsiburada lists only the rejected elements, so without ``skus`` (and when this
        adapter did not send the upload itself) the results hold only the failures: every
        other sku of the upload was accepted.
        """
        if kind in ("product", "product_update"):
            if kind == "product_update" or remote_id.startswith(UPDATE_PREFIX):
                return self._poll_update(remote_id, skus)
            return self._poll_import(remote_id, skus)
        def results(status: UploadStatus, remembered: list[str] | None) -> list[ItemResult] | str:
            if status.is_failed:
                codes = sorted({code for error in status.errors for code in error.errors})
                return f"Hepsiburada marked upload {remote_id} as {status.status}" + (f" ({', '.join(codes)})"
                                                                                     if codes else "")
            outcome = self._item_results(status, list(skus) if skus is not None else remembered)
            return [_deleted_anyway(r) for r in outcome] if kind == "product_delete" else outcome

        upload_kind = UPLOAD_KIND_BY_RECORD_KIND.get(kind, kind)
        return self.poll_batch(remote_id, self.client, lambda: self.client.get_upload_status(upload_kind, remote_id),
                               lambda status: status.is_finished, results)

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

    # --- catalog: categories and attributes ----------------------------------------------
    @classmethod
    def default_attributes(cls) -> tuple[DefaultAttribute, ...]:
        """The import keys every Hepsiburada product carries, whatever its category."""
        return DEFAULT_ATTRIBUTES

    def _catalog_pages(self, read: Callable[[int, int], CatalogEnvelope], size: int, what: str, *, strict: bool = True,
                       got: Callable[[CatalogEnvelope], int] = lambda answer: len(answer.data)) -> Iterator:
        """Every page of a catalog listing (``read(page, size)``), to its last."""
        return read_pages(lambda page: read(page, size), lambda a, following: _is_last_page(a, following, got(a), size),
                          most=_MAX_PAGES, what=what, strict=strict)

    def fetch_categories(self, root_ids: list[str]) -> Iterator[RemoteCategory]:
        """Every node under the given roots (all top-level trees when empty), parents before children.

        Hepsiburada has no per-subtree query: the whole tree is read page by page (at most
        2000 nodes a page) and walked here. A given root is yielded with ``parent_id`` None.
        """
        nodes = [node for answer in self._catalog_pages(self.catalog.get_categories, self.category_page_size,
                                                        "GET categories") for node in answer.data]  # no filters
        by_id = {node.category_id: node for node in nodes}
        children: dict[str | None, list] = defaultdict(list)
        for node in nodes:
            children[node.parent_category_id if node.parent_category_id in by_id else None].append(node)
        wanted = list(dict.fromkeys(str(r).strip() for r in root_ids or [] if str(r).strip()))
        if wanted:
            unknown = [r for r in wanted if r not in by_id]
            if unknown:
                raise ConfigError(
                    f"Hepsiburada channel config: category_ids {', '.join(unknown)} "
                    f"{'is not a' if len(unknown) == 1 else 'are not'} Hepsiburada "
                    f"categor{'y' if len(unknown) == 1 else 'ies'}; take the root ids from get-all-categories"
                )
            starts = [by_id[r] for r in wanted]
        else:
            starts = list(children[None])
        for node, parent in depth_first(starts, lambda n: children[n.category_id], lambda n: n.category_id):
            yield RemoteCategory(remote_id=node.category_id, name=node.display_name or node.name, parent_id=parent,
                                 is_leaf=node.leaf, available=node.is_active)

    def fetch_attributes(self, category_id: str) -> list[RemoteAttribute]:
        """The category and variant attributes of a leaf, each enum one with all its values.

        Base attributes (merchantSku, UrunAdi, Image1…) are the default attributes and are left
        out; any other base attribute Hepsiburada adds is kept as a category attribute.
        """
        definition = self.catalog.get_attributes(str(category_id))
        out: list[RemoteAttribute] = []
        for attribute in definition.base_attributes:
            if attribute.id in _DEFAULT_KEYS or _IMAGE_OR_VIDEO.match(attribute.id):
                continue
            out.append(self._remote_attribute(category_id, attribute, variant=False))
        out += [self._remote_attribute(category_id, a, variant=False) for a in definition.attributes]
        out += [self._remote_attribute(category_id, a, variant=True) for a in definition.variant_attributes]
        return out

    def _remote_attribute(self, category_id: str, attribute: AttributeDefinition, *, variant: bool) -> RemoteAttribute:
        kind = (attribute.type or "").strip().lower()
        if kind == "enum":
            data_type, values = "enum", self._all_values(category_id, attribute.id)
        elif kind in ("integer", "int", "long", "number", "double", "decimal", "float"):
            data_type, values = "number", []
        elif kind in ("boolean", "bool"):
            data_type, values = "bool", []
        else:
            data_type, values = "text", []
        return RemoteAttribute(
            remote_id=attribute.id, name=attribute.name, required=attribute.mandatory, variant=variant,
            slicer=False,  # Hepsiburada groups every variant on one card by VaryantGroupID
            allow_custom=data_type != "enum", multi_value=attribute.multi_value, data_type=data_type,
            values=values,
        )

    def _all_values(self, category_id: str, attribute_id: str) -> list[AttributeValue]:
        values: dict[str, AttributeValue] = {}
        for answer in self._catalog_pages(lambda page, size: self.catalog.get_attribute_values(
                str(category_id), attribute_id, page, size), self.value_page_size, f"GET values of {attribute_id}"):
            for item in answer.data:
                values.setdefault(item.id, AttributeValue(remote_id=item.id, name=item.value))
        return list(values.values())

    # --- catalog: products ----------------------------------------------------------------
    def check_product(self, record: ProductRecord) -> list[str]:
        """What Hepsiburada would refuse this product for, each naming the field and the fix."""
        problems: list[str] = []
        fields = record.fields or {}
        if not str(record.category_id or "").strip().isdigit():
            problems.append(f"category_id: {record.category_id!r} is not a Hepsiburada category id (a number); "
                            "map the product's category to a Hepsiburada leaf category")
        for attribute in DEFAULT_ATTRIBUTES:
            if attribute.key in ("merchantSku", "images") or not attribute.required:
                continue
            if blank(fields.get(attribute.key)):
                source = f" (or fill {attribute.source} on the product)" if attribute.source else ""
                problems.append(f"{attribute.key}: {attribute.label} is required; map it in the Mapper{source}")
        given_sku = fields.get("merchantSku")
        if not blank(given_sku) and str(given_sku).strip() != record.sku:
            problems.append(f"merchantSku: {given_sku!r} differs from the product's sku {record.sku!r}; Hepsiburada's "
                            "answers are matched by merchantSku, so it is always sent as the sku")
        raw_images = fields.get("images")
        if raw_images is not None and not isinstance(raw_images, (list, tuple, str)):
            problems.append("images: must be a list of image URLs")
        images = _images(record) if raw_images is None or isinstance(raw_images, (list, tuple, str)) else []
        if not images:
            problems.append("images: at least one image is required (Image1); add an image to the product")
        elif len(images) > self.max_images:
            problems.append(
                f"images: {len(images)} images, but the number of photos for the products to be sent must not "
                f"exceed {self.max_images}; remove {len(images) - self.max_images}")
        for url in images:
            if not url.lower().startswith(("http://", "https://")):
                problems.append(f"images: {url!r} is not an http(s) URL")
        price = to_decimal(fields.get("price"))
        if not blank(fields.get("price")) and (price is None or price <= 0):
            problems.append(f"price: {fields.get('price')!r} is not a positive amount; set a sale price above 0")
        stock = to_decimal(fields.get("stock"))
        if not blank(fields.get("stock")) and (stock is None or stock < 0 or stock != stock.to_integral_value()):
            problems.append(f"stock: {fields.get('stock')!r} is not a whole number of 0 or more")
        vat = to_decimal(fields.get("tax_vat_rate"))
        if not blank(fields.get("tax_vat_rate")) and (vat is None or not 0 <= vat <= 100):
            problems.append(f"tax_vat_rate: {fields.get('tax_vat_rate')!r} is not a VAT rate in percent (e.g. 20)")
        warranty = to_decimal(fields.get("GarantiSuresi"))
        if not blank(fields.get("GarantiSuresi")) and (
                warranty is None or warranty < 0 or warranty != warranty.to_integral_value()):
            problems.append(f"GarantiSuresi: {fields.get('GarantiSuresi')!r} is not a whole number of months")
        weight = to_decimal(fields.get("kg"))
        if not blank(fields.get("kg")) and (weight is None or weight <= 0):
            problems.append(f"kg: {fields.get('kg')!r} is not a positive desi/weight")
        for choice in record.attributes:
            label = f"{choice.attribute_name} ({choice.attribute_id})"
            if choice.custom_value is None and not choice.value_ids and not choice.value_names:
                problems.append(f"{label}: no value chosen; map a value in the Mapper")
            elif choice.custom_value is None and choice.value_ids and not choice.value_names:
                problems.append(f"{label}: Hepsiburada takes the value text, but only value ids were mapped; "
                                "refresh the category attributes")
        return problems

    def build_product_payload(self, record: ProductRecord, *, update: bool = False) -> dict[str, Any]:
        """The exact import item (``update``: the product update item) this adapter sends for ``record``."""
        fields = record.fields or {}
        images = _images(record)
        category_attributes = {choice.attribute_id: _attribute_value(choice) for choice in record.attributes}
        if update:
            # Only the fields to change go to the update service, so that what Hepsiburada's
            # content team enriched is not overwritten. Price and stock go by the listing API.
            item: dict[str, Any] = {"hbSku": record.remote_sku}
            for key, field_key in (("productName", "UrunAdi"), ("productDescription", "UrunAciklamasi")):
                if not blank(fields.get(field_key)):
                    item[key] = text(fields[field_key])
            item.update({f"image{n}": url for n, url in enumerate(images, start=1)})
            if category_attributes:
                item["attributes"] = category_attributes
            return item
        stock = to_decimal(fields.get("stock"))
        if stock is not None and stock == stock.to_integral_value():
            stock_text = str(max(0, int(stock) - self._buffer_stock))
        else:
            stock_text = text(fields.get("stock"))
        warranty = to_decimal(fields.get("GarantiSuresi"))
        attributes: dict[str, Any] = {
            "merchantSku": record.sku,
            "VaryantGroupID": text(fields.get("VaryantGroupID")) or record.sku,
            "Barcode": text(fields.get("Barcode")),
            "UrunAdi": text(fields.get("UrunAdi")),
            "UrunAciklamasi": text(fields.get("UrunAciklamasi")),
            "Marka": text(fields.get("Marka")),
            # Hepsiburada's example sends the warranty as a number and the rest as texts.
            "GarantiSuresi": int(warranty) if warranty is not None and warranty == warranty.to_integral_value()
            else text(fields.get("GarantiSuresi")),
            "kg": number_text(fields.get("kg")),
            "tax_vat_rate": number_text(fields.get("tax_vat_rate")),
            "price": _import_price(fields.get("price")),
            "stock": stock_text,
        }
        attributes.update({f"Image{n}": url for n, url in enumerate(images, start=1)})
        attributes.update(category_attributes)
        category = str(record.category_id or "").strip()
        return {
            "categoryId": int(category) if category.isdigit() else category,
            "merchant": self.merchant_id,
            "attributes": attributes,
        }

    def _check_bytes(self, body: bytes, what: str) -> None:
        size = len(body) + _MULTIPART_OVERHEAD
        if size > self.max_request_bytes:
            raise ValueError(
                f"the {what} file would be {size} bytes; Hepsiburada accepts at most {self.max_request_bytes} "
                "bytes per request: send fewer products at once")

    def send_products(self, records: list[ProductRecord], *, update: bool = False) -> Submission:
        """One import (or one product update) file; results by ``poll("product", remote_id)``.

        An update goes to Hepsiburada's product update service, which changes listed
        products by their hbSku; a record without ``remote_sku`` is looked up in the
        merchant's listings, and one that is not on sale yet cannot be updated (its result
        says so; a rejected or waiting product is corrected by importing it again).
        """
        records = list({r.sku: r for r in records}.values())  # Hepsiburada refuses a file's duplicate skus
        self.check_size("product", len(records))
        if not records:
            return Submission(remote_id=None, sent={}, results=[])
        if update:
            return self._send_updates(records)
        sent = {record.sku: self.build_product_payload(record) for record in records}
        self._check_bytes(encode_import_file(list(sent.values())), "import")
        tracking_id = self.catalog.import_products(list(sent.values()))
        self.sent_batches.remember(tracking_id, list(sent))
        return Submission(remote_id=tracking_id, sent=sent, exchange=self.catalog.last_exchange())

    def _send_updates(self, records: list[ProductRecord]) -> Submission:
        found = self._hb_skus_for([r.sku for r in records if not r.remote_sku])
        ready: list[ProductRecord] = []
        skipped: list[ItemResult] = []
        for record in records:
            hb_sku = record.remote_sku or found.get(record.sku)
            if hb_sku:
                ready.append(dataclasses.replace(record, remote_sku=hb_sku))
            else:
                skipped.append(ItemResult(
                    record.sku, False,
                    "no Hepsiburada sku (hbSku) for this product: it is not on sale on Hepsiburada yet, so the "
                    "product update service cannot change it; create it (or import it again) instead",
                    state=NOT_FOUND))
        if not ready:
            return Submission(remote_id=None, sent={}, results=skipped)
        sent = {record.sku: self.build_product_payload(record, update=True) for record in ready}
        items = list(sent.values())
        self._check_bytes(encode_import_file({"merchantId": self.merchant_id, "items": items}), "product update")
        remote_id = UPDATE_PREFIX + self.catalog.update_products(items)
        self.sent_batches.remember(remote_id, list(sent))
        self._update_skus[remote_id] = {record.remote_sku: record.sku for record in ready}
        if skipped:
            self._update_skipped[remote_id] = skipped
        return Submission(remote_id=remote_id, sent=sent, exchange=self.catalog.last_exchange())

    def _hb_skus_for(self, skus: list[str]) -> dict[str, str]:
        """hepsiburadaSku of each sku the merchant has a listing for (listing API, 50 a call)."""
        found: dict[str, str] = {}
        for chunk in chunks(list(dict.fromkeys(skus)), MAX_SKUS_PER_LISTINGS_QUERY):
            by_lower = {sku.lower(): sku for sku in chunk}
            for item in self.client.list_listings(0, len(chunk), merchant_skus=chunk).listings:
                sku = by_lower.get((item.merchant_sku or "").lower())
                if sku and item.hepsiburada_sku:
                    found[sku] = item.hepsiburada_sku
        return found

    def _poll_import(self, tracking_id: str, skus: list[str] | None) -> BatchStatus:
        items: list[ImportStatusItem] = [
            item for answer in self._catalog_pages(lambda page, size: self.catalog.get_import_status(tracking_id, page, size),
                                                   self.status_page_size, "GET import status", strict=False)
            for item in answer.data]
        exchange = self.catalog.last_exchange()
        if not items or any(_still_importing(item) for item in items):
            return BatchStatus(done=False, exchange=exchange)
        known = list(skus) if skus is not None else self.sent_batches.get(tracking_id)
        self.sent_batches.pop(tracking_id)
        by_lower = {sku.lower(): sku for sku in known or []}
        results: dict[str, ItemResult] = {}
        for item in items:
            sku = by_lower.get((item.merchant_sku or "").lower()) or item.merchant_sku
            if not sku and known and item.item_order_id and 1 <= item.item_order_id <= len(known):
                sku = known[item.item_order_id - 1]  # guess: itemOrderID is 1-based into the file
            results[sku or f"item {item.item_order_id}"] = _import_result(sku or f"item {item.item_order_id}", item)
        for sku in known or []:
            if sku not in results:
                results[sku] = ItemResult(
                    sku, False, f"Hepsiburada's status of import {tracking_id} does not list this product; "
                    "it was not imported: send it again", state=NOT_FOUND)
        return BatchStatus(done=True, results=list(results.values()), exchange=exchange)

    def _poll_update(self, remote_id: str, skus: list[str] | None) -> BatchStatus:
        tracking_id = remote_id.removeprefix(UPDATE_PREFIX)
        entries: list[UpdateStatusItem] = [
            item for answer in self._catalog_pages(
                lambda page, size: self.catalog.get_update_status(tracking_id, page, size), self.status_page_size,
                "GET update status", strict=False, got=lambda a: sum(len(entry.items) for entry in a.data))
            for entry in answer.data for item in entry.items]
        exchange = self.catalog.last_exchange()
        if not entries or any((item.product_status or "").upper() != "COMPLETED"
                              or any((r.field_result or "").upper() == "IN_PROGRESS" for r in item.update_results)
                              for item in entries):
            return BatchStatus(done=False, exchange=exchange)
        sku_by_hb = self._update_skus.pop(remote_id, None)
        if sku_by_hb is None and skus:
            sku_by_hb = {hb: sku for sku, hb in self._hb_skus_for(list(skus)).items()}
        sku_by_hb = sku_by_hb or {}
        results = {}
        for item in entries:
            sku = sku_by_hb.get(item.hb_sku or "") or item.hb_sku or "unknown hbSku"
            results[sku] = _update_result(sku, item)
        for result in self._update_skipped.pop(remote_id, []):
            results.setdefault(result.sku, result)
        for sku in skus or []:
            if sku not in results:
                results[sku] = ItemResult(
                    sku, False, f"Hepsiburada's status of update {tracking_id} does not list this product",
                    state=NOT_FOUND)
        self.sent_batches.pop(remote_id)
        return BatchStatus(done=True, results=list(results.values()), exchange=exchange)

    def product_statuses(self, skus: list[str]) -> dict[str, ProductStatus]:
        """Where each sku stands in Hepsiburada's catalog (check-product-status), with the reject
        reasons of blocked ones (products-by-merchant-and-status) and the hbSku of those on sale
        (their listing)."""
        unique = list(dict.fromkeys(sku for sku in skus if sku))
        raw: dict[str, str | None] = {}
        for chunk in chunks(unique, MAX_SKUS_PER_STATUS_CHECK):
            for status in self.catalog.check_product_status(chunk):
                if status.merchant_sku:
                    raw[status.merchant_sku.lower()] = status.status
        out: dict[str, ProductStatus] = {}
        refused: dict[str, list[str]] = defaultdict(list)
        for sku in unique:
            status = raw.get(sku.lower())
            out[sku] = ProductStatus(sku, _product_state(status))
            if out[sku].state == REJECTED:
                refused[str(status).upper()].append(sku)
        for status, wanted in refused.items():
            self._fill_reasons(status, wanted, out)
        on_sale = [sku for sku, status in out.items() if status.state == ON_SALE]
        for sku, hb_sku in self._hb_skus_for(on_sale).items():
            out[sku].remote_sku = hb_sku
        return out

    def _fill_reasons(self, status: str, wanted: list[str], out: dict[str, ProductStatus]) -> None:
        missing = {sku.lower(): sku for sku in wanted}
        pages = self._catalog_pages(lambda page, size: self.catalog.products_by_status(status, page, size),
                                    self.status_page_size, f"GET products {status}", strict=False)
        for answer in pages if missing else ():
            for product in answer.data:
                sku = missing.pop((product.merchant_sku or "").lower(), None)
                if sku is not None:
                    out[sku].reasons = product.reasons()
                    out[sku].remote_sku = product.hb_sku or out[sku].remote_sku
            if not missing:
                break
        for sku in wanted:
            if not out[sku].reasons:
                out[sku].reasons = [f"{status} on Hepsiburada (no reason given)"]

    def delete_products(self, records: list[StockRecord]) -> Submission:
        """Take products off sale: one stock upload with availableStock 0 (buffer and quantity ignored).

        Results by ``poll("product_delete", …)``; a sku Hepsiburada has no listing for counts as
        taken off sale. Products still waiting for approval are not withdrawn.
        """
        _, items, sent = self.prepare_batch("product_delete", records, lambda r: _listing_item(r, availableStock=0))
        return self.submit(self.client.upload_stock, items, sent, self.client)

    # --- order side: reading ----------------------------------------------------------------
    @property
    def oms(self) -> HepsiburadaOmsClient:
        """The order (OMS) client, built on first use from ``oms_url``."""
        if self._oms is None:
            self._oms = self._host_client(HepsiburadaOmsClient, "oms_url", lambda: oms_budget(self.merchant_id))
        return self._oms

    def _on(self, key: str) -> bool:
        return truthy(self.config.get(key))

    def list_orders(self, start, end, token=None) -> Page:
        """Packages created in [start, end), page by page (``{"packages": offset}`` tokens).

        With ``automatic_packing`` on, the first page holds the paid lines of the window that
        are not packaged yet, one order each with an empty ``package_id``:
        :meth:`prepare_packages` packages them and returns them as packages. Paid lines are
        read up to the end of the minute going on (an order is stored within seconds, not
        once its minute is over); lines paid later in that minute are still waiting at the
        next run. Packages are read in whole minutes that are over, and never the ones this
        adapter made (they were returned by :meth:`prepare_packages`).
        """
        if token is None:
            paid = _minute_window(start, end, into_last_minute=True) if self._on("automatic_packing") else None
            waiting = self._waiting_orders(*paid) if paid is not None else []
            if waiting:
                return Page(waiting, {"packages": 0})
            token = {"packages": 0}
        window = _minute_window(start, end)
        if window is None:
            return Page([], None)
        offset = int(token["packages"])
        packages = self.oms.list_packages(offset, self.packages_page_size, *window)
        orders = [self._with_label(self._order_from_package(package)) for package in packages
                  if package.package_number not in self._packed]
        more = len(packages) >= self.packages_page_size
        return Page(orders, {"packages": offset + len(packages)} if more else None)

    def _all_paid_lines(self, begin: datetime | None = None, end: datetime | None = None) -> list[PaidLine]:
        """Every paid line waiting to be packaged (in the window when given), page by page."""
        lines: list[PaidLine] = []
        for _ in range(_MAX_PAGES):
            page = self.oms.list_paid_orders(len(lines), self.paid_orders_page_size, begin, end)
            lines += page.items
            if not page.items or len(lines) >= page.total_count:
                return lines
        raise MalformedResponse("GET paid orders: Hepsiburada kept answering more pages; stopped")

    def _waiting_orders(self, begin: datetime, end: datetime) -> list[RemoteOrder]:
        """Paid lines of the window not packaged yet, one order each (read whole, so that an
        order's lines are never split over two pages)."""
        by_order: dict[str, list[PaidLine]] = {}
        for line in self._all_paid_lines(begin, end):
            if line.can_create_package is False:
                logger.info("Hepsiburada line %s of order %s is not paid yet; not packaged", line.id, line.order_number)
                continue
            by_order.setdefault(line.order_number, []).append(line)
        self._waiting_lines = by_order
        return [self._order_from_lines(lines) for lines in by_order.values()]

    def prepare_packages(self, orders: list[RemoteOrder]) -> list[RemoteOrder]:
        """Package, one package per order, the orders :meth:`list_orders` returned without a package
        (``automatic_packing``), with the store-account cargo company when one is set; packages are
        returned as they are. An order Hepsiburada refuses to package is left out: Hepsiburada
        packages it itself within 15 minutes and it is read then.

        Packages are created :data:`PACKING_THREADS` at a time, with the call budget taken
        for :data:`PACKING_CHUNK` requests at once. An error other than a refusal stops the
        packing; packages created by then are read from the package listing next time."""
        if not self._on("automatic_packing"):
            return [order for order in orders if order.package_id]
        waiting = [order for order in orders if not order.package_id]
        if not waiting:
            return orders
        packed: dict[int, RemoteOrder | None] = {}
        with ThreadPoolExecutor(max_workers=min(PACKING_THREADS, len(waiting)), thread_name_prefix="hb-pack") as pool:
            for chunk in chunks(waiting, PACKING_CHUNK):
                with self.oms.reserved(len(chunk)):
                    for order, result in zip(chunk, pool.map(self._package, chunk)):
                        packed[id(order)] = result
        out: list[RemoteOrder] = []
        for order in orders:
            result = order if order.package_id else packed.get(id(order))
            if result is not None:
                out.append(result)
        return out

    def _other_carrier(self, line: PaidLine) -> str:
        """The store-account carrier (``store_account_cargo_company``) when one is set and the
        paid line names another; "" when the package goes with the carrier the line names."""
        store_account = text(self.config.get("store_account_cargo_company"))
        return store_account if store_account and store_account.casefold() != _line_carrier(line).casefold() else ""

    def _package(self, order: RemoteOrder) -> RemoteOrder | None:
        """Package one waiting order; None when Hepsiburada refuses (or it has no lines)."""
        cargo = text(self.config.get("store_account_cargo_company")) or None
        raw_lines = order.raw.get("lines", [])
        lines = self._waiting_lines.get(order.order_number)
        if lines is None or [line.id for line in lines] != [raw.get("id") for raw in raw_lines]:
            lines = [PaidLine.model_validate(raw) for raw in raw_lines]
        if not lines:
            logger.warning("order %s has no Hepsiburada lines to package; left out", order.order_number)
            return None
        try:
            created = self.oms.create_package([(line.id, line.quantity) for line in lines], cargo)
        except RequestRejected as exc:
            logger.warning("Hepsiburada refused to package order %s: %s", order.order_number, exc)
            return None
        self._packed.add(created.package_number)
        info: TrackingInfo | None = None
        if self._other_carrier(lines[0]):
            # Packaged with another carrier than the lines name: its full name as the package
            # listing gives it. Otherwise the lines already name the package's carrier.
            try:
                info = self.oms.get_package(created.package_number)
            except RequestRejected:
                info = None
        return self._with_label(self._order_from_lines(lines, created, info))

    def list_updated_orders(self, start, end, token=None) -> Page:
        """Packages shipped, delivered or undelivered in [start, end), each with its carrier and
        tracking (the three listings in turn). The records carry
        no lines: the package was read before, by :meth:`list_orders`."""
        return self._walk(start, end, token, STATUS_LISTS, self.status_list_page_size,
                          lambda kind, offset, size, b, e: self.oms.list_status_packages(kind, offset, size, b, e),
                          lambda kind, items: [self._updated_order(kind, item) for item in items])

    def _walk(self, start, end, token, stages: tuple, size: int, fetch: Callable, to_items: Callable) -> Page:
        """One page of an OMS listing over ``stages`` in the minute window of [start, end), by the
        kit's :class:`~mpdash.marketplaces.kit.StagedWalker` (pages by offset: page × size)."""
        window = _minute_window(start, end)
        if window is None:
            return Page([], None)

        def chunk(stage, lo, hi, page, size):
            answer = fetch(stage, page * size, size, from_ms(lo), from_ms(hi))
            return Chunk(answer.items, answer.total_count)

        walker = StagedWalker(chunk, to_items, size, stages, prefix="hb1", owner="the Hepsiburada adapter")
        return walker.page((epoch_ms(window[0]), epoch_ms(window[1])), token)

    def _updated_order(self, kind: str, item: StatusPackage) -> RemoteOrder:
        try:
            info: TrackingInfo | None = self.oms.get_package(item.package_number)
        except RequestRejected as exc:  # the listing is enough to move the status on
            logger.warning("Hepsiburada has no tracking for package %s: %s", item.package_number, exc)
            info = None
        status = _order_status(info.status) if info is not None and info.status else STATUS_BY_LIST[kind]
        cargo = (info.cargo_company if info else None) or ""
        hb_url = (info.tracking_info_url if info else None) or ""
        if self._on("use_hb_tracking_number"):
            tracking = item.barcode or (info.barcode if info else None) or ""
            url = self._tracking_url(cargo, tracking) or hb_url
        else:
            tracking = (info.tracking_info_code if info else None) or ""
            url = hb_url or self._tracking_url(cargo, tracking)
        raw = item.model_dump(mode="json", by_alias=True, exclude_none=True)
        if info is not None:
            raw["trackingInfo"] = info.model_dump(mode="json", by_alias=True, exclude_none=True)
        return RemoteOrder(
            package_id=item.package_number, order_number=item.order_number or next(iter(item.order_numbers), ""),
            status=status, placed_at=None, modified_at=_aware(item.status_date), cargo_company=cargo,
            tracking_number=tracking, tracking_url=url, raw=raw,
        )

    def list_cancellations(self, start, end, token=None) -> Page:
        """Lines cancelled in [start, end), grouped per order within a page.

        Hepsiburada's listing names the lines and their order, not their package, so
        ``package_id`` is empty: the lines are found by their ids.
        """
        return self._walk(start, end, token, (None,), self.status_list_page_size,
                          lambda _, offset, size, b, e: self.oms.list_cancelled_lines(offset, size, b, e),
                          lambda _, lines: self._cancellations(lines))

    @staticmethod
    def _cancellations(page: list[CancelledLine]) -> list[RemoteCancellation]:
        groups: dict[str, list[CancelledLine]] = {}
        for line in page:
            groups.setdefault(line.order_number or "", []).append(line)
        items = []
        for order_number, lines in groups.items():
            codes = list(dict.fromkeys(line.cancel_reason_code for line in lines if line.cancel_reason_code))
            by = list(dict.fromkeys(line.cancelled_by for line in lines if line.cancelled_by))
            dates = [_aware(line.cancel_date) for line in lines if line.cancel_date is not None]
            items.append(RemoteCancellation(
                package_id="", order_number=order_number, line_ids=[line.line_item_id for line in lines],
                reason_code=", ".join(codes), reason_text=f"cancelled by {', '.join(by)}" if by else "",
                cancelled_at=max(dates) if dates else None,
                raw={"items": [line.model_dump(mode="json", by_alias=True, exclude_none=True) for line in lines]},
            ))
        return items

    def list_unpacked(self, start, end, token=None) -> Page:
        """Packages unpacked (broken up) in [start, end): their lines wait to be packaged again."""
        return self._walk(start, end, token, (None,), self.unpacked_page_size,
                          lambda _, offset, size, b, e: self.oms.list_unpacked(offset, size, b, e),
                          lambda _, page: [RemoteCancellation(
            package_id=item.package_number, order_number="", line_ids=[], reason_code="Unpacked",
            reason_text="the package was unpacked on Hepsiburada", cancelled_at=_aware(item.unpacked_date),
            raw=item.model_dump(mode="json", by_alias=True, exclude_none=True),
        ) for item in page])

    def list_claims(self, start, end, token=None) -> Page:
        """Claims that reached their current status in [start, end), status by status: waiting
        for us, in dispute, accepted, rejected, refunded, cancelled. New requests not yet waiting for the merchant are read once they are."""
        return self._walk(start, end, token, CLAIM_LIST_STATUSES, self.claims_page_size,
                          lambda status, offset, size, b, e: self.oms.list_claims(offset, size, status=status,
                                                                                  status_begin=b, status_end=e),
                          lambda _, claims: [_remote_claim(claim) for claim in claims])

    # --- order side: mapping ------------------------------------------------------------------
    def _address(self, *, name: str | None, line: str | None, city: str | None, town: str | None,
                 district: str | None, country: str | None, postcode: str | None = None, phone: str | None = None,
                 email: str | None = None, company: str | None = None, tax_office: str | None = None,
                 tax_number: str | None = None, identity: str | None = None) -> RemoteAddress:
        first, last = _split_name(name)
        return RemoteAddress(
            first_name=first, last_name=last, line=text(line), city=text(city), township=text(town),
            district=text(district), neighbourhood=text(district) if self._on("use_neighborhood") else "",
            postcode=text(postcode), country=text(country).upper() or "TR", phone=text(phone), email=text(email),
            company=text(company) if text(tax_number) else "", tax_office=text(tax_office),
            tax_number=text(tax_number), identity_number=text(identity),
        )

    def _finish(self, order: RemoteOrder) -> RemoteOrder:
        """Micro-export orders with ``billing_address_same_as_shipping``: the delivery address is the
        billing address too, and Hepsiburada's invoice address is kept in ``raw``."""
        if order.micro_export and self._on("billing_address_same_as_shipping") and order.shipping_address:
            if order.billing_address is not None:
                order.raw["hbInvoiceAddress"] = dataclasses.asdict(order.billing_address)
            order.billing_address = dataclasses.replace(order.shipping_address)
        if order.tracking_number and not order.tracking_url:
            order.tracking_url = self._tracking_url(order.cargo_company, order.tracking_number)
        return order

    def _order_from_package(self, package: Package) -> RemoteOrder:
        lines = [RemoteOrderLine(
            line_id=item.line_item_id, sku=text(item.merchant_sku), quantity=item.quantity,
            price=_money(item.price), list_price=_list_price(_money(item.price), item.discount_total(), item.quantity),
            discount=item.discount_total(), remote_sku=item.hb_sku, name=text(item.product_name),
            status=text(package.status), tax_rate=item.vat_rate,
        ) for item in package.items]
        placed = package.order_date or min((i.order_date for i in package.items if i.order_date), default=None)
        shipping = self._address(
            name=package.recipient_name, line=package.shipping_address_detail, city=package.shipping_city,
            town=package.shipping_town, district=package.shipping_district, country=package.shipping_country_code,
            phone=package.phone_number, email=package.email)
        billing = self._address(
            name=package.company_name or package.customer_name, line=package.billing_address, city=package.billing_city,
            town=package.billing_town, district=package.billing_district, country=package.billing_country_code,
            postcode=package.billing_postal_code, phone=package.phone_number, email=package.email,
            company=package.company_name, tax_office=package.tax_office, tax_number=package.tax_number,
            identity=package.identity_no)
        total = package.total_price
        return self._finish(RemoteOrder(
            package_id=package.package_number,
            order_number=next((i.order_number for i in package.items if i.order_number), ""),
            status=_order_status(package.status), placed_at=_aware(placed),
            modified_at=_aware(package.last_status_update_date or placed),
            currency=(total.currency if total and total.currency else "TRY"),
            amount=_money(total) if total and total.amount is not None else sum(
                (line.price * line.quantity for line in lines), Decimal("0")),
            discount=sum((line.discount for line in lines), Decimal("0")),
            shipping_amount=_money(package.shipping_total_price), lines=lines,
            customer_name=text(package.customer_name), customer_email=text(package.email),
            customer_phone=text(package.phone_number), customer_id=text(package.customer_id),
            shipping_address=shipping, billing_address=billing, cargo_company=text(package.cargo_company),
            tracking_number=text(package.barcode) if self._on("use_hb_tracking_number") else "",
            micro_export=any(item.is_micro_export for item in package.items),
            raw=package.model_dump(mode="json", by_alias=True, exclude_none=True),
        ))

    def _order_from_lines(self, lines: list[PaidLine], created: PackageCreated | None = None,
                          info: TrackingInfo | None = None) -> RemoteOrder:
        """An order from its paid lines: waiting to be packaged (no ``created``) or just packaged
        (``info``: the new package's tracking information, when read)."""
        first = lines[0]
        ship = first.shipping_address or OrderAddress()
        invoice = first.invoice or OrderInvoice()
        bill = invoice.address or ship
        order_lines = [RemoteOrderLine(
            line_id=line.id, sku=text(line.merchant_sku), quantity=line.quantity, price=_money(line.unit_price),
            list_price=_list_price(_money(line.unit_price), line.discount_total(), line.quantity),
            discount=line.discount_total(), remote_sku=line.sku, name=text(line.name),
            status="Packaged" if created else text(line.status), tax_rate=line.vat_rate,
        ) for line in lines]
        placed = first.order_date
        updated = max((line.last_status_update_date for line in lines if line.last_status_update_date), default=placed)
        cargo = first.cargo_company or (first.cargo_company_model.name if first.cargo_company_model else None)
        raw: dict[str, Any] = {
            "orderNumber": first.order_number,
            "lines": [line.model_dump(mode="json", by_alias=True, exclude_none=True) for line in lines],
        }
        if created is not None:
            raw.update(packageNumber=created.package_number, barcode=created.barcode)
            if info is not None:
                raw["trackingInfo"] = info.model_dump(mode="json", by_alias=True, exclude_none=True)
            # The package's carrier: as Hepsiburada names it, else the store-account one we asked
            # for when the lines name another, else the lines' one.
            if info is not None and info.cargo_company:
                cargo = info.cargo_company
            else:
                cargo = self._other_carrier(first) or cargo
        return self._finish(RemoteOrder(
            package_id=created.package_number if created else "", order_number=first.order_number,
            status="created", placed_at=_aware(placed),
            modified_at=datetime.now(timezone.utc) if created else _aware(updated),
            currency=(first.total_price.currency if first.total_price and first.total_price.currency else "TRY"),
            amount=sum((_money(line.total_price) for line in lines), Decimal("0")),
            discount=sum((line.discount for line in order_lines), Decimal("0")), lines=order_lines,
            customer_name=text(first.customer_name), customer_email=text(ship.email),
            customer_phone=text(ship.phone_number), customer_id=text(first.customer_id),
            # No postcode: the package listing has none for the delivery address, and a package
            # must read the same whichever way it was read.
            shipping_address=self._address(
                name=ship.name, line=ship.address, city=ship.city, town=ship.town, district=ship.district,
                country=ship.country_code, phone=ship.phone_number, email=ship.email),
            billing_address=self._address(
                name=bill.name, line=bill.address, city=bill.city, town=bill.town, district=bill.district,
                country=bill.country_code, postcode=bill.postal_code, phone=bill.phone_number, email=bill.email,
                company=bill.name, tax_office=invoice.tax_office, tax_number=invoice.tax_number,
                identity=invoice.turkish_identity_number),
            cargo_company=text(cargo),
            tracking_number=text(created.barcode) if created and self._on("use_hb_tracking_number") else "",
            micro_export=any(line.is_micro_export for line in lines), raw=raw,
        ))

    def _with_label(self, order: RemoteOrder) -> RemoteOrder:
        """``use_cargo_label``: the package's cargo label in ``check_hepsijet_format_type`` (a data: URL)."""
        if not self._on("use_cargo_label") or not order.package_id or order.status != "created":
            return order
        fmt = (text(self.config.get("check_hepsijet_format_type")) or DEFAULT_LABEL_FORMAT).lower()
        try:
            label = self.oms.get_labels(order.package_id, fmt)
        except (RequestRejected, ValueError) as exc:
            logger.warning("no cargo label for Hepsiburada package %s: %s", order.package_id, exc)
            return order
        if label.data:
            order.label_url = f"data:{LABEL_MEDIA_TYPES.get(fmt, 'text/plain')};base64,{label.data[0]}" \
                if fmt != "zpl" else "data:text/plain;charset=utf-8," + quote(label.data[0])
            order.raw["cargoLabel"] = {"format": label.format or fmt, "count": len(label.data)}
        return order

    def _tracking_url(self, cargo_company: str, tracking_number: str) -> str:
        return tracking_url_for(self.config.get("shipping_provider"), cargo_company, tracking_number)

    # --- order side: writing --------------------------------------------------------------------
    def send_order_update(self, update: OrderUpdate) -> ItemResult:
        """Tell Hepsiburada about one package: its invoice link, then (with ``send_shipping_info``) that
        our carrier has it in transit or delivered it. Hepsiburada takes no picking or invoiced
        status from sellers; those are accepted without a call, and say so."""
        package_id = text(update.package_id)
        status = text(update.status).lower()
        if status not in ("picking", "invoiced", "shipped", "delivered"):
            return ItemResult(package_id, False, f"unknown order status {update.status!r}; expected picking, "
                              "invoiced, shipped or delivered")
        link = text(update.invoice_link)
        if link and not link.lower().endswith(INVOICE_LINK_SUFFIX):
            return ItemResult(package_id, False, f"invoice link {link!r} refused: Hepsiburada takes only links to a "
                              f"PDF, ending in {INVOICE_LINK_SUFFIX}; nothing was sent")
        if link and not link.lower().startswith(("http://", "https://")):
            return ItemResult(package_id, False, f"invoice link {link!r} is not an http(s) link; nothing was sent")
        done: list[str] = []
        try:
            if link:
                serial, row = _invoice_number_parts(update.invoice_number)
                self.oms.send_invoice_link(package_id, link, arrangement_date=moment(update.invoice_date, OMS_TZ),
                                           serial_number=serial, row_number=row)
                done.append("invoice link sent")
            if status == "picking":
                done.append("Hepsiburada takes no picking status from sellers: nothing to send for it")
            elif status == "invoiced" and not link:
                done.append("Hepsiburada takes no invoiced status from sellers, only an invoice link, and this "
                            "update has none: nothing sent")
            elif status in ("shipped", "delivered"):
                if self._on("send_shipping_info"):
                    done += self._own_carrier(package_id, status, update)
                else:
                    done.append(f"send_shipping_info is off: Hepsiburada's carrier reports {status}; nothing sent")
        except _Refused as why:
            return ItemResult(package_id, False, "; ".join([*done, str(why)]))
        except RequestRejected as exc:
            return ItemResult(package_id, False, "; ".join([*done, str(exc)]), exc.body)
        return ItemResult(package_id, True, "; ".join(done), self.oms.last_exchange())

    def _own_carrier(self, package_id: str, status: str, update: OrderUpdate) -> list[str]:
        """Merchant-own carrier: Packaged → InTransit (with tracking) → Delivered, taking the steps needed."""
        info = self.oms.get_package(package_id)
        current = _normal(info.status)
        if current == "delivered":
            return ["already delivered on Hepsiburada"]
        done = []
        if current in ("packaged", "packed"):
            tracking = text(update.tracking_number)
            if not tracking:
                raise _Refused(f"package {package_id} needs a tracking number to be reported in transit")
            cargo = text(update.cargo_company) or text(info.cargo_company)
            url = text(update.tracking_url) or self._tracking_url(cargo, tracking)
            self.oms.mark_in_transit(package_id, tracking_number=tracking, tracking_url=url or None,
                                     shipped_date=datetime.now(timezone.utc))
            done.append(f"in transit with tracking number {tracking}")
            current = "intransit"
        if current != "intransit":
            raise _Refused(f"package {package_id} is {info.status} on Hepsiburada; it cannot be reported {status}")
        if status == "shipped" and not done:
            return ["already in transit on Hepsiburada"]
        if status == "delivered":
            self.oms.mark_delivered(package_id, received_date=datetime.now(timezone.utc))
            done.append("delivered")
        return done

    def _cancel_reason(self, reason_id: Any) -> int:
        raw = reason_id if text(reason_id) else self.config.get("send_cancel_reason_id")
        if not text(raw):
            raise ConfigError("Hepsiburada channel config: send_cancel_reason_id (formerly send_cancellation_reason_id) "
                              "is required to cancel lines "
                              f"({', '.join(f'{k} {v}' for k, v in CANCEL_REASONS.items())})")
        try:
            reason = int(str(raw).strip())
        except ValueError:
            reason = -1
        if reason not in CANCEL_REASONS:
            raise _Refused(f"cancellation reason {raw!r} is not one Hepsiburada takes: "
                           f"{', '.join(f'{k} ({v})' for k, v in CANCEL_REASONS.items())}")
        return reason

    def cancel_lines(self, package_id: str, lines: list[tuple[str, int]], reason_id: str) -> ItemResult:
        """Cancel lines with one of Hepsiburada's merchant reasons (80 WrongPrice, 83
        MerchantCanNotBeSupplied; ``reason_id`` or else ``send_cancel_reason_id``).

        Hepsiburada cancels only lines not packaged yet (``cancelbymerchant``, whole lines). For a
        package that is still ``Packaged`` the package is unpacked, what stays is packaged again
        (with the store-account carrier when set) and what is left over is cancelled; the new
        package arrives with the next read of orders. No lines: the whole package. guess: the
        unpack shows in Hepsiburada's unpacked listing like any other.
        """
        package_id = text(package_id)
        try:
            reason = self._cancel_reason(reason_id)
            if any(quantity < 1 for _, quantity in lines):
                raise _Refused("every line to cancel needs a quantity of at least 1")
            info = None
            if package_id:
                try:
                    info = self.oms.get_package(package_id)
                except RequestRejected as exc:
                    if exc.status_code != 404:
                        raise
            packed = info is not None and _normal(info.status) in ("packaged", "packed")
            if not lines and not packed:
                raise _Refused(f"no lines given, and {package_id or 'no package'} is not a package Hepsiburada "
                               "still holds packaged: name the lines to cancel")
            if packed:
                message = self._cancel_from_package(package_id, dict(lines) if lines else None, reason)
            else:
                for line_id, _ in lines:
                    self.oms.cancel_line(line_id, reason)
                message = f"{len(lines)} line(s) cancelled ({CANCEL_REASONS[reason]}); Hepsiburada cancels whole lines"
        except _Refused as why:
            return ItemResult(package_id, False, str(why))
        except RequestRejected as exc:
            return ItemResult(package_id, False, str(exc), exc.body)
        return ItemResult(package_id, True, message, self.oms.last_exchange())

    def _cancel_from_package(self, package_id: str, wanted: dict[str, int] | None, reason: int) -> str:
        """Unpack, package again what stays, cancel what is left over (``wanted`` None: everything).

        The package's lines are told apart from other lines waiting to be packaged by reading
        those before and after the unpack."""
        before = {line.id for line in self._all_paid_lines()}
        self.oms.unpack(package_id)
        contents = {line.id: line for line in self._all_paid_lines() if line.id not in before}
        if wanted is None:
            wanted = {line_id: line.quantity for line_id, line in contents.items()}
        problems = [f"line {line_id} is not in package {package_id}" for line_id in wanted if line_id not in contents]
        if not contents:
            problems.append(f"package {package_id} held no lines waiting to be packaged once unpacked")
        problems += [f"line {line_id} has {contents[line_id].quantity} unit(s), {quantity} cannot be cancelled"
                     for line_id, quantity in wanted.items()
                     if line_id in contents and quantity > contents[line_id].quantity]
        keep = [(line.id, line.quantity - (0 if problems else wanted.get(line.id, 0))) for line in contents.values()]
        keep = [(line_id, quantity) for line_id, quantity in keep if quantity > 0]
        cargo = text(self.config.get("store_account_cargo_company")) or None
        created = self.oms.create_package(keep, cargo) if keep else None
        if problems:  # everything went back into one package; nothing was cancelled
            raise _Refused("; ".join(problems) + (f"; the package was packaged again as {created.package_number}"
                                                  if created else ""))
        left = [line for line in self._all_paid_lines() if line.id not in before]
        for line in left:
            self.oms.cancel_line(line.id, reason)
        units = sum(line.quantity for line in left)
        again = f"; the rest is package {created.package_number}" if created else ""
        return (f"package {package_id} unpacked; {units} unit(s) on {len(left)} line(s) cancelled "
                f"({CANCEL_REASONS[reason]}){again}")

    def approve_claim(self, claim: RemoteClaim, line_ids: list[str]) -> ItemResult:
        """Accept a claim waiting for us (Hepsiburada's claims hold one line each)."""
        number = text(claim.claim_id)
        own = {line.line_id for line in claim.lines}
        if line_ids and not own & set(line_ids):
            return ItemResult(number, False, f"claim {number} holds none of the lines {', '.join(line_ids)}")
        try:
            self.oms.accept_claim(number)
        except RequestRejected as exc:
            return ItemResult(number, False, str(exc), exc.body)
        return ItemResult(number, True, "claim accepted on Hepsiburada", self.oms.last_exchange())

    def reject_claim(
        self, claim: RemoteClaim, line_ids: list[str], reason_id: str, description: str, images: list[bytes]
    ) -> ItemResult:
        """Reject a claim waiting for us with a reason, a statement of at most 500 characters and
        photos; Hepsiburada then reviews the dispute (``InDispute``)."""
        number = text(claim.claim_id)
        own = {line.line_id for line in claim.lines}
        if line_ids and not own & set(line_ids):
            return ItemResult(number, False, f"claim {number} holds none of the lines {', '.join(line_ids)}")
        statement = text(description)
        if not text(reason_id):
            return ItemResult(number, False, "a rejection needs a reason")
        if not statement:
            return ItemResult(number, False, "a rejection needs a statement explaining it")
        if len(statement) > MAX_MERCHANT_STATEMENT:
            return ItemResult(number, False, f"the statement has {len(statement)} characters; Hepsiburada takes at "
                              f"most {MAX_MERCHANT_STATEMENT}: shorten it")
        reports = [base64.b64encode(image).decode("ascii") for image in images or []]
        try:
            self.oms.reject_claim(number, text(reason_id), statement, reports)
        except RequestRejected as exc:
            return ItemResult(number, False, str(exc), exc.body)
        return ItemResult(number, True, "claim rejected; Hepsiburada reviews the dispute", self.oms.last_exchange())

    def update_warehouse(self, package_id: str, erp_code: str) -> ItemResult:
        """Ship a package from the warehouse our ``erp_code`` names: ``shipping_address_label_mapping``
        gives Hepsiburada's address label for it."""
        package_id, code = text(package_id), text(erp_code)
        mapping = self.config.get("shipping_address_label_mapping") or {}
        label = text(mapping.get(code))
        if not label:
            known = ", ".join(sorted(map(str, mapping))) or "none"
            return ItemResult(package_id, False, f"shipping_address_label_mapping has no Hepsiburada address label for "
                              f"warehouse erp code {code!r} (mapped: {known}); add it in the channel settings")
        try:
            self.oms.change_warehouse(package_id, label)
        except RequestRejected as exc:
            return ItemResult(package_id, False, str(exc), exc.body)
        return ItemResult(package_id, True, f"package {package_id} now ships from address {label} (warehouse {code})",
                          self.oms.last_exchange())

    def split_package(self, package_id: str, groups: list[list[tuple[str, int]]]) -> ItemResult:
        """Split a package into one new package per group of ``(line id, quantity)``.

        Uses Hepsiburada's split service (``…/split``, "Paket Bölme" in its order document); when
        the host has no such service (404/405) it unpacks the package and packages each group.
        guess: that fallback is how integrators split before the service existed. The new package
        numbers arrive with the next read of orders.
        """
        package_id = text(package_id)
        groups = [list(group) for group in groups if group]
        if len(groups) < 2:
            return ItemResult(package_id, False, "a split needs at least two groups of lines")
        try:
            try:
                self.oms.split_package(package_id, groups)
                message = f"package {package_id} split into {len(groups)} packages"
            except RequestRejected as exc:
                # A 404 whose message names the package means the package is not there.
                no_service = exc.status_code == 405 or (
                    exc.status_code == 404 and package_id not in _error_message(exc.body))
                if not no_service:
                    raise
                self.oms.unpack(package_id)
                cargo = text(self.config.get("store_account_cargo_company")) or None
                made = [self.oms.create_package(group, cargo).package_number for group in groups]
                message = f"package {package_id} unpacked and packaged again as {', '.join(made)}"
        except RequestRejected as exc:
            return ItemResult(package_id, False, str(exc), exc.body)
        return ItemResult(package_id, True, message, self.oms.last_exchange())

    def close(self) -> None:
        self.client.close()
        if self._catalog is not None:
            self._catalog.close()
        if self._oms is not None:
            self._oms.close()


def _still_importing(item: ImportStatusItem) -> bool:
    status = (item.import_status or "").strip().upper()
    return status == "PROCESSING" or (not status and not item.product_status)


def _import_result(sku: str, item: ImportStatusItem) -> ItemResult:
    """One imported product's outcome: refused (rejected, with reasons), waiting, or on sale."""
    answer = item.model_dump(by_alias=True, exclude_none=True)
    if (item.import_status or "").strip().upper() == "FAILED":
        reasons = item.reasons() or ["Hepsiburada refused the product without a reason"]
        return ItemResult(sku, False, "; ".join(reasons), answer, state=REJECTED)
    state = _product_state(item.product_status)
    if state == ON_SALE:
        message = f"on sale on Hepsiburada as {item.hb_sku}" if item.hb_sku else "on sale on Hepsiburada"
    elif state == PENDING_APPROVAL:
        message = f"waiting for Hepsiburada's approval ({item.product_status})"
    elif state == REJECTED:
        reasons = item.reasons() or ["no reason given"]
        message = f"{item.product_status} by Hepsiburada: " + "; ".join(reasons)
    else:
        message = "imported, but Hepsiburada gave no product status yet"
        state = PENDING_APPROVAL
    return ItemResult(sku, state != REJECTED, message, answer, state=state, remote_sku=item.hb_sku)


def _update_result(sku: str, item: UpdateStatusItem) -> ItemResult:
    """A product update's outcome. The product stays on sale either way: a refused change is
    ``ok=False`` with ``state`` on_sale; an hbSku Hepsiburada does not know is not_found."""
    answer = item.model_dump(by_alias=True, exclude_none=True)
    refused = [r for r in item.update_results if (r.field_result or "").upper() == "REJECTED"]
    partial = [r for r in item.update_results if (r.field_result or "").upper() == "PARTIAL_APPROVED"]
    if not item.update_results and item.message:
        return ItemResult(sku, False, item.message, answer, state=NOT_FOUND, remote_sku=item.hb_sku)
    if refused or partial:
        reasons = []
        for result in refused + partial:
            detail = result.reject_reason or "; ".join(
                str(a.get("rejectReason")) for a in result.attributes if a.get("rejectReason")) or "refused"
            reasons.append(f"{result.field_name or 'update'}: {detail}")
        return ItemResult(sku, False, "; ".join(reasons), answer, state=ON_SALE, remote_sku=item.hb_sku)
    return ItemResult(sku, True, "update approved by Hepsiburada", answer, state=ON_SALE, remote_sku=item.hb_sku)


def _deleted_anyway(result: ItemResult) -> ItemResult:
    """For deletes, a sku Hepsiburada has no listing for is already off sale: that is success."""
    codes = {code for answer in result.answer or [] for code in answer.get("errors", [])}
    if not result.ok and codes == {"ProductNotFound"}:
        return ItemResult(result.sku, True, "no listing on Hepsiburada: nothing on sale to take off", result.answer)
    return result


# --- order side helpers -------------------------------------------------------------------
class _Refused(Exception):
    """A request the adapter refuses before (or instead of) sending it; its text says why."""


_FOLD = str.maketrans("çğıöşüâîû", "cgiosuaiu")


def _normal(value: Any) -> str:
    """Lower case, Turkish letters folded, only letters and digits ("Aras Kargo" -> "araskargo")."""
    text = str(value or "").replace("İ", "i").replace("I", "ı").lower().translate(_FOLD)
    return re.sub(r"[^a-z0-9]", "", text)


def _order_status(status: str | None) -> str:
    normal = ORDER_STATUS_BY_PACKAGE_STATUS.get(_normal(status))
    if normal is None:  # guess: an unknown status is most likely an early one
        logger.warning("Hepsiburada package status %r is not known; treated as created", status)
        return "created"
    return normal


def _split_name(name: str | None) -> tuple[str, str]:
    """("Ayşe Nur", "Yılmaz") from "Ayşe Nur Yılmaz": the last word is the last name."""
    parts = text(name).split()
    if len(parts) < 2:
        return (parts[0] if parts else ""), ""
    return " ".join(parts[:-1]), parts[-1]


def _aware(value: datetime | None) -> datetime | None:
    """Hepsiburada's dates; one without an offset is Turkey time."""
    return aware(value, OMS_TZ)


def _minute_window(start: datetime, end: datetime, *, into_last_minute: bool = False
                   ) -> tuple[datetime, datetime] | None:
    """The OMS's minute-precise window for [start, end): both ends cut to the minute, so that
    back-to-back windows cover every minute exactly once. ``into_last_minute``: the end is
    taken up to the end of its minute instead, so the minute going on is read now (its later
    records are read again by the next window); a window that would then exceed
    Hepsiburada's longest keeps its end cut. None when it covers no minute."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("order windows take timezone-aware datetimes")
    begin = start.replace(second=0, microsecond=0)
    finish = end.replace(second=0, microsecond=0)
    if into_last_minute and end > finish and end > start:
        longer = finish + timedelta(minutes=1)
        if longer - begin <= timedelta(hours=ORDER_WINDOW_HOURS):
            finish = longer
    return (begin, finish) if finish > begin else None


def _money(value: Money | None) -> Decimal:
    if value is None or value.amount is None:
        return Decimal("0")
    return Decimal(value.amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _list_price(price: Decimal, discount: Decimal, quantity: int) -> Decimal | None:
    """The unit price before discounts (guess: Hepsiburada's unit price is after them)."""
    if not discount or quantity <= 0:
        return None
    return (price + discount / quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _invoice_number_parts(number: str | None) -> tuple[str | None, str | None]:
    """A Turkish e-invoice number ("ABC2024000000123": 3-character series + 13-digit row) as
    Hepsiburada's serialNumber and rowNumber. guess: the fields are documented without a format."""
    raw = text(number)
    match = re.fullmatch(r"([A-Za-z0-9]{3})(\d{13})", raw)
    if match:
        return match.group(1), match.group(2)
    return (None, raw) if raw else (None, None)


def _provider_key(providers: dict[str, Any], cargo_company: str) -> str | None:
    wanted = _normal(cargo_company)
    if not wanted:
        return None
    candidates = {wanted, CARRIER_ALIASES.get(wanted, wanted)}
    for suffix in ("kargo", "cargo", "express"):
        if wanted.endswith(suffix) and len(wanted) > len(suffix):
            candidates.add(wanted[: -len(suffix)])
    candidates |= {CARRIER_ALIASES.get(c, c) for c in list(candidates)}
    for key in providers:
        if _normal(key) in candidates:
            return key
    for key in providers:
        normal = _normal(key)
        if normal and any(c.startswith(normal) for c in candidates):
            return key
    return None


def tracking_url_for(providers: Any, cargo_company: str, tracking_number: str) -> str:
    """The tracking link of a shipment from the channel's ``shipping_provider`` templates.

    ``{tracking_number}`` (or ``${tracking_number}``) is replaced by the tracking number. The
    setup guide's special cases: Ptt tracking numbers are "barcode-guid" and the link takes
    ``barkod=…&barkod_guid=…`` (``{barkod}``/``{barkod_guid}`` in the template, or appended in
    place of ``{tracking_number}``); Loomis has one template per tracking-number prefix, chosen
    by the part before the "-". guess: the whole tracking number fills a Loomis template, and
    ``tracking_url_by_tracking_number`` is used when ``tracking_url`` is empty.
    """
    number = text(tracking_number)
    if not number or not isinstance(providers, dict):
        return ""
    key = _provider_key(providers, cargo_company)
    if key is None:
        return ""
    entry = providers[key]
    template: Any = entry.get("tracking_url") if isinstance(entry, dict) else entry
    if isinstance(template, dict):  # Loomis: a template per prefix
        prefix = number.partition("-")[0]
        template = template.get(prefix) or template.get(prefix.lower()) or template.get(prefix.upper())
    if not template and isinstance(entry, dict):
        template = entry.get("tracking_url_by_tracking_number")
    if not isinstance(template, str) or not template.strip():
        return ""
    url = template.strip().replace("${", "{")
    if _normal(key) == "ptt":
        barcode, _, guid = number.partition("-")
        query = f"barkod={barcode}&barkod_guid={guid}"
        if "{barkod}" in url or "{barkod_guid}" in url:
            url = url.replace("{barkod_guid}", guid).replace("{barkod}", barcode)
        elif "{tracking_number}" in url:
            url = url.replace("{tracking_number}", query)
        else:
            url += ("&" if "?" in url else "?") + query
        return url
    return url.replace("{tracking_number}", number)


def _error_message(body: str | None) -> str:
    """The ``message`` of a Spring-style error body (the path it also carries is left out)."""
    try:
        data = json.loads(body or "")
    except ValueError:
        return body or ""
    if isinstance(data, dict):
        return str(data.get("message") or data.get("error") or "")
    return str(data)


def _remote_claim(claim: Claim) -> RemoteClaim:
    """One Hepsiburada claim (one line each) as our return claim."""
    created = _aware(claim.claim_date)
    status = CLAIM_STATUS_BY_HB_STATUS.get(_normal(claim.status))
    if status is None:
        logger.warning("Hepsiburada claim status %r is not known; treated as waiting for action", claim.status)
        status = "waiting_action"
    line = RemoteClaimLine(
        claim_line_id=claim.id or claim.number, line_id=text(claim.line_item_id),
        sku=text(claim.merchant_sku), quantity=claim.quantity or 1, reason_code=text(claim.reason),
        reason_text=CLAIM_REASON_TEXT.get(text(claim.reason), text(claim.reason)),
        customer_note=text(claim.explanation),
    )
    return RemoteClaim(
        claim_id=claim.number, package_id="", order_number=text(claim.order_number), status=status,
        created_at=created, modified_at=_aware(claim.last_status_update_date) or created, lines=[line],
        raw=claim.model_dump(mode="json", by_alias=True, exclude_none=True),
    )
