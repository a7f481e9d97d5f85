"""The stock and price flows in-process, with real HTTP to the Hepsiburada simulator.

The flow engine is called directly here (no worker); tests with real workers are in
test_workers.py.
"""

from __future__ import annotations

import time

import pytest

from mpdash.catalog.models import ProductPrice, ProductStock
from mpdash.integration import batches, penalties
from mpdash.integration.dispatch import execute
from mpdash.integration.models import BatchRequest, FailedIntegration, FlowLogLine, FlowRun, PendingChange

from ..conftest import list_on, make_products

pytestmark = pytest.mark.django_db


def settle(timeout=10.0):
    """Poll every open batch until none is left (what the poll task does in production)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_batches = list(BatchRequest.objects.filter(status__in=BatchRequest.OPEN_STATUSES).select_related("channel", "run"))
        if not open_batches:
            return
        for batch in open_batches:
            batches.poll(batch)
        time.sleep(0.1)
    raise AssertionError("batches still open")


def test_stock_reaches_marketplace_with_buffer_and_max_quantity(lists, channel_factory, sim, no_celery):
    products = make_products(lists, 3, quantity=10)
    ProductStock.objects.filter(product=products[0]).update(quantity=1)
    ProductStock.objects.filter(product=products[1]).update(extra={"maximumPurchasableQuantity": 4})
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True, buffer_stock=2)
    [run_id] = execute(channel.pk, "stock", "manual")
    settle()
    assert sim.listing(products[0].sku)["availableStock"] == 0  # max(0, 1 - 2)
    assert sim.listing(products[1].sku)["availableStock"] == 8
    assert sim.listing(products[1].sku)["maximumPurchasableQuantity"] == 4
    assert sim.listing(products[2].sku)["availableStock"] == 8
    run = FlowRun.objects.get(pk=run_id)
    assert (run.status, run.selected, run.sent, run.succeeded, run.failed) == ("success", 3, 3, 3, 0)
    assert run.finished_at and run.duration_ms is not None
    assert set(run.lines.filter(outcome="success").values_list("object_key", flat=True)) == {p.sku for p in products}
    assert not PendingChange.objects.filter(channel=channel, kind="productstock").exists()
    assert PendingChange.objects.filter(channel=channel, kind="productprice").count() == 3  # price flow not run yet


def test_price_flow_sends_price(lists, channel_factory, sim, no_celery):
    products = make_products(lists, 2, price="149.90")
    list_on(sim, products, price=1)
    channel = channel_factory(url=sim.url, active=True)
    execute(channel.pk, "price", "manual")
    settle()
    assert float(sim.listing(products[0].sku)["price"]) == pytest.approx(149.90)
    assert not PendingChange.objects.filter(channel=channel, kind="productprice").exists()


def test_change_while_in_flight_is_sent_again_and_never_goes_backwards(lists, channel_factory, sim, no_celery):
    [product] = make_products(lists, 1, quantity=5)
    list_on(sim, [product])
    channel = channel_factory(url=sim.url, active=True)
    execute(channel.pk, "stock", "manual")
    stock = ProductStock.objects.get(product=product)
    stock.quantity = 7
    stock.save()  # arrives while the first upload is still being processed
    [second] = execute(channel.pk, "stock", "manual")
    assert FlowRun.objects.get(pk=second).selected == 0  # in flight: not sent twice at once
    settle()
    assert PendingChange.objects.get(channel=channel, kind="productstock").batch_id is None
    execute(channel.pk, "stock", "manual")
    settle()
    assert sim.listing(product.sku)["availableStock"] == 7
    assert [h["value"] for h in sim.history(product.sku) if h["kind"] == "stock"] == [5, 7]
    assert not PendingChange.objects.filter(channel=channel, kind="productstock").exists()


def test_missing_stock_fails_with_seed_message_and_is_penalised(lists, channel_factory, sim, no_celery):
    products = make_products(lists, 2, with_stock=False)
    channel = channel_factory(url=sim.url, active=True)
    [run_id] = execute(channel.pk, "stock", "manual")
    run = FlowRun.objects.get(pk=run_id)
    assert run.status == "fail" and run.failed == 2
    assert set(run.lines.values_list("message", flat=True)) == {"Stock data not found"}
    assert FailedIntegration.objects.filter(channel=channel, kind="productstock").count() == 2


def test_thousands_penalised_never_delay_a_healthy_change(lists, channel_factory, sim, no_celery):
    bad = make_products(lists, 3000, prefix="BAD")  # not listed on the marketplace: every one fails
    healthy = make_products(lists, 1, prefix="GOOD", quantity=3)
    list_on(sim, healthy)
    channel = channel_factory(url=sim.url, active=True, penalty={"RETRY_INTERVAL": 3600, "EXPIRATION_DATE": 7200, "MAX_RETRY_COUNT": 3})
    PendingChange.objects.filter(channel=channel, product__in=healthy).delete()  # only the bad ones are queued first
    execute(channel.pk, "stock", "manual")
    settle(30)
    assert FailedIntegration.objects.filter(channel=channel, kind="productstock").count() == 3000
    stock = ProductStock.objects.get(product=healthy[0])
    stock.quantity = 9
    stock.save()
    [run_id] = execute(channel.pk, "stock", "event")
    run = FlowRun.objects.get(pk=run_id)
    assert (run.selected, run.sent) == (1, 1)
    settle()
    assert sim.listing(healthy[0].sku)["availableStock"] == 9
    reason = FailedIntegration.objects.filter(channel=channel).first().last_error
    assert reason  # the marketplace's per-item reason is kept


@pytest.mark.parametrize("mode", ["5xx", "malformed", "timeout"])
def test_marketplace_fault_penalises_then_recovers_when_fault_clears(mode, lists, channel_factory, sim, no_celery, settings):
    settings.MPDASH_HTTP_TIMEOUT = 0.5
    products = make_products(lists, 5, quantity=4)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True)
    sim.configure(fault={"mode": mode, "count": None, "path": "stock-uploads"}, timeout_sleep=2)
    [run_id] = execute(channel.pk, "stock", "manual")
    run = FlowRun.objects.get(pk=run_id)
    assert run.status == "fail" and run.failed == 5
    penalties_now = FailedIntegration.objects.filter(channel=channel, kind="productstock")
    assert penalties_now.count() == 5 and all(p.retry_count == 1 for p in penalties_now)
    assert PendingChange.objects.filter(channel=channel, kind="productstock", batch__isnull=True).count() == 5
    sim.configure(fault=None)
    [early] = execute(channel.pk, "stock", "schedule")
    assert FlowRun.objects.get(pk=early).selected == 0  # still inside RETRY_INTERVAL
    time.sleep(1.1)
    execute(channel.pk, "stock", "schedule")
    settle()
    assert all(sim.listing(p.sku)["availableStock"] == 4 for p in products)
    assert not FailedIntegration.objects.filter(channel=channel).exists()
    assert not PendingChange.objects.filter(channel=channel, kind="productstock").exists()


def test_rate_limit_leaves_records_pending_without_penalty_and_reschedules(
    lists, channel_factory, sim, no_celery, django_capture_on_commit_callbacks
):
    products = make_products(lists, 3)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True)
    sim.configure(fault={"mode": "429", "count": 1, "path": "stock-uploads"})
    with django_capture_on_commit_callbacks(execute=True):
        [run_id] = execute(channel.pk, "stock", "manual")
    run = FlowRun.objects.get(pk=run_id)
    assert "rate limited" in run.message
    assert not FailedIntegration.objects.exists()
    assert PendingChange.objects.filter(channel=channel, kind="productstock", batch__isnull=True).count() == 3
    assert any(name == "run_flow" and kw.get("countdown", 0) > 0 for name, _, kw in no_celery)
    execute(channel.pk, "stock", "system")
    settle()
    assert all(sim.listing(p.sku)["availableStock"] == 10 for p in products)


def test_wrong_credentials_fail_the_run_and_penalise_nothing(lists, channel_factory, sim, no_celery):
    products = make_products(lists, 2)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True, password="wrong-key")
    [run_id] = execute(channel.pk, "stock", "manual")
    run = FlowRun.objects.get(pk=run_id)
    assert run.status == "fail" and "credentials" in run.message
    assert "wrong-key" not in run.message
    assert not FailedIntegration.objects.exists()
    assert PendingChange.objects.filter(channel=channel, kind="productstock", batch__isnull=True).count() == 2


def test_exhausted_penalty_holds_until_lifted(lists, channel_factory, sim, no_celery):
    products = make_products(lists, 1, prefix="GONE")
    channel = channel_factory(url=sim.url, active=True, penalty={"RETRY_INTERVAL": 0, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 1})
    execute(channel.pk, "stock", "manual")
    settle()
    row = PendingChange.objects.get(channel=channel, kind="productstock")
    assert row.available_at is None  # MAX_RETRY_COUNT 1: no retry
    assert FlowRun.objects.get(pk=execute(channel.pk, "stock", "schedule")[0]).selected == 0
    list_on(sim, products)
    assert penalties.lift(channel, [products[0].sku]) == 1
    execute(channel.pk, "stock", "manual")
    settle()
    assert sim.listing(products[0].sku)["availableStock"] == 10


def test_batch_unanswered_past_expiration_hour_fails_and_penalises(lists, channel_factory, sim, no_celery):
    from datetime import timedelta

    from django.utils import timezone

    products = make_products(lists, 2)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True)
    execute(channel.pk, "stock", "manual")
    batch = BatchRequest.objects.get(channel=channel, kind="productstock")
    BatchRequest.objects.filter(pk=batch.pk).update(sent_at=timezone.now() - timedelta(hours=7))
    batch.refresh_from_db()
    assert batches.poll(batch)
    batch.refresh_from_db()
    assert batch.status == "fail" and "EXPIRATION_HOUR" in batch.error
    assert FailedIntegration.objects.filter(channel=channel, kind="productstock").count() == 2


def test_interrupted_batch_is_released_for_resending(lists, channel_factory, sim, no_celery, settings):
    from datetime import timedelta

    from django.utils import timezone

    products = make_products(lists, 2)
    channel = channel_factory(url=sim.url, active=True)
    batch = BatchRequest.objects.create(channel=channel, flow="stock", kind="productstock", item_count=2)
    PendingChange.objects.filter(channel=channel, kind="productstock").update(batch=batch)
    BatchRequest.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(seconds=settings.MPDASH_FLOW_LEASE_SECONDS + 1))
    assert batches.recover_interrupted() == 1
    assert PendingChange.objects.filter(channel=channel, kind="productstock", batch__isnull=True).count() == 2
    assert not FailedIntegration.objects.exists()


def test_disabled_flag_or_inactive_channel_runs_nothing(lists, channel_factory, sim, no_celery):
    make_products(lists, 1)
    channel = channel_factory(url=sim.url, active=True, flags=("price",))
    assert execute(channel.pk, "stock", "manual") == []
    assert execute(channel.pk, "price", "manual")
    channel.is_active = False
    channel.save()
    assert execute(channel.pk, "price", "manual") == []
    assert sim.requests_total >= 1
