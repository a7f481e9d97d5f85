"""The built-in commerce core: what the brand sells, at what price, with how much stock.

Flows read these tables; they are fed by the REST API, CSV import and the admin.
Every write to a price or a stock row is tracked by database triggers (see
``mpdash.integration.change_tracking``), whatever wrote it.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=255)
    code = models.CharField(max_length=128, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class ProductType(models.TextChoices):
        SIMPLE = "simple", "Simple"
        GROUPED = "grouped", "Grouped"

    sku = models.CharField(max_length=128, unique=True)
    base_code = models.CharField(max_length=128, blank=True, db_index=True, help_text="Variant group code")
    name = models.CharField(max_length=512)
    description = models.TextField(blank=True)
    product_type = models.CharField(max_length=16, choices=ProductType.choices, default=ProductType.SIMPLE)
    is_active = models.BooleanField(default=True)
    attributes = models.JSONField(default=dict, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    images = models.JSONField(default=list, blank=True, help_text="Ordered list of image URLs")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)
    # Raised by a database trigger whenever what marketplaces show of the product changes
    # (name, description, images, attributes, category, ...), whoever wrote it.
    version = models.IntegerField(default=1, editable=False)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class PriceList(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    currency = models.CharField(max_length=3, default="TRY")

    def __str__(self) -> str:
        return self.name


class ProductPrice(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    price = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    retail_price = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="List price before discount"
    )
    currency = models.CharField(max_length=3, default="TRY")
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("20"))
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["price_list", "product"], name="uniq_price_per_list")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.price_list_id}: {self.price}"


class StockList(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name


class ProductStock(models.Model):
    stock_list = models.ForeignKey(StockList, on_delete=models.CASCADE, related_name="stocks")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stocks")
    quantity = models.IntegerField(default=0)
    extra = models.JSONField(default=dict, blank=True, help_text='e.g. {"maximumPurchasableQuantity": 5}')
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stock_list", "product"], name="uniq_stock_per_list")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.stock_list_id}: {self.quantity}"


class Catalog(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    products = models.ManyToManyField(Product, through="CatalogItem", related_name="catalogs")

    def __str__(self) -> str:
        return self.name


class CatalogItem(models.Model):
    catalog = models.ForeignKey(Catalog, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="catalog_items")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["catalog", "product"], name="uniq_product_per_catalog")]
