"""Walmart's adapter: stock and prices one by one (PUT /v3/inventory, PUT /v3/price) or as feeds,
products as MP_ITEM feeds whose per-item ingestionStatus is each record's result, retire by
DELETE /v3/items/{sku}, purchase orders in (acknowledged once read), shipments per line (some
lines shipped is a split package), seller cancellations with Walmart's reason codes, and
returns read as refund requests that are approved by refunding the return.

A purchase order (purchaseOrderId) is our package; the customer order id is the order number.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from ..base import (
    NOT_FOUND, ON_SALE, PENDING_APPROVAL, REJECTED, AttributeValue, BatchStatus, DefaultAttribute, ItemResult,
    Listing, MarketplaceAdapter, OrderUpdate, Page, PriceRecord, ProductStatus, RemoteAddress, RemoteAttribute,
    RemoteCancellation, RemoteCategory, RemoteClaim, RemoteClaimLine, RemoteOrder, RemoteOrderLine, StockRecord,
    Submission,
)
from ..errors import Action, ConfigError, MarketplaceError, RequestRejected
from ..http import DEFAULT_TIMEOUT
from ..kit import BatchSending, ConfigReader, SentMemory, wire_amount
from .client import WalmartClient
from .config import (
    BATCH_SIZES, CANCEL_REASONS, CARRIERS, CURRENCY, FEED_DONE, FEED_MAX_BYTES, FEED_PAGE, FLOWS,
    INVENTORY_FEED_VERSION, ITEM_FEED_VERSION, METHOD_CODES, ORDERS_PAGE_SIZE, PRICE_FEED_VERSION, PRODUCTION_URL,
    PUT_AT_MOST, SCHEMA, SERVICE_NAME, SPEC_VERSION,
)
from .models import FeedStatus, PurchaseOrder, ReturnOrder, error_text

logger = logging.getLogger("mpdash.marketplaces.walmart")

DEFAULTS = (
    DefaultAttribute("productName", "Product name", source="name"),
    DefaultAttribute("brand", "Brand", source="attributes.brand"),
    DefaultAttribute("productId", "GTIN / UPC / EAN", source="attributes.barcode"),
    DefaultAttribute("shortDescription", "Description", required=False, source="description"),
    DefaultAttribute("mainImageUrl", "Images", data_type="list", source="images"),
    DefaultAttribute("price", "Price", data_type="number", source="price"),
    # Orderable.ShippingWeight (lb) is required by the item spec; 1 when the product has none.
    DefaultAttribute("ShippingWeight", "Shipping weight (lb)", required=False, data_type="number",
                     source="attributes.weight"),
)
_OWNED = {"shortDescription", "mainImageUrl", "productSecondaryImageURL"}
_TYPES = {"string": "text", "number": "number", "integer": "number", "boolean": "bool"}
GTIN_TYPES = {8: "GTIN", 12: "UPC", 13: "EAN", 14: "GTIN"}
_CLAIM_DONE = ("REFUND_COMPLETED", "COMPLETED")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ms(value: int | float | None) -> datetime:
    return datetime.fromtimestamp((value or 0) / 1000, UTC)


def _when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)


def _country(code: str) -> str:
    code = (code or "").strip().upper()
    return {"USA": "US", "": "US"}.get(code, code)


def po_status(po: PurchaseOrder) -> str:
    """Our status from the units per line status (a line may be partly shipped, partly cancelled)."""
    units: Counter = Counter()
    for line in po.lines:
        for s in line.statuses.status:
            units[s.status] += s.quantity.units
    live = sum(units.values()) - units["Cancelled"]
    if live <= 0:
        return "cancelled"
    if units["Refund"] >= live:
        return "returned"
    if units["Delivered"] >= live:
        return "delivered"
    if units["Shipped"] + units["Delivered"] >= live:
        return "shipped"
    if units["Shipped"] + units["Delivered"]:
        return "picking"  # some lines shipped: a split
    return "created"


def _remaining(line) -> int:
    return line.units("Created") + line.units("Acknowledged")


class WalmartAdapter(BatchSending, MarketplaceAdapter):
    name = "walmart"
    label = "Walmart"
    flows = FLOWS
    schema = SCHEMA
    batch_sizes = BATCH_SIZES
    batch_unit = "feed"
    max_request_bytes = FEED_MAX_BYTES
    max_order_window_hours = 24
    orders_page_size = ORDERS_PAGE_SIZE
    put_at_most = PUT_AT_MOST

    def __init__(self, config: dict[str, Any], *, transport: httpx.BaseTransport | None = None,
                 budgets: bool = True, timeout: httpx.Timeout | float | None = None, token_store=None):
        super().__init__(config, transport=transport, timeout=timeout)
        read = ConfigReader(self.config, "Walmart")
        self.currency = read.text("currency") or CURRENCY
        self.ship_node = read.text("ship_node")
        self.method_code = read.text("method_code") or "Standard"
        if self.method_code not in METHOD_CODES:
            raise read.error("method_code", f"must be one of {', '.join(METHOD_CODES)}, got {self.method_code!r}")
        self.cancel_reason = read.text("seller_cancel_reason") or "SELLER_CANCEL_OUT_OF_STOCK"
        if self.cancel_reason not in CANCEL_REASONS:
            raise read.error("seller_cancel_reason", f"must be one of {', '.join(CANCEL_REASONS)}")
        self.client = WalmartClient(read.text("base_url") or PRODUCTION_URL, client_id=read.required("client_id"),
                                    client_secret=read.required("client_secret"),
                                    service_name=read.text("service_name") or SERVICE_NAME, budgets=budgets,
                                    transport=transport, token_store=token_store,
                                    timeout=DEFAULT_TIMEOUT if timeout is None else timeout)
        self._buffer = read.whole("buffer_stock", default=0) or 0
        self.sent_batches = SentMemory(1000)

    def close(self) -> None:
        self.client.close()

    # --- stock and prices ------------------------------------------------------------------------
    def stock_to_send(self, quantity: int) -> int:
        return max(0, int(quantity) - self._buffer)

    def _inventory_item(self, record: StockRecord) -> dict[str, Any]:
        return {"sku": str(record.sku).strip(),
                "quantity": {"unit": "EACH", "amount": self.stock_to_send(record.quantity)}}

    def _price_item(self, record: PriceRecord) -> dict[str, Any]:
        price = {"currency": self.currency, "amount": wire_amount(record.price)}
        return {"sku": str(record.sku).strip(), "pricing": [{"currentPriceType": "BASE", "currentPrice": price}]}

    def _send(self, kind: str, records, item_of, operation: str, put, feed_type: str, header: dict, key: str):
        kept, items, sent = self.prepare_batch(kind, records, item_of)
        if not items:
            return Submission(remote_id=None, sent={}, results=[])
        # A few go one by one while the operation's budget has room for all of them; else (or
        # when it is spent for now) one feed, which waits for its own hourly budget.
        if len(items) <= self.put_at_most and self.client.take(operation, len(items)):
            try:
                results = self._each(kept, items, put)
            finally:
                self.client.release(operation)
            return Submission(remote_id=None, sent=sent, results=results, exchange=self.client.last_exchange())
        return self.submit(lambda batch: self._feed(feed_type, {**header, key: batch}), items, sent, self.client)

    def _each(self, records, items, put) -> list[ItemResult]:
        """One call per item; a failure half-way fails the rest with its reason (never sent
        twice), a wait or a first failure sends the whole request again later."""
        results: list[ItemResult] = []
        for record, item in zip(records, items):
            try:
                answer = put(item)
            except RequestRejected as exc:
                results.append(ItemResult(record.sku, False, str(exc)))
                continue
            except MarketplaceError as exc:
                if not results or exc.action is Action.RETRY_LATER:
                    raise
                results += [ItemResult(r.sku, False, f"not sent: {exc}") for r in records[len(results):]]
                break
            results.append(ItemResult(record.sku, True, "updated", answer))
        return results

    def _feed(self, feed_type: str, document: dict[str, Any]) -> str:
        content = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(content) >= FEED_MAX_BYTES:
            raise ValueError(f"the {feed_type} feed is {len(content)} bytes; Walmart takes under {FEED_MAX_BYTES} "
                             "(10 MB): send fewer records at once")
        return self.client.submit_feed(feed_type, content, self.ship_node if feed_type == "inventory" else "")

    def send_stock(self, records: list[StockRecord]) -> Submission:
        return self._send("productstock", records, self._inventory_item, "updateInventoryForAnItem",
                          lambda i: self.client.put_inventory(i["sku"], i["quantity"]["amount"], self.ship_node),
                          "inventory", {"InventoryHeader": {"version": INVENTORY_FEED_VERSION}}, "Inventory")

    def send_prices(self, records: list[PriceRecord]) -> Submission:
        return self._send("productprice", records, self._price_item, "updatePrice", self.client.put_price,
                          "price", {"PriceHeader": {"version": PRICE_FEED_VERSION}}, "Price")

    def delete_products(self, records: list[StockRecord]) -> Submission:
        """Retire each item (DELETE /v3/items/{sku}): off sale, kept in Walmart's catalog."""
        kept, items, sent = self.prepare_batch("product_delete", records, lambda r: {"sku": str(r.sku).strip()})
        if not items:
            return Submission(remote_id=None, sent={}, results=[])
        with self.client.slots("retireAnItem", len(items)):
            results = self._each(kept, items, lambda i: self.client.retire(i["sku"]))
        return Submission(remote_id=None, sent=sent, results=results, exchange=self.client.last_exchange())

    # --- feed results ----------------------------------------------------------------------------
    def poll(self, kind: str, remote_id: str, skus: list[str] | None = None) -> BatchStatus:
        """GET /v3/feeds/{id}?includeDetails=true until PROCESSED (or ERROR); then every item's
        ingestionStatus, page by page, becomes its record's result."""
        def finished(answer: FeedStatus) -> bool:
            return answer.feed_status in FEED_DONE and answer.items_processing == 0

        def results(answer: FeedStatus, memo) -> list[ItemResult] | str:
            found = list(answer.items)
            while len(found) < answer.items_received and len(found) < 100 * FEED_PAGE:
                more = self.client.feed_status(remote_id, offset=len(found)).items
                if not more:
                    break
                found += more
            if answer.feed_status == "ERROR" and not found:
                errors = answer.ingestion_errors.ingestion_error if answer.ingestion_errors else []
                return f"Walmart refused feed {remote_id}: " + ("; ".join(f"{e.code} {e.description}" for e in errors)
                                                                or "no reason given")
            return self.item_results(kind, found, list(skus or memo or []))

        return self.poll_batch(remote_id, self.client, lambda: self.client.feed_status(remote_id), finished, results)

    @staticmethod
    def item_results(kind: str, found: list, skus: list[str]) -> list[ItemResult]:
        by_sku = {i.sku: i for i in found}
        out = []
        for sku in skus or list(by_sku):
            item = by_sku.get(sku)
            if item is None:
                out.append(ItemResult(sku, False, "Walmart's feed status does not mention this sku", state=REJECTED))
                continue
            ok = item.ingestion_status == "SUCCESS"
            state = PENDING_APPROVAL if ok else REJECTED if item.ingestion_status == "DATA_ERROR" else "failed"
            text = "ingested" if ok else item.problems() or f"{item.ingestion_status}, no reason given"
            out.append(ItemResult(sku, ok, text, item.model_dump(by_alias=True),
                                  state=state if kind == "product" else "", remote_sku=item.wpid or None))
        return out

    def list_listings(self):
        """GET /v3/items with nextCursor (stock is read elsewhere: None)."""
        cursor, pages = "*", 0
        while cursor and pages < 10_000:
            page = self.client.items(cursor)
            pages += 1
            for item in page.items:
                price = item.price.amount if item.price else None
                yield Listing(sku=item.sku, remote_sku=item.wpid or None,
                              price=None if price is None else Decimal(str(price)), stock=None,
                              on_sale=item.published_status == "PUBLISHED" and item.lifecycle_status in ("", "ACTIVE"))
            cursor = page.next_cursor if page.items else None

    # --- catalog ---------------------------------------------------------------------------------
    @classmethod
    def default_attributes(cls):
        return DEFAULTS

    def fetch_categories(self, root_ids: list[str]):
        """The taxonomy: each category, then its subcategories (the leaves, ``<category>/<id>``)."""
        tree = self.client.taxonomy()
        names = {str(n.get("category")) for n in tree}
        wanted = [str(r).strip() for r in root_ids or [] if str(r).strip()]
        unknown = [r for r in wanted if r not in names]
        if unknown:
            raise ConfigError(f"Walmart channel config: category_ids holds {', '.join(unknown)}, not a category of "
                              f"Walmart's taxonomy; use one of {', '.join(sorted(names)[:15])}")
        for node in tree:
            name = str(node.get("category"))
            if wanted and name not in wanted:
                continue
            yield RemoteCategory(name, name, None, is_leaf=not node.get("subcategory"))
            for sub in node.get("subcategory") or []:
                yield RemoteCategory(f"{name}/{sub.get('subCategoryId')}", str(sub.get("subCategoryName")), name,
                                     is_leaf=True)

    def fetch_attributes(self, category_id: str) -> list[RemoteAttribute]:
        category = str(category_id).partition("/")[0]
        visible = _visible(self.client.spec("MP_ITEM", SPEC_VERSION, [category]), category)
        required = set(visible.get("required") or [])
        out = []
        for key, prop in (visible.get("properties") or {}).items():
            if key in _OWNED:
                continue
            many = prop.get("type") == "array"
            value = prop.get("items") or {} if many else prop
            enum = value.get("enum") or []
            out.append(RemoteAttribute(remote_id=key, name=prop.get("title") or key, required=key in required,
                                       multi_value=many, allow_custom=not enum,
                                       data_type="enum" if enum else _TYPES.get(value.get("type", "string"), "text"),
                                       values=[AttributeValue(str(v), str(v)) for v in enum]))
        return out

    def check_product(self, record) -> list[str]:
        f = record.fields or {}
        problems = [f"{k} is required" for k in ("productName", "brand") if not str(f.get(k) or "").strip()]
        code = str(f.get("productId") or "").strip()
        if not (code.isdigit() and len(code) in GTIN_TYPES):
            problems.append(f"productId {code!r}: a GTIN-14, UPC (12), EAN (13) or GTIN-8 of digits is required")
        if not [u for u in f.get("mainImageUrl") or [] if u]:
            problems.append("mainImageUrl: at least one image is required")
        if "/" not in str(record.category_id):
            problems.append(f"category {record.category_id}: map a Walmart subcategory, not a category")
        return problems

    def build_product_payload(self, record, *, update: bool = False) -> dict[str, Any]:
        """One MPItem of an MP_ITEM feed (the documents' V4.5 example: Orderable and Visible)."""
        f = record.fields or {}
        category = str(record.category_id).partition("/")[0]
        code = str(f.get("productId") or "").strip()
        images = [u for u in f.get("mainImageUrl") or [] if u]
        orderable = {"sku": record.sku, "productIdentifiers": {"productIdType": GTIN_TYPES.get(len(code), "GTIN"),
                                                               "productId": code},
                     "productName": f.get("productName"), "brand": f.get("brand"), "price": wire_amount(f.get("price")),
                     "ShippingWeight": wire_amount(f.get("ShippingWeight") or 1)}
        visible: dict[str, Any] = {"shortDescription": f.get("shortDescription") or f.get("productName"),
                                   "mainImageUrl": images[0] if images else None}
        if len(images) > 1:
            visible["productSecondaryImageURL"] = images[1:]
        for choice in record.attributes:
            values = choice.value_ids or ([choice.custom_value] if choice.custom_value is not None else [])
            visible[choice.attribute_id] = values[0] if len(values) == 1 else values or None
        return {"Orderable": orderable, "Visible": {category: {k: v for k, v in visible.items() if v is not None}}}

    def send_products(self, records, *, update: bool = False) -> Submission:
        """One MP_ITEM feed (create and full update alike: processMode REPLACE)."""
        kept, items, sent = self.prepare_batch("product", records, lambda r: self.build_product_payload(r))
        subs = {str(r.category_id).partition("/")[2] for r in kept}
        header = {"sellingChannel": "marketplace", "processMode": "REPLACE", "subset": "EXTERNAL", "locale": "en",
                  "version": ITEM_FEED_VERSION, **({"subCategory": next(iter(subs))} if len(subs) == 1 else {})}
        return self.submit(lambda batch: self._feed("MP_ITEM", {"MPItemFeedHeader": header, "MPItem": batch}),
                           items, sent, self.client)

    def product_statuses(self, skus: list[str]):
        out = {}
        for sku in skus:
            page = self.client.item(sku)
            item = page.items[0] if page and page.items else None
            if item is None or item.lifecycle_status == "RETIRED":
                out[sku] = ProductStatus(sku, NOT_FOUND)
            elif item.published_status == "PUBLISHED":
                out[sku] = ProductStatus(sku, ON_SALE, remote_sku=item.wpid or None)
            elif item.published_status in ("UNPUBLISHED", "SYSTEM_PROBLEM"):
                out[sku] = ProductStatus(sku, REJECTED, item.reasons() or [item.published_status], item.wpid or None)
            else:  # IN_PROGRESS, READY_TO_PUBLISH, STAGE
                out[sku] = ProductStatus(sku, PENDING_APPROVAL, remote_sku=item.wpid or None)
        return out

    # --- orders in -------------------------------------------------------------------------------
    def _orders(self, start, end, token, convert) -> Page:
        """One page of purchase orders modified in the window (pages with nothing to hand over
        are followed at once)."""
        while True:
            page = self.client.orders(_iso(start), _iso(end), token, self.orders_page_size).page
            items = [x for po in page.elements.order for x in convert(po)]
            token = page.meta.next_cursor if page.elements.order and page.meta.next_cursor else None
            if items or token is None:
                return Page(items, token)

    def list_orders(self, start, end, token=None) -> Page:
        return self._orders(start, end, token, lambda po: [self.remote_order(po)] if po_status(po) != "cancelled"
                            else [])

    def list_updated_orders(self, start, end, token=None) -> Page:
        return self._orders(start, end, token, lambda po: [self.remote_order(po)] if po_status(po) in (
            "picking", "shipped", "delivered", "returned") else [])

    def list_cancellations(self, start, end, token=None) -> Page:
        def convert(po: PurchaseOrder) -> list[RemoteCancellation]:
            gone = [line for line in po.lines if line.units("Cancelled")]
            if not gone:
                return []
            whole = po_status(po) == "cancelled"
            reason = next((s.cancellation_reason for line in gone for s in line.statuses.status
                           if s.status == "Cancelled" and s.cancellation_reason), "")
            return [RemoteCancellation(package_id=po.purchase_order_id, order_number=po.customer_order_id,
                                       line_ids=[] if whole else [line.line_number for line in gone],
                                       reason_code=reason, reason_text=reason or "Cancelled on Walmart",
                                       cancelled_at=_ms(max(line.status_date for line in gone)),
                                       raw=po.model_dump(by_alias=True))]
        return self._orders(start, end, token, convert)

    def remote_order(self, po: PurchaseOrder) -> RemoteOrder:
        lines, shipping, currency = [], Decimal("0"), ""
        for line in po.lines:
            charges = line.charges.charge
            product = sum((Decimal(str(c.amount.amount)) for c in charges if c.charge_type == "PRODUCT"), Decimal("0"))
            shipping += sum((Decimal(str(c.amount.amount)) for c in charges if c.charge_type == "SHIPPING"), Decimal("0"))
            currency = currency or next((c.amount.currency for c in charges if c.amount.currency), "")
            quantity = max(1, line.quantity.units)
            unit = (product / quantity).quantize(Decimal("0.01"))
            status = ",".join(s.status for s in line.statuses.status)
            lines.append(RemoteOrderLine(line_id=line.line_number, sku=line.item.sku, quantity=line.quantity.units,
                                         price=unit, list_price=unit, name=line.item.product_name, status=status))
        info = po.shipping_info
        postal = info.postal_address if info else None
        address = None
        if postal is not None:
            first, _, last = postal.name.partition(" ")
            # A US address: street lines, city, state and ZIP; no Türkiye township or district.
            line_text = ", ".join(p for p in (postal.address1, postal.address2) if p)
            address = RemoteAddress(first_name=first, last_name=last, line=line_text, city=postal.city, region=postal.state or "",
                                    postcode=postal.postal_code, country=_country(postal.country),
                                    phone=info.phone if info else "", email=po.customer_email)
        tracking = next((s.tracking_info for line in po.lines for s in line.statuses.status if s.tracking_info), None)
        modified = max([po.order_date, *(line.status_date for line in po.lines)])
        amount = sum((ln.price * ln.quantity for ln in lines), Decimal("0")) + shipping
        return RemoteOrder(
            package_id=po.purchase_order_id, order_number=po.customer_order_id, status=po_status(po),
            placed_at=_ms(po.order_date), modified_at=_ms(modified), currency=currency or self.currency,
            amount=amount, shipping_amount=shipping, lines=lines, customer_name=postal.name if postal else "",
            customer_email=po.customer_email, customer_phone=info.phone if info else "",
            shipping_address=address, billing_address=address,
            cargo_company=(tracking.carrier_name.carrier or tracking.carrier_name.other_carrier)
            if tracking and tracking.carrier_name else "",
            tracking_number=tracking.tracking_number if tracking else "",
            tracking_url=tracking.tracking_url if tracking else "", raw=po.model_dump(by_alias=True))

    def prepare_packages(self, orders: list[RemoteOrder]) -> list[RemoteOrder]:
        """Acknowledge the purchase orders that still have Created lines (Walmart expects it
        soon after an order is read); a refusal is logged and acknowledged on the next read."""
        for order in orders:
            created = any("Created" in line.status.split(",") for line in order.lines)
            if not created:
                continue
            try:
                self.client.order_action("acknowledgeOrders", order.package_id, "acknowledge", None)
            except RequestRejected as exc:
                logger.warning("acknowledging %s failed: %s", order.package_id, exc)
        return orders

    def list_claims(self, start, end, token=None) -> Page:
        """Returns (GET /v3/returns by last modification) as refund requests, one per return order."""
        page = self.client.returns(_iso(start), _iso(end), token, self.orders_page_size)
        claims = [self.remote_claim(r) for r in page.returns if r.lines]
        return Page(claims, page.meta.next_cursor if page.returns and page.meta.next_cursor else None)

    @staticmethod
    def remote_claim(ret: ReturnOrder) -> RemoteClaim:
        lines = ret.lines
        if all(line.cancellation_reason for line in lines):
            status = "cancelled"
        elif all(line.current_refund_status in _CLAIM_DONE or (line.refunded_qty or 0) >= (
                line.quantity.value if line.quantity else 1) for line in lines):
            status = "accepted"
        else:
            status = "waiting_action"
        created = _when(ret.return_order_date)
        return RemoteClaim(
            claim_id=ret.return_order_id, package_id=lines[0].purchase_order_id, order_number=ret.customer_order_id,
            status=status, created_at=created, modified_at=created,
            lines=[RemoteClaimLine(claim_line_id=str(line.number), line_id=str(line.purchase_order_line or ""),
                                   sku=line.item.sku, quantity=int(line.quantity.value) if line.quantity else 1,
                                   reason_code=line.return_reason, reason_text=line.return_reason) for line in lines],
            raw=ret.model_dump(by_alias=True))

    # --- orders out ------------------------------------------------------------------------------
    def _carrier(self, name: str) -> dict[str, str]:
        known = {c.lower(): c for c in CARRIERS}
        text = str(name or "").strip()
        return {"carrier": known[text.lower()]} if text.lower() in known else {"otherCarrier": text or "Other"}

    def send_order_update(self, update: OrderUpdate) -> ItemResult:
        """Shipped: POST /v3/orders/{po}/shipping for the package's lines (the ones still to ship)
        with carrier, method, tracking number and URL. Walmart has no picking, invoiced or
        delivered step a seller reports."""
        po_id = str(update.package_id)
        if update.status != "shipped":
            return ItemResult(po_id, True, f"Walmart has no {update.status} step a seller reports; nothing sent")
        if not str(update.tracking_number or "").strip():
            return ItemResult(po_id, False, "Walmart's shipping update needs a tracking number; set the package's "
                                            "tracking number")
        po = PurchaseOrder.model_validate(self.client.order(po_id))
        wanted = dict((str(k), int(q)) for k, q in update.line_ids) if update.line_ids else None
        ship = [(line, min(_remaining(line), wanted.get(line.line_number, 0) if wanted else _remaining(line)))
                for line in po.lines]
        ship = [(line, n) for line, n in ship if n > 0]
        if not ship:
            return ItemResult(po_id, True, f"Walmart shows purchase order {po_id} {po_status(po)} already; "
                                           "nothing left to ship")
        method = (po.shipping_info.method_code if po.shipping_info else "") or self.method_code
        tracking = {"shipDateTime": int(datetime.now(UTC).timestamp() * 1000),
                    "carrierName": self._carrier(update.cargo_company), "methodCode": method,
                    "trackingNumber": update.tracking_number, **({"trackingURL": update.tracking_url}
                                                                if update.tracking_url else {})}
        body = {"orderShipment": {"orderLines": {"orderLine": [
            {"lineNumber": line.line_number, "sellerOrderId": po.purchase_order_id, "orderLineStatuses": {
                "orderLineStatus": [{"status": "Shipped", "statusQuantity": {"unitOfMeasurement": "EACH",
                                                                            "amount": str(n)},
                                     "trackingInfo": tracking}]}} for line, n in ship]}}}
        try:
            self.client.order_action("shippingUpdates", po_id, "shipping", body)
        except RequestRejected as exc:
            return ItemResult(po_id, False, str(exc))
        return ItemResult(po_id, True, f"lines {', '.join(line.line_number for line, _ in ship)} shipped",
                          self.client.last_exchange())

    def cancel_lines(self, package_id: str, lines: list[tuple[str, int]], reason_id: str) -> ItemResult:
        """Seller cancellation (POST /v3/orders/{po}/cancel) with one of Walmart's reason codes:
        ``reason_id`` when it is one, else the channel's seller_cancel_reason."""
        po_id = str(package_id)
        reason = reason_id if reason_id in CANCEL_REASONS else self.cancel_reason
        po = PurchaseOrder.model_validate(self.client.order(po_id))
        wanted = {str(k): int(q) for k, q in lines} if lines else {ln.line_number: _remaining(ln) for ln in po.lines}
        by_number = {ln.line_number: ln for ln in po.lines}
        for number, n in wanted.items():
            if number not in by_number or _remaining(by_number[number]) < n:
                return ItemResult(po_id, False, f"line {number} of purchase order {po_id} has "
                                                f"{_remaining(by_number[number]) if number in by_number else 0} unit(s) "
                                                f"left to cancel, not {n}")
        body = {"orderCancellation": {"orderLines": {"orderLine": [
            {"lineNumber": number, "orderLineStatuses": {"orderLineStatus": [
                {"status": "Cancelled", "cancellationReason": reason,
                 "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(n)}}]}}
            for number, n in wanted.items() if n > 0]}}}
        try:
            self.client.order_action("cancelOrderLines", po_id, "cancel", body)
        except RequestRejected as exc:
            return ItemResult(po_id, False, str(exc))
        return ItemResult(po_id, True, f"cancelled lines {', '.join(wanted)} ({reason})")

    def approve_claim(self, claim: RemoteClaim, line_ids: list[str]) -> ItemResult:
        """Refund the return (POST /v3/returns/{id}/refund) for its lines (those named, or all)."""
        named = {str(x) for x in line_ids or []}
        lines = [int(ln.claim_line_id) for ln in claim.lines if not named or ln.line_id in named
                 or ln.claim_line_id in named] or [int(ln.claim_line_id) for ln in claim.lines]
        try:
            answer = self.client.refund_return(claim.claim_id, claim.order_number, lines)
        except RequestRejected as exc:
            return ItemResult(claim.claim_id, False, str(exc))
        return ItemResult(claim.claim_id, True, "refunded", answer)

    def reject_claim(self, claim, line_ids, reason_id, description, images) -> ItemResult:
        return ItemResult(claim.claim_id, False, "Walmart's API offers no rejection of a return (only "
                                                 "POST /v3/returns/{id}/refund); dispute it in Seller Center")


def _visible(spec: dict[str, Any], category: str) -> dict[str, Any]:
    """The JSON Schema of ``Visible.<category>`` in a Get Spec answer (found wherever it is nested)."""
    stack = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict) and "Visible" in props:
                found = ((props["Visible"].get("properties") or {}).get(category))
                if isinstance(found, dict):
                    return found
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(node)
    raise RequestRejected(f"Walmart's item spec has no Visible.{category}: " + error_text(spec)[:200])
