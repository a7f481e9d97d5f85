"""Amazon's answers as pydantic models (wire names as in the official models).

Orders v0 wraps every answer in ``payload``; Feeds 2021-06-30 and Listings Items 2021-08-01 do
not. Only the fields the adapter reads are declared; the rest are kept (``extra="allow"``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..kit.answers import AnswerModel, answer_parser

parse_answer = answer_parser("Amazon")


def error_text(body: Any) -> str:
    """The readable part of an SP-API error body ``{"errors": [{code, message, details}]}``."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return str(body)[:300]
    parts = []
    for error in errors[:5]:
        if isinstance(error, dict):
            text = f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
            if error.get("details"):
                text += f" ({error['details']})"
            parts.append(text)
    return "; ".join(parts) or str(body)[:300]


# --- listings -------------------------------------------------------------------------------
class Issue(AnswerModel):
    code: str = ""
    message: str = ""
    severity: str = ""
    attribute_names: list[str] = Field(default_factory=list, alias="attributeNames")


class ListingsSubmission(AnswerModel):
    sku: str
    status: str  # ACCEPTED | INVALID | VALID
    submission_id: str = Field("", alias="submissionId")
    issues: list[Issue] = Field(default_factory=list)


# --- feeds ----------------------------------------------------------------------------------
class FeedDocument(AnswerModel):
    feed_document_id: str = Field(alias="feedDocumentId")
    url: str
    compression_algorithm: str | None = Field(None, alias="compressionAlgorithm")


class ReportDocument(AnswerModel):
    report_document_id: str = Field(alias="reportDocumentId")
    url: str
    compression_algorithm: str | None = Field(None, alias="compressionAlgorithm")


class FeedCreated(AnswerModel):
    feed_id: str = Field(alias="feedId")


class FeedAnswer(AnswerModel):
    feed_id: str = Field(alias="feedId")
    processing_status: str = Field(alias="processingStatus")
    result_feed_document_id: str | None = Field(None, alias="resultFeedDocumentId")


class ReportIssue(AnswerModel):
    message_id: int | None = Field(None, alias="messageId")  # absent for a feed-level issue
    sku: str = ""
    code: str = ""
    severity: str = ""
    message: str = ""
    attribute_name: str = Field("", alias="attributeName")


class ReportSummary(AnswerModel):
    errors: int = 0
    warnings: int = 0
    messages_processed: int = Field(0, alias="messagesProcessed")
    messages_accepted: int = Field(0, alias="messagesAccepted")
    messages_invalid: int = Field(0, alias="messagesInvalid")


class ProcessingReport(AnswerModel):
    """A JSON_LISTINGS_FEED processing report (listings-feed-processing-report-schema-v2)."""

    header: dict[str, Any]
    issues: list[ReportIssue] = Field(default_factory=list)
    summary: ReportSummary


# --- orders ---------------------------------------------------------------------------------
class Money(AnswerModel):
    currency_code: str = Field("", alias="CurrencyCode")
    amount: str = Field("0", alias="Amount")


class Money2(AnswerModel):
    """Money of the 2020s APIs (Listings Items offers, Orders 2026-01-01)."""

    currency_code: str = Field("", alias="currencyCode")
    amount: str = "0"


class Address(AnswerModel):
    name: str = Field("", alias="Name")
    line1: str = Field("", alias="AddressLine1")
    line2: str = Field("", alias="AddressLine2")
    line3: str = Field("", alias="AddressLine3")
    city: str = Field("", alias="City")
    county: str = Field("", alias="County")
    district: str = Field("", alias="District")
    state: str = Field("", alias="StateOrRegion")
    postcode: str = Field("", alias="PostalCode")
    country: str = Field("", alias="CountryCode")
    phone: str = Field("", alias="Phone")
    company: str = Field("", alias="CompanyName")


class BuyerInfo(AnswerModel):
    email: str = Field("", alias="BuyerEmail")
    name: str = Field("", alias="BuyerName")


