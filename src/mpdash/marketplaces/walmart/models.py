"""Walmart's answers as pydantic models (wire names as in Walmart's OpenAPI documents).

Only the fields the adapter reads are declared; the rest are kept (``extra="allow"``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..kit.answers import AnswerModel, answer_parser

parse_answer = answer_parser("Walmart")


def error_text(body: Any) -> str:
    """The readable part of Walmart's error body ``{"errors": [{code, field, description|message,
    category, severity}]}`` (``errors`` may also be ``{"error": [...]}`` in older answers)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, dict):
        errors = errors.get("error")
    if not isinstance(errors, list):
        return str(body)[:300]
    parts = []
    for e in errors[:5]:
        if isinstance(e, dict):
            text = f"{e.get('code', '')}: {e.get('description') or e.get('message') or e.get('info') or ''}".strip(": ")
            parts.append(text + (f" ({e['field']})" if e.get("field") else ""))
    return "; ".join(parts) or str(body)[:300]


# --- feeds ---------------------------------------------------------------------------------------
class IngestionError(AnswerModel):
    type: str = ""
    code: str = ""
    description: str = ""


class IngestionErrors(AnswerModel):
    ingestion_error: list[IngestionError] = Field(default_factory=list, alias="ingestionError")


class ItemIngestion(AnswerModel):
    sku: str = ""
    index: int | None = None
    wpid: str = ""
    ingestion_status: str = Field(alias="ingestionStatus")
    ingestion_errors: IngestionErrors | None = Field(None, alias="ingestionErrors")

    def problems(self) -> str:
        errors = self.ingestion_errors.ingestion_error if self.ingestion_errors else []
        return "; ".join(f"{e.type} {e.code}: {e.description}".strip() for e in errors)


class ItemDetails(AnswerModel):
    item_ingestion_status: list[ItemIngestion] = Field(default_factory=list, alias="itemIngestionStatus")


class FeedStatus(AnswerModel):
    feed_id: str = Field("", alias="feedId")
    feed_status: str = Field(alias="feedStatus")
    items_received: int = Field(0, alias="itemsReceived")
    items_processing: int = Field(0, alias="itemsProcessing")
    offset: int = 0
    limit: int = 0
    ingestion_errors: IngestionErrors | None = Field(None, alias="ingestionErrors")
    item_details: ItemDetails | None = Field(None, alias="itemDetails")

    @property
    def items(self) -> list[ItemIngestion]:
        return self.item_details.item_ingestion_status if self.item_details else []


# --- items ---------------------------------------------------------------------------------------
class Price(AnswerModel):
    currency: str = ""
    amount: float | None = None


class Item(AnswerModel):
    sku: str
    wpid: str = ""
    product_name: str = Field("", alias="productName")
    price: Price | None = None
    published_status: str = Field("", alias="publishedStatus")
    lifecycle_status: str = Field("", alias="lifecycleStatus")
    unpublished_reasons: dict[str, Any] | None = Field(None, alias="unpublishedReasons")

    def reasons(self) -> list[str]:
        return [str(r) for r in (self.unpublished_reasons or {}).get("reason") or []]


class ItemsPage(AnswerModel):
    items: list[Item] = Field(default_factory=list, alias="ItemResponse")
    total_items: int | None = Field(None, alias="totalItems")
    next_cursor: str | None = Field(None, alias="nextCursor")


# --- orders --------------------------------------------------------------------------------------
class Amount(AnswerModel):
    currency: str = ""
    amount: float = 0.0


class Quantity(AnswerModel):
    unit: str = Field("EACH", alias="unitOfMeasurement")
    amount: str = "0"

    @property
    def units(self) -> int:
        return int(float(self.amount or 0))


class Charge(AnswerModel):
    charge_type: str = Field(alias="chargeType")
    charge_name: str = Field("", alias="chargeName")
    amount: Amount = Field(alias="chargeAmount")
    tax: dict[str, Any] | None = None


class Charges(AnswerModel):
    charge: list[Charge] = Field(default_factory=list)


class Carrier(AnswerModel):
    carrier: str = ""
    other_carrier: str = Field("", alias="otherCarrier")


