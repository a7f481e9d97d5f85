"""Benchmark: bulk writes into the core, with change marking (issue 15's "fast writes in").

Builds N SKUs in a catalog, a stock list and a price list sold on one active channel, then
changes every row once through each writer and reports rows/s:

    api_stocks   POST /api/v1/product_stocks/bulk/  (one call, N rows; the REST API in this process)
    api_prices   POST /api/v1/product_prices/bulk/
    csv_stocks   the CSV import (``mpdash import stocks``: importer.import_csv)
    csv_prices   the CSV import of prices

Each figure is from the start of the call to its end (the API's includes parsing the JSON
body and the answer); every changed row must come out marked pending for the channel, or the
script exits 1. Uses SQLite in a temporary data directory unless DATABASE_URL is set.

    python bench/bulk_write.py --rows 100000
    DATABASE_URL=postgres://… python bench/bulk_write.py --rows 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", metavar="DIR", help="cProfile each writer into DIR/<writer>.prof")
    args = parser.parse_args()
    os.environ.setdefault("MPDASH_DATA_DIR", tempfile.mkdtemp(prefix="mpdash-bulk-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "mpdash.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mpdash import fast_insert
    from mpdash.catalog import importer
    from mpdash.catalog.models import Catalog, CatalogItem, PriceList, Product, ProductPrice, ProductStock, StockList
    from mpdash.channels.models import SalesChannel
    from mpdash.integration.models import PendingChange

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":  # a database of its own, emptied: the figures are for N rows
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE catalog_product, channels_saleschannel, catalog_catalog, catalog_pricelist, "
                           "catalog_stocklist, integration_pendingchange CASCADE")
    n = args.rows
    catalog = Catalog.objects.create(code="bulk", name="bulk")
    price_list = PriceList.objects.create(code="bulk", name="bulk")
    stock_list = StockList.objects.create(code="bulk", name="bulk")
    for start in range(0, n, 20_000):
        fast_insert.insert_values(Product, ("sku", "name"), [(f"S{i:08d}", "bulk") for i in range(start, min(n, start + 20_000))])
    ids = list(Product.objects.values_list("pk", flat=True))
    for start in range(0, n, 20_000):
        part = ids[start:start + 20_000]
        fast_insert.insert_values(CatalogItem, ("catalog_id", "product_id"), [(catalog.pk, pk) for pk in part])
        fast_insert.insert_values(ProductStock, ("stock_list_id", "product_id", "quantity"), [(stock_list.pk, pk, 1) for pk in part])
        fast_insert.insert_values(ProductPrice, ("price_list_id", "product_id", "price"), [(price_list.pk, pk, 10) for pk in part])
    channel = SalesChannel(name="bulk", slug="bulk", marketplace="hepsiburada", catalog=catalog, price_list=price_list,
                           stock_list=stock_list, is_active=True)
    channel.save()
    PendingChange.objects.filter(channel=channel).delete()

    client = _api_client()
    client.get("/api/v1/product_stocks/?page_size=1", SERVER_NAME="127.0.0.1")  # a running server has loaded its URLs
    workdir = os.environ["MPDASH_DATA_DIR"]
    results = {"rows": n, "database": connection.vendor}

    def measure(name, kind, call):
        PendingChange.objects.filter(channel=channel).delete()
        if args.profile:
            import cProfile

            os.makedirs(args.profile, exist_ok=True)
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            call()
            profiler.disable()
            seconds = time.perf_counter() - started
            profiler.dump_stats(os.path.join(args.profile, f"{name}.prof"))
        else:
            started = time.perf_counter()
            call()
            seconds = time.perf_counter() - started
        marked = PendingChange.objects.filter(channel=channel, kind=kind).count()
        results[name] = {"seconds": round(seconds, 2), "rows_per_s": round(n / seconds), "marked": marked}
        print(f"{name}: {results[name]}", file=sys.stderr, flush=True)
        return marked == n

    skus = [f"S{i:08d}" for i in range(n)]
    ok = measure("api_stocks", "productstock", lambda: _post(client, "product_stocks", [
        {"sku": sku, "stock_list": "bulk", "quantity": 5 + i % 7} for i, sku in enumerate(skus)]))
    ok &= measure("api_prices", "productprice", lambda: _post(client, "product_prices", [
        {"sku": sku, "price_list": "bulk", "price": f"{20 + i % 50}.90"} for i, sku in enumerate(skus)]))
    stocks_csv, prices_csv = os.path.join(workdir, "stocks.csv"), os.path.join(workdir, "prices.csv")
    with open(stocks_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sku", "quantity"])
        w.writerows((sku, 100 + i % 7) for i, sku in enumerate(skus))
    with open(prices_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sku", "price", "retail_price"])
        w.writerows((sku, f"{70 + i % 50}.50", f"{200 + i % 50}.00") for i, sku in enumerate(skus))

    def csv_import(kind, path, **options):
        result = importer.import_csv(kind, path, **options)
        if result.errors or result.aborted:
            raise SystemExit(f"CSV import of {kind} failed: {result.errors[:3]}")

    ok &= measure("csv_stocks", "productstock", lambda: csv_import("stocks", stocks_csv, stock_list="bulk"))
    ok &= measure("csv_prices", "productprice", lambda: csv_import("prices", prices_csv, price_list="bulk"))
    results["load_avg_1m"] = round(os.getloadavg()[0], 1)
    print(json.dumps(results))
    return 0 if ok else 1


def _api_client():
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create_superuser(f"bulk{time.time_ns()}", "bulk@example.com", "bulk-password")
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def _post(client, what: str, rows) -> None:
    response = client.post(f"/api/v1/{what}/bulk/", json.dumps(rows), content_type="application/json", SERVER_NAME="127.0.0.1")
    if response.status_code != 200:
        raise SystemExit(f"{what}/bulk/ answered {response.status_code}: {response.content[:500]!r}")


if __name__ == "__main__":
    sys.exit(main())
