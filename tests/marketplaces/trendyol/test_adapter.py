"""The adapter end to end against the simulator: what it sends and what it reads back."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from mpdash.marketplaces.base import (
    NOT_FOUND,
    ON_SALE,
    PENDING_APPROVAL,
    REJECTED,
    AttributeChoice,
    PriceRecord,
    StockRecord,
)
from mpdash.marketplaces.errors import Action, ConfigError, RateLimited
from mpdash.marketplaces.trendyol.adapter import (
    STOCK_CAP_NOTE,
    UNCHANGED_NOTE,
    TrendyolAdapter,
)

from .conftest import DRESS, dress_record, wait_done, wait_state

# --- catalog ----------------------------------------------------------------------------------


def test_category_walk_under_roots_is_parents_first(sim, adapter):
    data = sim.catalog
    electronics, phones = data.find("Elektronik"), data.find("Elektronik", "Telefon")
    nodes = list(adapter.fetch_categories([str(electronics.id)]))
    ids = [n.remote_id for n in nodes]
    assert ids[0] == str(electronics.id) and len(ids) == len(set(ids))
    position = {n.remote_id: i for i, n in enumerate(nodes)}
    for node in nodes[1:]:
        assert position[node.parent_id] < position[node.remote_id], node  # parent first
    assert all(data.categories[int(n.remote_id)].path[0] == "Elektronik" for n in nodes)
    phone = next(n for n in nodes if n.name == "Cep Telefonu")
    assert phone.is_leaf and phone.parent_id == str(phones.id)
    assert not next(n for n in nodes if n.name == "Telefon").is_leaf
    # An overlapping second root adds nothing twice; no roots means the whole tree.
    assert [n.remote_id for n in adapter.fetch_categories([str(electronics.id), str(phones.id)])] == ids
    assert len(list(adapter.fetch_categories([]))) == len(data.categories)


@pytest.mark.parametrize("root", ["999999", "Giyim"])
def test_unknown_root_is_a_config_error_naming_category_ids(adapter, root):
    with pytest.raises(ConfigError, match="category_ids"):
        list(adapter.fetch_categories([root]))


def test_attributes_with_every_value_paged(sim, adapter):
    leaf = sim.catalog.find("Elektronik", "Telefon", "Telefon Kılıfı")
    before = sim.requests_total
    attributes = {a.name: a for a in adapter.fetch_attributes(str(leaf.id))}
    models = attributes["Uyumlu Model"]
    assert len(models.values) == len(sim.catalog.values[220]) > 3000  # several pages of 1,000
    assert len({v.remote_id for v in models.values}) == len(models.values)
    assert (models.required, models.multi_value, models.data_type) == (True, True, "enum")
    assert attributes["Renk"].slicer and attributes["Renk"].values[0].name == "Siyah"
    maker = attributes["Üretici Bilgisi"]
    assert (maker.allow_custom, maker.data_type, maker.values) == (True, "text", [])
    # 1 attributes call + 4 value pages for Uyumlu Model + 1 per other attribute
    assert sim.requests_total - before == 1 + 4 + (len(attributes) - 1)
    dress = {a.name: a for a in adapter.fetch_attributes(str(sim.catalog.find(*DRESS).id))}
    assert dress["Beden"].variant and dress["Beden"].required and not dress["Desen"].required


def test_brands_by_name_and_all_pages(sim, adapter):
    assert [b.name for b in adapter.fetch_brands("koton")] == ["Koton"]
    assert {b.name for b in adapter.fetch_brands("İPEK")} == {"Ipekyol"}
    adapter.brands_page_size = 50
    brands = adapter.fetch_brands()
    assert len(brands) == len(sim.catalog.brands) and brands[0].remote_id == str(sim.catalog.brands[0][0])


def test_default_attributes():
    keys = [d.key for d in TrendyolAdapter.default_attributes()]
    assert keys == ["barcode", "title", "productMainId", "brandId", "description", "images", "listPrice", "salePrice",
                    "quantity", "stockCode", "vatRate", "currencyType", "cargoCompanyId", "dimensionalWeight",
                    "deliveryDuration"]
    by_key = {d.key: d for d in TrendyolAdapter.default_attributes()}
    assert (by_key["productMainId"].source, by_key["stockCode"].source, by_key["title"].source) == (
        "base_code", "sku", "name")
    assert by_key["images"].data_type == "list" and by_key["brandId"].source == ""


# --- checking and building products ---------------------------------------------------------


def test_valid_product_has_no_problems_and_exact_payload(sim, make_adapter):
    adapter = make_adapter(buffer_stock=2, cargo_company_id=10, shipment_address_id=55, delivery_duration=2)
    record = dress_record(sim.catalog, "S1")
    assert adapter.check_product(record) == []
    colour = sim.catalog.value_named(348, "Siyah")
    assert adapter.build_product_payload(record) == {
        "barcode": "BC-S1", "title": "Kadın Elbise S1", "productMainId": "MODEL-S1", "brandId": 104,
        "categoryId": sim.catalog.find(*DRESS).id, "quantity": 10, "stockCode": "S1", "dimensionalWeight": 2,
        "description": "<p>Pamuklu yazlık elbise</p>", "currencyType": "TRY", "listPrice": 249.9,
        "salePrice": 199.9, "vatRate": 20, "cargoCompanyId": 10, "deliveryOption": {"deliveryDuration": 2},
        "shipmentAddressId": 55,
        "images": [{"url": "https://cdn.example.com/S1/1.jpg"}, {"url": "https://cdn.example.com/S1/2.jpg"}],
        "attributes": [{"attributeId": 348, "attributeValueIds": [colour]},
                       {"attributeId": 293, "attributeValueIds": [sim.catalog.value_named(293, "M")]},
                       {"attributeId": 14, "attributeValueIds": [sim.catalog.value_named(14, "Pamuk")]},
                       {"attributeId": 1192, "attributeValueIds": [sim.catalog.value_named(1192, "TR")]}],
    }
    update = adapter.build_product_payload(record, update=True)
    assert not {"quantity", "listPrice", "salePrice", "currencyType", "cargoCompanyId"} & set(update)
    custom = AttributeChoice("47", "Ürün Detayı", custom_value="Astarlı")
    assert adapter._attribute(custom) == {"attributeId": 47, "attributeValue": "Astarlı"}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"listPrice": Decimal(150)}, "list price 150.00 is below sale price 199.90"),
        ({"images": []}, "at least one image is required"),
        ({"images": [f"https://cdn.example.com/{i}.jpg" for i in range(9)]}, "9 images; Trendyol accepts at most 8"),
        ({"images": ["http://cdn.example.com/1.jpg"]}, "not an https:// address"),
        ({"barcode": ""}, "`barcode` is empty"),
        ({"barcode": "AB 12"}, "contains spaces"),
        ({"barcode": "AB/12"}, "only letters, digits"),
        ({"barcode": "X" * 41}, "at most 40"),
        ({"vatRate": Decimal(18)}, "`vatRate` 18 is not accepted"),
        ({"brandId": "Koton"}, "`brandId` must be Trendyol's numeric brand id"),
        ({"title": "T" * 101}, "at most 100"),
        ({"salePrice": None}, "`salePrice` is required"),
        ({"dimensionalWeight": None}, "`dimensionalWeight` (desi) is required"),
    ],
)
def test_check_product_names_the_problem(sim, adapter, fields, expected):
    problems = adapter.check_product(dress_record(sim.catalog, "S1", **fields))
    assert any(expected in p for p in problems), problems


def test_stock_above_the_maximum_is_capped_not_reported(sim, make_adapter):
    adapter = make_adapter(buffer_stock=5)
    record = dress_record(sim.catalog, "S1", quantity=Decimal(50_000))
    assert adapter.check_product(record) == []
    assert adapter.build_product_payload(record)["quantity"] == 20_000
    assert adapter.build_product_payload(dress_record(sim.catalog, "S2", quantity=Decimal(20_003)))["quantity"] == 19_998


# --- create, approve, reject, update --------------------------------------------------------


def test_create_poll_pending_then_approved_on_sale(sim, adapter):
    sim.configure(processing_delay=0.5, approval_delay=1)  # long enough to see each stage
    submission = adapter.send_products([dress_record(sim.catalog, "S1"), dress_record(sim.catalog, "S2")])
    assert submission.remote_id and set(submission.sent) == {"S1", "S2"}
    assert submission.sent["S1"]["barcode"] == "BC-S1"
    assert adapter.poll("product", submission.remote_id).done is False
    status = wait_done(adapter, "product", submission.remote_id)
    assert [(r.sku, r.ok, r.state, r.remote_sku) for r in status.results] == [
        ("S1", True, PENDING_APPROVAL, "BC-S1"), ("S2", True, PENDING_APPROVAL, "BC-S2")]
    assert adapter.product_statuses(["S1"])["S1"].state == PENDING_APPROVAL
    live = wait_state(adapter, "S1", ON_SALE)
    assert (live.state, live.remote_sku, live.reasons) == (ON_SALE, "BC-S1", [])
    assert adapter.product_statuses(["NOPE"])["NOPE"].state == NOT_FOUND
    product = sim.product("BC-S1")
    assert product["approved"] and product["onSale"] and product["quantity"] == 12
    assert [h["kind"] for h in sim.history("BC-S1")] == ["created", "approved"]


CASES = {
    "missing required attribute": ({"attributes": {348: "Siyah", 293: "M", 1192: "TR"}},
                                   "Zorunlu özellik eksik: Materyal (attributeId: 14)"),
    "too many images": ({"images": [f"https://cdn.example.com/{i}.jpg" for i in range(9)]},
                        "En fazla 8 görsel gönderilebilir; 9 görsel gönderildi"),
    "list price below sale price": ({"listPrice": Decimal(100)},
                                    "listPrice (100.00) salePrice (199.90) değerinden küçük olamaz"),
    "unknown brand": ({"brandId": Decimal(99999)}, "Marka bulunamadı (brandId: 99999)"),
    "unknown category": ({"category": 999999}, "Kategori bulunamadı (categoryId: 999999)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_validation_failure_reason(sim, adapter, case):
    changes, reason = CASES[case]
    submission = adapter.send_products([dress_record(sim.catalog, "BAD", **changes), dress_record(sim.catalog, "OK")])
    results = {r.sku: r for r in wait_done(adapter, "product", submission.remote_id).results}
    assert results["OK"].ok
    bad = results["BAD"]
    assert not bad.ok and bad.state == REJECTED and reason in bad.message, bad.message
    assert any(reason in text for text in bad.answer["failureReasons"])
    assert sim.product("BC-BAD") is None


def test_unknown_value_and_non_leaf_category(sim, adapter):
    data = sim.catalog
    unknown_value = dress_record(data, "V")
    unknown_value.attributes[0] = AttributeChoice("348", "Renk", value_ids=["123"])
    not_leaf = dress_record(data, "N", category=data.find("Giyim", "Kadın").id)
    custom = dress_record(data, "C")
    custom.attributes[1] = AttributeChoice("293", "Beden", custom_value="Kocaman")
    results = {r.sku: r.message for r in wait_done(adapter, "product", adapter.send_products(
        [unknown_value, not_leaf, custom]).remote_id).results}
    assert "Geçersiz özellik değeri: 123 değeri Renk (attributeId: 348) için tanımlı değil" in results["V"]
    assert "Kategori en alt seviyede değil" in results["N"] and "Kadın" in results["N"]
    assert "Beden (attributeId: 293) için serbest değer girilemez" in results["C"]


def test_rejection_then_fixed_by_update(sim, adapter):
    sim.reject("BC-R1", "Zorunlu Ürün Özellik Değeri Eksik/Yanlış", "Renk görsel ile uyumsuz")
    record = dress_record(sim.catalog, "R1")
    wait_done(adapter, "product", adapter.send_products([record]).remote_id)
    rejected = wait_state(adapter, "R1", REJECTED)
    assert rejected.state == REJECTED
    assert rejected.reasons == ["Zorunlu Ürün Özellik Değeri Eksik/Yanlış: Renk görsel ile uyumsuz"]
    fixed = dress_record(sim.catalog, "R1", attributes={348: "Kırmızı", 293: "M", 14: "Pamuk", 1192: "TR"})
    sim.configure(approval_delay=1)  # long enough to see it back in review
    update = adapter.send_products([fixed], update=True)
    assert "quantity" not in update.sent["R1"]
    result = wait_done(adapter, "product", update.remote_id).results[0]
    assert (result.ok, result.state) == (True, PENDING_APPROVAL)
    assert adapter.product_statuses(["R1"])["R1"].state == PENDING_APPROVAL  # back in review
    assert wait_state(adapter, "R1", ON_SALE).state == ON_SALE
    assert sim.product("BC-R1")["attributes"][0]["attributeValue"] == "Kırmızı"
    # Once approved, the same update goes through content-bulk-update (see test_product_updates).
    again = adapter.send_products([fixed], update=True)
    assert "contentId" in again.sent["R1"]
    assert wait_done(adapter, "product", again.remote_id).results[0].ok


def test_creating_an_existing_barcode_fails(sim, adapter):
    sim.add_products([{"barcode": "BC-D1"}])
    result = wait_done(adapter, "product", adapter.send_products([dress_record(sim.catalog, "D1")]).remote_id).results[0]
    assert not result.ok and "zaten var" in result.message


def test_poll_from_another_adapter_maps_by_stock_code(sim, adapter, make_adapter):
    submission = adapter.send_products([dress_record(sim.catalog, "X1"), dress_record(sim.catalog, "X2", brandId=1)])
    other = make_adapter()
    results = {r.sku: r.ok for r in wait_done(other, "product", submission.remote_id, skus=["X1", "X2"]).results}
    assert results == {"X1": True, "X2": False}


# --- delete -----------------------------------------------------------------------------------


def test_delete_sets_stock_0_then_archives(sim, adapter):
    sim.add_products([{"barcode": "BC-1", "stockCode": "P1", "quantity": 9}])
    submission = adapter.delete_products([StockRecord("P1", 9, remote_sku="BC-1"), StockRecord("GHOST", 1)])
    assert submission.sent["P1"] == {"barcode": "BC-1", "quantity": 0, "archived": True}
    assert "|" in submission.remote_id
    status = wait_done(adapter, "product_delete", submission.remote_id)
    results = {r.sku: r for r in status.results}
    assert results["P1"].ok and results["P1"].message == "stock set to 0; archived"
    assert not results["GHOST"].ok and "Ürün bulunamadı" in results["GHOST"].message
    product = sim.product("BC-1")
    assert (product["quantity"], product["archived"], product["onSale"]) == (0, True, False)
    status = adapter.product_statuses(["P1"])["P1"]
    assert (status.state, status.reasons) == (ON_SALE, ["archived"])
    listing = next(iter(adapter.list_listings()))
    assert listing.on_sale is False and listing.stock == 0


def test_delete_poll_from_another_adapter_uses_skus(sim, adapter, make_adapter):
    sim.add_products([{"barcode": "BC-1", "stockCode": "P1"}, {"barcode": "BC-2", "stockCode": "P2"}])
    submission = adapter.delete_products([StockRecord("P1", 1, remote_sku="BC-1"), StockRecord("P2", 1, remote_sku="BC-2")])
    status = wait_done(make_adapter(), "product_delete", submission.remote_id, skus=["P1", "P2"])
    assert [(r.sku, r.ok, r.remote_sku) for r in status.results] == [("P1", True, "BC-1"), ("P2", True, "BC-2")]


def test_delete_repeated_within_15_minutes_still_archives(sim, adapter):
    sim.add_products([{"barcode": "BC-1", "stockCode": "P1", "quantity": 3}])
    first = adapter.delete_products([StockRecord("P1", 3, remote_sku="BC-1")])
    wait_done(adapter, "product_delete", first.remote_id)
    again = adapter.delete_products([StockRecord("P1", 3, remote_sku="BC-1")])
    assert again.remote_id.startswith("|")  # the stock-0 request was refused as identical
    result = wait_done(adapter, "product_delete", again.remote_id).results[0]
    assert result.ok and "already sent within the last 15 minutes" in result.message


# --- stock and prices -------------------------------------------------------------------------


def test_stock_with_buffer_floor_and_cap(sim, make_adapter):
    sim.add_products([{"barcode": b, "stockCode": b} for b in ("A", "B", "C")])
    adapter = make_adapter(buffer_stock=3)
    sim.configure(processing_delay=0.5)  # long enough to see it waiting
    submission = adapter.send_stock([StockRecord("A", 10), StockRecord("B", 2), StockRecord("C", 50_000)])
    assert submission.sent == {"A": {"barcode": "A", "quantity": 7}, "B": {"barcode": "B", "quantity": 0},
                               "C": {"barcode": "C", "quantity": 20_000}}
    assert adapter.poll("productstock", submission.remote_id).done is False
    results = {r.sku: r for r in wait_done(adapter, "productstock", submission.remote_id).results}
    assert all(r.ok for r in results.values())
    assert results["C"].message == STOCK_CAP_NOTE and results["A"].message == ""
    assert [sim.product(b)["quantity"] for b in ("A", "B", "C")] == [7, 0, 20_000]
    assert [(h["kind"], h["value"]) for h in sim.history("A")] == [("stock", 7)]
    assert sim.history("A")[0]["batch_request_id"] == submission.remote_id


def test_remote_sku_is_the_barcode_sent(sim, adapter):
    sim.add_products([{"barcode": "8690000000001", "stockCode": "LOCAL-1"}])
    submission = adapter.send_stock([StockRecord("LOCAL-1", 5, remote_sku="8690000000001")])
    assert submission.sent == {"LOCAL-1": {"barcode": "8690000000001", "quantity": 5}}
    assert [(r.sku, r.ok) for r in wait_done(adapter, "productstock", submission.remote_id).results] == [("LOCAL-1", True)]


def test_prices_and_price_failures(sim, adapter):
    sim.add_products([{"barcode": "A", "salePrice": 50}, {"barcode": "B", "salePrice": 50}])
    submission = adapter.send_prices([PriceRecord("A", Decimal("149.905")),
                                      PriceRecord("B", Decimal(120), list_price=Decimal(100)),
                                      PriceRecord("GHOST", Decimal(10))])
    assert submission.sent["A"] == {"barcode": "A", "salePrice": 149.91, "listPrice": 149.91}
    results = {r.sku: r for r in wait_done(adapter, "productprice", submission.remote_id).results}
    assert results["A"].ok
    assert not results["B"].ok and "listPrice (100.00) salePrice (120.00)" in results["B"].message
    assert not results["GHOST"].ok and "Ürün bulunamadı (barcode: GHOST)" in results["GHOST"].message
    assert (sim.product("A")["salePrice"], sim.product("B")["salePrice"]) == (149.91, 50.0)
    assert [h["kind"] for h in sim.history("A")] == ["price", "list_price"]


def test_poll_from_another_adapter_maps_stock_by_position(sim, adapter, make_adapter):
    sim.add_products([{"barcode": "BAR-1"}, {"barcode": "BAR-2"}])
    submission = adapter.send_stock([StockRecord("S1", 4, remote_sku="BAR-1"), StockRecord("S2", 5, remote_sku="BAR-2")])
    status = wait_done(make_adapter(), "productstock", submission.remote_id, skus=list(submission.sent))
    assert [(r.sku, r.ok) for r in status.results] == [("S1", True), ("S2", True)]


def test_identical_request_for_unchanged_values_is_a_success(sim, adapter):
    sim.add_products([{"barcode": "A"}, {"barcode": "B"}])
    first = adapter.send_stock([StockRecord("A", 5), StockRecord("B", 6)])
    wait_done(adapter, "productstock", first.remote_id)
    again = adapter.send_stock([StockRecord("A", 5), StockRecord("B", 6)])
    assert again.remote_id is None and again.exchange["status_code"] == 400
    assert [(r.sku, r.ok, r.message) for r in again.results] == [("A", True, UNCHANGED_NOTE), ("B", True, UNCHANGED_NOTE)]
    assert again.sent == first.sent
    prices = adapter.send_prices([PriceRecord("A", Decimal(80))])
    wait_done(adapter, "productprice", prices.remote_id)
    assert adapter.send_prices([PriceRecord("A", Decimal("80.00"))]).results[0].ok


def test_identical_request_for_values_trendyol_does_not_hold_waits(sim, adapter):
    sim.add_products([{"barcode": "A"}])
    sim.configure(processing_delay=5)  # the first request is still being processed
    adapter.send_stock([StockRecord("A", 5)])
    with pytest.raises(RateLimited) as caught:
        adapter.send_stock([StockRecord("A", 5)])
    assert caught.value.action is Action.RETRY_LATER and caught.value.retry_after == 60
    assert "A" in caught.value.message


def test_a_b_a_within_the_window_is_never_reported_as_done(sim, adapter):
    sim.add_products([{"barcode": "A"}])
    for quantity in (5, 6):
        wait_done(adapter, "productstock", adapter.send_stock([StockRecord("A", quantity)]).remote_id)
    with pytest.raises(RateLimited):
        adapter.send_stock([StockRecord("A", 5)])  # identical to the first, but Trendyol holds 6
    assert sim.product("A")["quantity"] == 6


def test_identical_large_request_waits_for_the_window(sim, adapter):
    sim.add_products([{"barcode": f"K{i}"} for i in range(30)])
    records = [StockRecord(f"K{i}", 1) for i in range(30)]
    adapter.send_stock(records)
    with pytest.raises(RateLimited) as caught:
        adapter.send_stock(records)
    assert caught.value.retry_after == 900


def test_duplicate_rule_switched_off_sends_again(sim, adapter):
    sim.add_products([{"barcode": "A"}])
    sim.configure(duplicate_window=0)
    first = adapter.send_stock([StockRecord("A", 5)])
    second = adapter.send_stock([StockRecord("A", 5)])
    assert first.remote_id and second.remote_id and first.remote_id != second.remote_id


# --- limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["productstock", "productprice", "product", "product_delete"])
def test_batch_size_limit_is_enforced_before_sending(sim, adapter, kind):
    too_many = 1001
    with pytest.raises(ValueError, match="at most 1000"):
        if kind == "productstock":
            adapter.send_stock([StockRecord(f"S{i}", 1) for i in range(too_many)])
        elif kind == "productprice":
            adapter.send_prices([PriceRecord(f"S{i}", Decimal(1)) for i in range(too_many)])
        elif kind == "product":
            record = dress_record(sim.catalog, "S")
            adapter.send_products([record] * too_many)
        else:
            adapter.delete_products([StockRecord(f"S{i}", 1) for i in range(too_many)])
    assert sim.requests_total == 0


def test_payload_never_exceeds_max_request_bytes(sim, adapter):
    long_text = "<p>" + "ğüşıöç elbise " * 2000 + "</p>"  # ~30 kB of Turkish text per product
    records = [dress_record(sim.catalog, f"L{i}", description=long_text) for i in range(40)]
    adapter.max_request_bytes = 500_000
    sim.configure(max_body_bytes=500_000)  # the simulator answers 413 to any bigger body
    with pytest.raises(ValueError, match="send fewer products per request"):
        adapter.send_products(records)
    assert sim.batches_total == 0
    # The most that fits goes out: its real body is within the limit (no 413).
    fitting = 1
    while len(json.dumps({"items": [adapter.build_product_payload(r) for r in records[:fitting + 1]]},
                         ensure_ascii=True)) <= adapter.max_request_bytes:
        fitting += 1
    submission = adapter.send_products(records[:fitting])
    assert submission.remote_id and len(submission.sent) == fitting >= 2
    assert adapter.check_product(records[0]) == []
    adapter.max_request_bytes = 20_000
    assert any("shorten the description" in p for p in adapter.check_product(records[0]))


def test_a_full_batch_of_1000_products_fits(sim, adapter):
    records = [dress_record(sim.catalog, f"F{i:04d}") for i in range(1000)]
    started = time.perf_counter()
    submission = adapter.send_products(records)
    assert submission.remote_id and len(submission.sent) == 1000
    results = wait_done(adapter, "product", submission.remote_id, timeout=10).results
    assert len(results) == 1000 and all(r.ok for r in results)
    assert time.perf_counter() - started < 30  # a guard against quadratic work, not a budget (see bench/)


# --- reading listings ---------------------------------------------------------------------------


def test_list_listings_pages_through_everything(sim, adapter):
    sim.add_products([{"barcode": f"B-{i}", "stockCode": f"S-{i}", "salePrice": 10 + i, "quantity": i}
                      for i in range(7)])
    sim.add_products([{"barcode": "PENDING", "approved": False}])
    adapter.listings_page_size = 3
    before = sim.requests_total
    listings = list(adapter.list_listings())
    assert [listing.sku for listing in listings] == [f"S-{i}" for i in range(7)] + ["PENDING"]
    assert listings[1].price == Decimal("11.0") and listings[1].stock == 1 and listings[1].on_sale
    assert listings[1].remote_sku == "B-1" and listings[-1].on_sale is False
    assert sim.requests_total - before == 4  # 3 approved pages + 1 unapproved page (two v2 filters)


def test_product_statuses_for_many_skus_page_the_catalog(sim, adapter):
    sim.add_products([{"barcode": f"B{i}", "stockCode": f"S{i}"} for i in range(40)])
    sim.add_products([{"barcode": "RJ", "stockCode": "RJ", "approved": False, "rejected": True,
                       "rejectReason": "Hatalı Marka Bilgisi"}])
    adapter.listings_page_size = 20
    before = sim.requests_total
    statuses = adapter.product_statuses([f"S{i}" for i in range(40)] + ["RJ", "B0", "NOPE"])
    assert sim.requests_total - before == 3  # 41 products, 20 a page
    assert all(statuses[f"S{i}"].state == ON_SALE for i in range(40))
    assert statuses["RJ"].state == REJECTED and statuses["RJ"].reasons == ["Hatalı Marka Bilgisi"]
    assert statuses["B0"].state == ON_SALE  # found by barcode
    assert statuses["NOPE"].state == NOT_FOUND


def test_empty_batches_send_nothing(sim, adapter):
    assert adapter.send_stock([]).results == []
    assert adapter.send_prices([]).results == []
    assert adapter.send_products([]).results == []
    assert adapter.delete_products([]).results == []
    assert sim.requests_total == 0


# --- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["base_url", "seller_id", "api_key", "api_secret"])
def test_missing_config_raises_config_error_naming_the_key(sim, missing):
    config = {**sim.adapter_config(), missing: ""}
    with pytest.raises(ConfigError, match=missing):
        TrendyolAdapter(config, budget=None)


@pytest.mark.parametrize("key", ["buffer_stock", "delivery_duration", "cargo_company_id", "shipment_address_id"])
def test_bad_numbers_are_config_errors(sim, key):
    with pytest.raises(ConfigError, match=key):
        TrendyolAdapter({**sim.adapter_config(), key: "lots"}, budget=None)


def test_integrator_name_defaults_to_self_integration(sim):
    adapter = TrendyolAdapter({**sim.adapter_config(), "integrator_name": ""}, budget=None)
    assert adapter.client.headers["User-Agent"] == f"{sim.options['seller_id']} - SelfIntegration"
    assert list(adapter.list_listings()) == []
    adapter.close()


def test_wrong_secret_fails_the_run_without_leaking_it(sim):
    adapter = TrendyolAdapter({**sim.adapter_config(), "api_secret": "not-the-secret-123"}, budget=None)
    with pytest.raises(Exception) as caught:
        adapter.send_stock([StockRecord("A", 1)])
    assert caught.value.action is Action.FAIL_RUN
    assert "not-the-secret-123" not in str(caught.value) and "not-the-secret-123" not in str(adapter.client.last_exchange())
    adapter.close()


@pytest.mark.parametrize("bad", ["NaN", "Infinity", Decimal("NaN"), float("inf")])
def test_nan_and_infinity_are_no_amounts(sim, adapter, bad):
    """The kit's one rule for numbers: NaN and Infinity are refused like any text that is no
    number (Trendyol's adapter used to take them, then fail comparing them)."""
    problems = adapter.check_product(dress_record(sim.catalog, "S1", salePrice=bad))
    assert any("`salePrice` is required and must be above 0" in p for p in problems), problems
    problems = adapter.check_product(dress_record(sim.catalog, "S1", dimensionalWeight=bad))
    assert any("`dimensionalWeight` (desi) is required" in p for p in problems), problems
