"""5xx, 429 and timeouts injected in the middle of a flow converge with nothing lost or
duplicated: at each request path a driver names (send, poll, listing, package…), at "any
request", and armed at a run's second request. Every stock and price lands exactly once in the
marketplace's history; every order is stored exactly once here; product creates and status
updates held back by a fault go out on a later run.

The simulators' timeout fault answers after the client gave up, without acting. A lost answer
after the marketplace acted is not in the contract yet (today only Hepsiburada's simulator can
be made to do it, in test_order_exactly_once.py); once the simulator toolkit has a "timeout
after acting" fault, add it to FAULT_MODES for drivers that declare it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest

from mpdash.catalog.models import ProductPrice, ProductStock
from mpdash.integration.models import FailedIntegration, InboundItem, PendingChange
from mpdash.orders.models import Order

from ..conftest import make_products
from .conftest import lines_of, require, run, settle
from .driver import FAULT_MODES

pytestmark = pytest.mark.django_db

KIND = {"stock": "productstock", "price": "productprice"}


def wait_out(run) -> None:
    """A run that stopped for a wait (a rate limit, the marketplace's token count) is run
    again by the engine once the wait is over (a few tenths of a second on the simulators);
    the tests run it again after such a wait too, not at once."""
    if run.status != "success":
        time.sleep(0.3)


def converge(channel, kind, tries=12):
    """Runs (and polls) until nothing of ``kind`` is pending; the runs made."""
    made = []
    for _ in range(tries):
        made.append(run(channel, kind))
        settle(30)
        made[-1].refresh_from_db()
        if not PendingChange.objects.filter(channel=channel, kind=KIND[kind]).exists():
            return made
        wait_out(made[-1])
    raise AssertionError(f"{kind} still pending after {tries} runs: "
                         f"{[(r.status, r.message) for r in made]}")


@pytest.mark.parametrize("mode", FAULT_MODES)
def test_faults_mid_sync_converge_and_each_value_lands_once(mode, driver, sim, make_channel, lists, settings):
    require(driver, "faults_sync")
    settings.MPDASH_HTTP_TIMEOUT = 0.5
    products = make_products(lists, 4, prefix="CF", quantity=1, price="10.00")
    driver.list_products(sim, products, stock=0, price=1)
    channel = make_channel("stock", "price")
    expected: dict[tuple[str, str], list] = {(p.sku, k): [] for p in products for k in KIND}
    round_no = 0
    for kind in KIND:
        for step, path in driver.fault_paths[kind].items():
            round_no += 1
            for i, product in enumerate(products):
                if kind == "stock":
                    value = 10 * round_no + i
                    row = ProductStock.objects.get(product=product)
                    row.quantity = value
                else:
                    value = Decimal(f"{10 * round_no + i}.25")
                    row = ProductPrice.objects.get(product=product)
                    row.price, row.retail_price = value, value * 2
                row.save()
                expected[(product.sku, kind)].append(value)
            driver.inject_fault(sim, mode, path=path, count=2)
            runs = converge(channel, kind)
            where = f"{mode} at {kind} {step}: runs {[(r.status, r.message) for r in runs]}"
            assert not driver.fault_left(sim), f"the fault was never hit ({where})"
            driver.clear_fault(sim)
            for product in products:
                got = driver.history(sim, product.sku, kind)
                assert got == expected[(product.sku, kind)], f"{product.sku} {kind}: history {got} ({where})"
    assert not FailedIntegration.objects.filter(channel=channel).exists()


@contextlib.contextmanager
def armed_at_second_request(driver, sim, mode, count):
    """The fault lands on the run's second request (the next page, a package, the tracking…).

    Simulators count a request, wait their ``latency``, then check for a fault; with a little
    latency the watcher arms the fault while the second request waits, so that it is hit."""
    base, stop = sim.requests_total, threading.Event()

    def watch():
        while not stop.is_set():
            if sim.requests_total >= base + 2:
                driver.inject_fault(sim, mode, path=None, count=count)
                return
            time.sleep(0.0005)

    watcher = threading.Thread(target=watch, daemon=True)
    sim.configure(latency=0.03)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join(5)
        sim.configure(latency=0)


ARMED = object()  # a step whose fault is armed mid-run rather than aimed at a path


def stored_once(channel, placed) -> list[str]:
    """What is wrong with the local orders against ``placed`` (empty: each stored exactly once)."""
    problems = []
    local = list(Order.objects.filter(channel=channel).values_list("marketplace_order_number", "package_id"))
    per_order = Counter(number for number, _ in local)
    wanted = Counter(p.order_number for p in placed)
    if per_order != wanted:
        problems.append(f"missing {sorted((wanted - per_order).elements())}, extra {sorted((per_order - wanted).elements())}")
    packages = Counter(package for _, package in local)
    if any(n > 1 for n in packages.values()):
        problems.append(f"packages stored twice: {[k for k, n in packages.items() if n > 1]}")
    for p in placed:
        order = Order.objects.filter(channel=channel, marketplace_order_number=p.order_number).first()
        if order and sorted((i.sku, i.quantity) for i in order.items.all()) != sorted(p.lines):
            problems.append(f"{p.order_number}: lines {sorted((i.sku, i.quantity) for i in order.items.all())} != {sorted(p.lines)}")
    return problems


@pytest.mark.parametrize("mode", FAULT_MODES)
def test_faults_mid_order_ingestion_lose_and_duplicate_nothing(mode, driver, sim, make_channel, lists, settings, monkeypatch):
    require(driver, "faults_orders")
    settings.MPDASH_HTTP_TIMEOUT = 0.5
    products = make_products(lists, 3, prefix="CFO")
    skus = [p.sku for p in products]
    driver.list_products(sim, products, stock=1000, price=100)
    channel = make_channel("get_orders")
    driver.small_pages(monkeypatch)
    placed, runs = [], []
    steps = [*driver.fault_paths["get_orders"].items(), ("any request", None), ("the second request", ARMED)]
    for n, (step, path) in enumerate(steps):
        for k in range(3):
            lines = [(skus[(n + k) % 3], 1)] if k % 2 == 0 else [(skus[(n + k) % 3], 1), (skus[(n + k + 1) % 3], 2)]
            placed.append(driver.place_order(sim, lines, shopper=n + k))
        if path is ARMED:
            with armed_at_second_request(driver, sim, mode, count=1):
                result = run(channel, "get_orders")
        else:
            driver.inject_fault(sim, mode, path=path, count=1 + n % 2)
            result = run(channel, "get_orders")
        runs.append((step, result.status, result.message, driver.fault_left(sim)))
        driver.clear_fault(sim)
    missed = [step for (step, path), r in zip(steps, runs) if path is not None and r[3]]
    assert not missed, f"faults aimed at {missed} were never hit (driver.fault_paths): {runs}"
    hit = [r for r in runs if not r[3]]
    assert any(status != "success" or "rate" in message.lower() for _, status, message, _ in hit), \
        f"the faults should have disturbed a run: {runs}"

    with driver.order_catch_up(monkeypatch):
        for _ in range(5):
            last = run(channel, "get_orders")
            if not stored_once(channel, placed):
                break
            wait_out(last)
        problems = stored_once(channel, placed)
        assert not problems, f"{problems}; runs under {mode}: {runs}; last {last.status} {lines_of(last)}"
        assert not InboundItem.objects.filter(channel=channel).exists()
        assert not FailedIntegration.objects.filter(channel=channel, kind="order").exists()
        # Reading everything again changes nothing.
        run(channel, "get_orders")
    assert not stored_once(channel, placed)


def test_faults_mid_product_create_converge(driver, sim, mapped, lists, settings):
    """Every mode at every step, in one test: the catalog set-up is the slow part."""
    require(driver, "faults_products")
    from mpdash.integration.models import ProductIntegration

    from ..integration.product_helpers import wait_approvals

    def state(p):
        row = ProductIntegration.objects.filter(channel=channel, product=p).first()
        return (row.state, row.reasons) if row else ("no integration row", "")

    settings.MPDASH_HTTP_TIMEOUT = 0.5
    channel, category = mapped
    made = []
    rounds = [(mode, step, path) for mode in FAULT_MODES for step, path in driver.fault_paths["product_create"].items()]
    for n, (mode, step, path) in enumerate(rounds):
        products = [driver.add_product(lists, category, f"CFP-{n}{k:05d}") for k in range(2)]
        made += products
        driver.inject_fault(sim, mode, path=path, count=1)
        runs = []
        for _ in range(8):
            runs.append(run(channel, "product_create"))
            settle(30)
            if all(state(p)[0] in ("pending_approval", "on_sale") for p in products):
                break
            wait_out(runs[-1])
        where = f"{mode} at product_create {step}: {[(r.status, r.message) for r in runs]}"
        assert not driver.fault_left(sim), f"the fault was never hit ({where})"
        states = {p.sku: state(p) for p in products}
        assert all(s in ("pending_approval", "on_sale") for s, _ in states.values()), (states, where)
    for product in made:
        driver.approve(sim, product)
    wait_approvals(channel)
    assert {p.sku: state(p)[0] for p in made} == {p.sku: "on_sale" for p in made}
    assert all(driver.product_state(sim, p) is not None for p in made)
    assert not FailedIntegration.objects.filter(channel=channel, kind="product").exists()


def test_faults_mid_status_out_converge(driver, sim, make_channel, lists, erp, settings):
    require(driver, "orders", "status_out", "faults_status_out")
    from ..integration.conftest import post
    from mpdash.orders.models import OrderStatus

    settings.MPDASH_HTTP_TIMEOUT = 0.5
    products = make_products(lists, 2, prefix="CFS")
    driver.list_products(sim, products, stock=50, price=100)
    channel = make_channel("get_orders", "send_update_orders")
    for n, (mode, armed) in enumerate((mode, armed) for mode in FAULT_MODES for armed in (False, True)):
        placed = driver.place_order(sim, [(products[n % 2].sku, 1)], shopper=n)
        assert run(channel, "get_orders").status == "success"
        order = Order.objects.get(channel=channel, marketplace_order_number=placed.order_number)
        base = f"/api/v1/orders/{order.pk}"
        post(erp, f"{base}/mark_sent_to_erp/", {})
        post(erp, f"{base}/invoice/", {"invoice_number": f"CTR202600000009{n}",
                                       "invoice_link": f"https://erp.example.com/invoices/9{n}.pdf"})
        post(erp, f"{base}/tracking/", {"cargo_company": "yurtici", "tracking_number": f"YK55{n}"})
        post(erp, f"{base}/status/", {"status": OrderStatus.SHIPPED})
        runs = []
        if armed:  # the update's first call goes through, the second (package, tracking…) fails
            with armed_at_second_request(driver, sim, mode, count=1):
                runs.append(run(channel, "send_update_orders"))
        else:
            driver.inject_fault(sim, mode, path=None, count=1)
            runs.append(run(channel, "send_update_orders"))
        hit = not driver.fault_left(sim)
        driver.clear_fault(sim)
        for _ in range(5):
            order.refresh_from_db()
            if not order.remote_pending:
                break
            wait_out(runs[-1])
            runs.append(run(channel, "send_update_orders"))
        where = f"{mode}, {'at the second request' if armed else 'at the first request'}: " \
                f"{[(r.status, r.message, lines_of(r)) for r in runs]}"
        assert hit and len(runs) > 1, f"the fault should have held the update back ({where})"
        assert not order.remote_pending, where
        assert driver.remote_tracking(sim, order) == f"YK55{n}", where
        assert driver.remote_status(sim, order) == driver.status_after_shipped_out, where
