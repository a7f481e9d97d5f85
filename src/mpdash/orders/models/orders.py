"""Orders, their items and their status history."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

_MONEY = {"max_digits": 14, "decimal_places": 2}


class OrderStatus(models.IntegerChoices):
    """The back office's order (and order item) status codes, as the seeds' back office (Omnitron) numbers them."""

    CANCELLATION_WAITING = 50, "cancellation_waiting"
    CANCELLED = 100, "cancelled"
    WAITING = 200, "waiting"
    PAYMENT_WAITING = 300, "payment_waiting"
    CONFIRMATION_WAITING = 350, "confirmation_waiting"
    APPROVED = 400, "approved"
    PREPARING = 450, "preparing"
    SHIPPED = 500, "shipped"
    SHIPPED_AND_INFORMED = 510, "shipped_and_informed"
    READY_FOR_PICKUP = 520, "ready_for_pickup"
    ATTEMPTED_DELIVERY = 540, "attempted_delivery"
    REVIEW_STARTED = 544, "review_started"
    REVIEW_WAITING = 545, "review_waiting"
    WAITING_FOR_PAYMENT = 546, "waiting_for_payment"
    PAID = 547, "paid"
    DELIVERED = 550, "delivered"
    REFUNDED = 600, "refunded"


class Order(models.Model):
    """One marketplace package in the back office.

    ``(channel, package_id)`` is unique in the database: however many workers import the
    same package at once, exactly one order exists for it (see :func:`mpdash.orders.store.store_order`).
    """

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=128, help_text="Built from the channel's order_number_format")
    status = models.IntegerField(choices=OrderStatus.choices, default=OrderStatus.APPROVED, db_index=True)
    marketplace_order_number = models.CharField(max_length=128, db_index=True)
    package_id = models.CharField(max_length=128, help_text="The marketplace's package (or order) id")
    customer = models.ForeignKey(
        "orders.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    shipping_address = models.ForeignKey(
        "orders.Address", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    billing_address = models.ForeignKey(
        "orders.Address", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(max_length=3, default="TRY")
    amount = models.DecimalField(**_MONEY, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    discount_amount = models.DecimalField(**_MONEY, default=Decimal("0"))
    shipping_amount = models.DecimalField(**_MONEY, default=Decimal("0"))
    shipping_tax_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    cargo_company = models.ForeignKey(
        "orders.ShippingCompany", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    tracking_number = models.CharField(max_length=256, blank=True)
    tracking_url = models.URLField(max_length=1000, blank=True)
    invoice_number = models.CharField(max_length=128, blank=True)
    invoice_date = models.DateTimeField(null=True, blank=True)
    invoice_link = models.URLField(max_length=1000, blank=True)
    extra_field = models.JSONField(default=dict, blank=True, help_text="The marketplace's ids and extra data")
    date_placed = models.DateTimeField(default=timezone.now, db_index=True)
    sent_to_erp = models.BooleanField(default=False, db_index=True)
    sent_to_erp_at = models.DateTimeField(null=True, blank=True)
    # Local changes (status, invoice, tracking) the marketplace has not been told yet: set
    # by the API and screens, cleared by send_update_orders once the marketplace has them.
    remote_pending = models.BooleanField(default=False, db_index=True)
    remote_changed_at = models.DateTimeField(null=True, blank=True)
    remote_state = models.JSONField(default=dict, blank=True, help_text="What the marketplace was last told")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-date_placed", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "package_id"], name="uniq_order_per_channel_package"),
            models.UniqueConstraint(fields=["channel", "number"], name="uniq_order_number_per_channel"),
            models.CheckConstraint(condition=~Q(package_id=""), name="order_package_id_not_empty"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_items",
        help_text="Resolved by SKU; empty when the SKU is not in the catalog",
    )
    sku = models.CharField(max_length=128, db_index=True)
    name = models.CharField(max_length=512, blank=True)
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    price = models.DecimalField(**_MONEY, help_text="Unit price paid")
    retail_price = models.DecimalField(**_MONEY, null=True, blank=True)
    discount_amount = models.DecimalField(**_MONEY, default=Decimal("0"))
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    status = models.IntegerField(choices=OrderStatus.choices, default=OrderStatus.APPROVED, db_index=True)
    remote_line_id = models.CharField(max_length=128, blank=True, help_text="The marketplace's line id")
    tracking_number = models.CharField(max_length=256, blank=True)
    tracking_url = models.URLField(max_length=1000, blank=True)
    extra_field = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "remote_line_id"], condition=~Q(remote_line_id=""), name="uniq_item_line_per_order"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} x{self.quantity}"


class StatusChange(models.Model):
    """One status change of an order (``item`` empty) or of one of its items."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    item = models.ForeignKey(OrderItem, null=True, blank=True, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.IntegerField(choices=OrderStatus.choices, null=True, blank=True)
    new_status = models.IntegerField(choices=OrderStatus.choices)
    source = models.CharField(max_length=64, blank=True, help_text="api, admin, flow:<name>, import…")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        what = f"item {self.item_id}" if self.item_id else f"order {self.order_id}"
        return f"{what}: {self.old_status} → {self.new_status}"
