"""Pydantic models of Trendyol's API answers, and the parse helper.

Shapes follow Trendyol's developer documentation (the OpenAPI definitions and sample
answers of getCategoryTree, getCategoryAttributes v2, getCategoryAttributeValues v2,
getBrands, getBatchRequestResult, filterApprovedProducts and filterUnapprovedProducts v2)
as summarised in the shared API reference. Where Trendyol's own pages disagree the model
accepts both spellings and says so. Unknown extra fields are kept (``extra="allow"``) so that a new field never breaks
parsing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import (
    AliasChoices,
    ConfigDict,
    Field,
    RootModel,
    field_validator,
    model_validator,
)

from ..kit.answers import AnswerModel, answer_parser
from ..kit.pages import NumberedPage

BATCH_COMPLETED = "COMPLETED"
ITEM_SUCCESS = "SUCCESS"
# Trendyol documents FAILED; some of its pages spell it FAILURE.
ITEM_FAILED = frozenset({"FAILED", "FAILURE"})
ITEM_FINAL = frozenset({ITEM_SUCCESS, *ITEM_FAILED})


_Model = AnswerModel
parse_answer = answer_parser("Trendyol")


# --- writes -------------------------------------------------------------------------------
class BatchAccepted(_Model):
    """Answer to every asynchronous write: ``{"batchRequestId": "…"}`` ("queued", not "done")."""

    batch_request_id: str = Field(min_length=1, alias="batchRequestId")


class BatchItem(_Model):
    """One item of a batch result: the item as Trendyol read it, its status and why it failed."""

    request_item: dict[str, Any] = Field(default_factory=dict, alias="requestItem")
    status: str | None = None
    failure_reasons: list[str] = Field(default_factory=list, alias="failureReasons")

    @field_validator("request_item", mode="before")
    @classmethod
    def _empty_request_item(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("failure_reasons", mode="before")
    @classmethod
    def _reasons_as_text(cls, value: Any) -> Any:
        """Reasons are documented as strings; an object (``{"message": …}``) is read as its text."""
        if value is None:
            return []
        if isinstance(value, list):
            out = []
            for reason in value:
                if isinstance(reason, dict):
                    reason = reason.get("message") or reason.get("reason") or reason.get("key") or str(reason)
                out.append(str(reason))
            return out
        return value

    @property
    def product(self) -> dict[str, Any]:
        """The product of a create/update echo (``requestItem.product``), else the item itself."""
        product = self.request_item.get("product")
        return product if isinstance(product, dict) else self.request_item

    @property
    def barcode(self) -> str | None:
        value = self.request_item.get("barcode") or self.product.get("barcode")
        return None if value is None else str(value)

    @property
    def content_id(self) -> str | None:
        """The ``contentId`` of a content-bulk-update echo (as text), if any."""
        value = self.request_item.get("contentId")
        if value is None:
            value = self.product.get("contentId")
        return None if value is None else str(value)

    @property
    def stock_code(self) -> str | None:
        value = self.product.get("stockCode")
        return None if value is None else str(value)

    @property
    def is_final(self) -> bool:
        return (self.status or "").upper() in ITEM_FINAL

    @property
    def is_success(self) -> bool:
        return (self.status or "").upper() == ITEM_SUCCESS


class BatchResult(_Model):
    """Answer to ``GET …/products/batch-requests/{batchRequestId}``.

    Trendyol: "for stock and price batches the batch status field is not returned; check the
    item statuses". So a batch is finished when ``status`` says COMPLETED, or, without a
    ``status``, when it has items and every item has a final status (SUCCESS or FAILED).
    """

    batch_request_id: str = Field(min_length=1, alias="batchRequestId")
    status: str | None = None
    items: list[BatchItem] = Field(default_factory=list)
    creation_date: int | None = Field(None, alias="creationDate")
    last_modification: int | None = Field(None, alias="lastModification")
    source_type: str | None = Field(None, alias="sourceType")
    item_count: int | None = Field(None, alias="itemCount")
    failed_item_count: int | None = Field(None, alias="failedItemCount")
    batch_request_type: str | None = Field(None, alias="batchRequestType")


    @property
    def is_finished(self) -> bool:
        if self.status:
            return self.status.strip().upper() == BATCH_COMPLETED
        if not self.items:
            return False
        if self.item_count is not None and len(self.items) < self.item_count:
            return False
        return all(item.is_final for item in self.items)


# --- catalog ------------------------------------------------------------------------------
class Category(_Model):
    id: int
    name: str
    parent_id: int | None = Field(None, alias="parentId")
    sub_categories: list[Category] = Field(default_factory=list, alias="subCategories")


class CategoryTree(_Model):
    """``getCategoryTree``: ``{"categories": [...]}``; some of Trendyol's pages show the bare array."""

    categories: list[Category]

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        return {"categories": data} if isinstance(data, list) else data


