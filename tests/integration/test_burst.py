"""Bursts of stock changes against the Hepsiburada simulator (real HTTP, engine in-process):
full batches go at once, never more unfinished uploads than the marketplace allows, and a
budget refusal or a 429 in the middle delays records without failing or penalising them."""

from __future__ import annotations

import time

import pytest

from mpdash.catalog.models import ProductStock
from mpdash.integration import batches, tasks
from mpdash.integration.dispatch import execute, notify_list_changed
from mpdash.integration.leases import Lease
from mpdash.integration.models import BatchRequest, FailedIntegration, FlowRun, PendingChange
from mpdash.marketplaces import ratelimit
from mpdash.marketplaces.errors import RateLimited
from mpdash.marketplaces.hepsiburada.adapter import HepsiburadaAdapter

from ..conftest import list_on, make_products

pytestmark = pytest.mark.django_db

BATCH = 10


@pytest.fixture
def small_batches(monkeypatch, settings):
    monkeypatch.setattr(HepsiburadaAdapter, "batch_sizes", dict(HepsiburadaAdapter.batch_sizes, productstock=BATCH))
    settings.MPDASH_BATCH_POLL_SECONDS = 0.1
    settings.MPDASH_BATCH_FIRST_POLL_SECONDS = 0.05


def in_flight(channel) -> int:
    return BatchRequest.objects.filter(
        channel=channel, status__in=(BatchRequest.Status.INITIALIZED, *BatchRequest.OPEN_STATUSES)
    ).count()


def drive(channel, timeout=30.0) -> int:
    """What the workers do: run the stock flow and its poller until nothing is pending.
    Returns the most uploads ever unfinished at once."""
    most = in_flight(channel)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execute(channel.pk, "stock", "system")
        most = max(most, in_flight(channel))
        batches.poll_due(channel.pk, "productstock")
        if not PendingChange.objects.filter(channel=channel, kind="productstock").exists():
            return most
        time.sleep(0.05)
    raise AssertionError(f"still pending: {PendingChange.objects.filter(channel=channel, kind='productstock').count()}")


def bump_all(products, to: int) -> None:
    ProductStock.objects.filter(product__in=products).update(quantity=to)


def delivered(sim, products, value) -> bool:
    return all(sim.listing(p.sku)["availableStock"] == value for p in products)


def test_full_batch_goes_without_waiting_for_the_debounce(
    lists, channel_factory, sim, no_celery, small_batches, settings, django_capture_on_commit_callbacks
):
    settings.MPDASH_CHANGE_DEBOUNCE_SECONDS = 30
    settings.MPDASH_BATCH_MAX_WAIT_SECONDS = 60
    products = make_products(lists, 2 * BATCH + 5, quantity=4)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True)
    # A writer that knows it changed a full batch's worth asks for a run now, not after 30 s.
    with django_capture_on_commit_callbacks(execute=True):
        notify_list_changed("productstock", lists["stock_list"].pk, changed=len(products))
    queued = [kw for name, _, kw in no_celery if name == "run_flow"]
    assert queued and queued[-1]["countdown"] == 0 and queued[-1]["kwargs"]["trigger"] == "event"
    no_celery.clear()
    with django_capture_on_commit_callbacks(execute=True):
        [run_id] = tasks.run_flow(channel.pk, "stock", "event")  # what that task does
    run = FlowRun.objects.get(pk=run_id)
    assert (run.selected, run.sent) == (2 * BATCH, 2 * BATCH)  # the two full batches went at once
    assert sorted(BatchRequest.objects.filter(channel=channel).values_list("item_count", flat=True)) == [BATCH, BATCH]
    # The five left over are fresh: they wait for the debounce in case more join them.
    assert PendingChange.objects.filter(channel=channel, kind="productstock", batch__isnull=True).count() == 5
    later = [kw for name, _, kw in no_celery if name == "run_flow"]
    assert later and 25 <= later[-1]["countdown"] <= 30
    assert "5 change(s) go in" in run.message


def test_at_most_the_marketplaces_limit_of_uploads_is_in_flight(lists, channel_factory, sim, no_celery, small_batches, monkeypatch):
    monkeypatch.setattr(HepsiburadaAdapter, "max_open_batches", 2)
    sim.configure(max_pending_uploads=2, processing_delay=0.3)  # the simulator refuses a third
    products = make_products(lists, 5 * BATCH + 3, quantity=4)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True)
    [run_id] = execute(channel.pk, "stock", "manual")
    run = FlowRun.objects.get(pk=run_id)
    assert run.sent == 2 * BATCH and in_flight(channel) == 2
    assert "limit" in run.message
    bump_all(products[:BATCH], 7)  # changes while the limit is reached accumulate
    most = drive(channel)
    assert most == 2
    assert delivered(sim, products[:BATCH], 7) and delivered(sim, products[BATCH:], 4)
    assert not FlowRun.objects.filter(channel=channel, message__contains="rate limited").exists()  # never refused
    assert not BatchRequest.objects.filter(channel=channel, status="fail").exists()
    assert not FailedIntegration.objects.exists()


