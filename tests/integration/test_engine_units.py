"""Penalty arithmetic, change coalescing and the lease, without any marketplace."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as tz

import pytest

from mpdash.integration.penalties import PenaltyState, after_failure, retry_allowed

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=tz.utc)
SETTINGS = {"RETRY_INTERVAL": 60, "EXPIRATION_DATE": 300, "MAX_RETRY_COUNT": 3}


def test_retry_condition_is_the_documented_one():
    exp = NOW + timedelta(seconds=10)
    assert retry_allowed(1, 3, exp, NOW)
    assert not retry_allowed(3, 3, exp, NOW)  # count reached even though time remains
    assert not retry_allowed(1, 3, exp, exp)  # time passed even though count remains
    assert retry_allowed(2, 3, None, NOW + timedelta(days=999))


def test_first_failure_counts_and_snapshots_settings():
    state = after_failure(SETTINGS, NOW)
    assert state.retry_count == 1
    assert state.next_retry_at == NOW + timedelta(seconds=60)
    assert state.expiration_date == NOW + timedelta(seconds=300)
    assert state.available_at == NOW + timedelta(seconds=60)


def test_later_failures_keep_the_snapshot_even_if_config_changed():
    first = after_failure(SETTINGS, NOW)
    changed = {"RETRY_INTERVAL": 5, "EXPIRATION_DATE": 10, "MAX_RETRY_COUNT": 99}
    second = after_failure(changed, NOW + timedelta(seconds=60), first)
    assert second.retry_count == 2 and second.settings == first.settings
    assert second.next_retry_at == NOW + timedelta(seconds=120)
    third = after_failure(changed, NOW + timedelta(seconds=120), second)
    assert third.retry_count == 3 and third.available_at is None  # MAX_RETRY_COUNT 3 reached


def test_no_retry_scheduled_past_expiration():
    first = after_failure({"RETRY_INTERVAL": 400, "EXPIRATION_DATE": 300, "MAX_RETRY_COUNT": 5}, NOW)
    assert first.available_at is None


def test_expiration_none_means_only_the_count_limits():
    state = after_failure({"RETRY_INTERVAL": 1, "EXPIRATION_DATE": None, "MAX_RETRY_COUNT": 2}, NOW)
    assert state.expiration_date is None and state.available_at is not None
    assert PenaltyState(2, state.settings, NOW, NOW, None).available_at is None


@pytest.mark.django_db
def test_changes_coalesce_and_noop_writes_mark_nothing(lists, channel_factory):
    from mpdash.catalog.models import ProductStock
    from mpdash.integration.models import PendingChange

    from ..conftest import make_products

    [product] = make_products(lists, 1, quantity=5)
    channel = channel_factory()
    PendingChange.objects.all().delete()
    stock = ProductStock.objects.get(product=product)
    stock.save()  # same value: nothing to send
    assert not PendingChange.objects.exists()
    for q in (6, 7, 8):
        stock.quantity = q
        stock.save()
    row = PendingChange.objects.get(channel=channel, product=product, kind="productstock")
    assert row.version == 3
    ProductStock.objects.filter(pk=stock.pk).update(quantity=9)  # ORM bulk update, no signals
    ProductStock.objects.bulk_update([ProductStock(pk=stock.pk, quantity=10, stock_list_id=stock.stock_list_id, product_id=product.pk)], ["quantity"])
    row.refresh_from_db()
    assert row.version == 5
    assert PendingChange.objects.count() == 1


@pytest.mark.django_db
def test_other_lists_and_products_outside_the_catalog_are_not_marked(lists, channel_factory):
    from mpdash.catalog.models import Product, ProductStock, StockList
    from mpdash.integration.models import PendingChange

    channel_factory()
    PendingChange.objects.all().delete()
    outsider = Product.objects.create(sku="OUT", name="x")
    ProductStock.objects.create(stock_list=lists["stock_list"], product=outsider, quantity=3)
    other = StockList.objects.create(code="other", name="other")
    from ..conftest import make_products

    [p] = make_products(lists, 1, with_stock=False)
    PendingChange.objects.all().delete()
    ProductStock.objects.create(stock_list=other, product=p, quantity=3)
    assert not PendingChange.objects.exists()


@pytest.mark.django_db
def test_lease_allows_one_holder_and_coalesces_requests(lists, channel_factory):
    from mpdash.integration.leases import Lease

    channel = channel_factory()
    a, b = Lease(channel.pk, "stock"), Lease(channel.pk, "stock")
    assert a.try_acquire()
    assert not b.acquire_or_request_rerun()  # b's request is left for a
    assert a.release() is False  # a must run again: it keeps the lease
    assert not b.try_acquire()
    assert a.release() is True
    assert b.try_acquire()


@pytest.mark.django_db
def test_expired_lease_can_be_taken_over_and_old_holder_notices(lists, channel_factory):
    from mpdash.integration.leases import Lease, LeaseLost

    channel = channel_factory()
    a = Lease(channel.pk, "stock", seconds=-1)  # already expired
    assert a.try_acquire()
    b = Lease(channel.pk, "stock")
    assert b.try_acquire()
    with pytest.raises(LeaseLost):
        a.renew()
