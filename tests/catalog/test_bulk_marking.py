"""Bulk writes mark their changes in bulk: the same pending rows as the row triggers
would write, nothing for rows that did not change, and the triggers are back afterwards."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mpdash.catalog import importer
from mpdash.catalog.models import ProductPrice, ProductStock
from mpdash.integration.models import PendingChange

from ..conftest import make_products

pytestmark = pytest.mark.django_db


def pending(channel, kind):
    return dict(PendingChange.objects.filter(channel=channel, kind=kind).values_list("product__sku", "version"))


@pytest.mark.parametrize("kind, rows, field, value", [
    ("stocks", lambda sku, v: {"sku": sku, "stock_list": "s1", "quantity": v}, "quantity", 7),
    ("prices", lambda sku, v: {"sku": sku, "price_list": "p1", "price": f"{v}.50"}, "price", Decimal("7.50")),
])
def test_bulk_write_marks_changed_rows_once_each_and_leaves_the_trigger_in_place(lists, channel_factory, kind, rows, field, value):
    products = make_products(lists, 4, quantity=3, price="3.50")
    channel = channel_factory(active=True)
    record = "productstock" if kind == "stocks" else "productprice"
    PendingChange.objects.all().delete()
    skus = [p.sku for p in products]
    counts, errors = importer.bulk_upsert(kind, [rows(skus[0], 7), rows(skus[1], 7), rows(skus[2], 3)])
    assert not errors and (counts.updated, counts.unchanged) == (2, 1)
    assert pending(channel, record) == {skus[0]: 1, skus[1]: 1}  # the unchanged row marks nothing
    model = ProductStock if kind == "stocks" else ProductPrice
    assert getattr(model.objects.get(product=products[0]), field) == value
    counts, _ = importer.bulk_upsert(kind, [rows(skus[0], 8)])
    assert pending(channel, record) == {skus[0]: 2, skus[1]: 1}  # coalesced: the version grows
    # The row trigger is back: a single ORM save is marked as before.
    row = model.objects.get(product=products[3])
    setattr(row, field, 9)
    row.save()
    assert pending(channel, record)[skus[3]] == 1


def test_bulk_write_of_many_rows_marks_every_one(lists, channel_factory):
    products = make_products(lists, 12_000, quantity=1)
    channel = channel_factory(active=True)
    PendingChange.objects.all().delete()
    counts, errors = importer.bulk_upsert("stocks", [{"sku": p.sku, "stock_list": "s1", "quantity": 2} for p in products])
    assert not errors and counts.updated == 12_000
    assert PendingChange.objects.filter(channel=channel, kind="productstock").count() == 12_000


def test_rows_the_quick_check_refuses_still_get_the_full_parsers_messages(lists):
    make_products(lists, 1)
    _, errors = importer.bulk_upsert("stocks", [{"sku": " SKU-000000 ", "stock_list": "s1", "quantity": "-1"}, {"sku": "SKU-000000", "stock_list": "s1", "quantity": 1.5}])
    assert [(e.row, e.field) for e in errors] == [(0, "quantity"), (1, "quantity")]
