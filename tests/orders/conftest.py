"""Fixtures of the orders tests: a channel, an authenticated API client, an order factory."""

from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def channel(channel_factory):
    """A Hepsiburada channel (the root conftest's), skipped while that package cannot load."""
    try:
        from mpdash.marketplaces import registry

        registry.adapter_class("hepsiburada").default_schema()
    except Exception as exc:  # the package is being written in parallel
        pytest.skip(f"the Hepsiburada marketplace package does not import yet: {exc.__class__.__name__}: {exc}")
    return channel_factory()


@pytest.fixture
def other_channel(channel):
    from mpdash.channels.models import SalesChannel

    other = SalesChannel(
        name="Hepsiburada 2", slug="hb-2", marketplace="hepsiburada", catalog=channel.catalog,
        price_list=channel.price_list, stock_list=channel.stock_list,
    )
    other.save()
    other.update_config({k: v for k, v in channel.plain_config().items()})
    other.save()
    return other


def set_config(channel, **values):
    channel.update_config(values)
    channel.save()
    channel.refresh_from_db()
    return channel


@pytest.fixture
def user(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("orders-api", password="orders-pass-123")


@pytest.fixture
def api(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def anon():
    from rest_framework.test import APIClient

    return APIClient()


ADDRESS = {
    "first_name": "Ayşe", "last_name": "Yılmaz", "phone": "+905550000000", "city": "İSTANBUL",
    "township": "KADIKÖY", "district": "Caferağa Mah.", "neighbourhood": "Caferağa Mah.",
    "line": "Moda Cad. No: 1 D: 2", "postcode": "34710",
}


def order_data(package_id="PKG-1", order_number="ORD-1", items=None, **extra):
    data = {
        "package_id": package_id,
        "marketplace_order_number": order_number,
        "items": items
        or [
            {"sku": "SKU-1", "quantity": 2, "price": Decimal("100.00"), "remote_line_id": f"{package_id}-L1"},
            {"sku": "SKU-2", "quantity": 1, "price": Decimal("50.00"), "remote_line_id": f"{package_id}-L2"},
        ],
        "amount": Decimal("250.00"),
        "customer": {"email": "ayse@example.com", "first_name": "Ayşe", "last_name": "Yılmaz", "marketplace_customer_id": "C-1"},
        "shipping_address": dict(ADDRESS),
        "billing_address": dict(ADDRESS),
        "extra_field": {"id": order_number, "packageNumber": package_id},
    }
    data.update(extra)
    return data


@pytest.fixture
def make_order(channel):
    from mpdash.orders.store import store_order

    def make(package_id="PKG-1", order_number="ORD-1", *, on=None, sent_to_erp=False, **kwargs):
        order, created = store_order(on or channel, **order_data(package_id, order_number, **kwargs))
        assert created
        if sent_to_erp:
            order.sent_to_erp = True
            order.save()
        return order

    return make
