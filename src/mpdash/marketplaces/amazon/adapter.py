"""Amazon's adapter: stock and prices as listings PATCHes (one by one, or a JSON_LISTINGS_FEED),
orders from Orders v0 into our records, and shipments back with confirmShipment.

Listings are keyed by our sku (SellerSKU). A feed's processing report names messages by
``messageId``: message *n* is the *n*-th record sent, so the report maps back to each sku.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from ..base import (
    BatchStatus,
    ItemResult,
    MarketplaceAdapter,
    OrderUpdate,
    Page,
    PriceRecord,
    RemoteAddress,
    RemoteCancellation,
    RemoteOrder,
    RemoteOrderLine,
    StockRecord,
    Submission,
)
from ..errors import Action, ConfigError, MarketplaceError, RateLimited, RequestRejected, TransientError
from ..http import DEFAULT_TIMEOUT
from ..kit import BatchSending, ConfigReader, SentMemory, to_decimal, wire_amount
from . import catalog, inbound
from .client import _ALL_BUDGETS, AmazonClient
from .config import (
    AWS_REGIONS,
    BUDGETS,
    BATCH_SIZES,
    FEED_CANCELLED,
    FEED_DONE,
    FEED_FINISHED,
    FEED_MAX_BYTES,
    FEED_MAX_MESSAGES,
    FLOWS,
    FULFILLMENT_CHANNEL,
    LWA_TOKEN_URL,
    MARKETPLACES,
    OFFER_PRODUCT_TYPE,
    ORDER_STATUSES_CANCELLED,
    ORDER_STATUSES_IN,
    PATCH_AT_MOST,
    PATCH_WHILE_FEEDS_WAIT,
    REGION_HOSTS,
    RETURNS_REPORT,
    SCHEMA,
)
from .models import ListingsSubmission, Order, ProcessingReport, parse_answer

logger = logging.getLogger("mpdash.marketplaces.amazon")

# Amazon's order status -> ours. InvoiceUnconfirmed: shipped, the invoice not yet confirmed.
ORDER_STATUS = {"Pending": "created", "PendingAvailability": "created", "Unshipped": "created",
                "PartiallyShipped": "picking", "Shipped": "shipped", "InvoiceUnconfirmed": "shipped",
                "Canceled": "cancelled", "Unfulfillable": "cancelled"}
# LastUpdatedBefore must be at least two minutes before the request (Orders v0). The window's
# end is pulled back by that much; the flow's next window starts 10 minutes before its cursor.
ORDERS_SETTLE = timedelta(minutes=2)
# getOrderItems' bucket bursts to 30: a page of 20 orders (or returns) reads all its items within the burst.
ORDERS_PER_PAGE = CLAIMS_PER_PAGE = 20


def region_of(value: str) -> str:
    """NA / EU / FE from the channel's ``region`` (the seed stores the AWS name, eu-west-1)."""
    text = str(value or "").strip()
    region = AWS_REGIONS.get(text.lower(), text.upper())
    if region not in REGION_HOSTS:
        raise ConfigError(f"Amazon channel config: region {value!r} is not NA, EU or FE (or us-east-1, eu-west-1, "
                          "us-west-2)")
    return region


def _amazon_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_parse_time, _amount, _address = inbound.parse_time, inbound.money, inbound.address