class AttributeRef(_Model):
    id: int
    name: str


class CategoryAttribute(_Model):
    attribute: AttributeRef
    category_id: int | None = Field(None, alias="categoryId")
    required: bool = False
    allow_custom: bool = Field(False, alias="allowCustom")
    varianter: bool = False
    slicer: bool = False
    allow_multiple: bool = Field(False, alias="allowMultipleAttributeValues")


class CategoryAttributes(_Model):
    """``getCategoryAttributes`` v2 (no values inline; they come page by page)."""

    id: int
    name: str | None = None
    display_name: str | None = Field(None, alias="displayName")
    category_attributes: list[CategoryAttribute] = Field(default_factory=list, alias="categoryAttributes")


class AttributeValueItem(_Model):
    # The values page names them attributeValueId/attributeValueName; Trendyol's Turkish
    # guide shows attributeValue for the name, and v1 answers used id/name.
    id: int = Field(validation_alias=AliasChoices("attributeValueId", "id"))
    name: str = Field(validation_alias=AliasChoices("attributeValueName", "attributeValue", "name"))


class AttributeValuesPage(NumberedPage):
    total_elements: int = Field(0, alias="totalElements", ge=0)
    content: list[AttributeValueItem] = Field(default_factory=list)


class BrandItem(_Model):
    id: int
    name: str


class BrandsPage(_Model):
    """``getBrands``: ``{"brands": [...]}`` without paging metadata (page until empty)."""

    brands: list[BrandItem] = Field(default_factory=list)


class BrandList(RootModel[list[BrandItem]]):
    """``getBrandsByName``: a bare array."""


# --- products -----------------------------------------------------------------------------
class RejectReason(_Model):
    reason: str | None = Field(None, validation_alias=AliasChoices("rejectReason", "reason"))
    detail: str | None = Field(None, validation_alias=AliasChoices("rejectReasonDetail", "detailedReason", "detail"))

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, data: Any) -> Any:
        return {"rejectReason": data} if isinstance(data, str) else data

    @property
    def text(self) -> str:
        return ": ".join(part for part in (self.reason, self.detail) if part) or "rejected"


class ProductItem(_Model):
    """One product: an item of ``filterUnapprovedProducts`` (v2, flat like the retired V1
    filterProducts item), or an approved variant flattened by ``ApprovedProductsPage.products``;
    only the fields we read are typed."""

    barcode: str | None = None
    stock_code: str | None = Field(None, alias="stockCode")
    product_main_id: str | None = Field(None, alias="productMainId")
    title: str | None = None
    approved: bool = False
    rejected: bool = False
    on_sale: bool = Field(False, alias="onSale")
    archived: bool = False
    blacklisted: bool = False
    locked: bool = False
    quantity: int | None = None
    sale_price: Decimal | None = Field(None, alias="salePrice")
    list_price: Decimal | None = Field(None, alias="listPrice")
    reject_reason_details: list[RejectReason] = Field(default_factory=list, alias="rejectReasonDetails")
    product_content_id: int | None = Field(None, alias="productContentId")


    @field_validator("approved", "rejected", "on_sale", "archived", "blacklisted", "locked", mode="before")
    @classmethod
    def _null_is_false(cls, value: Any) -> Any:
        return False if value is None else value


class ProductsPage(NumberedPage):
    """A page of ``filterUnapprovedProducts`` (v2): flat items, one per barcode."""

    content: list[ProductItem] = Field(default_factory=list)


class _Amounts(_Model):
    sale_price: Decimal | None = Field(None, alias="salePrice")
    list_price: Decimal | None = Field(None, alias="listPrice")


class _Stock(_Model):
    quantity: int | None = None


class ApprovedVariant(_Model):
    """One variant (barcode) of an approved content. guess: the variant's field names
    (``price.salePrice``, ``stock.quantity``, the status flags) follow the v2 sample only in
    part; the sample on developers.trendyol.com was cut short in the corpus (2026-12-06)."""

    barcode: str | None = None
    stock_code: str | None = Field(None, alias="stockCode")
    on_sale: bool = Field(False, alias="onSale")
    archived: bool = False
    blacklisted: bool = False
    locked: bool = False
    price: _Amounts | None = None
    stock: _Stock | None = None

    @field_validator("on_sale", "archived", "blacklisted", "locked", mode="before")
    @classmethod
    def _null_is_false(cls, value: Any) -> Any:
        return False if value is None else value


class ApprovedContent(_Model):
    content_id: int | None = Field(None, alias="contentId")
    product_main_id: str | None = Field(None, alias="productMainId")
    title: str | None = None
    variants: list[ApprovedVariant] = Field(default_factory=list)


