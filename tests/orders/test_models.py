"""Orders: status codes and rules, history, numbering, and exactly-once storage."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from mpdash.orders import statuses, store
from mpdash.orders.errors import OrderError, OrderNumberConflict, StatusTransitionError
from mpdash.orders.models import Customer, Order, OrderItem, OrderStatus, StatusChange
from mpdash.orders.numbering import format_order_number
from mpdash.orders.store import store_order

from .conftest import order_data, set_config

pytestmark = pytest.mark.django_db
S = OrderStatus


def test_status_codes_are_the_back_office_codes():
    assert {s.label: s.value for s in OrderStatus} == {
        "cancellation_waiting": 50, "cancelled": 100, "waiting": 200, "payment_waiting": 300,
        "confirmation_waiting": 350, "approved": 400, "preparing": 450, "shipped": 500,
        "shipped_and_informed": 510, "ready_for_pickup": 520, "attempted_delivery": 540, "review_started": 544,
        "review_waiting": 545, "waiting_for_payment": 546, "paid": 547, "delivered": 550, "refunded": 600,
    }


# --- transitions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("current,new", [(400, 450), (400, 500), (450, 500), (500, 550), (200, 400), (400, 400)])
def test_forward_moves_are_allowed(current, new):
    statuses.check_transition(current, new)


@pytest.mark.parametrize("current,new", [(500, 400), (550, 500), (450, 400), (550, 200)])
def test_backward_moves_are_refused_with_both_statuses_named(current, new):
    with pytest.raises(StatusTransitionError) as exc:
        statuses.check_transition(current, new)
    message = str(exc.value)
    assert message.startswith("status cannot move backwards")
    assert f"{current} ({OrderStatus(current).label})" in message and f"{new} ({OrderStatus(new).label})" in message
    assert exc.value.field == "status"


@pytest.mark.parametrize("final", [100, 600])
@pytest.mark.parametrize("new", [400, 500, 550, 50])
def test_cancelled_and_refunded_are_final(final, new):
    with pytest.raises(StatusTransitionError, match="is final"):
        statuses.check_transition(final, new)


def test_cancel_and_refund_branches():
    statuses.check_transition(450, 100)
    statuses.check_transition(400, 50)
    statuses.check_transition(50, 100)
    statuses.check_transition(550, 600)
    statuses.check_transition(400, 600)
    with pytest.raises(StatusTransitionError, match="refund it instead"):
        statuses.check_transition(550, 100)


def test_a_refused_cancellation_resumes_no_earlier_than_before():
    statuses.check_transition(50, 500, resumes_from=450)
    with pytest.raises(StatusTransitionError, match="backwards"):
        statuses.check_transition(50, 400, resumes_from=450)


def test_unknown_status_code_is_refused():
    with pytest.raises(StatusTransitionError, match="not a status code"):
        statuses.check_transition(400, 999)


def test_set_status_records_history_and_refuses_backwards(make_order):
    order = make_order()
    assert statuses.set_status(order, S.SHIPPED, source="test") is True
    assert statuses.set_status(order, S.SHIPPED, source="test") is False  # no-op, not recorded twice
    with pytest.raises(StatusTransitionError):
        statuses.set_status(order, S.PREPARING)
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    history = list(StatusChange.objects.filter(order=order, item__isnull=True).values_list("old_status", "new_status"))
    assert history == [(None, 400), (400, 500)]


def test_cancellation_waiting_resumes_from_history(make_order):
    order = make_order()
    statuses.set_status(order, S.PREPARING)
    statuses.set_status(order, S.CANCELLATION_WAITING)
    with pytest.raises(StatusTransitionError):
        statuses.set_status(order, S.APPROVED)
    statuses.set_status(order, S.SHIPPED)


def test_set_order_status_moves_items_that_can_follow(make_order):
    order = make_order()
    first, second = order.items.all()
    statuses.set_status(second, S.CANCELLED)
    moved = statuses.set_order_status(order, S.SHIPPED, source="test")
    assert moved == [first.pk]
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (S.SHIPPED, S.CANCELLED)


def test_backwards_order_move_changes_nothing(make_order):
    order = make_order()
    statuses.set_order_status(order, S.DELIVERED)
    with pytest.raises(StatusTransitionError):
        statuses.set_order_status(order, S.SHIPPED)
    assert set(order.items.values_list("status", flat=True)) == {S.DELIVERED}


# --- numbering -------------------------------------------------------------------------------------------


def test_order_number_formats():
    assert format_order_number("", order_number="4100", package_id="77") == "4100-77"
    assert format_order_number("HB-{orderNumber}-{id}", order_number="4100", package_id="77") == "HB-4100-77"
    assert format_order_number("AMZ{n1}{n2}{n3}", order_number="123-4567890-1234567", package_id="x") == "AMZ12345678901234567"
    with pytest.raises(OrderError, match="unknown placeholders: nope") as exc:
        format_order_number("{nope}", order_number="1", package_id="2")
    assert exc.value.field == "order_number_format"


def test_store_order_uses_the_channel_format(channel):
    set_config(channel, order_number_format="HB-{orderNumber}-{id}")
    order, created = store_order(channel, **order_data("P9", "O9"))
    assert created and order.number == "HB-O9-P9"


# --- storing orders ----------------------------------------------------------------------------------------


def test_store_order_creates_everything(channel, lists):
    from mpdash.catalog.models import Product

    product = Product.objects.create(sku="SKU-1", name="Known")
    order, created = store_order(channel, **order_data(), cargo_company="Hepsijet", shipping_amount=Decimal("9.90"))
    assert created
    assert order.number == "ORD-1-PKG-1" and order.status == S.APPROVED and order.shipping_amount == Decimal("9.90")
    assert order.cargo_company is not None  # "default" of the channel's cargo_company_mapping
    items = list(order.items.order_by("sku"))
    assert [(i.sku, i.quantity, i.product_id, i.status) for i in items] == [
        ("SKU-1", 2, product.pk, 400), ("SKU-2", 1, None, 400)
    ]
    assert order.shipping_address.city.name == "İstanbul" and order.shipping_address.township.name == "Kadıköy"
    assert order.customer.marketplace_customer_id == "C-1"
    assert StatusChange.objects.filter(order=order).count() == 3  # the order and its two items, as created


def test_store_order_twice_returns_the_first(channel):
    first, created = store_order(channel, **order_data())
    again, created_again = store_order(channel, **order_data())
    assert created and not created_again and again.pk == first.pk
    assert Order.objects.count() == 1 and OrderItem.objects.count() == 2 and Customer.objects.count() == 1


def test_the_database_refuses_a_second_order_for_a_package(channel):
    Order.objects.create(channel=channel, number="A", marketplace_order_number="1", package_id="P")
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(channel=channel, number="B", marketplace_order_number="1", package_id="P")
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(channel=channel, number="C", marketplace_order_number="1", package_id="")


def test_same_package_on_two_channels_is_two_orders(channel, other_channel):
    a, _ = store_order(channel, **order_data())
    b, created = store_order(other_channel, **order_data())
    assert created and a.pk != b.pk


def test_an_unresolvable_address_writes_nothing(channel):
    data = order_data()
    data["shipping_address"]["township"] = "Atlantis"
    with pytest.raises(OrderError, match="Address is not valid"):
        store_order(channel, **data)
    assert not Order.objects.exists() and not Customer.objects.exists()


def test_order_number_conflict_is_explained(channel):
    set_config(channel, order_number_format="{orderNumber}")
    store_order(channel, **order_data("P1", "SAME"))
    with pytest.raises(OrderNumberConflict, match="already used by package P1"):
        store_order(channel, **order_data("P2", "SAME"))


def test_customers_are_matched_by_marketplace_id(channel):
    a, _ = store_order(channel, **order_data("P1", "O1"))
    b, _ = store_order(channel, **order_data("P2", "O2"))
    assert a.customer_id == b.customer_id


@pytest.mark.django_db(transaction=True)
def test_unique_package_holds_under_two_concurrent_writers(channel, monkeypatch):
    """Both writers pass the look-up before either inserts: the constraint decides, both get one order."""
    barrier = threading.Barrier(2, timeout=20)
    seen = threading.local()
    real_find = store.find_order

    def racing_find(ch, package_id):
        found = real_find(ch, package_id)
        if found is None and not getattr(seen, "waited", False):
            seen.waited = True
            barrier.wait()  # both threads have looked and found nothing
        return found

    monkeypatch.setattr(store, "find_order", racing_find)
    results, errors = [], []
    data = order_data()
    data.pop("shipping_address"), data.pop("billing_address")

    def worker():
        try:
            results.append(store_order(channel, **data))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sorted(created for _, created in results) == [False, True]
    assert len({order.pk for order, _ in results}) == 1
    assert Order.objects.filter(channel=channel, package_id="PKG-1").count() == 1
    assert OrderItem.objects.count() == 2
