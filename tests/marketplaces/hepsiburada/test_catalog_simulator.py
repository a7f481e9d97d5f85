"""The simulator's catalog (mpop) side over plain HTTP: data, paging, import validation,
approval, rejection, updates, control endpoints, limits and faults."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mpdash.marketplaces.hepsiburada import catalog_data
from mpdash.marketplaces.hepsiburada.simulator import main

from .conftest import GOOD, MID, import_item, leaf_id, wait_for

CATEGORIES = "/product/api/categories/get-all-categories"
IMPORT = "/product/api/products/import"


def api(sim, method, path, **kw):
    kw = {**GOOD, **kw}
    return httpx.request(method, sim.url + path, timeout=10, **kw)


def upload(sim, items, path=IMPORT, **kw):
    files = {"file": ("integrator.json", json.dumps(items, ensure_ascii=False).encode("utf-8"), "application/json")}
    return api(sim, "POST", path, files=files, **kw)


def import_and_settle(sim, items) -> str:
    answer = upload(sim, items)
    assert answer.status_code == 200, answer.text
    assert sim.wait_until_catalog_settled(5)
    return answer.json()["data"]["trackingId"]


def status_items(sim, tracking_id):
    body = api(sim, "GET", f"/product/api/products/status/{tracking_id}").json()
    assert body["success"] is True and body["code"] == 0
    return {item["merchantSku"]: item for item in body["data"]}


# --- data -----------------------------------------------------------------------------------
def test_generated_catalog_is_deterministic_and_realistic():
    nodes = catalog_data.categories()
    assert 300 <= len(nodes) <= 400 and len({n["categoryId"] for n in nodes}) == len(nodes)
    assert catalog_data.find_category("Moda")["categoryId"] == 65082636  # CRC-32 based, stable across runs
    assert catalog_data.find_category("Elektronik")["categoryId"] == 18021982  # the id of Hepsiburada's examples
    assert catalog_data.find_category(*("Moda", "Ayakkabı", "Bot"))["parentCategoryId"] == \
        catalog_data.find_category("Moda", "Ayakkabı")["categoryId"]
    assert [n["categoryId"] for n in nodes] == sorted(n["categoryId"] for n in nodes)
    assert any(n["parentCategoryId"] is not None and n["categoryId"] < n["parentCategoryId"] for n in nodes)
    big = [a for a in catalog_data.ATTRIBUTES if len(catalog_data.attribute_values(a)) > 1000]
    assert sorted(big) == ["uyumlu_model", "yazar"]
    shoes = catalog_data.category_attributes(catalog_data.find_category("Moda", "Ayakkabı", "Bot")["categoryId"])
    assert [a["id"] for a in shoes["variantAttributes"]] == ["renk_variant_property", "numara_variant_property"]


# --- categories -------------------------------------------------------------------------------
def test_categories_use_hepsiburadas_defaults_when_filters_are_left_out(sim):
    body = api(sim, "GET", CATEGORIES).json()
    open_leaves = sum(1 for n in catalog_data.categories() if catalog_data.can_take_products(n))
    assert body["totalElements"] == open_leaves and body["totalPages"] == 1 and body["last"] is True
    assert all(n["leaf"] and n["status"] == "ACTIVE" and n["available"] for n in body["data"])
    every = api(sim, "GET", CATEGORIES, params={"leaf": "", "status": "", "available": "", "size": 2000}).json()
    assert every["totalElements"] == len(catalog_data.categories())
    inactive = api(sim, "GET", CATEGORIES, params={"status": "INACTIVE", "available": ""}).json()
    assert sorted(n["name"] for n in inactive["data"]) == sorted(catalog_data.INACTIVE_LEAVES)


def test_category_paging_and_limits(sim):
    pages = [api(sim, "GET", CATEGORIES, params={"leaf": "", "status": "", "available": "", "page": p,
                                                  "size": 150}).json() for p in range(3)]
    assert [len(p["data"]) for p in pages] == [150, 150, len(catalog_data.categories()) - 300]
    assert [(p["number"], p["first"], p["last"]) for p in pages] == [(0, True, False), (1, False, False),
                                                                     (2, False, True)]
    too_big = api(sim, "GET", CATEGORIES, params={"size": 2001})
    assert too_big.status_code == 400 and too_big.json() == {
        "success": False, "code": 400, "version": 1, "message": "size must be at most 2000", "data": None}
    assert api(sim, "GET", CATEGORIES, params={"leaf": "maybe"}).status_code == 400


def test_attributes_and_values(sim):
    attributes = api(sim, "GET", f"/product/api/categories/{leaf_id()}/attributes").json()["data"]
    assert {"baseAttributes", "attributes", "variantAttributes"} == set(attributes)
    assert attributes["attributes"][0] == {"name": "Uyumlu Model", "id": "uyumlu_model", "mandatory": True,
                                           "type": "enum", "multiValue": True}
    values = f"/product/api/categories/{leaf_id()}/attribute/uyumlu_model/values"
    first = api(sim, "GET", values).json()  # default size 1000
    second = api(sim, "GET", values, params={"page": 1}).json()
    assert (len(first["data"]), len(second["data"]), first["totalPages"]) == (1000, 157, 2)
    assert set(first["data"][0]) == {"id", "value"}
    free_text = api(sim, "GET", f"/product/api/categories/{leaf_id()}/attribute/model_kodu/values")
    assert free_text.status_code == 400 and "only enum attributes have values" in free_text.json()["message"]
    assert api(sim, "GET", f"/product/api/categories/{leaf_id()}/attribute/yazar/values").status_code == 404
    inner = catalog_data.find_category("Elektronik")["categoryId"]
    assert api(sim, "GET", f"/product/api/categories/{inner}/attributes").status_code == 400
    assert api(sim, "GET", "/product/api/categories/42/attributes").json()["message"] == "Category 42 not found"


# --- import: acceptance -------------------------------------------------------------------------
def test_import_needs_a_file_part_with_a_json_array(sim):
    assert api(sim, "POST", IMPORT, json=[import_item()]).json()["message"] == \
        "Required request part 'file' is not present"
    broken = api(sim, "POST", IMPORT, files={"file": ("x.json", b"{nope", "application/json")})
    assert broken.status_code == 400 and broken.json()["message"] == "The file is not valid UTF-8 JSON"
    assert upload(sim, {"items": []}).json()["message"] == "The file must hold a JSON array of products"
    assert upload(sim, []).json()["message"] == "The file holds no products"
    sim.configure(max_products_per_import=2)
    too_many = upload(sim, [import_item(f"S{i}") for i in range(3)])
    assert too_many.status_code == 400 and "at most 2 products" in too_many.json()["message"]
    sim.configure(max_import_bytes=1000)
    too_big = upload(sim, [import_item(f"S{i}") for i in range(2)])
    assert too_big.status_code == 413 and too_big.json()["message"].startswith("Maximum upload size exceeded")
    assert sim.catalog_counters()["imports_total"] == 0


def test_import_is_processing_then_waiting_then_matched_and_listed(sim):
    sim.configure(approval_delay=1.0)
    answer = upload(sim, [import_item("A-1", price="1.234,50", stock="7")])
    body = answer.json()
    assert (body["success"], body["code"]) == (True, 0)
    tracking_id = body["data"]["trackingId"]
    first = status_items(sim, tracking_id)["A-1"]
    assert (first["importStatus"], first["productStatus"]) == ("PROCESSING", None)
    waiting = wait_for(lambda: status_items(sim, tracking_id)["A-1"]["importStatus"] == "SUCCESS", timeout=3)
    assert waiting
    item = status_items(sim, tracking_id)["A-1"]
    assert (item["productStatus"], item["hbSku"], item["itemOrderID"]) == ("WAITING", None, 1)
    assert sim.listing("A-1") is None  # not on sale before approval
    assert sim.wait_until_catalog_settled(5)
    item = status_items(sim, tracking_id)["A-1"]
    assert item["productStatus"] == "MATCHED" and item["hbSku"].startswith("HBV")
    assert item["matchedHbProductInfo"][0]["hbSku"] == item["hbSku"]
    listing = sim.listing("A-1")
    assert (listing["hepsiburadaSku"], listing["price"], listing["availableStock"], listing["isSalable"]) == (
        item["hbSku"], 1234.5, 7, True)


def test_approval_delay_is_configurable(sim):
    sim.configure(processing_delay=0, approval_delay=0.8)
    upload(sim, [import_item("A-1")])
    time.sleep(0.3)
    assert sim.catalog_product("A-1")["status"] == "WAITING"
    assert wait_for(lambda: sim.catalog_product("A-1")["status"] == "MATCHED", timeout=3)


# --- import: validation ---------------------------------------------------------------------------
INVALID = [
    ("NO-COLOUR", {"drop": ("renk_variant_property",)}, "validationResults",
     {"attributeName": "renk_variant_property", "message": "Renk attribute is required"}),
    ("NO-NAME", {"drop": ("UrunAdi",)}, "validationResults",
     {"attributeName": "UrunAdi", "message": "Ürün Adı attribute is required"}),
    ("BAD-VALUE", {"renk_variant_property": "Gökkuşağı"}, "validationResults",
     {"attributeName": "renk_variant_property",
      "message": "Renk : Gökkuşağı was not defined for Telefon Kılıfı attribute set"}),
    ("BAD-MULTI", {"uyumlu_model": "Apple iPhone 15,Nokia 3310"}, "validationResults",
     {"attributeName": "uyumlu_model",
      "message": "Uyumlu Model : Nokia 3310 was not defined for Telefon Kılıfı attribute set"}),
    ("IMAGES", {f"Image{n}": f"https://img.example.com/{n}.jpg" for n in range(1, 12)}, "importMessages",
     {"severity": "ERROR", "message": "The number of photos for the products to be sent must not exceed 10 (11 sent)"}),
    ("PRICE", {"price": "0"}, "validationResults",
     {"attributeName": "price",
      "message": "price: '0' is not a valid price; send a positive amount such as \"130,50\""}),
    ("PRICE-TEXT", {"price": "on dokuz"}, "validationResults",
     {"attributeName": "price",
      "message": "price: 'on dokuz' is not a valid price; send a positive amount such as \"130,50\""}),
    ("STOCK", {"stock": "-3"}, "validationResults",
     {"attributeName": "stock", "message": "stock: '-3' is not a valid stock; send a whole number of 0 or more"}),
]


def test_each_invalid_product_fails_with_its_reason_and_the_rest_go_through(sim):
    items = [import_item("GOOD")] + [import_item(sku, **changes) for sku, changes, _, _ in INVALID]
    tracking_id = import_and_settle(sim, items)
    results = status_items(sim, tracking_id)
    assert results["GOOD"]["importStatus"] == "SUCCESS" and results["GOOD"]["productStatus"] == "MATCHED"
    for sku, _, where, expected in INVALID:
        item = results[sku]
        assert (item["importStatus"], item["productStatus"], item["hbSku"]) == ("FAILED", None, None), sku
        assert item[where] == [expected], sku
        assert sim.catalog_product(sku) is None and sim.listing(sku) is None


CATEGORY_CASES = [
    (lambda: leaf_id("Elektronik", "Telefon Aksesuarları"), "({name}) is not a leaf category; products can only "
     "be created under leaf categories"),
    (lambda: leaf_id("Elektronik", "TV, Görüntü ve Ses", "Kaset Çalar"),
     "({name}) does not accept products (status ACTIVE, available false); choose a leaf category with status "
     "ACTIVE and available true"),
    (lambda: leaf_id("Elektronik", "Küçük Ev Aletleri", "Faks Makinesi"),
     "({name}) does not accept products (status INACTIVE, available true)"),
    (lambda: "12", "not found"),
]


@pytest.mark.parametrize(("category", "reason"), CATEGORY_CASES)
def test_products_only_open_under_active_available_leaves(sim, category, reason):
    category_id = category()
    node = catalog_data.category(category_id)
    tracking_id = import_and_settle(sim, [import_item("X", category_id=category_id)])
    [message] = status_items(sim, tracking_id)["X"]["importMessages"]
    assert message["severity"] == "ERROR"
    assert message["message"].startswith(f"Category {category_id} ")
    assert reason.format(name=node["name"] if node else "") in message["message"]


def test_file_level_mistakes(sim):
    other = import_item("OTHER")
    other["merchant"] = "someone-else"
    items = [import_item("TWICE"), import_item("TWICE"), other, "not an object", {"categoryId": 1, "attributes": []}]
    tracking_id = import_and_settle(sim, items)
    data = api(sim, "GET", f"/product/api/products/status/{tracking_id}").json()["data"]
    assert [(d["itemOrderID"], d["importStatus"]) for d in data] == [
        (1, "SUCCESS"), (2, "FAILED"), (3, "FAILED"), (4, "FAILED"), (5, "FAILED")]
    assert data[1]["importMessages"][0]["message"] == "merchantSku TWICE appears more than once in this file"
    assert "does not match the merchant" in data[2]["importMessages"][0]["message"]
    assert data[3]["importMessages"][0]["message"].startswith("Each element of the file must be a JSON object")
    assert data[4]["importMessages"][0]["message"].startswith("attributes must be a JSON object")


def test_reimport_of_a_matched_product_is_refused(sim):
    import_and_settle(sim, [import_item("A-1")])
    tracking_id = import_and_settle(sim, [import_item("A-1", UrunAdi="Yeni Ad")])
    hb_sku = sim.catalog_product("A-1")["hbSku"]
    assert status_items(sim, tracking_id)["A-1"]["importMessages"][0]["message"] == (
        f"merchantSku A-1 is already on sale as {hb_sku}; change it with the product update service")


# --- approval and rejection -------------------------------------------------------------------
def test_control_endpoint_marks_a_sku_for_rejection_with_reasons(sim):
    marked = httpx.post(sim.url + "/_sim/catalog/reject",
                        json={"skus": ["A-1"], "reasons": ["Görseller yetersiz", "Marka hatalı"]}).json()
    assert marked == {"marked": 1, "blocked_now": 0}
    tracking_id = import_and_settle(sim, [import_item("A-1"), import_item("A-2")])
    items = status_items(sim, tracking_id)
    assert (items["A-1"]["productStatus"], items["A-1"]["rejectReasonsMessages"]) == (
        "BLOCKED", ["Görseller yetersiz", "Marka hatalı"])
    assert items["A-2"]["productStatus"] == "MATCHED"
    blocked = api(sim, "GET", "/product/api/products/products-by-merchant-and-status",
                  params={"merchantId": MID, "productStatus": "BLOCKED"}).json()
    assert [(p["merchantSku"], p["rejectReasonsMessages"]) for p in blocked["data"]] == [
        ("A-1", ["Görseller yetersiz", "Marka hatalı"])]
    assert sim.listing("A-1") is None
    # the mark is used up: imported again (corrected), the product is approved
    import_and_settle(sim, [import_item("A-1")])
    assert sim.catalog_product("A-1")["status"] == "MATCHED"


def test_control_endpoints_decide_waiting_products_at_once(sim):
    sim.configure(processing_delay=0, approval_delay=30)
    upload(sim, [import_item("A-1"), import_item("A-2")])
    assert wait_for(lambda: (sim.catalog_product("A-2") or {}).get("status") == "WAITING", timeout=3)
    now = httpx.post(sim.url + "/_sim/catalog/reject", json={"skus": ["A-1"], "now": True}).json()
    assert now == {"marked": 1, "blocked_now": 1}
    assert sim.catalog_product("A-1")["rejectReasonsMessages"] == [
        "Product images do not meet Hepsiburada's content rules"]
    assert httpx.post(sim.url + "/_sim/catalog/approve", json={"skus": ["A-2", "NOPE"]}).json() == {"matched": 1}
    assert sim.listing("A-2")["isSalable"] is True
    products = httpx.get(sim.url + "/_sim/catalog/products").json()["products"]
    assert {p["merchantSku"]: p["status"] for p in products} == {"A-1": "BLOCKED", "A-2": "MATCHED"}
    assert httpx.get(sim.url + "/_sim/catalog/products", params={"sku": "A-2"}).json()["product"]["hbSku"]
    assert httpx.get(sim.url + "/_sim/catalog/stats").json()["by_status"] == {"BLOCKED": 1, "MATCHED": 1}
    assert httpx.post(sim.url + "/_sim/catalog/reject", json={"skus": []}).status_code == 400


def test_check_product_status(sim):
    import_and_settle(sim, [import_item("A-1")])
    body = [{"merchant": MID, "merchantSkuList": ["A-1", "UNKNOWN"]}]
    answer = api(sim, "POST", "/product/api/products/check-product-status", json=body).json()
    assert answer["data"] == [{"merchant": MID, "skuStatusList": [{"merchantSku": "A-1", "status": "MATCHED"}]}]
    other = [{"merchant": "someone-else", "merchantSkuList": ["A-1"]}]
    assert api(sim, "POST", "/product/api/products/check-product-status", json=other).status_code == 403
    bad = api(sim, "GET", "/product/api/products/products-by-merchant-and-status",
              params={"merchantId": MID, "productStatus": "SOLD"})
    assert bad.status_code == 400 and "productStatus must be one of" in bad.json()["message"]


# --- product update service ---------------------------------------------------------------------
def test_update_service_applies_approved_changes_and_refuses_bad_ones(sim):
    import_and_settle(sim, [import_item("A-1")])
    hb_sku = sim.catalog_product("A-1")["hbSku"]
    items = [
        {"hbSku": hb_sku, "productName": "Yeni Ad",
         "attributes": {"renk_variant_property": "Mavi", "malzeme": "Deri", "uyumlu_model": "Nokia 3310"}},
        {"hbSku": "HBV-NOT-MINE", "productName": "X"},
        {"hbSku": hb_sku, **{f"image{n}": f"https://img.example.com/{n}.jpg" for n in range(1, 12)}},
    ]
    answer = upload(sim, {"merchantId": MID, "items": items}, path="/ticket-api/api/integrator/import")
    tracking_id = answer.json()["data"]["trackingId"]
    assert sim.wait_until_catalog_settled(5)
    status = api(sim, "GET", f"/ticket-api/api/integrator/status/{tracking_id}").json()
    first, unknown, images = status["data"][0]["items"]
    assert first["productStatus"] == "COMPLETED"
    assert first["updateResults"][0] == {"fieldName": "NAME", "fieldResult": "APPROVED", "rejectReason": None}
    attribute = first["updateResults"][1]
    assert (attribute["fieldName"], attribute["fieldResult"]) == ("ATTRIBUTE", "PARTIAL_APPROVED")
    assert [(a["attributeId"], a["fieldResult"]) for a in attribute["attributes"]] == [
        ("renk_variant_property", "APPROVED"), ("malzeme", "REJECTED"), ("uyumlu_model", "REJECTED")]
    assert attribute["attributes"][1]["rejectReason"] == "malzeme is not an attribute of Telefon Kılıfı"
    assert unknown["message"] == "No product with hbSku HBV-NOT-MINE is on sale for this merchant"
    assert images["updateResults"][0]["fieldResult"] == "REJECTED"
    assert "must not exceed 10 (11 sent)" in images["updateResults"][0]["rejectReason"]
    product = sim.catalog_product("A-1")
    assert (product["productName"], product["attributes"]["renk_variant_property"]) == ("Yeni Ad", "Mavi")
    assert product["attributes"]["uyumlu_model"] == "Apple iPhone 15" and len(product["images"]) == 1


def test_update_for_another_merchant_is_forbidden(sim):
    answer = upload(sim, {"merchantId": "someone-else", "items": [{"hbSku": "X"}]},
                    path="/ticket-api/api/integrator/import")
    assert answer.status_code == 403


# --- gatekeeping, limits, faults -------------------------------------------------------------------
def test_catalog_checks_credentials_and_user_agent(sim):
    assert api(sim, "GET", CATEGORIES, auth=(MID, "nope")).status_code == 401
    wrong = api(sim, "GET", CATEGORIES, headers={"User-Agent": "curl"})
    assert wrong.status_code == 403 and "User-Agent" in wrong.json()["message"]
    assert api(sim, "DELETE", CATEGORIES).status_code == 405
    assert api(sim, "GET", "/product/api/nothing-here").status_code == 404


def test_catalog_request_limit_answers_403(sim):
    sim.configure(catalog_rate_limit=3)
    with httpx.Client(base_url=sim.url, timeout=5, **GOOD) as http:
        answers = [http.get(CATEGORIES, params={"size": 1}) for _ in range(10)]  # 3 + 3 < 10, wherever a second ends
    codes = [a.status_code for a in answers]
    assert codes.count(200) >= 3 and 403 in codes  # a second boundary may fall inside the burst
    limited = next(a for a in answers if a.status_code == 403)
    assert limited.json()["message"].startswith("Too Many Requests: the catalog API allows 3 requests per second")
    sim.configure(catalog_rate_limit=0)
    assert api(sim, "GET", CATEGORIES).status_code == 200


def test_failed_upload_fault_fails_every_product_of_the_import(sim):
    sim.configure(fault={"mode": "failed_upload", "count": 1, "path": None})
    tracking_id = import_and_settle(sim, [import_item("A-1"), import_item("A-2")])
    items = status_items(sim, tracking_id)
    assert {sku: item["importStatus"] for sku, item in items.items()} == {"A-1": "FAILED", "A-2": "FAILED"}
    assert "simulated failure" in items["A-1"]["importMessages"][0]["message"]
    assert sim.catalog_products() == []


def test_5xx_fault_on_the_catalog(sim):
    sim.configure(fault={"mode": "5xx", "count": 1, "path": "get-all-categories", "status": 503})
    assert api(sim, "GET", CATEGORIES).status_code == 503
    assert api(sim, "GET", CATEGORIES).status_code == 200


def test_reset_and_options(sim):
    import_and_settle(sim, [import_item("A-1")])
    assert httpx.post(sim.url + "/_sim/config", json={"approval_delay": -1}).status_code == 400
    config = httpx.post(sim.url + "/_sim/config", json={"approval_delay": 5, "catalog_rate_limit": 0}).json()
    assert (config["approval_delay"], config["catalog_rate_limit"]) == (5.0, None)
    httpx.post(sim.url + "/_sim/reset")
    assert sim.catalog_products() == [] and sim.catalog_counters()["imports_total"] == 0
    assert sim.listings() == []


def test_many_concurrent_imports(sim):
    sim.configure(processing_delay=0, approval_delay=0, catalog_rate_limit=0)

    def send(batch):
        return upload(sim, [import_item(f"P-{batch}-{i}") for i in range(50)]).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(send, range(20)))
    assert codes == [200] * 20
    assert sim.wait_until_catalog_settled(10)
    assert sim.catalog_counters()["by_status"] == {"MATCHED": 1000}
    assert len(sim.listings()) == 1000


def test_a_full_import_is_validated_quickly(sim):
    sim.configure(processing_delay=0, approval_delay=0)
    started = time.perf_counter()
    import_and_settle(sim, [import_item(f"F-{i:04d}") for i in range(1000)])
    assert time.perf_counter() - started < 30  # a guard against quadratic work, not a budget (see bench/)
    assert sim.catalog_counters()["by_status"] == {"MATCHED": 1000}


def test_main_takes_the_approval_delay(monkeypatch, capsys):
    import threading

    from mpdash.marketplaces.hepsiburada import simulator as module

    started = []
    real_serve = module.serve

    def serve_and_stop(*args, **kwargs):
        running = real_serve(*args, **kwargs)
        started.append(running)
        threading.Timer(0.2, running.stop).start()
        return running

    monkeypatch.setattr(module, "serve", serve_and_stop)
    assert main(["--port", "0", "--approval-delay", "0.7"]) == 0
    assert started[0].options["approval_delay"] == 0.7
    assert "catalog simulator" in capsys.readouterr().out
