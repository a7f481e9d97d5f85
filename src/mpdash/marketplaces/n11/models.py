"""Pydantic models of N11's REST answers (shapes in the package docstring), and the parser.

Unknown fields are kept (``extra="allow"``); where third-party clients spell a key two ways
both are accepted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import AliasChoices, Field, field_validator

from ..kit.answers import AnswerModel as _Model
from ..kit.answers import answer_parser
from ..kit.answers import none_as_empty_list as _list

parse_answer = answer_parser("N11")


def _text(value: Any) -> Any:
    return None if value is None else str(value)


class Category(_Model):
    id: int
    name: str = ""
    sub_categories: list[Category] = Field(default_factory=list, alias="subCategories")

    _subs = field_validator("sub_categories", mode="before")(classmethod(lambda cls, v: _list(v)))


class AttributeValue(_Model):
    id: int
    value: str = Field(validation_alias=AliasChoices("value", "name"))


class CategoryAttribute(_Model):
    attribute_id: int = Field(validation_alias=AliasChoices("attributeId", "id"))
    attribute_name: str = Field(validation_alias=AliasChoices("attributeName", "name"))
    mandatory: bool = Field(False, validation_alias=AliasChoices("isMandatory", "mandatory"))
    variant: bool = Field(False, validation_alias=AliasChoices("isVariant", "variant"))
    slicer: bool = Field(False, validation_alias=AliasChoices("isSlicer", "slicer"))
    custom_value: bool = Field(False, validation_alias=AliasChoices("isCustomValue", "customValue"))
    multiple: bool = Field(False, validation_alias=AliasChoices("isMultipleSelect", "multipleSelect"))
    values: list[AttributeValue] = Field(default_factory=list, validation_alias=AliasChoices("attributeValues", "values"))

    _vals = field_validator("values", mode="before")(classmethod(lambda cls, v: _list(v)))


class CategoryAttributes(_Model):
    id: int | None = None
    category_attributes: list[CategoryAttribute] = Field(default_factory=list, alias="categoryAttributes")

    _attrs = field_validator("category_attributes", mode="before")(classmethod(lambda cls, v: _list(v)))


class TaskAccepted(_Model):
    id: str = Field(validation_alias=AliasChoices("id", "taskId"))
    status: str | None = None

    _id = field_validator("id", mode="before")(classmethod(lambda cls, v: _text(v)))


class TaskSku(_Model):
    item_code: str = Field(validation_alias=AliasChoices("itemCode", "stockCode"))
    status: str = ""
    reasons: list[str] = Field(default_factory=list)

    @field_validator("reasons", mode="before")
    @classmethod
    def _reasons(cls, value: Any) -> Any:
        if value is None:
            return []
        return [r.get("message", str(r)) if isinstance(r, dict) else str(r) for r in value]


class TaskSkus(_Model):
    content: list[TaskSku] = Field(default_factory=list)
    total_pages: int = Field(1, alias="totalPages")


class TaskDetails(_Model):
    task_id: str = Field(validation_alias=AliasChoices("taskId", "id"))
    status: str
    skus: TaskSkus = Field(default_factory=TaskSkus)

    _id = field_validator("task_id", mode="before")(classmethod(lambda cls, v: _text(v)))


class Product(_Model):
    stock_code: str = Field(alias="stockCode")
    barcode: str | None = None
    sale_price: Decimal | None = Field(None, alias="salePrice")
    list_price: Decimal | None = Field(None, alias="listPrice")
    quantity: int | None = None
    status: str = ""
    reasons: list[str] = Field(default_factory=list)

    _r = field_validator("reasons", mode="before")(classmethod(lambda cls, v: _list(v)))


class ProductsPage(_Model):
    content: list[Product] = Field(default_factory=list)
    total_pages: int = Field(0, alias="totalPages")


class Address(_Model):
    full_name: str | None = Field(None, alias="fullName")
    address: str | None = None
    city: str | None = None
    district: str | None = None  # ilçe
    neighborhood: str | None = None
    postal_code: str | None = Field(None, alias="postalCode")
    gsm: str | None = None
    tc_id: str | None = Field(None, alias="tcId")
    tax_id: str | None = Field(None, alias="taxId")
    tax_house: str | None = Field(None, alias="taxHouse")


class PackageLine(_Model):
    order_line_id: str = Field(alias="orderLineId")
    stock_code: str = Field("", alias="stockCode")
    barcode: str | None = None
    product_name: str = Field("", alias="productName")
    quantity: int
    price: Decimal  # unit price before discounts
    due_amount: Decimal | None = Field(None, alias="dueAmount")  # what the customer pays for the line
    seller_discount: Decimal = Field(Decimal("0"), alias="sellerDiscount")
    status: str = Field("", alias="orderItemLineItemStatusName")
    vat_rate: Decimal | None = Field(None, alias="vatRate")

    _id = field_validator("order_line_id", mode="before")(classmethod(lambda cls, v: _text(v)))


class Package(_Model):
    id: str
    order_number: str = Field(alias="orderNumber")
    status: str = Field(alias="shipmentPackageStatus")
    created_date: int = Field(alias="createdDate")
    last_modified_date: int = Field(alias="lastModifiedDate")
    customer_full_name: str = Field("", alias="customerfullName")
    customer_email: str = Field("", alias="customerEmail")
    customer_id: str | None = Field(None, alias="customerId")
    cargo_provider_name: str = Field("", alias="cargoProviderName")
    cargo_provider_id: str | None = Field(None, alias="cargoProviderId")  # [UNVERIFIED] key name
    cargo_tracking_number: str | None = Field(None, alias="cargoTrackingNumber")
    cargo_tracking_link: str | None = Field(None, alias="cargoTrackingLink")
    campaign_number: str | None = Field(None, alias="campaignNumber")
    total_amount: Decimal | None = Field(None, alias="totalAmount")
    shipping_address: Address | None = Field(None, alias="shippingAddress")
    billing_address: Address | None = Field(None, alias="billingAddress")
    lines: list[PackageLine] = Field(default_factory=list)

    _id = field_validator("id", "customer_id", "cargo_tracking_number", "campaign_number", "cargo_provider_id",
                          mode="before")(
        classmethod(lambda cls, v: _text(v)))


class PackagesPage(_Model):
    content: list[Package] = Field(default_factory=list)
    total_pages: int = Field(0, alias="totalPages")
    total_elements: int = Field(0, alias="totalElements")
    page: int = 0
