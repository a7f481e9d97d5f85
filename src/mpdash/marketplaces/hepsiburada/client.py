"""HTTP client for Hepsiburada's listing API (``listing-external.hepsiburada.com``).

Every call uses HTTP Basic (merchant id or API user name : service key) and the
``User-Agent`` Hepsiburada registered for the integrator; both are mandatory. Writes are
asynchronous uploads: a POST answers only an upload id, and the outcome is read later from
the upload's status. Timeouts, logging, redaction and the mapping of failures to
:mod:`mpdash.marketplaces.errors` come from :class:`~mpdash.marketplaces.http.BaseClient`.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

import httpx

from mpdash.redaction import redact_text, register_secret

from ..errors import ConfigError, RateLimited
from ..http import DEFAULT_TIMEOUT, BaseClient
from ..ratelimit import CallBudget, RateSpec
from .config import MAX_SKUS_PER_LISTINGS_QUERY
from .models import ListingsPage, UploadAccepted, UploadStatus, parse_answer

UploadKind = Literal["stock", "price", "inventory"]
UPLOAD_KINDS: tuple[str, ...] = ("stock", "price", "inventory")

# Our own pace for one merchant's listing calls, shared by every worker. Hepsiburada
# publishes no general rate for the listing host; the one figure it gives for a listing
# service is ~240 requests/minute per merchant (commission lookup), and it advises large
# batches rather than many small requests. We keep to that: 240/min with bursts of 20/s.
LISTING_RATES = [RateSpec(20, 1), RateSpec(240, 60)]

# Upload refusals Hepsiburada sends as a 4xx with a message rather than a 429. Both mean
# "not now", so they are mapped to RateLimited (no penalty) instead of RequestRejected.
_TOO_MANY_PENDING = "too many ongoing/waiting inventory uploads"  # more than 5 uploads pending
_DAILY_ALLOWANCE = "exceeds his inventory upload limit"  # daily allowance of 10 x listing count


def listing_budget(merchant_id: str) -> CallBudget:
    """The shared call budget of one merchant's listing API calls."""
    return CallBudget(f"hepsiburada:listing:{merchant_id}", LISTING_RATES)


class HepsiburadaListingClient(BaseClient):
    """Calls to the listing API of one merchant."""

    def __init__(
        self,
        base_url: str,
        *,
        merchant_id: str,
        username: str,
        password: str,
        user_agent: str,
        budget: CallBudget | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ):
        for key, value in (("listing_url", base_url), ("merchant_id", merchant_id), ("username", username),
                           ("password", password), ("user_agent", user_agent)):
            if not value or not str(value).strip():
                raise ConfigError(f"Hepsiburada listing client: {key} is not set")
        self.merchant_id = str(merchant_id).strip()
        register_secret(password)
        super().__init__(
            base_url=str(base_url).strip(),
            headers={"User-Agent": str(user_agent).strip(), "Accept": "application/json"},
            auth=(str(username).strip(), str(password)),
            timeout=timeout,
            budget=budget,
            transport=transport,
        )

    def __repr__(self) -> str:  # the dataclass repr would show the password
        return f"HepsiburadaListingClient(base_url={self.base_url!r}, merchant_id={self.merchant_id!r})"

    # --- paths ------------------------------------------------------------------------
    @property
    def _merchant_path(self) -> str:
        return f"/listings/merchantid/{quote(self.merchant_id, safe='')}"

    def _upload_path(self, kind: str) -> str:
        if kind not in UPLOAD_KINDS:
            raise ValueError(f"unknown Hepsiburada upload kind {kind!r}; expected one of {', '.join(UPLOAD_KINDS)}")
        return f"{self._merchant_path}/{kind}-uploads"

    # --- uploads ----------------------------------------------------------------------
    def _upload(self, kind: str, items: list[dict[str, Any]]) -> str:
        if not items:
            raise ValueError(f"a {kind} upload needs at least one item")
        path = self._upload_path(kind)
        data = self.request("POST", path, json_body=items)
        return parse_answer(UploadAccepted, data, f"POST {path}").id

    def upload_stock(self, items: list[dict[str, Any]]) -> str:
        """Queue stock changes (``[{merchantSku|hepsiburadaSku, availableStock, …}]``); returns the upload id."""
        return self._upload("stock", items)

    def upload_price(self, items: list[dict[str, Any]]) -> str:
        """Queue price changes (``[{merchantSku|hepsiburadaSku, price}]``); returns the upload id."""
        return self._upload("price", items)

    def upload_inventory(self, items: list[dict[str, Any]]) -> str:
        """Queue combined listing changes (price, stock, shipping…); returns the upload id."""
        return self._upload("inventory", items)

    def get_upload_status(self, kind: UploadKind, upload_id: str) -> UploadStatus:
        """The processing state of an upload, with the elements Hepsiburada rejected."""
        if not upload_id:
            raise ValueError("upload_id is empty")
        path = f"{self._upload_path(kind)}/id/{quote(str(upload_id), safe='')}"
        return parse_answer(UploadStatus, self.request("GET", path), f"GET {path}")

    # --- listings ---------------------------------------------------------------------
    def list_listings(self, offset: int, limit: int, merchant_skus: list[str] | None = None) -> ListingsPage:
        """One page of the merchant's listings (pagination is mandatory on this endpoint)."""
        if offset < 0 or limit <= 0:
            raise ValueError("offset must be >= 0 and limit > 0")
        params: dict[str, Any] = {"offset": offset, "limit": limit}
        if merchant_skus:
            if len(merchant_skus) > MAX_SKUS_PER_LISTINGS_QUERY:
                raise ValueError(f"at most {MAX_SKUS_PER_LISTINGS_QUERY} merchant skus per listings query")
            params["merchantSkuList"] = ",".join(merchant_skus)
        path = self._merchant_path
        return parse_answer(ListingsPage, self.request("GET", path, params=params), f"GET {path}")

    # --- errors -----------------------------------------------------------------------
    def raise_for_status(self, method: str, path: str, response: httpx.Response) -> None:
        """Like BaseClient, plus Hepsiburada's upload-limit refusals, which mean "retry later"."""
        if 400 <= response.status_code < 500 and response.status_code != 429:
            body = redact_text(response.text[:2000])
            text = body.lower()
            if _TOO_MANY_PENDING in text:
                raise RateLimited(
                    f"{method} {path}: Hepsiburada has too many of this merchant's uploads pending; retry later",
                    retry_after=30.0, status_code=response.status_code, body=body,
                )
            if _DAILY_ALLOWANCE in text:
                raise RateLimited(
                    f"{method} {path}: the merchant's daily listing upload allowance is used up",
                    retry_after=3600.0, status_code=response.status_code, body=body,
                )
        super().raise_for_status(method, path, response)
