"""drf-spectacular post-processing of request bodies whose rules a serializer field cannot
carry by itself: non-empty lists, bounded decimals, "this or that" bodies (oneOf / anyOf),
patterns of the values a validator checks. Each rule here is the one the view or model
applies; a schema-valid body is refused only for what no schema can state (a record that
does not exist, a duplicate, a state that changed).

Registered as one hook, :func:`request_rules` (``SPECTACULAR_SETTINGS``)."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from mpdash.channels.mapping_sources import PRODUCT_FIELDS

from . import schema_channels

# Text as DRF keeps it (trimmed): no NUL, not blank.
NON_BLANK = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
# A template: text with at least one {placeholder}, each a product field or attributes.<key>
# (mpdash.channels.mapping_sources.check_template); braces stand only around placeholders.
_PLACEHOLDER = "|".join(PRODUCT_FIELDS) + r"|attributes\.[^{}\u0000]+"
TEMPLATE = rf"^[^{{}}\u0000]*(?:\{{(?:{_PLACEHOLDER})\}}[^{{}}\u0000]*)+$"
# An http(s) URL that Django's URLValidator takes: host names of letters and digits, a top-level
# domain, a path (a narrower set than the validator's, all of which it accepts).
HTTP_URL = r"^https?://[a-z0-9]{1,20}(?:\.[a-z0-9]{1,20}){0,3}\.[a-z]{2,10}(?:/[A-Za-z0-9._~%-]{0,40}){0,5}$"
# A tracking page URL template: empty, or with {tracking_number} where the number goes.
TRACKING_TEMPLATE = r"^(?:[^\u0000]*\{tracking_number\}[^\u0000]*)?$"


def request_rules(result, generator, request, public):
    schemas = result.get("components", {}).get("schemas", {})
    serializers_by_name = _serializers(generator)
    _non_empty_lists(schemas, serializers_by_name)
    _bounded_decimals(schemas, serializers_by_name)
    _category_mapping_bodies(schemas)
    _attribute_mapping_bodies(schemas)
    _refund_decision(schemas)
    _shipping_company(schemas)
    schema_channels.new_channel_body(schemas)
    schema_channels.changed_channel_body(schemas)
    _slug_filters(result.get("paths", {}))
    return result


def _slug_filters(paths) -> None:
    """``?slug=`` filters a slug field: django-filter checks the value is a slug (400 otherwise)."""
    for item in paths.values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and parameter.get("name") == "slug" and \
                        parameter.get("schema", {}).get("type") == "string":
                    parameter["schema"]["pattern"] = r"^[-a-zA-Z0-9_]+$"


def _serializers(generator) -> dict[str, serializers.Serializer]:
    """Component name → the serializer it was made from (drf-spectacular's registry)."""
    out = {}
    for component in getattr(getattr(generator, "registry", None), "_components", {}).values():
        if component.type == "schemas" and isinstance(component.object, serializers.BaseSerializer):
            out[component.name] = component.object
    return out


def _fields(serializer) -> dict:
    try:
        return dict(serializer.fields)
    except Exception:  # pragma: no cover - a serializer that needs a request to list its fields
        return {}


def _non_empty_lists(schemas, by_name) -> None:
    """``many=True, allow_empty=False`` and ``ListField(allow_empty=False)``: at least one item."""
    for name, serializer in by_name.items():
        props = (schemas.get(name) or {}).get("properties") or {}
        for field_name, field in _fields(serializer).items():
            if field_name in props and isinstance(field, (serializers.ListSerializer, serializers.ListField)) \
                    and not field.allow_empty and not field.read_only:
                props[field_name]["minItems"] = max(1, props[field_name].get("minItems", 0))


def _bounded_decimals(schemas, by_name) -> None:
    """A decimal with a maximum that is a power of ten (a tax rate ≤ 100): a pattern that says so
    (decimals are strings in the schema, where ``maximum`` has no meaning)."""
    for name, serializer in by_name.items():
        props = (schemas.get(name) or {}).get("properties") or {}
        for field_name, field in _fields(serializer).items():
            if field_name not in props or not isinstance(field, serializers.DecimalField) or field.read_only:
                continue
            top, places = field.max_value, field.decimal_places
            if top is None or places is None or (field.min_value is not None and Decimal(field.min_value) < 0):
                continue
            digits = len(str(int(top))) - 1
            if Decimal(top) != Decimal(10) ** digits or digits < 1:
                continue
            fraction = rf"(?:\.\d{{1,{places}}})?" if places else ""
            zeros = rf"(?:\.0{{1,{places}}})?" if places else ""
            props[field_name]["pattern"] = rf"^(?:1{'0' * digits}{zeros}|\d{{1,{digits}}}{fraction})$"
            props[field_name]["description"] = (props[field_name].get("description", "") + f" (0 to {top})").strip()


def _one_of(schemas, name: str, variants: list[dict]) -> None:
    if name in schemas:
        schemas[name]["oneOf"] = variants


def _category_mapping_bodies(schemas) -> None:
    """A category mapping names a local category, conditions on product attributes, or both
    (CategoryMapping.clean); conditions are an object such as ``{"gender": "Kadın"}``."""
    for name in ("CategoryMappingRequest", "PatchedCategoryMappingRequest", "CategoryMappingImportRequest"):
        props = (schemas.get(name) or {}).get("properties") or {}
        if "conditions" in props:
            props["conditions"].update(type="object", additionalProperties={})
    if "CategoryMappingRequest" in schemas:
        schemas["CategoryMappingRequest"]["anyOf"] = [
            {"required": ["local_category"], "properties": {"local_category": {"type": "integer"}}},
            {"required": ["conditions"], "properties": {"conditions": {"type": "object", "minProperties": 1}}},
        ]
    if "CategoryMappingImportRequest" in schemas:
        props = schemas["CategoryMappingImportRequest"]["properties"]
        props["remote_category"].update(description="The marketplace category id (a leaf of this channel)", pattern=NON_BLANK)
        props["local_category"]["description"] = "Local category code; empty: the rule applies by its conditions alone"
        schemas["CategoryMappingImportRequest"]["anyOf"] = [
            {"required": ["local_category"], "properties": {"local_category": {"type": "string", "pattern": NON_BLANK}}},
            {"required": ["conditions"], "properties": {"conditions": {"type": "object", "minProperties": 1}}},
        ]


def _source_variants() -> list[dict]:
    """What ``source`` may be for each ``source_type`` (AttributeMapping.clean). The two go
    together: left out, ``source_type`` is the stored one on a change (or ``attribute``)."""
    pair = ["source_type", "source"]
    return [
        {"required": pair, "properties": {"source_type": {"type": "string", "enum": ["field"]},
                                          "source": {"type": "string", "enum": list(PRODUCT_FIELDS)}}},
        {"required": pair, "properties": {"source_type": {"type": "string", "enum": ["template"]},
                                          "source": {"type": "string", "pattern": TEMPLATE}}},
        {"required": pair,
         "properties": {"source_type": {"type": "string", "enum": ["attribute", "constant"]},
                        "source": {"type": "string", "pattern": NON_BLANK}}},
    ]


def _attribute_mapping_bodies(schemas) -> None:
    """``source`` by ``source_type``: a product field's name, a template of placeholders, or an
    attribute key / constant; ``value_map`` is an object. A PATCH gives both or neither."""
    for name in ("AttributeMappingRequest", "PatchedAttributeMappingRequest", "AttributeMappingImportRequest"):
        props = (schemas.get(name) or {}).get("properties") or {}
        if "value_map" in props:
            props["value_map"].update(type="object", additionalProperties={})
    _one_of(schemas, "AttributeMappingRequest", _source_variants())
    _one_of(schemas, "AttributeMappingImportRequest", _source_variants())
    if "AttributeMappingImportRequest" in schemas:
        props = schemas["AttributeMappingImportRequest"]["properties"]
        props["remote_category"]["description"] = "The marketplace category id; empty: a mapping for every category"
    _one_of(schemas, "PatchedAttributeMappingRequest", [
        {"not": {"anyOf": [{"required": ["source_type"]}, {"required": ["source"]}]}},
        *_source_variants(),
    ])


def _refund_decision(schemas) -> None:
    """Approve (a reason is optional) or reject with an active refund reason (decide_refund)."""
    if "RefundDecisionRequest" not in schemas:
        return
    _one_of(schemas, "RefundDecisionRequest", [
        {"properties": {"decision": {"type": "string", "enum": ["approve"]}}},
        {"required": ["reason"], "properties": {"decision": {"type": "string", "enum": ["reject"]},
                                                "reason": {"type": "integer"}}},
    ])
    images = schemas["RefundDecisionRequest"]["properties"].get("images")
    if images is not None:  # URLValidator(schemes=["http", "https"]) of check_text, stated as a pattern
        images["items"] = {k: v for k, v in images["items"].items() if k != "format"}
        images["items"]["pattern"] = HTTP_URL


def _shipping_company(schemas) -> None:
    for name in ("ShippingCompanyRequest", "PatchedShippingCompanyRequest"):
        template = ((schemas.get(name) or {}).get("properties") or {}).get("tracking_url_template")
        if template is not None:
            template["pattern"] = TRACKING_TEMPLATE
