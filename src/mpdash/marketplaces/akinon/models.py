"""Pydantic models of Seller Center answers; unknown fields are kept (the API adds fields)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator

from ..kit.answers import AnswerModel, answer_parser

parse_answer = answer_parser("Seller Center")


def _text(value: Any) -> Any:
    return None if value is None else str(value)


class Listing(AnswerModel):
    """`{count, next, previous, results}` (documented)."""
    count: int = 0
    next: str | None = None
    previous: str | None = None
    results: list[dict[str, Any]] = Field(default_factory=list)


class Category(AnswerModel):
    id: str  # uuid
    name: str = ""
    parent: str | None = None
    children: list[Category] = Field(default_factory=list)


class AttributeValue(AnswerModel):
    id: str
    value: str = ""
    label: str = ""
    _id = field_validator("id", mode="before")(classmethod(lambda cls, v: _text(v)))


class Attribute(AnswerModel):
    id: str
    key: str
    name: str = ""
    is_required: bool = False
    is_variant: bool = False
    allow_custom: bool = False
    data_type: str = "dropdown"
    values: list[AttributeValue] = Field(default_factory=list)
    _id = field_validator("id", mode="before")(classmethod(lambda cls, v: _text(v)))


class Offer(AnswerModel):
    id: str | None = None
    sku: str
    stock: int | None = None
    price: Decimal | None = None
    retail_price: Decimal | None = None
    status: str = ""
    _id = field_validator("id", mode="before")(classmethod(lambda cls, v: _text(v)))


class ItemResult(AnswerModel):
    sku: str = ""
    status: str = ""  # success | error
    detail: str = ""
    code: str = ""


class OfferBatch(AnswerModel):
    """A bulk offer write as we read it [UNVERIFIED]: accepted whole, applied later, one result per item."""
    id: str
    status: str  # waiting | completed
    count: int = 0
    results: list[ItemResult] = Field(default_factory=list)
    _id = field_validator("id", mode="before")(classmethod(lambda cls, v: _text(v)))


class PreOffer(AnswerModel):
    id: str
    sku: str
    status: str = ""  # waiting | approved | rejected [UNVERIFIED words]
    rejection_reasons: list[str] = Field(default_factory=list)
    _id = field_validator("id", mode="before")(classmethod(lambda cls, v: _text(v)))


class Address(AnswerModel):
    first_name: str = ""
    last_name: str = ""
    line: str = ""
    city: str = ""
    township: str = ""
    district: str = ""
    postcode: str | None = None
    phone_number: str = ""
    email: str = ""
    tax_office: str | None = None
    tax_no: str | None = None
    identity_number: str | None = None


class PackageItem(AnswerModel):
    id: str
    sku: str
    name: str = ""
    price: Decimal
    retail_price: Decimal | None = None
    discount_amount: Decimal = Decimal("0")
    tax_rate: Decimal | None = None
    status: int | None = None
    _id = field_validator("id", mode="before")(classmethod(lambda cls, v: _text(v)))


class Package(AnswerModel):
    id: str
    number: str
    order_number: str
    status: int
    created_at: str
    updated_at: str
    currency: str = "TRY"
    shipping_amount: Decimal = Decimal("0")
    customer_name: str = ""
    customer_email: str = ""
    shipping_company: str = ""
    tracking_number: str | None = None
    tracking_url: str | None = None
    invoice_number: str | None = None
    shipping_address: Address | None = None
    billing_address: Address | None = None
    _id = field_validator("id", "number", "order_number", mode="before")(classmethod(lambda cls, v: _text(v)))


class Reason(AnswerModel):
    id: str
    subject: str = ""


class Claim(AnswerModel):
    id: str
    type: str
    status: str
    package_item: str
    package_number: str = ""
    order_number: str = ""
    sku: str = ""
    reason: Reason | None = None
    detail: str = ""
    cancelled_by: int | None = None
    created_at: str = ""
    updated_at: str = ""
    _id = field_validator("id", "package_item", mode="before")(classmethod(lambda cls, v: _text(v)))


def error_text(data: Any) -> str:
    """Akinon's `{detail, code}` error body (documented for 401/404) as one line."""
    if isinstance(data, dict):
        detail, code = data.get("detail"), data.get("code")
        if detail:
            return f"{detail} ({code})" if code else str(detail)
        return "; ".join(f"{k}: {v}" for k, v in data.items())[:300]
    return str(data)[:300]
