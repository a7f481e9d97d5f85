"""The reconciliation flow: what the marketplace really has on sale, against the catalog.

It reads every listing of the marketplace (price, stock, on sale), compares it with the
channel's catalog, price list and stock list, stores the Dashboard's figures and the
SKUs behind them (:class:`Reconciliation`), and corrects what differs by queueing the SKU
again for the stock or price flow ("corrected"). Figures:

=====================  ==========================================================================
total_skus             active simple products in the channel's catalog
on_sale                of those, how many the marketplace lists as on sale
sellable               of those, how many have a price and stock to sell here
sku_difference         sellable here but not on sale there (lines ``not_on_sale``, with the reason)
price_difference       on sale there at another price than here (lines ``price``)
price_corrected        price differences queued to be sent again (or already queued)
total_stock            units in the stock list for the catalog's products
total_stock_on_sale    units the marketplace shows for them
stock_difference       total_stock − total_stock_on_sale
stock_difference_skus  SKUs the marketplace shows with another stock than we would send (``stock``)
stock_corrected        stock differences queued to be sent again (or already queued)
=====================  ==========================================================================
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import change_tracking, runs
from .dispatch import request_flow
from .models import FailedIntegration, PendingChange, ProductIntegration, Reconciliation, ReconciliationLine
from .sync_flow import StopRun

KEEP = 3  # reconciliations kept per channel
FIGURES = ("total_skus", "on_sale", "sellable", "sku_difference", "price_difference", "price_corrected",
           "total_stock", "total_stock_on_sale", "stock_difference", "stock_difference_skus", "stock_corrected")


def _local(channel):
    """{product_id: (sku, images, category_id)}, prices and stock of the catalog's active simple products."""
    from mpdash.catalog.models import CatalogItem, ProductPrice, ProductStock

    products = {
        pid: (sku, images, category_id)
        for pid, sku, images, category_id in CatalogItem.objects.filter(
            catalog_id=channel.catalog_id, product__is_active=True, product__product_type="simple",
        ).values_list("product_id", "product__sku", "product__images", "product__category_id").iterator(chunk_size=5000)
    }
    prices = dict(ProductPrice.objects.filter(price_list_id=channel.price_list_id).values_list("product_id", "price")
                  .iterator(chunk_size=5000))
    stock = dict(ProductStock.objects.filter(stock_list_id=channel.stock_list_id).values_list("product_id", "quantity")
                 .iterator(chunk_size=5000))
    return products, prices, stock


def _why_not_on_sale(pid, images, category_id, price, quantity, listing, penalised, integration) -> str:
    reasons = []
    if price is None or price <= 0:
        reasons.append("no price")
    if quantity is None or quantity <= 0:
        reasons.append("no stock")
    if not images:
        reasons.append("no image")
    if category_id is None:
        reasons.append("no category")
    if pid in penalised:
        reasons.append(f"penalised ({penalised[pid]})")
    if integration is not None:
        state, why = integration
        if state == ProductIntegration.State.REJECTED:
            reasons.append("rejected by the marketplace" + (f": {why}" if why else ""))
        elif state == ProductIntegration.State.FAILED:
            reasons.append("mapping or send error" + (f": {why}" if why else ""))
        elif state in (ProductIntegration.State.PENDING_APPROVAL, ProductIntegration.State.IN_FLIGHT):
            reasons.append("waiting for the marketplace's approval")
    if listing is None:
        reasons.append("not listed on the marketplace")
    elif not listing.on_sale:
        reasons.append("listed but not on sale there")
    return "; ".join(reasons)[:500]


def _queue(channel, kind: str, product_ids: list[int]) -> int:
    """Queue products for the stock or price flow unless a change of theirs is pending already."""
    if not product_ids:
        return 0
    pending = set()
    for start in range(0, len(product_ids), 500):
        pending.update(PendingChange.objects.filter(
            channel=channel, kind=kind, product_id__in=product_ids[start:start + 500]).values_list("product_id", flat=True))
    fresh = [pid for pid in product_ids if pid not in pending]
    change_tracking.mark_products(channel.pk, fresh, kind=kind)
    return len(product_ids)


