"""Writing inbound orders exactly once.

:func:`store_order` is a get-or-create keyed by ``(channel, package_id)``: the database's
unique constraint decides between concurrent writers, and the loser gets the winner's
order back (``created`` False). Everything the order needs (number, addresses, cargo
company) is resolved before anything is written (:func:`prepare_order`), so a failure
(e.g. an unmapped township) writes nothing.

:func:`store_orders` writes a page of prepared orders in one transaction with a dozen
statements instead of about fifteen per order, all or nothing; whatever it cannot settle
safely it leaves to :func:`store_order`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from mpdash import app_metrics, fast_insert
from mpdash.catalog.models import Product

from . import webhooks
from .addresses import build_address
from .cargo import map_cargo_company
from .errors import OrderError, OrderNumberConflict
from .models import Address, Customer, Order, OrderItem, ShippingCompany, StatusChange
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


@dataclass
class PreparedOrder:
    """An order resolved and validated for writing (numbers, places, cargo company), not yet written."""

    package_id: str
    number: str
    marketplace_order_number: str
    items: list[dict[str, Any]]
    customer: dict[str, Any] | Customer | None
    shipping: Address | None
    billing: Address | None
    cargo_company: ShippingCompany | None
    source: str
    fields: dict[str, Any]


def prepare_order(
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
) -> PreparedOrder:
    """Resolve and check everything an order needs, writing nothing (arguments as :func:`store_order`).

    Raises :class:`OrderError` subclasses (AddressNotValid, CargoCompanyNotFound…).
    """
    package_id = str(package_id).strip()
    if not package_id:
        raise OrderError("package_id is required", field="package_id")
    unknown = set(fields) - set(ORDER_FIELDS)
    if unknown:
        raise TypeError(f"store_order() got unexpected order fields: {', '.join(sorted(unknown))}")
    if not items:
        raise OrderError("an order needs at least one item", field="items")
    number = number or order_number_for(channel, order_number=str(marketplace_order_number), package_id=package_id)
    shipping = build_address(channel, shipping_address) if shipping_address else None
    billing = build_address(channel, billing_address) if billing_address else None
    if isinstance(cargo_company, str):
        cargo_company = map_cargo_company(channel, cargo_company)
    return PreparedOrder(
        package_id=package_id, number=number, marketplace_order_number=str(marketplace_order_number), items=items,
        customer=customer, shipping=shipping, billing=billing, cargo_company=cargo_company, source=source[:64],
        fields=fields,
    )


def store_order(channel, *, package_id: str, **kwargs: Any) -> tuple[Order, bool]:
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
    key = str(package_id).strip()
    existing = find_order(channel, key) if key else None
    if existing is not None:
        return existing, False
    new = prepare_order(channel, package_id=package_id, **kwargs)
    products = dict(Product.objects.filter(sku__in=[i["sku"] for i in new.items]).values_list("sku", "pk"))
    _check_number_free(channel, new.number, new.package_id)

    try:
        with transaction.atomic():
            buyer = new.customer if isinstance(new.customer, Customer) else _customer(channel, new.customer)
            for address in (new.shipping, new.billing):
                if address is not None:
                    address.customer = buyer
                    address.save()
            order = _new_order(channel, new, buyer)
            order.save(force_insert=True)
            rows = _new_items(new, order, products)
            OrderItem.objects.bulk_create(rows)
            created_items = rows if all(r.pk for r in rows) else list(order.items.all())
            StatusChange.objects.bulk_create(_created_changes(order, created_items, new.source))
            webhooks.emit("order.created", order)
    except IntegrityError:
        existing = find_order(channel, new.package_id)
        if existing is not None:
            return existing, False
        _check_number_free(channel, new.number, new.package_id)
        raise
    app_metrics.orders_ingested(channel)
    return order, True


def store_orders(channel, prepared: list[PreparedOrder]) -> set[str]:
    """Write many new orders at once: a page of an inbound flow in a dozen statements.

    All or nothing: returns the package ids written. Orders it cannot write this way (the
    package already has an order, the number is taken, the package appears twice) are left
    out, for :func:`store_order` to settle one by one; a concurrent writer's conflict makes
    it write nothing (an empty set), for the same reason.
    """
    if not prepared:
        return set()
    packages = {p.package_id for p in prepared}
    taken_packages = set(Order.objects.filter(channel=channel, package_id__in=packages).values_list("package_id", flat=True))
    taken_numbers = set(Order.objects.filter(channel=channel, number__in={p.number for p in prepared}).values_list("number", flat=True))
    todo: list[PreparedOrder] = []
    seen_packages: set[str] = set()
    seen_numbers: set[str] = set()
    for p in prepared:
        if p.package_id in taken_packages or p.package_id in seen_packages or p.number in taken_numbers or p.number in seen_numbers:
            continue
        seen_packages.add(p.package_id)
        seen_numbers.add(p.number)
        todo.append(p)
    if not todo:
        return set()
    products = dict(Product.objects.filter(sku__in={i["sku"] for p in todo for i in p.items}).values_list("sku", "pk"))
    try:
        with transaction.atomic():
            buyers = _customers(channel, [p.customer for p in todo])
            addresses = []
            for p, buyer in zip(todo, buyers):
                for address in (p.shipping, p.billing):
                    if address is not None:
                        address.customer = buyer
                        addresses.append(address)
            fast_insert.insert(addresses)
            orders = [_new_order(channel, p, buyer) for p, buyer in zip(todo, buyers)]
            fast_insert.insert(orders)
            items_of = [_new_items(p, order, products) for p, order in zip(todo, orders)]
            fast_insert.insert([row for rows in items_of for row in rows])
            fast_insert.insert(
                [change for p, order, rows in zip(todo, orders, items_of) for change in _created_changes(order, rows, p.source)]
            )
            webhooks.emit_many("order.created", orders)
    except IntegrityError:
        return set()
    app_metrics.orders_ingested(channel, len(todo))
    return {p.package_id for p in todo}


def _new_order(channel, new: PreparedOrder, buyer: Customer | None) -> Order:
    return Order(
        channel=channel,
        number=new.number,
        marketplace_order_number=new.marketplace_order_number,
        package_id=new.package_id,
        customer=buyer,
        shipping_address=new.shipping,
        billing_address=new.billing,
        cargo_company=new.cargo_company,
        **new.fields,
    )


def _new_items(new: PreparedOrder, order: Order, products: dict[str, int]) -> list[OrderItem]:
    return [OrderItem(order=order, sku=i["sku"], product_id=products.get(i["sku"]), **_item_fields(i, order)) for i in new.items]


def _created_changes(order: Order, items: list[OrderItem], source: str) -> list[StatusChange]:
    return [StatusChange(order=order, new_status=order.status, source=source, note="created")] + [
        StatusChange(order=order, item=i, new_status=i.status, source=source, note="created") for i in items
    ]


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


def _customer_values(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The customer's fields and the key it is matched by (marketplace id, else e-mail, else none)."""
    values = {k: data[k] for k in CUSTOMER_FIELDS if data.get(k) is not None}
    remote_id = str(values.get("marketplace_customer_id") or "")
    values["marketplace_customer_id"] = remote_id
    if remote_id:
        return values, ("id", remote_id)
    if values.get("email"):
        return values, ("email", values["email"])
    return values, None


