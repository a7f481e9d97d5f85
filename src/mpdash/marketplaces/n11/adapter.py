"""N11's adapter: our stock, prices and products to N11's tasks and back; N11's shipment
packages to our order records, and our order updates back.

Products are keyed by ``stockCode`` (our sku). Every product write is a task answered with a
task id; ``poll()`` reads its per-sku outcome (SUCCESS or REJECT with reasons). Packages are
read one status per request, in windows of at most a month, pages from 0.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
import re
from typing import Any

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
from ..errors import ConfigError, RequestRejected
from ..http import DEFAULT_TIMEOUT
from ..kit import (
    BatchSending,
    Chunk,
    ConfigReader,
    SentMemory,
    StagedWalker,
    each_record,
    epoch_ms,
    from_ms,
    ms_window,
    to_decimal,
    wire_amount,
)
from ..ratelimit import CallBudget
from . import soap
from .client import N11Client, seller_budget
from .config import (
    BATCH_SIZES,
    CANCEL_REASON_TYPES,
    CURRENCY,
    DENY_REASONS,
    FLOWS,
    MAX_IMAGES,
    MAX_ORDER_PAGE_SIZE,
    ORDER_WINDOW_DAYS,
    PENDING_APPROVAL_TEXT,
    PRODUCT_PAGE_SIZE,
    SCHEMA,
    SELLER_CODE_CLASH,
    SKU_SUCCESS,
    TASK_DONE,
)
from .models import Address, Package, Product

logger = logging.getLogger("mpdash.marketplaces.n11")

_USE_SHARED_BUDGET: Any = object()
_CENT = Decimal("0.01")
_TOKEN = "n11"

ORDER_STATUS = {"Created": "created", "Picking": "picking", "Shipped": "shipped", "UnDelivered": "shipped",
                "Delivered": "delivered", "Cancelled": "cancelled", "UnSupplied": "cancelled", "Returned": "returned",
                "UnPacked": "unpacked"}
# N11's claim statuses (ClaimCancelList, ClaimReturnList) -> RemoteClaim statuses [3rd-party].
CLAIM_STATUS = {"REQUESTED": "waiting_action", "APPROVAL_WAITING": "waiting_action", "PENDING": "waiting_action",
                "PENDED": "waiting_action", "COMPLETED": "accepted", "APPROVED": "accepted", "MANUAL_REFUND": "accepted",
                "DENIED": "rejected", "REJECT": "rejected", "RETRACTED": "cancelled", "CANCELLED": "cancelled"}
_CLASH = re.compile(re.escape(SELLER_CODE_CLASH).replace(re.escape("{code}"), r"(\S+)"), re.I)
TURKEY = timezone(timedelta(hours=3))  # N11's SOAP dates are Turkish local time [UNVERIFIED]
# N11's product status -> our product state. [UNVERIFIED] the status names of product-query.
PRODUCT_STATE = {"Active": ON_SALE, "Suspended": ON_SALE, "WaitingForApproval": PENDING_APPROVAL,
                 "Rejected": REJECTED}


def _address(address: Address | None, email: str) -> RemoteAddress | None:
    if address is None:
        return None
    first, _, last = (address.full_name or "").partition(" ")
    return RemoteAddress(first_name=first, last_name=last, line=address.address or "", city=address.city or "",
                         township=address.district or "", district=address.neighborhood or "",
                         neighbourhood=address.neighborhood or "", postcode=address.postal_code or "",
                         phone=address.gsm or "", email=email, tax_office=address.tax_house or "",
                         tax_number=address.tax_id or "", identity_number=address.tc_id or "")


class N11Adapter(BatchSending, MarketplaceAdapter):
    name = "n11"
    label = "N11"
    flows = FLOWS
    schema = SCHEMA
    batch_sizes = BATCH_SIZES
    batch_unit = "task"
    max_images = MAX_IMAGES
    max_order_window_hours = 24 * ORDER_WINDOW_DAYS
    orders_page_size = MAX_ORDER_PAGE_SIZE
    # Picking too: the new packages of a split arrive Picking, and become orders of their own
    # (the old one, UnPacked, is cancelled through get_cancel_orders), as the seed's flows do.
    order_statuses = ("Created", "Picking")
    updated_order_statuses = ("Shipped", "UnDelivered", "Delivered", "Returned")
    cancellation_statuses = ("Cancelled", "UnSupplied", "UnPacked")
    lookup_one_by_one = 25  # more products are found by one pass over product-query
    # UnSupplied and UnPacked packages are cancelled here with the seed's own reason keys.
    cancellation_reason_keys = {"UnSupplied": "unsupplied_reason_id", "UnPacked": "unpacked_reason_id"}
    # The seed's windows: updated orders 15 days back, cancellations 24 hours (SPEC §4).
    inbound_floor_hours = {"get_updated_orders": 24 * 15, "get_cancel_orders": 24}

    def __init__(self, config: dict[str, Any], *, transport: httpx.BaseTransport | None = None,
                 budget: CallBudget | None = _USE_SHARED_BUDGET, timeout: httpx.Timeout | float | None = None):
        super().__init__(config, transport=transport, timeout=timeout)
        read = ConfigReader(self.config, "N11")
        app_key = read.required("app_key")
        self.client = N11Client(
            read.required("base_url"), app_key=app_key, app_secret=read.required("app_secret"),
            budget=seller_budget(app_key) if budget is _USE_SHARED_BUDGET else budget,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout, transport=transport,
        )
        self._buffer_stock = read.whole("buffer_stock", default=0) or 0
        self._preparing_day = read.whole("preparing_day", default=3, minimum=0)
        self._cancel_reason = read.get("send_cancel_reason_id") or 65
        self._oms_enabled = read.flag("oms_enabled")
        self._discounts = read.flag("get_discount_amount")
        self._own_carrier = read.flag("send_shipping_info")
        self._deny_reason = read.get("deny_reason_id")
        self._cargo_company = read.whole("cargo_company_id", minimum=1)
        self._excluded_cargo = {str(x).strip() for x in read.get("exclude_cargo_company_ids") or [] if str(x).strip()}
        # stockCode -> our sku of each task sent: N11's task answer names stock codes only.
        self.sent_batches = SentMemory(1000)

    # --- stock and prices -------------------------------------------------------------
    @staticmethod
    def _code(record: StockRecord | PriceRecord) -> str:
        return str(record.remote_sku or record.sku).strip()

    def stock_to_send(self, quantity: int) -> int:
        return max(0, int(quantity) - self._buffer_stock)

    def _price_stock(self, kind: str, records, item_of) -> Submission:
        kept, items, sent = self.prepare_batch(kind, records, item_of, key=self._code)
        return self.submit(self.client.update_price_stock, items, sent, self.client,
                           memo={self._code(r): r.sku for r in kept})

    def send_stock(self, records: list[StockRecord]) -> Submission:
        """One price-stock-update task with quantities only (prices left untouched)."""
        return self._price_stock("productstock", records, lambda r: {
            "stockCode": self._code(r), "quantity": self.stock_to_send(r.quantity), "currencyType": CURRENCY})

    def send_prices(self, records: list[PriceRecord]) -> Submission:
        """One price-stock-update task with list and sale price together (the sale price as
        list price when there is none); N11 rejects a sku whose list price is below its sale price."""
        return self._price_stock("productprice", records, lambda r: {
            "stockCode": self._code(r), "listPrice": wire_amount(r.price if r.list_price is None else r.list_price),
            "salePrice": wire_amount(r.price), "currencyType": CURRENCY})

    def delete_products(self, records: list[StockRecord]) -> Submission:
        """Stock 0 through price-stock-update (the seed's send_delete_products)."""
        return self._price_stock("product_delete", records, lambda r: {
            "stockCode": self._code(r), "quantity": 0, "currencyType": CURRENCY})

    def poll(self, kind: str, remote_id: str, skus: list[str] | None = None) -> BatchStatus:
        """Where a task stands; once PROCESSED, one result per sku (all pages of task-details)."""
        def results(details, memo) -> list[ItemResult] | str:
            entries = list(details.skus.content)
            for page in range(1, details.skus.total_pages):
                entries += self.client.get_task(remote_id, page).skus.content
            if not entries:
                return f"N11 processed task {remote_id} without sku results"
            sku_of = memo or {}
            return [self._result(kind, entry, sku_of.get(entry.item_code, entry.item_code)) for entry in entries]

        return self.poll_batch(remote_id, self.client, lambda: self.client.get_task(remote_id),
                               lambda details: details.status == TASK_DONE, results)

    @staticmethod
    def _result(kind: str, entry, sku: str) -> ItemResult:
        ok = entry.status == SKU_SUCCESS
        answer = entry.model_dump(by_alias=True)
        reasons = "; ".join(entry.reasons) or f"N11 marked the sku {entry.status or 'REJECT'} without a reason"
        if kind != "product":
            return ItemResult(sku, ok, "" if ok else reasons, answer)
        pending = any("onay" in r.lower() or "approval" in r.lower() for r in entry.reasons)
        if not ok and not pending:
            return ItemResult(sku, False, reasons, answer, state=REJECTED)
        text = PENDING_APPROVAL_TEXT if pending else "accepted; N11 checks the product before it goes on sale"
        return ItemResult(sku, True, text, answer, state=PENDING_APPROVAL, remote_sku=entry.item_code)

    def clashing_seller_code(self, reasons: list[str]) -> str | None:
        """The seller code of the seed's "listed with XXXX seller code on your side" refusal."""
        return next((m.group(1) for m in map(_CLASH.search, map(str, reasons)) if m), None)

    def delete_seller_code(self, code: str) -> ItemResult:
        try:
            self.client.delete_by_seller_code(code)
        except RequestRejected as refused:
            return ItemResult(code, False, str(refused), remote_sku=code)
        return ItemResult(code, True, f"seller code {code} deleted on N11; the product is sent again", remote_sku=code)

    def _all_products(self) -> Iterator[Product]:
        page = 0
        while True:
            answer = self.client.get_products(page, PRODUCT_PAGE_SIZE)
            yield from answer.content
            page += 1
            if not answer.content or page >= answer.total_pages:
                return

    def list_listings(self) -> Iterator[Listing]:
        for product in self._all_products():
            yield Listing(sku=product.stock_code, remote_sku=product.stock_code, price=product.sale_price,
                          stock=product.quantity, on_sale=product.status == "Active")

    # --- catalog side ---------------------------------------------------------------------
    @classmethod
    def default_attributes(cls) -> tuple[DefaultAttribute, ...]:
        return (
            DefaultAttribute("title", "Title", source="name"),
            DefaultAttribute("description", "Description", source="description"),
            DefaultAttribute("barcode", "Barcode", source="attributes.barcode"),
            DefaultAttribute("productMainId", "Model code (productMainId)", source="base_code"),
            DefaultAttribute("stockCode", "Stock code", source="sku"),
            DefaultAttribute("images", "Images", data_type="list", source="images"),
            DefaultAttribute("listPrice", "List price", data_type="number", source="list_price"),
            DefaultAttribute("salePrice", "Sale price", data_type="number", source="price"),
            DefaultAttribute("quantity", "Stock", data_type="number", source="stock"),
            DefaultAttribute("vatRate", "VAT rate", data_type="number", source="tax_rate"),
            DefaultAttribute("shipmentTemplate", "Shipment template", required=False),
            DefaultAttribute("preparingDay", "Preparing day", required=False, data_type="number"),
        )

    def fetch_categories(self, root_ids: list[str]) -> Iterator[RemoteCategory]:
        """Every node under the given roots (the whole tree when empty), parents first; one call."""
        tree = self.client.get_categories()
        index, parents = {}, {}
        stack = list(tree)
        while stack:
            node = stack.pop()
            index[node.id] = node
            for child in node.sub_categories:
                parents[child.id] = node.id
            stack.extend(node.sub_categories)
        roots = []
        for raw in root_ids or []:
            text = str(raw).strip()
            if not text.isdigit() or int(text) not in index:
                top = ", ".join(f"{c.id} {c.name}" for c in tree[:12])
                raise ConfigError(f"N11 channel config: category_ids holds {raw!r}, which is not in N11's category "
                                  f"tree; use ids from the tree (top level: {top})")
            roots.append(index[int(text)])
        seen: set[int] = set()
        for root in roots or tree:
            stack = [root]
            while stack:
                node = stack.pop()
                if node.id in seen:
                    continue
                seen.add(node.id)
                parent = parents.get(node.id)
                yield RemoteCategory(str(node.id), node.name, None if parent is None else str(parent),
                                     is_leaf=not node.sub_categories)
                stack.extend(reversed(node.sub_categories))

    def fetch_attributes(self, category_id: str) -> list[RemoteAttribute]:
        answer = self.client.get_category_attributes(category_id)
        return [RemoteAttribute(
            remote_id=str(a.attribute_id), name=a.attribute_name, required=a.mandatory, variant=a.variant,
            slicer=a.slicer, allow_custom=a.custom_value, multi_value=a.multiple,
            data_type="enum" if a.values else "text", values=[AttributeValue(str(v.id), v.value) for v in a.values],
        ) for a in answer.category_attributes]

    def check_product(self, record: ProductRecord) -> list[str]:
        fields = record.fields or {}
        problems = []
        for key, hint in (("title", "name"), ("description", "description"), ("productMainId", "base_code"),
                          ("barcode", "attributes.barcode")):
            if not str(fields.get(key) or "").strip():
                problems.append(f"`{key}` is required (source: {hint})")
        sale, list_price = to_decimal(fields.get("salePrice")), to_decimal(fields.get("listPrice"))
        if sale is None or sale <= 0:
            problems.append("Price data not found")
        elif list_price is not None and list_price < sale:
            problems.append(f"list price {list_price:.2f} is below sale price {sale:.2f}; N11 requires listPrice ≥ salePrice")
        if to_decimal(fields.get("quantity")) is None:
            problems.append("Stock data not found")
        images = [u for u in fields.get("images") or [] if u]
        if not images:
            problems.append("at least one image is required")
        elif len(images) > MAX_IMAGES:
            problems.append(f"{len(images)} images; N11 accepts at most {MAX_IMAGES}")
        if not str(record.category_id).isdigit():
            problems.append(f"the category id {record.category_id!r} is not an N11 category id")
        for choice in record.attributes:
            if choice.value_ids and choice.custom_value:
                problems.append(f"`{choice.attribute_name}` has a listed value and a custom value; N11 takes one")
        return problems

    def build_product_payload(self, record: ProductRecord, *, update: bool = False) -> dict[str, Any]:
        """One sku of a product-create task."""
        fields = record.fields or {}
        sale = fields.get("salePrice")
        list_price = fields.get("listPrice") if fields.get("listPrice") not in (None, "") else sale
        quantity = to_decimal(fields.get("quantity"))
        vat = to_decimal(fields.get("vatRate"))
        attributes = []
        for choice in record.attributes:
            entry: dict[str, Any] = {"id": int(choice.attribute_id) if choice.attribute_id.isdigit() else choice.attribute_id}
            if choice.value_ids:
                entry["valueId"] = int(choice.value_ids[0]) if choice.value_ids[0].isdigit() else choice.value_ids[0]
            else:
                entry["customValue"] = choice.custom_value
            attributes.append(entry)
        return {
            "title": fields.get("title"), "description": fields.get("description"),
            "categoryId": int(record.category_id) if str(record.category_id).isdigit() else record.category_id,
            "currencyType": CURRENCY, "productMainId": fields.get("productMainId"),
            "preparingDay": int(to_decimal(fields.get("preparingDay")) or self._preparing_day or 0),
            "shipmentTemplate": fields.get("shipmentTemplate") or self.config.get("shipment_template") or "",
            "stockCode": fields.get("stockCode") or record.sku, "barcode": fields.get("barcode"),
            "quantity": self.stock_to_send(int(quantity)) if quantity is not None else None,
            "images": [{"url": str(u), "order": n} for n, u in enumerate(fields.get("images") or [], start=1) if u],
            "attributes": attributes, "salePrice": wire_amount(sale), "listPrice": wire_amount(list_price),
            "vatRate": int(vat) if vat is not None and vat == vat.to_integral_value() else wire_amount(vat),
        }

    def send_products(self, records: list[ProductRecord], *, update: bool = False) -> Submission:
        """One product-create task (at most 1,000 skus); with ``update`` one product-update task
        carrying the content (title, description, images, attributes; stock and prices go
        through their own flows). The update path and body are [UNVERIFIED]."""
        self.check_size("product", len(records))
        if not records:
            return Submission(remote_id=None, sent={}, results=[])
        sent = {r.sku: self.build_product_payload(r) for r in records}
        if update:
            keep = ("stockCode", "title", "description", "images", "attributes", "productMainId", "vatRate")
            sent = {sku: {k: v for k, v in item.items() if k in keep} for sku, item in sent.items()}
            task_id = self.client.update_products(list(sent.values()))
        else:
            task_id = self.client.create_products(list(sent.values()))
        return Submission(remote_id=task_id, sent=sent, exchange=self.client.last_exchange())

    def _find(self, skus: list[str]) -> dict[str, Product]:
        wanted = list(dict.fromkeys(skus))
        if len(wanted) <= self.lookup_one_by_one:
            found = {}
            for sku in wanted:
                match = next((p for p in self.client.get_products(0, 10, stock_code=sku).content if p.stock_code == sku), None)
                if match is not None:
                    found[sku] = match
            return found
        wanted_set = set(wanted)
        return {p.stock_code: p for p in self._all_products() if p.stock_code in wanted_set}

    def product_statuses(self, skus: list[str]) -> dict[str, ProductStatus]:
        found = self._find(skus)
        statuses = {}
        for sku in skus:
            product = found.get(sku)
            if product is None:
                statuses[sku] = ProductStatus(sku, NOT_FOUND)
                continue
            state = PRODUCT_STATE.get(product.status, ON_SALE)
            reasons = list(product.reasons) if state == REJECTED else []
            if product.status == "Suspended":
                reasons.append("suspended on N11")
            statuses[sku] = ProductStatus(sku, state, reasons, product.stock_code)
        return statuses

    # --- order side: listings -------------------------------------------------------------
    def list_orders(self, start, end, token=None) -> Page:
        return self._walk(start, end, token, self.order_statuses, self._remote_order)

    def list_updated_orders(self, start, end, token=None) -> Page:
        return self._walk(start, end, token, self.updated_order_statuses, self._remote_order)

    def list_cancellations(self, start, end, token=None) -> Page:
        return self._walk(start, end, token, self.cancellation_statuses, self._remote_cancellation)

    def _walk(self, start, end, token, statuses: tuple[str, ...], convert) -> Page:
        """One page over ``statuses`` (one request each: N11 takes one status per request) in
        [start, end), read month by month (N11 answers at most a month per query); the token is
        ``{month index}|{the walker's token}``."""
        low, high = ms_window(start, end)
        if high < low:
            return Page([], None)
        month = ORDER_WINDOW_DAYS * 86_400_000
        spans = [(lo, min(high, lo + month - 1)) for lo in range(low, high + 1, month)]
        index, inner = 0, None
        if token is not None:
            head, _, rest = str(token).partition("|")
            if not head.isdigit() or int(head) >= len(spans):
                raise ValueError(f"{token!r} is not a page token of the N11 adapter")
            index, inner = int(head), rest or None
        walker = StagedWalker(
            lambda status, lo, hi, page, size: self._chunk(self.client.get_packages(status, lo, hi, page, size)),
            lambda status, records: each_record(status, records, convert),
            size=self.orders_page_size, stages=statuses, prefix="n11", owner="the N11 adapter")
        while True:
            page = walker.page(spans[index], inner)
            if page.next_token is not None:
                return Page(page.items, f"{index}|{page.next_token}")
            if index + 1 >= len(spans):
                return Page(page.items, None)
            index, inner = index + 1, None
            if page.items:
                return Page(page.items, f"{index}|")

    @staticmethod
    def _chunk(answer) -> Chunk:
        return Chunk(answer.content, answer.total_elements)

    def _remote_order(self, package: Package) -> RemoteOrder:
        lines = []
        for line in package.lines:
            paid = line.due_amount / line.quantity if line.due_amount is not None and line.quantity else line.price
            discount = (line.price - paid) if self._discounts else Decimal("0")
            lines.append(RemoteOrderLine(
                line_id=line.order_line_id, sku=line.stock_code or line.barcode or "", quantity=line.quantity,
                price=(paid if self._discounts else line.price).quantize(_CENT), list_price=line.price,
                discount=discount.quantize(_CENT), remote_sku=line.barcode, name=line.product_name,
                status=line.status, tax_rate=line.vat_rate,
            ))
        amount = package.total_amount
        if amount is None:
            amount = sum((x.price * x.quantity for x in lines), Decimal("0"))
        tracking = (package.campaign_number or package.cargo_tracking_number) if self._oms_enabled \
            else package.cargo_tracking_number
        email = package.customer_email or ""
        shipping = _address(package.shipping_address, email)
        return RemoteOrder(
            package_id=package.id, order_number=package.order_number,
            status=ORDER_STATUS.get(package.status, package.status.lower()),
            placed_at=from_ms(package.created_date), modified_at=from_ms(package.last_modified_date),
            currency="TRY", amount=Decimal(amount), discount=sum((x.discount * x.quantity for x in lines), Decimal("0")),
            lines=lines, customer_name=package.customer_full_name, customer_email=email,
            customer_phone=shipping.phone if shipping else "", customer_id=package.customer_id or "",
            shipping_address=shipping, billing_address=_address(package.billing_address, email),
            cargo_company=package.cargo_provider_name, cargo_company_id=self._fixed_cargo(package),
            tracking_number=tracking or "",
            tracking_url=package.cargo_tracking_link or "", raw=package.model_dump(by_alias=True, mode="json"),
        )

    def _fixed_cargo(self, package: Package) -> int | None:
        """The seed's cargo_company_id: our company for the packages whose N11 carrier (id or
        name) is in exclude_cargo_company_ids, or for every package when that list is empty;
        otherwise (or when it is unset) N11's carrier is mapped through cargo_company_mapping."""
        if not self._cargo_company:
            return None
        carrier = {package.cargo_provider_id or "", package.cargo_provider_name}
        return self._cargo_company if not self._excluded_cargo or carrier & self._excluded_cargo else None

    @staticmethod
    def _remote_cancellation(package: Package) -> RemoteCancellation:
        text = {"UnSupplied": "unsupplied by the seller",
                "UnPacked": "split on N11: its lines continue in new packages of the same order"}.get(
            package.status, "cancelled on N11")
        return RemoteCancellation(package_id=package.id, order_number=package.order_number,
                                  line_ids=[x.order_line_id for x in package.lines], reason_code=package.status,
                                  reason_text=text, cancelled_at=from_ms(package.last_modified_date),
                                  raw=package.model_dump(by_alias=True, mode="json"))

    # --- customers' cancellation requests and return claims (SOAP) ------------------------------------
    def list_cancel_requests(self, start, end, token=None) -> Page:
        """REQUESTED cancellation requests (ClaimCancelList) made in [start, end)."""
        return self._claims("cancel", "REQUESTED", start, end, token)

    def list_claims(self, start, end, token=None) -> Page:
        """Return claims of every status (ClaimReturnList ``ALL``) requested in [start, end)."""
        return self._claims("return", "ALL", start, end, token)

    def _claims(self, kind: str, status: str, start, end, token) -> Page:
        """N11 searches claims by day (dd/MM/yyyy, Turkish time); those requested outside the
        window are left out, so that each is read in one window only. Token: the next page."""
        page = int(token or 0)
        first, last = start.astimezone(TURKEY), (end - timedelta(milliseconds=1)).astimezone(TURKEY)
        data = self.client.claims(kind, status, f"{first:%d/%m/%Y}", f"{last:%d/%m/%Y}", page)
        item = "claimCancel" if kind == "cancel" else "claimReturn"
        claims = [self._claim(record) for record in soap.many(data, f"{item}List", item)]
        kept = [c for c in claims if c.created_at is None or start <= c.created_at < end]
        paging = data.get("pagingData") if isinstance(data.get("pagingData"), dict) else {}
        pages = int(paging["pageCount"]) if str(paging.get("pageCount", "")).isdigit() else 0
        return Page(kept, page + 1 if page + 1 < pages else None)

    @staticmethod
    def _claim(record: dict[str, Any]) -> RemoteClaim:
        """One claimCancel / claimReturn: its order line is ``orderItemId``, the REST line id
        [UNVERIFIED: third-party clients name the id, status, orderNumber, quantity, reason and
        requestDate fields; the line field is our reading of ClaimCancelPartial's orderItemId]."""
        try:
            made = datetime.strptime(str(record.get("requestDate") or ""), "%d/%m/%Y %H:%M:%S").replace(tzinfo=TURKEY)
        except ValueError:
            made = None
        claim_id = str(record.get("id") or "")
        reason = str(record.get("reasonType") or record.get("cancelReasonType") or record.get("returnReasonType") or "")
        line = RemoteClaimLine(claim_line_id=claim_id, line_id=str(record.get("orderItemId") or ""),
                               sku=str(record.get("productSellerCode") or ""), quantity=int(record.get("quantity") or 1),
                               reason_code=reason, reason_text=str(record.get("reasonDescription") or ""))
        return RemoteClaim(claim_id=claim_id, package_id="", order_number=str(record.get("orderNumber") or ""),
                           status=CLAIM_STATUS.get(str(record.get("status") or "").upper(), "in_dispute"),
                           created_at=made, modified_at=made, lines=[line], raw=record)

    def _answer(self, kind: str, claim: RemoteClaim, *, deny: bool = False, deny_reason: Any = None,
                note: str = "") -> ItemResult:
        what = "cancellation request" if kind == "cancel" else "return claim"
        if deny:
            text = str(deny_reason if deny_reason is not None else "").strip()
            deny_reason = int(text) if text.isdigit() else deny_reason
            if deny_reason not in DENY_REASONS:
                known = ", ".join(f"{k} ({v})" for k, v in DENY_REASONS.items())
                return ItemResult(claim.claim_id, False, f"deny reason {deny_reason!r} (the channel's deny_reason_id) is "
                                                         f"not one of N11's: {known}")
        try:
            self.client.answer_claim(kind, claim.claim_id, deny_reason if deny else None, note)
        except RequestRejected as refused:
            return ItemResult(claim.claim_id, False, str(refused), remote_sku=claim.claim_id)
        done = "approved" if not deny else f"denied ({deny_reason} {DENY_REASONS[deny_reason]})"
        return ItemResult(claim.claim_id, True, f"{what} {claim.claim_id} {done} on N11", remote_sku=claim.claim_id)

    def answer_cancel_request(self, request: RemoteClaim, approve: bool) -> ItemResult:
        """ClaimCancelApprove, or ClaimCancelDeny with the channel's ``deny_reason_id``."""
        if approve:
            return self._answer("cancel", request)
        return self._answer("cancel", request, deny=True, deny_reason=self._deny_reason, note="the order is invoiced")

    def approve_claim(self, claim: RemoteClaim, line_ids: list[str]) -> ItemResult:
        return self._answer("return", claim)

    def reject_claim(self, claim: RemoteClaim, line_ids: list[str], reason_id: str, description: str,
                     images: list[bytes]) -> ItemResult:
        """ClaimReturnDeny with ``reason_id`` when it is one of N11's deny reasons, else the
        channel's ``deny_reason_id``; N11's deny takes a note but no images [UNVERIFIED]."""
        reason = reason_id if str(reason_id or "").strip().isdigit() and int(reason_id) in DENY_REASONS \
            else self._deny_reason
        return self._answer("return", claim, deny=True, deny_reason=reason, note=description)

    # --- order side: writes -----------------------------------------------------------------
    def _package(self, package_id: str, statuses=("Created", "Picking")) -> Package | None:
        """A package by id: N11 documents no lookup by id, so the last month is read per status."""
        now = epoch_ms(datetime.now(UTC))
        for status in statuses:
            page = 0
            while True:
                answer = self.client.get_packages(status, now - ORDER_WINDOW_DAYS * 86_400_000 + 1, now, page,
                                                  self.orders_page_size)
                match = next((p for p in answer.content if p.id == package_id), None)
                if match is not None:
                    return match
                page += 1
                if page >= answer.total_pages:
                    break
        return None

    def send_order_update(self, update: OrderUpdate) -> ItemResult:
        """``picking``: accept the package's lines (Picking). ``invoiced``: Picking first when still
        Created; an invoice link goes by SOAP SaveLinkSellerInvoice (REST has none; an https
        address of at most 2,048 characters). ``shipped``/``delivered``: Picking
        first; N11's carrier sets them from its scans, unless the brand ships (``send_shipping_info``):
        then the lines are reported Shipped with the tracking number."""
        package_id = str(update.package_id).strip()
        target = (update.status or "").strip().lower()
        if target not in ("picking", "invoiced", "shipped", "delivered"):
            return ItemResult(package_id, False, f"status {update.status!r}: N11 takes picking, invoiced, shipped or delivered")
        own_carrier = self._own_carrier
        steps: list[str] = []
        link = str(update.invoice_link or "").strip()
        if link and (not link.lower().startswith("https://") or len(link) > 2048):
            return ItemResult(package_id, False, f"invoice link {link[:80]!r}: N11 takes an https address of at most "
                                                 "2,048 characters (a pdf, png or jpeg document)")
        try:
            package = self._package(package_id, ("Created", "Picking", "Shipped", "Delivered"))
            if package is None:
                return ItemResult(package_id, False, f"N11 lists no package {package_id} of the last month")
            ids = [str(i) for i, _ in update.line_ids] or [x.order_line_id for x in package.lines]
            status = package.status
            if status == "Created":
                self.client.update_lines(ids, "Picking")
                steps.append("Picking sent")
                status = "Picking"
            if link:
                self.client.save_invoice_link(package.order_number, link)
                steps.append("invoice link sent")
            if target in ("shipped", "delivered") and own_carrier and status == "Picking":
                number = str(update.tracking_number or "").strip()
                if not number:
                    return ItemResult(package_id, False, "the brand ships this package (send_shipping_info): a "
                                                         "tracking number is needed to report it Shipped")
                self.client.update_lines(ids, "Shipped", tracking_number=number, cargo_company=update.cargo_company)
                steps.append(f"Shipped sent with tracking number {number}")
            elif target in ("shipped", "delivered") and not own_carrier:
                steps.append(f"N11 sets {target.capitalize()} itself from its carrier's scans")
            if not steps:
                steps.append(f"already {package.status} on N11")
        except RequestRejected as refused:
            return ItemResult(package_id, False, f"{refused}{' after: ' + '; '.join(steps) if steps else ''}",
                              remote_sku=package_id)
        return ItemResult(package_id, True, "; ".join(steps), answer={"status_before": package.status, "steps": steps},
                          remote_sku=package_id)

    def _accept_first(self, package: Package) -> str:
        """N11 splits only Picking packages: a Created one is accepted first."""
        if package.status != "Created":
            return ""
        self.client.update_lines([x.order_line_id for x in package.lines], "Picking")
        return "Picking sent first (N11 splits only Picking packages); "

    def cancel_lines(self, package_id: str, lines: list[tuple[str, int]], reason_id: str) -> ItemResult:
        """Cancel part of a package: ``splitPackageByQuantity`` with the cancelled (line, quantity)
        and the rest kept in a new package (a Created package is accepted first). N11 refuses a cancel with nothing kept, so the
        cancellation of a whole package is refused here with that reason."""
        package_id = str(package_id).strip()
        raw = reason_id if reason_id not in (None, "") else self._cancel_reason
        try:
            reason = int(str(raw).strip())
        except ValueError:
            reason = None
        if reason not in CANCEL_REASON_TYPES:
            known = ", ".join(f"{k} ({v})" for k, v in CANCEL_REASON_TYPES.items())
            return ItemResult(package_id, False, f"cancellation reason {raw!r} (send_cancel_reason_id, the seed's "
                                                 f"cancellation_reason_type_id) is not one of N11's: {known}")
        try:
            package = self._package(package_id)
            if package is None:
                return ItemResult(package_id, False, f"N11 lists no Created or Picking package {package_id}")
            accepted = self._accept_first(package)
            wanted = {str(i): int(q) for i, q in lines} if lines else {x.order_line_id: x.quantity for x in package.lines}
            kept = [(x.order_line_id, x.quantity - wanted.get(x.order_line_id, 0)) for x in package.lines
                    if x.quantity - wanted.get(x.order_line_id, 0) > 0]
            unknown = set(wanted) - {x.order_line_id for x in package.lines}
            if unknown:
                return ItemResult(package_id, False, f"package {package_id} has no lines {', '.join(sorted(unknown))}")
            if not kept:
                return ItemResult(package_id, False, "N11 cannot cancel a whole package through the split service "
                                                     "(splitPackageByQuantity needs a part to keep)")
            self.client.split_by_quantity(package_id, kept, list(wanted.items()), reason)
        except RequestRejected as refused:
            return ItemResult(package_id, False, str(refused), remote_sku=package_id)
        shown = ", ".join(f"{i}×{q}" for i, q in wanted.items())
        return ItemResult(package_id, True, f"{accepted}cancelled on N11 ({reason} {CANCEL_REASON_TYPES[reason]}): {shown}; the "
                                            "rest moves to a new package of the same order", remote_sku=package_id)

    def split_package(self, package_id: str, groups: list[list[tuple[str, int]]]) -> ItemResult:
        """Whole lines per group: ``splitCombinePackage``; part quantities: ``splitPackageByQuantity``.
        N11 takes splits only in Picking: a Created package is accepted first."""
        package_id = str(package_id).strip()
        if not groups or any(not g for g in groups):
            return ItemResult(package_id, False, "a split needs at least one non-empty group of (line id, quantity)")
        try:
            package = self._package(package_id)
            if package is None:
                return ItemResult(package_id, False, f"N11 lists no Created or Picking package {package_id}")
            accepted = self._accept_first(package)
            held = {x.order_line_id: x.quantity for x in package.lines}
            whole = all(held.get(str(i)) == int(q) for g in groups for i, q in g)
            if whole:
                self.client.split_by_lines([[str(i) for i, _ in g] for g in groups])
            else:
                self.client.split_by_quantity(package_id, [(str(i), int(q)) for g in groups for i, q in g], [])
        except RequestRejected as refused:
            return ItemResult(package_id, False, str(refused), remote_sku=package_id)
        return ItemResult(package_id, True, f"{accepted}split into {len(groups)} group(s); package {package_id} becomes UnPacked",
                          remote_sku=package_id)

    def close(self) -> None:
        self.client.close()
