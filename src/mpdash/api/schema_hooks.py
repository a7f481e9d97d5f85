"""drf-spectacular post-processing: what the serializers cannot say by themselves."""

from __future__ import annotations

import re

from .bulk import MAX_ROWS

CLOSED = ("BulkProductRow", "BulkPriceRow", "BulkStockRow", "BulkCatalogItemRow")


def closed_bulk_rows(result, generator, request, public):
    """Bulk rows are closed objects (the importer refuses unknown fields by name), and a bulk
    body holds at most MAX_ROWS rows (above it: 413)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in CLOSED:
        for variant in (name, f"{name}Request"):
            if variant in schemas:
                schemas[variant]["additionalProperties"] = False
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for media in operation.get("requestBody", {}).get("content", {}).values():
                schema = media.get("schema", {})
                if schema.get("type") == "array" and schema.get("items", {}).get("$ref", "").rsplit("/", 1)[-1].removesuffix("Request") in CLOSED:
                    schema["maxItems"] = MAX_ROWS
    return result


def lift_request_one_of(result, generator, request, public):
    """``penalties/lift/`` takes either ``{"skus": [...]}`` (one or more) or ``{"all": true}``."""
    schemas = result.get("components", {}).get("schemas", {})
    name = next((n for n in ("LiftRequestRequest", "LiftRequest") if n in schemas), None)
    if name:
        kinds = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 32},
                 "description": "Only these kinds (productstock, productprice, order…); all kinds when left out"}
        schemas[name] = {"oneOf": [
            {"type": "object", "additionalProperties": False, "required": ["skus"], "properties": {
                "skus": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1, "maxLength": 128}},
                "all": {"type": "boolean", "enum": [False]}, "kinds": kinds}},
            {"type": "object", "additionalProperties": False, "required": ["all"], "properties": {
                "all": {"type": "boolean", "enum": [True]}, "kinds": kinds}},
        ]}
    return result


_DECIMAL = re.compile(r"^\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$$")


def truthful_strings(result, generator, request, public):
    """Two rules every serializer applies that drf-spectacular leaves out:

    - text never holds a NUL character, and a required text is not blank after trimming
      (DRF trims whitespace): such strings get a pattern saying so;
    - decimals are written as digits (``12.50``; DRF refuses ``"-"`` or ``"."``), and no
      decimal this API takes is negative (prices, amounts, tax rates)."""
    for schema in result.get("components", {}).get("schemas", {}).values():
        for prop in (schema.get("properties") or {}).values():
            if prop.get("type") != "string" or prop.get("readOnly") or "enum" in prop:
                continue
            if prop.get("format") == "decimal" and prop.get("pattern"):
                m = _DECIMAL.match(prop["pattern"])
                if m:
                    prop["pattern"] = rf"^\d{{1,{m.group(1)}}}(?:\.\d{{1,{m.group(2)}}})?$"
                continue
            if "format" in prop or "pattern" in prop:
                continue
            prop["pattern"] = r"^[^\u0000]*[^\s\u0000][^\u0000]*$" if prop.get("minLength", 0) >= 1 else r"^[^\u0000]*$"
    return result


def webhook_secret(result, generator, request, public):
    """A webhook endpoint's secret: 16 characters or more; required to create one (PATCH may
    leave it out, or send it empty or masked, to keep the stored one)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in ("WebhookEndpointRequest", "PatchedWebhookEndpointRequest"):
        secret = (schemas.get(name, {}).get("properties") or {}).get("secret")
        if secret is not None:
            secret["minLength"] = 16
            secret["pattern"] = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
            if name == "WebhookEndpointRequest":
                schemas[name].setdefault("required", [])
                if "secret" not in schemas[name]["required"]:
                    schemas[name]["required"].append("secret")
    return result