def _apply_changes(customer: Customer, values: dict[str, Any]) -> list[str]:
    """Later orders refresh what they say about the customer (never the extra data); the changed fields."""
    changed = [k for k, v in values.items() if v and getattr(customer, k) != v and k != "extra_field"]
    for k in changed:
        setattr(customer, k, values[k])
    return changed


def _customers(channel, given: list[dict[str, Any] | Customer | None]) -> list[Customer | None]:
    """The buyers of many orders, as :func:`_customer` would find or create them one by one, in a few statements."""
    parsed = [None if isinstance(d, Customer) or not d else _customer_values(d) for d in given]
    keys = {key for item in parsed if item is not None for key in [item[1]] if key is not None}
    found: dict[tuple[str, str], Customer] = {}
    by_id = [v for kind, v in keys if kind == "id"]
    by_email = [v for kind, v in keys if kind == "email"]
    if by_id:
        for c in Customer.objects.filter(channel=channel, marketplace_customer_id__in=by_id).order_by("-id"):
            found[("id", c.marketplace_customer_id)] = c  # the oldest wins
    if by_email:
        for c in Customer.objects.filter(channel=channel, email__in=by_email, marketplace_customer_id="").order_by("-id"):
            found[("email", c.email)] = c
    out: list[Customer | None] = []
    new: list[Customer] = []
    changed: dict[int, tuple[Customer, set[str]]] = {}
    for data, item in zip(given, parsed):
        if isinstance(data, Customer) or item is None:
            out.append(data if isinstance(data, Customer) else None)
            continue
        values, key = item
        customer = found.get(key) if key is not None else None
        if customer is None:
            customer = Customer(channel=channel, **values)
            new.append(customer)
            if key is not None:
                found[key] = customer
        else:
            fields = _apply_changes(customer, values)
            if fields and customer.pk is not None:
                changed.setdefault(customer.pk, (customer, set()))[1].update(fields)
        out.append(customer)
    fast_insert.insert(new)
    for customer, fields in changed.values():
        customer.save(update_fields=[*sorted(fields), "modified_at"])
    return out


def _customer(channel, data: dict[str, Any] | None) -> Customer | None:
    if not data:
        return None
    values, key = _customer_values(data)
    if key is None:
        return Customer.objects.create(channel=channel, **values)
    lookup = {"channel": channel, "marketplace_customer_id": key[1]} if key[0] == "id" else \
        {"channel": channel, "email": key[1], "marketplace_customer_id": ""}
    found = Customer.objects.filter(**lookup).order_by("id").first()
    if found is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(channel=channel, **values)
        except IntegrityError:
            found = Customer.objects.filter(**lookup).order_by("id").first()
            if found is None:
                raise
    changed = _apply_changes(found, values)
    if changed:
        found.save(update_fields=[*changed, "modified_at"])
    return found
