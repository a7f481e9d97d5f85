"""Alarm rules fire once per breach with an e-mail, resolve when the condition clears, and
keep their history; recipients are validated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mpdash.alarms.evaluation import evaluate, evaluate_all, measure
from mpdash.alarms.models import AlarmEvent, AlarmRule
from mpdash.integration.models import FlowRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(channel_factory):
    return channel_factory()


def rule(channel, **kw):
    defaults = {"name": "Stock errors", "flow": "stock", "metric": "errors", "window_minutes": 60, "threshold": 2,
                "recipients": "ops@example.com\noncall@example.com"}
    defaults.update(kw)
    r = AlarmRule(channel=channel, **defaults)
    r.full_clean()
    r.save()
    return r


def test_fires_once_resolves_and_fires_again(channel, mailoutbox):
    r = rule(channel)
    assert evaluate(r) == ""  # nothing wrong yet
    run = FlowRun.objects.create(channel=channel, flow="stock", status="partial", failed=3)
    FlowRun.objects.create(channel=channel, flow="price", status="fail", failed=0)  # another flow: not counted
    assert measure(r, timezone.now()) == 3
    assert evaluate(r) == "fired"
    assert evaluate(r) == "" and len(mailoutbox) == 1  # one e-mail per breach
    assert mailoutbox[0].to == ["ops@example.com", "oncall@example.com"]
    # The failures age out of the window: resolved, with an e-mail saying so.
    FlowRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert evaluate(r) == "resolved" and len(mailoutbox) == 2 and "resolved" in mailoutbox[1].subject
    FlowRun.objects.create(channel=channel, flow="stock", status="fail", failed=0)
    FlowRun.objects.create(channel=channel, flow="stock", status="fail", failed=0)
    FlowRun.objects.create(channel=channel, flow="stock", status="fail", failed=0)
    assert evaluate(r) == "fired"  # whole-run failures (an outage) count too
    assert [e.resolved_at is None for e in AlarmEvent.objects.filter(rule=r)] == [True, False]  # newest first


def test_average_run_time(channel, mailoutbox):
    r = rule(channel, metric="avg_duration", threshold=30)
    FlowRun.objects.create(channel=channel, flow="stock", status="success", duration_ms=20_000)
    FlowRun.objects.create(channel=channel, flow="stock", status="success", duration_ms=50_000)
    FlowRun.objects.create(channel=channel, flow="get_orders", status="success", duration_ms=90_000)  # another flow
    assert measure(r, timezone.now()) == 35
    assert evaluate_all() == {"fired": 1, "resolved": 0, "checked": 1}


def test_disabled_rules_are_not_evaluated(channel, mailoutbox):
    rule(channel, is_active=False)
    FlowRun.objects.create(channel=channel, flow="stock", status="partial", failed=10)
    assert evaluate_all()["checked"] == 0 and not mailoutbox


def test_an_unreachable_mail_server_is_recorded_not_raised(channel, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    r = rule(channel)
    FlowRun.objects.create(channel=channel, flow="stock", status="partial", failed=5)
    assert evaluate(r) == "fired"
    assert "e-mail to ops@example.com, oncall@example.com failed" in AlarmEvent.objects.get(rule=r).notified


@pytest.mark.parametrize("recipients, message", [
    ("", "cannot be blank"),
    (" , ;", "name at least one e-mail address"),
    ("ops@example.com, nope", "not an e-mail address: nope"),
])
def test_recipients_are_validated(channel, recipients, message):
    with pytest.raises(ValidationError, match=message):
        rule(channel, recipients=recipients)
