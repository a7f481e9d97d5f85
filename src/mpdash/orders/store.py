"""Writing inbound orders exactly once.

:func:`store_order` is a get-or-create keyed by ``(channel, package_id)``: the database's
unique constraint decides between concurrent writers, and the loser gets the winner's
order back (``created`` False). Everything the order needs (number, addresses, cargo
company) is resolved before anything is written, so a failure (e.g. an unmapped township)
writes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from mpdash.catalog.models import Product

from . import webhooks
from .addresses import build_address
from .cargo import map_cargo_company
from .errors import OrderError, OrderNumberConflict
from .models import Customer, Order, OrderItem, ShippingCompany, StatusChange
from .numbering import order_number_for

ORDER_FIELDS = (
    "status", "currency", "amount", "discount_amount", "shipping_amount", "shipping_tax_rate", "tracking_number",
    "tracking_url", "invoice_number", "invoice_date", "invoice_link", "extra_field", "date_placed",
)
ITEM_FIELDS = (
    "name", "quantity", "price", "retail_price", "discount_amount", "tax_rate", "status", "remote_line_id",
    "tracking_number", "tracking_url", "extra_field",
)
CUSTOMER_FIELDS = ("email", "first_name", "last_name", "phone", "marketplace_customer_id", "extra_field")


def find_order(channel, package_id: str) -> Order | None:
    return Order.objects.filter(channel=channel, package_id=str(package_id)).first()


def store_order(
    channel,
    *,
    package_id: str,
    marketplace_order_number: str,
    items: list[dict[str, Any]],
    customer: dict[str, Any] | Customer | None = None,
    shipping_address: dict[str, Any] | None = None,
    billing_address: dict[str, Any] | None = None,
    cargo_company: ShippingCompany | str | None = None,
    number: str | None = None,
    source: str = "",
    **fields: Any,
) -> tuple[Order, bool]:
    """The order of ``(channel, package_id)``, created from the given data if there is none.

    ``items``: dicts with ``sku``, ``price`` and any of :data:`ITEM_FIELDS` (the product is
    looked up by SKU and left empty when unknown). ``customer``: a dict of
    :data:`CUSTOMER_FIELDS` (matched by marketplace customer id, then e-mail) or a
    Customer. Addresses: dicts for :func:`mpdash.orders.addresses.build_address`.
    ``cargo_company``: our company or the marketplace's carrier name (mapped through the
    channel config). Other keyword arguments: :data:`ORDER_FIELDS`.

    Returns ``(order, created)``. Raises :class:`OrderError` subclasses (AddressNotValid,
    CargoCompanyNotFound, OrderNumberConflict…) without writing anything.
    """
    package_id = str(package_id).strip()
    if not package_id:
        raise OrderError("package_id is required", field="package_id")
    unknown = set(fields) - set(ORDER_FIELDS)
    if unknown:
        raise TypeError(f"store_order() got unexpected order fields: {', '.join(sorted(unknown))}")
    existing = find_order(channel, package_id)
    if existing is not None:
        return existing, False

    if not items:
        raise OrderError("an order needs at least one item", field="items")
    number = number or order_number_for(channel, order_number=str(marketplace_order_number), package_id=package_id)
    shipping = build_address(channel, shipping_address) if shipping_address else None
    billing = build_address(channel, billing_address) if billing_address else None
    if isinstance(cargo_company, str):
        cargo_company = map_cargo_company(channel, cargo_company)
    products = dict(Product.objects.filter(sku__in=[i["sku"] for i in items]).values_list("sku", "pk"))
    _check_number_free(channel, number, package_id)

    try:
        with transaction.atomic():
            buyer = customer if isinstance(customer, Customer) else _customer(channel, customer)
            for address in (shipping, billing):
                if address is not None:
                    address.customer = buyer
                    address.save()
            order = Order.objects.create(
                channel=channel,
                number=number,
                marketplace_order_number=str(marketplace_order_number),
                package_id=package_id,
                customer=buyer,
                shipping_address=shipping,
                billing_address=billing,
                cargo_company=cargo_company,
                **fields,
            )
            rows = [
                OrderItem(order=order, sku=i["sku"], product_id=products.get(i["sku"]), **_item_fields(i, order))
                for i in items
            ]
            OrderItem.objects.bulk_create(rows)
            created_items = rows if all(r.pk for r in rows) else list(order.items.all())
            StatusChange.objects.bulk_create(
                [StatusChange(order=order, new_status=order.status, source=source[:64], note="created")]
                + [StatusChange(order=order, item=i, new_status=i.status, source=source[:64], note="created") for i in created_items]
            )
            webhooks.emit("order.created", order)
    except IntegrityError:
        existing = find_order(channel, package_id)
        if existing is not None:
            return existing, False
        _check_number_free(channel, number, package_id)
        raise
    return order, True


def _check_number_free(channel, number: str, package_id: str) -> None:
    other = Order.objects.filter(channel=channel, number=number).exclude(package_id=package_id).first()
    if other is not None:
        raise OrderNumberConflict(
            f"order number {number} of channel {channel.pk} is already used by package {other.package_id}; "
            "make order_number_format unique per package (e.g. include {id})"
        )


def _item_fields(data: dict[str, Any], order: Order) -> dict[str, Any]:
    values = {k: data[k] for k in ITEM_FIELDS if data.get(k) is not None}
    values.setdefault("status", order.status)
    values["remote_line_id"] = str(values.get("remote_line_id", ""))
    values["price"] = Decimal(str(values.get("price", "0")))
    return values


def _customer(channel, data: dict[str, Any] | None) -> Customer | None:
    if not data:
        return None
    values = {k: data[k] for k in CUSTOMER_FIELDS if data.get(k) is not None}
    remote_id = str(values.get("marketplace_customer_id") or "")
    values["marketplace_customer_id"] = remote_id
    lookup: dict[str, Any] | None = None
    if remote_id:
        lookup = {"channel": channel, "marketplace_customer_id": remote_id}
    elif values.get("email"):
        lookup = {"channel": channel, "email": values["email"], "marketplace_customer_id": ""}
    if lookup is None:
        return Customer.objects.create(channel=channel, **values)
    found = Customer.objects.filter(**lookup).order_by("id").first()
    if found is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(channel=channel, **values)
        except IntegrityError:
            found = Customer.objects.filter(**lookup).order_by("id").first()
            if found is None:
                raise
    changed = [k for k, v in values.items() if v and getattr(found, k) != v and k != "extra_field"]
    for k in changed:
        setattr(found, k, values[k])
    if changed:
        found.save(update_fields=[*changed, "modified_at"])
    return found

