"""What a marketplace offers, fetched per channel: its category tree, the attributes of
its categories with their allowed values, and its brands.

Written by the Category Node, Category Attributes, Default Attributes and Brands flows;
read by the Mapper. A re-fetch updates rows in place and marks what vanished inactive
(``is_active=False``), so mappings pointing at it are flagged, never silently deleted.
"""

from __future__ import annotations

from django.db import models


class RemoteCategory(models.Model):
    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="remote_categories")
    remote_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    parent_remote_id = models.CharField(max_length=64, blank=True)
    path = models.TextField(blank=True, help_text="Names from the root, joined by ' > '")
    is_leaf = models.BooleanField(default=False)
    available = models.BooleanField(default=True, help_text="The marketplace accepts products under it")
    is_active = models.BooleanField(default=True, help_text="False once the marketplace no longer lists it")
    attributes_fetched_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "remote categories"
        ordering = ["channel", "path"]
        constraints = [models.UniqueConstraint(fields=["channel", "remote_id"], name="uniq_remote_category")]

    def __str__(self) -> str:
        return self.path or self.name


class RemoteAttribute(models.Model):
    """An attribute of one marketplace category, or (``category`` empty) a default
    attribute every product of the channel needs."""

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="remote_attributes")
    category = models.ForeignKey(
        RemoteCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="attributes"
    )
    remote_id = models.CharField(max_length=128)
    name = models.CharField(max_length=255)
    required = models.BooleanField(default=False)
    variant = models.BooleanField(default=False)
    slicer = models.BooleanField(default=False)
    allow_custom = models.BooleanField(default=False)
    multi_value = models.BooleanField(default=False)
    data_type = models.CharField(max_length=16, default="enum")
    is_default = models.BooleanField(default=False, help_text="A field every product needs (title, barcode, ...)")
    source = models.CharField(max_length=128, blank=True, help_text="Default attributes: the product field that fills it")
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel", "category", "-required", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "category", "remote_id"], name="uniq_remote_attribute",
                condition=models.Q(category__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["channel", "remote_id"], name="uniq_default_attribute", condition=models.Q(category__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RemoteAttributeValue(models.Model):
    attribute = models.ForeignKey(RemoteAttribute, on_delete=models.CASCADE, related_name="values")
    remote_id = models.CharField(max_length=128)
    name = models.CharField(max_length=255)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["attribute", "name"]
        constraints = [models.UniqueConstraint(fields=["attribute", "remote_id"], name="uniq_remote_attribute_value")]

    def __str__(self) -> str:
        return self.name


class RemoteBrand(models.Model):
    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="remote_brands")
    remote_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255, db_index=True)

    class Meta:
        ordering = ["channel", "name"]
        constraints = [models.UniqueConstraint(fields=["channel", "remote_id"], name="uniq_remote_brand")]

    def __str__(self) -> str:
        return self.name


class AttributeChange(models.Model):
    """What Compare Attributes found different from the last fetch."""

    class Change(models.TextChoices):
        NEWLY_REQUIRED = "newly_required", "became required"
        ADDED = "added", "new attribute"
        REMOVED = "removed", "attribute gone"
        VALUE_REMOVED = "value_removed", "value gone"

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="attribute_changes")
    run = models.ForeignKey("integration.FlowRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey(RemoteCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attribute_name = models.CharField(max_length=255)
    change = models.CharField(max_length=24, choices=Change.choices)
    detail = models.TextField(blank=True)
    affected_mappings = models.IntegerField(default=0, help_text="Mappings now incomplete because of it")
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
