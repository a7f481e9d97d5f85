"""Outbound webhooks: endpoints that subscribe to events, and the delivery log (an outbox)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from mpdash.channels import secrets


class WebhookEvent(models.TextChoices):
    ORDER_CREATED = "order.created", "order.created"
    ORDER_UPDATED = "order.updated", "order.updated"
    ORDER_CANCELLED = "order.cancelled", "order.cancelled"
    REFUND_REQUESTED = "refund.requested", "refund.requested"


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=128, blank=True)
    url = models.URLField(max_length=1000)
    secret = models.CharField(max_length=1000, help_text="HMAC key; stored encrypted, never shown back")
    events = models.JSONField(default=list, blank=True, help_text='Subscribed events; ["*"] for all')
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or self.url

    def save(self, *args, **kwargs):
        if self.secret:
            self.secret = secrets.encrypt(self.secret)
        super().save(*args, **kwargs)

    def plain_secret(self) -> str:
        """The secret in clear: for signing only, never for display or logs."""
        return secrets.decrypt(self.secret)

    def wants(self, event: str) -> bool:
        return self.is_active and ("*" in (self.events or []) or event in (self.events or []))


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Sent as X-Mpdash-Delivery")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64, choices=WebhookEvent.choices, db_index=True)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True, db_index=True, default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a delivery and what came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}: {self.status_code or self.error[:40]}"
