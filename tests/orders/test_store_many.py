"""Storing a page of orders at once (store_orders): the same orders, customers, addresses and
history as one by one, in a dozen statements, and nothing it cannot settle safely."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mpdash.orders import store
from mpdash.orders.models import Address, Customer, Order, OrderItem, StatusChange, WebhookDelivery, WebhookEndpoint
from mpdash.orders.store import prepare_order, store_order, store_orders

from .conftest import order_data, set_config

pytestmark = pytest.mark.django_db


def prepared(channel, *pairs, **extra):
    return [prepare_order(channel, **order_data(package, number, **extra)) for package, number in pairs]


def test_a_page_is_written_like_one_by_one(channel, lists):
    from mpdash.catalog.models import Product

    product = Product.objects.create(sku="SKU-1", name="Known")
    pages = prepared(channel, *[(f"P{i}", f"O{i}") for i in range(20)], shipping_amount=Decimal("9.90"))
    with CaptureQueriesContext(connection) as queries:
        written = store_orders(channel, pages)
    assert written == {f"P{i}" for i in range(20)}
    assert len(queries) <= 15, [q["sql"][:80] for q in queries]
    orders = list(Order.objects.filter(channel=channel).order_by("package_id"))
    assert len(orders) == 20
    one = Order.objects.get(package_id="P3")
    assert one.number == "O3-P3" and one.shipping_amount == Decimal("9.90") and one.amount == Decimal("250.00")
    assert [(i.sku, i.quantity, i.product_id, i.remote_line_id) for i in one.items.order_by("sku")] == [
        ("SKU-1", 2, product.pk, "P3-L1"), ("SKU-2", 1, None, "P3-L2")
    ]
    assert one.shipping_address.township.name == "Kadıköy" and one.billing_address_id != one.shipping_address_id
    assert one.shipping_address.customer_id == one.customer_id
    assert StatusChange.objects.filter(order=one).count() == 3  # the order and its two items, as created
    # One customer for the one marketplace customer id, not twenty.
    assert Customer.objects.count() == 1 and {o.customer_id for o in orders} == {Customer.objects.get().pk}
    assert Address.objects.count() == 40 and OrderItem.objects.count() == 40


def test_packages_it_cannot_settle_are_left_for_one_by_one(channel):
    set_config(channel, order_number_format="{orderNumber}")
    store_order(channel, **order_data("P-OLD", "O-OLD"))
    pages = prepared(channel, ("P-OLD", "O-OLD"), ("P-NEW", "O-NEW"), ("P-NEW", "O-NEW"), ("P-X", "O-OLD"), ("P-Y", "O-Y"), ("P-Z", "O-Y"))
    written = store_orders(channel, pages)
    # Known package, a package twice, a taken number, a number twice on the page: not written here.
    assert written == {"P-NEW", "P-Y"}
    assert Order.objects.filter(channel=channel).count() == 3
    # One by one then settles each with its own answer.
    assert store_order(channel, **order_data("P-NEW", "O-NEW"))[1] is False
    with pytest.raises(store.OrderNumberConflict):
        store_order(channel, **order_data("P-Z", "O-Y"))


def test_customers_keep_one_row_per_marketplace_id_and_e_mail(channel):
    store_order(channel, **order_data("P0", "O0"))  # C-1 exists already
    pages = [
        prepare_order(channel, **order_data("P1", "O1")),  # C-1 again, with a new phone
        prepare_order(channel, **order_data("P2", "O2", customer={"email": "mail@example.com", "first_name": "Ali"})),
        prepare_order(channel, **order_data("P3", "O3", customer={"email": "mail@example.com", "last_name": "Veli"})),
        prepare_order(channel, **order_data("P4", "O4", customer={"first_name": "No key"})),
        prepare_order(channel, **order_data("P5", "O5", customer=None)),
    ]
    pages[0].customer = {**pages[0].customer, "phone": "+905551112233"}
    assert store_orders(channel, pages) == {"P1", "P2", "P3", "P4", "P5"}
    by_package = {o.package_id: o for o in Order.objects.filter(channel=channel)}
    c1 = Customer.objects.get(marketplace_customer_id="C-1")
    assert by_package["P0"].customer_id == by_package["P1"].customer_id == c1.pk and c1.phone == "+905551112233"
    mail = Customer.objects.get(email="mail@example.com")
    assert by_package["P2"].customer_id == by_package["P3"].customer_id == mail.pk
    assert (mail.first_name, mail.last_name) == ("Ali", "Veli")  # later orders fill in, as one by one
    assert by_package["P4"].customer.first_name == "No key" and by_package["P5"].customer_id is None
    assert Customer.objects.count() == 3


def test_a_concurrent_writer_makes_it_write_nothing(channel, monkeypatch):
    real = store.fast_insert.insert

    def racing(objs):
        if objs and isinstance(objs[0], Order):
            # Another worker stores P2 between our look-up and our insert.
            Order.objects.create(channel=channel, number="theirs", marketplace_order_number="O2", package_id="P2")
        return real(objs)

    monkeypatch.setattr(store.fast_insert, "insert", racing)
    assert store_orders(channel, prepared(channel, ("P1", "O1"), ("P2", "O2"))) == set()
    monkeypatch.undo()
    # All or nothing (here the other writer's row, made inside our transaction, went with it).
    assert not Order.objects.exists() and not Customer.objects.exists() and not Address.objects.exists()
    # One by one then settles both.
    assert store_order(channel, **order_data("P1", "O1"))[1] and store_order(channel, **order_data("P2", "O2"))[1]


def test_webhooks_are_written_for_each_order(channel):
    WebhookEndpoint.objects.create(url="https://erp.example/hook", secret="s3cret", events=["order.created"])
    WebhookEndpoint.objects.create(url="https://other.example/hook", secret="s3cret", events=["order.cancelled"])
    store_orders(channel, prepared(channel, ("P1", "O1"), ("P2", "O2")))
    deliveries = list(WebhookDelivery.objects.values_list("event", "payload__order__package_id"))
    assert sorted(deliveries) == [("order.created", "P1"), ("order.created", "P2")]


def test_nothing_to_write(channel):
    with CaptureQueriesContext(connection) as queries:
        assert store_orders(channel, []) == set()
    assert not queries
