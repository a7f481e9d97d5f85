"""Reading the commerce core into the records adapters send."""

from __future__ import annotations

from mpdash.catalog.models import Product, ProductPrice, ProductStock
from mpdash.marketplaces.base import PriceRecord, StockRecord

MISSING_MESSAGE = {"productstock": "Stock data not found", "productprice": "Price data not found"}


def load(channel, kind: str, product_ids: list[int]):
    """Return ``({product_id: record}, {product_id: sku})`` for the products that have data.

    Products without a stock (or price) row in the channel's list are absent from the
    first dict and get the seeds' "Stock data not found" / "Price data not found".
    """
    skus = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "sku"))
    records: dict[int, object] = {}
    if kind == "productstock":
        rows = ProductStock.objects.filter(stock_list_id=channel.stock_list_id, product_id__in=product_ids).values_list(
            "product_id", "quantity", "extra"
        )
        for product_id, quantity, extra in rows:
            records[product_id] = StockRecord(sku=skus[product_id], quantity=quantity, extra=extra or {})
    elif kind == "productprice":
        rows = ProductPrice.objects.filter(price_list_id=channel.price_list_id, product_id__in=product_ids).values_list(
            "product_id", "price", "retail_price", "currency", "tax_rate"
        )
        for product_id, price, retail, currency, tax in rows:
            records[product_id] = PriceRecord(
                sku=skus[product_id], price=price, list_price=retail, currency=currency, tax_rate=tax
            )
    else:
        raise ValueError(f"no records of kind {kind!r}")
    return records, skus


def send(adapter, kind: str, records: list):
    if kind == "productstock":
        return adapter.send_stock(records)
    if kind == "productprice":
        return adapter.send_prices(records)
    raise ValueError(f"no sender for kind {kind!r}")
