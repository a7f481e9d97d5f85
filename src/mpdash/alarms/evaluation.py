"""Evaluating alarm rules: fire once per breach (with an e-mail), resolve when it clears."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Avg, Sum
from django.utils import timezone

from mpdash.integration.models import FlowRun

from .models import AlarmEvent, AlarmRule

logger = logging.getLogger("mpdash.alarms")


def measure(rule: AlarmRule, now: datetime) -> float:
    """The rule's metric over its window ending ``now``."""
    runs = FlowRun.objects.filter(channel_id=rule.channel_id, created_at__gte=now - timedelta(minutes=rule.window_minutes))
    if rule.flow:
        runs = runs.filter(flow=rule.flow)
    if rule.metric == AlarmRule.Metric.ERRORS:
        # Failed records, plus runs that failed as a whole (an outage fails the run, not records).
        records = runs.aggregate(n=Sum("failed"))["n"] or 0
        failed_runs = runs.filter(status=FlowRun.Status.FAIL, failed=0).count()
        return float(records + failed_runs)
    average = runs.filter(duration_ms__isnull=False).aggregate(ms=Avg("duration_ms"))["ms"]
    return float(average or 0) / 1000.0


def _mail(rule: AlarmRule, subject: str, body: str) -> str:
    recipients = rule.recipient_list
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - an unreachable mail server must not stop evaluation
        logger.warning("alarm %s: e-mail to %s failed: %s", rule.pk, recipients, exc)
        return f"e-mail to {', '.join(recipients)} failed: {exc}"
    return f"e-mailed {', '.join(recipients)}"


def _link(rule: AlarmRule) -> str:
    base = getattr(settings, "MPDASH_PUBLIC_URL", "").rstrip("/")
    return f"{base}/channels/{rule.channel.slug}/logs/" + (f"?flow={rule.flow}" if rule.flow else "")


def evaluate(rule: AlarmRule, now: datetime | None = None) -> str:
    """``"fired"``, ``"resolved"`` or ``""`` (nothing changed)."""
    now = now or timezone.now()
    value = measure(rule, now)
    breached = value > rule.threshold
    open_event = rule.events.filter(resolved_at__isnull=True).first()
    if breached and open_event is None:
        try:
            with transaction.atomic():
                event = AlarmEvent.objects.create(rule=rule, value=value, fired_at=now)
        except IntegrityError:
            return ""  # another evaluator fired it first
        subject = f"[mpdash] {rule.channel.name}: {rule.name} fired"
        body = (f"{rule.name} fired on {rule.channel.name} at {now:%Y-%m-%d %H:%M} UTC.\n\n"
                f"Rule: {rule.describe()}.\nNow: {value:g}.\n\nLogs: {_link(rule)}\n")
        AlarmEvent.objects.filter(pk=event.pk).update(notified=_mail(rule, subject, body))
        return "fired"
    if not breached and open_event is not None:
        AlarmEvent.objects.filter(pk=open_event.pk, resolved_at__isnull=True).update(resolved_at=now, resolved_value=value)
        _mail(rule, f"[mpdash] {rule.channel.name}: {rule.name} resolved",
              f"{rule.name} on {rule.channel.name} is back to normal ({value:g}) at {now:%Y-%m-%d %H:%M} UTC.\n")
        return "resolved"
    return ""


def evaluate_all(now: datetime | None = None) -> dict[str, int]:
    counts = {"fired": 0, "resolved": 0, "checked": 0}
    for rule in AlarmRule.objects.filter(is_active=True).select_related("channel"):
        outcome = evaluate(rule, now)
        counts["checked"] += 1
        if outcome:
            counts[outcome] += 1
    return counts
