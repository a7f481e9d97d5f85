"""The answer models parse recorded-style answers (one test per fixture) and refuse odd ones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mpdash.marketplaces.errors import MalformedResponse
from mpdash.marketplaces.trendyol.models import (
    AttributeValuesPage,
    BatchAccepted,
    BatchResult,
    BrandList,
    CategoryAttributes,
    CategoryTree,
    ClaimsPage,
    PackagesPage,
    ProductsPage,
    error_messages,
    parse_answer,
)

from .conftest import load_fixture


def test_batch_create_completed_fixture():
    result = parse_answer(BatchResult, load_fixture("batch_create_completed.json"), "GET")
    assert result.is_finished and result.batch_request_type == "ProductV2OnBoarding"
    ok, failed = result.items
    assert ok.is_success and ok.barcode == "11111122222" and ok.stock_code == "STK-test"
    assert ok.product["attributes"] == [{"attributeId": 338, "attributeValueId": 6980}]
    assert not failed.is_success and failed.is_final
    assert failed.failure_reasons[0].endswith("Eksik alan: Renk")
    assert (result.item_count, result.failed_item_count) == (2, 1)


def test_batch_inventory_done_fixture_has_no_batch_status():
    result = parse_answer(BatchResult, load_fixture("batch_inventory_done.json"), "GET")
    assert result.status is None and result.is_finished  # finished by its item statuses
    assert result.items[0].barcode == "8696947006698" and result.items[0].request_item["quantity"] == 0
    assert result.items[1].failure_reasons == ["Stok adedi 20000'den büyük olamaz"]


def test_batch_inventory_in_progress_fixture():
    result = parse_answer(BatchResult, load_fixture("batch_inventory_in_progress.json"), "GET")
    assert not result.is_finished


def test_batch_finish_rules():
    base = {"batchRequestId": "b-1"}
    assert not parse_answer(BatchResult, {**base, "status": "IN_PROGRESS"}, "GET").is_finished
    assert not parse_answer(BatchResult, {**base, "items": []}, "GET").is_finished  # nothing known yet
    partial = {**base, "itemCount": 2, "items": [{"requestItem": {"barcode": "A"}, "status": "SUCCESS"}]}
    assert not parse_answer(BatchResult, partial, "GET").is_finished
    failure = {**base, "items": [{"requestItem": None, "status": "FAILURE", "failureReasons": [{"message": "x"}]}]}
    parsed = parse_answer(BatchResult, failure, "GET")
    assert parsed.is_finished and parsed.items[0].failure_reasons == ["x"] and parsed.items[0].barcode is None


def test_category_tree_fixture_and_bare_list():
    tree = parse_answer(CategoryTree, load_fixture("category_tree.json"), "GET")
    root = tree.categories[0]
    assert (root.id, root.parent_id) == (368, None)
    assert [c.name for c in root.sub_categories[0].sub_categories] == ["Atkı", "Bere"]
    bare = parse_answer(CategoryTree, load_fixture("category_tree.json")["categories"], "GET")
    assert bare.categories[0].sub_categories[0].id == 1162


def test_category_attributes_fixture():
    answer = parse_answer(CategoryAttributes, load_fixture("category_attributes.json"), "GET")
    size, maker = answer.category_attributes
    assert (size.attribute.id, size.required, size.varianter, size.allow_custom) == (293, True, True, False)
    assert (maker.attribute.name, maker.allow_custom, maker.allow_multiple) == ("Üretici Bilgisi", True, False)


def test_attribute_values_fixture_and_other_spellings():
    page = parse_answer(AttributeValuesPage, load_fixture("attribute_values_page.json"), "GET")
    assert (page.total_pages, page.content[0].id, page.content[0].name) == (1, 4872, "Tek Ebat")
    other = parse_answer(AttributeValuesPage, {"content": [{"attributeValueId": 1, "attributeValue": "S"},
                                                           {"id": 2, "name": "M"}]}, "GET")
    assert [(v.id, v.name) for v in other.content] == [(1, "S"), (2, "M")]


def test_filter_products_fixture():
    page = parse_answer(ProductsPage, load_fixture("filter_products_page.json"), "GET")
    live, rejected = page.content
    assert live.approved and live.on_sale and live.sale_price == Decimal("120.99") and live.quantity == 100
    assert live.reject_reason_details == [] and live.product_content_id == 9511264
    assert rejected.rejected and not rejected.approved
    assert rejected.reject_reason_details[0].text == ("Zorunlu Ürün Özellik Değeri Eksik/Yanlış: "
                                                      "Renk bilgisi görsel ile uyumsuz")


def test_brand_answers():
    assert parse_answer(BrandList, [{"id": 40, "name": "TRENDYOLMİLLA"}], "GET").root[0].id == 40


def test_error_bodies():
    assert error_messages(load_fixture("error_401.json")) == ["ClientApiAuthenticationException"]
    assert error_messages(load_fixture("error_400.json")) == ["invalid.barcode: Barkod formatı geçersiz"]
    assert error_messages({"error": "Too Many Requests", "message": "too.many.requests"}) == [
        "Too Many Requests", "too.many.requests"]
    assert error_messages("plain") == ["plain"]


@pytest.mark.parametrize(
    ("model", "data", "names"),
    [
        (BatchAccepted, {"id": "x"}, "batchRequestId"),
        (BatchAccepted, {"batchRequestId": ""}, "batchRequestId"),
        (BatchResult, {"batchRequestId": "x", "items": "oops"}, "items"),
        (CategoryTree, {"categories": [{"name": "no id"}]}, "id"),
        (ProductsPage, {"content": []}, "totalElements"),
        (ProductsPage, {"totalElements": 1, "content": [{"quantity": "many"}]}, "quantity"),
    ],
)
def test_unexpected_answers_raise_malformed_response(model, data, names):
    with pytest.raises(MalformedResponse) as caught:
        parse_answer(model, data, "GET /x")
    message = str(caught.value)
    assert message.startswith("GET /x: unexpected answer from Trendyol")
    assert names in message
    assert "pydantic" not in message.lower()


def test_empty_answer_raises_malformed_response():
    with pytest.raises(MalformedResponse, match="empty body"):
        parse_answer(BatchResult, None, "GET /x")


def test_shipment_packages_fixture_in_the_older_field_names():
    from mpdash.marketplaces.trendyol.adapter import TrendyolAdapter

    page = parse_answer(PackagesPage, load_fixture("shipment_packages_page.json"), "GET")
    package = page.content[0]
    assert (package.id, package.order_number, package.status) == ("11650604", "80869231", "Delivered")
    assert package.cargo_tracking_number == "7280027504111" and package.shipment_address.postal_code == "34485"
    line = package.lines[0]
    assert (line.line_id, line.unit_price, line.gross_amount, line.merchant_sku) == (
        "56040534", Decimal("338.00"), Decimal("338.00"), "merchantSku")
    order = TrendyolAdapter._remote_order(package)
    assert (order.package_id, order.status, order.amount, order.placed_at.year) == ("11650604", "delivered",
                                                                                 Decimal("338.00"), 2018)
    assert order.lines[0].sku == "merchantSku" and order.lines[0].remote_sku == "8680000000"
    assert (order.shipping_address.township, order.shipping_address.district) == ("Şişli", "Maslak Mah.")
    assert (order.billing_address.company, order.billing_address.tax_number) == ("Trendyol Ltd.", "1234567890")
    assert order.billing_address.line == "Büyükdere Caddesi No:1"
    assert order.raw["packageHistories"][0]["status"] == "Created"


def test_claims_fixture():
    from mpdash.marketplaces.trendyol.adapter import TrendyolAdapter

    claim = parse_answer(ClaimsPage, load_fixture("claims_page.json"), "GET").content[0]
    unit = claim.items[0].claim_items[0]
    assert (unit.status_name, unit.customer_reason.id, claim.outbound_package_id) == ("WaitingInAction", "401", "11650604")
    remote = TrendyolAdapter._remote_claim(claim)
    assert (remote.claim_id, remote.package_id, remote.status) == (claim.id, "11650604", "waiting_action")
    assert [(x.line_id, x.sku, x.quantity, x.reason_text) for x in remote.lines] == [
        ("56040534", "merchantSku", 1, "Vazgeçtim")]
    assert remote.modified_at > remote.created_at


def test_claim_status_of_mixed_units():
    from mpdash.marketplaces.trendyol.adapter import TrendyolAdapter

    data = load_fixture("claims_page.json")
    units = data["content"][0]["items"][0]["claimItems"]
    units.append({**units[0], "id": "second", "claimItemStatus": {"name": "Rejected"}})
    units[0]["claimItemStatus"] = "Accepted"  # a plain status name is read too
    claim = parse_answer(ClaimsPage, data, "GET").content[0]
    assert TrendyolAdapter._remote_claim(claim).status == "accepted"
    units[0]["claimItemStatus"] = {"name": "InAnalysis"}
    assert TrendyolAdapter._remote_claim(parse_answer(ClaimsPage, data, "GET").content[0]).status == "in_dispute"