class ApprovedProductsPage(NumberedPage):
    """A page of ``filterApprovedProducts`` (v2): contents, each with its variants."""

    next_page_token: str | None = Field(None, alias="nextPageToken")
    content: list[ApprovedContent] = Field(default_factory=list)

    def products(self) -> list[ProductItem]:
        """The page's variants as products (approved, with their content's id and title)."""
        return [ProductItem(barcode=v.barcode, stockCode=v.stock_code, productMainId=c.product_main_id,
                            title=c.title, approved=True, onSale=v.on_sale, archived=v.archived,
                            blacklisted=v.blacklisted, locked=v.locked, quantity=(v.stock or _Stock()).quantity,
                            salePrice=(v.price or _Amounts()).sale_price,
                            listPrice=(v.price or _Amounts()).list_price,
                            productContentId=c.content_id)
                for c in self.content for v in c.variants]


# --- orders -------------------------------------------------------------------------------
class _OrderModel(_Model):
    """Order-side records: ids, tracking numbers and postcodes arrive as numbers or text and
    are read as text."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True, coerce_numbers_to_str=True)


Text = str | None
_RAW = "__raw__"


class _Record(_OrderModel):
    """A model that also keeps the marketplace's record exactly as it came (``raw``)."""

    raw: dict[str, Any] = Field(default_factory=dict, alias=_RAW, exclude=True, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _keep_raw(cls, data: Any) -> Any:
        if isinstance(data, dict) and _RAW not in data:
            return {**data, _RAW: dict(data)}
        return data


class PackageAddress(_OrderModel):
    """``shipmentAddress`` / ``invoiceAddress``: ``district`` is the ilçe, ``neighborhood`` the mahalle."""

    first_name: Text = Field(None, alias="firstName")
    last_name: Text = Field(None, alias="lastName")
    full_name: Text = Field(None, alias="fullName")
    company: Text = None
    address1: Text = None
    address2: Text = None
    full_address: Text = Field(None, alias="fullAddress")
    city: Text = None
    city_code: Text = Field(None, alias="cityCode")
    district: Text = None
    district_id: Text = Field(None, alias="districtId")
    neighborhood: Text = None
    postal_code: Text = Field(None, alias="postalCode")
    country_code: Text = Field(None, alias="countryCode")
    phone: Text = None
    email: Text = None
    tax_office: Text = Field(None, alias="taxOffice")
    tax_number: Text = Field(None, alias="taxNumber")


class PackageLine(_OrderModel):
    """One line of a shipment package. Trendyol's newer answers name the line ``lineId`` and
    the unit amounts ``lineGrossAmount``/``lineTotalDiscount``/``lineUnitPrice``; older ones
    ``id``, ``amount``, ``discount`` and ``price``: both are read."""

    line_id: str = Field(validation_alias=AliasChoices("lineId", "id"))
    quantity: int = Field(ge=0)
    barcode: Text = None
    merchant_sku: Text = Field(None, alias="merchantSku")
    stock_code: Text = Field(None, alias="stockCode")
    product_name: Text = Field(None, alias="productName")
    gross_amount: Decimal | None = Field(None, validation_alias=AliasChoices("lineGrossAmount", "amount"))
    total_discount: Decimal | None = Field(None, validation_alias=AliasChoices("lineTotalDiscount", "discount"))
    unit_price: Decimal | None = Field(None, validation_alias=AliasChoices("lineUnitPrice", "price"))
    vat_rate: Decimal | None = Field(None, alias="vatRate")
    currency_code: Text = Field(None, alias="currencyCode")
    status: Text = Field(None, alias="orderLineItemStatusName")


class ShipmentPackage(_Record):
    """One shipment package of ``getShipmentPackages`` (only the fields we read are typed)."""

    id: str = Field(validation_alias=AliasChoices("shipmentPackageId", "id"))
    order_number: str = Field(alias="orderNumber")
    status: Text = Field(None, validation_alias=AliasChoices("shipmentPackageStatus", "status"))
    order_date: int | None = Field(None, alias="orderDate")
    last_modified_date: int | None = Field(None, alias="lastModifiedDate")
    customer_first_name: Text = Field(None, alias="customerFirstName")
    customer_last_name: Text = Field(None, alias="customerLastName")
    customer_email: Text = Field(None, alias="customerEmail")
    customer_id: Text = Field(None, alias="customerId")
    identity_number: Text = Field(None, validation_alias=AliasChoices("tcIdentityNumber", "identityNumber"))
    tax_number: Text = Field(None, alias="taxNumber")
    shipment_address: PackageAddress | None = Field(None, alias="shipmentAddress")
    invoice_address: PackageAddress | None = Field(None, alias="invoiceAddress")
    cargo_provider_name: Text = Field(None, alias="cargoProviderName")
    cargo_tracking_number: Text = Field(None, alias="cargoTrackingNumber")
    cargo_tracking_link: Text = Field(None, alias="cargoTrackingLink")
    currency_code: Text = Field(None, alias="currencyCode")
    gross_amount: Decimal | None = Field(None, validation_alias=AliasChoices("packageGrossAmount", "grossAmount"))
    total_discount: Decimal | None = Field(None, validation_alias=AliasChoices("packageTotalDiscount", "totalDiscount"))
    total_price: Decimal | None = Field(None, validation_alias=AliasChoices("packageTotalPrice", "totalPrice"))
    micro: bool | None = None
    commercial: bool | None = None
    invoice_link: Text = Field(None, alias="invoiceLink")
    lines: list[PackageLine] = Field(default_factory=list)


class PackagesPage(NumberedPage):
    content: list[ShipmentPackage] = Field(default_factory=list)


class PackagesStream(_Model):
    """A page of ``getShipmentPackagesStream``: no totals; ``nextCursor`` while ``hasMore``."""

    has_more: bool = Field(alias="hasMore")
    next_cursor: Text = Field(None, alias="nextCursor")
    content: list[ShipmentPackage] = Field(default_factory=list)


class TestOrderCreated(_OrderModel):
    """Answer of the stage ``test/order/orders/core`` service."""

    __test__ = False  # not a pytest test class
    order_number: str = Field(alias="orderNumber")


# --- claims -------------------------------------------------------------------------------
class ClaimReason(_OrderModel):
    id: Text = None
    name: Text = None
    external_reason_id: Text = Field(None, alias="externalReasonId")
    code: Text = None


class ClaimItemStatus(_OrderModel):
    name: Text = None

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, data: Any) -> Any:
        return {"name": data} if isinstance(data, str) else data


