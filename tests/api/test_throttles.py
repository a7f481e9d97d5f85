"""Brute-force protection: wrong passwords on /login/ (django-axes) and wrong API tokens
(DRF throttling) get 429 with Retry-After; the lock lifts after the cool-off or by an admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

PASSWORD = "right-pass-123"


@pytest.fixture
def ada(db, settings):
    from django.contrib.auth import get_user_model

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return get_user_model().objects.create_user("ada", password=PASSWORD)


def _sign_in(client, username, password, addr="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=addr)


def test_wrong_passwords_lock_the_username_with_429_and_retry_after(ada, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "ada", "wrong").status_code == 200  # the form again, with its error
    r = _sign_in(client, "ada", "wrong")
    assert r.status_code == 429
    assert int(r["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert b"Too many failed sign-ins" in r.content
    # locked: even the right password is refused, from another address too (the username is locked)
    other = Client()
    r = _sign_in(other, "ada", PASSWORD, addr="10.0.0.2")
    assert r.status_code == 429 and "_auth_user_id" not in other.session


def test_wrong_passwords_from_one_address_lock_that_address_for_every_username(ada, settings):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"guess{i}", "wrong", addr="10.0.0.9")
    assert _sign_in(Client(), "ada", PASSWORD, addr="10.0.0.9").status_code == 429
    r = _sign_in(Client(), "ada", PASSWORD, addr="10.0.0.10")
    assert r.status_code == 302  # another address signs in


def test_the_lock_lifts_after_the_cool_off_and_an_admin_can_lift_it(ada, settings):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), "ada", "wrong")
    assert _sign_in(Client(), "ada", PASSWORD).status_code == 429
    # the cool-off passes: the attempts are older than AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert _sign_in(Client(), "ada", PASSWORD).status_code == 302

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), "ada", "wrong")
    assert _sign_in(Client(), "ada", PASSWORD).status_code == 429
    # an admin lifts it: deletes the access attempts (what the admin's delete action does)
    from axes.utils import reset

    reset(username="ada")
    reset(ip="10.0.0.1")
    assert _sign_in(Client(), "ada", PASSWORD).status_code == 302
    # the audit trail: failures and successful sign-ins
    assert AccessFailureLog.objects.filter(username="ada").count() >= 2 * settings.AXES_FAILURE_LIMIT
    assert AccessLog.objects.filter(username="ada").count() >= 2


def test_axes_is_in_the_admin(ada, settings):
    from django.contrib import admin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert admin.site.is_registered(model)


@pytest.mark.parametrize("path", ["/api/v1/products/", "/flow-trigger/hb/split_packages"])
def test_wrong_tokens_get_429_with_retry_after_then_the_window_passes(ada, settings, path, monkeypatch):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from mpdash import security

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"failed_token": "3/min"}}
    monkeypatch.setattr(security.FailedTokenThrottle, "THROTTLE_RATES", {"failed_token": "3/min"})
    good = Token.objects.create(user=ada).key
    call = (lambda c: c.get(path)) if path.startswith("/api") else (lambda c: c.post(path, {"payload": {}}, format="json"))
    wrong = APIClient(REMOTE_ADDR="10.1.1.1")
    wrong.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    for _ in range(3):
        assert call(wrong).status_code == 401
    r = call(wrong)
    assert r.status_code == 429 and 0 < int(r["Retry-After"]) <= 60
    assert "wrong API token" in r.json()["detail"]
    # the address is locked for the right token as well, other addresses are not
    right = APIClient(REMOTE_ADDR="10.1.1.1")
    right.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    assert call(right).status_code == 429
    other = APIClient(REMOTE_ADDR="10.1.1.2")
    other.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    assert call(other).status_code != 429
    # a minute later the window has passed
    now = security.FailedTokenThrottle.timer()
    monkeypatch.setattr(security.FailedTokenThrottle, "timer", lambda self: now + 61)
    assert call(right).status_code != 429


def test_a_good_token_never_counts(ada, monkeypatch):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from mpdash import security

    monkeypatch.setattr(security.FailedTokenThrottle, "THROTTLE_RATES", {"failed_token": "2/min"})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=ada).key}")
    assert all(client.get("/api/v1/products/").status_code == 200 for _ in range(5))
