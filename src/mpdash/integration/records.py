"""Reading the commerce core into the records adapters send."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from mpdash.catalog.models import Product, ProductPrice, ProductStock
from mpdash.marketplaces.base import PriceRecord, StockRecord
from mpdash.sql_keys import among

MISSING_MESSAGE = {"productstock": "Stock data not found", "productprice": "Price data not found"}


def load(channel, kind: str, product_ids: list[int]):
    """Return ``(records, skus, versions, problems)`` keyed by product id.

    Values and pending versions are read in one statement, so a version always belongs
    to the value sent with it: a change landing meanwhile keeps the record pending (sent
    again) and is never mistaken for delivered. Products without a stock (or price) row
    in the channel's list are absent from the first dict and get the seeds' "Stock data
    not found" / "Price data not found".
    """
    from .models import PendingChange, ProductIntegration

    skus = dict(among(Product.objects.all(), "id", product_ids).values_list("pk", "sku"))
    version = Subquery(
        PendingChange.objects.filter(channel=channel, kind=kind, product_id=OuterRef("product_id")).values("version")[:1]
    )
    # What the marketplace calls the product, when a create we sent reported it back (a
    # barcode, say); the adapter falls back to the sku without one.
    remote = Subquery(
        ProductIntegration.objects.filter(channel=channel, product_id=OuterRef("product_id")).values("remote_sku")[:1]
    )
    records: dict[int, object] = {}
    versions: dict[int, int] = {}
    if kind == "productstock":
        rows = (
            among(ProductStock.objects.filter(stock_list_id=channel.stock_list_id), "product_id", product_ids)
            .annotate(pending_version=version, remote_sku=remote)
            .values_list("product_id", "quantity", "extra", "pending_version", "remote_sku")
        )
        for product_id, quantity, extra, pv, remote_sku in rows:
            records[product_id] = StockRecord(sku=skus[product_id], quantity=quantity, extra=extra or {},
                                              remote_sku=remote_sku or None)
            versions[product_id] = pv
    elif kind == "productprice":
        rows = (
            among(ProductPrice.objects.filter(price_list_id=channel.price_list_id), "product_id", product_ids)
            .annotate(pending_version=version, remote_sku=remote)
            .values_list("product_id", "price", "retail_price", "currency", "tax_rate", "pending_version", "remote_sku")
        )
        for product_id, price, retail, currency, tax, pv, remote_sku in rows:
            records[product_id] = PriceRecord(
                sku=skus[product_id], price=price, list_price=retail, currency=currency, tax_rate=tax,
                remote_sku=remote_sku or None,
            )
            versions[product_id] = pv
    else:
        raise ValueError(f"no records of kind {kind!r}")
    # A record without a pending row any more was delivered meanwhile: nothing to send.
    problems = {pid: MISSING_MESSAGE[kind] for pid in product_ids if pid not in records}
    records = {pid: rec for pid, rec in records.items() if versions.get(pid) is not None}
    return records, skus, versions, problems


def send(adapter, kind: str, records: list):
    if kind == "productstock":
        return adapter.send_stock(records)
    if kind == "productprice":
        return adapter.send_prices(records)
    raise ValueError(f"no sender for kind {kind!r}")