def test_a_run_at_the_limit_frees_a_slot_itself_unless_a_poller_is_at_work(
    lists, channel_factory, sim, no_celery, small_batches, monkeypatch, settings
):
    monkeypatch.setattr(HepsiburadaAdapter, "max_open_batches", 2)
    settings.MPDASH_BATCH_FIRST_POLL_SECONDS = 0.001
    sim.configure(max_pending_uploads=2, processing_delay=0)  # the simulator refuses a third
    products = make_products(lists, 5 * BATCH, quantity=4)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True)
    # A poller at work on this channel's batches: the run leaves the polling to it and stops.
    poller = Lease(channel.pk, "poll:productstock")
    assert poller.try_acquire()
    [run_id] = execute(channel.pk, "stock", "manual")
    run = FlowRun.objects.get(pk=run_id)
    assert run.sent == 2 * BATCH and in_flight(channel) == 2 and "limit" in run.message
    poller.force_release()
    # No poller at work: the run polls the due uploads itself and sends on into the freed slots.
    bump_all(products, 9)
    no_celery.clear()
    [run_id] = execute(channel.pk, "stock", "manual")
    run = FlowRun.objects.get(pk=run_id)
    assert run.sent == 5 * BATCH and "limit" not in run.message
    assert in_flight(channel) <= 2
    assert not [1 for name, _, _ in no_celery if name == "run_flow"]  # it asked for no run of itself
    drive(channel)
    assert delivered(sim, products, 9)
    assert not BatchRequest.objects.filter(channel=channel, status="fail").exists()
    assert not FailedIntegration.objects.exists()


def test_budget_refusal_and_429_mid_burst_fail_nothing_and_deliver_everything(
    lists, channel_factory, sim, no_celery, small_batches, monkeypatch, django_capture_on_commit_callbacks
):
    products = make_products(lists, 4 * BATCH + 2, quantity=6)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True)
    # Our own call budget refuses the second call of the burst; the marketplace answers 429 later.
    real_acquire = ratelimit.CallBudget.acquire
    calls = {"n": 0}

    def acquire(self, max_wait=2.0, weight=1):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RateLimited(f"call budget {self.key!r} exhausted; retry later", retry_after=1.0)
        return real_acquire(self, max_wait, weight)

    monkeypatch.setattr(ratelimit.CallBudget, "acquire", acquire)
    with django_capture_on_commit_callbacks(execute=True):
        [run_id] = execute(channel.pk, "stock", "manual")
    run = FlowRun.objects.get(pk=run_id)
    assert run.sent == BATCH and "rate limited" in run.message and run.status != "fail"
    retries = [kw for name, _, kw in no_celery if name == "run_flow"]
    assert retries and retries[-1]["countdown"] <= 1.0  # as soon as the budget allows, not a minute later
    sim.configure(fault={"mode": "429", "count": 1, "path": "stock-uploads"})
    drive(channel)
    assert delivered(sim, products, 6)
    assert not BatchRequest.objects.filter(channel=channel, status="fail").exists()
    assert not FailedIntegration.objects.exists()
    assert FlowRun.objects.filter(channel=channel, message__contains="rate limited").count() >= 2
    assert not FlowRun.objects.filter(channel=channel, status="fail").exists()


def test_budget_refusal_while_polling_keeps_the_batch_open_and_uncounted(
    lists, channel_factory, sim, no_celery, small_batches, monkeypatch, django_capture_on_commit_callbacks
):
    products = make_products(lists, 3, quantity=5)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True)
    execute(channel.pk, "stock", "manual")
    batch = BatchRequest.objects.get(channel=channel)
    time.sleep(0.1)

    def refuse(self, max_wait=2.0, weight=1):
        raise RateLimited("call budget exhausted; retry later", retry_after=1.0)

    with monkeypatch.context() as m:
        m.setattr(ratelimit.CallBudget, "acquire", refuse)
        no_celery.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert batches.poll_due(channel.pk, "productstock") == 0
    batch.refresh_from_db()
    assert batch.status in BatchRequest.OPEN_STATUSES and batch.polls == 0 and not batch.error
    queued = [(a, kw) for name, a, kw in no_celery if name == "poll_batches"]
    assert queued and 0.5 <= queued[-1][1]["countdown"] <= 1.0  # the poller comes back when allowed
    drive(channel)
    assert delivered(sim, products, 5)
