"""The small set of errors every marketplace client maps its failures to.

Each error carries the action the flow engine takes, so that flows never look at
HTTP status codes themselves (after Airbyte's error-resolution table).
"""

from __future__ import annotations

from enum import Enum


class Action(str, Enum):
    RETRY_LATER = "retry_later"  # rate limited: leave records pending, no penalty
    PENALISE = "penalise"  # the records in the request failed: penalise them
    FAIL_RUN = "fail_run"  # configuration or auth problem: stop the run, penalise nothing


class MarketplaceError(Exception):
    action: Action = Action.PENALISE

    def __init__(self, message: str, *, status_code: int | None = None, body: str | None = None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body

    def __str__(self) -> str:
        return self.message


class RateLimited(MarketplaceError):
    """429: come back after ``retry_after`` seconds."""

    action = Action.RETRY_LATER

    def __init__(self, message: str, *, retry_after: float = 1.0, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class TransientError(MarketplaceError):
    """5xx, timeouts, connection errors: the marketplace may accept the same request later."""

    action = Action.PENALISE


class MalformedResponse(MarketplaceError):
    """The marketplace answered with something we cannot read."""

    action = Action.PENALISE


class RequestRejected(MarketplaceError):
    """4xx other than auth and rate limit: the request itself is wrong."""

    action = Action.PENALISE


class AuthError(MarketplaceError):
    """401/403: credentials or User-Agent are wrong; retrying will not help."""

    action = Action.FAIL_RUN


class ConfigError(MarketplaceError):
    """The channel's configuration is incomplete for this call."""

    action = Action.FAIL_RUN
