"""fast_insert.insert: rows written as bulk_create would, with each instance's own id, over batches."""

from __future__ import annotations

import pytest

from mpdash import fast_insert
from mpdash.orders.models import Customer

pytestmark = pytest.mark.django_db


def test_ids_match_their_rows_across_batches(channel_factory):
    channel = channel_factory()
    customers = [Customer(channel=channel, email=f"c{i}@example.com", first_name=f"N{i}", extra_field={"i": i})
                 for i in range(2500)]  # several statements' worth on SQLite and PostgreSQL
    fast_insert.insert(customers)
    assert len({c.pk for c in customers}) == 2500 and all(not c._state.adding for c in customers)
    stored = {pk: (email, extra) for pk, email, extra in Customer.objects.values_list("pk", "email", "extra_field")}
    for c in customers:
        assert stored[c.pk] == (c.email, c.extra_field)
    first = Customer.objects.get(pk=customers[0].pk)
    assert first.created_at is not None and first.modified_at is not None and first.channel_id == channel.pk


def test_related_objects_saved_after_assignment_give_their_id(channel_factory):
    from mpdash.orders.models import Address, City, Country

    channel = channel_factory()
    buyer = Customer(channel=channel, email="late@example.com")
    country = Country.objects.first() or Country.objects.create(code="TR", name="Türkiye")
    city = City.objects.filter(country=country).first() or City.objects.create(country=country, name="İstanbul")
    address = Address(customer=buyer, country=country, city=city, line="Moda Cad. 1")  # buyer has no id yet
    fast_insert.insert([buyer])
    fast_insert.insert([address])
    assert Address.objects.get(pk=address.pk).customer_id == buyer.pk


def test_refuses_saved_or_mixed_instances(channel_factory):
    channel = channel_factory()
    saved = Customer.objects.create(channel=channel, email="x@example.com")
    with pytest.raises(ValueError, match="new instances of one model"):
        fast_insert.insert([saved])
    fast_insert.insert([])  # nothing to do


def test_insert_values_writes_rows_with_defaults_and_times(channel_factory):
    from mpdash.integration.models import FlowLogLine, FlowRun

    channel = channel_factory()
    run = FlowRun.objects.create(channel=channel, flow="stock", trigger="event")
    rows = [(run.pk, f"SKU-{i}", "sent", "sent in batch x", {"merchantSku": f"SKU-{i}", "availableStock": i} if i % 2 else None)
            for i in range(2500)]  # several statements' worth
    fast_insert.insert_values(FlowLogLine, ("run_id", "object_key", "outcome", "message", "answer"), rows)
    stored = list(FlowLogLine.objects.filter(run=run).order_by("id").values_list("object_key", "answer", "created_at"))
    assert [(key, answer) for key, answer, _ in stored] == [(r[1], r[4]) for r in rows]
    assert all(created is not None for _, _, created in stored)
    with pytest.raises(ValueError, match="no field runn_id"):
        fast_insert.insert_values(FlowLogLine, ("runn_id",), [(run.pk,)])


def test_insert_values_calls_a_callable_default_per_row(channel_factory):
    from mpdash.integration.models import BatchRequest

    channel = channel_factory()
    fast_insert.insert_values(BatchRequest, ("channel_id", "flow", "kind"), [(channel.pk, "stock", "productstock")] * 3)
    ids = set(BatchRequest.objects.filter(channel=channel).values_list("local_batch_id", flat=True))
    assert len(ids) == 3  # each row its own uuid4


def test_insert_values_of_many_rows_breaking_a_constraint_raise_djangos_integrity_error(channel_factory):
    # From COPY_FROM_ROWS rows on, PostgreSQL gets COPY instead of INSERTs: the same rows, the
    # same errors (Django's, not the driver's), and nothing of it kept.
    from django.db import IntegrityError, transaction

    from mpdash.catalog.models import Product
    from mpdash.integration.models import PendingChange

    channel = channel_factory()
    product = Product.objects.create(sku="DUP-1", name="dup")
    now = "2026-01-01T00:00:00+00:00"
    rows = [(channel.pk, product.pk, "productstock", 1, now)] * (fast_insert.COPY_FROM_ROWS + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        fast_insert.insert_values(PendingChange, ("channel_id", "product_id", "kind", "version", "changed_at"), rows)
    assert not PendingChange.objects.filter(channel=channel).exists()
    fast_insert.insert_values(PendingChange, ("channel_id", "product_id", "kind", "version", "changed_at"), rows[:1])
    assert PendingChange.objects.get(channel=channel).version == 1
