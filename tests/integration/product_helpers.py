"""Helpers of the end-to-end product flow tests (one set for every marketplace)."""

from __future__ import annotations

import time

from mpdash.catalog.models import CatalogItem, Product, ProductPrice, ProductStock
from mpdash.integration.models import ProductIntegration
from mpdash.integration.product_flow import check_approvals


def add_product(lists, category, sku, *, barcode: str, images: int = 1, **attributes):
    """A sellable dress: price, stock 7, in the catalog, with colour and size."""
    product = Product.objects.create(
        sku=sku, name=f"Keten elbise {sku}", description="Yazlık keten elbise", category=category, base_code="ELB-1",
        attributes={"barcode": barcode, "brand": "Mpdash", "renk": "Kırmızı", "beden": "M", **attributes},
        images=[f"https://img.invalid/{n}.jpg" for n in range(images)],
    )
    ProductPrice.objects.create(price_list=lists["price_list"], product=product, price="499.90", retail_price="599.90")
    ProductStock.objects.create(stock_list=lists["stock_list"], product=product, quantity=7)
    CatalogItem.objects.create(catalog=lists["catalog"], product=product)
    return product


def integration(channel, product) -> ProductIntegration:
    return ProductIntegration.objects.get(channel=channel, product=product)


def wait_approvals(channel, timeout=10.0):
    """Check approvals (what the approval task does) until none waits or time is up."""
    deadline = time.monotonic() + timeout
    while check_approvals(channel.pk) and time.monotonic() < deadline:
        time.sleep(0.2)
