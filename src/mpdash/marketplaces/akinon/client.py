"""HTTP client of the Seller Center integration API (paths in the package docstring).

Auth: the current API (``i2``) sends the static API key as the ``Authorization`` header
(documented); the older one (``i1``) obtains a token from ``POST /api/i1/token/obtain/``
with email and password and sends it as ``Authorization: Bearer <token>`` (getting-started
guide), through the toolkit's shared, encrypted token provider.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from mpdash.redaction import redact_text

from ..auth import BearerCredentials, HeaderCredentials, TokenProvider, login_grant
from ..errors import AuthError, ConfigError, RateLimited, RequestRejected
from ..http import DEFAULT_TIMEOUT, BaseClient, json_error_details, retry_after_seconds
from .config import MAX_OFFERS_PER_REQUEST, PAGE_SIZE
from .models import Listing, OfferBatch, error_text, parse_answer


def api_root(base_url: str) -> str:
    text = str(base_url or "").strip().rstrip("/")
    if not text.startswith(("http://", "https://")):
        raise ConfigError(f"Seller Center channel config: base_url {base_url!r} is not an http(s) address, "
                          "e.g. https://seller-center.akinon.com")
    return text if text.endswith("/api") else f"{text}/api"


def segment(value: Any, what: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValueError(f"{what} is empty")
    return quote(text, safe="")


class SellerCenterClient(BaseClient):
    def __init__(self, base_url: str, *, label: str, api_version: str = "i2", access_token: str = "",
                 email: str = "", password: str = "", budget=None, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None, token_store=None):
        root = api_root(base_url)
        where = f"{label} channel config"
        if api_version == "i2":
            if not str(access_token or "").strip():
                raise ConfigError(f"{where}: access_token is empty; enter the API key obtained from {label}")
            credentials = HeaderCredentials({"Authorization": str(access_token)},
                                            hint="the channel's access_token (the Seller Center API key)")
        elif api_version == "i1":
            missing = [k for k, v in (("email", email), ("password", password)) if not str(v or "").strip()]
            if missing:
                raise ConfigError(f"{where}: api_version i1 needs {' and '.join(missing)} (the seller user's login)")
            grant = login_grant(f"{root}/i1/token/obtain/", {"email": str(email), "password": str(password)},
                                token_field="access")
            provider = TokenProvider(f"akinon:{root}:{email}", grant, store=token_store, transport=transport)
            credentials = BearerCredentials(provider, hint="the channel's email and password (api_version i1)")
        else:
            raise ConfigError(f"{where}: api_version must be i2 (API key) or i1 (email and password), got {api_version!r}")
        self.version, self.label = api_version, label
        super().__init__(base_url=root, credentials=credentials, budget=budget, timeout=timeout, transport=transport,
                         headers={"Accept": "application/json"})

    def __repr__(self) -> str:
        return f"SellerCenterClient(base_url={self.base_url!r}, version={self.version!r})"

    def path(self, rest: str) -> str:
        return f"/{self.version}/{rest.lstrip('/')}"

    def get(self, rest: str, **params: Any) -> Any:
        path = self.path(rest)
        return self.request("GET", path, params={k: v for k, v in params.items() if v is not None})

    def page(self, rest: str, page: int = 1, limit: int = PAGE_SIZE, **filters: Any) -> Listing:
        if page < 1 or limit < 1:
            raise ValueError("page and limit start at 1")
        data = self.get(rest, page=page, limit=limit, **filters)
        return parse_answer(Listing, data, f"GET {self.path(rest)}")

    def every(self, rest: str, limit: int = PAGE_SIZE, most: int = 10_000, **filters: Any) -> list[dict[str, Any]]:
        """Every result of a listing, following pages until ``next`` is null."""
        out, page = [], 1
        while True:
            answer = self.page(rest, page, limit, **filters)
            out += answer.results
            if not answer.next or not answer.results or len(out) >= most:
                return out
            page += 1

    def bulk(self, rest: str, items: list[dict[str, Any]]) -> OfferBatch:
        if not items:
            raise ValueError("a bulk offer update needs at least one item")
        if len(items) > MAX_OFFERS_PER_REQUEST:
            raise ValueError(f"{len(items)} offers in one request; at most {MAX_OFFERS_PER_REQUEST}")
        path = self.path(rest)
        return parse_answer(OfferBatch, self.request("PATCH", path, json_body=items), f"PATCH {path}")

    def offer_batch(self, batch_id: str) -> OfferBatch:
        path = self.path(f"offers/batches/{segment(batch_id, 'batch id')}/")
        return parse_answer(OfferBatch, self.request("GET", path), f"GET {path}")

    def post(self, rest: str, body: Any = None) -> Any:
        return self.request("POST", self.path(rest), json_body=body if body is not None else {})

    def patch(self, rest: str, body: Any) -> Any:
        return self.request("PATCH", self.path(rest), json_body=body)

    def raise_for_status(self, method: str, path: str, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        text = redact_text(response.text[:2000])
        details = json_error_details(text, error_text)
        where = f"{method} {path}"
        if status == 429:
            raise RateLimited(f"{where}: {self.label} is busy (429); retry later",
                              retry_after=retry_after_seconds(response, default=10.0), status_code=status, body=text)
        if status in (401, 403):
            raise AuthError(f"{where}: {self.label} refused the credentials ({status} {details}); check "
                            f"{self.credentials_hint}", status_code=status, body=text)
        if 400 <= status < 500:
            raise RequestRejected(f"{where}: {self.label} rejected the request ({status}): {details}",
                                  status_code=status, body=text)
        super().raise_for_status(method, path, response)
