"""The Mapper's rules: which marketplace category a product goes to, and where each
marketplace attribute takes its value from.

See :mod:`mpdash.channels.mapper` for how they are applied.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from .mapping_sources import PRODUCT_FIELDS, check_template


class CategoryMapping(models.Model):
    """Products of a local category (and its sub-categories), optionally narrowed by
    conditions on product attributes, go to one marketplace leaf category.

    The most specific matching rule wins: a deeper local category beats a shallower one,
    and with the same category more conditions beat fewer. Two equally specific rules
    pointing to different marketplace categories are an error for the product.
    """

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="category_mappings")
    local_category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty: the rule applies by its conditions alone",
    )
    conditions = models.JSONField(
        default=dict, blank=True, help_text='Product attributes that must match, e.g. {"gender": "Kadın"}'
    )
    remote_category = models.ForeignKey("channels.RemoteCategory", on_delete=models.CASCADE, related_name="mappings")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["channel", "id"]

    def clean(self) -> None:
        if self.local_category_id is None and not self.conditions:
            raise ValidationError({"conditions": "give a local category, conditions on product attributes, or both"})
        if not isinstance(self.conditions, dict):
            raise ValidationError({"conditions": 'must be an object such as {"gender": "Kadın"}'})
        remote = self.remote_category
        if remote.channel_id != self.channel_id:
            raise ValidationError({"remote_category": "belongs to another channel"})
        if not remote.is_leaf:
            raise ValidationError({"remote_category": f"{remote} is not a leaf: products go only under leaf categories"})

    def __str__(self) -> str:
        return f"{self.local_category or self.conditions} → {self.remote_category}"


class AttributeMapping(models.Model):
    """Where one marketplace attribute takes its value from.

    ``attribute`` is the marketplace attribute's id or name (a name applies wherever an
    attribute of that name exists, e.g. one global "Renk" mapping). ``remote_category``
    empty means global; a mapping for a category overrides the global one.
    """

    class Source(models.TextChoices):
        ATTRIBUTE = "attribute", "a product attribute"
        FIELD = "field", "a product field"
        CONSTANT = "constant", "a constant"
        TEMPLATE = "template", "a template"

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="attribute_mappings")
    remote_category = models.ForeignKey(
        "channels.RemoteCategory", null=True, blank=True, on_delete=models.CASCADE, related_name="attribute_mappings"
    )
    attribute = models.CharField(max_length=255, help_text="Marketplace attribute id or name")
    source_type = models.CharField(max_length=16, choices=Source.choices, default=Source.ATTRIBUTE)
    source = models.TextField(
        help_text="Attribute key, field name (name, description, sku, base_code, images, price, ...), constant, "
        "or template such as '{name} {attributes.color}'"
    )
    value_map = models.JSONField(
        default=dict, blank=True, help_text="Local value → marketplace value id (or name); unmapped values match by name"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel", "attribute"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "remote_category", "attribute"], name="uniq_attribute_mapping",
                condition=models.Q(remote_category__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["channel", "attribute"], name="uniq_global_attribute_mapping",
                condition=models.Q(remote_category__isnull=True),
            ),
        ]

    def clean(self) -> None:
        if not isinstance(self.value_map, dict):
            raise ValidationError({"value_map": 'must be an object such as {"Kırmızı": "1001"}'})
        if self.source_type == self.Source.TEMPLATE:
            problem = check_template(self.source)
            if problem:
                raise ValidationError({"source": problem})
        if self.source_type == self.Source.FIELD:
            if self.source not in PRODUCT_FIELDS:
                raise ValidationError({"source": f"unknown product field {self.source!r}; use one of {', '.join(PRODUCT_FIELDS)}"})

    def __str__(self) -> str:
        return f"{self.attribute} ← {self.source_type}:{self.source}"
