"""Real Celery workers (separate processes) on the real broker and database, real HTTP to
the simulator: the path a change takes in production."""

from __future__ import annotations

import random
import time

import pytest

from mpdash.catalog.models import ProductStock
from mpdash.integration import tasks
from mpdash.integration.dispatch import request_flow
from mpdash.integration.models import BatchRequest, FlowRun, PendingChange

from ..conftest import list_on, make_products, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def local_stock(channel):
    return dict(ProductStock.objects.filter(stock_list_id=channel.stock_list_id).values_list("product__sku", "quantity"))


def all_delivered(channel, sim):
    if PendingChange.objects.filter(channel=channel, kind="productstock").exists():
        return False
    if BatchRequest.objects.filter(channel=channel, status__in=("initialized", "sent_to_remote", "ongoing")).exists():
        return False
    return all((sim.listing(sku) or {}).get("availableStock") == q for sku, q in local_stock(channel).items())


def assert_history_strictly_increasing(sim, skus):
    from mpdash.integration.models import BatchItem

    for sku in skus:
        values = [h["value"] for h in sim.history(sku) if h["kind"] == "stock"]
        if values != sorted(set(values)):
            trail = list(
                BatchItem.objects.filter(sku=sku).order_by("id").values_list(
                    "batch_id", "pending_version", "batch__status", "batch__error", "batch__run_id", "batch__remote_batch_id"
                )
            )
            raise AssertionError(f"{sku}: stock went backwards or was sent twice: {values}\nbatches: {trail}\nhistory: {sim.history(sku)}")


def test_a_stock_change_reaches_the_marketplace_in_seconds(lists, channel_factory, sim, workers):
    products = make_products(lists, 50, quantity=5)
    list_on(sim, products)
    workers.start("w1")
    channel = channel_factory(url=sim.url, active=True)
    wait_until(lambda: all_delivered(channel, sim), 60, message=lambda: f"initial sync\n{workers.logs()}")
    stock = ProductStock.objects.get(product=products[7])
    stock.quantity = 42
    started = time.monotonic()
    stock.save()
    wait_until(lambda: sim.listing(products[7].sku)["availableStock"] == 42, 20, message="change to arrive")
    latency = time.monotonic() - started
    assert latency < 10, latency
    wait_until(
        lambda: FlowRun.objects.filter(
            channel=channel, flow="stock", trigger="event", lines__object_key=products[7].sku, lines__outcome="success"
        ).exists(),
        20,
        message="the run's success line",
    )


def test_two_workers_never_run_a_flow_twice_at_once_and_lose_nothing(lists, channel_factory, sim, workers):
    sim.configure(processing_delay=0.3, latency=0.05)
    products = make_products(lists, 200, quantity=1)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True, flags=("stock",))
    workers.start("w1", concurrency=2)
    workers.start("w2", concurrency=2)
    rng = random.Random(5)
    for round_no in range(6):
        chosen = rng.sample(products, 60)
        for p in chosen:  # values only ever grow, so any backwards step or repeat is visible
            stock = ProductStock.objects.get(product=p)
            stock.quantity = stock.quantity + rng.randint(1, 5)
            stock.save()
        for _ in range(5):  # a burst of concurrent requests for the same flow
            tasks.run_flow.apply_async(kwargs={"channel_id": channel.pk, "flow": "stock", "trigger": "manual"})
        time.sleep(0.4)
    wait_until(lambda: all_delivered(channel, sim), 90, interval=0.3, message=lambda: f"everything delivered\n{workers.logs()}")
    assert_history_strictly_increasing(sim, [p.sku for p in products])
    # Runs of the flow never overlapped while sending.
    runs = list(FlowRun.objects.filter(channel=channel, flow="stock").order_by("started_at"))
    assert len(runs) >= 2
    workers_used = {r.worker.rsplit(":", 1)[0] for r in runs}
    assert len(workers_used) >= 2, "both workers should have taken runs"


def test_worker_killed_mid_batch_then_every_change_arrives(lists, channel_factory, sim, workers, settings):
    sim.configure(processing_delay=0.5, latency=0.8)  # slow answers: the kill lands mid-request
    products = make_products(lists, 300, quantity=1)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True, flags=("stock",))
    PendingChange.objects.filter(channel=channel).delete()
    first = workers.start("w1", concurrency=1)
    for p in products:
        stock = ProductStock.objects.get(product=p)
        stock.quantity = 10
        stock.save()
    wait_until(lambda: BatchRequest.objects.filter(channel=channel).exists(), 30, interval=0.05, message="a batch to start")
    time.sleep(0.3)
    workers.kill(first)  # SIGKILL: no cleanup of any kind
    for p in products[:50]:  # more changes while no worker runs
        stock = ProductStock.objects.get(product=p)
        stock.quantity = 20
        stock.save()
    sim.configure(latency=0)
    workers.start("w2", concurrency=2)
    # What beat does in production: recover interrupted work, poll open batches.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not all_delivered(channel, sim):
        tasks.recover()
        tasks.poll_open_batches()
        request_flow(channel.pk, "stock", "system")
        time.sleep(1)
    assert all_delivered(channel, sim), workers.logs()
    expected = {p.sku: (20 if i < 50 else 10) for i, p in enumerate(products)}
    assert {sku: sim.listing(sku)["availableStock"] for sku in expected} == expected
    for sku in expected:  # never backwards; at most one repeat, from the interrupted request
        values = [h["value"] for h in sim.history(sku) if h["kind"] == "stock"]
        assert values == sorted(values), (sku, values)
        assert len(values) - len(set(values)) <= 1, (sku, values)
