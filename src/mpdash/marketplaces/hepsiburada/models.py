"""Pydantic models of the Hepsiburada listing, catalog and order (OMS) API answers, and the parse helpers.

Shapes follow the listing integration's OpenAPI schema (``StockUploadResultRepresentation``,
``PriceUploadResultRepresentation``, ``ExternalListingsRepresentation``, ``Listing``) and
answers recorded by public integrators. Where a shape is not documented the model says so.
Unknown extra fields are kept (``extra="allow"``) so that a new field never breaks parsing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import AliasChoices, Field, field_validator, model_validator

from ..errors import RequestRejected
from ..kit.answers import AnswerModel, answer_parser

FINISHED_STATUSES = frozenset({"done", "failed"})  # the documented end states
FAILED_STATUSES = frozenset({"failed"})


_Model = AnswerModel
parse_answer = answer_parser("Hepsiburada")


class UploadAccepted(_Model):
    """Answer to a stock/price/inventory upload: only the upload id.

    The OpenAPI schema names it ``id``; integrators have recorded ``Id`` from production,
    so both spellings are accepted.
    """

    id: str = Field(min_length=1, validation_alias=AliasChoices("id", "Id"))


class UploadItemError(_Model):
    """One rejected element of an upload (``Error`` in the OpenAPI schema)."""

    element_no: int | None = Field(None, alias="elementNo")  # 1-based index into the sent array
    hepsiburada_sku: str | None = Field(None, alias="hepsiburadaSku")
    merchant_sku: str | None = Field(None, alias="merchantSku")
    errors: list[str] = Field(default_factory=list)


class RegulativePriceDetail(_Model):
    min_amount: float | None = Field(None, alias="minAmount")
    max_amount: float | None = Field(None, alias="maxAmount")
    category_name: str | None = Field(None, alias="categoryName")


class PriceValidation(_Model):
    """A price outside Hepsiburada's band: the listing was locked (``MinLock``/``MaxLock``)."""

    element_no: int | None = Field(None, alias="elementNo")
    hepsiburada_sku: str | None = Field(None, alias="hepsiburadaSku")
    merchant_sku: str | None = Field(None, alias="merchantSku")
    type: str | None = None
    min_price: float | None = Field(None, alias="minPrice")
    max_price: float | None = Field(None, alias="maxPrice")
    regulative_price_detail: RegulativePriceDetail | None = Field(None, alias="regulativePriceDetail")
    description: str | None = None


class UploadStatus(_Model):
    """Answer to ``GET …/{kind}-uploads/id/{id}``.

    Documented end states are ``Done`` and ``Failed``; the schema declares ``status`` as a
    free string, so any other value is treated as still in progress (the simulator uses
    ``Pending``, a guess). ``processed`` is not in the schema but appears in recorded answers.
    """

    id: str = Field(min_length=1)
    status: str = Field(min_length=1)
    created_at: datetime | None = Field(None, alias="createdAt")
    total: int | None = None
    processed: int | None = None
    errors: list[UploadItemError] = Field(default_factory=list)
    price_validations: list[PriceValidation] = Field(default_factory=list, alias="priceValidations")

    @property
    def is_finished(self) -> bool:
        return self.status.strip().lower() in FINISHED_STATUSES

    @property
    def is_failed(self) -> bool:
        return self.status.strip().lower() in FAILED_STATUSES


class ListingItem(_Model):
    """One listing (``Listing`` in the OpenAPI schema); only the fields we read are typed."""

    hepsiburada_sku: str | None = Field(None, alias="hepsiburadaSku")
    merchant_sku: str | None = Field(None, alias="merchantSku")
    price: Decimal | None = None
    available_stock: int | None = Field(None, alias="availableStock")
    is_salable: bool | None = Field(None, alias="isSalable")
    lock_reasons: list[str] = Field(default_factory=list, alias="lockReasons")
    deactivation_reasons: list[str] = Field(default_factory=list, alias="deactivationReasons")


class ListingsPage(_Model):
    """Answer to ``GET /listings/merchantid/{merchantId}?offset&limit`` (``listings`` may be null)."""

    listings: list[ListingItem] = Field(default_factory=list)
    total_count: int = Field(alias="totalCount", ge=0)
    limit: int | None = None
    offset: int | None = None