class ClaimItem(_OrderModel):
    """One claimed unit: approve and reject take these ids."""

    id: str
    order_line_item_id: Text = Field(None, alias="orderLineItemId")
    customer_reason: ClaimReason | None = Field(None, alias="customerClaimItemReason")
    trendyol_reason: ClaimReason | None = Field(None, alias="trendyolClaimItemReason")
    status: ClaimItemStatus | None = Field(None, alias="claimItemStatus")
    note: Text = None
    customer_note: Text = Field(None, alias="customerNote")
    resolved: bool | None = None

    @property
    def status_name(self) -> str:
        return (self.status.name if self.status else None) or ""


class ClaimOrderLine(_OrderModel):
    id: Text = None
    barcode: Text = None
    merchant_sku: Text = Field(None, alias="merchantSku")
    stock_code: Text = Field(None, alias="stockCode")
    product_name: Text = Field(None, alias="productName")
    price: Decimal | None = None


class ClaimLineGroup(_OrderModel):
    """An order line and the units of it claimed."""

    order_line: ClaimOrderLine = Field(default_factory=ClaimOrderLine, alias="orderLine")
    claim_items: list[ClaimItem] = Field(default_factory=list, alias="claimItems")


class Claim(_Record):
    """One claim (return request) of ``getClaims``."""

    id: str = Field(validation_alias=AliasChoices("id", "claimId"))
    order_number: Text = Field(None, alias="orderNumber")
    order_date: int | None = Field(None, alias="orderDate")
    claim_date: int | None = Field(None, alias="claimDate")
    last_modified_date: int | None = Field(None, alias="lastModifiedDate")
    customer_first_name: Text = Field(None, alias="customerFirstName")
    customer_last_name: Text = Field(None, alias="customerLastName")
    # The return package, and the package the goods went out in (the one our order is of).
    return_package_id: Text = Field(None, alias="orderShipmentPackageId")
    outbound_package_id: Text = Field(None, alias="orderOutboundPackageId")
    items: list[ClaimLineGroup] = Field(default_factory=list)


class ClaimsPage(NumberedPage):
    content: list[Claim] = Field(default_factory=list)


class ClaimIssueReason(_Model):
    id: int
    name: str


class ClaimIssueReasons(RootModel[list[ClaimIssueReason]]):
    """``getClaimIssueReasons``: a bare array."""


# --- errors -------------------------------------------------------------------------------
def error_messages(data: Any) -> list[str]:
    """The readable parts of a Trendyol error body.

    Trendyol answers errors in three shapes: ``{"errors": [{"key", "message", "errorCode"}]}``
    (documented), ``{"exception": "ClientApiAuthenticationException"}`` (401) and
    ``{"error", "message"}`` (order services, some 429s).
    """
    if not isinstance(data, dict):
        return [str(data)] if data else []
    out: list[str] = []
    for error in data.get("errors") or []:
        if isinstance(error, dict):
            key, message = error.get("key"), error.get("message")
            out.append(f"{key}: {message}" if key and message and key != message else str(message or key or error))
        else:
            out.append(str(error))
    for name in ("exception", "error", "message"):
        value = data.get(name)
        if isinstance(value, str) and value and value not in " ".join(out):
            out.append(value)
    return out
