"""Encryption at rest for secret config values (Fernet, key from ``MPDASH_ENCRYPTION_KEY``).

Encrypted values are stored as ``enc:v1:<token>``. The embedded default generates a
key into the data directory on first use; a distributed deployment must set the key
in the environment of every process, or secrets cannot be read.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from mpdash.redaction import MASK, register_secret

PREFIX = "enc:v1:"


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    key = settings.MPDASH_ENCRYPTION_KEY
    if not key:
        if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            raise ImproperlyConfigured(
                "MPDASH_ENCRYPTION_KEY is not set. Generate one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'` "
                "and give the same value to every web, worker and beat process."
            )
        from mpdash.keys import data_dir_secret

        key = data_dir_secret(settings.DATA_DIR, "encryption_key", lambda: Fernet.generate_key().decode())
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("MPDASH_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64 bytes)") from exc


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt(value: str) -> str:
    if is_encrypted(value):
        return value
    register_secret(value)
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not is_encrypted(value):
        return value
    try:
        plain = _fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "a channel secret cannot be decrypted: MPDASH_ENCRYPTION_KEY differs from the key it was saved with"
        ) from exc
    register_secret(plain)
    return plain


def mask(value) -> str:
    return MASK if value not in (None, "") else ""
