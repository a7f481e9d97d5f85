"""The simulator over plain HTTP: gatekeeping, catalog, batches, products, control endpoints, load."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mpdash.marketplaces.trendyol.simulator import main, serve

from .conftest import DRESS, GOOD, SELLER

BASE = "/integration"
PRODUCTS = f"{BASE}/product/sellers/{SELLER}/products"
APPROVED = f"{PRODUCTS}/approved"  # filterApprovedProducts (v2)
UNAPPROVED = f"{PRODUCTS}/unapproved"  # filterUnapprovedProducts (v2)
INVENTORY = f"{BASE}/inventory/sellers/{SELLER}/products/price-and-inventory"
CREATE = f"{BASE}/product/sellers/{SELLER}/v2/products"


def api(sim, method, path, **kw):
    kw = {**GOOD, **kw}
    return httpx.request(method, sim.url + path, timeout=5, **kw)


def batch(sim, batch_id):
    return api(sim, "GET", f"{PRODUCTS}/batch-requests/{batch_id}").json()


def dress_item(sim, barcode, **changes):
    data = sim.catalog
    item = {
        "barcode": barcode, "title": "Elbise", "productMainId": "M1", "brandId": data.brands[0][0],
        "categoryId": data.find(*DRESS).id, "quantity": 5, "stockCode": barcode, "dimensionalWeight": 1,
        "description": "d", "listPrice": 120, "salePrice": 100, "vatRate": 20,
        "images": [{"url": "https://cdn.example.com/1.jpg"}],
        "attributes": [{"attributeId": aid, "attributeValueIds": [data.value_named(aid, name)]}
                       for aid, name in ((348, "Siyah"), (293, "M"), (14, "Pamuk"), (1192, "TR"))],
    }
    item.update(changes)
    return item


# --- gatekeeping ----------------------------------------------------------------------------


def test_missing_user_agent_is_refused_with_403(sim):
    answer = httpx.get(sim.url + f"{BASE}/product/brands", auth=GOOD["auth"])
    assert answer.status_code == 403
    assert "User-Agent" in answer.json()["errors"][0]["message"]
    other_seller = api(sim, "GET", f"{BASE}/product/brands", headers={"User-Agent": "999 - SelfIntegration"})
    assert other_seller.status_code == 403
    bad_name = api(sim, "GET", f"{BASE}/product/brands", headers={"User-Agent": f"{SELLER} - Bad Name!"})
    assert bad_name.status_code == 403


def test_wrong_credentials_are_refused_with_401(sim):
    answer = api(sim, "GET", f"{BASE}/product/brands", auth=("demo-api-key", "nope"))
    assert answer.status_code == 401 and answer.json()["exception"] == "ClientApiAuthenticationException"
    assert api(sim, "GET", f"{BASE}/product/brands", auth=None).status_code == 401
    assert api(sim, "GET", f"{BASE}/product/sellers/777/products").status_code == 401  # another seller's path


def test_storefront_header(sim):
    assert api(sim, "GET", f"{BASE}/product/brands", headers={**GOOD["headers"], "storeFrontCode": "TR"}).status_code == 200
    answer = api(sim, "GET", f"{BASE}/product/brands", headers={**GOOD["headers"], "storeFrontCode": "ZZ"})
    assert answer.status_code == 400 and answer.json()["errors"][0]["key"] == "invalid.storefrontcode"


def test_unknown_paths_and_methods(sim):
    assert api(sim, "GET", "/product/brands").status_code == 404  # without /integration
    assert api(sim, "GET", f"{BASE}/product/nothing").status_code == 404
    assert api(sim, "PATCH", f"{BASE}/product/brands").status_code == 405


# --- catalog ---------------------------------------------------------------------------------


def test_category_tree_is_realistic_and_stable(sim):
    tree = api(sim, "GET", f"{BASE}/product/product-categories").json()["categories"]
    nodes, stack = [], list(tree)
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node["subCategories"])
        for child in node["subCategories"]:
            assert child["parentId"] == node["id"]
    assert 300 <= len(nodes) <= 600
    names = {n["name"] for n in nodes}
    assert {"Giyim", "Elbise", "Elektronik", "Cep Telefonu", "Ayakkabı", "Kozmetik & Kişisel Bakım"} <= names
    assert all(n["parentId"] is None for n in tree)
    with serve() as other:  # deterministic: a second simulator builds the same ids
        assert other.catalog.find(*DRESS).id == sim.catalog.find(*DRESS).id


def test_attributes_of_leaves_only(sim):
    leaf = sim.catalog.find(*DRESS)
    answer = api(sim, "GET", f"{BASE}/product/categories/{leaf.id}/attributes").json()
    assert answer["id"] == leaf.id and answer["name"] == "Elbise"
    first = answer["categoryAttributes"][0]
    assert set(first) == {"allowCustom", "attribute", "categoryId", "required", "varianter", "slicer",
                          "allowMultipleAttributeValues"}
    assert first["attribute"] == {"id": 348, "name": "Renk"} and first["slicer"] and first["required"]
    women = sim.catalog.find("Giyim", "Kadın").id
    assert api(sim, "GET", f"{BASE}/product/categories/{women}/attributes").status_code == 400
    assert api(sim, "GET", f"{BASE}/product/categories/999999/attributes").status_code == 404


def test_attribute_values_are_paged(sim):
    leaf = sim.catalog.find("Elektronik", "Telefon", "Telefon Kılıfı").id
    path = f"{BASE}/product/categories/{leaf}/attributes/220/values"
    first = api(sim, "GET", path, params={"page": 0, "size": 1000}).json()
    total = len(sim.catalog.values[220])
    assert first["totalElements"] == total > 1000 and first["totalPages"] == -(-total // 1000)
    assert len(first["content"]) == 1000 and set(first["content"][0]) == {"attributeValueId", "attributeValueName"}
    last = api(sim, "GET", path, params={"page": first["totalPages"] - 1, "size": 1000}).json()
    assert len(last["content"]) == total - 1000 * (first["totalPages"] - 1)
    assert api(sim, "GET", path, params={"size": 1001}).status_code == 400
    assert api(sim, "GET", path, params={"page": -1}).status_code == 400
    assert api(sim, "GET", f"{BASE}/product/categories/{leaf}/attributes/293/values").status_code == 404


def test_brands_list_and_search(sim):
    page = api(sim, "GET", f"{BASE}/product/brands", params={"page": 1, "size": 10}).json()
    assert [b["id"] for b in page["brands"]] == [b for b, _ in sim.catalog.brands[10:20]]
    assert api(sim, "GET", f"{BASE}/product/brands", params={"page": 999}).json() == {"brands": []}
    found = api(sim, "GET", f"{BASE}/product/brands/by-name", params={"name": "TRENDYOL"}).json()
    assert {"Trendyol Collection", "TrendyolMilla"} <= {b["name"] for b in found}
    assert api(sim, "GET", f"{BASE}/product/brands/by-name", params={"name": "ıpekyol"}).json()[0]["name"] == "Ipekyol"
    assert api(sim, "GET", f"{BASE}/product/brands/by-name").status_code == 400


# --- products ----------------------------------------------------------------------------------


def test_create_is_in_progress_then_completed_then_approved(sim):
    sim.configure(processing_delay=0.5, approval_delay=1)  # long enough to see each stage
    accepted = api(sim, "POST", CREATE, json={"items": [dress_item(sim, "B1")]})
    batch_id = accepted.json()["batchRequestId"]
    assert batch(sim, batch_id)["status"] == "IN_PROGRESS"
    assert sim.wait_until_processed(2)
    done = batch(sim, batch_id)
    assert done["status"] == "COMPLETED" and done["batchRequestType"] == "ProductV2OnBoarding"
    assert done["items"][0]["status"] == "SUCCESS" and done["items"][0]["requestItem"]["product"]["barcode"] == "B1"
    product = api(sim, "GET", UNAPPROVED, params={"barcode": "B1"}).json()["content"][0]
    assert (product["approved"], product["onSale"], product["rejected"]) == (False, False, False)
    assert product["attributes"][0] == {"attributeId": 348, "attributeName": "Renk",
                                        "attributeValueId": sim.catalog.value_named(348, "Siyah"),
                                        "attributeValue": "Siyah"}
    assert sim.wait_until_processed(2, approvals=True)
    assert api(sim, "GET", UNAPPROVED, params={"barcode": "B1"}).json()["totalElements"] == 0
    content = api(sim, "GET", APPROVED, params={"barcode": "B1"}).json()["content"][0]
    assert content["variants"][0]["onSale"] and content["contentId"]  # approved: in the approved filter


def test_rejection_marked_through_the_control_endpoint(sim):
    assert httpx.post(sim.url + "/_sim/reject", json={"barcode": "B1", "reason": "Hatalı Marka Bilgisi",
                                                       "detail": "Marka görselde yok"}).json() == {"ok": True}
    api(sim, "POST", CREATE, json={"items": [dress_item(sim, "B1")]})
    assert sim.wait_until_processed(3, approvals=True)
    product = sim.product("B1")
    assert product["rejected"] and not product["approved"]
    assert product["rejectReasonDetails"] == [{"rejectReason": "Hatalı Marka Bilgisi",
                                               "rejectReasonDetail": "Marka görselde yok"}]
    assert httpx.post(sim.url + "/_sim/reject", json={"barcode": "B1"}).status_code == 400  # a reason is needed
    sim.add_products([{"barcode": "LIVE"}])
    assert httpx.post(sim.url + "/_sim/reject", json={"barcode": "LIVE", "reason": "x"}).status_code == 400


def test_create_validation_reasons(sim):
    items = [
        dress_item(sim, "A", attributes=[]),
        dress_item(sim, "B", categoryId=sim.catalog.find("Giyim").id),
        dress_item(sim, "C", vatRate=18, quantity=20001, title="T" * 101),
        dress_item(sim, "D", images=[{"url": "https://x/1.jpg"}] * 9),
        {"barcode": "E"},
        dress_item(sim, "F/1"),
        dress_item(sim, "DUP"), dress_item(sim, "DUP"),
    ]
    batch_id = api(sim, "POST", CREATE, json={"items": items}).json()["batchRequestId"]
    sim.wait_until_processed(2)
    reasons = {i: r["failureReasons"] for i, r in enumerate(batch(sim, batch_id)["items"])}
    assert "Zorunlu özellik eksik: Renk (attributeId: 348)" in reasons[0]
    assert "Zorunlu özellik eksik: Menşei (attributeId: 1192)" in reasons[0]
    assert any("Kategori en alt seviyede değil" in r for r in reasons[1])
    assert any("vatRate" in r for r in reasons[2]) and any("quantity en fazla 20000" in r for r in reasons[2])
    assert any("title en fazla 100" in r for r in reasons[2])
    assert any("En fazla 8 görsel" in r for r in reasons[3])
    assert "Zorunlu alan eksik: title" in reasons[4] and "Zorunlu alan eksik: images" in reasons[4]
    assert any("barcode yalnızca harf" in r for r in reasons[5])
    assert any("tekrarlanan barcode: DUP" in r for r in reasons[6]) and reasons[7] == reasons[6]
    assert batch(sim, batch_id)["failedItemCount"] == 8


def test_attribute_rules(sim):
    data = sim.catalog
    leaf = data.find("Elektronik", "Telefon", "Telefon Kılıfı").id
    models = [data.values[220][0][0], data.values[220][1][0]]
    base = {"categoryId": leaf, "attributes": [
        {"attributeId": 348, "attributeValueIds": [data.value_named(348, "Siyah")]},
        {"attributeId": 220, "attributeValueIds": models},  # multi-value allowed here
        {"attributeId": 205, "attributeValueIds": [data.value_named(205, "2 Yıl")]},
        {"attributeId": 1198, "attributeValue": "Üretici A.Ş., İstanbul"},  # allowCustom text
        {"attributeId": 1192, "attributeValueIds": [data.value_named(1192, "CN")]},
    ]}
    ok = dress_item(sim, "OK", **base)
    two_colours = dress_item(sim, "TWO", **base)
    two_colours["attributes"] = [dict(base["attributes"][0], attributeValueIds=[data.value_named(348, "Siyah"),
                                                                                data.value_named(348, "Beyaz")]),
                                 *base["attributes"][1:]]
    foreign = dress_item(sim, "FOREIGN", **base)
    foreign["attributes"] = [*base["attributes"], {"attributeId": 293, "attributeValueIds": [2930001]}]
    batch_id = api(sim, "POST", CREATE, json={"items": [ok, two_colours, foreign]}).json()["batchRequestId"]
    sim.wait_until_processed(2)
    items = batch(sim, batch_id)["items"]
    assert items[0]["status"] == "SUCCESS", items[0]["failureReasons"]
    assert items[1]["failureReasons"] == ["Renk (attributeId: 348) birden fazla değer alamaz"]
    assert items[2]["failureReasons"] == [f"Özellik bu kategoride tanımlı değil (attributeId: 293, categoryId: {leaf})"]


def test_update_and_archive_and_delete_rules(sim):
    sim.configure(archive_min_age=0.2, approval_delay=30)  # WAIT stays in review throughout
    sim.add_products([{"barcode": "LIVE"}, {"barcode": "WAIT", "approved": False}])
    update = api(sim, "POST", f"{PRODUCTS}/unapproved-bulk-update",
                 json={"items": [{"barcode": "WAIT", "title": "Yeni başlık"}, {"barcode": "LIVE", "title": "x"},
                                 {"barcode": "NONE", "title": "x"}]}).json()["batchRequestId"]
    delete_live = api(sim, "DELETE", PRODUCTS, json={"items": [{"barcode": "LIVE"}]}).json()["batchRequestId"]
    sim.wait_until_processed(2)
    updated = batch(sim, update)["items"]
    assert updated[0]["status"] == "SUCCESS" and sim.product("WAIT")["title"] == "Yeni başlık"
    assert "content-bulk-update" in updated[1]["failureReasons"][0]
    assert updated[2]["failureReasons"] == ["Ürün bulunamadı (barcode: NONE)"]
    assert "arşivde bir günden fazla" in batch(sim, delete_live)["items"][0]["failureReasons"][0]
    archive = api(sim, "PUT", f"{PRODUCTS}/archive-state", json={"items": [{"barcode": "LIVE", "archived": True}]})
    sim.wait_until_processed(2)
    answer = batch(sim, archive.json()["batchRequestId"])
    assert answer["batchRequestType"] == "ProductArchiveUpdate" and answer["items"][0]["batchRequestLogId"]
    assert sim.product("LIVE")["archived"] and not sim.product("LIVE")["onSale"]
    time.sleep(0.25)  # longer in the archive than archive_min_age
    gone = api(sim, "DELETE", PRODUCTS, json={"items": [{"barcode": "LIVE"}, {"barcode": "WAIT"}]})
    sim.wait_until_processed(2)
    assert [i["status"] for i in batch(sim, gone.json()["batchRequestId"])["items"]] == ["SUCCESS", "SUCCESS"]
    assert sim.product("LIVE") is None and sim.product("WAIT") is None
    assert [h["kind"] for h in sim.history("LIVE")] == ["archived", "deleted"]


def test_v2_filters_paging_and_filters(sim):
    sim.add_products([{"barcode": f"P{i}", "stockCode": f"S{i}", "quantity": i} for i in range(5)])
    sim.add_products([{"barcode": "W", "approved": False}, {"barcode": "AR", "archived": True}])
    page = api(sim, "GET", APPROVED, params={"page": 1, "size": 2}).json()
    assert [c["variants"][0]["barcode"] for c in page["content"]] == ["P2", "P3"]
    assert (page["totalElements"], page["totalPages"], page["page"], page["size"]) == (6, 3, 1, 2)
    following = api(sim, "GET", APPROVED, params={"size": 2, "nextPageToken": page["nextPageToken"]}).json()
    assert [c["variants"][0]["barcode"] for c in following["content"]] == ["P4", "AR"]
    assert following["page"] == 2 and following["nextPageToken"] is None
    assert [p["barcode"] for p in api(sim, "GET", UNAPPROVED).json()["content"]] == ["W"]
    archived = api(sim, "GET", APPROVED, params={"archived": "true"}).json()["content"]
    assert [c["variants"][0]["barcode"] for c in archived] == ["AR"]
    on_sale = api(sim, "GET", APPROVED, params={"onSale": "true"}).json()
    assert on_sale["totalElements"] == 5
    variant = api(sim, "GET", APPROVED, params={"stockCode": "S3"}).json()["content"][0]["variants"][0]
    assert variant["stock"]["quantity"] == 3
    assert api(sim, "GET", APPROVED, params={"barcode": "nope"}).json()["totalElements"] == 0
    assert api(sim, "GET", APPROVED, params={"size": 101}).status_code == 400  # at most 100 (documented)
    assert api(sim, "GET", UNAPPROVED, params={"size": 1001}).status_code == 400
    assert api(sim, "GET", APPROVED, params={"page": 101, "size": 100}).status_code == 400  # page x size > 10,000
    assert api(sim, "GET", APPROVED, params={"nextPageToken": "not-a-token"}).status_code == 400
    assert api(sim, "GET", APPROVED, params={"onSale": "yes"}).status_code == 400
    assert "_internal" not in api(sim, "GET", UNAPPROVED).json()["content"][0]


def test_retired_v1_filter_is_gone(sim):
    """V1 filterProducts was retired on 10 August 2026: the simulator answers it 410 Gone
    (guess: the live answer's status is not documented), naming the v2 services."""
    sim.add_products([{"barcode": "A"}])
    answer = api(sim, "GET", PRODUCTS, params={"barcode": "A"})
    assert answer.status_code == 410
    assert "filterApprovedProducts" in answer.text and "filterUnapprovedProducts" in answer.text
    assert api(sim, "DELETE", PRODUCTS, json={"items": [{"barcode": "A"}]}).status_code == 200  # delete stays


# --- price and inventory -----------------------------------------------------------------------


def test_price_and_inventory_items(sim):
    sim.add_products([{"barcode": "A", "salePrice": 100, "listPrice": 120}])
    sim.configure(processing_delay=0.5)  # long enough to see it waiting
    items = [{"barcode": "A", "quantity": 7, "salePrice": 90}, {"barcode": "GHOST", "quantity": 1},
             {"barcode": "A", "quantity": 20001}, {"barcode": "A", "salePrice": 130},
             {"barcode": "A"}, {"barcode": "A", "quantity": -1}]
    batch_id = api(sim, "POST", INVENTORY, json={"items": items}).json()["batchRequestId"]
    waiting = batch(sim, batch_id)
    assert "status" not in waiting and {i["status"] for i in waiting["items"]} == {"IN_PROGRESS"}
    sim.wait_until_processed(2)
    answer = batch(sim, batch_id)
    assert "status" not in answer and answer["batchRequestType"] == "ProductInventoryUpdate"
    reasons = [i["failureReasons"] for i in answer["items"]]
    assert reasons[0] == []
    assert reasons[1] == ["Ürün bulunamadı (barcode: GHOST)"]
    assert reasons[2] == ["quantity en fazla 20000 olabilir: 20001"]
    assert reasons[3] == ["listPrice (120.00) salePrice (130.00) değerinden küçük olamaz"]
    assert "en az biri" in reasons[4][0] and "0 veya daha büyük" in reasons[5][0]
    assert answer["items"][0]["requestItem"]["updateRequestDate"].endswith("+00:00")
    product = sim.product("A")
    assert (product["quantity"], product["salePrice"], product["listPrice"]) == (7, 90.0, 120.0)
    assert [(h["kind"], h["value"]) for h in sim.history("A")] == [("stock", 7), ("price", 90.0)]


def test_fifteen_minute_rule(sim):
    sim.add_products([{"barcode": "A"}])
    body = {"items": [{"barcode": "A", "quantity": 3}]}
    with httpx.Client(base_url=sim.url, timeout=5, **GOOD) as http:
        assert http.post(INVENTORY, json=body).status_code == 200
        refused = http.post(INVENTORY, json=body)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["message"] == "15 dakika boyunca aynı isteği tekrarlı olarak atamazsınız!"
        assert http.post(INVENTORY, json={"items": [{"barcode": "A", "quantity": 4}]}).status_code == 200
        sim.configure(duplicate_window=0)  # switched off
        assert [http.post(INVENTORY, json=body).status_code for _ in range(2)] == [200, 200]
        sim.configure(duplicate_window=1)
        time.sleep(1.05)
        assert [http.post(INVENTORY, json=body).status_code for _ in range(2)] == [200, 400]
        time.sleep(1.05)
        assert http.post(INVENTORY, json=body).status_code == 200  # the window passed


def test_batches_apply_in_acceptance_order(sim):
    sim.add_products([{"barcode": "A"}])
    sim.configure(processing_delay=0.3)
    first = api(sim, "POST", INVENTORY, json={"items": [{"barcode": "A", "quantity": 10}]}).json()["batchRequestId"]
    sim.configure(processing_delay=0)
    second = api(sim, "POST", INVENTORY, json={"items": [{"barcode": "A", "quantity": 20}]}).json()["batchRequestId"]
    assert sim.wait_until_processed(3)
    history = sim.history("A")
    assert [(h["batch_request_id"], h["value"]) for h in history] == [(first, 10), (second, 20)]
    assert sim.product("A")["quantity"] == 20


def test_batch_results_expire(sim):
    sim.add_products([{"barcode": "A"}])
    batch_id = api(sim, "POST", INVENTORY, json={"items": [{"barcode": "A", "quantity": 1}]}).json()["batchRequestId"]
    sim.wait_until_processed(2)
    sim.configure(batch_retention=0)
    assert api(sim, "GET", f"{PRODUCTS}/batch-requests/{batch_id}").status_code == 404


def test_request_level_refusals(sim):
    sim.configure(max_items_per_request=2, max_body_bytes=2000)
    too_many = api(sim, "POST", INVENTORY, json={"items": [{"barcode": f"B{i}", "quantity": 1} for i in range(3)]})
    assert too_many.status_code == 400 and "en fazla 2 item" in too_many.json()["errors"][0]["message"]
    assert api(sim, "POST", INVENTORY, json={"items": []}).status_code == 400
    assert api(sim, "POST", INVENTORY, json=[{"barcode": "A"}]).status_code == 400
    assert api(sim, "POST", INVENTORY, content=b"{nope").status_code == 400
    assert api(sim, "POST", CREATE, json={"items": [{"description": "x" * 3000}]}).status_code == 413
    assert sim.batches_total == 0


# --- limits and faults ---------------------------------------------------------------------------


def test_rate_limit_per_service_group(sim):
    sim.configure(rate_limit=3, rate_window=5)
    with httpx.Client(base_url=sim.url, timeout=5, **GOOD) as http:
        codes = [http.get(f"{BASE}/product/brands").status_code for _ in range(5)]
        limited = http.get(f"{BASE}/product/brands")
        inventory = http.post(INVENTORY, json={"items": [{"barcode": "A", "quantity": 1}]})
    assert codes == [200, 200, 200, 429, 429]
    assert limited.json()["errors"][0]["key"] == "too.many.requests"
    assert inventory.status_code == 200  # a different group has its own window


def test_documented_group_budget_per_listing_tier(sim):
    """Product writes share 200 a minute at the smallest tier and 300 at the 350,000 one
    (developers.trendyol.com/tr/v3.0/docs/6-service-limitations, checked 2026-12-07)."""
    archive = f"{PRODUCTS}/archive-state"
    with httpx.Client(base_url=sim.url, timeout=5, **GOOD) as http:
        codes = [http.put(archive, json={"items": []}).status_code for _ in range(200)]
        refused = http.request("DELETE", PRODUCTS, json={"items": [{"barcode": "A"}]})  # same group, other service
        read = http.get(f"{BASE}/product/brands")
        assert set(codes) == {400} and refused.status_code == 429 and read.status_code == 200
        assert refused.json()["errors"][0]["key"] == "too.many.requests"
        sim.configure(listing_tier="350000")
        sim.state.rates.clear()  # a new minute
        codes = [http.put(archive, json={"items": []}).status_code for _ in range(301)]
    assert codes.count(429) == 1 and codes[-1] == 429
    with pytest.raises(ValueError, match="listing_tier"):
        sim.configure(listing_tier="42")


def test_price_updates_are_limited_per_barcode(sim):
    """30 price updates a minute per barcode (same page, checked 2026-12-07); stock-only updates
    and other barcodes are not counted against it."""
    sim.configure(duplicate_window=0)
    price = lambda barcode, n: {"items": [{"barcode": barcode, "salePrice": 100 + n, "listPrice": 200}]}  # noqa: E731
    with httpx.Client(base_url=sim.url, timeout=5, **GOOD) as http:
        codes = [http.post(INVENTORY, json=price("A", n)).status_code for n in range(31)]
        refused = http.post(INVENTORY, json=price("A", 99))
        stock = http.post(INVENTORY, json={"items": [{"barcode": "A", "quantity": 3}]})
        other = http.post(INVENTORY, json=price("B", 1))
    assert codes == [200] * 30 + [429]
    assert refused.status_code == 429 and refused.json()["errors"][0]["key"] == "too.many.requests"
    assert "A barkodu" in refused.json()["errors"][0]["message"]
    assert stock.status_code == 200 and other.status_code == 200


def test_fault_count_clears_itself_and_path_filters(sim):
    sim.configure(fault={"mode": "5xx", "count": 2, "path": "price-and-inventory"})
    assert api(sim, "GET", f"{BASE}/product/brands").status_code == 200  # path does not match
    body = {"items": [{"barcode": "X", "quantity": 1}]}
    sim.configure(duplicate_window=0)
    assert [api(sim, "POST", INVENTORY, json=body).status_code for _ in range(3)] == [500, 500, 200]
    assert sim.options["fault"] is None


def test_malformed_and_429_faults(sim):
    sim.configure(fault={"mode": "malformed", "count": 1, "path": None})
    answer = api(sim, "GET", f"{BASE}/product/brands")
    assert answer.status_code == 200
    with pytest.raises(ValueError):
        answer.json()
    sim.configure(fault={"mode": "429", "count": 1, "path": None})
    assert api(sim, "GET", f"{BASE}/product/brands").status_code == 429


# --- control ---------------------------------------------------------------------------------


def test_control_endpoints(sim):
    assert httpx.post(sim.url + "/_sim/products", json=[{"barcode": "C1", "quantity": 2}]).json() == {"added": 1}
    assert httpx.post(sim.url + "/_sim/products", json={"products": [{"barcode": "C2", "approved": False}]}).json() == {
        "added": 1}
    assert httpx.post(sim.url + "/_sim/products", json=[{"stockCode": "no barcode"}]).status_code == 400
    config = httpx.post(sim.url + "/_sim/config", json={"processing_delay": 0, "latency": 0}).json()
    assert config["processing_delay"] == 0 and config["api_secret"] == "********"
    assert httpx.post(sim.url + "/_sim/config", json={"bogus": 1}).status_code == 400
    assert httpx.post(sim.url + "/_sim/config", json={"fault": {"mode": "explode"}}).status_code == 400
    assert httpx.post(sim.url + "/_sim/config", json={"seller_id": "abc"}).status_code == 400
    batch_id = api(sim, "POST", INVENTORY, json={"items": [{"barcode": "C1", "quantity": 7}]}).json()["batchRequestId"]
    history = httpx.get(sim.url + "/_sim/history", params={"barcode": "C1"}).json()["history"]
    assert [(h["batch_request_id"], h["kind"], h["barcode"], h["value"]) for h in history] == [(batch_id, "stock", "C1", 7)]
    state = httpx.get(sim.url + "/_sim/state").json()
    assert [p["barcode"] for p in state["products"]] == ["C1", "C2"]
    assert state["counters"] == {"requests_total": 1, "batches_total": 1, "products_total": 2}
    assert httpx.get(sim.url + "/_sim/state", params={"barcode": "C1"}).json()["product"]["quantity"] == 7
    assert httpx.get(sim.url + "/_sim/state", params={"barcode": "zz"}).status_code == 404
    assert httpx.get(sim.url + f"/_sim/batches/{batch_id}").json()["results"][0]["status"] == "SUCCESS"
    catalog = httpx.get(sim.url + "/_sim/catalog").json()
    assert catalog["roots"][0] == {"id": sim.catalog.roots[0], "name": "Giyim"} and catalog["leaves_total"] > 250
    assert httpx.post(sim.url + "/_sim/reset").json() == {"ok": True}
    assert httpx.get(sim.url + "/_sim/stats").json() == {"requests_total": 0, "batches_total": 0, "products_total": 0}
    assert sim.history() == []


def test_hundreds_of_concurrent_requests(sim):
    sim.configure(rate_limit=0)
    sim.add_products([{"barcode": f"K-{i}"} for i in range(50)])
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    with httpx.Client(base_url=sim.url, timeout=10, limits=limits, **GOOD) as http:

        def call(i):
            return http.get(APPROVED, params={"barcode": f"K-{i % 50}"}).status_code

        with ThreadPoolExecutor(max_workers=100) as pool:
            codes = list(pool.map(call, range(500)))
    assert codes == [200] * 500
    assert sim.requests_total == 500


def test_large_catalog_and_full_batches_stay_fast(sim):
    sim.configure(processing_delay=0, duplicate_window=0)
    started = time.perf_counter()
    sim.add_products([{"barcode": f"L-{i:06d}", "quantity": 1} for i in range(20_000)])
    assert time.perf_counter() - started < 30  # a guard against quadratic work, not a budget (see bench/)
    started = time.perf_counter()
    for barcode in ("L-000000", "L-010000", "L-019999"):
        content = api(sim, "GET", APPROVED, params={"barcode": barcode}).json()["content"][0]
        assert content["variants"][0]["barcode"] == barcode
    # 100 a page, page x size at most 10,000: the 10,001st product comes through the token.
    edge = api(sim, "GET", APPROVED, params={"page": 99, "size": 100}).json()
    assert edge["content"][-1]["variants"][0]["barcode"] == "L-009999" and edge["totalPages"] == 200
    beyond = api(sim, "GET", APPROVED, params={"size": 100, "nextPageToken": edge["nextPageToken"]}).json()
    assert beyond["content"][0]["variants"][0]["barcode"] == "L-010000"
    items = [{"barcode": f"L-{i:06d}", "quantity": 5} for i in range(0, 20_000, 20)]  # 1000 items
    batch_id = api(sim, "POST", INVENTORY, json={"items": items}).json()["batchRequestId"]
    answer = batch(sim, batch_id)
    assert len(answer["items"]) == 1000 and answer["failedItemCount"] == 0
    assert sim.product("L-019980")["quantity"] == 5
    assert time.perf_counter() - started < 30  # a guard against quadratic work, not a budget (see bench/)


def test_serve_options_are_validated():
    with pytest.raises(ValueError, match="unknown simulator option"):
        serve(speed=3)
    with pytest.raises(ValueError, match="processing_delay"):
        serve(processing_delay=-1)
    with pytest.raises(ValueError, match="seller_id"):
        serve(seller_id="abc")


def test_main_prints_url_without_secrets(monkeypatch, capsys):
    import threading

    from mpdash.marketplaces.trendyol import simulator as module

    started = []
    real_serve = module.serve

    def serve_and_stop(*args, **kwargs):
        running = real_serve(*args, **kwargs)
        started.append(running)
        threading.Timer(0.2, running.stop).start()
        return running

    monkeypatch.setattr(module, "serve", serve_and_stop)
    assert main(["--port", "0", "--processing-delay", "0.5", "--api-key", "k-visible", "--api-secret", "s3cret-key"]) == 0
    out = capsys.readouterr().out
    assert started[0].url in out and "123456" in out
    assert "s3cret-key" not in out and "k-visible" not in out
    assert started[0].options["processing_delay"] == 0.5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mpdash_simulate_trendyol_command():
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "mpdash.cli", "simulate", "trendyol", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line, line
        answer = httpx.get(f"http://127.0.0.1:{port}{BASE}/product/brands/by-name", params={"name": "Nike"},
                           timeout=5, **GOOD)
        assert answer.json() == [{"id": next(i for i, n in serve_catalog_brands() if n == "Nike"), "name": "Nike"}]
    finally:
        process.terminate()
        process.wait(timeout=10)


def serve_catalog_brands():
    from mpdash.marketplaces.trendyol.catalog_data import catalog

    return catalog().brands