# --- catalog (mpop) ---------------------------------------------------------------------
# Shapes from Hepsiburada's catalog OpenAPI document ("KATALOG ÜRÜN ENTEGRASYONU":
# PageResponseBaseCategoryDTO, ResponseAttributeResponse, ImportStatusDTO,
# ResponseListProductStatusResponseDTO, ImportProductInformationDTO) and the product update
# document ("ÜRÜN GÜNCELLEME ENTEGRASYONU": PageResponseIntegratorImportStatusDto), as
# scraped into public SDKs; ``available`` on categories is not in that schema but appears in
# answers integrators recorded. Every catalog answer is wrapped in
# ``{success, code (0 = ok), version, message, [totalElements, totalPages, number, last,] data}``.


def _id_as_text(value: Any) -> Any:
    """Ids arrive as numbers or strings depending on the endpoint; keep them as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


class CatalogEnvelope(_Model):
    """The wrapper's paging fields (``success`` and ``code`` are read by :func:`parse_catalog`)."""

    total_elements: int | None = Field(None, alias="totalElements", ge=0)
    total_pages: int | None = Field(None, alias="totalPages", ge=0)
    last: bool | None = None


class CategoryItem(_Model):
    category_id: str = Field(alias="categoryId", min_length=1)
    name: str
    display_name: str | None = Field(None, alias="displayName")
    parent_category_id: str | None = Field(None, alias="parentCategoryId")
    leaf: bool = False
    status: str | None = None
    available: bool | None = None  # absent from the schema; recorded answers carry it

    _ids = field_validator("category_id", "parent_category_id", mode="before")(_id_as_text)

    @property
    def can_take_products(self) -> bool:
        """Products open only under leaf, ACTIVE and available categories (Katalog Önemli Bilgiler)."""
        return self.leaf and self.is_active

    @property
    def is_active(self) -> bool:
        return (self.status or "ACTIVE").upper() == "ACTIVE" and self.available is not False


class CategoriesPage(CatalogEnvelope):
    data: list[CategoryItem] = Field(default_factory=list)


class AttributeDefinition(_Model):
    id: str = Field(min_length=1)
    name: str
    mandatory: bool = False
    type: str | None = None
    multi_value: bool = Field(False, alias="multiValue")

    _ids = field_validator("id", mode="before")(_id_as_text)


class CategoryAttributes(_Model):
    base_attributes: list[AttributeDefinition] = Field(default_factory=list, alias="baseAttributes")
    attributes: list[AttributeDefinition] = Field(default_factory=list)
    variant_attributes: list[AttributeDefinition] = Field(default_factory=list, alias="variantAttributes")


class CategoryAttributesAnswer(CatalogEnvelope):
    data: CategoryAttributes


class AttributeValueItem(_Model):
    id: str = Field(min_length=1)
    value: str

    _ids = field_validator("id", mode="before")(_id_as_text)


class AttributeValuesPage(CatalogEnvelope):
    data: list[AttributeValueItem] = Field(default_factory=list)


class TrackingId(_Model):
    tracking_id: str = Field(alias="trackingId", min_length=1)


