"""Pydantic models of the Hepsiburada listing API answers, and the parse helper.

Shapes follow the listing integration's OpenAPI schema (``StockUploadResultRepresentation``,
``PriceUploadResultRepresentation``, ``ExternalListingsRepresentation``, ``Listing``) and
answers recorded by public integrators. Where a shape is not documented the model says so.
Unknown extra fields are kept (``extra="allow"``) so that a new field never breaks parsing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import MalformedResponse

FINISHED_STATUSES = frozenset({"done", "failed"})  # the documented end states
FAILED_STATUSES = frozenset({"failed"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


def _none_as_empty_list(value: Any) -> Any:
    return [] if value is None else value


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

    _empty_errors = field_validator("errors", mode="before")(_none_as_empty_list)


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

    _empty_lists = field_validator("errors", "price_validations", mode="before")(_none_as_empty_list)

    @property
    def is_finished(self) -> bool:
        return self.status.strip().lower() in FINISHED_STATUSES

    @property
    def is_failed(self) -> bool:
        return self.status.strip().lower() in FAILED_STATUSES


class ListingItem(_Model):
    """One listing (``Listing`` in the OpenAPI schema); only the fields we read are typed."""

    listing_id: str | None = Field(None, alias="listingId")
    hepsiburada_sku: str | None = Field(None, alias="hepsiburadaSku")
    merchant_sku: str | None = Field(None, alias="merchantSku")
    price: Decimal | None = None
    available_stock: int | None = Field(None, alias="availableStock")
    dispatch_time: int | None = Field(None, alias="dispatchTime")
    maximum_purchasable_quantity: int | None = Field(None, alias="maximumPurchasableQuantity")  # 0 = no limit
    is_salable: bool | None = Field(None, alias="isSalable")
    is_locked: bool | None = Field(None, alias="isLocked")
    is_frozen: bool | None = Field(None, alias="isFrozen")
    lock_reasons: list[str] = Field(default_factory=list, alias="lockReasons")
    deactivation_reasons: list[str] = Field(default_factory=list, alias="deactivationReasons")

    _empty_lists = field_validator("lock_reasons", "deactivation_reasons", mode="before")(_none_as_empty_list)


class ListingsPage(_Model):
    """Answer to ``GET /listings/merchantid/{merchantId}?offset&limit`` (``listings`` may be null)."""

    listings: list[ListingItem] = Field(default_factory=list)
    total_count: int = Field(alias="totalCount", ge=0)
    limit: int | None = None
    offset: int | None = None

    _empty_listings = field_validator("listings", mode="before")(_none_as_empty_list)


ModelT = TypeVar("ModelT", bound=BaseModel)


def _describe(exc: ValidationError, limit: int = 3) -> str:
    parts = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(p) for p in error.get("loc", ())) or "(answer)"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def parse_answer(model: type[ModelT], data: Any, what: str) -> ModelT:
    """Validate ``data`` as ``model``; raise :class:`MalformedResponse` saying what was wrong."""
    if data is None:
        raise MalformedResponse(f"{what}: Hepsiburada answered with an empty body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        excerpt = repr(data)
        if len(excerpt) > 500:
            excerpt = excerpt[:500] + "…"
        raise MalformedResponse(
            f"{what}: unexpected answer from Hepsiburada ({_describe(exc)})", body=excerpt
        ) from None