class TrackingInfo(AnswerModel):
    carrier_name: Carrier | None = Field(None, alias="carrierName")
    method_code: str = Field("", alias="methodCode")
    tracking_number: str = Field("", alias="trackingNumber")
    tracking_url: str = Field("", alias="trackingURL")


class LineStatus(AnswerModel):
    status: str
    quantity: Quantity = Field(alias="statusQuantity")
    cancellation_reason: str = Field("", alias="cancellationReason")
    tracking_info: TrackingInfo | None = Field(None, alias="trackingInfo")


class LineStatuses(AnswerModel):
    status: list[LineStatus] = Field(default_factory=list, alias="orderLineStatus")


class LineItem(AnswerModel):
    product_name: str = Field("", alias="productName")
    sku: str


class OrderLine(AnswerModel):
    line_number: str = Field(alias="lineNumber")
    item: LineItem
    charges: Charges = Field(default_factory=Charges)
    quantity: Quantity = Field(alias="orderLineQuantity")
    status_date: int = Field(0, alias="statusDate")
    statuses: LineStatuses = Field(default_factory=LineStatuses, alias="orderLineStatuses")

    def units(self, status: str) -> int:
        return sum(s.quantity.units for s in self.statuses.status if s.status == status)


class OrderLines(AnswerModel):
    line: list[OrderLine] = Field(default_factory=list, alias="orderLine")


class PostalAddress(AnswerModel):
    name: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = Field("", alias="postalCode")
    country: str = ""


class ShippingInfo(AnswerModel):
    phone: str = ""
    method_code: str = Field("", alias="methodCode")
    postal_address: PostalAddress | None = Field(None, alias="postalAddress")


class PurchaseOrder(AnswerModel):
    purchase_order_id: str = Field(alias="purchaseOrderId")
    customer_order_id: str = Field(alias="customerOrderId")
    customer_email: str = Field("", alias="customerEmailId")
    order_date: int = Field(alias="orderDate")
    shipping_info: ShippingInfo | None = Field(None, alias="shippingInfo")
    order_lines: OrderLines = Field(default_factory=OrderLines, alias="orderLines")

    @property
    def lines(self) -> list[OrderLine]:
        return self.order_lines.line


class OrdersMeta(AnswerModel):  # of orders and of returns
    total_count: int | None = Field(None, alias="totalCount")
    limit: int | None = None
    next_cursor: str | None = Field(None, alias="nextCursor")


class OrderElements(AnswerModel):
    order: list[PurchaseOrder] = Field(default_factory=list)


class OrdersList(AnswerModel):
    meta: OrdersMeta
    elements: OrderElements = Field(default_factory=OrderElements)


class OrdersAnswer(AnswerModel):
    page: OrdersList = Field(alias="list")


# --- returns -------------------------------------------------------------------------------------
class ReturnItem(AnswerModel):
    sku: str = ""
    product_name: str = Field("", alias="productName")


class ReturnQuantity(AnswerModel):
    value: float = Field(0, alias="measurementValue")


class ReturnLine(AnswerModel):
    number: int = Field(alias="returnOrderLineNumber")
    purchase_order_id: str = Field("", alias="purchaseOrderId")
    purchase_order_line: int | None = Field(None, alias="purchaseOrderLineNumber")
    return_reason: str = Field("", alias="returnReason")
    item: ReturnItem = Field(default_factory=ReturnItem)
    quantity: ReturnQuantity | None = None
    refunded_qty: float | None = Field(None, alias="refundedQty")
    status: str = ""
    current_refund_status: str = Field("", alias="currentRefundStatus")
    cancellation_reason: str = Field("", alias="returnCancellationReason")


class ReturnOrder(AnswerModel):
    return_order_id: str = Field(alias="returnOrderId")
    customer_order_id: str = Field("", alias="customerOrderId")
    return_order_date: str = Field("", alias="returnOrderDate")
    lines: list[ReturnLine] = Field(default_factory=list, alias="returnOrderLines")


class ReturnsPage(AnswerModel):
    meta: OrdersMeta
    returns: list[ReturnOrder] = Field(default_factory=list, alias="returnOrders")
