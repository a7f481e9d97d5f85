"""Brute-force protection (issue 16).

- ``/login/`` (and the admin's login): django-axes counts failed sign-ins per address and per
  username (``AXES_*`` in settings). After ``MPDASH_LOGIN_FAILURE_LIMIT`` failures the address
  or the username is locked for ``MPDASH_LOGIN_COOLOFF_MINUTES``: :func:`lockout_response`
  answers 429 with ``Retry-After``. The lock lifts by itself after the cool-off; an admin lifts
  it sooner (see "Lifting a lock" below). Every sign-in, good or bad, is in the admin's
  "access logs" / "access failures".
- API tokens: :class:`TokenAuthentication` counts *failed* token checks per client address
  with DRF's throttle machinery (rate ``failed_token`` in ``DEFAULT_THROTTLE_RATES``, set by
  ``MPDASH_TOKEN_FAILURE_RATE``). Past the rate every token request from that address, right
  or wrong, gets 429 with ``Retry-After`` until the window has passed. A good token never
  counts, so a busy ERP is not slowed down. Each counted failure is written to the same
  "access failures" as failed sign-ins (path ``/api/…`` or ``/flow-trigger/…``, the one that
  locks marked "locked out"), never with the token that was tried.

Lifting a lock: :func:`lift_locks` (an address: its token lock and its sign-in lock; a
username: its sign-in lock), from the admin ("Lock lifts" → add, or the action "Lift these
locks" on access attempts and access failures) or ``mpdash manage lift_token_lock --address A
[--username U]``. Each lift is recorded (:class:`mpdash.api.models.LockLift`: who, when, what).
"""

from __future__ import annotations

import math

from django.conf import settings
from django.shortcuts import render
from rest_framework import authentication, exceptions, throttling


def client_ip(request) -> str:
    """The client's address for both locks: REMOTE_ADDR, or behind ``MPDASH_PROXY_COUNT`` reverse
    proxies the address they saw (DRF's ``NUM_PROXIES`` rule, so axes and the token throttle agree)."""
    return throttling.BaseThrottle().get_ident(request)


def _cool_off_seconds() -> int:
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    return max(1, math.ceil(cool_off.total_seconds())) if cool_off else 3600


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked address or username: the sign-in page's look, 429."""
    seconds = _cool_off_seconds()
    response = render(
        request,
        "dashboard/locked.html",
        {"minutes": math.ceil(seconds / 60), "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


class FailedTokenThrottle(throttling.SimpleRateThrottle):
    """Counts failed token checks of one client address; DRF's rate syntax, cache and clock."""

    scope = "failed_token"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request) -> None:
        self.key = self.get_cache_key(request)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def locked(self, request) -> bool:
        self._load(request)
        return len(self.history) >= self.num_requests

    def record_failure(self, request) -> bool:
        """Count one failure; True when it is the one that locks the address."""
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
        return len(self.history) >= self.num_requests

    def lift(self, address: str) -> bool:
        """Forget the failures of ``address``; True when there were any."""
        key = self.cache_format % {"scope": self.scope, "ident": address}
        had = bool(self.cache.get(key))
        self.cache.delete(key)
        return had


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, throttled after repeated failures from one address (429 + Retry-After)."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token offered: not a failure, the permission check answers 401
        throttle = FailedTokenThrottle()
        if throttle.locked(request):
            raise exceptions.Throttled(wait=throttle.wait(), detail=(
                "Too many requests with a wrong API token from this address; "
                "wait for the time in Retry-After, then use a valid token."))
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            locks = throttle.record_failure(request)
            _log_token_failure(request, locked_out=locks)
            raise


def _log_token_failure(request, *, locked_out: bool) -> None:
    """A failed token check in the audit trail of sign-ins (axes' access failures)."""
    from axes.models import AccessFailureLog

    meta = request.META
    AccessFailureLog.objects.create(
        user_agent=meta.get("HTTP_USER_AGENT", "")[:255], ip_address=client_ip(request) or None, username=None,
        http_accept=meta.get("HTTP_ACCEPT", "")[:1025], path_info=(meta.get("PATH_INFO") or request.path)[:255],
        locked_out=locked_out,
    )


def lift_token_lock(address: str) -> bool:
    """Lift the wrong-token lock of an address now (not recorded; :func:`lift_locks` records)."""
    return FailedTokenThrottle().lift(address)


def lift_locks(*, address: str | None = None, username: str | None = None, by: str = "", source: str = ""):
    """Lift the locks of an address (token and sign-in) and/or a username (sign-in), and record
    who did it in the audit trail; returns the :class:`~mpdash.api.models.LockLift`."""
    from axes.utils import reset

    from mpdash.api.models import LockLift

    address = (address or "").strip() or None
    username = (username or "").strip() or None
    if address is None and username is None:
        raise ValueError("name the address or the username whose lock to lift")
    if address is not None:
        import ipaddress

        try:
            address = str(ipaddress.ip_address(address))
        except ValueError:
            raise ValueError(f"{address!r} is not an IP address, e.g. 203.0.113.7") from None
    attempts = 0
    if address is not None:
        attempts += reset(ip=address)
    if username is not None:
        attempts += reset(username=username)
    token = lift_token_lock(address) if address is not None else False
    return LockLift.objects.create(address=address, username=username or "", login_attempts=attempts,
                                   token_failures=token, lifted_by=by[:150], source=source[:32])