class Order(AnswerModel):
    order_id: str = Field(alias="AmazonOrderId")
    purchase_date: str = Field(alias="PurchaseDate")
    last_update_date: str = Field(alias="LastUpdateDate")
    status: str = Field(alias="OrderStatus")
    total: Money | None = Field(None, alias="OrderTotal")
    marketplace_id: str = Field("", alias="MarketplaceId")
    fulfillment_channel: str = Field("", alias="FulfillmentChannel")
    shipping_address: Address | None = Field(None, alias="ShippingAddress")
    buyer: BuyerInfo | None = Field(None, alias="BuyerInfo")


class OrderPage(AnswerModel):
    payload: Order


class OrdersPayload(AnswerModel):
    orders: list[Order] = Field(default_factory=list, alias="Orders")
    next_token: str | None = Field(None, alias="NextToken")
    last_updated_before: str | None = Field(None, alias="LastUpdatedBefore")


class OrdersPage(AnswerModel):
    payload: OrdersPayload


class OrderItem(AnswerModel):
    order_item_id: str = Field(alias="OrderItemId")
    sku: str = Field("", alias="SellerSKU")
    asin: str = Field("", alias="ASIN")
    title: str = Field("", alias="Title")
    quantity: int = Field(alias="QuantityOrdered")
    shipped: int = Field(0, alias="QuantityShipped")
    item_price: Money | None = Field(None, alias="ItemPrice")  # the line's total (unit price x quantity)
    item_tax: Money | None = Field(None, alias="ItemTax")
    promotion_discount: Money | None = Field(None, alias="PromotionDiscount")
    shipping_price: Money | None = Field(None, alias="ShippingPrice")


class OrderItemsPayload(AnswerModel):
    items: list[OrderItem] = Field(default_factory=list, alias="OrderItems")
    next_token: str | None = Field(None, alias="NextToken")
    order_id: str = Field("", alias="AmazonOrderId")


class OrderItemsPage(AnswerModel):
    payload: OrderItemsPayload


# --- listings search (searchListingsItems) ----------------------------------------------------
class ListedOffer(AnswerModel):
    marketplace_id: str = Field("", alias="marketplaceId")
    offer_type: str = Field("", alias="offerType")
    price: Money2 | None = None


class ListedItem(AnswerModel):
    sku: str
    summaries: list[dict[str, Any]] = Field(default_factory=list)
    offers: list[ListedOffer] = Field(default_factory=list)
    availability: list[dict[str, Any]] = Field(default_factory=list, alias="fulfillmentAvailability")


class Pagination(AnswerModel):
    next_token: str | None = Field(None, alias="nextToken")


class ListingsPage(AnswerModel):
    items: list[ListedItem] = Field(default_factory=list)
    pagination: Pagination | None = None


# --- reports ----------------------------------------------------------------------------------
class ReportCreated(AnswerModel):
    report_id: str = Field(alias="reportId")


class Report(AnswerModel):
    report_id: str = Field(alias="reportId")
    processing_status: str = Field(alias="processingStatus")
    data_start_time: str = Field("", alias="dataStartTime")
    data_end_time: str = Field("", alias="dataEndTime")
    document_id: str | None = Field(None, alias="reportDocumentId")


class ReportList(AnswerModel):
    reports: list[Report] = Field(default_factory=list)


# --- Orders 2026-01-01 (camelCase, no payload wrapper) ----------------------------------------
class PackageState(AnswerModel):
    status: str = ""


class Package(AnswerModel):
    reference: str = Field(alias="packageReferenceId")
    state: PackageState | None = Field(None, alias="packageStatus")
    carrier: str = ""
    tracking_number: str = Field("", alias="trackingNumber")


class Order2026(AnswerModel):
    order_id: str = Field(alias="orderId")
    created: str = Field(alias="createdTime")
    updated: str = Field(alias="lastUpdatedTime")
    fulfillment: dict[str, Any] = Field(default_factory=dict)
    buyer: dict[str, Any] = Field(default_factory=dict)
    recipient: dict[str, Any] = Field(default_factory=dict)
    proceeds: dict[str, Any] = Field(default_factory=dict)
    items: list[dict[str, Any]] = Field(default_factory=list, alias="orderItems")
    packages: list[Package] = Field(default_factory=list)


class SearchOrdersPage(AnswerModel):
    orders: list[Order2026] = Field(default_factory=list)
    pagination: Pagination | None = None
