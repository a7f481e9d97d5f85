"""Channel config schemas and validation.

A schema maps a config key to ``{key, label, required, data_type[, secret]}`` with
``data_type`` one of ``list, text, integer, bool, json``. A marketplace ships a
default schema; users may add keys but not remove or retype the shipped ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mpdash.marketplaces.base import DATA_TYPES, MarketplaceAdapter

PENALTY_KINDS = ("order", "product", "productprice", "productstock", "DEFAULT")
PENALTY_FIELDS = ("RETRY_INTERVAL", "EXPIRATION_DATE", "MAX_RETRY_COUNT")


class ConfigErrors(Exception):
    """All problems found in one config, each naming the key and what is expected."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def validate_schema(schema: Any, shipped: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Check a user-edited schema: well-formed entries, shipped keys kept and unchanged."""
    errors: dict[str, str] = {}
    if not isinstance(schema, dict):
        raise ConfigErrors({"schema": "must be a JSON object mapping each config key to its description"})
    for name, entry in schema.items():
        if not isinstance(entry, dict):
            errors[name] = "must be an object with key, label, required and data_type"
            continue
        missing = [f for f in ("key", "label", "required", "data_type") if f not in entry]
        if missing:
            errors[name] = f"missing {', '.join(missing)}"
        elif entry["data_type"] not in DATA_TYPES:
            errors[name] = f"data_type {entry['data_type']!r} is not one of {', '.join(DATA_TYPES)}"
        elif not isinstance(entry["required"], bool):
            errors[name] = "required must be true or false"
    for name, entry in shipped.items():
        if name not in schema:
            errors[name] = "is a shipped key of this marketplace and cannot be removed"
        elif isinstance(schema[name], dict):
            for field in ("key", "data_type", "required", "secret"):
                if schema[name].get(field) != entry.get(field):
                    errors[name] = (
                        f"is a shipped key; its {field} must stay {entry.get(field)!r} "
                        f"(got {schema[name].get(field)!r}). Add a new key instead of changing this one."
                    )
                    break
    if errors:
        raise ConfigErrors(errors)
    return schema


def _check_type(data_type: str, value: Any) -> str | None:
    if data_type == "text":
        return None if isinstance(value, str) else "expected text"
    if data_type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return "expected a whole number"
        return None
    if data_type == "bool":
        return None if isinstance(value, bool) else "expected true or false"
    if data_type == "list":
        return None if isinstance(value, list) else 'expected a list, e.g. ["368234234"]'
    if data_type == "json":
        return None if isinstance(value, (dict, list)) else "expected a JSON object"
    return f"unknown data_type {data_type!r}"


def coerce(data_type: str, value: Any) -> Any:
    """Turn form-style input (strings) into the schema's type where that is unambiguous."""
    if not isinstance(value, str):
        return value
    raw = value.strip()
    if data_type == "integer" and raw.lstrip("-").isdigit():
        return int(raw)
    if data_type == "bool" and raw.lower() in {"true", "false", "1", "0", "yes", "no", "on", "off"}:
        return raw.lower() in {"true", "1", "yes", "on"}
    if data_type == "list" and not raw.startswith("["):
        return [p.strip() for p in raw.replace("\n", ",").split(",") if p.strip()]
    if data_type in {"json", "list"} and raw[:1] in "[{":
        import json

        try:
            return json.loads(raw)
        except ValueError:
            return value
    return value


def validate_feature_flags(value: Any, adapter: type[MarketplaceAdapter]) -> str | None:
    flags = list(dict.fromkeys(f.flag for f in adapter.flows if f.flag))  # a flag may turn on several flows
    if not isinstance(value, dict):
        return "expected a JSON object with one true/false per flow"
    missing = [f for f in flags if f not in value]
    if missing:
        return f"every flow must be listed (false when off); missing: {', '.join(missing)}"
    unknown = [k for k in value if k not in flags]
    if unknown:
        return f"unknown flag(s) {', '.join(unknown)}; {adapter.label} flows are: {', '.join(flags)}"
    not_bool = [k for k, v in value.items() if not isinstance(v, bool)]
    if not_bool:
        return f"flag(s) {', '.join(not_bool)} must be true or false"
    return None


def validate_failed_integration(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "expected a JSON object keyed by order, product, productprice, productstock, DEFAULT and sent_to_remote"
    problems = []
    if "DEFAULT" not in value:
        problems.append("DEFAULT is required")
    for kind, entry in value.items():
        if kind == "sent_to_remote":
            hour = entry.get("EXPIRATION_HOUR") if isinstance(entry, dict) else None
            if isinstance(hour, bool) or not isinstance(hour, (int, float)) or hour <= 0:
                problems.append("sent_to_remote.EXPIRATION_HOUR must be a positive number of hours")
            continue
        if kind not in PENALTY_KINDS:
            problems.append(f"{kind} is not a penalty kind (use {', '.join(PENALTY_KINDS)})")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{kind} must be an object with {', '.join(PENALTY_FIELDS)}")
            continue
        for field in PENALTY_FIELDS:
            v = entry.get(field)
            if field == "EXPIRATION_DATE" and v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                problems.append(f"{kind}.{field} must be a whole number of {'attempts' if field == 'MAX_RETRY_COUNT' else 'seconds'} ≥ 0")
    return "; ".join(problems) or None


def validate_config(
    config: Any,
    schema: dict[str, dict[str, Any]],
    adapter: type[MarketplaceAdapter],
    *,
    require_required: bool,
) -> dict[str, Any]:
    """Validate ``config`` against ``schema``; returns the coerced config or raises ConfigErrors.

    ``require_required`` is on for an active channel: an inactive channel may be saved
    half-filled, but it cannot be activated until every required key has a value.
    """
    if not isinstance(config, dict):
        raise ConfigErrors({"config": "must be a JSON object"})
    errors: dict[str, str] = {}
    out = dict(config)
    for name, entry in schema.items():
        value = out.get(name)
        if value in (None, "", [], {}):
            if entry.get("required") and require_required:
                errors[name] = f"is required ({entry.get('label', name)}); fill it in before activating the channel"
            continue
        value = coerce(entry["data_type"], value)
        out[name] = value
        problem = _check_type(entry["data_type"], value)
        if problem:
            errors[name] = f"{problem}, got {type(value).__name__}"
    if out.get("feature_flags") is not None and "feature_flags" not in errors:
        problem = validate_feature_flags(out["feature_flags"], adapter)
        if problem:
            errors["feature_flags"] = problem
    if out.get("failed_integration") not in (None, {}) and "failed_integration" not in errors:
        problem = validate_failed_integration(out["failed_integration"])
        if problem:
            errors["failed_integration"] = problem
    for key in ("order_start_date", "refund_start_date"):
        value = out.get(key)
        if isinstance(value, str) and value and key not in errors:
            if not _parses_as_date(value):
                errors[key] = "expected a date such as 2024-12-01T10:00:00Z (or dd/MM/yyyy where the marketplace uses it)"
    bs = out.get("buffer_stock")
    if isinstance(bs, int) and not isinstance(bs, bool) and bs < 0 and "buffer_stock" not in errors:
        errors["buffer_stock"] = "must be 0 or more"
    if errors:
        raise ConfigErrors(errors)
    return out


def _parses_as_date(value: str) -> bool:
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M"):
        try:
            datetime.strptime(value, fmt)
            return True
        except ValueError:
            continue
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False