class ImportAccepted(CatalogEnvelope):
    """Answer to an import or update upload: ``{…, data: {trackingId}}``, or, for the
    ticket-api product update, ``{…, trackingId}`` at the top level (the form issue 17 quotes
    from the published spec's example; guess: not confirmed in the search corpus on
    2026-12-06, so both forms are read)."""

    data: TrackingId

    @model_validator(mode="before")
    @classmethod
    def _top_level_tracking_id(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("data") in (None, {}) and value.get("trackingId"):
            return {**value, "data": {"trackingId": value["trackingId"]}}
        return value


class ImportMessage(_Model):
    severity: str | None = None  # INFORMATION | ERROR | WARNING
    message: str | None = None


class ValidationResult(_Model):
    attribute_name: str | None = Field(None, alias="attributeName")
    message: str | None = None


class TaskDetail(_Model):
    reason: str | None = None


def _reasons(validation: list[ValidationResult], rejects: list[str], tasks: list[TaskDetail]) -> list[str]:
    out: list[str] = []
    for result in validation:
        if result.message:
            named = result.attribute_name and result.attribute_name not in result.message
            out.append(f"{result.message} ({result.attribute_name})" if named else result.message)
    out += [text for text in rejects if text]
    out += [task.reason for task in tasks if task.reason]
    return list(dict.fromkeys(out))


class ImportStatusItem(_Model):
    """One product of an import (``ImportStatusDTO``)."""

    item_order_id: int | None = Field(None, alias="itemOrderID")
    merchant: str | None = None
    merchant_sku: str | None = Field(None, alias="merchantSku")
    hb_sku: str | None = Field(None, alias="hbSku")
    barcode: str | None = None
    product_status: str | None = Field(None, alias="productStatus")
    import_status: str | None = Field(None, alias="importStatus")  # SUCCESS | FAILED | PROCESSING
    import_messages: list[ImportMessage] = Field(default_factory=list, alias="importMessages")
    validation_results: list[ValidationResult] = Field(default_factory=list, alias="validationResults")
    reject_reasons_messages: list[str] = Field(default_factory=list, alias="rejectReasonsMessages")
    task_details: list[TaskDetail] = Field(default_factory=list, alias="taskDetails")


    def reasons(self) -> list[str]:
        """Why the product failed or was rejected, most specific first."""
        errors = [m.message for m in self.import_messages
                  if m.message and (m.severity or "ERROR").upper() != "INFORMATION"]
        return list(dict.fromkeys(
            _reasons(self.validation_results, self.reject_reasons_messages, self.task_details) + errors))


class ImportStatusPage(CatalogEnvelope):
    data: list[ImportStatusItem] = Field(default_factory=list)


class SkuStatus(_Model):
    merchant_sku: str | None = Field(None, alias="merchantSku")
    status: str | None = None


class MerchantSkuStatuses(_Model):
    merchant: str | None = None
    sku_status_list: list[SkuStatus] = Field(default_factory=list, alias="skuStatusList")


class ProductStatusAnswer(CatalogEnvelope):
    """Answer to ``POST /product/api/products/check-product-status``."""

    data: list[MerchantSkuStatuses] = Field(default_factory=list)


class ProductInformation(_Model):
    """One product of ``products-by-merchant-and-status`` (``ImportProductInformationDTO``)."""

    merchant_sku: str | None = Field(None, alias="merchantSku")
    barcode: str | None = None
    hb_sku: str | None = Field(None, alias="hbSku")
    product_name: str | None = Field(None, alias="productName")
    product_status: str | None = Field(None, alias="productStatus")
    validation_results: list[ValidationResult] = Field(default_factory=list, alias="validationResults")
    reject_reasons_messages: list[str] = Field(default_factory=list, alias="rejectReasonsMessages")
    task_details: list[TaskDetail] = Field(default_factory=list, alias="taskDetails")


    def reasons(self) -> list[str]:
        return _reasons(self.validation_results, self.reject_reasons_messages, self.task_details)


class ProductsByStatusPage(CatalogEnvelope):
    data: list[ProductInformation] = Field(default_factory=list)


class UpdateFieldResult(_Model):
    field_name: str | None = Field(None, alias="fieldName")  # NAME, DESCRIPTION, MEDIA, ATTRIBUTE…
    reject_reason: str | None = Field(None, alias="rejectReason")
    field_result: str | None = Field(None, alias="fieldResult")  # APPROVED | REJECTED | IN_PROGRESS | PARTIAL_APPROVED
    attributes: list[dict[str, Any]] = Field(default_factory=list)


class UpdateStatusItem(_Model):
    hb_sku: str | None = Field(None, alias="hbSku")
    message: str | None = None
    product_status: str | None = Field(None, alias="productStatus")  # COMPLETED | UNCOMPLETED
    update_results: list[UpdateFieldResult] = Field(default_factory=list, alias="updateResults")


class UpdateStatusEntry(_Model):
    merchant_id: str | None = Field(None, alias="merchantId")
    items: list[UpdateStatusItem] = Field(default_factory=list)


class UpdateStatusPage(CatalogEnvelope):
    data: list[UpdateStatusEntry] = Field(default_factory=list)


# --- order side (OMS) ---------------------------------------------------------------------
# Shapes from Hepsiburada's order OpenAPI document ("SİPARİŞ OLUŞTURMA ENTEGRASYONU":
# OpenLineItemsRepresentationWithPaging, LineRepresentation, ExternalRawPackageRepresentation,
# PackageLine, ExternalTrackingInfoRepresentation, Shipped/Delivered/UndeliveredDeliveries…,
# CancelledOrderLineRepresentation, DeletedDeliveriesWithPagination, CreateDeliveryResponse)
# and its claim document ("TALEP ENTEGRASYONU": Claim). Fields an unofficial client observed
# in production answers but the documents lack are marked "undocumented"; fields marked
# "guess" are read when present and never required.


class Money(_Model):
    amount: Decimal | None = None
    currency: str | None = None


def _amount(money: Money | None) -> Decimal:
    return money.amount if money is not None and money.amount is not None else Decimal("0")


class OmsPage(_Model):
    """The paging fields every OMS listing answers with."""

    total_count: int = Field(alias="totalCount", ge=0)


class OrderAddress(_Model):
    """``AddressRepresentation`` (district is mahalle/semt, town is ilçe)."""

    name: str | None = None
    address: str | None = None
    city: str | None = None
    town: str | None = None
    district: str | None = None
    country_code: str | None = Field(None, alias="countryCode")
    postal_code: str | None = Field(None, alias="postalCode")
    phone_number: str | None = Field(None, alias="phoneNumber")
    email: str | None = None


class OrderInvoice(_Model):
    address: OrderAddress | None = None
    tax_number: str | None = Field(None, alias="taxNumber")
    tax_office: str | None = Field(None, alias="taxOffice")
    turkish_identity_number: str | None = Field(None, alias="turkishIdentityNumber")


class CargoCompanyInfo(_Model):
    id: int | None = None
    name: str | None = None
    short_name: str | None = Field(None, alias="shortName")
    tracking_url: str | None = Field(None, alias="trackingUrl")


class PaidLine(_Model):
    """One paid, not yet packaged order line (``LineRepresentation``)."""

    id: str = Field(min_length=1)
    order_number: str = Field(alias="orderNumber", min_length=1)
    order_id: str | None = Field(None, alias="orderId")
    order_date: datetime | None = Field(None, alias="orderDate")
    last_status_update_date: datetime | None = Field(None, alias="lastStatusUpdateDate")
    status: str | None = None
    sku: str | None = None  # the Hepsiburada sku
    merchant_sku: str | None = Field(None, alias="merchantSKU",
                                     validation_alias=AliasChoices("merchantSKU", "merchantSku"))
    name: str | None = None
    quantity: int = Field(ge=0)
    unit_price: Money | None = Field(None, alias="unitPrice")
    total_price: Money | None = Field(None, alias="totalPrice")
    hb_discount: dict[str, Money | None] | None = Field(None, alias="hbDiscount")
    merchant_discount: dict[str, Money | None] | None = Field(None, alias="merchantDiscount")
    vat_rate: Decimal | None = Field(None, alias="vatRate")
    can_create_package: bool | None = Field(None, alias="canCreatePackage")
    customer_id: str | None = Field(None, alias="customerId")
    customer_name: str | None = Field(None, alias="customerName")
    shipping_address: OrderAddress | None = Field(None, alias="shippingAddress")
    invoice: OrderInvoice | None = None
    cargo_company: str | None = Field(None, alias="cargoCompany")
    cargo_company_model: CargoCompanyInfo | None = Field(None, alias="cargoCompanyModel")
    is_micro_export: bool | None = Field(None, alias="isMicroExport")

    def discount_total(self) -> Decimal:
        """Discounts on the whole line (Hepsiburada's and the merchant's)."""
        return sum((_amount((d or {}).get("totalPrice")) for d in (self.hb_discount, self.merchant_discount)),
                   Decimal("0"))


class PaidLinesPage(OmsPage):
    """Answer to ``GET /orders/merchantid/{merchantId}?offset&limit[&begindate&enddate]``."""

    items: list[PaidLine] = Field(default_factory=list)


class PackageLine(_Model):
    """One line of a package (``PackageLine``)."""

    line_item_id: str = Field(alias="lineItemId", min_length=1)
    order_number: str | None = Field(None, alias="orderNumber")
    order_date: datetime | None = Field(None, alias="orderDate")
    merchant_sku: str | None = Field(None, alias="merchantSku")
    hb_sku: str | None = Field(None, alias="hbSku")
    product_name: str | None = Field(None, alias="productName")
    quantity: int = Field(ge=0)
    price: Money | None = None  # unit price
    total_price: Money | None = Field(None, alias="totalPrice")
    total_hb_discount: Money | None = Field(None, alias="totalHBDiscount")
    total_merchant_discount: Money | None = Field(None, alias="totalMerchantDiscount")
    vat_rate: Decimal | None = Field(None, alias="vatRate")
    is_micro_export: bool | None = Field(None, alias="isMicroExport")

    def discount_total(self) -> Decimal:
        return _amount(self.total_hb_discount) + _amount(self.total_merchant_discount)


class Package(_Model):
    """One package of ``GET /packages/merchantid/{merchantId}`` (``ExternalRawPackageRepresentation``)."""

    id: str | None = None
    package_number: str = Field(alias="packageNumber", min_length=1)
    barcode: str | None = None
    status: str | None = None
    cargo_company: str | None = Field(None, alias="cargoCompany")
    order_date: datetime | None = Field(None, alias="orderDate")
    due_date: datetime | None = Field(None, alias="dueDate")
    unpacked_date: datetime | None = Field(None, alias="unpackedDate")
    last_status_update_date: datetime | None = Field(None, alias="lastStatusUpdateDate")  # guess: as on lines
    customer_id: str | None = Field(None, alias="customerId")
    customer_name: str | None = Field(None, alias="customerName")
    email: str | None = None
    phone_number: str | None = Field(None, alias="phoneNumber")
    recipient_name: str | None = Field(None, alias="recipientName")
    shipping_address_detail: str | None = Field(None, alias="shippingAddressDetail")
    shipping_city: str | None = Field(None, alias="shippingCity")
    shipping_town: str | None = Field(None, alias="shippingTown")
    shipping_district: str | None = Field(None, alias="shippingDistrict")
    shipping_country_code: str | None = Field(None, alias="shippingCountryCode")
    company_name: str | None = Field(None, alias="companyName")
    billing_address: str | None = Field(None, alias="billingAddress")
    billing_city: str | None = Field(None, alias="billingCity")
    billing_town: str | None = Field(None, alias="billingTown")
    billing_district: str | None = Field(None, alias="billingDistrict")
    billing_postal_code: str | None = Field(None, alias="billingPostalCode")
    billing_country_code: str | None = Field(None, alias="billingCountryCode")
    tax_office: str | None = Field(None, alias="taxOffice")
    tax_number: str | None = Field(None, alias="taxNumber")
    identity_no: str | None = Field(None, alias="identityNo")
    total_price: Money | None = Field(None, alias="totalPrice")
    shipping_total_price: Money | None = Field(None, alias="shippingTotalPrice")
    items: list[PackageLine] = Field(default_factory=list)


class PackageCreated(_Model):
    """Answer to ``POST /packages/merchantid/{merchantId}`` (``CreateDeliveryResponse``)."""

    package_number: str = Field(alias="packageNumber", min_length=1)
    barcode: str | None = None


class TrackingInfo(_Model):
    """Answer to ``GET /packages/merchantid/{merchantId}/packagenumber/{packageNumber}``."""

    package_number: str | None = Field(None, alias="packageNumber")
    barcode: str | None = None
    status: str | None = None
    cargo_company: str | None = Field(None, alias="cargoCompany")
    tracking_info_code: str | None = Field(None, alias="trackingInfoCode")
    tracking_info_url: str | None = Field(None, alias="trackingInfoUrl")
    deci: Decimal | None = None
    estimated_arrival_date: datetime | None = Field(None, alias="estimatedArrivalDate")


class LabelData(_Model):
    """Answer to ``GET …/packagenumber/{packageNumber}/labels?format=`` (``BarcodeData``)."""

    data: list[str] = Field(default_factory=list)
    format: str | None = None


class StatusPackage(_Model):
    """One package of the shipped, delivered or undelivered listings (PascalCase on the wire)."""

    id: str | None = Field(None, alias="Id")
    package_number: str = Field(alias="PackageNumber", min_length=1)
    barcode: str | None = Field(None, alias="Barcode")
    order_number: str | None = Field(None, alias="OrderNumber")
    order_numbers: list[str] = Field(default_factory=list, alias="OrderNumbers")
    shipped_date: datetime | None = Field(None, alias="ShippedDate")
    delivered_date: datetime | None = Field(None, alias="DeliveredDate")
    undelivered_date: datetime | None = Field(None, alias="UndeliveredDate")


    @property
    def status_date(self) -> datetime | None:
        return self.delivered_date or self.undelivered_date or self.shipped_date


class StatusPackagesPage(OmsPage):
    items: list[StatusPackage] = Field(default_factory=list)


class CancelledLine(_Model):
    """One line of ``GET /orders/merchantid/{merchantId}/cancelled`` (``CancelledOrderLineRepresentation``)."""

    line_item_id: str = Field(alias="lineItemId", min_length=1)
    order_number: str | None = Field(None, alias="orderNumber")
    merchant_sku: str | None = Field(None, alias="merchantSku")
    sku: str | None = None
    quantity: int | None = None
    cancel_date: datetime | None = Field(None, alias="cancelDate")
    cancel_reason_code: str | None = Field(None, alias="cancelReasonCode")
    cancelled_by: str | None = Field(None, alias="cancelledBy")


class CancelledLinesPage(OmsPage):
    items: list[CancelledLine] = Field(default_factory=list)


class UnpackedPackage(_Model):
    package_number: str = Field(alias="packageNumber", min_length=1)
    barcode: str | None = None
    unpacked_date: datetime | None = Field(None, alias="unpackedDate")


class UnpackedPage(OmsPage):
    """Answer to ``GET /packages/merchantid/{merchantId}/status/unpacked``.

    The document declares an *array* of these page objects; a single object is read too
    (guess: the array is the document's mistake).
    """

    items: list[UnpackedPackage] = Field(default_factory=list)


class Claim(_Model):
    """One claim (``Claim`` of the claim document; PascalCase fields are undocumented but observed)."""

    id: str | None = None
    # The claim number arrives as "number" or as "claimNumber" (both spellings occur in
    # Hepsiburada's claim answers as summarised in issue 17; guess: which of the two each
    # endpoint uses was not verified against the published spec on 2026-12-06).
    number: str = Field(min_length=1, validation_alias=AliasChoices("number", "claimNumber"))
    status: str = Field(min_length=1)
    claim_date: datetime | None = Field(None, alias="claimDate")
    last_status_update_date: datetime | None = Field(None, alias="lastStatusUpdateDate")  # guess
    order_number: str | None = Field(None, alias="orderNumber")
    order_date: datetime | None = Field(None, alias="orderDate")
    sku: str | None = None
    merchant_sku: str | None = Field(None, alias="MerchantSku",
                                     validation_alias=AliasChoices("MerchantSku", "merchantSku"))
    line_item_id: str | None = Field(None, alias="lineItemId")
    quantity: int | None = None
    reason: str | None = Field(None, alias="Reason", validation_alias=AliasChoices("Reason", "reason"))
    explanation: str | None = None
    customer_name: str | None = Field(None, alias="customerName")
    refund_date: datetime | None = Field(None, alias="refundDate")


class ClaimsPage(_Model):
    """One page of claims: the answer is a bare array; the total comes in ``X-Total-Count``."""

    items: list[Claim] = Field(default_factory=list)
    total_count: int | None = None


CatalogT = TypeVar("CatalogT", bound=CatalogEnvelope)


def parse_catalog(model: type[CatalogT], data: Any, what: str) -> CatalogT:
    """Like :func:`parse_answer` for the catalog's wrapped answers; a 200 with
    ``success: false`` or a non-zero ``code`` is Hepsiburada refusing the request."""
    if isinstance(data, dict) and (data.get("success") is False or data.get("code") not in (None, 0)):
        code, message = data.get("code"), data.get("message") or "no message"
        raise RequestRejected(f"{what}: Hepsiburada refused the request (code {code}): {message}",
                              body=repr(data)[:500])
    return parse_answer(model, data, what)
