"""The body of ``POST /api/v1/channels/`` in the OpenAPI document: one variant per registered
marketplace, with that marketplace's config keys typed as its shipped schema declares them.

A new channel is validated as :meth:`SalesChannel.clean` does (:mod:`mpdash.channels.schema`):
each config key has its data type; ``feature_flags`` names only the marketplace's flags;
``failed_integration`` has the penalty settings' shape; an *active* channel needs every
required key filled (keys with a shipped default have it already); ``schema`` adds config
keys to the marketplace's (a shipped key only as shipped). Each marketplace has two variants, inactive
(``is_active`` false or left out, config keys optional) and active (``is_active: true``).
"""

from __future__ import annotations

from typing import Any

from mpdash.channels.schema import PENALTY_FIELDS, PENALTY_KINDS
from mpdash.marketplaces import registry
from mpdash.marketplaces.base import DATA_TYPES

# Keys that validate_config (mpdash.channels.schema) checks beyond their data type.
_DATE_KEYS = ("order_start_date", "refund_start_date")
_NOT_NEGATIVE = ("buffer_stock",)
_EMPTY = (None, "", [], {})

_SCALAR = {"text": "string", "integer": "integer", "bool": "boolean"}


def _penalty() -> dict[str, Any]:
    whole = {"type": "integer", "minimum": 0}
    return {"type": "object", "additionalProperties": False, "required": [f for f in PENALTY_FIELDS if f != "EXPIRATION_DATE"],
            "properties": {f: ({**whole, "nullable": True} if f == "EXPIRATION_DATE" else whole) for f in PENALTY_FIELDS}}


def _failed_integration() -> dict[str, Any]:
    return {
        "type": "object", "additionalProperties": False, "required": ["DEFAULT"],
        "description": "Retry settings of failed records by kind (seconds, attempts); DEFAULT for the other kinds",
        "properties": {
            **{kind: _penalty() for kind in PENALTY_KINDS},
            "sent_to_remote": {"type": "object", "required": ["EXPIRATION_HOUR"], "properties": {
                "EXPIRATION_HOUR": {"type": "number", "minimum": 0, "exclusiveMinimum": True}}},
        },
    }


def _value(field, adapter, filled: bool) -> dict[str, Any]:
    """The schema of one config value; ``filled``: it must not be empty (an active channel's required key)."""
    if field.key == "feature_flags":
        flags = sorted({f.flag for f in adapter.flows if f.flag})
        return {"type": "object", "additionalProperties": False, "properties": {f: {"type": "boolean"} for f in flags},
                "description": "On/off per flow; only the flags named change"}
    if field.key == "failed_integration":
        return _failed_integration()
    if field.data_type in _SCALAR:
        out: dict[str, Any] = {"type": _SCALAR[field.data_type]}
        if field.key in _DATE_KEYS:
            out["format"] = "date"
        if field.key in _NOT_NEGATIVE:
            out["minimum"] = 0
        if filled and field.data_type == "text":
            out["minLength"] = 1
    elif field.data_type == "list":
        out = {"type": "array", "items": {"type": "string"}, **({"minItems": 1} if filled else {})}
    else:  # json
        out = {"type": "object", "additionalProperties": {}, **({"minProperties": 1} if filled else {})}
    if field.label:
        out["description"] = field.label
    return out


def _config(adapter, active: bool) -> dict[str, Any]:
    fields = list(adapter.schema)
    return {
        "type": "object",
        "description": "Config keys of this marketplace (secrets are stored encrypted and shown masked); keys of a "
                       "schema you extend are taken as they are",
        "additionalProperties": {},
        "properties": {f.key: _value(f, adapter, active and f.required) for f in fields},
        **({"required": needed} if (needed := [f.key for f in fields if active and f.required and f.key != "feature_flags"
                                               and f.default in _EMPTY]) else {}),
    }


def _added_key(required_allowed: bool) -> dict[str, Any]:
    """A config key added to a channel's schema (validate_schema)."""
    return {
        "type": "object", "required": ["key", "label", "required", "data_type"],
        "properties": {"key": {"type": "string"}, "label": {"type": "string"},
                       "required": {"type": "boolean", **({} if required_allowed else {
                           "enum": [False], "description": "A required key is added to an inactive channel"})},
                       "data_type": {"type": "string", "enum": list(DATA_TYPES)}, "secret": {"type": "boolean"}},
    }


def _schema(adapter, active: bool) -> dict[str, Any]:
    shipped = adapter.default_schema()
    return {
        "type": "object",
        "description": "Config keys to add to the marketplace's schema; a shipped key may be given only as shipped",
        "properties": {key: {"type": "object", "enum": [entry]} for key, entry in shipped.items()},
        "additionalProperties": _added_key(required_allowed=not active),
    }


def changed_channel_body(schemas: dict[str, Any]) -> None:
    """PATCH: ``marketplace`` may only be repeated; ``schema`` takes keys to add (null removes one you added)."""
    props = (schemas.get("PatchedSalesChannelRequest") or {}).get("properties") or {}
    if "marketplace" in props:
        props["marketplace"] = {"type": "string", "enum": sorted(registry.MARKETPLACES),
                                "description": "The channel's own: a channel's marketplace never changes"}
    if "schema" in props:
        props["schema"] = {
            "type": "object",
            "description": "Config keys to add (null removes a key you added); the marketplace's shipped keys "
                           "cannot be removed or changed",
            "additionalProperties": _added_key(required_allowed=False),
        }


def new_channel_body(schemas: dict[str, Any]) -> None:
    base = schemas.get("SalesChannelRequest")
    if not base or "oneOf" in base:
        return
    refs = []
    for marketplace in sorted(registry.MARKETPLACES):
        adapter = registry.adapter_class(marketplace)
        for active in (False, True):
            name = f"{marketplace.title()}{'Active' if active else ''}ChannelRequest"
            props = dict(base["properties"])
            props["marketplace"] = {"type": "string", "enum": [marketplace]}
            props["is_active"] = {"type": "boolean", "enum": [active],
                                  "description": "Active: every required config key is filled" if active else "Not active yet"}
            props["config"] = _config(adapter, active)
            props["schema"] = _schema(adapter, active)
            required = list(base.get("required", []))
            if active:
                required += ["is_active"] + (["config"] if props["config"].get("required") else [])
            schemas[name] = {"type": "object", "title": f"{adapter.label} channel{' (active)' if active else ''}",
                             "properties": props, "required": required}
            refs.append({"$ref": f"#/components/schemas/{name}"})
    schemas["SalesChannelRequest"] = {
        "description": base.get("description", "") + "\n\nOne variant per marketplace: its config keys and their types.",
        "oneOf": refs,
    }
