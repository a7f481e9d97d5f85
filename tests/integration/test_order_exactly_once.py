"""Every Hepsiburada package becomes exactly one local order, whatever happens meanwhile.

Against the Hepsiburada simulator on a real port, with ``automatic_packing`` on (the flow
itself packages paid lines: a remote write that cannot be undone, made before the order is
stored locally):

* real Celery workers running ``get_orders`` are SIGKILLed (main process and pool) at random
  moments of a run, again and again, then runs are let complete. (Killing only the pool
  process is not used: billiard notices the lost job only after ~10 s, sometimes never,
  and a worker of concurrency 1 takes nothing meanwhile.);
* the simulator answers 5xx, times out (before acting, and after acting with the answer
  lost) and rate-limits (429) while the flow runs in-process, until it has caught up;
* two runs race on the same window, with the lease that normally keeps them apart
  disabled (what happens when a stalled worker's lease expires and another takes over).

Each ends with: the set of local package ids equals the simulator's, each package id has
exactly one order, each marketplace order exactly one package and one local order, with
its lines, and nothing held for a retry.

Environment:

* ``MPDASH_TRIALS`` (default 20): kill trials of the worker test; e.g.
  ``MPDASH_TRIALS=200 pytest tests/integration/test_order_exactly_once.py``.
* ``MPDASH_SEED``: replay a run; the seed in use is printed (pytest shows it with a failure)
  and is part of every assertion message.

Hepsiburada's order windows are whole minutes that end before the current one, so a
package the flow created in the current minute, and did not store (it crashed, or the
answer was lost), is read back from the package listing only once that minute is over.
The worker test waits for it in real time; the in-process tests run their catch-up with
the flow's clock a minute ahead instead (``later``), which is what running them a minute
later would see.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone as django_timezone

from mpdash.integration import inbound, tasks
from mpdash.integration.dispatch import execute
from mpdash.integration.leases import Lease
from mpdash.integration.models import FailedIntegration, FlowRun, FlowState, InboundItem
from mpdash.orders.models import Order, OrderItem, StatusChange

from ..conftest import ensure_reference_data, make_products, wait_until

FLOW = "get_orders"
TRIALS = int(os.environ.get("MPDASH_TRIALS") or 20)
WORKERS = 3  # alive at once: a killed one's replacement starts up while the others take the next trials


def _seed() -> int:
    seed = int(os.environ.get("MPDASH_SEED") or random.SystemRandom().randrange(2**31))
    print(f"MPDASH_SEED={seed}")
    return seed


# --- fixtures -----------------------------------------------------------------------------
@pytest.fixture
def channel(channel_factory, oms_sim, lists):
    company = ensure_reference_data()
    products = make_products(lists, 8, prefix="HB")
    oms_sim.add_listings([{"merchantSku": p.sku, "price": 100, "availableStock": 100_000} for p in products])
    ch = channel_factory(
        url=oms_sim.url, active=True, flags=(FLOW,), automatic_packing=True, order_number_format="HB-{orderNumber}-{id}",
    )
    fi = dict(ch.config["failed_integration"])
    fi["order"] = {"RETRY_INTERVAL": 1, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 5}
    ch.update_config({"failed_integration": fi, "cargo_company_mapping": {"default": company}})
    ch.save()
    ch.skus = [p.sku for p in products]
    return ch


# --- helpers -----------------------------------------------------------------------------
class Shop:
    """Places orders on the simulator, as a handful of shoppers buying one or two skus."""

    def __init__(self, sim, skus, rng):
        self.sim, self.skus, self.rng = sim, skus, rng
        self.placed: list[str] = []

    def place(self, count: int, *, pack: bool = False) -> None:
        for _ in range(count):
            n = len(self.placed)
            skus = self.rng.sample(self.skus, 1 + n % 2)
            lines = [{"merchantSku": sku, "quantity": self.rng.randint(1, 3)} for sku in skus]
            # Two minutes ago: Hepsiburada's windows are whole minutes, the current one is read next run.
            # pack: Hepsiburada packaged it itself (read from the package listing, not packed by us).
            order = self.sim.place_order(lines, shopper=n % 7, at=time.time() - 120, pack=pack)
            self.placed.append(order["orderNumber"])


def local_package_ids(channel) -> set[str]:
    return set(Order.objects.filter(channel=channel).values_list("package_id", flat=True))


def caught_up(channel, sim, shop: Shop) -> bool:
    """Every placed order is packaged on the marketplace and every package is stored here."""
    orders = {o["orderNumber"]: o for o in sim.orders()}
    if any(line["status"] == "Open" for number in shop.placed for line in orders[number]["lines"]):
        return False
    return {p["packageNumber"] for p in sim.packages()} <= local_package_ids(channel)


def assert_exactly_once(channel, sim, shop: Shop, seed: int, extra: str = "") -> None:
    where = f"(MPDASH_SEED={seed}){extra}"
    packages = {p["packageNumber"]: p for p in sim.packages()}
    local = list(Order.objects.filter(channel=channel).values("id", "package_id", "marketplace_order_number"))
    per_package = Counter(o["package_id"] for o in local)
    repeated = {k: n for k, n in per_package.items() if n != 1}
    assert not repeated, f"packages stored more than once: {repeated} {where}"
    missing, unknown = set(packages) - set(per_package), set(per_package) - set(packages)
    assert not missing and not unknown, f"not stored: {sorted(missing)}; not on the marketplace: {sorted(unknown)} {where}"
    # One package per marketplace order (the flow never packaged an order twice), one local order per order.
    orders_of = Counter(item["orderNumber"] for p in packages.values() for item in {i["orderNumber"]: i for i in p["items"]}.values())
    assert set(orders_of) == set(shop.placed), f"orders without a package: {sorted(set(shop.placed) - set(orders_of))} {where}"
    assert all(n == 1 for n in orders_of.values()), f"orders packaged twice: {[k for k, n in orders_of.items() if n > 1]} {where}"
    per_order = Counter(o["marketplace_order_number"] for o in local)
    assert per_order == Counter(shop.placed), f"local orders per marketplace order: {per_order - Counter(shop.placed)} {where}"
    # Each order has the package's lines once, and was created once.
    items = dict(Order.objects.filter(channel=channel).annotate(n=Count("items")).values_list("package_id", "n"))
    wrong_items = {k: (items[k], len(p["items"])) for k, p in packages.items() if items[k] != len(p["items"])}
    assert not wrong_items, f"package id: (local lines, marketplace lines) {wrong_items} {where}"
    created = Counter(
        StatusChange.objects.filter(order__channel=channel, item__isnull=True, note="created").values_list("order_id", flat=True)
    )
    assert set(created.values()) == {1} and len(created) == len(local), f"'created' status changes per order: {created} {where}"
    assert OrderItem.objects.filter(order__channel=channel).count() == sum(len(p["items"]) for p in packages.values())
    assert not InboundItem.objects.filter(channel=channel).exists(), f"records still held: {list(InboundItem.objects.values('key', 'error'))} {where}"
    assert not FailedIntegration.objects.filter(channel=channel, kind="order").exists(), where


class _Later:
    """``django.utils.timezone`` as the flow sees it, ``seconds`` ahead of the wall clock."""

    def __init__(self, seconds: float):
        self.delta = timedelta(seconds=seconds)

    def now(self):
        return django_timezone.now() + self.delta

    def __getattr__(self, name):
        return getattr(django_timezone, name)


@contextlib.contextmanager
def later(monkeypatch, seconds: float = 61):
    """The flow runs ``seconds`` later (the simulator keeps the wall clock: nothing new happens there)."""
    with monkeypatch.context() as m:
        m.setattr(inbound, "timezone", _Later(seconds))
        yield


def catch_up(channel, sim, shop, monkeypatch, runs: int = 4) -> list[FlowRun]:
    """In-process runs, a minute later, until everything is stored (at most ``runs``)."""
    made = []
    with later(monkeypatch):
        for _ in range(runs):
            made += [FlowRun.objects.get(pk=pk) for pk in execute(channel.pk, FLOW, "manual")]
            if caught_up(channel, sim, shop):
                break
    return made


# --- 1. real workers killed at random moments ---------------------------------------------------
def _worker_of(pid: int, alive: dict) -> int:
    """The worker main process (a key of ``alive``) that ``pid`` is, or is a child of."""
    seen = 0
    while pid not in alive and pid > 1 and seen < 10:
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])  # the parent pid
        except (OSError, ValueError, IndexError):
            break
        seen += 1
    return pid


def _expire_leases_of(channel, pid: int) -> None:
    """What MPDASH_FLOW_LEASE_SECONDS does for a killed worker, without waiting for it: a
    lease it held may be taken over. Lease tokens (and FlowRun.worker) carry the pid of the
    pool process that ran the flow, ``pid``. Matched on the lease itself, not on an unfinished
    run: a kill between a run's last write and the lease's release leaves a finished run and
    a held lease."""
    FlowState.objects.filter(channel=channel, flow=FLOW, lease_owner__contains=f":{pid}:").update(
        lease_expires_at=django_timezone.now() - timedelta(seconds=1)
    )


def _lease(channel) -> str:
    state = FlowState.objects.filter(channel=channel, flow=FLOW).first()
    return "no flow state" if state is None else f"lease {state.lease_owner or '(free)'} until {state.lease_expires_at}"


def _new_run(channel, after: int) -> FlowRun | None:
    return FlowRun.objects.filter(channel=channel, flow=FLOW, pk__gt=after).order_by("pk").first()


def _last_run_id(channel) -> int:
    return FlowRun.objects.filter(channel=channel, flow=FLOW).order_by("-pk").values_list("pk", flat=True).first() or 0


def _packages_made(sim) -> int:
    return sim.oms_counters()["packages_total"]


def _queue_run(channel) -> None:
    tasks.run_flow.apply_async(kwargs={"channel_id": channel.pk, "flow": FLOW, "trigger": "manual"})


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_workers_killed_at_random_moments_store_every_package_once(channel, oms_sim, workers):
    """Three workers; each trial queues a run and SIGKILLs the worker (main process and pool)
    that took it at a random moment of the run (every other trial: a random moment after the
    run packaged its first order), then starts a replacement, which warms up while the others
    take the next trials. Then runs are let complete."""
    seed = _seed()
    rng = random.Random(seed)
    oms_sim.configure(latency=0.01)  # a run takes long enough (~0.3-0.6 s) for kills to land inside it
    shop = Shop(oms_sim, channel.skus, rng)
    shop.place(20)
    shop.place(4, pack=True)
    alive: dict[int, object] = {}
    logs = lambda: f"\nMPDASH_SEED={seed}\n{workers.logs()}"  # noqa: E731
    try:
        for n in range(WORKERS):
            proc = workers.start(f"w{n}", concurrency=1)
            alive[proc.pid] = proc
        interrupted = 0  # kills that left a package made on the marketplace but not stored here
        unstored: set[str] = set()
        t0 = time.monotonic()
        for trial in range(TRIALS):
            shop.place(2)
            if trial % 5 == 0:
                shop.place(1, pack=True)
            last, packaged = _last_run_id(channel), _packages_made(oms_sim)
            _queue_run(channel)
            run = wait_until(lambda: _new_run(channel, last), 60, interval=0.02,
                             message=lambda: f"trial {trial}: a run to start ({_lease(channel)}){logs()}")
            run_pid = int(run.worker.split(":")[1])  # the pool process that runs the flow
            pid = _worker_of(run_pid, alive)
            assert pid in alive, (run.worker, list(alive), seed)
            if trial % 2:  # anywhere in the run
                time.sleep(rng.uniform(0.0, 0.5))
            else:  # once the run has packaged a first order: between packaging and storing, mostly
                deadline = time.monotonic() + 3
                while _packages_made(oms_sim) == packaged and time.monotonic() < deadline:
                    time.sleep(0.005)
                time.sleep(rng.uniform(0.0, 0.1))
            workers.kill(alive.pop(pid))  # SIGKILL to the worker's process group: no cleanup of any kind
            remote = {p["packageNumber"] for p in oms_sim.packages() if p["packedBy"] == "merchant"}
            now_unstored = remote - local_package_ids(channel)
            interrupted += bool(now_unstored - unstored)
            unstored = now_unstored
            _expire_leases_of(channel, run_pid)
            proc = workers.start(f"w{trial + WORKERS}", concurrency=1)
            alive[proc.pid] = proc
        trials_s = time.monotonic() - t0

        # Let runs complete: packages made in the current minute are read once it is over.
        def done():
            if caught_up(channel, oms_sim, shop):
                return True
            _queue_run(channel)  # what the schedule does; a run going on coalesces it
            return False

        wait_until(done, 120, interval=2.0, message=lambda: f"every package to be stored{logs()}")
        last = _last_run_id(channel)
        _queue_run(channel)
        final = wait_until(
            lambda: FlowRun.objects.filter(channel=channel, flow=FLOW, pk__gt=last, finished_at__isnull=False).first(),
            60, message=lambda: f"a last complete run{logs()}",
        )
    finally:
        for proc in alive.values():  # SIGKILL: a SIGTERM'd worker takes seconds to stop
            workers.kill(proc)
    assert final.status == FlowRun.Status.SUCCESS, f"{final.message}{logs()}"
    print(f"{TRIALS} kill trials in {trials_s:.1f} s; {interrupted} left packages unstored; {len(shop.placed)} orders")
    assert_exactly_once(channel, oms_sim, shop, seed, extra=f"; {interrupted}/{TRIALS} kills between packaging and storing")
    if TRIALS >= 10:  # the kills did land mid-ingestion, else this test proves little
        assert interrupted >= 1, f"no kill landed between packaging and storing (MPDASH_SEED={seed})"


# --- 2. marketplace faults, in-process -------------------------------------------------------------
FAULT_PATHS = {
    "paid lines": r"^/orders/merchantid/[^/]+/?$",
    "packages (list and create)": r"^/packages/merchantid/[^/]+/?$",
    "one package": r"/packagenumber/",
    "any": None,
}


@pytest.mark.django_db
def test_faults_never_lose_or_duplicate_an_order(channel, oms_sim, no_celery, settings, monkeypatch):
    seed = _seed()
    rng = random.Random(seed)
    settings.MPDASH_HTTP_TIMEOUT = 0.4
    oms_sim.configure(timeout_sleep=1.0)
    shop = Shop(oms_sim, channel.skus, rng)
    shop.place(30)
    shop.place(8, pack=True)

    # The marketplace acts, but its answer arrives after we gave up: the package exists there,
    # our run failed. (The simulator's own "timeout" fault answers late without acting.)
    lose_answers = [0]
    create = oms_sim.oms_api._create_package

    def create_then_answer_late(*args, **kwargs):
        answer = create(*args, **kwargs)
        if lose_answers[0] > 0:
            lose_answers[0] -= 1
            time.sleep(settings.MPDASH_HTTP_TIMEOUT * 2)
        return answer

    monkeypatch.setattr(oms_sim.oms_api, "_create_package", create_then_answer_late)

    modes = ["5xx", "timeout", "429", "lost answer"] * 2
    modes += [rng.choice(modes) for _ in range(6)]
    rng.shuffle(modes)
    statuses = Counter()
    for i, mode in enumerate(modes):
        shop.place(rng.randint(0, 3))
        if i % 4 == 0:
            shop.place(1, pack=True)
        if mode == "lost answer":
            lose_answers[0] = rng.randint(1, 3)
            oms_sim.configure(fault=None)
        else:
            path = FAULT_PATHS[rng.choice(list(FAULT_PATHS))]
            fault = {"mode": mode, "count": rng.randint(1, 3), "path": path}
            if mode == "5xx":
                fault["status"] = rng.choice([500, 502, 503])
            oms_sim.configure(fault=fault)
        for pk in execute(channel.pk, FLOW, "manual"):
            statuses[FlowRun.objects.get(pk=pk).status] += 1
    oms_sim.configure(fault=None)
    lose_answers[0] = 0
    assert statuses["fail"] >= 2, f"the faults should have failed runs: {statuses} (MPDASH_SEED={seed})"
    unstored = {p["packageNumber"] for p in oms_sim.packages()} - local_package_ids(channel)
    print(f"run statuses under faults: {dict(statuses)}; {len(unstored)} packages left to the catch-up")
    runs = catch_up(channel, oms_sim, shop, monkeypatch)
    assert runs and runs[-1].status == FlowRun.Status.SUCCESS, (runs[-1].message if runs else "no run", seed)
    assert_exactly_once(channel, oms_sim, shop, seed, extra=f"; run statuses under faults: {dict(statuses)}")
    # And reading everything again changes nothing.
    before = Order.objects.filter(channel=channel).count()
    with later(monkeypatch):
        [again] = execute(channel.pk, FLOW, "manual")
    assert Order.objects.filter(channel=channel).count() == before
    assert FlowRun.objects.get(pk=again).succeeded == before  # every package read again, as "already stored"


# --- 3. two runs racing on the same window ----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_runs_racing_on_one_window_store_each_package_once(channel, oms_sim, no_celery, monkeypatch):
    seed = _seed()
    rng = random.Random(seed)
    oms_sim.configure(latency=0.005)
    # No lease: both runs read, package and store the same window at the same time.
    monkeypatch.setattr(Lease, "acquire_or_request_rerun", lambda self: True)
    monkeypatch.setattr(Lease, "renew", lambda self: None)
    monkeypatch.setattr(Lease, "release", lambda self: True)
    shop = Shop(oms_sim, channel.skus, rng)
    for round_no in range(3):
        shop.place(15)
        shop.place(5, pack=True)
        barrier = threading.Barrier(2)
        made: dict[int, list[int]] = {}
        errors: list[BaseException] = []

        def racer(n):
            try:
                barrier.wait(10)
                made[n] = execute(channel.pk, FLOW, "manual")
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=racer, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, (errors, seed)
        runs = [FlowRun.objects.get(pk=pk) for n in range(2) for pk in made[n]]
        assert len(runs) == 2 and all(r.status == FlowRun.Status.SUCCESS for r in runs), [(r.status, r.message) for r in runs]
        a, b = runs
        assert a.started_at < b.finished_at and b.started_at < a.finished_at, "the two runs should have overlapped"
        # Whatever one run packaged, it stored; the other one's attempt was refused: nothing waits.
        assert caught_up(channel, oms_sim, shop), f"round {round_no}: not everything stored at once (MPDASH_SEED={seed})"
        assert_exactly_once(channel, oms_sim, shop, seed, extra=f"; round {round_no}")
    assert sum(r.succeeded for r in FlowRun.objects.filter(channel=channel, flow=FLOW)) >= len(shop.placed)
