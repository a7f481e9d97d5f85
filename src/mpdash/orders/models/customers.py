"""Customers and the addresses of their orders."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Customer(models.Model):
    channel = models.ForeignKey(
        "channels.SalesChannel", null=True, blank=True, on_delete=models.PROTECT, related_name="customers"
    )
    email = models.EmailField(max_length=254, blank=True, db_index=True)
    first_name = models.CharField(max_length=128, blank=True)
    last_name = models.CharField(max_length=128, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    marketplace_customer_id = models.CharField(max_length=128, blank=True)
    extra_field = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "marketplace_customer_id"],
                condition=~Q(marketplace_customer_id=""),
                name="uniq_customer_per_channel_remote_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email or f"customer {self.pk}"


class Address(models.Model):
    """A shipping or billing address as given with one order (a snapshot, never shared)."""

    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="addresses")
    title = models.CharField(max_length=128, blank=True)
    first_name = models.CharField(max_length=128, blank=True)
    last_name = models.CharField(max_length=128, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    country = models.ForeignKey("orders.Country", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("orders.City", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey("orders.Township", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("orders.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    neighbourhood = models.CharField(max_length=255, blank=True, help_text="Neighbourhood line as the marketplace sent it")
    line = models.TextField(help_text="Street, building, door")
    region = models.CharField(max_length=128, blank=True,
                              help_text="State, province or region, where the country has one (US state, for example)")
    postcode = models.CharField(max_length=16, blank=True)
    company_name = models.CharField(max_length=255, blank=True)
    tax_office = models.CharField(max_length=128, blank=True)
    tax_number = models.CharField(max_length=32, blank=True)
    e_bill_taxpayer = models.BooleanField(default=False)
    identity_number = models.CharField(max_length=32, blank=True)
    extra_field = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["id"]

    def __str__(self) -> str:
        parts = [self.line, self.district and self.district.name, self.township and self.township.name, self.city.name,
                 self.region]
        return ", ".join(p for p in parts if p)
