"""How a marketplace client proves who it is: one provider per scheme, plugged into
:class:`~mpdash.marketplaces.http.BaseClient` as its ``credentials``.

- :class:`BasicCredentials`: HTTP Basic (user name : password or key : secret).
- :class:`HeaderCredentials`: fixed key headers (``appkey`` / ``appsecret``, or an API key in
  ``Authorization``).
- :class:`BearerCredentials`: a short-lived access token a :class:`TokenProvider` obtains
  from the marketplace's token endpoint (OAuth 2 refresh-token grant, client-credentials
  grant, or a login with user name and password) and sends in a header of the
  marketplace's choice.

Access tokens are cached until shortly before they expire and shared by every worker on
every machine, in the storage the call budgets use (:mod:`.ratelimit`): Redis when
configured, else a SQLite file in the data directory. A stored token is encrypted with a key
derived from the credentials that obtained it, so the store never holds it readable. A
request answered 401 gets a fresh token once and is sent once more. Secrets and tokens are
registered for redaction: they never reach a log line or an exchange excerpt.

Each provider also says which channel keys to check when the marketplace refuses the
credentials (``hint``), so the HTTP base's error texts name no marketplace.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlparse

import httpx
from cryptography.fernet import Fernet, InvalidToken

from mpdash.redaction import register_secret

from .errors import AuthError, MalformedResponse, TransientError
from .kit.config import require_set

logger = logging.getLogger("mpdash.marketplaces.auth")

DEFAULT_TOKEN_TTL = 1800.0  # seconds, when the token endpoint states no lifetime
REFRESH_MARGIN = 120.0  # a cached token is renewed this long before it expires
TOKEN_TIMEOUT = httpx.Timeout(20.0, connect=5.0)


class Credentials(httpx.Auth):
    """Base of the providers: an ``httpx.Auth`` with a ``hint`` for refusal messages."""

    hint = "the channel's credentials"

    def __repr__(self) -> str:  # never the secrets
        return f"{type(self).__name__}()"


class BasicCredentials(Credentials):
    def __init__(self, username: str, password: str, *, hint: str = "the channel's user name and password"):
        register_secret(str(password))
        self._basic = httpx.BasicAuth(str(username).strip(), str(password))
        self.hint = hint

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield from self._basic.auth_flow(request)


class HeaderCredentials(Credentials):
    """Fixed headers carrying keys, e.g. ``{"appkey": key, "appsecret": secret}``. Every value
    is treated as a secret unless its header is named in ``public``."""

    def __init__(self, headers: dict[str, str], *, hint: str = "", public: tuple[str, ...] = ()):
        require_set(headers, "Header credentials")
        self.headers = {name: str(value).strip() for name, value in headers.items()}
        for name, value in self.headers.items():
            if name not in public:
                register_secret(value)
        self.hint = hint or "the channel's " + " and ".join(self.headers)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self.headers)
        yield request


# --- tokens -------------------------------------------------------------------------------------
class TokenStore(Protocol):
    def get(self, key: str) -> tuple[str, float] | None: ...  # (ciphertext, expires at epoch s)

    def put(self, key: str, value: str, expires_at: float) -> None: ...

    def drop(self, key: str, value: str) -> None: ...  # only when it still holds ``value``


class MemoryTokenStore:
    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._values.get(key)
        return found if found and found[1] > time.time() else None

    def put(self, key, value, expires_at):
        with self._lock:
            self._values[key] = (value, expires_at)

    def drop(self, key, value):
        with self._lock:
            if self._values.get(key, ("",))[0] == value:
                del self._values[key]


class RedisTokenStore:
    _DROP = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url)

    def get(self, key):
        raw = self._redis.get(f"mpdash:token:{key}")
        if not raw:
            return None
        value, _, expires = raw.decode().rpartition("|")
        return (value, float(expires)) if value and float(expires) > time.time() else None

    def put(self, key, value, expires_at):
        ttl = max(1, int(expires_at - time.time()))
        self._redis.set(f"mpdash:token:{key}", f"{value}|{expires_at}", ex=ttl)

    def drop(self, key, value):
        raw = self._redis.get(f"mpdash:token:{key}")
        if raw:
            self._redis.eval(self._DROP, 1, f"mpdash:token:{key}", raw)


class SQLiteTokenStore:
    """One small table in a SQLite file; every process on the machine shares it."""

    def __init__(self, path: str):
        self.path = path
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, value TEXT, expires_at REAL)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def get(self, key):
        with self._connect() as db:
            row = db.execute("SELECT value, expires_at FROM tokens WHERE key = ?", (key,)).fetchone()
        return (row[0], row[1]) if row and row[1] > time.time() else None

    def put(self, key, value, expires_at):
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO tokens (key, value, expires_at) VALUES (?, ?, ?)", (key, value, expires_at))

    def drop(self, key, value):
        with self._connect() as db:
            db.execute("DELETE FROM tokens WHERE key = ? AND value = ?", (key, value))


_stores: dict[str, TokenStore] = {}
_stores_lock = threading.Lock()


def token_store(url: str | None = None) -> TokenStore:
    """The shared store for ``url`` (default: the call budgets' ``MPDASH_RATE_LIMIT_URL``):
    Redis for ``redis://``, a ``tokens.sqlite3`` beside the budgets' SQLite file, else memory."""
    if url is None:
        from .ratelimit import _storage_url

        url = _storage_url()
    with _stores_lock:
        store = _stores.get(url)
        if store is None:
            parsed = urlparse(url)
            if parsed.scheme.startswith("redis"):
                store = RedisTokenStore(url)
            elif parsed.scheme == "sqlite" and parsed.path:
                store = SQLiteTokenStore(os.path.join(os.path.dirname(parsed.path) or ".", "tokens.sqlite3"))
            else:
                store = MemoryTokenStore()
            _stores[url] = store
    return store


@dataclass
class TokenGrant:
    """How to ask a token endpoint for an access token.

    ``form`` is sent form-encoded (OAuth 2), ``json_body`` as JSON (login endpoints);
    ``basic`` authenticates the client itself with HTTP Basic (client-credentials grant).
    The answer's ``token_field`` holds the token and ``expires_field`` its lifetime in seconds
    (``default_ttl`` when absent)."""

    url: str
    form: dict[str, str] | None = None
    json_body: dict[str, Any] | None = None
    basic: tuple[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    token_field: str = "access_token"
    expires_field: str = "expires_in"
    default_ttl: float = DEFAULT_TOKEN_TTL

    def secrets(self) -> list[str]:
        out = [v for v in (self.form or {}).values()] + [str(v) for v in (self.json_body or {}).values()]
        if self.basic:
            out.append(self.basic[1])
        return out


def refresh_token_grant(url: str, *, client_id: str, client_secret: str, refresh_token: str) -> TokenGrant:
    """OAuth 2 refresh-token grant with the client's id and secret in the form."""
    require_set({"client_id": client_id, "client_secret": client_secret, "refresh_token": refresh_token}, "token grant")
    return TokenGrant(url, form={"grant_type": "refresh_token", "refresh_token": refresh_token,
                                 "client_id": client_id, "client_secret": client_secret})


def client_credentials_grant(url: str, *, client_id: str, client_secret: str, scope: str = "",
                             headers: dict[str, str] | None = None) -> TokenGrant:
    """OAuth 2 client-credentials grant, the client authenticated with HTTP Basic."""
    require_set({"client_id": client_id, "client_secret": client_secret}, "token grant")
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    return TokenGrant(url, form=form, basic=(client_id, client_secret), headers=dict(headers or {}))


def login_grant(url: str, credentials: dict[str, str], *, token_field: str = "access",
                ttl: float = DEFAULT_TOKEN_TTL) -> TokenGrant:
    """A JSON login (``{"email", "password"}`` and the like) answering ``{token_field: token}``."""
    require_set(credentials, "token grant")
    return TokenGrant(url, json_body=dict(credentials), token_field=token_field, default_ttl=ttl)


class TokenProvider:
    """Obtains, caches (shared) and renews one access token. ``key`` names the account
    (e.g. ``"<marketplace>:<seller id>"``); two providers with the same key and credentials
    share the token."""

    def __init__(self, key: str, grant: TokenGrant, *, store: TokenStore | None = None,
                 margin: float = REFRESH_MARGIN, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout | float = TOKEN_TIMEOUT):
        for secret in grant.secrets():
            register_secret(secret)
        self.grant = grant
        self.margin = margin
        self._store = store
        self._transport = transport
        self._timeout = timeout
        self._lock = threading.Lock()
        material = "\x00".join([grant.url, *sorted(grant.secrets())]).encode()
        digest = hashlib.sha256(b"mpdash-token-cache\x00" + material).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        # The store key changes with the credentials: new credentials never get an old token.
        self.key = f"{key}:{hashlib.sha256(material).hexdigest()[:16]}"
        self.fetches = 0  # tokens obtained by this provider (for tests and metrics)

    @property
    def store(self) -> TokenStore:
        if self._store is None:
            self._store = token_store()
        return self._store

    def _cached(self) -> tuple[str, str] | None:
        found = self.store.get(self.key)
        if found is None or found[1] - self.margin <= time.time():
            return None
        try:
            token = self._fernet.decrypt(found[0].encode()).decode()
        except InvalidToken:
            return None
        register_secret(token)
        return token, found[0]

    def token(self) -> str:
        """A valid access token: the shared one, or a new one when it is missing or about to expire."""
        cached = self._cached()
        if cached:
            return cached[0]
        with self._lock:
            cached = self._cached()  # another thread may have fetched it meanwhile
            return cached[0] if cached else self._fetch()

    def renew(self, rejected: str) -> str:
        """After a 401 with ``rejected``: drop it (unless another worker renewed it already)
        and answer the current token, fetching one when needed."""
        with self._lock:
            cached = self._cached()
            if cached and cached[0] != rejected:
                return cached[0]
            if cached:
                self.store.drop(self.key, cached[1])
            return self._fetch()

    def _fetch(self) -> str:
        grant = self.grant
        try:
            with httpx.Client(transport=self._transport, timeout=self._timeout) as client:
                response = client.post(grant.url, data=grant.form, json=grant.json_body, headers=grant.headers,
                                       auth=httpx.BasicAuth(*grant.basic) if grant.basic else None)
        except httpx.TimeoutException as exc:
            raise TransientError("token endpoint did not answer in time") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"could not reach the token endpoint ({exc.__class__.__name__})") from exc
        status = response.status_code
        if status in (400, 401, 403):
            # The body may echo what was sent; only its error code is shown.
            code = _error_code(response)
            raise AuthError(f"the token endpoint refused the credentials ({status}{f' {code}' if code else ''}); "
                            "check the channel's client id, secret and refresh token", status_code=status)
        if status >= 400:
            raise TransientError(f"the token endpoint failed with {status}", status_code=status)
        try:
            data = response.json()
            token = str(data[grant.token_field])
        except (ValueError, KeyError, TypeError):
            raise MalformedResponse(f"the token endpoint answered {status} without {grant.token_field}") from None
        register_secret(token)
        try:
            ttl = float(data.get(grant.expires_field) or grant.default_ttl)
        except (TypeError, ValueError):
            ttl = grant.default_ttl
        self.fetches += 1
        self.store.put(self.key, self._fernet.encrypt(token.encode()).decode(), time.time() + ttl)
        logger.info("obtained an access token for %s, valid %.0f s", self.key.rsplit(":", 1)[0], ttl)
        return token


def _error_code(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    value = data.get("error") if isinstance(data, dict) else None
    return value if isinstance(value, str) and len(value) < 60 else ""


class BearerCredentials(Credentials):
    """Sends the provider's token as ``{header}: {scheme} {token}`` (``scheme`` may be empty);
    on a 401 renews the token once and sends the request once more."""

    requires_request_body = True  # read before sending, so that the request can be sent again

    def __init__(self, provider: TokenProvider, *, header: str = "Authorization", scheme: str = "Bearer",
                 extra: dict[str, str] | None = None, hint: str = "the channel's client id, secret and refresh token"):
        self.provider = provider
        self.header = header
        self.scheme = scheme
        self.extra = dict(extra or {})
        self.hint = hint

    def _sign(self, request: httpx.Request, token: str) -> None:
        request.headers.update(self.extra)
        request.headers[self.header] = f"{self.scheme} {token}" if self.scheme else token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.provider.token()
        self._sign(request, token)
        response = yield request
        if response.status_code == 401:
            self._sign(request, self.provider.renew(token))
            yield request


__all__ = [
    "BasicCredentials", "BearerCredentials", "Credentials", "HeaderCredentials", "MemoryTokenStore",
    "RedisTokenStore", "SQLiteTokenStore", "TokenGrant", "TokenProvider", "client_credentials_grant",
    "login_grant", "refresh_token_grant", "token_store",
]
