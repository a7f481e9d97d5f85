"""JSON values with the NUL character are refused where the API stores them (400 naming where).

Text fields already refuse NUL (DRF's CharField), but JSON values (mapping conditions, channel
config, product attributes, stock extras, bulk rows) are stored as they come, and PostgreSQL
cannot store ``\\u0000`` in JSON or text: a 500 where the client deserves a 400. Only what is
stored is checked: an unknown field that DRF ignores may hold anything."""

from __future__ import annotations

from rest_framework import serializers


def nul_at(data, path: str = "") -> str | None:
    """The path (``color``, ``[3].attributes.size``) of the first text holding NUL, or None."""
    if isinstance(data, str):
        return (path or "the value") if "\x00" in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return f"{where} (a key)"
            found = nul_at(value, where)
            if found:
                return found
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            found = nul_at(value, f"{path}[{i}]")
            if found:
                return found
    return None


def message(where: str) -> str:
    return f"{where} holds the NUL character (\\u0000), which cannot be stored; remove it"


def no_nul(value) -> None:
    """A DRF validator for JSON-valued fields."""
    where = nul_at(value)
    if where:
        raise serializers.ValidationError(message(where))


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's SlugRelatedField, refusing a NUL in the code it looks up: PostgreSQL refuses the
    query itself (a 500), SQLite would only find nothing."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(message("the code"))
        return super().to_internal_value(data)