class AmazonAdapter(BatchSending, MarketplaceAdapter):
    name = "amazon"
    label = "Amazon"
    flows = FLOWS
    schema = SCHEMA
    batch_sizes = BATCH_SIZES
    batch_unit = "feed"
    max_request_bytes = FEED_MAX_BYTES
    max_order_window_hours = 24
    orders_page_size = ORDERS_PER_PAGE
    patch_at_most = PATCH_AT_MOST
    patch_while_feeds_wait = PATCH_WHILE_FEEDS_WAIT
    report_wait = 20.0  # seconds a run waits for a report Amazon prepares; then it is read next run

    def __init__(self, config: dict[str, Any], *, transport: httpx.BaseTransport | None = None,
                 budgets: Any = _ALL_BUDGETS, timeout: httpx.Timeout | float | None = None, token_store=None):
        super().__init__(config, transport=transport, timeout=timeout)
        read = ConfigReader(self.config, "Amazon")
        self.region = region_of(read.required("region"))
        self.marketplace_id = read.required("marketplace_id")
        known = MARKETPLACES.get(self.marketplace_id)
        if known and known[0] != self.region:
            raise ConfigError(f"Amazon channel config: marketplace_id {self.marketplace_id} ({known[1]}) is served "
                              f"from the {known[0]} region, not {self.region}; set region to {known[0]}")
        self.country, self.currency, self.language = (known[1], known[2], known[3]) if known else ("", "", "en_US")
        self.seller_id = read.required("seller_id")
        self.client = AmazonClient(
            read.text("base_url") or REGION_HOSTS[self.region], token_url=read.text("token_url") or LWA_TOKEN_URL,
            client_id=read.required("client_id"), client_secret=read.required("client_secret"),
            refresh_token=read.required("refresh_token"), seller_id=self.seller_id,
            marketplace_id=self.marketplace_id, budgets=budgets, transport=transport, token_store=token_store,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        )
        self._buffer_stock = read.whole("buffer_stock", default=0) or 0
        self.delete_listing = read.flag("delete_listing")
        self.validation_preview = self.config.get("validation_preview") in (None, "") or read.flag("validation_preview")
        self.sent_batches = SentMemory(1000)  # feed id -> skus by message (when the flow gives none)
        self._claims: dict[datetime, list] = {}  # this run's returns report, read page by page

    def close(self) -> None:
        self.client.close()

    # --- what a PATCH says --------------------------------------------------------------
    def stock_to_send(self, quantity: int) -> int:
        return max(0, int(quantity) - self._buffer_stock)

    @staticmethod
    def _sku(record) -> str:
        """Listings are keyed by the seller's SKU (ours); remote_sku holds the ASIN, which is not a key here."""
        return str(record.sku).strip()

    def _stock_patches(self, record: StockRecord, quantity: int | None = None) -> list[dict[str, Any]]:
        value = [{"fulfillment_channel_code": FULFILLMENT_CHANNEL,
                  "quantity": self.stock_to_send(record.quantity) if quantity is None else quantity}]
        return [{"op": "replace", "path": "/attributes/fulfillment_availability", "value": value}]

    def _price_patches(self, record: PriceRecord) -> list[dict[str, Any]]:
        currency = self.currency or record.currency
        offer: dict[str, Any] = {"marketplace_id": self.marketplace_id, "currency": currency,
                                 "our_price": [{"schedule": [{"value_with_tax": wire_amount(record.price)}]}]}
        # The price paid is our_price; a list price (strike-through) is not sent [UNVERIFIED: list_price
        # is its own attribute in product type definitions and varies by product type].
        return [{"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]}]

    @staticmethod
    def _product_type(record) -> str:
        extra = getattr(record, "extra", None) or {}
        return str(extra.get("product_type") or OFFER_PRODUCT_TYPE)

    def patch_body(self, record, patches: list[dict[str, Any]]) -> dict[str, Any]:
        """The patchListingsItem body (ListingsItemPatchRequest)."""
        return {"productType": self._product_type(record), "patches": patches}

    def feed(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """A JSON_LISTINGS_FEED document (listings-feed-schema-v2) around ``messages``."""
        return {"header": {"sellerId": self.seller_id, "version": "2.0", "issueLocale": self.language},
                "messages": messages}

    # --- sending ----------------------------------------------------------------------------
    def _send(self, kind: str, records: list, message_of) -> Submission:
        """``message_of(record)``: the record's feed message without its messageId. By count and
        budget (see PATCH_AT_MOST): a handful one by one, more in one feed, and while the feed
        budgets have no slot, up to ``patch_while_feeds_wait`` one by one all the same."""
        kept, items, sent = self.prepare_batch(kind, records, message_of)
        if not items:
            return Submission(remote_id=None, sent={}, results=[])
        if len(items) <= self.patch_at_most:
            return self._one_by_one(kept, items, sent)
        try:
            self.client.take("createFeed")  # before anything is uploaded
        except RateLimited:
            if len(items) <= self.patch_while_feeds_wait:
                return self._one_by_one(kept, items, sent)
            raise
        with self.client.prepaid("createFeed"):
            return self._send_feed(items, sent)

    def _one_by_one(self, records: list, items: list[dict[str, Any]], sent: dict) -> Submission:
        """One patchListingsItem (or deleteListingsItem) each. Up to the bucket's burst, its slots
        are taken for all of them first, so that a busy bucket delays the whole request before
        anything is sent; beyond it each call waits for its own slot. A 429 half-way raises
        RateLimited and the request is sent again later (a PATCH replacing a value with the
        same value changes nothing; a listing deleted already is reported as such)."""
        operation = "deleteListingsItem" if items[0]["operationType"] == "DELETE" else "patchListingsItem"
        burst = BUDGETS[operation].burst
        with self.client.slots(operation, len(items)) if len(items) <= burst else nullcontext():
            results = self._calls(records, items)
        return Submission(remote_id=None, sent=sent, results=results, exchange=self.client.last_exchange())

    def _call_one(self, item: dict[str, Any]):
        if item["operationType"] == "DELETE":
            try:
                return self.client.delete_listing(item["sku"])
            except RequestRejected as exc:
                if exc.status_code == 404:  # gone already: what a delete wants
                    return ListingsSubmission(sku=item["sku"], status="ACCEPTED")
                raise
        return self.client.patch_listing(item["sku"], {"productType": item["productType"], "patches": item["patches"]})

    def _calls(self, records: list, items: list[dict[str, Any]]) -> list[ItemResult]:
        results: list[ItemResult] = []
        for record, item in zip(records, items):
            try:
                answer = self._call_one(item)
            except MarketplaceError as exc:
                # Nothing sent yet, or a wait: the whole request goes again (no penalty).
                if not results or exc.action is Action.RETRY_LATER:
                    raise
                # Half-way through: the calls already made are results; the others fail
                # with the reason, as a failed request would (never sent twice).
                results += [ItemResult(r.sku, False, f"not sent: {exc}") for r in records[len(results):]]
                break
            errors = [i for i in answer.issues if i.severity == "ERROR"]
            text = "; ".join(f"{i.code} {i.message}" + (f" ({', '.join(i.attribute_names)})"
                                                        if i.attribute_names else "") for i in answer.issues)
            ok = answer.status == "ACCEPTED" and not errors
            results.append(ItemResult(record.sku, ok, text if (text or ok) else f"Amazon answered {answer.status}",
                                      answer.model_dump(by_alias=True)))
        return results

    def _send_feed(self, items: list[dict[str, Any]], sent: dict) -> Submission:
        messages = [{"messageId": n, **item} for n, item in enumerate(items, start=1)]
        content = json.dumps(self.feed(messages), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(content) > FEED_MAX_BYTES:
            raise ValueError(f"the feed is {len(content)} bytes; Amazon takes at most {FEED_MAX_BYTES} (10 MiB): "
                             "send fewer records at once")
        document = self.client.create_feed_document()
        self.client.upload(document.url, content)
        feed_id = self.client.create_feed(document.feed_document_id)
        self.sent_batches.remember(feed_id, list(sent))
        return Submission(remote_id=feed_id, sent=sent, exchange=self.client.last_exchange())

    def _patch(self, record, patches: list[dict[str, Any]]) -> dict[str, Any]:
        return {"sku": self._sku(record), "operationType": "PATCH", "productType": self._product_type(record),
                "patches": patches}

    def send_stock(self, records: list[StockRecord]) -> Submission:
        """fulfillment_availability (quantity after the buffer stock) per sku."""
        return self._send("productstock", records, lambda r: self._patch(r, self._stock_patches(r)))

    def send_prices(self, records: list[PriceRecord]) -> Submission:
        """purchasable_offer (our_price in the marketplace's currency) per sku."""
        return self._send("productprice", records, lambda r: self._patch(r, self._price_patches(r)))

    def delete_products(self, records: list[StockRecord]) -> Submission:
        """The seed's "delete product": stock to zero (the listing stays, not buyable); with the
        channel's ``delete_listing`` on, the listing itself goes (deleteListingsItem, or DELETE
        messages in a feed for more than a handful)."""
        if self.delete_listing:
            return self._send("product_delete", records, lambda r: {"sku": self._sku(r), "operationType": "DELETE"})
        return self._send("product_delete", records, lambda r: self._patch(r, self._stock_patches(r, 0)))

    # --- feed results -------------------------------------------------------------------------
    def poll(self, kind: str, remote_id: str, skus: list[str] | None = None) -> BatchStatus:
        """getFeed; once DONE (or FATAL with a report), each message's issues from the processing report."""
        def finished(answer) -> bool:
            return answer.processing_status in FEED_FINISHED

        def results(answer, memo) -> list[ItemResult] | str:
            order = list(skus or memo or [])
            if answer.processing_status == FEED_CANCELLED:
                return f"Amazon cancelled feed {remote_id}"
            if not answer.result_feed_document_id:
                return f"feed {remote_id} ended {answer.processing_status} without a processing report"
            report = self.client.feed_report(answer.result_feed_document_id)
            if answer.processing_status != FEED_DONE:
                whole = [i.get("message", "") for i in report.get("issues") or [] if not i.get("messageId")]
                if whole or not report.get("issues"):
                    return f"Amazon refused feed {remote_id} ({answer.processing_status}): " + (
                        "; ".join(whole) or "no reason given")
            return self.report_results(report, order)

        return self.poll_batch(remote_id, self.client, lambda: self.client.get_feed(remote_id), finished, results)

    def report_results(self, data: dict[str, Any], skus: list[str]) -> list[ItemResult] | str:
        """One result per message of the feed from its processing report: a message with an
        ERROR issue failed (its issues are the reason), the others were accepted (warnings kept)."""
        report = parse_answer(ProcessingReport, data, "the feed's processing report")
        by_message: dict[int, list] = {}
        for issue in report.issues:
            by_message.setdefault(issue.message_id, []).append(issue)
        if not skus:  # without the order sent, the report's own sku fields
            skus = [issues[0].sku for _, issues in sorted(by_message.items())]
        out = []
        for n, sku in enumerate(skus, start=1):
            issues = by_message.get(n, [])
            ok = not any(i.severity == "ERROR" for i in issues)
            text = "; ".join(f"{i.severity} {i.code}: {i.message}" + (f" [{i.attribute_name}]" if i.attribute_name
                                                                       else "") for i in issues)
            out.append(ItemResult(sku, ok, text, [i.model_dump(by_alias=True) for i in issues] or None))
        return out

    # --- catalog ------------------------------------------------------------------------------
    @classmethod
    def default_attributes(cls):
        return catalog.DEFAULTS

    def fetch_categories(self, root_ids: list[str]):
        """Product types found by the channel's category_ids as search keywords (flat: all leaves)."""
        seen = set()
        for keyword in root_ids or [""]:
            for entry in self.client.search_product_types(str(keyword)):
                if entry.get("name") and entry["name"] not in seen:
                    seen.add(entry["name"])
                    yield catalog.product_type_category(entry)

    def fetch_attributes(self, category_id: str):
        return catalog.schema_attributes(self.client.product_type_schema(category_id, self.language))

    def build_product_payload(self, record, *, update: bool = False) -> dict[str, Any]:
        stock = record.fields.get("stock")
        return catalog.put_body(record, self.marketplace_id, self.language, self.currency or "USD",
                                None if stock is None else self.stock_to_send(int(stock)))

    def preview_problems(self, record) -> list[str]:
        """The payload preview's errors: Amazon's own (putListingsItem mode=VALIDATION_PREVIEW,
        nothing saved) where the channel allows it, else the product type's schema checked here."""
        body = self.build_product_payload(record)
        if not self.validation_preview:
            return catalog.schema_problems(body, self.client.product_type_schema(record.category_id, self.language))
        answer = self.client.put_listing(record.sku, body, preview=True)
        return [f"ERROR {i.code}: {i.message}" for i in answer.issues if i.severity == "ERROR"]

    def send_products(self, records, *, update: bool = False) -> Submission:
        """putListingsItem per product (create and full update alike): ACCEPTED waits for Amazon's
        processing (tracked by getListingsItem), INVALID is rejected with its issues."""
        results, sent = [], {}
        bodies = [(record, self.build_product_payload(record, update=update)) for record in records]
        with self.client.slots("putListingsItem", len(bodies)):
            answers = [(record, body, self.client.put_listing(record.sku, body)) for record, body in bodies]
        for record, body, answer in answers:
            sent[record.sku] = body
            issues = [f"{i.severity} {i.code}: {i.message}" + (f" ({', '.join(i.attribute_names)})"
                                                               if i.attribute_names else "") for i in answer.issues]
            ok = answer.status == "ACCEPTED"
            results.append(ItemResult(record.sku, ok, "; ".join(issues) or ("accepted; Amazon is processing it"
                                                                             if ok else answer.status),
                                      answer.model_dump(by_alias=True), state="pending_approval" if ok else "rejected"))
        return Submission(remote_id=None, sent=sent, results=results, exchange=self.client.last_exchange())

    def product_statuses(self, skus: list[str]):
        return {sku: catalog.listing_status(sku, self.client.find_listing(sku)) for sku in skus}

    # --- orders in ----------------------------------------------------------------------------
    def _orders(self, start: datetime, end: datetime, token: str | None, statuses: tuple[str, ...]) -> tuple:
        end = min(end, datetime.now(UTC) - ORDERS_SETTLE)
        if token is None and end <= start:
            return [], None
        page = self.client.get_orders(_amazon_time(start), _amazon_time(end), statuses, token, self.orders_page_size).payload
        return page.orders, page.next_token

    def list_orders(self, start, end, token=None) -> Page:
        """Orders changed in the window in the seed's statuses, with their items."""
        orders, next_token = self._orders(start, end, token, ORDER_STATUSES_IN)
        return Page([self.remote_order(order) for order in orders], next_token)

    def list_updated_orders(self, start, end, token=None) -> Page:
        """Shipped orders changed in the window, from Orders 2026-01-01 (v0 knows no delivery):
        delivered once every package is DELIVERED, else shipped, with the last package's tracking
        [UNVERIFIED: that a carrier's delivery scan moves the order's lastUpdatedTime]."""
        end = min(end, datetime.now(UTC) - ORDERS_SETTLE)
        if token is None and end <= start:
            return Page([], None)
        page = self.client.search_orders(_amazon_time(start), _amazon_time(end), ("SHIPPED",), token,
                                         self.orders_page_size)
        return Page([inbound.remote_order(o, self.currency or "USD") for o in page.orders],
                    page.pagination.next_token if page.pagination else None)

    def list_cancellations(self, start, end, token=None) -> Page:
        """Orders Canceled in the window: the whole order (Amazon cancels orders, not lines)."""
        orders, next_token = self._orders(start, end, token, ORDER_STATUSES_CANCELLED)
        return Page([RemoteCancellation(package_id=o.order_id, order_number=o.order_id, line_ids=[],
                                        reason_text="Canceled on Amazon", cancelled_at=_parse_time(o.last_update_date),
                                        raw=o.model_dump(by_alias=True)) for o in orders], next_token)

    def remote_order(self, order: Order) -> RemoteOrder:
        items, token = [], None
        while True:
            page = self.client.get_order_items(order.order_id, token).payload
            items += page.items
            token = page.next_token
            if not token:
                break
        lines = []
        for item in items:
            total = _amount(item.item_price)
            quantity = max(1, item.quantity)
            discount = _amount(item.promotion_discount)
            lines.append(RemoteOrderLine(line_id=item.order_item_id, sku=item.sku, quantity=item.quantity,
                                         price=((total - discount) / quantity).quantize(Decimal("0.01")),
                                         list_price=(total / quantity).quantize(Decimal("0.01")), discount=discount,
                                         remote_sku=item.asin or None, name=item.title, status=order.status))
        email = order.buyer.email if order.buyer else ""
        address = _address(order.shipping_address, email)
        name = order.buyer.name if order.buyer and order.buyer.name else (order.shipping_address.name
                                                                          if order.shipping_address else "")
        currency = (order.total.currency_code if order.total else "") or self.currency or "USD"
        return RemoteOrder(
            package_id=order.order_id, order_number=order.order_id, status=ORDER_STATUS.get(order.status, "created"),
            placed_at=_parse_time(order.purchase_date), modified_at=_parse_time(order.last_update_date),
            currency=currency, amount=_amount(order.total), discount=sum((ln.discount for ln in lines), Decimal("0")),
            shipping_amount=sum((_amount(i.shipping_price) for i in items), Decimal("0")), lines=lines,
            customer_name=name, customer_email=email, customer_phone=address.phone if address else "",
            shipping_address=address, billing_address=address,
            micro_export=bool(address and address.country != "TR"),
            raw={"order": order.model_dump(by_alias=True), "items": [i.model_dump(by_alias=True) for i in items]},
        )

    def list_claims(self, start, end, token=None) -> Page:
        """Returns requested in the window, from the Reports API's returns report: one claim per
        return (Amazon RMA id), its lines matched to the order's items by SKU (getOrderItems), 20
        claims a page so that a page stays within getOrderItems' burst of 30. Amazon takes a while
        to prepare a report: a run waits ``report_wait`` seconds, then says when to read it again
        (RateLimited), and the next run finds the same report by its start time."""
        if token is None or start not in self._claims:
            text = self._report(RETURNS_REPORT, start, min(end, datetime.now(UTC)))
            self._claims = {start: inbound.returns_claims(text)}
        claims, offset = self._claims[start], token or 0
        page = claims[offset:offset + CLAIMS_PER_PAGE]
        items: dict[str, dict[str, str]] = {}
        for claim in page:
            if claim.package_id not in items:
                found = self.client.get_order_items(claim.package_id).payload.items
                items[claim.package_id] = {i.sku: i.order_item_id for i in found}
            for line in claim.lines:
                line.line_id = items[claim.package_id].get(line.sku, line.sku)
        more = offset + CLAIMS_PER_PAGE < len(claims)
        return Page(page, offset + CLAIMS_PER_PAGE if more else None)

    def _report(self, report_type: str, start: datetime, end: datetime) -> str:
        """The text of a report of ``report_type`` from ``start``: one requested within the last
        hour for the same start (a run before this one asked for it), or a new one. Claims are
        stored once by id, so a report ending a little before ``end`` loses nothing the
        flow's 24-hour re-read does not bring back."""
        since = _amazon_time(datetime.now(UTC) - timedelta(hours=1))
        report = next((r for r in self.client.find_reports(report_type, since)
                       if r.data_start_time and _parse_time(r.data_start_time) == start.replace(microsecond=0)), None)
        if report is None:
            report = self.client.get_report(self.client.create_report(report_type, _amazon_time(start),
                                                                       _amazon_time(end)))
        waited = time.monotonic() + self.report_wait
        while report.processing_status in ("IN_QUEUE", "IN_PROGRESS") and time.monotonic() < waited:
            time.sleep(1.0)
            report = self.client.get_report(report.report_id)
        if report.processing_status == "DONE" and report.document_id:
            return self.client.report_text(report.document_id)
        if report.processing_status == "CANCELLED":  # Amazon cancels a report that has no data
            return ""
        if report.processing_status == "FATAL":
            raise TransientError(f"Amazon could not prepare {report_type} report {report.report_id} (FATAL)")
        raise RateLimited(f"Amazon is still preparing {report_type} report {report.report_id}; read again in 60 s",
                          retry_after=60.0)

    # --- reconciliation -----------------------------------------------------------------------
    def list_listings(self):
        """Every listing of the seller (searchListingsItems, 20 a page): price, merchant-fulfilled
        stock, and on sale when BUYABLE."""
        token = None
        while True:
            page = self.client.search_listings(token)
            for item in page.items:
                yield catalog.listing(item)
            token = page.pagination.next_token if page.pagination else None
            if not token:
                return

    # --- orders out ---------------------------------------------------------------------------
    def shipment_body(self, update: OrderUpdate) -> dict[str, Any]:
        """confirmShipment's body for one package. packageReferenceId must be a positive number
        unique within the order: derived from the tracking number, so a resent package is the same one."""
        reference = int(hashlib.sha256(update.tracking_number.encode()).hexdigest()[:8], 16) % 10**9 + 1
        return {"marketplaceId": self.marketplace_id, "packageDetail": {
            "packageReferenceId": str(reference), "carrierCode": update.cargo_company or "Other",
            "carrierName": update.cargo_company or "Other", "trackingNumber": update.tracking_number,
            "shipDate": _amazon_time(datetime.now(UTC)),
            "orderItems": [{"orderItemId": line_id, "quantity": quantity} for line_id, quantity in update.line_ids]}}

    def send_order_update(self, update: OrderUpdate) -> ItemResult:
        """Shipped: confirmShipment with carrier, tracking and the package's items (a split
        shipment is one call per package). Amazon has no picking or invoiced step to report."""
        if update.status != "shipped":
            return ItemResult(update.package_id, True, f"Amazon has no {update.status} step; nothing sent")
        if not update.tracking_number or not update.line_ids:
            return ItemResult(update.package_id, False, "confirmShipment needs a tracking number and the package's "
                              "lines; set the package's tracking number")
        # The order first: one the buyer cancelled meanwhile is reported, not shipped; one shipped
        # already (a confirmation whose answer was lost) is done.
        status = self.client.get_order(update.package_id).status
        if status in ("Shipped", "InvoiceUnconfirmed"):
            return ItemResult(update.package_id, True, f"Amazon shows the order {status} already")
        if status not in ("Unshipped", "PartiallyShipped"):
            return ItemResult(update.package_id, False, f"Amazon shows the order {status}; it cannot be shipped")
        try:
            self.client.confirm_shipment(update.package_id, self.shipment_body(update))
        except RequestRejected as exc:
            return ItemResult(update.package_id, False, str(exc))
        return ItemResult(update.package_id, True, "shipment confirmed", self.client.last_exchange())
