"""Brute-force protection (issue 16).

- ``/login/`` (and the admin's login): django-axes counts failed sign-ins per address and per
  username (``AXES_*`` in settings). After ``MPDASH_LOGIN_FAILURE_LIMIT`` failures the address
  or the username is locked for ``MPDASH_LOGIN_COOLOFF_MINUTES``: :func:`lockout_response`
  answers 429 with ``Retry-After``. The lock lifts by itself after the cool-off; an admin lifts
  it sooner by deleting the "access attempt" in the admin (or ``mpdash manage axes_reset``).
  Every sign-in, good or bad, is in the admin's "access logs" / "access failures".
- API tokens: :class:`TokenAuthentication` counts *failed* token checks per client address
  with DRF's throttle machinery (rate ``failed_token`` in ``DEFAULT_THROTTLE_RATES``, set by
  ``MPDASH_TOKEN_FAILURE_RATE``). Past the rate every token request from that address, right
  or wrong, gets 429 with ``Retry-After`` until the window has passed. A good token never
  counts, so a busy ERP is not slowed down.
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

    def record_failure(self, request) -> None:
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


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
            throttle.record_failure(request)
            raise
