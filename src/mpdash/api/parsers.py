"""The API's JSON parser: DRF's, refusing the NUL character anywhere in the body.

Text fields already refuse NUL (DRF's CharField), but JSON values (mapping conditions, config,
attributes, stock extras) are stored as they come, and PostgreSQL cannot store ``\\u0000`` in
JSON or text: a 500 where the client deserves a 400 naming where the character is."""

from __future__ import annotations

import io

from rest_framework import parsers
from rest_framework.exceptions import ParseError

_NUL_ESCAPE = b"\\u0000"


def nul_at(data, path: str = "") -> str | None:
    """The path (``conditions.color``, ``[3].attributes``) of the first text holding NUL."""
    if isinstance(data, str):
        return path or "the body" if "\x00" in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return f"{where} (a key)"
            found = nul_at(value, where)
            if found:
                return found
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found = nul_at(value, f"{path}[{i}]")
            if found:
                return found
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        data = super().parse(io.BytesIO(raw), media_type, parser_context)
        if _NUL_ESCAPE in raw:  # the only way JSON text carries NUL; the walk runs only then
            where = nul_at(data)
            if where:
                raise ParseError(f"{where} holds the NUL character (\\u0000), which cannot be stored; remove it")
        return data
