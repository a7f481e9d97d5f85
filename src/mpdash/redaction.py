"""Keeping secrets out of logs, flow-run records and error messages."""

from __future__ import annotations

import functools
import json
import logging
import re
from typing import Any

MASK = "********"

# Keys whose values are secrets wherever they appear (payloads, headers, configs).
SECRET_KEY_PATTERN = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|app[_-]?key|service[_-]?key|authorization|credential|access[_-]?key|refresh)",
    re.IGNORECASE,
)
_INLINE = re.compile(
    r"(?P<k>(?:\"|')?(?:password|passwd|secret|token|api_key|app_secret|authorization|access_token)(?:\"|')?\s*[:=]\s*)(?!(?:Basic|Bearer|Token)\s)(?!\*{8})(?P<v>\"[^\"]*\"|'[^']*'|[^\s,;&}]+)",
    re.IGNORECASE,
)
_BASIC = re.compile(r"(Basic|Bearer|Token)\s+[A-Za-z0-9+/=._\-]{6,}")

_known_secrets: set[str] = set()
_longest_first: tuple[str, ...] = ()  # _known_secrets, longest first (a secret inside another is masked after it)


def register_secret(value: str | None) -> None:
    """Remember a secret value so that it is masked wherever it shows up in text."""
    if value and len(value) >= 4:
        _known_secrets.add(value)


@functools.lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    """Whether values under this key are secrets (asked once per key name: payloads repeat them)."""
    return SECRET_KEY_PATTERN.search(key) is not None


def redact_text(text: str) -> str:
    if not text:
        return text
    if "\x00" in text:  # PostgreSQL text and jsonb refuse NUL characters
        text = text.replace("\x00", "\\u0000")
    if len(_longest_first) != len(_known_secrets):  # one was registered since (or the set cleared)
        _refresh_known()
    for secret in _longest_first:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _BASIC.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _INLINE.sub(lambda m: f"{m.group('k')}{MASK}", text)
    return text


def _refresh_known() -> None:
    global _longest_first
    _longest_first = tuple(sorted(_known_secrets, key=len, reverse=True))


def redact(value: Any) -> Any:
    """Return a copy of ``value`` (dict/list/str) with secret fields masked."""
    if isinstance(value, dict):
        return {
            k: (MASK if isinstance(k, str) and _secret_key(k) and v not in (None, "") else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redacted_json_head(value: Any, limit: int) -> str:
    """The start of ``json.dumps(redact(value), ensure_ascii=False, default=str)``, at least
    ``limit`` characters of it (or all of it): a batch of thousands of items is redacted and
    encoded only as far as an excerpt shows."""
    if isinstance(value, (list, tuple)) and value:
        parts, size = [], 1
        for item in value:
            piece = redacted_json_head(item, limit - size)
            parts.append(piece)
            size += len(piece) + 2
            if size - 2 >= limit:
                return "[" + ", ".join(parts)
        return "[" + ", ".join(parts) + "]"
    if isinstance(value, dict) and value and all(type(k) is str for k in value):
        parts, size = [], 1
        for k, v in value.items():
            key = _dumps(k) + ": "
            piece = key + (_dumps(MASK) if _secret_key(k) and v not in (None, "") else redacted_json_head(v, limit - size - len(key)))
            parts.append(piece)
            size += len(piece) + 2
            if size - 2 >= limit:
                return "{" + ", ".join(parts)
        return "{" + ", ".join(parts) + "}"
    return _dumps(redact(value))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class RedactSecretsFilter(logging.Filter):
    """Logging filter that masks secrets in every record, whatever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # pragma: no cover - malformed log call
            return True
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
