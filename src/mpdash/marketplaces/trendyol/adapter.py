"""Trendyol's adapter: our stock, prices and products to Trendyol's batch requests, and back;
Trendyol's shipment packages and claims to our order records, and our order updates back.

Everything Trendyol writes on the product side is asynchronous: a request answers a
``batchRequestId`` and ``poll()`` reads the per-item outcome later. Trendyol keys products by
``barcode``; our records by ``sku`` (sent as ``stockCode``). A stock or price record's barcode
is its ``remote_sku`` (the barcode a product create reported back) or, without one, its sku.

On the order side the unit is Trendyol's shipment package (its ``id`` is our package id,
``orderNumber`` groups the packages of one purchase). Listings page by page number inside
windows of the packages' last change; a window holding more than Trendyol's 10,000 records
per query is split in halves until each part fits.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx

from ..base import (
    NOT_FOUND,
    ON_SALE,
    PENDING_APPROVAL,
    REJECTED,
    AttributeChoice,
    AttributeValue,
    BatchStatus,
    Brand,
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
from ..errors import ConfigError, RateLimited, RequestRejected
from ..http import DEFAULT_TIMEOUT
from ..kit import (
    CENT,
    BatchSending,
    Chunk,
    ConfigReader,
    depth_first,
    SentMemory,
    StagedWalker,
    each_record,
    epoch_ms,
    from_ms,
    last_per_key,
    money,
    ms_window,
    read_pages,
    same_amount,
    text_or_none,
    to_decimal,
    wire_amount,
    wire_int,
)
from ..ratelimit import CallBudget
from .client import ConflictRejected, IdenticalRequestRejected, TrendyolClient, seller_budget
from .config import (
    BARCODE_MAX_LENGTH,
    BATCH_SIZES,
    CLAIM_ISSUE_DESCRIPTION_MAX,
    CLAIM_ISSUE_REASONS_WITHOUT_FILES,
    DEFAULT_INTEGRATOR,
    DESCRIPTION_MAX_LENGTH,
    DUPLICATE_WINDOW_SECONDS,
    FLOWS,
    MAX_CLAIM_PAGE_SIZE,
    MAX_APPROVED_PAGE_SIZE,
    MAX_APPROVED_WINDOW,
    MAX_IMAGES,
    MAX_ORDER_PAGE_SIZE,
    MAX_STOCK,
    MAX_VALUES_PAGE_SIZE,
    ORDER_HISTORY_DAYS,
    ORDER_WINDOW_DAYS,
    SCHEMA,
    TITLE_MAX_LENGTH,
    UNSUPPLIED_REASONS,
    VAT_RATES,
)
from .models import BatchItem, BatchResult, Claim, PackageAddress, ProductItem, ShipmentPackage

logger = logging.getLogger("mpdash.marketplaces.trendyol")

_USE_SHARED_BUDGET: Any = object()  # default of ``budget``: the seller's shared call budget
_BARCODE_RE = re.compile(r"^[0-9A-Za-zÇĞİÖŞÜçğıöşü._-]+$")
# A product delete is two batches (stock 0, then archive); its remote id holds both.
_DELETE_SEPARATOR = "|"
# A product update touching approved products is up to four batches: "{unapproved-bulk-update}|
# {content-bulk-update}|{variant-bulk-update}|{delivery-info-bulk-update}" (any may be empty).
_UPDATE_SEPARATOR = _DELETE_SEPARATOR
# What variant-bulk-update changes (developers.trendyol.com/docs/ürün-güncelleme-onaylı-ürün-v2,
# checked 2026-12-07; lotNumber and locationBasedDelivery are not product fields here).
_VARIANT_FIELDS = ("stockCode", "vatRate", "dimensionalWeight", "shipmentAddressId", "returningAddressId")
STOCK_CAP_NOTE = f"quantity {MAX_STOCK} is Trendyol's most per product; stock above it was not sent"
UNCHANGED_NOTE = ("unchanged: Trendyol refused a request identical to one sent in the last 15 minutes, "
                  "and already holds these values")

def _body_bytes(body: Any) -> int:
    """The size of a JSON body, counted the largest way an HTTP client may encode it
    (ASCII escapes, spaced separators), so that the real body is never bigger."""
    return len(json.dumps(body, ensure_ascii=True).encode("ascii"))


# --- order side ----------------------------------------------------------------------------
# Trendyol package status -> the normalised status of RemoteOrder.
ORDER_STATUS = {
    "Awaiting": "awaiting",  # payment or fraud check pending: stock only, never prepare it
    "Created": "created",
    "Verified": "created",
    "Picking": "picking",
    "Invoiced": "invoiced",
    "Shipped": "shipped",
    "AtCollectionPoint": "shipped",
    "UnDelivered": "shipped",  # still with the carrier (it goes on to Delivered or Returned)
    "Delivered": "delivered",
    "Returned": "returned",
    "Cancelled": "cancelled",
    "UnSupplied": "cancelled",
    "UnPacked": "unpacked",
    "Repack": "unpacked",
}
# Claim item status -> the normalised status of RemoteClaim. Created (the customer opened it, the
# goods are on their way back: the seller cannot act yet) has no contract value; list_claims
# leaves such claims out until they change (as Hepsiburada's adapter leaves out NewRequest).
CLAIM_STATUS = {
    "WaitingInAction": "waiting_action",
    "Unresolved": "in_dispute",
    "InAnalysis": "in_dispute",
    "Created": "created",
    "Accepted": "accepted",
    "WaitingFraudCheck": "accepted",
    "Rejected": "rejected",
    "Cancelled": "cancelled",
}
_CLAIM_PRECEDENCE = ("waiting_action", "in_dispute", "accepted", "rejected", "cancelled", "created")
# How far a package has gone (for the intermediate steps of send_order_update).
_RANK = {"Awaiting": 0, "Created": 1, "Verified": 1, "Picking": 2, "Invoiced": 3, "Shipped": 4,
         "AtCollectionPoint": 4, "UnDelivered": 4, "Delivered": 5, "Returned": 6}
_ENDED = ("Cancelled", "UnSupplied", "UnPacked", "Repack")
def _remote_address(address: PackageAddress | None, *, email: str = "", identity: str = "",
                    tax_number: str = "") -> RemoteAddress | None:
    """Trendyol's ``district`` is the ilçe (our township) and ``neighborhood`` the mahalle
    (our district, and the neighbourhood text)."""
    if address is None:
        return None
    first, last = address.first_name or "", address.last_name or ""
    if not first and not last and address.full_name:
        first, _, last = address.full_name.partition(" ")
    line = " ".join(part for part in (address.address1, address.address2) if part) or address.full_address or ""
    return RemoteAddress(
        first_name=first, last_name=last, line=line, city=address.city or "", township=address.district or "",
        district=address.neighborhood or "", neighbourhood=address.neighborhood or "",
        postcode=address.postal_code or "", country=address.country_code or "TR", phone=address.phone or "",
        email=address.email or email, company=address.company or "", tax_office=address.tax_office or "",
        tax_number=address.tax_number or tax_number, identity_number=identity,
    )


def _file_of(number: int, content: bytes) -> tuple[str, bytes, str] | None:
    """A rejection file as Trendyol takes it (jpeg or pdf), or None for other kinds."""
    if content.startswith(b"%PDF"):
        return f"file{number}.pdf", content, "application/pdf"
    if content.startswith(b"\xff\xd8"):
        return f"file{number}.jpg", content, "image/jpeg"
    return None


class TrendyolAdapter(BatchSending, MarketplaceAdapter):
    name = "trendyol"
    label = "Trendyol"
    flows = FLOWS
    schema = SCHEMA
    batch_sizes = BATCH_SIZES
    # Trendyol documents no limit on unfinished batch requests (unverified that none exists);
    # its pace rule (50 calls / 10 s) is the call budget.
    max_open_batches = None
    # Price and inventory updates address approved products; one still awaiting approval
    # answers "Ürün bulunamadı" (unverified: the documentation does not say it in so many words).
    listed_on_approval = True
    max_images = MAX_IMAGES
    # Trendyol documents no body limit; we keep the base 10 MiB (a 1,000-product request
    # with typical content is about 3 MB).
    max_request_bytes = 10 * 1024 * 1024

    listings_page_size = MAX_APPROVED_PAGE_SIZE  # the approved filter's ceiling (documented)
    values_page_size = MAX_VALUES_PAGE_SIZE
    brands_page_size = 1000  # Trendyol: "at least 1,000 brands per page"
    max_brand_pages = 2000  # a bound on the walk: Trendyol lists no total
    # Up to this many products are looked up one filter call each; more are found by
    # paging through the whole catalog (the v1 filter takes one barcode per call).
    lookup_one_by_one = 25
    remembered_batches = 1000  # batches whose barcode -> sku map is kept for poll()

    # Order side. Packages are read from getShipmentPackagesStream in windows of their last
    # change, never longer than its 14 days per query nor older than its 3 months.
    max_order_window_hours = 24 * ORDER_WINDOW_DAYS
    order_history_days = ORDER_HISTORY_DAYS
    orders_page_size = MAX_ORDER_PAGE_SIZE
    claims_page_size = MAX_CLAIM_PAGE_SIZE
    order_statuses = ("Awaiting", "Created")  # list_orders (Awaiting reported as "awaiting")
    updated_order_statuses = ("Shipped", "Delivered", "UnDelivered")  # list_updated_orders
    cancellation_statuses = ("Cancelled", "UnSupplied")  # list_cancellations
    # getClaims selects by the claim's creation date only; to see claims that changed in a
    # window, claims created up to this many days before it are read and kept when their last
    # change falls in the window.
    claims_lookback_days = 30

    def __init__(
        self,
        config: dict[str, Any],
        *,
        transport: httpx.BaseTransport | None = None,
        budget: CallBudget | None = _USE_SHARED_BUDGET,
        timeout: httpx.Timeout | float | None = None,
    ):
        super().__init__(config, transport=transport, timeout=timeout)
        read = ConfigReader(self.config, "Trendyol")
        seller_id = read.required("seller_id")
        self.client = TrendyolClient(
            read.required("base_url"),
            seller_id=seller_id,
            api_key=read.required("api_key"),
            api_secret=read.required("api_secret"),
            integrator_name=read.text("integrator_name", DEFAULT_INTEGRATOR),
            storefront_code=read.text("storefront_code") or None,
            listing_tier=read.text("listing_tier") or None,
            budget=seller_budget(seller_id) if budget is _USE_SHARED_BUDGET else budget,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            transport=transport,
        )
        self._buffer_stock = read.whole("buffer_stock", default=0)
        self._delivery_duration = read.whole("delivery_duration")
        self._cargo_company_id = read.whole("cargo_company_id", minimum=1)
        self._shipment_address_id = read.whole("shipment_address_id", minimum=1)
        self._returning_address_id = read.whole("returning_address_id", minimum=1)
        # guess: a package travels with the seller's own carrier when the channel sends shipping
        # info itself (send_shipping_info); Trendyol's package shows no documented flag for it.
        self._own_carrier = read.flag("send_shipping_info")
        self._provider_code = read.text("cargo_provider_code").strip()
        # barcode -> sku of the batches this adapter sent: Trendyol echoes barcodes only.
        self.sent_batches: SentMemory[dict[str, str]] = SentMemory(self.remembered_batches)
        # contentId -> skus of the content-bulk-update batches this adapter sent (by remote id).
        self._content_sent: SentMemory[dict[str, list[str]]] = SentMemory(self.remembered_batches)

    # --- helpers ------------------------------------------------------------------------
    def _remember(self, remote_id: str, skus_by_barcode: dict[str, str],
                  skus_by_content: dict[str, list[str]] | None = None) -> None:
        self.sent_batches.remember(remote_id, skus_by_barcode)
        if skus_by_content is not None:
            self._content_sent.remember(remote_id, skus_by_content)

    @staticmethod
    def _barcode(record: StockRecord | PriceRecord) -> str:
        return str(record.remote_sku or record.sku).strip()

    def _quantity(self, quantity: Any) -> int | Any:
        """Stock to send: minus the buffer, never below 0, at most Trendyol's 20,000."""
        whole = wire_int(quantity)
        if not isinstance(whole, int):
            return quantity
        return min(MAX_STOCK, max(0, whole - self._buffer_stock))

    def stock_to_send(self, quantity: int) -> int:
        sent = self._quantity(quantity)
        return sent if isinstance(sent, int) else max(0, int(quantity))

    # --- stock and prices ---------------------------------------------------------------
    def send_stock(self, records: list[StockRecord]) -> Submission:
        """One price-and-inventory request carrying quantities only (minus buffer stock,
        capped at Trendyol's 20,000 per product)."""
        _, items, sent = self.prepare_batch(
            "productstock", records, lambda r: {"barcode": self._barcode(r), "quantity": self._quantity(r.quantity)},
            key=self._barcode)
        return self._send_inventory(items, sent)

    def send_prices(self, records: list[PriceRecord]) -> Submission:
        """One price-and-inventory request carrying prices only. ``listPrice`` (the crossed-out
        price) is the record's list price, or the sale price when it has none; Trendyol
        rejects an item whose list price is below its sale price."""
        _, items, sent = self.prepare_batch("productprice", records, lambda r: {
            "barcode": self._barcode(r), "salePrice": wire_amount(r.price),
            "listPrice": wire_amount(r.price if r.list_price is None else r.list_price)}, key=self._barcode)
        return self._send_inventory(items, sent)

    def _send_inventory(self, items: list[dict[str, Any]], sent: dict[str, dict[str, Any]]) -> Submission:
        skus = {item["barcode"]: sku for sku, item in sent.items()}
        try:
            return self.submit(self.client.update_price_and_inventory, items, sent, self.client, memo=skus)
        except IdenticalRequestRejected as refused:
            return self._after_identical_request(items, sent, skus, refused)

    def _after_identical_request(self, items: list[dict[str, Any]], sent: dict[str, dict[str, Any]],
                                 skus: dict[str, str], refused: IdenticalRequestRejected) -> Submission:
        """Trendyol refuses a price-and-inventory body identical to one it received in the last
        15 minutes ("15 dakika boyunca aynı isteği tekrarlı olarak atamazsınız!").

        Our flows send only changed values, so an identical body means the same request went
        out again: a retry after an error Trendyol had in fact processed, or values that went
        A -> B -> A within the window. Failing these records would penalise them for
        Trendyol already holding what we want; resending is impossible for 15 minutes. So
        we read back what Trendyol holds: when every item already shows the values sent,
        the request's purpose is met and each item is a success. When some do not (the
        earlier request is still being processed, it failed, or the values moved on), the
        records are not failed either: RateLimited leaves them pending and the flow sends
        them again later, when they are either applied or outside the window.
        """
        exchange = self.client.last_exchange()
        if len(items) > self.lookup_one_by_one:
            raise RateLimited(
                f"{refused}; {len(items)} records stay pending and are sent again after the 15-minute window",
                retry_after=float(DUPLICATE_WINDOW_SECONDS), status_code=refused.status_code, body=refused.body,
            )
        held = self._find_products([item["barcode"] for item in items], by=("barcode",))
        results, differing = [], []
        for item in items:
            product = held.get(item["barcode"])
            sku = skus[item["barcode"]]
            if product is not None and self._holds(product, item):
                results.append(ItemResult(sku, True, UNCHANGED_NOTE, answer=dict(item)))
            else:
                differing.append(sku)
        if differing:
            shown = ", ".join(differing[:5]) + (" …" if len(differing) > 5 else "")
            raise RateLimited(
                f"{refused}; Trendyol does not show the sent values yet for {len(differing)} record(s) ({shown}); "
                "they stay pending and are sent again shortly",
                retry_after=60.0, status_code=refused.status_code, body=refused.body,
            )
        return Submission(remote_id=None, sent=sent, results=results, exchange=exchange)

    @staticmethod
    def _holds(product: ProductItem, item: dict[str, Any]) -> bool:
        """True when Trendyol's product shows every value of a price-and-inventory item."""
        if "quantity" in item and product.quantity != item["quantity"]:
            return False
        if "salePrice" in item and not same_amount(item["salePrice"], product.sale_price):
            return False
        return not ("listPrice" in item and not same_amount(item["listPrice"], product.list_price))

    # --- reading outcomes ---------------------------------------------------------------
    def poll(self, kind: str, remote_id: str, skus: list[str] | None = None) -> BatchStatus:
        """Where a batch stands; once finished, one result per item.

        ``kind`` is the record kind sent (``productstock``, ``productprice``, ``product``,
        ``product_delete``). Trendyol echoes each item (by barcode) with SUCCESS or FAILED
        and its ``failureReasons``; the barcode is mapped back to our sku through what this
        adapter sent, else ``skus`` (the records in the order sent).
        """
        if kind == "product_delete":
            return self._poll_delete(remote_id, skus)
        if kind == "product" and _UPDATE_SEPARATOR in remote_id:
            return self._poll_update(remote_id, skus)
        def results(result: BatchResult, remembered: dict[str, str] | None) -> list[ItemResult] | str:
            if not result.items:
                return f"Trendyol finished batch {remote_id} without any item result"
            sku_of = self._sku_resolver(remembered or {}, result, skus)
            return [self._item_result(kind, item, sku_of(index, item)) for index, item in enumerate(result.items)]

        return self.poll_batch(remote_id, self.client, lambda: self.client.get_batch_result(remote_id),
                               lambda result: result.is_finished, results)

    @staticmethod
    def _sku_resolver(remembered: dict[str, str], result: BatchResult, skus: list[str] | None,
                      *, positional: bool = True):
        known = list(skus) if skus is not None else []
        known_set = set(known)
        positional = positional and len(known) == len(result.items)

        def sku_of(index: int, item: BatchItem) -> str:
            barcode, stock_code = item.barcode, item.stock_code
            if barcode and barcode in remembered:
                return remembered[barcode]
            if stock_code and stock_code in known_set:
                return stock_code
            if barcode and barcode in known_set:
                return barcode
            if positional:
                return known[index]  # Trendyol lists the items in the order sent
            return stock_code or barcode or f"item {index + 1}"

        return sku_of

    @staticmethod
    def _item_result(kind: str, item: BatchItem, sku: str) -> ItemResult:
        answer = item.model_dump(by_alias=True, exclude_none=True)
        reasons = "; ".join(item.failure_reasons) or f"Trendyol marked the item {item.status or 'FAILED'} without a reason"
        if kind == "product":
            if item.is_success:
                return ItemResult(sku, True, "accepted; Trendyol reviews the product before it goes on sale", answer,
                                  state=PENDING_APPROVAL, remote_sku=item.barcode)
            return ItemResult(sku, False, reasons, answer, state=REJECTED, remote_sku=item.barcode)
        if not item.is_success:
            return ItemResult(sku, False, reasons, answer)
        note = STOCK_CAP_NOTE if kind == "productstock" and item.request_item.get("quantity") == MAX_STOCK else ""
        return ItemResult(sku, True, note, answer)

    def list_listings(self) -> Iterator[Listing]:
        """Every product of the seller, page by page (the approved, then the unapproved filter)."""
        for product in self._all_products():
            sku = product.stock_code or product.barcode
            if not sku:
                logger.warning("Trendyol product without barcode or stockCode skipped")
                continue
            yield Listing(
                sku=sku,
                remote_sku=product.barcode,
                price=product.sale_price,
                stock=product.quantity,
                on_sale=bool(product.approved and product.on_sale and not product.archived),
            )

    def _all_products(self) -> Iterator[ProductItem]:
        """Approved products (filterApprovedProducts), then the unapproved and rejected ones
        (filterUnapprovedProducts): the two v2 filters that replace the retired V1 filter."""
        size = self.listings_page_size
        page, token = 0, None
        while True:
            answer = self.client.filter_approved_products(page, size, next_page_token=token)
            yield from answer.products()
            page += 1
            if not answer.content or page >= answer.total_pages:
                break
            if page * size > MAX_APPROVED_WINDOW or token:
                # Past page x size 10,000 only the answer's token pages on (documented).
                token = answer.next_page_token
                if not token:
                    logger.warning("Trendyol filterApprovedProducts: no nextPageToken past %s products; "
                                   "the listing stops there", page * size)
                    break
        yield from self._pages_of_unapproved(size)

    def _pages_of_unapproved(self, size: int) -> Iterator[ProductItem]:
        for answer in read_pages(lambda page: self.client.filter_unapproved_products(page, size),
                                 lambda a, following: not a.content or following >= a.total_pages,
                                 most=MAX_APPROVED_WINDOW, what="Trendyol filterUnapprovedProducts", strict=False):
            yield from answer.content

    def _find_products(self, keys: list[str], by: tuple[str, ...] = ("stock_code", "barcode")) -> dict[str, ProductItem]:
        """Products whose stockCode (then barcode) is one of ``keys``: one filter call per key
        for a few keys, one pass over the whole catalog for many."""
        wanted = [k for k in dict.fromkeys(keys) if k]
        found: dict[str, ProductItem] = {}
        if len(wanted) <= self.lookup_one_by_one:
            params = {"stock_code": "stock_code", "barcode": "barcode"}
            for key in wanted:
                for attribute in by:
                    match = self._find_one(attribute, params[attribute], key)
                    if match is not None:
                        found[key] = match
                        break
            return found
        indexes: dict[str, dict[str, ProductItem]] = {attribute: {} for attribute in by}
        wanted_set = set(wanted)
        for product in self._all_products():
            for attribute in by:
                value = getattr(product, attribute)
                if value in wanted_set:
                    indexes[attribute].setdefault(value, product)
        for key in wanted:
            match = next((indexes[a][key] for a in by if key in indexes[a]), None)
            if match is not None:
                found[key] = match
        return found

    def _find_one(self, attribute: str, param: str, key: str) -> ProductItem | None:
        """The product whose ``attribute`` is ``key``: approved first, then unapproved."""
        approved = self.client.filter_approved_products(0, 10, **{param: key}).products()
        match = next((p for p in approved if getattr(p, attribute) == key), None)
        if match is None:
            unapproved = self.client.filter_unapproved_products(0, 10, **{param: key}).content
            match = next((p for p in unapproved if getattr(p, attribute) == key), None)
        return match

    # --- catalog side -------------------------------------------------------------------
    @classmethod
    def default_attributes(cls) -> tuple[DefaultAttribute, ...]:
        """The v2 create item's own fields. Brand and desi have no product field to come
        from: the operator maps them (the brand as Trendyol's numeric brand id)."""
        return (
            DefaultAttribute("barcode", "Barcode", source="attributes.barcode"),
            DefaultAttribute("title", "Title", source="name"),
            DefaultAttribute("productMainId", "Model code (productMainId)", source="base_code"),
            DefaultAttribute("brandId", "Brand id", data_type="number"),
            DefaultAttribute("description", "Description", source="description"),
            DefaultAttribute("images", "Images", data_type="list", source="images"),
            DefaultAttribute("listPrice", "List price", data_type="number", source="list_price"),
            DefaultAttribute("salePrice", "Sale price", data_type="number", source="price"),
            DefaultAttribute("quantity", "Stock", data_type="number", source="stock"),
            DefaultAttribute("stockCode", "Stock code", source="sku"),
            DefaultAttribute("vatRate", "VAT rate", data_type="number", source="tax_rate"),
            DefaultAttribute("currencyType", "Currency", required=False, source="currency"),
            DefaultAttribute("cargoCompanyId", "Cargo company id", required=False, data_type="number"),
            DefaultAttribute("dimensionalWeight", "Desi (dimensionalWeight)", data_type="number"),
            DefaultAttribute("deliveryDuration", "Delivery duration (days)", required=False, data_type="number"),
        )

    def fetch_categories(self, root_ids: list[str]) -> Iterator[RemoteCategory]:
        """Every node under the given roots (all of Trendyol's tree when empty), parents first."""
        tree = self.client.get_category_tree()
        index = {node.id: node for node, _ in depth_first(tree.categories, lambda n: n.sub_categories, lambda n: n.id)}
        roots = []
        for raw in root_ids or []:
            try:
                root_id = int(str(raw).strip())
            except ValueError:
                raise ConfigError(f"Trendyol channel config: category_ids holds {raw!r}, which is not a category id "
                                  "(Trendyol's ids are numbers)") from None
            if root_id not in index:
                top = ", ".join(f"{c.id} {c.name}" for c in tree.categories[:12])
                raise ConfigError(f"Trendyol channel config: category_ids holds {root_id}, which is not in Trendyol's "
                                  f"category tree; use ids from the tree (top level: {top})")
            roots.append(index[root_id])
        for node, _ in depth_first(roots or tree.categories, lambda n: n.sub_categories, lambda n: n.id):
            yield RemoteCategory(remote_id=str(node.id), name=node.name, is_leaf=not node.sub_categories,
                                 parent_id=None if node.parent_id is None else str(node.parent_id))

    def fetch_attributes(self, category_id: str) -> list[RemoteAttribute]:
        """The attributes of one leaf category, each with every allowed value (paged)."""
        answer = self.client.get_category_attributes(category_id)
        attributes = []
        for entry in answer.category_attributes:
            values = self._attribute_values(category_id, entry.attribute.id)
            attributes.append(RemoteAttribute(
                remote_id=str(entry.attribute.id),
                name=entry.attribute.name,
                required=entry.required,
                variant=entry.varianter,
                slicer=entry.slicer,
                allow_custom=entry.allow_custom,
                multi_value=entry.allow_multiple,
                data_type="enum" if values else "text",
                values=values,
            ))
        return attributes

    def _attribute_values(self, category_id: str, attribute_id: int) -> list[AttributeValue]:
        pages = read_pages(lambda page: self.client.get_attribute_values(category_id, attribute_id, page,
                                                                         self.values_page_size),
                           lambda a, following: not a.content or following >= a.total_pages,
                           most=MAX_VALUES_PAGE_SIZE + 1,  # Trendyol allows pages 0..1000
                           what=f"Trendyol values of attribute {attribute_id}", strict=False)
        return [AttributeValue(str(v.id), v.name) for answer in pages for v in answer.content]

    def fetch_brands(self, name: str | None = None) -> list[Brand]:
        """Brands whose name matches ``name`` (Trendyol's by-name search), or every brand."""
        if name is not None and name.strip():
            return [Brand(str(b.id), b.name) for b in self.client.get_brands_by_name(name).root]
        pages = read_pages(lambda page: self.client.get_brands(page, self.brands_page_size),
                           lambda a, _: len(a.brands) < self.brands_page_size, most=self.max_brand_pages,
                           what="Trendyol brand list", strict=False)
        return [Brand(str(b.id), b.name) for answer in pages for b in answer.brands]

    def check_product(self, record: ProductRecord) -> list[str]:
        """What Trendyol would reject the product for, found before sending."""
        fields = record.fields or {}
        problems: list[str] = []
        barcode = text_or_none(fields.get("barcode"))
        if not barcode:
            problems.append("`barcode` is empty: map the barcode default attribute (Trendyol keys every product by it)")
        else:
            if len(barcode) > BARCODE_MAX_LENGTH:
                problems.append(f"`barcode` {barcode!r} has {len(barcode)} characters; Trendyol accepts at most "
                                f"{BARCODE_MAX_LENGTH}")
            if " " in barcode:
                problems.append(f"`barcode` {barcode!r} contains spaces; Trendyol drops them, so stock and price "
                                "updates would miss the product: remove the spaces")
            elif not _BARCODE_RE.match(barcode):
                problems.append(f"`barcode` {barcode!r} may hold only letters, digits, '.', '-' and '_'")
        for key, hint in (("title", "source: name"), ("productMainId", "source: base_code"),
                          ("description", "source: description"), ("stockCode", "source: sku")):
            if not text_or_none(fields.get(key)) and not (key == "stockCode" and record.sku):
                problems.append(f"`{key}` is required ({hint})")
        title = text_or_none(fields.get("title"))
        if title and len(title) > TITLE_MAX_LENGTH:
            problems.append(f"`title` has {len(title)} characters; Trendyol accepts at most {TITLE_MAX_LENGTH}")
        description = text_or_none(fields.get("description"))
        if description and len(description) > DESCRIPTION_MAX_LENGTH:
            problems.append(f"`description` has {len(description)} characters; Trendyol accepts at most "
                            f"{DESCRIPTION_MAX_LENGTH}")
        for key, what in (("brandId", "Trendyol's numeric brand id (see the brands list)"),
                          ("vatRate", f"one of {', '.join(map(str, VAT_RATES))}")):
            value = fields.get(key)
            if value in (None, ""):
                problems.append(f"`{key}` is required: {what}")
            elif not isinstance(wire_int(value), int):
                problems.append(f"`{key}` must be {what}; got {value!r}")
        vat = wire_int(fields.get("vatRate"))
        if isinstance(vat, int) and vat not in VAT_RATES:
            problems.append(f"`vatRate` {vat} is not accepted; Trendyol takes {', '.join(map(str, VAT_RATES))}")
        if not isinstance(wire_int(record.category_id), int):
            problems.append(f"the category id {record.category_id!r} is not a Trendyol category id")
        weight = to_decimal(fields.get("dimensionalWeight"))
        if weight is None or weight < 0:
            problems.append("`dimensionalWeight` (desi) is required and must be a number of at least 0")
        images = [u for u in (fields.get("images") or []) if u]
        if not images:
            problems.append("at least one image is required")
        elif len(images) > MAX_IMAGES:
            problems.append(f"{len(images)} images; Trendyol accepts at most {MAX_IMAGES}")
        for number, url in enumerate(images[:MAX_IMAGES], start=1):
            if not str(url).startswith("https://"):
                problems.append(f"image {number} ({str(url)[:80]}) is not an https:// address; Trendyol requires https")
        sale, list_price = to_decimal(fields.get("salePrice")), to_decimal(fields.get("listPrice"))
        if sale is None or sale <= 0:
            problems.append("`salePrice` is required and must be above 0 (Price data not found)")
        if list_price is not None and sale is not None and list_price < sale:
            problems.append(f"list price {list_price.quantize(CENT)} is below sale price {sale.quantize(CENT)}; "
                            "Trendyol requires listPrice ≥ salePrice")
        quantity = wire_int(fields.get("quantity"))
        if not isinstance(quantity, int):
            problems.append("`quantity` is required: the product's stock (Stock data not found)")
        # Stock above Trendyol's 20,000 is no problem: build_product_payload sends at most 20,000.
        for choice in record.attributes:
            if choice.value_ids and choice.custom_value:
                problems.append(f"`{choice.attribute_name}` has listed values and a free-text value; Trendyol takes one")
        size = _body_bytes({"items": [self.build_product_payload(record)]})
        if size > self.max_request_bytes:
            problems.append(f"the product alone makes a {size} byte request; Trendyol accepts at most "
                            f"{self.max_request_bytes} (shorten the description)")
        return list(dict.fromkeys(problems))

    def build_product_payload(self, record: ProductRecord, *, update: bool = False) -> dict[str, Any]:
        """The exact v2 item: for ``createProducts``, or for ``unapproved-bulk-update`` with
        ``update`` (that endpoint takes no stock, prices, currency or cargo company: stock and
        prices go through the price and stock flows)."""
        fields = record.fields or {}
        sale = fields.get("salePrice")
        list_price = fields.get("listPrice")
        item: dict[str, Any] = {
            "barcode": text_or_none(fields.get("barcode")),
            "title": text_or_none(fields.get("title")),
            "productMainId": text_or_none(fields.get("productMainId")),
            "brandId": wire_int(fields.get("brandId")),
            "categoryId": wire_int(record.category_id),
        }
        if not update:
            item["quantity"] = self._quantity(fields.get("quantity"))
        item["stockCode"] = text_or_none(fields.get("stockCode")) or record.sku
        weight = fields.get("dimensionalWeight")
        item["dimensionalWeight"] = wire_int(weight) if isinstance(wire_int(weight), int) else wire_amount(weight)
        item["description"] = text_or_none(fields.get("description"))
        if not update:
            item["currencyType"] = text_or_none(fields.get("currencyType")) or "TRY"
            item["listPrice"] = wire_amount(list_price if list_price not in (None, "") else sale)
            item["salePrice"] = wire_amount(sale)
        item["vatRate"] = wire_int(fields.get("vatRate"))
        if not update:
            cargo = fields.get("cargoCompanyId")
            item["cargoCompanyId"] = wire_int(cargo) if cargo not in (None, "") else self._cargo_company_id
        duration = fields.get("deliveryDuration")
        duration = wire_int(duration) if duration not in (None, "") else self._delivery_duration
        if duration is not None:
            item["deliveryOption"] = {"deliveryDuration": duration}
        if self._shipment_address_id is not None:
            item["shipmentAddressId"] = self._shipment_address_id
        if self._returning_address_id is not None:
            item["returningAddressId"] = self._returning_address_id
        item["images"] = [{"url": str(url)} for url in (fields.get("images") or []) if url]
        item["attributes"] = [self._attribute(choice) for choice in record.attributes]
        return {key: value for key, value in item.items() if value is not None}

    @staticmethod
    def _attribute(choice: AttributeChoice) -> dict[str, Any]:
        """``attributeValueIds`` (several only where the attribute allows it) or, for
        allowCustom attributes, ``attributeValue`` as free text (the v2 create schema)."""
        entry: dict[str, Any] = {"attributeId": wire_int(choice.attribute_id)}
        if choice.value_ids:
            entry["attributeValueIds"] = [wire_int(v) for v in choice.value_ids]
        elif choice.custom_value is not None:
            entry["attributeValue"] = choice.custom_value
        return entry

    def build_content_payload(self, record: ProductRecord, content_id: int) -> dict[str, Any]:
        """The ``content-bulk-update`` item of an approved product: its ``contentId`` and the
        content Trendyol lets change after approval (title, description, images and, all of
        them, the attributes). barcode, productMainId, brandId and categoryId cannot change
        once approved; stock and prices go through price-and-inventory (the stock and price
        flows), never here."""
        fields = record.fields or {}
        item: dict[str, Any] = {
            "contentId": content_id,
            "title": text_or_none(fields.get("title")),
            "description": text_or_none(fields.get("description")),
            "images": [{"url": str(url)} for url in (fields.get("images") or []) if url],
            # Trendyol: "if any attribute is updated, all attributes and values of the product
            # must be sent", so the whole mapped list goes every time. Slicer/varianter values
            # cannot change after approval; they are sent as they are (unchanged).
            "attributes": [self._attribute(choice) for choice in record.attributes],
        }
        return {key: value for key, value in item.items() if value is not None}

    def send_products(self, records: list[ProductRecord], *, update: bool = False) -> Submission:
        """One create request (``v2/products``); or, with ``update``, the documented update
        for each product's approval state, looked up first (the v2 filters):

        * approved products (V2): ``content-bulk-update`` keyed by their contentId (title,
          description, images, attributes), ``variant-bulk-update`` and, when a delivery
          duration is known, ``delivery-info-bulk-update``, keyed by barcode;
        * products not approved yet, rejected ones sent again after a fix, and products
          Trendyol does not know (it answers those with a per-item failure):
          ``unapproved-bulk-update`` keyed by barcode.

        With approved products the submission's ``remote_id`` is ``"{unapproved}|{content}|
        {variant}|{delivery}"`` (any may be empty); ``poll("product", remote_id, skus)`` reads
        them all and merges the per-item results. Stock and prices are never sent here.

        Raises ValueError, before sending, when a body would exceed ``max_request_bytes``.
        """
        self.check_size("product", len(records))
        if not records:
            return Submission(remote_id=None, sent={}, results=[])
        if update:
            return self._send_updates(records)
        items, sent, skus = [], {}, {}
        for record in records:
            item = self.build_product_payload(record)
            items.append(item)
            sent[record.sku] = item
            skus[str(item.get("barcode") or record.sku)] = record.sku
        self._check_body(items)
        return self.submit(self.client.create_products, items, sent, self.client, memo=skus)

    def _check_body(self, items: list[dict[str, Any]]) -> None:
        size = _body_bytes({"items": items})
        if size > self.max_request_bytes:
            raise ValueError(
                f"{len(items)} products make a {size / 1_048_576:.1f} MiB request; Trendyol's limit here is "
                f"{self.max_request_bytes / 1_048_576:.1f} MiB: send fewer products per request"
            )

    def _held_products(self, payloads: dict[str, dict[str, Any]]) -> dict[str, ProductItem]:
        """Trendyol's product per sku: by barcode (Trendyol's key), then by stockCode."""
        barcodes = {sku: str(item.get("barcode") or sku) for sku, item in payloads.items()}
        by_barcode = self._find_products(list(barcodes.values()), by=("barcode",))
        held = {sku: by_barcode[b] for sku, b in barcodes.items() if b in by_barcode}
        missing = {sku: str(payloads[sku].get("stockCode") or sku) for sku in payloads if sku not in held}
        if missing:
            by_code = self._find_products(list(missing.values()), by=("stock_code",))
            held.update({sku: by_code[code] for sku, code in missing.items() if code in by_code})
        return held

    def _send_updates(self, records: list[ProductRecord]) -> Submission:
        payloads = {record.sku: self.build_product_payload(record, update=True) for record in records}
        held = self._held_products(payloads)
        unapproved, contents, variants, deliveries, sent = [], {}, [], [], {}
        skus_by_barcode: dict[str, str] = {}
        skus_by_content: dict[str, list[str]] = {}
        for record in records:
            product, item = held.get(record.sku), payloads[record.sku]
            if product is not None and product.approved and product.product_content_id is not None:
                content_id, barcode = product.product_content_id, product.barcode or record.sku
                # guess: variants of one content (e.g. sizes) share its contentId; one item per
                # content goes out, built from the first of its records (their content is the same).
                if content_id not in contents:
                    contents[content_id] = self.build_content_payload(record, content_id)
                skus_by_content.setdefault(str(content_id), []).append(record.sku)
                skus_by_barcode[barcode] = record.sku
                # The variant and delivery fields of approved products (V2 variant-bulk-update,
                # delivery-info-bulk-update), keyed by barcode.
                variants.append({"barcode": barcode, **{k: item[k] for k in _VARIANT_FIELDS if k in item}})
                delivery = {"barcode": barcode, "deliveryOptions": item["deliveryOption"]} if "deliveryOption" in item else {}
                deliveries += [delivery] if delivery else []
                sent[record.sku] = {**contents[content_id], **variants[-1], **delivery}
            else:
                # Not approved, rejected, or unknown to Trendyol (its per-item failure says so).
                # An approved product without a contentId in the filter answer also lands here;
                # Trendyol then refuses it per item.
                unapproved.append(item)
                skus_by_barcode[str(item.get("barcode") or record.sku)] = record.sku
                sent[record.sku] = item
        content_items = list(contents.values())
        for items in (unapproved, content_items, variants, deliveries):
            if items:
                self._check_body(items)
        unapproved_id = self.client.update_unapproved_products(unapproved) if unapproved else ""
        exchange = self.client.last_exchange() if unapproved else None
        if not content_items:
            self._remember(unapproved_id, skus_by_barcode)
            return Submission(remote_id=unapproved_id, sent=sent, exchange=exchange)
        remote_id = _UPDATE_SEPARATOR.join((unapproved_id, self.client.update_approved_content(content_items),
                                            self.client.update_approved_variants(variants),
                                            self.client.update_delivery_info(deliveries) if deliveries else ""))
        self._remember(remote_id, skus_by_barcode, skus_by_content)
        return Submission(remote_id=remote_id, sent=sent, exchange=self.client.last_exchange())

    def _finished_batches(self, steps: tuple[tuple[str, str], ...]) -> dict[str, BatchResult] | None:
        """The answer of each step's batch (steps without a batch left out); None while one is unfinished."""
        answers: dict[str, BatchResult] = {}
        for step, batch_id in steps:
            if batch_id:
                answers[step] = self.client.get_batch_result(batch_id)
                if not answers[step].is_finished:
                    return None
        return answers

    def _poll_update(self, remote_id: str, skus: list[str] | None) -> BatchStatus:
        """The batches of an update (unapproved | content | variant | delivery), their results
        merged: an approved product's update succeeds when its content, variant and delivery
        items all do."""
        unapproved_id, content_id, variant_id, delivery_id = (remote_id.split(_UPDATE_SEPARATOR) + ["", ""])[:4]
        if not content_id:
            raise ValueError(f"{remote_id!r} is not a product update id (unapproved | content | variant | delivery)")
        answers = self._finished_batches((("unapproved", unapproved_id), ("content", content_id),
                                          ("variant", variant_id), ("delivery", delivery_id)))
        exchange = self.client.last_exchange()
        if answers is None:
            return BatchStatus(done=False, exchange=exchange)
        if not any(answer.items for answer in answers.values()):
            return BatchStatus(done=True, exchange=exchange,
                               failed_whole=f"Trendyol finished batches {remote_id} without any item result")
        remembered = self.sent_batches.pop(remote_id) or {}
        by_content = self._content_sent.pop(remote_id)
        results: list[ItemResult] = []
        if "unapproved" in answers:
            sku_of = self._sku_resolver(remembered, answers["unapproved"], skus, positional=False)
            results += [self._item_result("product", item, sku_of(index, item))
                        for index, item in enumerate(answers["unapproved"].items)]
        answered = {r.sku for r in results}
        if by_content is None:
            # Another adapter sent it (the flows poll with a new one): find the contentIds of
            # the records that the unapproved batch did not answer.
            rest = [sku for sku in (skus or []) if sku not in answered]
            by_content = {}
            for sku, product in self._find_products(rest).items():
                if product.product_content_id is not None:
                    by_content.setdefault(str(product.product_content_id), []).append(sku)
        for index, item in enumerate(answers["content"].items):
            key = item.content_id
            for sku in by_content.get(key or "", []) or [f"content {key or index + 1}"]:
                results.append(self._content_result(item, sku))
        for step in ("variant", "delivery"):
            sku_of = self._sku_resolver(remembered, answers[step], None, positional=False) if step in answers else None
            for index, item in enumerate(answers[step].items if sku_of else []):
                if not item.is_success:
                    sku = sku_of(index, item)
                    prior = next((r for r in results if r.sku == sku), None)
                    text = f"{step} update refused: " + ("; ".join(item.failure_reasons) or "no reason given")
                    results = [r for r in results if r is not prior] + [ItemResult(
                        sku, False, f"{prior.message}; {text}" if prior and not prior.ok else text,
                        item.model_dump(by_alias=True, exclude_none=True))]
        return BatchStatus(done=True, results=results, exchange=exchange)

    @staticmethod
    def _content_result(item: BatchItem, sku: str) -> ItemResult:
        answer = item.model_dump(by_alias=True, exclude_none=True)
        if not item.is_success:
            reasons = "; ".join(item.failure_reasons) or f"Trendyol marked the item {item.status or 'FAILED'} without a reason"
            # A refused content update leaves the approved product as it was (still on sale).
            return ItemResult(sku, False, reasons, answer)
        # Trendyol's docs: after an update the product shows "İçerik kontrol bekleniyor" (content
        # check pending) while staying on sale, and the update-result service reports each changed
        # field (TITLE, ...) approved or rejected later. guess: that holds for content-bulk-update
        # too, so the result is pending_approval and the approval check (product_statuses) brings
        # it back to on_sale once Trendyol shows the product approved.
        return ItemResult(sku, True, "content update accepted; Trendyol checks the changed content again "
                                     "(the product stays on sale meanwhile)", answer, state=PENDING_APPROVAL)

    def product_statuses(self, skus: list[str]) -> dict[str, ProductStatus]:
        """Approval state per sku, found by stockCode (then barcode) with the v2 filters.

        ``on_sale``: approved by Trendyol; ``reasons`` say when it is nevertheless not
        buyable (archived, locked, blacklisted). ``pending_approval``: sent, not reviewed
        yet. ``rejected``: with Trendyol's reasons. ``not_found``: Trendyol does not know it.
        """
        found = self._find_products(list(skus))
        return {sku: self._status(sku, found.get(sku)) for sku in skus}

    @staticmethod
    def _status(sku: str, product: ProductItem | None) -> ProductStatus:
        if product is None:
            return ProductStatus(sku, NOT_FOUND)
        remote = product.barcode
        if product.rejected:
            reasons = [r.text for r in product.reject_reason_details] or ["rejected by Trendyol (no reason given)"]
            return ProductStatus(sku, REJECTED, reasons, remote)
        if not product.approved:
            return ProductStatus(sku, PENDING_APPROVAL, [], remote)
        reasons = [text for flag, text in ((product.archived, "archived"), (product.locked, "locked by Trendyol"),
                                           (product.blacklisted, "blacklisted by Trendyol")) if flag]
        if not product.on_sale and not reasons:
            reasons.append("approved but not on sale")
        return ProductStatus(sku, ON_SALE, reasons, remote)

    def delete_products(self, records: list[StockRecord]) -> Submission:
        """Take products off sale: stock 0 through price-and-inventory, then archive-state
        ``archived: true`` (Trendyol deletes only products awaiting approval or archived for
        over a day, so archiving is the removal). Results by ``poll("product_delete", id)``;
        an item succeeds when either step did."""
        records = last_per_key(records, self._barcode)
        self.check_size("product_delete", len(records))
        if not records:
            return Submission(remote_id=None, sent={}, results=[])
        barcodes = [self._barcode(r) for r in records]
        skus = {self._barcode(r): r.sku for r in records}
        sent = {r.sku: {"barcode": self._barcode(r), "quantity": 0, "archived": True} for r in records}
        try:
            stock_id = self.client.update_price_and_inventory([{"barcode": b, "quantity": 0} for b in barcodes])
        except IdenticalRequestRejected:
            # The same stock-0 request went out within 15 minutes: stock is already being set to 0.
            stock_id = ""
        archive_id = self.client.archive_products([{"barcode": b, "archived": True} for b in barcodes])
        remote_id = f"{stock_id}{_DELETE_SEPARATOR}{archive_id}"
        self._remember(remote_id, skus)
        return Submission(remote_id=remote_id, sent=sent, exchange=self.client.last_exchange())

    def _poll_delete(self, remote_id: str, skus: list[str] | None) -> BatchStatus:
        stock_id, separator, archive_id = remote_id.partition(_DELETE_SEPARATOR)
        if not separator or not archive_id:
            raise ValueError(f"{remote_id!r} is not a product delete id (stock batch | archive batch)")
        answers = self._finished_batches((("stock", stock_id), ("archive", archive_id)))
        exchange = self.client.last_exchange()
        if answers is None:
            return BatchStatus(done=False, exchange=exchange)
        remembered = self.sent_batches.pop(remote_id) or {}
        known = list(skus) if skus is not None else []

        def outcome(step: str) -> dict[str, BatchItem]:
            answer = answers.get(step)
            return {item.barcode: item for item in answer.items if item.barcode} if answer else {}

        stock, archive = outcome("stock"), outcome("archive")
        barcodes = list(dict.fromkeys([*archive, *stock]))
        by_sku = {sku: barcode for barcode, sku in remembered.items()}
        if known and not remembered:
            # Without this adapter's memory: the archive batch lists the barcodes in the order sent.
            ordered = [item.barcode for item in answers["archive"].items]
            by_sku = dict(zip(known, ordered)) if len(ordered) == len(known) else {b: b for b in barcodes}
        elif not by_sku:
            by_sku = {b: b for b in barcodes}
        results = []
        def step(item: BatchItem | None, done: str, failed: str) -> tuple[bool, str]:
            if item is not None and item.is_success:
                return True, done
            return False, f"{failed}: " + ("; ".join(item.failure_reasons) if item else "no answer for this barcode")

        for sku, barcode in by_sku.items():
            stock_item, archive_item = stock.get(barcode), archive.get(barcode)
            stock_ok, stock_text = (step(stock_item, "stock set to 0", "stock 0 failed") if stock_id
                                    else (True, "stock 0 was already sent within the last 15 minutes"))
            archive_ok, archive_text = step(archive_item, "archived", "archive failed")
            answer = {step: item.model_dump(by_alias=True, exclude_none=True)
                      for step, item in (("stock", stock_item), ("archive", archive_item)) if item is not None}
            results.append(ItemResult(sku, stock_ok or archive_ok, f"{stock_text}; {archive_text}", answer,
                                      remote_sku=barcode))
        return BatchStatus(done=True, results=results, exchange=exchange)

    # --- order side: listings ------------------------------------------------------------
    def list_orders(self, start, end, token=None) -> Page:
        """Packages Awaiting (reported as ``awaiting``: Trendyol has not confirmed the payment)
        or Created whose last change falls in [start, end)."""
        return self._walk_packages(start, end, token, self.order_statuses, self._remote_order)

    def list_updated_orders(self, start, end, token=None) -> Page:
        """Packages Shipped, Delivered or UnDelivered whose last change falls in [start, end),
        with the carrier and tracking number."""
        return self._walk_packages(start, end, token, self.updated_order_statuses, self._remote_order)

    def list_cancellations(self, start, end, token=None) -> Page:
        """Packages cancelled (by the customer or Trendyol) or unsupplied (by us) in the window.
        Each is the whole package (``line_ids`` empty): Trendyol ends the package and puts the
        lines that were not cancelled into a new package of the same order, which
        ``list_orders`` brings like any other."""
        return self._walk_packages(start, end, token, self.cancellation_statuses, self._remote_cancellation)

    def list_claims(self, start, end, token=None) -> Page:
        """Claims opened or changed in [start, end). Trendyol selects claims by creation date
        only, so the query reaches back ``claims_lookback_days`` and keeps the claims whose last
        change falls in the window (a claim that changes while the pages are read may show on
        the next run instead). Claims whose every unit is still Created (the goods are on their
        way back; the seller cannot act yet) are left out: they come once they change."""
        low, high = ms_window(start, end)
        lookback = self.claims_lookback_days * 86_400_000

        def keep(claim: Claim) -> bool:
            units = [item.status_name for group in claim.items for item in group.claim_items]
            if units and all(status == "Created" for status in units):
                return False
            return claim.last_modified_date is None or low <= claim.last_modified_date <= high

        def fetch(status, lo: int, hi: int, page: int, size: int) -> Chunk:
            answer = self.client.get_claims(lo, hi, page, size)
            return Chunk(answer.content, answer.total_elements)

        walker = StagedWalker(fetch, lambda status, records: each_record(status, records, self._remote_claim, keep),
                              self.claims_page_size, prefix="ty1", owner="the Trendyol adapter")
        return walker.page((max(0, low - lookback), high), token)

    def _walk_packages(self, start, end, token, statuses: tuple[str, ...], convert: Callable) -> Page:
        """One page of the packages in ``statuses`` whose last change falls in [start, end), from
        ``getShipmentPackagesStream`` (one query for all the statuses, newest change first) by
        the kit's walker following Trendyol's cursor. Stream and walk keep the window fixed, so a
        package changing meanwhile leaves it for a later window (the flow's overlap reads it).

        The reconciliation sweep reads through here like every window: it never asks further
        back than the stream's ``order_history_days`` (3 months; getShipmentPackages v2 would
        reach only the last month), and a window reaching further is cut, with a log line."""
        low, high = ms_window(start, end)
        oldest = int(time.time() * 1000) - self.order_history_days * 86_400_000 + 600_000  # 10 min for clocks
        if low < oldest and token is None:
            logger.warning("Trendyol lists packages of the last %s days only: %s..%s read from %s", self.order_history_days,
                           from_ms(low), from_ms(high), from_ms(oldest))

        def fetch(stage, lo: int, hi: int, page: Any, size: int) -> Chunk:
            answer = self.client.get_shipment_packages_stream(lo, hi, statuses=stage, size=size,
                                                              cursor=page if isinstance(page, str) else None)
            return Chunk(answer.content, next=answer.next_cursor if answer.has_more else None)

        walker = StagedWalker(fetch, lambda stage, records: each_record(stage, records, convert), self.orders_page_size,
                              (statuses,), prefix="ty2", owner="the Trendyol adapter", by_cursor=True)
        return walker.page((max(low, oldest), high), token)

    # --- order side: mapping ---------------------------------------------------------------
    @staticmethod
    def _remote_order(package: ShipmentPackage) -> RemoteOrder:
        lines = []
        for line in package.lines:
            gross, discount = line.gross_amount, money(line.total_discount)
            price = line.unit_price if line.unit_price is not None else (money(gross) - discount)
            lines.append(RemoteOrderLine(
                line_id=line.line_id,
                sku=line.merchant_sku or line.stock_code or line.barcode or "",
                quantity=line.quantity,
                price=Decimal(price),
                list_price=gross,
                discount=discount,  # per unit, like price and list_price
                remote_sku=line.barcode,
                name=line.product_name or "",
                status=line.status or "",
                tax_rate=line.vat_rate,
            ))
        placed = from_ms(package.order_date)
        status = package.status or ""
        amount = package.total_price
        if amount is None:
            amount = sum((line.price * line.quantity for line in lines), Decimal("0"))
        customer = " ".join(p for p in (package.customer_first_name, package.customer_last_name) if p)
        email, identity = package.customer_email or "", package.identity_number or ""
        shipping = _remote_address(package.shipment_address, email=email, identity=identity)
        return RemoteOrder(
            package_id=package.id,
            order_number=package.order_number,
            status=ORDER_STATUS.get(status, status.lower()),
            placed_at=placed,
            modified_at=from_ms(package.last_modified_date) or placed,
            currency=package.currency_code or "TRY",
            amount=Decimal(amount),
            discount=money(package.total_discount),
            lines=lines,
            customer_name=customer,
            customer_email=email,
            customer_phone=(shipping.phone if shipping else "") or "",
            customer_id=package.customer_id or "",
            shipping_address=shipping,
            billing_address=_remote_address(package.invoice_address, email=email, identity=identity,
                                            tax_number=package.tax_number or ""),
            cargo_company=package.cargo_provider_name or "",
            tracking_number=package.cargo_tracking_number or "",
            tracking_url=package.cargo_tracking_link or "",
            micro_export=bool(package.micro),
            raw=package.raw,
        )

    @staticmethod
    def _remote_cancellation(package: ShipmentPackage) -> RemoteCancellation:
        status = package.status or ""
        text = ("unsupplied by the seller" if status == "UnSupplied"
                else "cancelled on Trendyol (by the customer or Trendyol)")
        return RemoteCancellation(
            package_id=package.id, order_number=package.order_number, line_ids=[], reason_code=status,
            reason_text=text + "; the lines not cancelled come back in a new package of the same order",
            cancelled_at=from_ms(package.last_modified_date), raw=package.raw,
        )

    @staticmethod
    def _remote_claim(claim: Claim) -> RemoteClaim:
        lines, statuses = [], set()
        for group in claim.items:
            order_line = group.order_line
            for item in group.claim_items:
                reason = item.customer_reason
                statuses.add(CLAIM_STATUS.get(item.status_name, item.status_name.lower()))
                lines.append(RemoteClaimLine(
                    claim_line_id=item.id,
                    line_id=order_line.id or "",
                    sku=order_line.merchant_sku or order_line.stock_code or order_line.barcode or "",
                    quantity=1,  # Trendyol claims unit by unit
                    reason_code=(reason.id if reason else None) or "",
                    reason_text=(reason.name if reason else None) or "",
                    customer_note=item.customer_note or "",
                ))
        status = next((s for s in _CLAIM_PRECEDENCE if s in statuses), next(iter(sorted(statuses)), ""))
        created = from_ms(claim.claim_date)
        return RemoteClaim(
            claim_id=claim.id,
            package_id=claim.outbound_package_id or claim.return_package_id or "",
            order_number=claim.order_number or "",
            status=status,
            created_at=created,
            modified_at=from_ms(claim.last_modified_date) or created,
            lines=lines,
            raw=claim.raw,
        )

    # --- order side: writes -------------------------------------------------------------------
    def prepare_packages(self, orders: list[RemoteOrder]) -> list[RemoteOrder]:
        """Trendyol makes the packages itself: nothing to do."""
        return orders

    def send_order_update(self, update: OrderUpdate) -> ItemResult:
        """Bring a package to ``update.status`` on Trendyol.

        ``picking``: Picking. ``invoiced``: Picking first when the package is still Created
        (Trendyol requires it), then Invoiced with the invoice number; the invoice link, when
        given, is sent too (an existing one is left as it is). ``shipped``/``delivered``: Trendyol
        sets them itself from its carrier's scans, so only the earlier steps are taken (Picking,
        and Invoiced when an invoice number is given) and the invoice link sent; with the
        seller's own carrier (``send_shipping_info``) shipped sends the tracking number and
        delivered marks the package delivered. Refusals come back as a failed result; rate
        limits and outages raise.
        """
        package_id = str(update.package_id).strip()
        target = (update.status or "").strip().lower()
        if target not in ("picking", "invoiced", "shipped", "delivered"):
            return ItemResult(package_id, False, f"status {update.status!r}: Trendyol takes picking, invoiced, "
                                                 "shipped or delivered")
        steps: list[str] = []
        try:
            package = self.client.get_shipment_package(package_id)
            if package is None:
                return ItemResult(package_id, False, f"Trendyol lists no package {package_id} (after an unsupplied "
                                                     "line or a split Trendyol replaces the package: read orders again)")
            current = package.status or ""
            if current in _ENDED:
                return ItemResult(package_id, False, f"package {package_id} is {current} on Trendyol; it can no "
                                                     "longer be updated (its lines moved to a new package)")
            if current == "Awaiting":
                return ItemResult(package_id, False, f"package {package_id} is Awaiting: Trendyol has not confirmed the "
                                                     "payment yet; do not prepare it before it becomes Created")
            lines = ([(str(i), int(q)) for i, q in update.line_ids] if update.line_ids
                     else [(line.line_id, line.quantity) for line in package.lines])
            rank = _RANK.get(current, 0)
            wants_invoice = target == "invoiced" or (target != "picking" and bool(str(update.invoice_number or "").strip()))
            if target == "invoiced" and rank < _RANK["Invoiced"] and not str(update.invoice_number or "").strip():
                return ItemResult(package_id, False, "an invoice number is needed to set Invoiced on Trendyol")
            if target == "delivered" and self._own_carrier:
                return self._deliver_own(package, update, steps)
            if rank < _RANK["Picking"]:
                self.client.update_package_status(package_id, lines, "Picking")
                steps.append("Picking sent" + (" first (Trendyol requires Picking before Invoiced)"
                                               if wants_invoice else ""))
            if target == "shipped" and self._own_carrier:
                if rank >= _RANK["Shipped"]:
                    steps.append(f"already {current} on Trendyol")
                else:
                    self._send_tracking(package, update, steps)
            if wants_invoice and rank < _RANK["Invoiced"]:
                self.client.update_package_status(package_id, lines, "Invoiced", invoice_number=update.invoice_number)
                steps.append(f"Invoiced sent with invoice number {update.invoice_number}")
            elif target in ("picking", "invoiced") and rank >= _RANK[target.capitalize()]:
                steps.append(f"already {current} on Trendyol")
            if update.invoice_link:
                self._send_invoice_link(package_id, update, steps)
            if target in ("shipped", "delivered") and not self._own_carrier:
                steps.append(f"Trendyol sets {target.capitalize()} itself from its carrier's scans; nothing else to send")
            elif target == "shipped" and rank < _RANK["Shipped"]:
                steps.append("Trendyol marks the package Shipped when the carrier scans it")
        except RequestRejected as refused:
            done = f" after: {'; '.join(steps)}" if steps else ""
            return ItemResult(package_id, False, f"{refused}{done}", answer={"steps": steps},
                              remote_sku=package_id)
        return ItemResult(package_id, True, "; ".join(steps), answer={"status_before": current, "steps": steps},
                          remote_sku=package_id)

    def _send_tracking(self, package: ShipmentPackage, update: OrderUpdate, steps: list[str]) -> None:
        number = str(update.tracking_number or "").strip()
        if not number:
            raise RequestRejected("the seller's own carrier ships this package: a tracking number is needed")
        if number == (package.cargo_tracking_number or ""):
            steps.append(f"tracking number {number} already on Trendyol")
            return
        provider = str(update.cargo_company or "").strip() or self._provider_code
        if not provider:
            raise RequestRejected("Trendyol needs the carrier's providerCode with a tracking number: set the "
                                  "channel's cargo_provider_code (e.g. ARASMP) or map the carrier's code")
        self.client.update_tracking_number(package.id, number, provider)
        steps.append(f"tracking number {number} sent")

    def _deliver_own(self, package: ShipmentPackage, update: OrderUpdate, steps: list[str]) -> ItemResult:
        current = package.status or ""
        number = str(update.tracking_number or package.cargo_tracking_number or "").strip()
        if current == "Delivered":
            steps.append("already Delivered on Trendyol")
        elif current not in ("Shipped", "AtCollectionPoint", "UnDelivered"):
            return ItemResult(package.id, False, f"package {package.id} is {current} on Trendyol; it must be Shipped "
                                                 "before it can be marked Delivered")
        elif not number:
            return ItemResult(package.id, False, "marking a package Delivered needs its tracking number")
        else:
            self.client.manual_deliver(number)
            steps.append(f"Delivered sent for tracking number {number}")
        if update.invoice_link:
            self._send_invoice_link(package.id, update, steps)
        return ItemResult(package.id, True, "; ".join(steps), answer={"status_before": current, "steps": steps},
                          remote_sku=package.id)

    def _send_invoice_link(self, package_id: str, update: OrderUpdate, steps: list[str]) -> None:
        try:
            self.client.send_invoice_link(
                package_id, update.invoice_link, invoice_number=update.invoice_number or None,
                invoice_date_ms=epoch_ms(update.invoice_date) if update.invoice_date else None,
            )
            steps.append("invoice link sent")
        except ConflictRejected:
            steps.append("Trendyol already holds an invoice link for this package (kept)")

    def cancel_lines(self, package_id: str, lines: list[tuple[str, int]], reason_id: str) -> ItemResult:
        """Report lines as unsupplied (``items/unsupplied``) with a Trendyol reason id (500 stock
        out, 501 defective, 502 wrong price, 504 integration error, 505 bulk purchase, 506 force
        majeure; the channel's ``send_cancel_reason_id`` when none is given). No lines: all of
        the package. Trendyol ends the package and moves the other lines to a new package."""
        package_id = str(package_id).strip()
        raw_reason = reason_id if reason_id not in (None, "") else self.config.get("send_cancel_reason_id") or 500
        try:
            reason = int(str(raw_reason).strip())
        except ValueError:
            reason = None
        if reason not in UNSUPPLIED_REASONS:
            known = ", ".join(f"{k} ({v})" for k, v in UNSUPPLIED_REASONS.items())
            return ItemResult(package_id, False, f"reason {raw_reason!r} is not one of Trendyol's unsupplied reasons: {known}")
        try:
            if not lines:
                package = self.client.get_shipment_package(package_id)
                if package is None:
                    return ItemResult(package_id, False, f"Trendyol lists no package {package_id}")
                lines = [(line.line_id, line.quantity) for line in package.lines]
            self.client.mark_unsupplied(package_id, [(str(i), int(q)) for i, q in lines], reason)
        except RequestRejected as refused:
            return ItemResult(package_id, False, str(refused), remote_sku=package_id)
        shown = ", ".join(f"{i}×{q}" for i, q in lines)
        return ItemResult(package_id, True,
                          f"unsupplied on Trendyol ({reason} {UNSUPPLIED_REASONS[reason]}): {shown}; Trendyol ends package "
                          f"{package_id} and moves the remaining lines to a new package of the same order",
                          answer={"lines": [list(x) for x in lines], "reasonId": reason}, remote_sku=package_id)

    @staticmethod
    def _claim_items(claim: RemoteClaim, line_ids: list[str]) -> tuple[list[str], list[str]]:
        """Claim item ids for ``line_ids`` (claim line ids, or order line ids meaning every unit
        of that line); with none, the units Trendyol shows WaitingInAction (all when unknown).
        Returns (ids, unknown)."""
        if not line_ids:
            try:
                parsed = Claim.model_validate(claim.raw) if claim.raw else None
            except ValueError:
                parsed = None
            if parsed is None:
                return [line.claim_line_id for line in claim.lines], []
            waiting = {item.id for group in parsed.items for item in group.claim_items
                       if item.status_name == "WaitingInAction"}
            return [line.claim_line_id for line in claim.lines if line.claim_line_id in waiting], []
        ids, unknown = [], []
        for wanted in (str(w) for w in line_ids):
            matched = [line.claim_line_id for line in claim.lines if line.claim_line_id == wanted]
            matched = matched or [line.claim_line_id for line in claim.lines if line.line_id == wanted]
            if matched:
                ids += matched
            else:
                unknown.append(wanted)
        return list(dict.fromkeys(ids)), unknown

    def approve_claim(self, claim: RemoteClaim, line_ids: list[str]) -> ItemResult:
        """Accept claimed units (Trendyol accepts only those WaitingInAction)."""
        ids, unknown = self._claim_items(claim, line_ids)
        if unknown or not ids:
            return ItemResult(claim.claim_id, False, f"claim {claim.claim_id} has no units {', '.join(unknown)}"
                              if unknown else f"claim {claim.claim_id} has no unit waiting for the seller (WaitingInAction)")
        try:
            self.client.approve_claim_items(claim.claim_id, ids)
        except RequestRejected as refused:
            return ItemResult(claim.claim_id, False, str(refused))
        return ItemResult(claim.claim_id, True, f"{len(ids)} unit(s) accepted", answer={"claimLineItemIdList": ids})

    def reject_claim(self, claim: RemoteClaim, line_ids: list[str], reason_id: str, description: str,
                     images: list[bytes]) -> ItemResult:
        """Reject claimed units with a claim issue: ``reason_id`` from Trendyol's claim issue
        reasons (the channel's ``claim_issue_reason_id`` when empty), a description (cut to
        Trendyol's 500 characters) and jpeg or pdf files (every reason but 1651, 451 and 2101
        needs at least one)."""
        ids, unknown = self._claim_items(claim, line_ids)
        if unknown or not ids:
            return ItemResult(claim.claim_id, False, f"claim {claim.claim_id} has no units {', '.join(unknown)}"
                              if unknown else f"claim {claim.claim_id} has no unit waiting for the seller (WaitingInAction)")
        raw_reason = reason_id if reason_id not in (None, "") else self.config.get("claim_issue_reason_id")
        try:
            reason = int(str(raw_reason).strip())
        except ValueError:
            return ItemResult(claim.claim_id, False, "a claim issue reason id is needed (Trendyol's claim issue reasons, "
                                                     "or the channel's claim_issue_reason_id)")
        text = (description or "").strip()
        notes = []
        if not text:
            return ItemResult(claim.claim_id, False, "a description of the rejection is needed")
        if len(text) > CLAIM_ISSUE_DESCRIPTION_MAX:
            text = text[:CLAIM_ISSUE_DESCRIPTION_MAX - 1] + "…"
            notes.append(f"description cut to Trendyol's {CLAIM_ISSUE_DESCRIPTION_MAX} characters")
        files = []
        for number, content in enumerate(images or [], start=1):
            upload = _file_of(number, content)
            if upload is None:
                return ItemResult(claim.claim_id, False, f"file {number} is neither jpeg nor pdf; Trendyol takes only those")
            files.append(upload)
        if not files and reason not in CLAIM_ISSUE_REASONS_WITHOUT_FILES:
            return ItemResult(claim.claim_id, False, f"Trendyol needs at least one jpeg or pdf for claim issue reason "
                                                     f"{reason} (only {', '.join(map(str, CLAIM_ISSUE_REASONS_WITHOUT_FILES))} "
                                                     "go without)")
        try:
            self.client.create_claim_issue(claim.claim_id, reason, ids, text, files)
        except RequestRejected as refused:
            return ItemResult(claim.claim_id, False, str(refused))
        return ItemResult(claim.claim_id, True, "; ".join([f"{len(ids)} unit(s) rejected (reason {reason})", *notes]),
                          answer={"claimItemIdList": ids, "claimIssueReasonId": reason, "files": len(files)})

    def split_package(self, package_id: str, groups: list[list[tuple[str, int]]]) -> ItemResult:
        """Split a package into groups of (line id, quantity); Trendyol makes the new packages
        later (the old one becomes UnPacked) and ``list_orders`` brings them."""
        package_id = str(package_id).strip()
        if not groups or any(not group for group in groups):
            return ItemResult(package_id, False, "a split needs at least one non-empty group of (line id, quantity)")
        try:
            self.client.split_package(package_id, [[(str(i), int(q)) for i, q in group] for group in groups])
        except RequestRejected as refused:
            return ItemResult(package_id, False, str(refused), remote_sku=package_id)
        except ValueError as bad:
            return ItemResult(package_id, False, str(bad), remote_sku=package_id)
        return ItemResult(package_id, True, f"split into {len(groups)} group(s) requested; Trendyol creates the new "
                                            "packages shortly (get_orders brings them) and the old one becomes UnPacked",
                          answer={"groups": [[list(x) for x in g] for g in groups]}, remote_sku=package_id)

    def update_warehouse(self, package_id: str, erp_code: str) -> ItemResult:
        """Ship a package from the warehouse our ``erp_code`` names (``warehouse_mapping`` gives
        Trendyol's warehouseId); Trendyol takes it for Created, Picking and Invoiced packages."""
        package_id, code = str(package_id).strip(), str(erp_code or "").strip()
        mapping = self.config.get("warehouse_mapping") or {}
        warehouse = mapping.get(code)
        if warehouse in (None, "") or not str(warehouse).strip().isdigit():
            known = ", ".join(sorted(map(str, mapping))) or "none"
            return ItemResult(package_id, False, f"warehouse_mapping has no Trendyol warehouseId (a number) for "
                                                 f"warehouse erp code {code!r} (mapped: {known}); add it in the channel settings")
        try:
            self.client.update_warehouse(package_id, int(str(warehouse).strip()))
        except RequestRejected as refused:
            return ItemResult(package_id, False, str(refused))
        return ItemResult(package_id, True, f"package {package_id} now ships from warehouse {warehouse} ({code})")

    def close(self) -> None:
        self.client.close()
