"""Alarm rules on a channel's flows, and the history of their breaches."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, validate_email
from django.db import models


def parse_recipients(text: str) -> list[str]:
    """E-mail addresses separated by commas, semicolons, spaces or new lines."""
    import re

    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def validate_recipients(text: str) -> None:
    addresses = parse_recipients(text)
    if not addresses:
        raise ValidationError("name at least one e-mail address")
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(f"not an e-mail address: {', '.join(bad)}")


class AlarmRule(models.Model):
    class Metric(models.TextChoices):
        ERRORS = "errors", "Errors in the window"
        AVG_DURATION = "avg_duration", "Average run time (seconds)"

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="alarm_rules")
    name = models.CharField(max_length=200)
    flow = models.CharField(max_length=64, blank=True, help_text="Empty: every flow of the channel")
    metric = models.CharField(max_length=16, choices=Metric.choices, default=Metric.ERRORS)
    window_minutes = models.PositiveIntegerField(default=60, validators=[MinValueValidator(1)])
    threshold = models.FloatField(
        validators=[MinValueValidator(0)],
        help_text="Errors: fires when failed records and failed runs in the window exceed it. Run time: seconds.",
    )
    recipients = models.TextField(validators=[validate_recipients], help_text="E-mail addresses, one per line or comma-separated")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["channel_id", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def recipient_list(self) -> list[str]:
        return parse_recipients(self.recipients)

    def describe(self) -> str:
        what = "errors" if self.metric == self.Metric.ERRORS else "average run time"
        unit = "" if self.metric == self.Metric.ERRORS else " s"
        return f"{what} of {self.flow or 'any flow'} over {self.window_minutes} min above {self.threshold:g}{unit}"


class AlarmEvent(models.Model):
    """One breach of a rule: fired once, resolved when the condition clears."""

    rule = models.ForeignKey(AlarmRule, on_delete=models.CASCADE, related_name="events")
    value = models.FloatField(help_text="The metric when the alarm fired")
    fired_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_value = models.FloatField(null=True, blank=True)
    notified = models.TextField(blank=True, help_text="Who was e-mailed, or why nobody was")

    class Meta:
        ordering = ["-fired_at", "-id"]
        constraints = [
            # At most one open event per rule: a breach fires once.
            models.UniqueConstraint(fields=["rule"], condition=models.Q(resolved_at__isnull=True), name="one_open_alarm_per_rule"),
        ]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
