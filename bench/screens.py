"""Benchmark: server time of the operator screens at size.

Builds a channel with N catalog SKUs and a reconciliation of them (every SKU with a line,
as after a first sync gone wrong), and M flow log lines over many runs, then renders each
screen K times through Django's test client signed in as an admin (the whole server side:
middleware, session, queries, templates; no network) and prints one JSON object with the
p50 / p95 / max milliseconds per screen. The target is under 300 ms.

    python bench/screens.py                       # 100,000 SKUs, 1,000,000 log lines
    python bench/screens.py --skus 10000 --lines 100000

Uses the embedded default (SQLite) in a temporary data directory unless DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000, help="flow log lines")
    parser.add_argument("--lines-per-run", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15, help="renders per screen")
    args = parser.parse_args()

    os.environ.setdefault("MPDASH_DATA_DIR", tempfile.mkdtemp(prefix="mpdash-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "mpdash.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from mpdash.catalog.models import Catalog, CatalogItem, PriceList, Product, ProductPrice, ProductStock, StockList
    from mpdash.channels.models import SalesChannel
    from mpdash.integration.models import FlowLogLine, FlowRun, Reconciliation, ReconciliationLine

    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    catalog = Catalog.objects.create(code="bench", name="Bench")
    prices = PriceList.objects.create(code="bench", name="Bench")
    stocks = StockList.objects.create(code="bench", name="Bench")
    log(f"building {args.skus} SKUs…")
    step = 10_000
    for start in range(0, args.skus, step):
        with transaction.atomic():
            made = Product.objects.bulk_create(
                [Product(sku=f"B-{i:07d}", name=f"Ürün {i}", images=["https://img.invalid/1.jpg"])
                 for i in range(start, min(start + step, args.skus))], batch_size=2000)
            made = list(Product.objects.filter(sku__in=[p.sku for p in made]))
            CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, product=p) for p in made], batch_size=2000)
            ProductPrice.objects.bulk_create([ProductPrice(price_list=prices, product=p, price=100) for p in made], batch_size=2000)
            ProductStock.objects.bulk_create([ProductStock(stock_list=stocks, product=p, quantity=5) for p in made], batch_size=2000)
    channel = SalesChannel(name="Bench", slug="bench", marketplace="hepsiburada", catalog=catalog, price_list=prices,
                           stock_list=stocks)
    channel.save()
    with transaction.atomic():
        report = Reconciliation.objects.create(channel=channel, figures={
            "total_skus": args.skus, "on_sale": 0, "sellable": args.skus, "sku_difference": args.skus})
        ReconciliationLine.objects.bulk_create(
            [ReconciliationLine(reconciliation=report, sku=f"B-{i:07d}", kind="not_on_sale",
                                reason="not listed on the marketplace") for i in range(args.skus)], batch_size=5000)
    log(f"building {args.lines} log lines…")
    now = timezone.now()
    runs = max(1, args.lines // args.lines_per_run)
    for r in range(runs):
        with transaction.atomic():
            run = FlowRun.objects.create(channel=channel, flow="stock", status="success", trigger="schedule",
                                         selected=args.lines_per_run, sent=args.lines_per_run,
                                         succeeded=args.lines_per_run, started_at=now, finished_at=now, duration_ms=900)
            FlowLogLine.objects.bulk_create(
                [FlowLogLine(run=run, object_key=f"B-{(r * args.lines_per_run + i) % max(args.skus, 1):07d}",
                             outcome="success", message="sent")
                 for i in range(args.lines_per_run)], batch_size=5000)
        if r % 100 == 0:
            log(f"  {r * args.lines_per_run:,} lines")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup_s = time.perf_counter() - started

    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-pass-123")
    client = Client()
    client.force_login(user)
    slug = channel.slug
    last_run = FlowRun.objects.order_by("-id").first()
    screens = {
        "dashboard": reverse("dashboard:channel", kwargs={"slug": slug}),
        "reports": reverse("dashboard:reports", kwargs={"slug": slug}),
        "reports_page_500": reverse("dashboard:reports", kwargs={"slug": slug}) + "?page=500",
        "reports_sku_search": reverse("dashboard:reports", kwargs={"slug": slug}) + "?sku=B-00500",
        "logs": reverse("dashboard:logs", kwargs={"slug": slug}),
        "logs_sku_search": reverse("dashboard:logs", kwargs={"slug": slug}) + "?key=B-0000042",
        "run_detail": reverse("dashboard:run", kwargs={"slug": slug, "run_id": last_run.pk}),
        "channels": reverse("dashboard:channels"),
    }
    results = {}
    for name, url in screens.items():
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {url} answered {response.status_code}")
        times.sort()
        results[name] = {"p50_ms": round(statistics.median(times), 1),
                         "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1), "max_ms": round(times[-1], 1)}
        log(f"{name:20s} p50 {results[name]['p50_ms']:7.1f} ms  max {results[name]['max_ms']:7.1f} ms")
    print(json.dumps({
        "database": connection.vendor, "skus": args.skus, "log_lines": args.lines, "setup_s": round(setup_s, 1),
        "target_ms": 300, "over_target": [n for n, r in results.items() if r["p95_ms"] > 300], "screens": results,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
