"""What travels over the simulated wire: answers, JSON bodies, multipart bodies, query values."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any


@dataclass
class Answer:
    status: int
    body: Any = None  # JSON-able, or raw bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Refusal(Exception):
    """A request refused as a whole; the marketplace's API turns it into its error body.

    ``key`` is for marketplaces whose errors carry a machine-readable key besides the text.
    """

    def __init__(self, status: int, message: str, key: str | None = None):
        super().__init__(message)
        self.status, self.message, self.key = status, message, key


def json_body(body: bytes, refusal: Refusal) -> Any:
    """The decoded JSON of a request body (None when empty); ``refusal`` is raised when it is not JSON."""
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        raise refusal from None


@dataclass
class Part:
    name: str | None
    filename: str | None
    content_type: str
    payload: bytes


def multipart_parts(content_type: str, body: bytes) -> list[Part] | None:
    """The parts of a multipart/form-data body (standard library MIME parser), or None when the
    body is not multipart."""
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        return None
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        parts.append(Part(part.get_param("name", header="content-disposition"), part.get_filename(),
                          part.get_content_type(), payload if isinstance(payload, bytes) else b""))
    return parts


def basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    """``(user, password)`` of an HTTP Basic ``Authorization`` header, or ``(None, None)``."""
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else (None, None)


def first(query: dict[str, list[str]], name: str) -> str | None:
    """The first value of a query parameter, or None when it is absent."""
    values = query.get(name)
    return values[0] if values else None


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []
