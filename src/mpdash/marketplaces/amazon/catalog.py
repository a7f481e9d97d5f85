"""Amazon's catalog: product types (Product Type Definitions 2020-09-01) are the categories, and
a product type's JSON Schema gives the attributes; listings are created and replaced with
putListingsItem (ListingsItemPutRequest: productType, requirements, attributes).

A product type schema describes each attribute as an array of objects with a ``value`` (and
``marketplace_id`` / ``language_tag``); the allowed values are the ``enum`` of that ``value``.
"""

from __future__ import annotations

from typing import Any

from ..base import (
    NOT_FOUND,
    ON_SALE,
    PENDING_APPROVAL,
    REJECTED,
    AttributeValue,
    DefaultAttribute,
    Listing,
    ProductRecord,
    ProductStatus,
    RemoteAttribute,
    RemoteCategory,
)
from ..kit import to_decimal, wire_amount
from .config import FULFILLMENT_CHANNEL

# Offer attributes the stock and price flows own; not shown to the Mapper.
OFFER_ATTRIBUTES = ("fulfillment_availability", "purchasable_offer")
DEFAULTS = (
    DefaultAttribute("item_name", "Title (item_name)", source="name"),
    DefaultAttribute("product_description", "Description", required=False, source="description"),
    DefaultAttribute("brand", "Brand", source="attributes.brand"),
    DefaultAttribute("externally_assigned_product_identifier", "EAN/UPC", required=False, source="attributes.barcode"),
    DefaultAttribute("main_product_image_locator", "Main image", required=False, data_type="list", source="images"),
)
_TYPES = {"string": "text", "number": "number", "integer": "number", "boolean": "bool"}


def product_type_category(entry: dict[str, Any]) -> RemoteCategory:
    return RemoteCategory(remote_id=entry["name"], name=entry.get("displayName") or entry["name"], parent_id=None,
                          is_leaf=True)


def schema_attributes(schema: dict[str, Any]) -> list[RemoteAttribute]:
    """The Mapper's attributes from a product type's JSON Schema."""
    required = set(schema.get("required") or [])
    out = []
    for key, prop in (schema.get("properties") or {}).items():
        if key in OFFER_ATTRIBUTES or key in {d.key for d in DEFAULTS}:
            continue
        value = ((prop.get("items") or {}).get("properties") or {}).get("value") or {}
        enum = value.get("enum") or []
        names = value.get("enumNames") or enum
        out.append(RemoteAttribute(
            remote_id=key, name=prop.get("title") or key, required=key in required,
            data_type="enum" if enum else _TYPES.get(value.get("type", "string"), "text"),
            multi_value=(prop.get("maxItems") or 1) > 1, allow_custom=not enum,
            values=[AttributeValue(str(v), str(n)) for v, n in zip(enum, names)]))
    return out


def schema_problems(body: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The preview's check here (when the channel does not ask Amazon): the product type's
    required attributes present, and enumerated values among the allowed ones."""
    attributes = body.get("attributes") or {}
    problems = [f"'{key}' is required by product type {body.get('productType')} but not supplied"
                for key in schema.get("required") or [] if key not in OFFER_ATTRIBUTES and not attributes.get(key)]
    for attribute in schema_attributes(schema):
        allowed = {v.remote_id for v in attribute.values}
        given = [e.get("value") for e in attributes.get(attribute.remote_id) or [] if isinstance(e, dict)]
        problems += [f"'{v}' is not a valid value for '{attribute.remote_id}' (allowed: {', '.join(sorted(allowed))})"
                     for v in given if allowed and str(v) not in allowed]
    return problems


def listing(item) -> Listing:
    """A searchListingsItems item as the reconciliation sees it: on sale when BUYABLE."""
    statuses = {s for summary in item.summaries for s in summary.get("status") or []}
    asin = next((s.get("asin") for s in item.summaries if s.get("asin")), None)
    offer = next((o for o in item.offers if o.offer_type in ("B2C", "")), None)
    stock = next((a.get("quantity") for a in item.availability
                  if a.get("fulfillmentChannelCode") == FULFILLMENT_CHANNEL), None)
    return Listing(sku=item.sku, remote_sku=asin, price=to_decimal(offer.price.amount) if offer and offer.price else None,
                   stock=None if stock is None else int(stock), on_sale="BUYABLE" in statuses)


def put_body(record: ProductRecord, marketplace_id: str, language: str, currency: str,
             stock: int | None) -> dict[str, Any]:
    """The putListingsItem body: product facts and, when known, the offer (price, stock)."""
    def one(value: Any, text: bool = True) -> list[dict[str, Any]]:
        entry: dict[str, Any] = {"value": value, "marketplace_id": marketplace_id}
        if text:
            entry["language_tag"] = language
        return [entry]

    fields = record.fields
    attributes: dict[str, Any] = {}
    for key in ("item_name", "product_description", "brand"):
        if fields.get(key):
            attributes[key] = one(str(fields[key]))
    if fields.get("externally_assigned_product_identifier"):
        attributes["externally_assigned_product_identifier"] = [{
            "type": "ean", "value": str(fields["externally_assigned_product_identifier"]),
            "marketplace_id": marketplace_id}]
    images = fields.get("main_product_image_locator") or []
    if images:
        attributes["main_product_image_locator"] = [{"media_location": str(images[0] if isinstance(images, list)
                                                                           else images),
                                                     "marketplace_id": marketplace_id}]
    for choice in record.attributes:
        values = choice.value_ids or ([choice.custom_value] if choice.custom_value is not None else [])
        attributes[choice.attribute_id] = [{"value": v, "marketplace_id": marketplace_id} for v in values]
    if fields.get("price") is not None:
        attributes["purchasable_offer"] = [{"marketplace_id": marketplace_id, "currency": currency, "our_price": [
            {"schedule": [{"value_with_tax": wire_amount(fields["price"])}]}]}]
    if stock is not None:
        attributes["fulfillment_availability"] = [{"fulfillment_channel_code": FULFILLMENT_CHANNEL,
                                                   "quantity": stock}]
    return {"productType": record.category_id, "requirements": "LISTING", "attributes": attributes}


def listing_status(sku: str, item: dict[str, Any] | None) -> ProductStatus:
    """Where a listing stands from getListingsItem: ERROR issues reject it; DISCOVERABLE (shown)
    or BUYABLE (shown with an offer and stock) is on sale; neither: Amazon is still processing it."""
    if item is None:
        return ProductStatus(sku, NOT_FOUND)
    errors = [f"{i.get('code', '')} {i.get('message', '')}".strip() for i in item.get("issues") or []
              if i.get("severity") == "ERROR"]
    if errors:
        return ProductStatus(sku, REJECTED, errors)
    statuses = {s for summary in item.get("summaries") or [] for s in summary.get("status") or []}
    asin = next((s.get("asin") for s in item.get("summaries") or [] if s.get("asin")), None)
    live = statuses & {"BUYABLE", "DISCOVERABLE"}
    return ProductStatus(sku, ON_SALE if live else PENDING_APPROVAL, remote_sku=asin)
