"""Keeping secrets out of logs, flow-run records and error messages."""

from __future__ import annotations

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


def register_secret(value: str | None) -> None:
    """Remember a secret value so that it is masked wherever it shows up in text."""
    if value and len(value) >= 4:
        _known_secrets.add(value)


def redact_text(text: str) -> str:
    if not text:
        return text
    if "\x00" in text:  # PostgreSQL text and jsonb refuse NUL characters
        text = text.replace("\x00", "\\u0000")
    for secret in sorted(_known_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _BASIC.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _INLINE.sub(lambda m: f"{m.group('k')}{MASK}", text)
    return text


def redact(value: Any) -> Any:
    """Return a copy of ``value`` (dict/list/str) with secret fields masked."""
    if isinstance(value, dict):
        return {
            k: (MASK if isinstance(k, str) and SECRET_KEY_PATTERN.search(k) and v not in (None, "") else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


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