def run_reconcile(ctx) -> str:
    channel, adapter = ctx.channel, ctx.adapter
    from mpdash.marketplaces.errors import Action, MarketplaceError

    products, prices, stock = _local(channel)
    listings = {}
    try:
        for listing in adapter.list_listings():
            listings[str(listing.sku)] = listing
            if len(listings) % 5000 == 0:
                ctx.lease.renew()
    except MarketplaceError as exc:
        retry = getattr(exc, "retry_after", 1.0) if exc.action is Action.RETRY_LATER else None
        raise StopRun(f"reading the marketplace's listings failed after {len(listings)}: {exc}",
                      failed=retry is None, retry_after=retry) from exc
    ctx.lease.renew()
    penalised = dict(FailedIntegration.objects.filter(channel=channel, kind__in=["product", "productstock", "productprice"])
                     .values_list("object_id", "last_error"))
    integrations = {pid: (state, "; ".join(map(str, reasons or []))[:300]) for pid, state, reasons in
                    ProductIntegration.objects.filter(channel=channel).values_list("product_id", "state", "reasons")}
    figures = dict.fromkeys(FIGURES, 0)
    # A difference is corrected by the flow that carries it: only while that flow is on.
    price_on, stock_on = channel.flow_enabled("price"), channel.flow_enabled("stock")
    lines: list[ReconciliationLine] = []
    fix_price, fix_stock = [], []
    for pid, (sku, images, category_id) in products.items():
        figures["total_skus"] += 1
        price, quantity = prices.get(pid), stock.get(pid)
        listing = listings.get(sku)
        figures["total_stock"] += max(0, quantity or 0)
        sellable = price is not None and price > 0 and quantity is not None and adapter.stock_to_send(quantity) > 0
        figures["sellable"] += sellable
        if listing is not None and listing.on_sale:
            figures["on_sale"] += 1
            figures["total_stock_on_sale"] += max(0, listing.stock or 0)
        else:
            why = _why_not_on_sale(pid, images, category_id, price, quantity, listing, penalised, integrations.get(pid))
            figures["sku_difference"] += sellable
            lines.append(ReconciliationLine(product_id=pid, sku=sku, kind=ReconciliationLine.Kind.NOT_ON_SALE,
                                            local_value="sellable" if sellable else "", reason=why))
        if listing is None:
            continue
        if price is not None and listing.price is not None and Decimal(str(listing.price)) != Decimal(str(price)):
            figures["price_difference"] += 1
            fix_price.append(pid)
            lines.append(ReconciliationLine(product_id=pid, sku=sku, kind=ReconciliationLine.Kind.PRICE,
                                            local_value=str(price), remote_value=str(listing.price), corrected=price_on))
        expected = adapter.stock_to_send(quantity or 0)
        if listing.stock is not None and int(listing.stock) != expected:
            figures["stock_difference_skus"] += 1
            fix_stock.append(pid)
            lines.append(ReconciliationLine(product_id=pid, sku=sku, kind=ReconciliationLine.Kind.STOCK,
                                            local_value=str(expected), remote_value=str(listing.stock), corrected=stock_on))
    figures["stock_difference"] = figures["total_stock"] - figures["total_stock_on_sale"]
    figures["listed"] = len(listings)
    with transaction.atomic():
        figures["price_corrected"] = _queue(channel, "productprice", fix_price) if price_on else 0
        figures["stock_corrected"] = _queue(channel, "productstock", fix_stock) if stock_on else 0
        report = Reconciliation.objects.create(channel=channel, run=ctx.run, figures=figures)
        for line in lines:
            line.reconciliation = report
        ReconciliationLine.objects.bulk_create(lines, batch_size=2000)
        old = list(Reconciliation.objects.filter(channel=channel).order_by("-created_at", "-id").values_list("pk", flat=True)[KEEP:])
        if old:
            Reconciliation.objects.filter(pk__in=old).delete()
    runs.bump(ctx.run.pk, selected=figures["total_skus"], succeeded=figures["total_skus"])
    for flow, queued, on in (("price", fix_price, price_on), ("stock", fix_stock, stock_on)):
        if queued and on:
            transaction.on_commit(lambda flow=flow: request_flow(channel.pk, flow))
    return (f"{figures['total_skus']} SKUs, {figures['on_sale']} on sale, {figures['sku_difference']} sellable but not on "
            f"sale; {figures['price_difference']} price and {figures['stock_difference_skus']} stock differences "
            f"({figures['price_corrected']} and {figures['stock_corrected']} queued to be sent again) at "
            f"{timezone.now():%H:%M}")
