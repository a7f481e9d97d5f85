"""Benchmark: the first push of a catalog to a marketplace (product create).

Builds N products in one local category mapped to a Hepsiburada leaf, starts the
Hepsiburada simulator as its own process (so its work is not counted as ours), runs the
product create flow in this process and polls its batches until the marketplace has
answered for every product. Prints one JSON object: products per second, the share of
wall time spent in our code versus waiting on the marketplace (HTTP), peak RSS.

    python bench/product_push.py --products 100000
    python bench/product_push.py --products 10000 --processing-delay 0.5

Uses the embedded default (SQLite) in a temporary data directory unless DATABASE_URL is
set. Call budgets are the marketplace's documented ones (MPDASH_CALL_BUDGET_SCALE=1).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from http_timing import counting_http


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--processing-delay", type=float, default=1.0, help="simulator seconds before an import is validated")
    args = parser.parse_args()

    os.environ.setdefault("MPDASH_DATA_DIR", tempfile.mkdtemp(prefix="mpdash-bench-"))
    os.environ["MPDASH_CALL_BUDGET_SCALE"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "mpdash.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mpdash.catalog.models import Catalog, CatalogItem, Category, PriceList, Product, ProductPrice, ProductStock, StockList
    from mpdash.channels.models import SalesChannel
    from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
    from mpdash.channels.models_remote import RemoteCategory
    from mpdash.integration import batches
    from mpdash.integration.dispatch import execute
    from mpdash.integration.models import BatchRequest, FlowRun, ProductIntegration
    from mpdash.integration.tasks import poll_batch, run_flow

    import logging

    logging.getLogger("mpdash").setLevel(logging.WARNING)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    # No worker here: flows and polls run in this process, so record queued tasks instead.
    run_flow.apply_async = lambda *a, **k: None
    poll_batch.apply_async = lambda *a, **k: None
    call_command("migrate", verbosity=0)

    port = free_port()
    sim = subprocess.Popen(
        [sys.executable, "-m", "mpdash.cli", "simulate", "hepsiburada", "--port", str(port),
         "--processing-delay", str(args.processing_delay)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/_sim/state", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    try:
        t0 = time.perf_counter()
        catalog = Catalog.objects.create(code="bench", name="bench")
        prices = PriceList.objects.create(code="bench", name="bench")
        stocks = StockList.objects.create(code="bench", name="bench")
        local = Category.objects.create(code="elbise", name="Elbise")
        chunk = 20_000
        for start in range(0, args.products, chunk):
            rows = [
                Product(
                    sku=f"B-{i:07d}", base_code=f"G-{i // 4:06d}", name=f"Keten elbise {i}", description="Yazlık keten elbise",
                    category=local, images=[f"https://img.invalid/{i}/1.jpg", f"https://img.invalid/{i}/2.jpg"],
                    attributes={"barcode": f"869{i:010d}", "brand": "Mpdash", "renk": ("Kırmızı", "Mavi", "Siyah")[i % 3],
                                "beden": ("S", "M", "L")[i % 3]},
                )
                for i in range(start, min(start + chunk, args.products))
            ]
            Product.objects.bulk_create(rows, batch_size=2000)
            log(f"  products {min(start + chunk, args.products)}/{args.products}")
        ids = list(Product.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, product_id=p) for p in part], batch_size=2000)
            ProductPrice.objects.bulk_create([ProductPrice(price_list=prices, product_id=p, price="499.90") for p in part], batch_size=2000)
            ProductStock.objects.bulk_create([ProductStock(stock_list=stocks, product_id=p, quantity=5) for p in part], batch_size=2000)
        channel = SalesChannel(name="bench", slug="bench", marketplace="hepsiburada", catalog=catalog, price_list=prices, stock_list=stocks)
        channel.save()
        flags = {f: f == "product_create" for f in channel.config["feature_flags"]}
        channel.update_config({
            "base_url": url, "oms_url": url, "listing_url": url, "username": "demo-merchant", "password": "demo-service-key",
            "merchant_id": "demo-merchant", "user_agent": "mpdash", "category_ids": ["79673523"], "default_reason_id": 1,
            "cancellation_reason_id": 1, "cargo_company_mapping": {"default": 1}, "feature_flags": flags,
        })
        channel.is_active = True
        channel.save()
        for flow in ("category_node", "category_attributes", "default_attributes"):
            [run_id] = execute(channel.pk, flow, "manual")
            assert FlowRun.objects.get(pk=run_id).status == "success", FlowRun.objects.get(pk=run_id).message
        CategoryMapping.objects.create(channel=channel, local_category=local, remote_category=RemoteCategory.objects.get(channel=channel, remote_id="82286188"))
        for attribute, kind, source in (("GarantiSuresi", "constant", "24"), ("kg", "constant", "1"), ("Cinsiyet", "constant", "Kadın"),
                                        ("Renk", "attribute", "renk"), ("Beden", "attribute", "beden")):
            AttributeMapping.objects.create(channel=channel, attribute=attribute, source_type=kind, source=source)
        setup_s = time.perf_counter() - t0
        log(f"setup {setup_s:.1f} s; pushing {args.products} products…")

        with counting_http() as http:
            t_start = time.perf_counter()
            sleeping = 0.0
            sent = 0
            while True:
                made = execute(channel.pk, "product_create", "manual")
                sent_now = sum(FlowRun.objects.filter(pk__in=made).values_list("sent", flat=True))
                sent += sent_now
                if not sent_now:
                    break
                log(f"  sent {sent} in {time.perf_counter() - t_start:.0f} s")
            while BatchRequest.objects.filter(status__in=BatchRequest.OPEN_STATUSES).exists():
                for batch in BatchRequest.objects.filter(status__in=BatchRequest.OPEN_STATUSES).select_related("channel", "run"):
                    batches.poll(batch)
                if BatchRequest.objects.filter(status__in=BatchRequest.OPEN_STATUSES).exists():
                    time.sleep(0.2)
                    sleeping += 0.2
            wall = time.perf_counter() - t_start
        ok_states = ("pending_approval", "on_sale")
        accepted = ProductIntegration.objects.filter(channel=channel, state__in=ok_states).count()
        failed = ProductIntegration.objects.exclude(state__in=ok_states).count()
        waiting_total = http.wait + sleeping
        result = {
            "products": args.products,
            "database": connection.vendor,
            "accepted": accepted,
            "not_accepted": failed,
            "wall_s": round(wall, 1),
            "products_per_s": round(accepted / wall, 1) if wall else None,
            "http_calls": http.calls,
            "share_waiting_on_marketplace": round(waiting_total / wall, 3),
            "share_in_our_code": round(1 - waiting_total / wall, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "setup_s": round(setup_s, 1),
            "simulator_processing_delay_s": args.processing_delay,
        }
        reasons = list(ProductIntegration.objects.exclude(state__in=ok_states).values_list("state", "reasons")[:3])
        if reasons:
            log(f"examples of products not accepted: {reasons}")
        print(json.dumps(result))
        return 0 if accepted == args.products else 1
    finally:
        os.killpg(sim.pid, 15)
        sim.wait(10)


if __name__ == "__main__":
    sys.exit(main())
