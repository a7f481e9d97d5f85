"""Cancellation and refund reasons, requests and plans."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

MAX_PLANS_PER_ORDER = 6
DESCRIPTION_MAX = 500


class CancellationType(models.TextChoices):
    CANCEL = "cancel", "Cancel"
    REFUND = "refund", "Refund"


class CancellationReason(models.Model):
    cancellation_type = models.CharField(max_length=16, choices=CancellationType.choices, default=CancellationType.CANCEL)
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=255)
    is_active = models.BooleanField(default=True)
    extra_information_needed = models.BooleanField(default=False, help_text="The operator must add a description")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["cancellation_type", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["cancellation_type", "code"], name="uniq_reason_code_per_type")]

    def __str__(self) -> str:
        return f"{self.name} ({self.cancellation_type})"


class RemoteStatus(models.TextChoices):
    PENDING = "pending", "To send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class CancellationRequest(models.Model):
    """A cancellation or refund (return) of some items of an order, local or from the marketplace."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WAITING_APPROVAL = "waiting_approval", "Waiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        COMPLETED = "completed", "Completed"

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.PROTECT, related_name="cancellation_requests")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="cancellation_requests")
    cancellation_type = models.CharField(max_length=16, choices=CancellationType.choices, default=CancellationType.CANCEL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    reason = models.ForeignKey(CancellationReason, null=True, blank=True, on_delete=models.PROTECT, related_name="requests")
    description = models.TextField(blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    images = models.JSONField(default=list, blank=True, help_text="Image URLs")
    marketplace_claim_id = models.CharField(max_length=128, blank=True, db_index=True)
    # The operator's decision on a refund, kept for the flow that sends it to the marketplace.
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decision_reason = models.ForeignKey(
        CancellationReason, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    decision_description = models.TextField(blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    decision_images = models.JSONField(default=list, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    extra_field = models.JSONField(default=dict, blank=True)
    # Sending to the marketplace (local cancellations, refund decisions): pending → sent,
    # or failed with the marketplace's answer in remote_message. Empty: nothing to send.
    remote_status = models.CharField(max_length=16, choices=RemoteStatus.choices, blank=True, db_index=True)
    remote_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.cancellation_type} request {self.pk} of {self.order_id} ({self.status})"


class CancellationRequestItem(models.Model):
    """One order item (and how many of its units) in a request.

    ``(channel, marketplace_claim_line_id)`` is unique: a claim line seen twice is stored once.
    """

    request = models.ForeignKey(CancellationRequest, on_delete=models.CASCADE, related_name="items")
    order_item = models.ForeignKey("orders.OrderItem", on_delete=models.CASCADE, related_name="cancellation_items")
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.PROTECT, related_name="+")
    marketplace_claim_line_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "marketplace_claim_line_id"],
                condition=~Q(marketplace_claim_line_id=""),
                name="uniq_claim_line_per_channel",
            ),
            models.UniqueConstraint(fields=["request", "order_item"], name="uniq_item_per_cancellation_request"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cancellation_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_item_id} x{self.quantity}"


class CancellationPlan(models.Model):
    """How a cancellation or refund is carried out; at most six per order, numbered 1–6.

    The limit holds in the database too: ``sequence`` is unique per order and checked to
    lie between 1 and 6.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="cancellation_plans")
    request = models.ForeignKey(
        CancellationRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    plan_type = models.CharField(max_length=16, choices=CancellationType.choices, default=CancellationType.CANCEL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING, db_index=True)
    sequence = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PLANS_PER_ORDER)], help_text="1–6 within the order"
    )
    refund_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="uniq_plan_sequence_per_order"),
            models.CheckConstraint(
                condition=Q(sequence__gte=1) & Q(sequence__lte=MAX_PLANS_PER_ORDER), name="at_most_6_plans_per_order"
            ),
        ]

    def __str__(self) -> str:
        return f"plan {self.sequence} of order {self.order_id} ({self.plan_type}, {self.status})"
