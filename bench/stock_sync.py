"""Benchmark: stock changes from a local write to the (simulated) marketplace.

Builds a catalog of N SKUs already in sync with the Hepsiburada simulator, starts a real
Celery worker, changes K stocks, and measures for each the time from the local write to
the simulator applying it. Also measures a flow tick with nothing pending (the cost of
the safety-net schedule at this catalog size). Prints one JSON object.

    python bench/stock_sync.py --skus 100000 --changes 2000
    python bench/stock_sync.py --skus 1000000 --changes 1000
    python bench/stock_sync.py --marketplace amazon --skus 20000 --changes 10000

With ``--marketplace amazon`` the simulator enforces Amazon's documented per-operation buckets
and the budgets are not scaled: the figures include Amazon's feed throttle (createFeed 0.0083/s
burst 15; JSON_LISTINGS_FEED 5 submissions per 5 minutes), reported as ``feeds`` and
``throttle_wait_s`` (time the stock flow spent waiting for a createFeed slot).

Uses the embedded default (SQLite, file-system broker) in a temporary data directory
unless DATABASE_URL / CELERY_BROKER_URL are set.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--processing-delay", type=float, default=0.5, help="simulator seconds before an upload is applied")
    parser.add_argument("--marketplace", choices=("hepsiburada", "amazon"), default="hepsiburada")
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds to wait for every change to land")
    args = parser.parse_args()

    os.environ.setdefault("MPDASH_DATA_DIR", tempfile.mkdtemp(prefix="mpdash-bench-"))
    os.environ.setdefault("MPDASH_CHANGE_DEBOUNCE_SECONDS", "0.5")
    os.environ.setdefault("MPDASH_BATCH_POLL_SECONDS", "0.5")
    os.environ["DJANGO_SETTINGS_MODULE"] = "mpdash.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from mpdash.catalog.models import Catalog, CatalogItem, PriceList, Product, ProductPrice, ProductStock, StockList
    from mpdash.channels.models import SalesChannel
    from mpdash.integration.dispatch import execute
    from mpdash.integration.models import PendingChange
    from mpdash.marketplaces.registry import simulator_factory

    call_command("migrate", verbosity=0)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    amazon = args.marketplace == "amazon"
    if amazon:
        sim = simulator_factory("amazon")(port=0, processing_delay=args.processing_delay, rate_limits=True)
        seed = lambda rows: [sim.put_listing(sku, quantity=1, price=10) for _, sku in rows]  # noqa: E731
    else:
        sim = simulator_factory("hepsiburada")(port=0, processing_delay=args.processing_delay, rate_limit=1000)
        seed = lambda rows: sim.add_listings([{"merchantSku": sku, "price": 10, "availableStock": 1}  # noqa: E731
                                              for _, sku in rows])

    t0 = time.perf_counter()
    catalog = Catalog.objects.create(code="bench", name="bench")
    price_list = PriceList.objects.create(code="bench", name="bench")
    stock_list = StockList.objects.create(code="bench", name="bench")
    chunk = 20_000
    for start in range(0, args.skus, chunk):
        n = min(chunk, args.skus - start)
        Product.objects.bulk_create([Product(sku=f"B{start + i:08d}", name="bench") for i in range(n)], batch_size=5000)
        log(f"  products {start + n}/{args.skus}")
    ids = list(Product.objects.values_list("pk", "sku"))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, product_id=pk) for pk, _ in part], batch_size=5000)
        ProductStock.objects.bulk_create([ProductStock(stock_list=stock_list, product_id=pk, quantity=1) for pk, _ in part], batch_size=5000)
        ProductPrice.objects.bulk_create([ProductPrice(price_list=price_list, product_id=pk, price=10) for pk, _ in part], batch_size=5000)
        seed(part)
    channel = SalesChannel(name="bench", slug="bench", marketplace=args.marketplace, catalog=catalog, price_list=price_list, stock_list=stock_list)
    channel.save()
    config = dict(sim.adapter_config(), category_ids=["1"], default_reason_id=1,
                  cancellation_reason_id=1, cargo_company_mapping={"default": 1})
    if not amazon:
        config.update(base_url=sim.url, oms_url=sim.url)
    stock_flag = channel.adapter_class.flow("stock").flag
    config["feature_flags"] = dict(channel.config["feature_flags"], **{stock_flag: True})
    channel.update_config(config)
    channel.is_active = True
    channel.full_clean()
    channel.save()
    PendingChange.objects.filter(channel=channel).delete()  # the catalog starts in sync
    setup_s = time.perf_counter() - t0
    log(f"setup {setup_s:.1f} s")

    # A tick with nothing pending: what the one-minute safety net costs at this size.
    ticks = []
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(5):
            t = time.perf_counter()
            execute(channel.pk, "stock", "schedule")
            ticks.append((time.perf_counter() - t) * 1000)
    noop_queries = len(ctx.captured_queries) / 5

    env = dict(os.environ)
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    worker_log_path = os.path.join(os.environ["MPDASH_DATA_DIR"], "bench-worker.log")
    worker_log = open(worker_log_path, "ab")
    log(f"worker log: {worker_log_path}")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mpdash.celery:app", "worker", "--loglevel", "WARNING",
         "--concurrency", str(args.concurrency), "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env, stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        time.sleep(3)
        import random

        rng = random.Random(1)
        chosen = rng.sample(ids, min(args.changes, len(ids)))
        written_at: dict[str, float] = {}
        t_start = time.time()
        for i, (pk, sku) in enumerate(chosen):
            row = ProductStock.objects.get(stock_list=stock_list, product_id=pk)
            row.quantity = 50 + i
            row.save(update_fields=["quantity", "modified_at"])
            written_at[sku] = time.time()
        t_written = time.time()
        log(f"wrote {len(chosen)} changes in {t_written - t_start:.1f} s; waiting for the marketplace…")
        deadline = time.time() + args.deadline
        latencies: dict[str, float] = {}
        last_report = time.time()
        while time.time() < deadline and len(latencies) < len(chosen):
            for h in sim.history():
                sku = h["sku"]
                if sku in written_at and sku not in latencies and h["kind"] == "stock" and h["value"] >= 50:
                    applied = h.get("applied_at")
                    applied_ts = _ts(applied) if applied else time.time()
                    latencies[sku] = applied_ts - written_at[sku]
            if time.time() - last_report > 10:
                last_report = time.time()
                log(f"  delivered {len(latencies)}/{len(chosen)} after {last_report - t_written:.0f} s")
            time.sleep(0.5)
        t_done = time.time()
    finally:
        os.killpg(worker.pid, 15)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            log("worker did not stop within 20 s; killed")
            os.killpg(worker.pid, 9)
            worker.wait(5)
        sim.stop()
    values = sorted(latencies.values())

    def pct(p):
        return round(values[min(len(values) - 1, int(p * len(values)))], 3) if values else None

    result = {
        "skus": args.skus,
        "changes": len(chosen),
        "delivered": len(latencies),
        "database": connection.vendor,
        "p50_latency_s": pct(0.50),
        "p95_latency_s": pct(0.95),
        "max_latency_s": round(values[-1], 3) if values else None,
        "updates_per_s": round(len(latencies) / max(t_done - t_start, 1e-9), 1),
        "noop_tick_ms": round(sorted(ticks)[len(ticks) // 2], 2),
        "noop_tick_queries": noop_queries,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "setup_s": round(setup_s, 1),
        "simulator_processing_delay_s": args.processing_delay,
        "marketplace": args.marketplace,
    }
    if amazon:
        from mpdash.integration.models import BatchRequest, FlowRun

        sent = BatchRequest.objects.filter(channel=channel).exclude(status=BatchRequest.Status.FAIL)
        result["feeds"] = sent.exclude(remote_batch_id="").count()
        result["patch_requests"] = sent.filter(remote_batch_id="").count()
        feeds = list(sent.exclude(remote_batch_id="").order_by("sent_at").values_list("sent_at", flat=True))
        # The wait between the first feed and the last: Amazon's 5 feeds per 5 minutes, when more are due.
        result["first_to_last_feed_s"] = round((feeds[-1] - feeds[0]).total_seconds(), 1) if len(feeds) > 1 else 0
        limited = FlowRun.objects.filter(channel=channel, flow="stock", message__icontains="rate limited")
        result["rate_limited_runs"] = limited.count()
    print(json.dumps(result))
    return 0 if len(latencies) == len(chosen) else 1


def _ts(value) -> float:
    from datetime import datetime

    if isinstance(value, (int, float)):
        return float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


if __name__ == "__main__":
    sys.exit(main())
