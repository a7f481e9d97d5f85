"""Inbound order flows: marketplace packages → local orders, and their later changes.

Generic: the marketplace adapter lists :class:`RemoteOrder` records; this module turns
them into orders of the commerce core (:func:`mpdash.orders.store.store_order`, which is
exactly-once per package) and applies status and tracking changes. Reading windows,
cursors, retries and the reconciliation sweep are in :mod:`.inbound`.
"""

from __future__ import annotations

from django.db import transaction

from mpdash.marketplaces.base import RemoteOrder
from mpdash.orders.models import Order, OrderItem, OrderStatus

from . import inbound

# Normalised marketplace package status → back-office status.
STATUS = {
    "created": OrderStatus.APPROVED,
    "picking": OrderStatus.PREPARING,
    "invoiced": OrderStatus.PREPARING,
    "shipped": OrderStatus.SHIPPED,
    "delivered": OrderStatus.DELIVERED,
    "cancelled": OrderStatus.CANCELLED,
    "unpacked": OrderStatus.CANCELLED,
    "returned": OrderStatus.REFUNDED,
}
NOT_YET = {"awaiting": "awaiting the marketplace's payment or fraud check; created once it is confirmed"}


def _address(remote) -> dict | None:
    if remote is None:
        return None
    return {
        "first_name": remote.first_name, "last_name": remote.last_name, "line": remote.line, "city": remote.city,
        "township": remote.township, "district": remote.district, "neighbourhood": remote.neighbourhood,
        "postcode": remote.postcode, "country": remote.country or "TR", "phone": remote.phone, "email": remote.email,
        "company_name": remote.company, "tax_office": remote.tax_office, "tax_number": remote.tax_number,
        "identity_number": remote.identity_number,
    }


def store_remote_order(channel, remote: RemoteOrder) -> bool:
    """Create the local order of a marketplace package once; True when created now."""
    from mpdash.orders.store import find_order, store_order

    if remote.status in NOT_YET:
        if find_order(channel, remote.package_id) is None:
            raise inbound.Skip(NOT_YET[remote.status])
        return False
    config = channel.plain_config()
    billing = remote.billing_address
    if remote.micro_export and config.get("billing_address_same_as_shipping"):
        billing = remote.shipping_address
    name = remote.customer_name.split(" ", 1) if remote.customer_name else ["", ""]
    status = STATUS.get(remote.status, OrderStatus.APPROVED)
    _, created = store_order(
        channel,
        package_id=remote.package_id,
        marketplace_order_number=remote.order_number,
        items=[
            {
                "sku": line.sku, "price": line.price, "quantity": line.quantity, "remote_line_id": line.line_id,
                "name": line.name, "discount_amount": line.discount, "retail_price": line.list_price,
                "tax_rate": line.tax_rate, "status": status,
                "extra_field": {"remote_sku": line.remote_sku, "marketplace_status": line.status},
            }
            for line in remote.lines
        ],
        customer={
            "email": remote.customer_email, "first_name": name[0], "last_name": name[1] if len(name) > 1 else "",
            "phone": remote.customer_phone, "marketplace_customer_id": remote.customer_id,
        },
        shipping_address=_address(remote.shipping_address),
        billing_address=_address(billing),
        cargo_company=remote.cargo_company or None,
        source=f"{channel.marketplace}:get_orders",
        status=status,
        currency=remote.currency,
        amount=remote.amount,
        discount_amount=remote.discount,
        shipping_amount=remote.shipping_amount,
        tracking_number=remote.tracking_number,
        tracking_url=remote.tracking_url,
        date_placed=remote.placed_at,
        extra_field={
            "marketplace": channel.marketplace, "package_id": remote.package_id, "order_number": remote.order_number,
            "label_url": remote.label_url, "marketplace_status": remote.status, "raw": remote.raw,
        },
    )
    return created


def run_get_orders(ctx) -> str:
    return inbound.read(
        ctx,
        lister=ctx.adapter.list_orders,
        prepare=ctx.adapter.prepare_packages,
        store=lambda remote: store_remote_order(ctx.channel, remote),
        key_of=lambda remote: remote.package_id,
        floor_hours=12,
        start_key="order_start_date",
    )


# --- shipped / delivered on the marketplace ---------------------------------------------------
def apply_remote_update(channel, remote: RemoteOrder) -> bool:
    """Move a local order forward to what the marketplace reports (never backwards)."""
    from mpdash.orders.statuses import check_transition, set_order_status

    order = Order.objects.filter(channel=channel, package_id=remote.package_id).first()
    if order is None:
        # Not ingested yet (e.g. created and shipped between two get_orders runs): create it.
        return store_remote_order(channel, remote)
    target = STATUS.get(remote.status)
    changed = False
    with transaction.atomic():
        if remote.tracking_number and remote.tracking_number != order.tracking_number:
            order.tracking_number = remote.tracking_number
            order.tracking_url = remote.tracking_url or order.tracking_url
            order.save(update_fields=["tracking_number", "tracking_url"])
            OrderItem.objects.filter(order=order).update(tracking_number=remote.tracking_number)
            changed = True
        if target is not None and target != order.status:
            try:
                check_transition(order.status, target)
            except Exception:
                raise inbound.Skip(f"local status {order.get_status_display()} is ahead of the marketplace's {remote.status}") from None
            set_order_status(order, target, source=f"{channel.marketplace}:get_updated_orders")
            changed = True
    if not changed:
        raise inbound.Skip("already up to date")
    return True


def run_get_updated_orders(ctx) -> str:
    return inbound.read(
        ctx,
        lister=ctx.adapter.list_updated_orders,
        store=lambda remote: apply_remote_update(ctx.channel, remote),
        key_of=lambda remote: remote.package_id,
        floor_hours=24,
    )
