"""Benchmark: orders from a (simulated) marketplace's order API into local orders (get_orders).

Starts the marketplace's simulator (``--marketplace hepsiburada``, the default, or
``trendyol``; by default in a process of its own, as the real marketplace is on other
machines; ``--simulator thread`` runs it in a thread of this process, where its work shares
this process's CPU and interpreter lock and counts in the wall time), sets up a channel
with ``get_orders`` on (Hepsiburada: with ``automatic_packing``), and measures two things:

1. Backlog: ``--orders`` orders placed two minutes ago; the get_orders flow runs in this
   process (``dispatch.execute``, no Celery worker) until every one is stored here
   (Hepsiburada: packaged on the marketplace first, one request per order). Prints orders
   ingested per second, HTTP calls and database queries per order, the mean wait for an
   HTTP answer (packages are created several at a time), and the CPU seconds used by this
   process and by the simulator's.
2. Steady state: the simulator's shopper places orders continuously at ``--rate`` per
   second for ``--duration`` seconds while the flow runs every ``--interval`` seconds (as the
   schedule would); then the shopper stops and the flow drains. Prints p50/p95/max latency
   from an order being placed (the marketplace's order date) to its local order being
   stored, and how long each run took.

Prints one JSON object (progress on stderr); peak RSS is of this whole process.

    python bench/order_ingest.py --orders 5000
    python bench/order_ingest.py --orders 2000 --rate 5 --duration 120 --interval 5
    python bench/order_ingest.py --marketplace trendyol --orders 5000 --rate 0

Uses the embedded default (SQLite) in a temporary data directory unless DATABASE_URL is
set. Call budgets are the marketplace's documented ones (``--budget-scale 1``), and the
per-request INFO log lines are off (WARNING), as in the other benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import replace

from http_timing import counting_http
from simulator_process import SimulatorProcess


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000, help="backlog of orders for phase 1")
    parser.add_argument("--rate", type=float, default=5.0, help="orders per second the shopper places in phase 2 (0: skip phase 2)")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds the shopper places orders in phase 2")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between flow runs in phase 2")
    parser.add_argument("--skus", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the simulator adds to every answer")
    parser.add_argument("--budget-scale", type=float, default=1.0, help="MPDASH_CALL_BUDGET_SCALE (1: documented limits)")
    parser.add_argument("--simulator", choices=("process", "thread"), default="process",
                        help="where the simulator runs: a process of its own (default) or a thread of this one")
    parser.add_argument("--marketplace", choices=sorted(MARKETS), default="hepsiburada")
    args = parser.parse_args()
    market = MARKETS[args.marketplace]
    sim_options = dict(port=0, processing_delay=0.1, latency=args.latency, **market.sim_options)
    # Started before Django opens anything, so the child inherits no database connection.
    sim = SimulatorProcess(sim_options, market.module) if args.simulator == "process" else None

    os.environ.setdefault("MPDASH_DATA_DIR", tempfile.mkdtemp(prefix="mpdash-bench-"))
    os.environ["MPDASH_CALL_BUDGET_SCALE"] = str(args.budget_scale)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mpdash.settings"
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.db import connection

    from mpdash.catalog.models import Catalog, CatalogItem, PriceList, Product, ProductStock, StockList
    from mpdash.channels.models import SalesChannel
    from mpdash.integration.dispatch import execute
    from mpdash.integration.models import FlowRun, InboundItem
    from mpdash.integration.tasks import poll_batch, run_flow
    from mpdash.orders.models import CancellationReason, Order, ShippingCompany
    from mpdash.orders.tasks import deliver_webhooks

    logging.getLogger("mpdash").setLevel(logging.WARNING)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    # No worker: flows run in this process; record nothing of what they would queue.
    for task in (run_flow, poll_batch, deliver_webhooks):
        task.apply_async = lambda *a, **k: None
    call_command("migrate", verbosity=0)
    from mpdash.celery import tune_gc

    tune_gc()  # as in a worker process
    if sim is None:
        import importlib

        sim = importlib.import_module(market.module).serve(**sim_options)
        sim_cpu = lambda: 0.0  # noqa: E731 - counted in ours
    else:
        sim_cpu = sim.cpu_seconds

    # HTTP calls and the time spent waiting for their answers; database queries.
    measuring = ExitStack()
    http = measuring.enter_context(counting_http())
    queries = [0]

    def count_query(execute_sql, sql, params, many, context):
        queries[0] += 1
        return execute_sql(sql, params, many, context)

    try:
        t0 = time.perf_counter()
        catalog = Catalog.objects.create(code="bench", name="bench")
        prices = PriceList.objects.create(code="bench", name="bench")
        stocks = StockList.objects.create(code="bench", name="bench")
        Product.objects.bulk_create([Product(sku=f"SKU-{i:06d}", name=f"Ürün {i}") for i in range(args.skus)], batch_size=2000)
        ids = list(Product.objects.values_list("pk", "sku"))
        CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, product_id=pk) for pk, _ in ids], batch_size=2000)
        ProductStock.objects.bulk_create([ProductStock(stock_list=stocks, product_id=pk, quantity=0) for pk, _ in ids], batch_size=2000)
        skus = [sku for _, sku in ids]
        market.list_skus(sim, skus)
        channel = SalesChannel(name="bench", slug="bench", marketplace=args.marketplace, catalog=catalog, price_list=prices, stock_list=stocks)
        channel.save()
        flags = {f: f == "get_orders" for f in channel.config["feature_flags"]}
        failed = dict(channel.config.get("failed_integration") or {})
        failed["order"] = {"RETRY_INTERVAL": 60, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 5}
        channel.update_config(dict(
            sim.adapter_config(), category_ids=["1"], feature_flags=flags, failed_integration=failed,
            default_reason_id=CancellationReason.objects.filter(cancellation_type="refund").values_list("pk", flat=True).first(),
            cancellation_reason_id=CancellationReason.objects.filter(cancellation_type="cancel").values_list("pk", flat=True).first(),
            cargo_company_mapping={"default": ShippingCompany.objects.order_by("pk").values_list("pk", flat=True).first()},
            **market.config,
        ))
        channel.is_active = True
        channel.full_clean()
        channel.save()

        # --- phase 1: a backlog -----------------------------------------------------------------
        placed_at = time.time() - 120  # two minutes ago
        baskets = [[(skus[(n * 7 + i * 3) % len(skus)], 1 + (n + i) % 3) for i in range(1 + n % 2)] for n in range(args.orders)]
        market.place(sim, baskets, placed_at)
        setup_s = time.perf_counter() - t0
        log(f"setup {setup_s:.1f} s; ingesting {args.orders} orders (get_orders in this process, simulator in {'a process of its own' if args.simulator == 'process' else 'a thread'})…")
        http_before, sim_before = replace(http), sim.requests_total
        run_ids: list[int] = []
        cpu_before, sim_cpu_before = _cpu_seconds(), sim_cpu()
        t_start = time.perf_counter()
        with connection.execute_wrapper(count_query):
            for _ in range(5):
                run_ids += execute(channel.pk, "get_orders", "manual")
                stored = Order.objects.filter(channel=channel).count()
                log(f"  stored {stored}/{args.orders} after {time.perf_counter() - t_start:.1f} s")
                if stored >= args.orders:
                    break
        wall = time.perf_counter() - t_start
        cpu_ours, cpu_sim = _cpu_seconds() - cpu_before, sim_cpu() - sim_cpu_before
        stored = Order.objects.filter(channel=channel).count()
        runs1 = list(FlowRun.objects.filter(pk__in=run_ids).values_list("status", "message"))
        phase1 = {
            "orders": args.orders,
            "stored": stored,
            "wall_s": round(wall, 2),
            "orders_per_s": round(stored / wall, 1) if wall else None,
            "runs": len(run_ids),
            "run_status": [s for s, _ in runs1],
            "http_calls": http.calls - http_before.calls,
            "http_calls_per_order": round((http.calls - http_before.calls) / max(stored, 1), 2),
            "simulator_requests": sim.requests_total - sim_before,
            "http_wait_per_call_ms": round(1000 * (http.wait - http_before.wait) / max(http.calls - http_before.calls, 1), 2),
            "cpu_s_ours": round(cpu_ours, 2),
            "cpu_s_simulator": round(cpu_sim, 2) if args.simulator == "process" else "(in ours)",
            "db_queries_per_order": round(queries[0] / max(stored, 1), 1),
        }
        if stored < args.orders:
            log(f"not every order was stored: {runs1[-3:]}")

        # --- phase 2: a steady stream -------------------------------------------------------------
        phase2 = None
        if args.rate > 0 and args.duration > 0:
            backlog = market.order_numbers(sim)
            log(f"phase 2: the shopper places {args.rate}/s for {args.duration:.0f} s, get_orders every {args.interval} s…")
            sim.configure(order_rate=args.rate)
            http_before, run_ids, durations = replace(http), [], []
            t_phase = time.monotonic()
            stop_at = t_phase + args.duration
            drain_until = stop_at + 150
            stream: set[str] = set()
            while True:
                tick = time.monotonic()
                if tick >= stop_at and sim.options["order_rate"]:
                    sim.configure(order_rate=0)
                    stream = market.order_numbers(sim) - backlog
                    log(f"  shopper stopped: {len(stream)} orders placed; draining…")
                made = execute(channel.pk, "get_orders", "schedule")
                durations.append(time.monotonic() - tick)
                run_ids += made
                if not sim.options["order_rate"]:
                    # Orders that cannot be stored (e.g. a micro-export order's foreign address) are held.
                    left = len(stream) - Order.objects.filter(channel=channel, marketplace_order_number__in=stream).count()
                    left -= InboundItem.objects.filter(channel=channel, flow="get_orders").count()
                    if left <= 0 or time.monotonic() > drain_until:
                        break
                log(f"  run took {durations[-1]:.2f} s; {Order.objects.filter(channel=channel).count()} stored; "
                    f"{time.monotonic() - t_phase:.0f} s into phase 2")
                time.sleep(max(0.0, args.interval - (time.monotonic() - tick)))
            rows = list(Order.objects.filter(channel=channel, marketplace_order_number__in=stream).values_list("date_placed", "created_at"))
            latencies = sorted((created - placed).total_seconds() for placed, created in rows)
            runs2 = list(FlowRun.objects.filter(pk__in=run_ids).values_list("status", flat=True))
            held = Counter(e.split(".", 1)[-1].strip()[:80] for e in InboundItem.objects.filter(channel=channel).values_list("error", flat=True))
            phase2 = {
                "rate_per_s": args.rate,
                "interval_s": args.interval,
                "placed": len(stream),
                "stored": len(rows),
                "held_for_retry": sum(held.values()),
                "held_because": dict(held),
                "p50_latency_s": _pct(latencies, 0.50),
                "p95_latency_s": _pct(latencies, 0.95),
                "max_latency_s": round(latencies[-1], 2) if latencies else None,
                "runs": len(durations),
                "run_p50_s": _pct(sorted(durations), 0.50),
                "run_max_s": round(max(durations), 2) if durations else None,
                "run_status": {s: runs2.count(s) for s in set(runs2)},
                "http_calls": http.calls - http_before.calls,
                "http_calls_per_run": round((http.calls - http_before.calls) / max(len(durations), 1), 1),
            }
        result = {
            "marketplace": args.marketplace,
            "runner": "in-process dispatch.execute (no Celery worker)",
            "simulator": "own process" if args.simulator == "process" else "in-process thread (its CPU counts in the wall time)",
            "database": connection.vendor,
            "backlog": phase1,
            "steady": phase2,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "setup_s": round(setup_s, 1),
            "data_dir": os.environ["MPDASH_DATA_DIR"],
        }
        print(json.dumps(result))
        ok = stored >= args.orders and (phase2 is None or phase2["stored"] + phase2["held_for_retry"] == phase2["placed"])
        return 0 if ok else 1
    finally:
        measuring.close()
        sim.stop()


class Hepsiburada:
    """Paid order lines, packed by our automatic packing (one POST per order)."""

    module = "mpdash.marketplaces.hepsiburada.simulator"
    sim_options = {"auto_pack_delay": None}
    config = {"automatic_packing": True, "order_number_format": "HB-{orderNumber}-{id}"}

    @staticmethod
    def list_skus(sim, skus):
        sim.add_listings([{"merchantSku": sku, "price": 100, "availableStock": 10_000_000} for sku in skus])

    @staticmethod
    def place(sim, baskets, at):
        for n, basket in enumerate(baskets):
            sim.place_order([{"merchantSku": sku, "quantity": q} for sku, q in basket], shopper=n % 500, at=at)

    @staticmethod
    def order_numbers(sim) -> set:
        return {o["orderNumber"] for o in sim.orders()}


class Trendyol:
    """Shipment packages Trendyol made (no packing on our side), read in pages."""

    module = "mpdash.marketplaces.trendyol.simulator"
    sim_options: dict = {}
    config = {"order_number_format": "TY-{orderNumber}-{id}"}

    @staticmethod
    def list_skus(sim, skus):
        sim.add_products([{"barcode": sku, "stockCode": sku, "quantity": 10_000_000, "salePrice": 100, "listPrice": 100}
                          for sku in skus])

    @staticmethod
    def place(sim, baskets, at):
        specs = [{"lines": [{"barcode": sku, "quantity": q} for sku, q in basket], "orderDate": int(at * 1000)}
                 for basket in baskets]
        for start in range(0, len(specs), 500):
            sim.place_orders(specs[start:start + 500])

    @staticmethod
    def order_numbers(sim) -> set:
        return {p["orderNumber"] for p in sim.packages()}


MARKETS = {"hepsiburada": Hepsiburada, "trendyol": Trendyol}


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _pct(values: list[float], p: float) -> float | None:
    return round(values[min(len(values) - 1, int(p * len(values)))], 2) if values else None


if __name__ == "__main__":
    sys.exit(main())
