"""Brute-force protection: wrong passwords on /login/ (django-axes) and wrong API tokens
(DRF throttling) get 429 with Retry-After; the lock lifts after the cool-off or by an admin."""

from __future__ import annotations

import os
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


WRONG = "Token " + "0" * 40


def _lock_by_wrong_tokens(monkeypatch, addr="10.1.1.1"):
    from rest_framework.test import APIClient

    from mpdash import security

    monkeypatch.setattr(security.FailedTokenThrottle, "THROTTLE_RATES", {"failed_token": "3/min"})
    wrong = APIClient(REMOTE_ADDR=addr)
    wrong.credentials(HTTP_AUTHORIZATION=WRONG)
    for _ in range(3):
        assert wrong.get("/api/v1/products/").status_code == 401
    assert wrong.get("/api/v1/products/").status_code == 429


def _with_token(ada, addr="10.1.1.1"):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient(REMOTE_ADDR=addr)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=ada)[0].key}")
    return client


def test_failed_tokens_are_in_the_audit_trail_without_the_token(ada, monkeypatch):
    from axes.models import AccessFailureLog

    _lock_by_wrong_tokens(monkeypatch)
    rows = list(AccessFailureLog.objects.filter(ip_address="10.1.1.1").order_by("id"))
    assert [r.path_info for r in rows] == ["/api/v1/products/"] * 3  # the refused 4th call is not a failed check
    assert [r.locked_out for r in rows] == [False, False, True]
    assert all("0" * 40 not in f"{r.username} {r.http_accept} {r.user_agent}" for r in rows)


def test_lift_token_lock_lifts_the_address_at_once(ada, monkeypatch):
    from mpdash import security

    _lock_by_wrong_tokens(monkeypatch)
    assert _with_token(ada).get("/api/v1/products/").status_code == 429
    assert security.lift_token_lock("10.1.1.1") is True
    assert _with_token(ada).get("/api/v1/products/").status_code == 200
    assert security.lift_token_lock("10.1.1.1") is False  # nothing left to lift


def test_the_command_lifts_the_token_and_sign_in_locks_of_an_address_and_records_it(ada, settings, monkeypatch, capsys):
    from django.core.management import call_command

    from mpdash.api.models import LockLift

    _lock_by_wrong_tokens(monkeypatch, addr="10.0.0.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), f"guess{_}", "wrong", addr="10.0.0.1")
    assert _sign_in(Client(), "ada", PASSWORD, addr="10.0.0.1").status_code == 429
    from axes.models import AccessAttempt

    records = AccessAttempt.objects.filter(ip_address="10.0.0.1").count()
    assert records >= settings.AXES_FAILURE_LIMIT
    call_command("lift_token_lock", address="10.0.0.1")
    out = capsys.readouterr().out
    assert "API token lock lifted" in out and f"{records} failed sign-in record(s) removed" in out
    assert _with_token(ada, "10.0.0.1").get("/api/v1/products/").status_code == 200
    assert _sign_in(Client(), "ada", PASSWORD, addr="10.0.0.1").status_code == 302
    lift = LockLift.objects.get()
    assert (lift.address, lift.token_failures, lift.login_attempts, lift.source) == ("10.0.0.1", True, records, "command")
    assert lift.lifted_by.startswith("command:")


def test_mpdash_manage_runs_the_command(tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "MPDASH_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-m", "mpdash.cli", "manage", "lift_token_lock", "--help"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--address" in done.stdout and "audit trail" in done.stdout


def test_the_command_refuses_a_missing_or_bad_address(db):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--address"):
        call_command("lift_token_lock")
    with pytest.raises(CommandError, match="not an IP address"):
        call_command("lift_token_lock", address="nope")


@pytest.fixture
def admin_client_of(db, settings):
    from django.contrib.auth import get_user_model

    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
    client = Client()
    client.force_login(boss)
    return client


def test_an_admin_lifts_a_username_and_an_address_from_the_admin_and_it_is_recorded(ada, settings, monkeypatch, admin_client_of):
    from mpdash.api.models import LockLift

    _lock_by_wrong_tokens(monkeypatch, addr="10.2.2.2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), "ada", "wrong", addr="10.0.0.5")
    assert _sign_in(Client(), "ada", PASSWORD, addr="10.0.0.6").status_code == 429  # the username is locked
    r = admin_client_of.post("/admin/api/locklift/add/", {"address": "10.2.2.2", "username": "ada"})
    assert r.status_code == 302, r.content[:2000]
    assert _sign_in(Client(), "ada", PASSWORD, addr="10.0.0.6").status_code == 302
    assert _with_token(ada, "10.2.2.2").get("/api/v1/products/").status_code == 200
    lift = LockLift.objects.get()
    assert (lift.address, lift.username, lift.lifted_by, lift.source, lift.token_failures) == ("10.2.2.2", "ada", "boss", "admin", True)
    assert lift.login_attempts >= 1
    assert admin_client_of.get("/admin/api/locklift/").status_code == 200
    # the add form wants something to lift
    r = admin_client_of.post("/admin/api/locklift/add/", {"address": "", "username": ""})
    assert r.status_code == 200 and b"Give the client address" in r.content and LockLift.objects.count() == 1


def test_the_admin_action_on_access_failures_lifts_their_locks(ada, settings, monkeypatch, admin_client_of):
    from axes.models import AccessFailureLog

    from mpdash.api.models import LockLift

    _lock_by_wrong_tokens(monkeypatch, addr="10.3.3.3")
    failures = AccessFailureLog.objects.filter(ip_address="10.3.3.3")
    r = admin_client_of.post("/admin/axes/accessfailurelog/", {
        "action": "lift_selected", "_selected_action": [str(f.pk) for f in failures]})
    assert r.status_code == 302
    assert _with_token(ada, "10.3.3.3").get("/api/v1/products/").status_code == 200
    assert LockLift.objects.get().address == "10.3.3.3"
