"""Catalog endpoints: auth, product CRUD, prices/stocks, bulk upserts and change tracking."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from mpdash.catalog.models import CatalogItem, Category, Product, ProductPrice, ProductStock
from mpdash.integration.models import PendingChange

pytestmark = pytest.mark.django_db


def _products(n, prefix="SKU"):
    Product.objects.bulk_create([Product(sku=f"{prefix}-{i:05d}", name=f"Product {i}") for i in range(n)])


# --- auth -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/products/"),
        ("post", "/api/v1/products/bulk/"),
        ("get", "/api/v1/product_prices/"),
        ("get", "/api/v1/channels/"),
        ("get", "/api/v1/flow-runs/"),
        ("get", "/api/v1/batch-requests/"),
    ],
)
def test_authentication_is_required(anon, method, path):
    response = getattr(anon, method)(path, [], format="json")
    assert response.status_code == 401


def test_wrong_token_is_refused(anon):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert anon.get("/api/v1/products/").status_code == 401


def test_token_grants_access(api):
    assert api.get("/api/v1/products/").status_code == 200


# --- products ----------------------------------------------------------------------------------


def test_product_crud_and_filters(api):
    Category.objects.create(code="shoes", name="Shoes")
    body = {
        "sku": "A-1", "name": "Sneaker", "base_code": "A", "category": "shoes",
        "images": ["https://img.example/a.jpg"], "attributes": {"color": "red"},
    }
    r = api.post("/api/v1/products/", body, format="json")
    assert r.status_code == 201, r.data
    pid = r.data["id"]
    assert r.data["sku"] == "A-1" and r.data["category"] == "shoes" and r.data["is_active"] is True
    api.post("/api/v1/products/", {"sku": "B-1", "name": "Boot", "is_active": False}, format="json")

    r = api.get(f"/api/v1/products/{pid}/")
    assert r.status_code == 200 and r.data["attributes"] == {"color": "red"}

    r = api.patch(f"/api/v1/products/{pid}/", {"name": "Sneaker 2", "category": None}, format="json")
    assert r.status_code == 200 and r.data["name"] == "Sneaker 2" and r.data["category"] is None
    r = api.put(f"/api/v1/products/{pid}/", {"sku": "A-1", "name": "Sneaker 3", "category": "shoes"}, format="json")
    assert r.status_code == 200 and Product.objects.get(pk=pid).name == "Sneaker 3"

    r = api.patch(f"/api/v1/products/{pid}/", {"sku": "A-2"}, format="json")
    assert r.status_code == 400 and "sku" in r.data
    r = api.post("/api/v1/products/", {"sku": "C-1", "name": "x", "category": "nope"}, format="json")
    assert r.status_code == 400 and "category" in r.data
    r = api.post("/api/v1/products/", {"sku": "A-1", "name": "dup"}, format="json")
    assert r.status_code == 400 and "sku" in r.data

    def skus(query):
        r = api.get(f"/api/v1/products/?{query}")
        assert r.status_code == 200, r.data
        return [p["sku"] for p in r.data["results"]]

    assert skus("sku=A-1") == ["A-1"]
    assert skus("category=shoes") == ["A-1"]
    assert skus("is_active=false") == ["B-1"]
    assert skus("base_code=A") == ["A-1"]
    assert skus("product_type=simple") == ["A-1", "B-1"]
    assert skus("search=boot") == ["B-1"]
    assert skus("modified_at__gte=2000-01-01T00:00:00Z") == ["A-1", "B-1"]
    assert skus("modified_at__gte=2999-01-01T00:00:00Z") == []
    assert api.delete(f"/api/v1/products/{pid}/").status_code == 405


def test_lists_and_catalogs_by_code(api):
    assert api.post("/api/v1/price_lists/", {"code": "p1", "name": "Prices"}, format="json").status_code == 201
    assert api.post("/api/v1/stock_lists/", {"code": "s1", "name": "Stock"}, format="json").status_code == 201
    assert api.post("/api/v1/catalogs/", {"code": "c1", "name": "Catalog"}, format="json").status_code == 201
    assert api.post("/api/v1/categories/", {"code": "root", "name": "Root"}, format="json").status_code == 201
    r = api.post("/api/v1/categories/", {"code": "kid", "name": "Kid", "parent": "root"}, format="json")
    assert r.status_code == 201 and r.data["parent"] == "root"
    _products(1)
    r = api.post("/api/v1/catalog_items/", {"catalog": "c1", "product": "SKU-00000"}, format="json")
    assert r.status_code == 201 and r.data["product"] == "SKU-00000"
    assert api.get("/api/v1/catalog_items/?catalog=c1").data["count"] == 1
    assert api.get("/api/v1/catalog_items/?catalog=other").data["count"] == 0


def test_single_price_and_stock_by_sku_and_code(api, lists):
    _products(2)
    r = api.post(
        "/api/v1/product_prices/",
        {"product": "SKU-00000", "price_list": "p1", "price": "10.50", "retail_price": "12.00"},
        format="json",
    )
    assert r.status_code == 201, r.data
    assert r.data["product"] == "SKU-00000" and r.data["price_list"] == "p1" and r.data["currency"] == "TRY"
    r = api.post(
        "/api/v1/product_prices/", {"product": "SKU-00001", "price_list": "p1", "price": "10", "retail_price": "5"}, format="json"
    )
    assert r.status_code == 400 and "retail_price" in r.data
    r = api.post("/api/v1/product_prices/", {"product": "SKU-00001", "price_list": "p1", "price": "-1"}, format="json")
    assert r.status_code == 400 and "price" in r.data
    r = api.post("/api/v1/product_prices/", {"product": "NOPE", "price_list": "p1", "price": "1"}, format="json")
    assert r.status_code == 400 and "product" in r.data

    r = api.post("/api/v1/product_stocks/", {"product": "SKU-00000", "stock_list": "s1", "quantity": 4}, format="json")
    assert r.status_code == 201, r.data
    assert api.post("/api/v1/product_stocks/", {"product": "SKU-00001", "stock_list": "s1", "quantity": -4}, format="json").status_code == 400
    r = api.patch(f"/api/v1/product_stocks/{r.data['id']}/", {"quantity": 7, "extra": {"maximumPurchasableQuantity": 2}}, format="json")
    assert r.status_code == 200 and ProductStock.objects.get().quantity == 7

    assert api.get("/api/v1/product_prices/?price_list=p1").data["count"] == 1
    assert api.get("/api/v1/product_prices/?product__sku=SKU-00000").data["count"] == 1
    assert api.get("/api/v1/product_prices/?product__sku=SKU-00001").data["count"] == 0
    assert api.get("/api/v1/product_stocks/?stock_list=s1&product__sku=SKU-00000").data["count"] == 1


# --- bulk -----------------------------------------------------------------------------------------


def test_bulk_products_counts(api):
    Category.objects.create(code="shoes", name="Shoes")
    rows = [{"sku": f"P-{i}", "name": f"Product {i}", "category": "shoes", "attributes": {"i": i}} for i in range(3)]
    r = api.post("/api/v1/products/bulk/", rows, format="json")
    assert r.status_code == 200, r.data
    assert r.data == {"created": 3, "updated": 0, "unchanged": 0}
    assert Product.objects.get(sku="P-1").category.code == "shoes"

    assert api.post("/api/v1/products/bulk/", rows, format="json").data == {"created": 0, "updated": 0, "unchanged": 3}
    before = Product.objects.get(sku="P-2").modified_at
    rows[2] = {"sku": "P-2", "is_active": False}  # partial row: other fields kept
    rows.append({"sku": "P-3", "name": "New"})
    assert api.post("/api/v1/products/bulk/", rows, format="json").data == {"created": 1, "updated": 1, "unchanged": 2}
    p2 = Product.objects.get(sku="P-2")
    assert p2.is_active is False and p2.name == "Product 2" and p2.category.code == "shoes" and p2.modified_at > before


def test_bulk_products_bad_rows_write_nothing(api):
    rows = [
        {"sku": "OK-1", "name": "fine"},
        {"sku": "NEW-2"},  # a new product needs a name
        {"sku": "OK-3", "name": "x", "product_type": "bundle"},
        {"sku": "OK-4", "name": "x", "category": "missing"},
        {"sku": "OK-5", "name": "x", "colour": "red"},
        "not an object",
    ]
    r = api.post("/api/v1/products/bulk/", rows, format="json")
    assert r.status_code == 400
    errors = {(e["row"], e["field"]) for e in r.data["errors"]}
    assert errors == {(1, "name"), (2, "product_type"), (3, "category"), (4, "colour"), (5, "non_field_errors")}
    assert not Product.objects.exists()
    assert api.post("/api/v1/products/bulk/", {"sku": "x"}, format="json").status_code == 400


def test_bulk_prices_counts_and_validation(api, lists):
    _products(3)
    rows = [{"sku": f"SKU-{i:05d}", "price_list": "p1", "price": "100.00", "retail_price": "120"} for i in range(3)]
    r = api.post("/api/v1/product_prices/bulk/", rows, format="json")
    assert r.status_code == 200 and r.data == {"created": 3, "updated": 0, "unchanged": 0}
    price = ProductPrice.objects.get(product__sku="SKU-00000")
    assert price.currency == "TRY" and price.tax_rate == Decimal("20") and price.retail_price == Decimal("120")

    rows[0] = {"sku": "SKU-00000", "price_list": "p1", "price": 90}
    rows[1] = {"sku": "SKU-00001", "price_list": "p1", "price": "100", "tax_rate": "10"}
    r = api.post("/api/v1/product_prices/bulk/", rows, format="json")
    assert r.data == {"created": 0, "updated": 2, "unchanged": 1}
    assert ProductPrice.objects.get(product__sku="SKU-00000").retail_price == Decimal("120")  # left out: kept

    bad = [
        {"sku": "SKU-00000", "price_list": "p1", "price": "80"},
        {"sku": "SKU-00001", "price_list": "p1", "price": "-1"},
        {"sku": "SKU-00002", "price_list": "p1", "price": "50", "retail_price": "40"},
        {"sku": "GHOST", "price_list": "p1", "price": "5"},
        {"sku": "SKU-00002", "price_list": "nope", "price": "5"},
        {"sku": "SKU-00002", "price_list": "p1", "price": "1.234"},
        {"sku": "SKU-00002", "price": "5"},
        {"sku": "SKU-00000", "price_list": "p1", "price": "81"},
    ]
    r = api.post("/api/v1/product_prices/bulk/", bad, format="json")
    assert r.status_code == 400
    by_row = {e["row"]: e for e in r.data["errors"]}
    assert set(by_row) == {1, 2, 3, 4, 5, 6, 7}
    assert by_row[1]["field"] == "price" and "0 or more" in by_row[1]["message"]
    assert by_row[2]["field"] == "retail_price"
    assert by_row[3] == {"row": 3, "field": "sku", "message": "The relevant SKU not exists in the catalog"}
    assert by_row[4]["field"] == "price_list"
    assert by_row[5]["field"] == "price" and "decimal places" in by_row[5]["message"]
    assert by_row[6]["field"] == "price_list"
    assert by_row[7]["field"] == "sku" and "duplicate" in by_row[7]["message"]
    assert ProductPrice.objects.get(product__sku="SKU-00000").price == Decimal("90")  # row 0 not written


def test_bulk_stocks_and_catalog_items(api, lists):
    _products(3)
    rows = [{"sku": f"SKU-{i:05d}", "stock_list": "s1", "quantity": i, "extra": {"maximumPurchasableQuantity": 3}} for i in range(3)]
    assert api.post("/api/v1/product_stocks/bulk/", rows, format="json").data == {"created": 3, "updated": 0, "unchanged": 0}
    rows[0]["quantity"] = 9
    rows[1]["extra"] = {}
    assert api.post("/api/v1/product_stocks/bulk/", rows, format="json").data == {"created": 0, "updated": 2, "unchanged": 1}
    assert ProductStock.objects.get(product__sku="SKU-00001").extra == {}
    r = api.post("/api/v1/product_stocks/bulk/", [{"sku": "SKU-00000", "stock_list": "s1", "quantity": 1.5}], format="json")
    assert r.status_code == 400 and r.data["errors"][0]["field"] == "quantity"
    r = api.post("/api/v1/product_stocks/bulk/", [{"sku": "SKU-00000", "stock_list": "s1", "quantity": -1}], format="json")
    assert r.status_code == 400 and r.data["errors"][0]["field"] == "quantity"

    items = [{"catalog": "c1", "sku": f"SKU-{i:05d}"} for i in range(2)]
    assert api.post("/api/v1/catalog_items/bulk/", items, format="json").data == {"created": 2, "updated": 0, "unchanged": 0}
    items.append({"catalog": "c1", "sku": "SKU-00002"})
    assert api.post("/api/v1/catalog_items/bulk/", items, format="json").data == {"created": 1, "updated": 0, "unchanged": 2}
    assert CatalogItem.objects.filter(catalog=lists["catalog"]).count() == 3


def test_bulk_five_thousand_rows(api, lists):
    n = 5000
    rows = [{"sku": f"BULK-{i:05d}", "name": f"Bulk {i}", "images": [f"https://img.example/{i}.jpg"]} for i in range(n)]
    t0 = time.monotonic()
    r = api.post("/api/v1/products/bulk/", rows, format="json")
    assert r.status_code == 200 and r.data["created"] == n
    prices = [{"sku": f"BULK-{i:05d}", "price_list": "p1", "price": f"{i}.99"} for i in range(n)]
    r = api.post("/api/v1/product_prices/bulk/", prices, format="json")
    assert r.status_code == 200 and r.data["created"] == n
    stocks = [{"sku": f"BULK-{i:05d}", "stock_list": "s1", "quantity": i % 7} for i in range(n)]
    assert api.post("/api/v1/product_stocks/bulk/", stocks, format="json").data["created"] == n
    for row in stocks[:100]:
        row["quantity"] += 1
    assert api.post("/api/v1/product_stocks/bulk/", stocks, format="json").data == {"created": 0, "updated": 100, "unchanged": n - 100}
    elapsed = time.monotonic() - t0
    assert ProductPrice.objects.count() == n and ProductStock.objects.count() == n
    assert elapsed < 30, f"4 bulk requests of {n} rows took {elapsed:.1f} s"


# --- change tracking -------------------------------------------------------------------------------


def _pending(kind):
    return {(p.product.sku, p.version) for p in PendingChange.objects.filter(kind=kind).select_related("product")}


def test_api_price_and_stock_writes_mark_pending(api, lists, hb_channel):
    _products(3)
    products = list(Product.objects.order_by("sku"))
    CatalogItem.objects.bulk_create([CatalogItem(catalog=lists["catalog"], product=p) for p in products[:2]])
    ProductPrice.objects.create(price_list=lists["price_list"], product=products[0], price=10)
    channel = hb_channel()
    PendingChange.objects.all().delete()

    rows = [
        {"sku": "SKU-00000", "price_list": "p1", "price": "10"},  # unchanged: marks nothing
        {"sku": "SKU-00001", "price_list": "p1", "price": "20"},  # new
        {"sku": "SKU-00002", "price_list": "p1", "price": "30"},  # not in the channel's catalog
    ]
    assert api.post("/api/v1/product_prices/bulk/", rows, format="json").data == {"created": 2, "updated": 0, "unchanged": 1}
    assert _pending("productprice") == {("SKU-00001", 1)}
    assert PendingChange.objects.filter(channel=channel).count() == 1

    rows[0]["price"] = "11"
    api.post("/api/v1/product_prices/bulk/", rows, format="json")
    assert _pending("productprice") == {("SKU-00000", 1), ("SKU-00001", 1)}

    r = api.post("/api/v1/product_stocks/", {"product": "SKU-00000", "stock_list": "s1", "quantity": 3}, format="json")
    assert r.status_code == 201
    assert _pending("productstock") == {("SKU-00000", 1)}
    api.post("/api/v1/product_stocks/bulk/", [{"sku": "SKU-00000", "stock_list": "s1", "quantity": 4}], format="json")
    assert _pending("productstock") == {("SKU-00000", 2)}


def test_bulk_write_queues_the_flow_of_an_active_channel(api, lists, hb_channel, no_celery, django_capture_on_commit_callbacks):
    _products(1)
    CatalogItem.objects.create(catalog=lists["catalog"], product=Product.objects.get())
    hb_channel(active=True, flags=("stock",))
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/product_stocks/bulk/", [{"sku": "SKU-00000", "stock_list": "s1", "quantity": 5}], format="json")
    assert r.status_code == 200
    queued = [k["kwargs"] for name, a, k in no_celery if name == "run_flow"]
    assert {"channel_id": queued[0]["channel_id"], "flow": "stock", "trigger": "event"} == queued[0]
    # a price write does not queue the stock flow, and the price flag is off
    no_celery.clear()
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/product_prices/bulk/", [{"sku": "SKU-00000", "price_list": "p1", "price": 5}], format="json")
    assert no_celery == []

