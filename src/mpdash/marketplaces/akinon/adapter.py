"""The Seller Center adapter, shared by Mono, Fashfed and Passo (one subclass each, defaults only).

Stock and prices go to the offers in bulk (``PATCH offers/stocks/`` and ``offers/prices/``),
accepted whole and answered per item in the batch (``GET offers/batches/{id}/``, [UNVERIFIED]); products go as pre-offers the marketplace owner approves or
rejects later; packages are read by update time and their items one package at a time;
claims (cancel, refund) by update time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from ..base import (NOT_FOUND, ON_SALE, PENDING_APPROVAL, REJECTED, AttributeValue, BatchStatus, DefaultAttribute,
                    ItemResult,
                    Listing, MarketplaceAdapter, OrderUpdate, Page, PriceRecord, ProductRecord, ProductStatus,
                    RemoteAddress, RemoteAttribute, RemoteCancellation, RemoteCategory, RemoteClaim, RemoteClaimLine,
                    RemoteOrder, RemoteOrderLine, StockRecord, Submission)
from ..errors import ConfigError, RequestRejected
from ..http import DEFAULT_TIMEOUT
from ..kit import BatchSending, Chunk, ConfigReader, SentMemory, StagedWalker, aware, each_record, wire_amount
from ..kit.batches import check_batch_size
from .client import SellerCenterClient, segment
from .config import (BATCH_SIZES, CANCELLED, CURRENCY, CUSTOMER, DELIVERED, FLOWS, PACKAGE_STATUS, PAGE_SIZE,
                     PREPARING, RENAMED_FLAGS, SHIPPED, STATUS_OF, schema)
from .marketplaces import FASHFED, MONO, PASSO, SellerCenterMarketplace
from .models import Address, Attribute, Category, Claim, Offer, Package, PackageItem, PreOffer

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CLAIM_STATE = {"open": "waiting_action", "waiting": "waiting_action", "approved": "accepted",
               "rejected": "rejected", "completed": "accepted"}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _epoch_us(value: datetime) -> int:
    """Epoch microseconds, exactly: Seller Center keeps update times to the microsecond, so a
    window bounded at milliseconds would leave out what changed in its last millisecond."""
    return (aware(value) - _EPOCH) // _MICROSECOND


def _us_iso(us: int) -> str:
    return (_EPOCH + us * _MICROSECOND).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _when(text: str) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _address(a: Address | None) -> RemoteAddress | None:
    if a is None:
        return None
    return RemoteAddress(first_name=a.first_name, last_name=a.last_name, line=a.line, city=a.city,
                         township=a.township, district=a.district, neighbourhood=a.district, postcode=a.postcode or "",
                         phone=a.phone_number, email=a.email, tax_office=a.tax_office or "", tax_number=a.tax_no or "",
                         identity_number=a.identity_number or "")


class SellerCenterAdapter(BatchSending, MarketplaceAdapter):
    market: SellerCenterMarketplace = MONO
    flows = FLOWS
    renamed_flags = RENAMED_FLAGS
    batch_sizes = BATCH_SIZES
    orders_page_size = PAGE_SIZE
    max_order_window_hours = 24 * 14
    batch_unit = "bulk request"
    # A pre-offer becomes an offer (stock and price are accepted) once the marketplace owner
    # approves it; until then stock and price updates answer "Offer not found". (Seller Center
    # guide: pre-offers are approved or rejected by the owner; the offer endpoints themselves
    # are not in the reference [UNVERIFIED], the simulator follows the guide.)
    listed_on_approval = True
    order_statuses = (PREPARING,)
    updated_order_statuses = (SHIPPED, DELIVERED)

    def __init__(self, config: dict[str, Any], *, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout | float | None = None, token_store=None):
        super().__init__(config, transport=transport, timeout=timeout)
        label = self.market.label
        read = ConfigReader(self.config, label)
        self.client = SellerCenterClient(
            read.required("base_url"), label=label, api_version=str(self.config.get("api_version") or "i2").strip(),
            access_token=self.config.get("access_token") or "", email=self.config.get("email") or "",
            password=self.config.get("password") or "", timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            transport=transport, token_store=token_store)
        self._buffer = read.whole("buffer_stock", default=0) or 0
        self._own_carrier = read.flag("send_shipping_info")
        self._cancel_reason = str(self.config.get("seller_cancel_reason") or "").strip()
        mapping = self.config.get("cancellation_reason_mapping") or {}
        self._remote_reason = {str(ours): str(theirs) for theirs, ours in mapping.items()} if isinstance(mapping, dict) else {}
        self._reject_reason = str(self.config.get("reject_item_reason") or "").strip()
        self._waybill = self.config.get("waybill_option") or {}
        self.sent_batches = SentMemory(1000)  # batch id -> {sku as sent: our sku}

    # --- stock and prices ------------------------------------------------------------------------
    def stock_to_send(self, quantity: int) -> int:
        return max(0, int(quantity) - self._buffer)

    @staticmethod
    def _code(record) -> str:
        return str(record.remote_sku or record.sku).strip()

    def _bulk(self, kind: str, rest: str, records, item_of) -> Submission:
        """One bulk write, accepted whole; ``poll`` reads its per-item results."""
        kept, items, sent = self.prepare_batch(kind, records, item_of, key=self._code)
        return self.submit(lambda batch: self.client.bulk(rest, batch).id, items, sent, self.client,
                           memo={self._code(r): r.sku for r in kept})

    def send_stock(self, records: list[StockRecord]) -> Submission:
        return self._bulk("productstock", "offers/stocks/", records,
                          lambda r: {"sku": self._code(r), "stock": self.stock_to_send(r.quantity)})

    def send_prices(self, records: list[PriceRecord]) -> Submission:
        return self._bulk("productprice", "offers/prices/", records, lambda r: {
            "sku": self._code(r), "price": wire_amount(r.price),
            "retail_price": wire_amount(r.price if r.list_price is None else r.list_price),
            "currency_type": CURRENCY})

    def delete_products(self, records: list[StockRecord]) -> Submission:
        """The seed's product delete: stock 0 on the offer."""
        return self._bulk("product_delete", "offers/stocks/", records, lambda r: {"sku": self._code(r), "stock": 0})

    def poll(self, kind: str, remote_id: str, skus: list[str] | None = None) -> BatchStatus:
        def results(batch, memo) -> list[ItemResult] | str:
            if not batch.results:
                return f"{self.market.label} completed batch {remote_id} without item results"
            sku_of = memo or {}
            if not sku_of and skus and len(skus) == len(batch.results):  # another worker sent it: by position
                sku_of = {r.sku: sku for r, sku in zip(batch.results, skus)}
            out = []
            for r in batch.results:
                sku = sku_of.get(r.sku, r.sku)
                ok = r.status == "success"
                out.append(ItemResult(sku, ok, "updated" if ok else f"{r.detail} ({r.code})" if r.code else r.detail,
                                      r.model_dump(), remote_sku=r.sku))
            return out

        return self.poll_batch(remote_id, self.client, lambda: self.client.offer_batch(remote_id),
                               lambda batch: batch.status == "completed", results)

    def list_listings(self) -> Iterator[Listing]:
        for row in self.client.every("offers/"):
            offer = Offer.model_validate(row)
            yield Listing(sku=offer.sku, remote_sku=offer.sku, price=offer.price, stock=offer.stock,
                          on_sale=offer.status == "active")

    # --- catalog ----------------------------------------------------------------------------------
    @classmethod
    def default_attributes(cls) -> tuple[DefaultAttribute, ...]:
        return (DefaultAttribute("name", "Name", source="name"), DefaultAttribute("sku", "SKU", source="sku"),
                DefaultAttribute("base_code", "Base code", source="base_code"),
                DefaultAttribute("images", "Images", data_type="list", source="images"),
                DefaultAttribute("price", "Price", data_type="number", source="price"),
                DefaultAttribute("retail_price", "Retail price", data_type="number", source="list_price"),
                DefaultAttribute("stock", "Stock", data_type="number", source="stock"))

    def fetch_categories(self, root_ids: list[str]) -> Iterator[RemoteCategory]:
        data = self.client.get("categories/")
        tree = [Category.model_validate(n) for n in (data if isinstance(data, list) else data.get("results", []))]
        index: dict[str, tuple[Category, str | None]] = {}

        def note(node: Category, parent: str | None) -> None:
            index[node.id] = (node, parent)
            for child in node.children:
                note(child, node.id)

        def below(node: Category, parent: str | None, seen: set[str]) -> Iterator[RemoteCategory]:
            if node.id not in seen:  # a root given twice, or inside another root, comes once
                seen.add(node.id)
                yield RemoteCategory(node.id, node.name, parent, is_leaf=not node.children)
                for child in node.children:
                    yield from below(child, node.id, seen)

        for node in tree:
            note(node, None)
        roots = []
        for raw in root_ids or []:
            key = str(raw.get("id") if isinstance(raw, dict) else raw).strip()
            if key not in index:
                top = ", ".join(f"{n.id} {n.name}" for n in tree[:12])
                raise ConfigError(f"{self.market.label} channel config: category_ids holds {key!r}, not a category of "
                                  f"{self.market.label}; use the uuids of its tree (top level: {top})")
            roots.append(index[key][0])
        seen: set[str] = set()
        for root in roots or tree:
            yield from below(root, index[root.id][1], seen)

    def fetch_attributes(self, category_id: str) -> list[RemoteAttribute]:
        data = self.client.get(f"categories/{segment(category_id, 'category id')}/attributes/")
        rows = data if isinstance(data, list) else data.get("results", [])
        out = []
        for a in (Attribute.model_validate(r) for r in rows):
            out.append(RemoteAttribute(remote_id=a.key, name=a.name or a.key, required=a.is_required,
                                       variant=a.is_variant, allow_custom=a.allow_custom,
                                       data_type="enum" if a.values else "text",
                                       values=[AttributeValue(v.value, v.label or v.value) for v in a.values]))
        return out

    def check_product(self, record: ProductRecord) -> list[str]:
        f = record.fields or {}
        problems = [f"`{k}` is required" for k in ("name", "base_code") if not str(f.get(k) or "").strip()]
        if not f.get("price"):
            problems.append("Price data not found")
        if f.get("stock") in (None, ""):
            problems.append("Stock data not found")
        if not [u for u in f.get("images") or [] if u]:
            problems.append("at least one image is required")
        return problems

    def build_product_payload(self, record: ProductRecord, *, update: bool = False) -> dict[str, Any]:
        f = record.fields or {}
        attributes = {c.attribute_id: (c.value_ids[0] if c.value_ids else c.custom_value) for c in record.attributes}
        return {"sku": self._code(record), "name": f.get("name"), "base_code": f.get("base_code"),
                "category": record.category_id, "attributes": attributes, "images": list(f.get("images") or []),
                "price": wire_amount(f.get("price")),
                "retail_price": wire_amount(f.get("retail_price") or f.get("price")),
                "stock": self.stock_to_send(int(f.get("stock") or 0))}

    def send_products(self, records: list[ProductRecord], *, update: bool = False) -> Submission:
        """Pre-offers: accepted ones wait for the owner's review (PENDING_APPROVAL)."""
        check_batch_size(len(records), self.batch_size("product"), "product", self.market.label)
        if not records:
            return Submission(remote_id=None, sent={}, results=[])
        sent = {r.sku: self.build_product_payload(r, update=update) for r in records}
        data = self.client.post("pre-offers/", list(sent.values()))
        errors = {e["sku"]: e for e in data.get("errors", [])}
        results = []
        for sku, item in sent.items():
            e = errors.get(item["sku"])
            if e:
                results.append(ItemResult(sku, False, e.get("detail", ""), e, state=REJECTED))
            else:
                results.append(ItemResult(sku, True, f"sent as a pre-offer; {self.market.label} reviews it",
                                          state=PENDING_APPROVAL, remote_sku=item["sku"]))
        return Submission(remote_id=None, sent=sent, results=results, exchange=self.client.last_exchange())

    def product_statuses(self, skus: list[str]) -> dict[str, ProductStatus]:
        found: dict[str, PreOffer] = {}
        for i in range(0, len(skus), 50):
            for row in self.client.every("pre-offers/", sku__in=",".join(skus[i:i + 50])):
                pre = PreOffer.model_validate(row)
                found[pre.sku] = pre
        state = {"approved": ON_SALE, "rejected": REJECTED}
        return {sku: ProductStatus(sku, NOT_FOUND) if sku not in found else
                ProductStatus(sku, state.get(found[sku].status, PENDING_APPROVAL), found[sku].rejection_reasons, sku)
                for sku in skus}

    # --- orders --------------------------------------------------------------------------------------
    def _walk(self, rest: str, start, end, token, stages, convert, **filters) -> Page:
        low, high = _epoch_us(start), _epoch_us(end) - 1  # [start, end) in whole microseconds

        def fetch(stage, lo, hi, page, size):
            answer = self.client.page(rest, page + 1, size, updated_at__gte=_us_iso(lo), updated_at__lte=_us_iso(hi),
                                      **(stage or {}), **filters)
            return Chunk(answer.results, answer.count)

        walker = StagedWalker(fetch, lambda stage, rows: each_record(stage, rows, convert), size=self.orders_page_size,
                              stages=stages, prefix=f"su{rest[:2]}", owner=f"the {self.market.label} adapter")
        return walker.page((low, high), token)

    def _statuses(self, statuses) -> tuple[dict[str, str], ...]:
        return ({"status__in": ",".join(map(str, statuses))},)

    def list_orders(self, start, end, token=None) -> Page:
        return self._walk("packages/", start, end, token, self._statuses(self.order_statuses), self._order)

    def list_updated_orders(self, start, end, token=None) -> Page:
        return self._walk("packages/", start, end, token, self._statuses(self.updated_order_statuses), self._order)

    def list_cancellations(self, start, end, token=None) -> Page:
        """Cancel claims completed, customer's only (the seller's own come back from our side)."""
        return self._walk("claims/", start, end, token, ({"type": "cancel", "status": "completed",
                                                          "cancelled_by": str(CUSTOMER)},), self._cancellation)

    def list_claims(self, start, end, token=None) -> Page:
        return self._walk("claims/", start, end, token, ({"type": "refund"},), self._claim)

    def _groups(self, number: str) -> list[list[PackageItem]]:
        """A package's items (one unit each) grouped into lines: same sku and price. A line's id
        is its item ids joined by commas, cancelled ones included, so that it stays the same."""
        groups: dict[tuple[str, Decimal], list[PackageItem]] = {}
        for row in self.client.every(f"packages/{segment(number, 'package number')}/items/"):
            item = PackageItem.model_validate(row)
            groups.setdefault((item.sku, item.price), []).append(item)
        return list(groups.values())

    def _line_of(self, number: str, item_id: str) -> str:
        for group in self._groups(number):
            if any(i.id == item_id for i in group):
                return ",".join(i.id for i in group)
        return item_id

    def _order(self, row: dict[str, Any]) -> RemoteOrder:
        package = Package.model_validate(row)
        lines = []
        for group in self._groups(package.number):
            live = [i for i in group if i.status != CANCELLED]
            if live:
                i = live[0]
                lines.append(RemoteOrderLine(line_id=",".join(x.id for x in group), sku=i.sku, quantity=len(live),
                                             price=i.price - i.discount_amount, list_price=i.retail_price,
                                             discount=i.discount_amount, remote_sku=i.sku, name=i.name,
                                             status=str(i.status), tax_rate=i.tax_rate))
        return RemoteOrder(
            package_id=package.number, order_number=package.order_number,
            status=PACKAGE_STATUS.get(package.status, str(package.status)), placed_at=_when(package.created_at),
            modified_at=_when(package.updated_at), currency=package.currency.upper(),
            amount=sum((x.price * x.quantity for x in lines), Decimal("0")) + package.shipping_amount,
            discount=sum((x.discount * x.quantity for x in lines), Decimal("0")), shipping_amount=package.shipping_amount,
            lines=lines, customer_name=package.customer_name, customer_email=package.customer_email,
            shipping_address=_address(package.shipping_address), billing_address=_address(package.billing_address),
            cargo_company=package.shipping_company, tracking_number=package.tracking_number or "",
            tracking_url=package.tracking_url or "", raw=row)

    def _cancellation(self, row: dict[str, Any]) -> RemoteCancellation:
        claim = Claim.model_validate(row)
        return RemoteCancellation(package_id=claim.package_number, order_number=claim.order_number,
                                  line_ids=[self._line_of(claim.package_number, claim.package_item)], reason_code=claim.reason.id if claim.reason else "",
                                  reason_text=claim.reason.subject if claim.reason else "",
                                  cancelled_at=_when(claim.updated_at), raw=row)

    def _claim(self, row: dict[str, Any]) -> RemoteClaim:
        claim = Claim.model_validate(row)
        reason = claim.reason
        return RemoteClaim(claim_id=claim.id, package_id=claim.package_number, order_number=claim.order_number,
                           status=CLAIM_STATE.get(claim.status, claim.status), created_at=_when(claim.created_at),
                           modified_at=_when(claim.updated_at),
                           lines=[RemoteClaimLine(claim.id, self._line_of(claim.package_number, claim.package_item),
                                                  claim.sku, 1,
                                                  reason.id if reason else "", reason.subject if reason else "",
                                                  claim.detail)], raw=row)

    # --- writes -------------------------------------------------------------------------------------------
    def send_order_update(self, update: OrderUpdate) -> ItemResult:
        """One PATCH of the package: status (forward only), invoice, and tracking when the brand ships."""
        number = str(update.package_id).strip()
        target = (update.status or "").strip().lower()
        if target not in STATUS_OF:
            return ItemResult(number, False, f"status {update.status!r}: {self.market.label} takes "
                                             f"{', '.join(STATUS_OF)}")
        body: dict[str, Any] = {"status": STATUS_OF[target]}
        if update.invoice_number:
            body.update(invoice_number=update.invoice_number, e_archive_url=update.invoice_link or None)
            if update.invoice_date:
                body["invoice_date"] = str(getattr(update.invoice_date, "isoformat", lambda: update.invoice_date)())
        if target in ("shipped", "delivered"):
            if self._own_carrier:
                if not str(update.tracking_number or "").strip():
                    return ItemResult(number, False, "the brand ships (send_shipping_info): a tracking number is "
                                                     "needed to report the package shipped")
                body.update(tracking_number=update.tracking_number, tracking_url=update.tracking_url or None,
                            shipping_company=update.cargo_company or None,
                            shipped_date=datetime.now(UTC).isoformat(timespec="seconds"))
            if self._waybill.get("enabled"):
                body["waybill_number"] = update.invoice_number or str(self._waybill.get("default") or "")
        body = {k: v for k, v in body.items() if v not in (None, "")}
        try:
            found = self.client.page("packages/", 1, 1, number=number).results
            if not found:
                return ItemResult(number, False, f"{self.market.label} has no package {number}")
            held = Package.model_validate(found[0])
            if held.status >= body["status"]:  # there already (an earlier answer lost): never back
                body.pop("status")
            new = {k: v for k, v in body.items() if k not in ("shipped_date",) and str(found[0].get(k) or "") != str(v)}
            if not new:
                return ItemResult(number, True, f"package {number} is {PACKAGE_STATUS.get(held.status)} there "
                                                "already, with this invoice and tracking", found[0], remote_sku=number)
            answer = self.client.patch(f"packages/{segment(number, 'package id')}/", body)
        except RequestRejected as refused:
            return ItemResult(number, False, str(refused), remote_sku=number)
        return ItemResult(number, True, f"package {number} sent {target}", answer, remote_sku=number)

    def cancel_lines(self, package_id: str, lines: list[tuple[str, int]], reason_id: str) -> ItemResult:
        """Seller cancellation of ``quantity`` live units of each line (a line is its item ids),
        all live units when ``lines`` is empty, with a Seller Center reason uuid."""
        number = str(package_id).strip()
        given = str(reason_id or "").strip()
        reason = self._remote_reason.get(given) or (given if _UUID.match(given) else "") or self._cancel_reason
        if not reason:
            return ItemResult(number, False, f"no {self.market.label} reason for our reason {given or '(none)'}: map it in "
                                             "cancellation_reason_mapping or set seller_cancel_reason to one of "
                                             f"{self.market.label}'s cancel reasons (GET claims/reasons/?type=cancel)")
        try:
            live = {i.id for g in self._groups(number) for i in g if i.status != CANCELLED}
            items = sorted(live, key=int) if not lines else []
            for line_id, quantity in lines:
                ids = [i for i in str(line_id).split(",") if i in live]
                if len(ids) < int(quantity):
                    return ItemResult(number, False, f"line {line_id} of package {number} has {len(ids)} live "
                                                     f"unit(s), not {quantity}", remote_sku=number)
                items += ids[:int(quantity)]
            self.client.post(f"packages/{segment(number, 'package id')}/cancel/", {"items": items, "reason": reason})
        except RequestRejected as refused:
            return ItemResult(number, False, str(refused), remote_sku=number)
        return ItemResult(number, True, f"cancelled items {', '.join(items)} of package {number}", remote_sku=number)

    def approve_claim(self, claim: RemoteClaim, line_ids: list[str]) -> ItemResult:
        try:
            answer = self.client.post(f"claims/{segment(claim.claim_id, 'claim id')}/approve/", {})
        except RequestRejected as refused:
            return ItemResult(claim.claim_id, False, str(refused))
        return ItemResult(claim.claim_id, True, "approved", answer)

    def reject_claim(self, claim: RemoteClaim, line_ids: list[str], reason_id: str, description: str,
                     images: list[bytes]) -> ItemResult:
        reason = str(description or "").strip() or self._reject_reason or str(reason_id or "").strip()
        if not reason:
            return ItemResult(claim.claim_id, False, "a rejection needs a reason: set reject_item_reason or give one")
        try:
            answer = self.client.post(f"claims/{segment(claim.claim_id, 'claim id')}/reject/", {"reason": reason})
        except RequestRejected as refused:
            return ItemResult(claim.claim_id, False, str(refused))
        return ItemResult(claim.claim_id, True, f"rejected: {reason}", answer)

    def close(self) -> None:
        self.client.close()


def _adapter(market: SellerCenterMarketplace) -> type[SellerCenterAdapter]:
    return type(f"{market.label}Adapter", (SellerCenterAdapter,), {
        "market": market, "name": market.name, "label": market.label, "schema": schema(market),
        "__module__": __name__, "__doc__": f"{market.label} on the Seller Center adapter (its defaults only)."})


MonoAdapter = _adapter(MONO)
FashfedAdapter = _adapter(FASHFED)
PassoAdapter = _adapter(PASSO)
