"""The channel settings form, generated from the channel's schema.

Each schema key becomes one field with an editor for its ``data_type`` (text, integer,
bool, list, json). Secrets are never put back into the page: the field is empty and
says whether a value is stored; leaving it empty keeps the stored value. Feature flags
have their own toggles and are left out here.

Posted text is turned into config values only as far as a form must (JSON text is
parsed, a checkbox is a bool); everything else is judged by the channel's own
validation (:meth:`SalesChannel.full_clean`), whose messages name the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

FLAGS_KEY = "feature_flags"
_EMPTY = (None, "", [], {})


@dataclass
class ConfigField:
    key: str
    label: str
    data_type: str
    required: bool
    secret: bool
    help: str
    text: str = ""  # what the editor shows
    checked: bool = False  # bool editor
    stored: bool = False  # secrets: a value is stored
    error: str = ""

    @property
    def name(self) -> str:
        return f"cfg-{self.key}"


def _as_text(data_type: str, value: Any) -> str:
    if value is None:
        return ""
    if data_type == "list" and isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "\n".join(str(v) for v in value)
    if data_type in ("json", "list"):
        return json.dumps(value, indent=2, ensure_ascii=False) if not isinstance(value, str) else value
    return str(value)


def build_fields(channel, posted=None, errors: dict[str, str] | None = None) -> list[ConfigField]:
    """The editors of every schema key but the flags; ``posted`` redisplays a rejected form."""
    errors = errors or {}
    helps = {f.key: f.help for f in getattr(channel.adapter_class, "schema", ())}
    config = channel.config or {}
    fields = []
    for key, entry in (channel.schema or {}).items():
        if key == FLAGS_KEY or not isinstance(entry, dict):
            continue
        field = ConfigField(
            key=key, label=entry.get("label") or key, data_type=entry.get("data_type", "text"),
            required=bool(entry.get("required")), secret=bool(entry.get("secret")), help=helps.get(key, ""),
            error=errors.get(key, ""),
        )
        value = config.get(key)
        if field.secret:
            field.stored = value not in _EMPTY
        elif field.data_type == "bool":
            field.checked = (field.name in posted) if posted is not None else bool(value)
        else:
            field.text = posted.get(field.name, "") if posted is not None else _as_text(field.data_type, value)
        fields.append(field)
    return fields


def changes_from_post(channel, posted) -> tuple[dict[str, Any], dict[str, str]]:
    """``(changes, errors)``: the keys whose posted value differs from the stored one,
    and the keys whose text could not even be read (JSON that does not parse)."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    config = channel.config or {}
    for field in build_fields(channel):
        stored = config.get(field.key)
        if field.secret:
            raw = posted.get(field.name, "")
            if raw:  # empty keeps the stored secret
                changes[field.key] = raw
            continue
        if field.data_type == "bool":
            value: Any = field.name in posted
            if value == bool(stored):
                continue
            changes[field.key] = value
            continue
        raw = posted.get(field.name, "").replace("\r\n", "\n").strip()
        if field.data_type == "json":
            if not raw:
                value = None
            else:
                try:
                    value = json.loads(raw)
                except ValueError as exc:
                    errors[field.key] = f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
                    continue
        elif field.data_type == "list":
            value = raw or None  # the schema's coercion splits lines and commas, or reads JSON
        else:
            value = raw if raw else None
        if (value in _EMPTY and stored in _EMPTY) or value == _as_text(field.data_type, stored) or value == stored:
            continue
        changes[field.key] = value
    return changes, errors


def key_errors(exc: ValidationError) -> dict[str, str]:
    """``{"password": "is required …"}`` from the channel's validation; other problems
    (the channel's own fields, the schema) under their field name."""
    from mpdash.api.serializers import errors_by_key

    out: dict[str, str] = {}
    for name, value in errors_by_key(exc).items():
        if isinstance(value, dict):
            out.update({k: str(v) for k, v in value.items()})
        else:
            out[name] = "; ".join(str(v) for v in value)
    return out


def save_config(channel, changes: dict[str, Any], *, commit: bool = True, **fields) -> dict[str, str]:
    """Apply ``changes`` (and channel ``fields`` such as is_active) through the channel's
    validation. Returns the errors by key; saves only when there are none and ``commit``."""
    for name, value in fields.items():
        setattr(channel, name, value)
    if changes:
        channel.update_config(changes)
    try:
        channel.full_clean()
    except ValidationError as exc:
        return key_errors(exc)
    if commit:
        channel.save()
    return {}
