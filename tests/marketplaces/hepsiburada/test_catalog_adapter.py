"""The adapter's catalog side end to end against the simulator: categories, attributes,
product import and approval, statuses, updates and deletes."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import httpx
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
from mpdash.marketplaces.errors import ConfigError, RequestRejected
from mpdash.marketplaces.hepsiburada import catalog_data
from mpdash.marketplaces.hepsiburada.adapter import DEFAULT_ATTRIBUTES, HepsiburadaAdapter
from mpdash.marketplaces.hepsiburada.client import encode_import_file

from .conftest import PHONE_CASE, leaf_id, product_record, wait_done


def settle(sim) -> None:
    assert sim.wait_until_catalog_settled(5), "the simulator's catalog did not settle"


# --- declared data ----------------------------------------------------------------------
def test_default_attributes_are_the_import_keys_with_their_sources():
    by_key = {a.key: a for a in HepsiburadaAdapter.default_attributes()}
    assert list(by_key) == ["merchantSku", "VaryantGroupID", "Barcode", "UrunAdi", "UrunAciklamasi", "Marka",
                            "GarantiSuresi", "kg", "tax_vat_rate", "price", "stock", "images"]
    assert {k: a.source for k, a in by_key.items() if a.source} == {
        "merchantSku": "sku", "VaryantGroupID": "base_code", "Barcode": "attributes.barcode", "UrunAdi": "name",
        "UrunAciklamasi": "description", "Marka": "attributes.brand", "tax_vat_rate": "tax_rate", "price": "price",
        "stock": "stock", "images": "images"}
    assert by_key["images"].data_type == "list" and by_key["price"].data_type == "number"
    assert [k for k, a in by_key.items() if not a.required] == ["VaryantGroupID"]
    assert DEFAULT_ATTRIBUTES is HepsiburadaAdapter.default_attributes()


# --- categories ---------------------------------------------------------------------------
def test_every_category_parents_before_children_over_several_pages(sim, adapter):
    adapter.category_page_size = 50
    nodes = list(adapter.fetch_categories([]))
    total = len(catalog_data.categories())
    assert len(nodes) == len({n.remote_id for n in nodes}) == total
    assert sim.requests_total == math.ceil(total / 50)  # one request per page, no more
    position = {n.remote_id: i for i, n in enumerate(nodes)}
    for node in nodes:
        assert node.parent_id is None or position[node.parent_id] < position[node.remote_id]
    roots = [n.name for n in nodes if n.parent_id is None]
    assert sorted(roots) == sorted(catalog_data.TREE)
    by_name = {n.name: n for n in nodes}
    assert by_name["Kaset Çalar"].is_leaf and not by_name["Kaset Çalar"].available  # available: false
    assert not by_name["Faks Makinesi"].available  # status INACTIVE
    assert by_name["Tablet"].is_leaf and by_name["Tablet"].available
    assert not by_name["Bilgisayar/Tablet"].is_leaf


def test_categories_under_given_roots_only(adapter):
    moda = str(catalog_data.find_category("Moda")["categoryId"])
    shoes = catalog_data.find_category("Elektronik", "Cep Telefonu")
    nodes = list(adapter.fetch_categories([moda, str(shoes["categoryId"])]))
    expected = sum(1 for node in catalog_data.categories()
                   if node["paths"][0] == "Moda" or node["paths"][:2] == ["Elektronik", "Cep Telefonu"])
    assert len(nodes) == expected
    assert nodes[0].remote_id == moda and nodes[0].parent_id is None
    phones = next(n for n in nodes if n.remote_id == str(shoes["categoryId"]))
    assert phones.parent_id is None  # a given root stands alone even when it is not a top-level node
    children = {n.name for n in nodes if n.parent_id == phones.remote_id}
    assert children == set(catalog_data.TREE["Elektronik"]["Cep Telefonu"])


def test_the_documentation_example_id_is_a_root(adapter):
    nodes = list(adapter.fetch_categories(["18021982"]))  # the id Hepsiburada's examples (and our demo) use
    assert nodes[0].name == "Elektronik" and len(nodes) == sum(
        1 for node in catalog_data.categories() if node["paths"][0] == "Elektronik")


def test_unknown_root_is_a_config_error_naming_it(adapter):
    with pytest.raises(ConfigError, match="category_ids 123 is not a Hepsiburada category"):
        list(adapter.fetch_categories(["123"]))


# --- attributes ---------------------------------------------------------------------------
def test_attributes_with_every_value(sim, adapter):
    attributes = {a.remote_id: a for a in adapter.fetch_attributes(leaf_id())}
    assert list(attributes) == ["uyumlu_model", "garanti_tipi", "model_kodu", "ekran_boyutu", "islemci_tipi",
                                "mensei", "renk_variant_property", "dahili_hafiza_variant_property"]
    model = attributes["uyumlu_model"]
    assert (model.required, model.variant, model.multi_value, model.data_type, model.allow_custom) == (
        True, False, True, "enum", False)
    assert len(model.values) == 1157 == len({v.remote_id for v in model.values})  # two pages of values
    assert model.values[0].name == catalog_data.attribute_values("uyumlu_model")[0]["value"]
    colour = attributes["renk_variant_property"]
    assert colour.variant and colour.required and not colour.slicer and len(colour.values) == 180
    text = attributes["model_kodu"]
    assert (text.data_type, text.allow_custom, text.values) == ("text", True, [])


def test_attributes_of_a_category_that_takes_no_products(adapter):
    inner = str(catalog_data.find_category("Moda", "Ayakkabı")["categoryId"])
    with pytest.raises(RequestRejected, match="leaf=true and available=true"):
        adapter.fetch_attributes(inner)


# --- checking and building -------------------------------------------------------------------
def test_a_complete_product_has_no_problems(adapter):
    assert adapter.check_product(product_record()) == []


def test_check_product_names_field_and_fix(adapter):
    record = product_record(images=11, Barcode="", price=Decimal("0"), stock=-1, tax_vat_rate="yirmi",
                            category_id="Telefon Kılıfı",
                            attributes=[AttributeChoice("renk_variant_property", "Renk", value_ids=["7"]),
                                        AttributeChoice("garanti_tipi", "Garanti Tipi")])
    problems = adapter.check_product(record)
    assert problems == [
        "category_id: 'Telefon Kılıfı' is not a Hepsiburada category id (a number); map the product's category "
        "to a Hepsiburada leaf category",
        "Barcode: Barcode is required; map it in the Mapper (or fill attributes.barcode on the product)",
        "images: 11 images, but the number of photos for the products to be sent must not exceed 10; remove 1",
        "price: Decimal('0') is not a positive amount; set a sale price above 0",
        "stock: -1 is not a whole number of 0 or more",
        "tax_vat_rate: 'yirmi' is not a VAT rate in percent (e.g. 20)",
        "Renk (renk_variant_property): Hepsiburada takes the value text, but only value ids were mapped; "
        "refresh the category attributes",
        "Garanti Tipi (garanti_tipi): no value chosen; map a value in the Mapper",
    ]


def test_check_product_wants_an_image(adapter):
    assert adapter.check_product(product_record(images=0)) == [
        "images: at least one image is required (Image1); add an image to the product"]


def test_payload_is_the_exact_import_item(sim, make_adapter):
    adapter = make_adapter(buffer_stock=3)
    payload = adapter.build_product_payload(product_record(VaryantGroupID="", images=3))
    assert payload == {
        "categoryId": int(leaf_id()),
        "merchant": "demo-merchant",
        "attributes": {
            "merchantSku": "CASE-1", "VaryantGroupID": "CASE-1", "Barcode": "8690000000001",
            "UrunAdi": "Şeffaf Telefon Kılıfı", "UrunAciklamasi": "Darbeye dayanıklı, ince silikon kılıf.",
            "Marka": "Acme", "GarantiSuresi": 24, "kg": "0.5", "tax_vat_rate": "20", "price": "149,90",
            "stock": "7",  # 10 minus the buffer of 3
            "Image1": "https://img.example.com/CASE-1/1.jpg", "Image2": "https://img.example.com/CASE-1/2.jpg",
            "Image3": "https://img.example.com/CASE-1/3.jpg",
            "uyumlu_model": "Apple iPhone 15 Pro", "garanti_tipi": "İthalatçı Garantili",
            "renk_variant_property": "Siyah",
        },
    }
    assert sim.requests_total == 0  # building sends nothing


def test_update_payload_sends_only_what_may_change(adapter):
    record = product_record(images=2)
    record.remote_sku = "HBV00000000AB"
    assert adapter.build_product_payload(record, update=True) == {
        "hbSku": "HBV00000000AB", "productName": "Şeffaf Telefon Kılıfı",
        "productDescription": "Darbeye dayanıklı, ince silikon kılıf.",
        "image1": "https://img.example.com/CASE-1/1.jpg", "image2": "https://img.example.com/CASE-1/2.jpg",
        "attributes": {"uyumlu_model": "Apple iPhone 15 Pro", "garanti_tipi": "İthalatçı Garantili",
                       "renk_variant_property": "Siyah"},
    }


def test_a_full_batch_stays_under_the_request_limits(sim, adapter):
    long_text = "Uzun ürün açıklaması; " * 150  # ~3.3 kB of Turkish text per product
    records = [product_record(f"BIG-{i:04d}", images=10, UrunAciklamasi=long_text)
               for i in range(adapter.batch_size("product"))]
    body = encode_import_file([adapter.build_product_payload(r) for r in records])
    assert len(body) < adapter.max_request_bytes
    submission = adapter.send_products(records)
    assert submission.remote_id and len(submission.sent) == 1000
    with pytest.raises(ValueError, match="at most 1000"):
        adapter.send_products(records + [product_record("ONE-TOO-MANY")])


def test_an_oversize_file_is_refused_before_sending(sim, adapter):
    adapter.max_request_bytes = 10_000
    with pytest.raises(ValueError, match=r"bytes; Hepsiburada accepts at most 10000 bytes per request: send fewer"):
        adapter.send_products([product_record(f"S-{i}") for i in range(20)])
    assert sim.requests_total == 0 and sim.catalog_counters()["imports_total"] == 0


# --- import, approval, status ----------------------------------------------------------------
def test_import_waits_then_is_matched_and_on_sale(sim, adapter):
    sim.configure(approval_delay=30)  # approved by hand below, so the waiting state cannot slip by
    submission = adapter.send_products([product_record("CASE-1"), product_record("CASE-1", stock=4)])
    assert list(submission.sent) == ["CASE-1"] and submission.sent["CASE-1"]["attributes"]["stock"] == "4"
    assert submission.exchange["method"] == "POST" and "demo-service-key" not in json.dumps(submission.exchange)
    assert adapter.poll("product", submission.remote_id).done is False  # still being validated
    status = wait_done(adapter, "product", submission.remote_id)
    [result] = status.results
    assert (result.sku, result.ok, result.state) == ("CASE-1", True, PENDING_APPROVAL)
    assert adapter.product_statuses(["CASE-1"])["CASE-1"].state == PENDING_APPROVAL
    assert sim.listing("CASE-1") is None and list(adapter.list_listings()) == []
    assert sim.approve_products(["CASE-1"]) == 1
    assert sim.wait_until_catalog_settled(1)  # the timed approval was dropped, nothing is left pending
    status = adapter.product_statuses(["CASE-1", "NEVER-SENT"])
    assert status["CASE-1"].remote_sku == sim.catalog_product("CASE-1")["hbSku"]
    assert status["NEVER-SENT"].state == NOT_FOUND
    [listing] = list(adapter.list_listings())
    assert (listing.sku, listing.price, listing.stock, listing.on_sale) == ("CASE-1", Decimal("149.9"), 4, True)
    # the matched product is a listing: the existing stock and price path works on it
    stock = adapter.send_stock([StockRecord("CASE-1", 25)])
    price = adapter.send_prices([PriceRecord("CASE-1", Decimal("139.90"))])
    assert all(r.ok for r in wait_done(adapter, "productstock", stock.remote_id).results)
    assert all(r.ok for r in wait_done(adapter, "productprice", price.remote_id).results)
    assert (sim.listing("CASE-1")["availableStock"], sim.listing("CASE-1")["price"]) == (25, 139.9)


def test_poll_after_approval_reports_on_sale_with_the_remote_sku(sim, adapter):
    submission = adapter.send_products([product_record("CASE-1")])
    settle(sim)
    [result] = adapter.poll("product", submission.remote_id).results
    assert (result.ok, result.state, result.remote_sku) == (True, ON_SALE, sim.catalog_product("CASE-1")["hbSku"])
    assert result.message == f"on sale on Hepsiburada as {result.remote_sku}"


VALIDATION_CASES = {
    "NO-COLOUR": ({"attributes": []}, "Renk attribute is required (renk_variant_property)"),
    "BAD-COLOUR": (
        {"attributes": [AttributeChoice("renk_variant_property", "Renk", value_ids=["?"], value_names=["Gökkuşağı"]),
                        AttributeChoice("uyumlu_model", "Uyumlu Model", value_names=["Apple iPhone 15"]),
                        AttributeChoice("garanti_tipi", "Garanti Tipi", value_names=["Garantisiz"])]},
        "Renk : Gökkuşağı was not defined for Telefon Kılıfı attribute set (renk_variant_property)"),
    "ELEVEN-IMAGES": ({"images": 11}, "The number of photos for the products to be sent must not exceed 10 (11 sent)"),
    "INNER-NODE": ({"category_id": leaf_id("Elektronik", "Telefon Aksesuarları")},
                   "is not a leaf category; products can only be created under leaf categories"),
    "UNAVAILABLE": ({"category_id": leaf_id("Elektronik", "TV, Görüntü ve Ses", "Kaset Çalar")},
                    "does not accept products (status ACTIVE, available false)"),
    "ZERO-PRICE": ({"price": Decimal("0")}, "price: '0,00' is not a valid price; send a positive amount"),
}


def test_each_refusal_comes_back_per_product_with_its_reason(sim, adapter):
    records = [product_record("GOOD")]
    for sku, (changes, _) in VALIDATION_CASES.items():
        changes = dict(changes)
        images = changes.pop("images", 2)
        records.append(product_record(sku, images=images, **changes))
    submission = adapter.send_products(records)
    results = {r.sku: r for r in wait_done(adapter, "product", submission.remote_id).results}
    assert set(results) == {"GOOD", *VALIDATION_CASES}
    assert (results["GOOD"].ok, results["GOOD"].state) == (True, PENDING_APPROVAL)
    for sku, (_, reason) in VALIDATION_CASES.items():
        assert (results[sku].ok, results[sku].state) == (False, REJECTED), sku
        assert reason in results[sku].message, (sku, results[sku].message)
    assert "Uyumlu Model attribute is required" in results["NO-COLOUR"].message
    settle(sim)
    statuses = adapter.product_statuses(list(results))
    assert statuses["GOOD"].state == ON_SALE
    assert {sku for sku, s in statuses.items() if s.state == NOT_FOUND} == set(VALIDATION_CASES)


def test_eleven_images_refused_by_check_product_and_by_hepsiburada(sim, adapter):
    record = product_record("MANY", images=11)
    assert any("must not exceed 10" in problem for problem in adapter.check_product(record))
    assert "Image11" in adapter.build_product_payload(record)["attributes"]  # the payload stays exact
    [result] = wait_done(adapter, "product", adapter.send_products([record]).remote_id).results
    assert not result.ok and "must not exceed 10 (11 sent)" in result.message


def test_rejection_after_review_carries_the_reasons(sim, adapter):
    sim.reject_products(["CASE-1"], ["Görseller ürünü net göstermiyor", "Marka bilgisi hatalı"])
    submission = adapter.send_products([product_record("CASE-1"), product_record("CASE-2")])
    settle(sim)
    statuses = adapter.product_statuses(["CASE-1", "CASE-2"])
    assert (statuses["CASE-1"].state, statuses["CASE-1"].reasons) == (
        REJECTED, ["Görseller ürünü net göstermiyor", "Marka bilgisi hatalı"])
    assert statuses["CASE-2"].state == ON_SALE
    results = {r.sku: r for r in adapter.poll("product", submission.remote_id).results}
    assert (results["CASE-1"].ok, results["CASE-1"].state) == (False, REJECTED)
    assert results["CASE-1"].message == "BLOCKED by Hepsiburada: Görseller ürünü net göstermiyor; Marka bilgisi hatalı"
    assert sim.listing("CASE-1") is None  # a blocked product never goes on sale


def test_a_rejected_product_imported_again_goes_on_sale(sim, adapter):
    sim.reject_products(["CASE-1"], ["Açıklama yetersiz"])
    adapter.send_products([product_record("CASE-1")])
    settle(sim)
    assert adapter.product_statuses(["CASE-1"])["CASE-1"].state == REJECTED
    adapter.send_products([product_record("CASE-1", UrunAciklamasi="Çok daha ayrıntılı bir açıklama.")])
    settle(sim)
    assert adapter.product_statuses(["CASE-1"])["CASE-1"].state == ON_SALE


def test_poll_by_another_adapter_matches_results_to_the_given_skus(sim, adapter, make_adapter):
    submission = adapter.send_products([product_record("CASE-1"), product_record("CASE-2", images=0)])
    other = make_adapter()
    status = wait_done(other, "product", submission.remote_id, skus=[*submission.sent, "NOT-IN-FILE"])
    results = {r.sku: r for r in status.results}
    assert (results["CASE-1"].ok, results["CASE-2"].ok) == (True, False)
    assert "Görsel 1 attribute is required (Image1)" in results["CASE-2"].message
    assert results["NOT-IN-FILE"].state == NOT_FOUND and "does not list this product" in results["NOT-IN-FILE"].message


def test_statuses_of_many_skus_are_asked_in_chunks(sim, adapter):
    skus = [f"S-{i}" for i in range(150)]
    statuses = adapter.product_statuses(skus)
    assert len(statuses) == 150 and {s.state for s in statuses.values()} == {NOT_FOUND}
    assert sim.requests_total == 2  # 100 + 50, and no listing lookups for products not on sale


def test_status_mapping_and_reasons_from_recorded_shapes():
    """Every documented product status maps to a state; reasons and hbSku come from their own endpoints."""
    statuses = {"M": "MATCHED", "W": "WAITING", "B": "BLOCKED", "P": "PRE_MATCHED", "I": "MISSING_INFO",
                "C": "CREATED", "N": "SOMETHING_NEW"}
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("check-product-status"):
            skus = json.loads(request.content)[0]["merchantSkuList"]
            found = [{"merchantSku": s, "status": statuses[s]} for s in skus if s in statuses]
            data = [{"merchant": "m", "skuStatusList": found}]
            return httpx.Response(200, json={"success": True, "code": 0, "data": data})
        if request.url.path.endswith("products-by-merchant-and-status"):
            status = request.url.params["productStatus"]
            rows = {"BLOCKED": [{"merchantSku": "B", "productStatus": "BLOCKED",
                                 "rejectReasonsMessages": ["Yasaklı ürün"]}],
                    "MISSING_INFO": [{"merchantSku": "I", "productStatus": "MISSING_INFO",
                                      "validationResults": [{"attributeName": "Barcode", "message": "Barkod eksik"}]}]}
            return httpx.Response(200, json={"success": True, "code": 0, "totalPages": 1, "last": True,
                                             "data": rows.get(status, [])})
        assert request.url.path == "/listings/merchantid/m"
        listings = [{"merchantSku": "M", "hepsiburadaSku": "HBV0000000001"},
                    {"merchantSku": "C", "hepsiburadaSku": "HBV0000000002"}]
        return httpx.Response(200, json={"totalCount": 2, "listings": listings})

    adapter = HepsiburadaAdapter(
        {"listing_url": "https://listing.invalid", "base_url": "https://mpop.invalid", "merchant_id": "m",
         "password": "p", "user_agent": "ua"}, budget=None, transport=httpx.MockTransport(handler))
    out = adapter.product_statuses([*statuses, "X"])
    assert {sku: s.state for sku, s in out.items()} == {
        "M": ON_SALE, "W": PENDING_APPROVAL, "B": REJECTED, "P": PENDING_APPROVAL, "I": REJECTED, "C": ON_SALE,
        "N": PENDING_APPROVAL, "X": NOT_FOUND}
    assert out["B"].reasons == ["Yasaklı ürün"]
    assert out["I"].reasons == ["Barkod eksik (Barcode)"]
    assert (out["M"].remote_sku, out["C"].remote_sku, out["W"].remote_sku) == ("HBV0000000001", "HBV0000000002", None)
    assert calls.count("/listings/merchantid/m") == 1
    adapter.close()


# --- updates ------------------------------------------------------------------------------------
def test_update_of_a_product_on_sale(sim, adapter):
    adapter.send_products([product_record("CASE-1")])
    settle(sim)
    changed = product_record("CASE-1", UrunAdi="Yeni Kılıf Adı", images=3)  # no remote_sku: found in the listings
    submission = adapter.send_products([changed], update=True)
    hb_sku = sim.catalog_product("CASE-1")["hbSku"]
    assert submission.remote_id.startswith("update:") and submission.sent["CASE-1"]["hbSku"] == hb_sku
    [result] = wait_done(adapter, "product", submission.remote_id).results
    assert (result.sku, result.ok, result.state, result.remote_sku) == ("CASE-1", True, ON_SALE, hb_sku)
    product = sim.catalog_product("CASE-1")
    assert product["productName"] == "Yeni Kılıf Adı" and len(product["images"]) == 3


def test_refused_update_keeps_the_product_on_sale_and_says_why(sim, adapter):
    adapter.send_products([product_record("CASE-1")])
    settle(sim)
    bad = product_record("CASE-1", attributes=[AttributeChoice("renk_variant_property", "Renk",
                                                               value_names=["Gökkuşağı"])])
    submission = adapter.send_products([bad], update=True)
    [result] = wait_done(adapter, "product", submission.remote_id).results
    assert (result.ok, result.state) == (False, ON_SALE)
    assert result.message == "ATTRIBUTE: Renk : Gökkuşağı was not defined for Telefon Kılıfı attribute set"


def test_update_of_products_not_on_sale(sim, adapter):
    adapter.send_products([product_record("CASE-1")])
    settle(sim)
    only_missing = adapter.send_products([product_record("NEW-1")], update=True)
    assert only_missing.remote_id is None
    [skipped] = only_missing.results
    assert (skipped.sku, skipped.ok, skipped.state) == ("NEW-1", False, NOT_FOUND)
    assert "not on sale on Hepsiburada yet" in skipped.message
    mixed = adapter.send_products([product_record("CASE-1"), product_record("NEW-1")], update=True)
    assert list(mixed.sent) == ["CASE-1"]
    results = {r.sku: r for r in wait_done(adapter, "product", mixed.remote_id).results}
    assert results["CASE-1"].ok and (results["NEW-1"].ok, results["NEW-1"].state) == (False, NOT_FOUND)


# --- deletes ------------------------------------------------------------------------------------
def test_delete_sets_stock_to_zero(sim, make_adapter):
    adapter = make_adapter(buffer_stock=2)
    adapter.send_products([product_record("CASE-1")])
    settle(sim)
    assert sim.listing("CASE-1")["isSalable"] is True
    submission = adapter.delete_products([StockRecord("CASE-1", 99), StockRecord("GHOST", 1)])
    assert submission.sent["CASE-1"] == {"merchantSku": "CASE-1", "availableStock": 0}
    results = {r.sku: r for r in wait_done(adapter, "product_delete", submission.remote_id).results}
    assert results["CASE-1"].ok
    assert results["GHOST"].ok and results["GHOST"].message == "no listing on Hepsiburada: nothing on sale to take off"
    listing = sim.listing("CASE-1")
    assert (listing["availableStock"], listing["isSalable"]) == (0, False)
    assert sim.history("CASE-1")[-1]["value"] == 0


def test_delete_batch_size_is_checked(adapter):
    with pytest.raises(ValueError, match="at most 4000"):
        adapter.delete_products([StockRecord(f"S{i}", 0) for i in range(4001)])


# --- configuration --------------------------------------------------------------------------------
def test_catalog_needs_base_url_but_listing_works_without_it(sim):
    config = {k: v for k, v in sim.adapter_config().items() if k != "base_url"}
    adapter = HepsiburadaAdapter(config, budget=None)
    assert list(adapter.list_listings()) == []
    with pytest.raises(ConfigError, match="base_url is required"):
        list(adapter.fetch_categories([]))
    adapter.close()


def test_phone_case_fixture_is_an_open_leaf():
    node = catalog_data.find_category(*PHONE_CASE)
    assert catalog_data.can_take_products(node)
