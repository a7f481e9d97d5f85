"""Limits in words: a bulk call of 100,000 rows works; above a limit the answer is a JSON 413
naming the limit and how to split (issue 16)."""

from __future__ import annotations

import json
import time

import pytest

from mpdash.api.bulk import MAX_ROWS


def _post_json(api, path, rows):
    return api.generic("POST", path, json.dumps(rows), content_type="application/json")


def test_a_bulk_stock_call_of_100000_rows_works(api, lists):
    from mpdash.catalog.models import ProductStock

    from ..conftest import make_products

    make_products(lists, 100_000, with_stock=False, with_price=False)
    rows = [{"sku": f"SKU-{i:06d}", "stock_list": "s1", "quantity": i % 50} for i in range(100_000)]
    body = json.dumps(rows)
    assert len(body) > 2_621_440  # past Django's own 2.5 MB guard, which used to answer a bare 400
    started = time.monotonic()
    r = api.generic("POST", "/api/v1/product_stocks/bulk/", body, content_type="application/json")
    print(f"100,000 stock rows: {time.monotonic() - started:.1f} s")
    assert r.status_code == 200, r.content[:500]
    assert ProductStock.objects.count() == 100_000
    assert ProductStock.objects.get(product__sku="SKU-000049").quantity == 49


def test_above_the_row_limit_a_json_413_names_the_limit_and_how_to_split(api, db):
    rows = [{"sku": "S", "quantity": 1}] * 300_000
    r = _post_json(api, "/api/v1/product_stocks/bulk/", rows)
    assert r.status_code == 413 and r["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["limit"] == {"name": "MAX_ROWS", "max": MAX_ROWS, "unit": "rows", "got": 300_000}
    assert "at most 100,000 rows" in body["detail"] and "Split the rows into 3 or more requests" in body["detail"]


def test_above_the_byte_limit_a_json_413_before_the_body_is_read(api, db, settings):
    settings.MPDASH_BULK_MAX_BYTES = 1000
    r = _post_json(api, "/api/v1/products/bulk/", [{"sku": f"SKU-{i}", "name": "x" * 50} for i in range(100)])
    assert r.status_code == 413
    body = r.json()
    assert body["limit"]["name"] == "MPDASH_BULK_MAX_BYTES" and body["limit"]["max"] == 1000
    assert "Split the rows" in body["detail"]


def test_a_large_body_elsewhere_on_the_api_is_a_json_413_not_a_bare_400(api, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = api.generic("POST", "/api/v1/products/", json.dumps({"sku": "A", "name": "x" * 2000}), content_type="application/json")
    assert r.status_code == 413
    assert r.json()["limit"]["name"] == "DATA_UPLOAD_MAX_MEMORY_SIZE" and "bulk/" in r.json()["detail"]
