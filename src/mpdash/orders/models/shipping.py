"""Shipping (cargo) companies."""

from __future__ import annotations

from django.db import models


class ShippingCompany(models.Model):
    slug = models.SlugField(max_length=64, unique=True, help_text="e.g. yurtici, aras, hepsijet")
    name = models.CharField(max_length=128)
    tracking_url_template = models.CharField(
        max_length=1000, blank=True, help_text="Tracking page URL with {tracking_number} where the number goes"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "shipping companies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
