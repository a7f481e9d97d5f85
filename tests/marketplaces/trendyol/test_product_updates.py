"""Updates of products Trendyol already holds: approved ones through the V2 content-bulk-update
(keyed by contentId), variant-bulk-update and delivery-info-bulk-update (keyed by barcode), the
others through unapproved-bulk-update, all in one call as batches whose results ``poll`` merges."""

from __future__ import annotations

import pytest

from mpdash.marketplaces.base import ON_SALE, PENDING_APPROVAL

from .conftest import dress_record, wait_done, wait_state


def wait_batch(adapter, batch_id: str):
    import time

    for _ in range(100):
        answer = adapter.client.get_batch_result(batch_id)
        if answer.is_finished:
            return answer
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} did not finish")


def _approved(sim, adapter, *skus: str) -> None:
    submission = adapter.send_products([dress_record(sim.catalog, sku) for sku in skus])
    assert all(r.ok for r in wait_done(adapter, "product", submission.remote_id).results)
    for sku in skus:
        assert wait_state(adapter, sku, ON_SALE).state == ON_SALE


def _paths(sim) -> list[str]:
    return [entry["kind"] for entry in sim.history()]


def test_approved_product_goes_through_content_bulk_update(sim, adapter, make_adapter):
    _approved(sim, adapter, "A1")
    content_id = sim.product("BC-A1")["productContentId"]
    changed = dress_record(sim.catalog, "A1", title="Yeni başlık A1", description="<p>Yeni açıklama</p>",
                           images=["https://cdn.example.com/A1/new.jpg"])
    submission = adapter.send_products([changed], update=True)
    sent = submission.sent["A1"]
    assert sent["contentId"] == content_id
    assert set(sent) == {"contentId", "title", "description", "images", "attributes",  # no stock, no prices
                         "barcode", "stockCode", "vatRate", "dimensionalWeight"}
    _, batch_id, variant_id, delivery_id = submission.remote_id.split("|")
    assert sim.batch(batch_id)["type"] == "ProductV2ContentUpdate" and delivery_id == ""  # no delivery duration
    assert sim.batch(variant_id)["type"] == "ProductV2VariantUpdate"
    assert sim.batch(variant_id)["items"] == [{"barcode": "BC-A1", "stockCode": "A1", "vatRate": sent["vatRate"],
                                               "dimensionalWeight": sent["dimensionalWeight"]}]

    # Polled by another adapter (as the flows do): the contentId is found again by sku.
    result = wait_done(make_adapter(), "product", submission.remote_id, skus=["A1"]).results
    assert [(r.sku, r.ok, r.state) for r in result] == [("A1", True, PENDING_APPROVAL)]

    product = sim.product("BC-A1")
    assert (product["title"], product["description"]) == ("Yeni başlık A1", "<p>Yeni açıklama</p>")
    assert product["images"] == [{"url": "https://cdn.example.com/A1/new.jpg"}]
    assert product["approved"] and product["onSale"]  # still on sale
    assert "content_updated" in _paths(sim)
    # The filter shows the new title too; the approval check brings the state back to on sale.
    assert adapter.client.filter_approved_products(0, 10, barcode="BC-A1").content[0].title == "Yeni başlık A1"
    assert adapter.product_statuses(["A1"])["A1"].state == ON_SALE


def test_unapproved_product_goes_through_unapproved_bulk_update(sim, adapter):
    sim.configure(approval_delay=30)
    created = adapter.send_products([dress_record(sim.catalog, "U1")])
    assert wait_done(adapter, "product", created.remote_id).results[0].ok
    submission = adapter.send_products([dress_record(sim.catalog, "U1", title="Düzeltilmiş U1")], update=True)
    assert "|" not in submission.remote_id and "contentId" not in submission.sent["U1"]
    assert sim.batch(submission.remote_id)["type"] == "ProductV2Update"
    [result] = wait_done(adapter, "product", submission.remote_id).results
    assert (result.sku, result.ok, result.state) == ("U1", True, PENDING_APPROVAL)
    assert sim.product("BC-U1")["title"] == "Düzeltilmiş U1"


@pytest.mark.parametrize("remembered", [True, False])
def test_mixed_batch_sends_two_requests_and_merges_results(sim, adapter, make_adapter, remembered):
    _approved(sim, adapter, "M1", "M2")
    sim.configure(approval_delay=30)
    assert wait_done(adapter, "product", adapter.send_products([dress_record(sim.catalog, "M3")]).remote_id).results[0].ok
    before = sim.batches_total
    records = [dress_record(sim.catalog, "M1", title="Yeni M1"), dress_record(sim.catalog, "M3", title="Yeni M3"),
               dress_record(sim.catalog, "M2", description="<p>Yeni M2</p>")]
    submission = adapter.send_products(records, update=True)
    assert sim.batches_total == before + 3
    unapproved_id, content_id, variant_id, _ = submission.remote_id.split("|")
    assert sim.batch(unapproved_id)["type"] == "ProductV2Update"
    assert sim.batch(content_id)["type"] == "ProductV2ContentUpdate"
    assert [item["barcode"] for item in sim.batch(unapproved_id)["items"]] == ["BC-M3"]
    assert len(sim.batch(content_id)["items"]) == 2
    assert [item["barcode"] for item in sim.batch(variant_id)["items"]] == ["BC-M1", "BC-M2"]

    poller = adapter if remembered else make_adapter()
    status = wait_done(poller, "product", submission.remote_id, skus=["M1", "M3", "M2"])
    assert status.done
    assert sorted((r.sku, r.ok, r.state) for r in status.results) == [
        ("M1", True, PENDING_APPROVAL), ("M2", True, PENDING_APPROVAL), ("M3", True, PENDING_APPROVAL)]
    assert sim.product("BC-M1")["title"] == "Yeni M1"
    assert sim.product("BC-M2")["description"] == "<p>Yeni M2</p>"
    assert sim.product("BC-M3")["title"] == "Yeni M3"


def test_mixed_batch_waits_for_both(sim, adapter):
    _approved(sim, adapter, "W1")
    sim.configure(approval_delay=30)
    assert wait_done(adapter, "product", adapter.send_products([dress_record(sim.catalog, "W2")]).remote_id).results[0].ok
    sim.configure(processing_delay=30)
    submission = adapter.send_products([dress_record(sim.catalog, "W1"), dress_record(sim.catalog, "W2")], update=True)
    assert not adapter.poll("product", submission.remote_id).done


def test_unknown_product_fails_per_item(sim, adapter):
    _approved(sim, adapter, "K1")
    records = [dress_record(sim.catalog, "K1", title="Yeni K1"), dress_record(sim.catalog, "NOPE")]
    submission = adapter.send_products(records, update=True)
    results = {r.sku: r for r in wait_done(adapter, "product", submission.remote_id, skus=["K1", "NOPE"]).results}
    assert results["K1"].ok
    assert not results["NOPE"].ok and "bulunamadı" in results["NOPE"].message


def test_content_update_validation_in_simulator(sim, adapter):
    _approved(sim, adapter, "V1")
    content_id = sim.product("BC-V1")["productContentId"]
    record = dress_record(sim.catalog, "V1")
    attributes = adapter.build_content_payload(record, content_id)["attributes"]
    renk = sim.catalog.value_named(348, "Kırmızı")
    items = [
        {"contentId": 999999, "title": "Yok"},  # unknown product
        {"contentId": content_id, "images": [{"url": f"https://cdn.example.com/{i}.jpg"} for i in range(9)]},
        {"contentId": content_id, "attributes": [a for a in attributes if a["attributeId"] != 1192]},
        {"contentId": content_id, "attributes": [a for a in attributes if a["attributeId"] != 348]
         + [{"attributeId": 348, "attributeValueIds": [renk]}]},  # slicer value cannot change
        {"contentId": content_id, "salePrice": 10.0},
    ]
    answers = []
    for item in items:  # one request each: a contentId appears once per request
        batch_id = adapter.client.update_approved_content([item])
        sim.wait_until_processed()
        answers.append(adapter.client.get_batch_result(batch_id).items[0])
    reasons = [" ".join(a.failure_reasons) for a in answers]
    assert all(a.status == "FAILED" for a in answers), reasons
    assert "Ürün bulunamadı (contentId: 999999)" in reasons[0]
    assert "En fazla 8 görsel" in reasons[1]
    assert "Zorunlu özellik eksik" in reasons[2]
    assert "slicer/varianter" in reasons[3]
    assert "salePrice bu servisle güncellenemez" in reasons[4]
    assert sim.product("BC-V1")["title"] == "Kadın Elbise V1"  # nothing applied

    duplicate = adapter.client.update_approved_content([{"contentId": content_id, "title": "a"},
                                                        {"contentId": content_id, "title": "b"}])
    sim.wait_until_processed()
    assert all("tekrarlanan contentId" in " ".join(i.failure_reasons)
               for i in adapter.client.get_batch_result(duplicate).items)


def test_partial_content_update_changes_only_what_is_sent(sim, adapter):
    sim.add_products([{"barcode": "BC-P2", "title": "Eski başlık"}])
    content_id = sim.product("BC-P2")["productContentId"]
    batch_id = adapter.client.update_approved_content([{"contentId": content_id, "description": "Yeni"}])
    sim.wait_until_processed()
    [item] = adapter.client.get_batch_result(batch_id).items
    assert item.is_success and sim.product("BC-P2")["description"] == "Yeni"
    assert sim.product("BC-P2")["title"] == "Eski başlık"


def test_approved_variant_and_delivery_fields_go_through_v2(sim, make_adapter):
    adapter = make_adapter(delivery_duration=1)
    _approved(sim, adapter, "F1", "F2")
    records = [dress_record(sim.catalog, "F1", vatRate=10, dimensionalWeight=4),
               dress_record(sim.catalog, "F2", vatRate=7)]  # 7 is no Turkish VAT rate: refused per item
    submission = adapter.send_products(records, update=True)
    _, _, variant_id, delivery_id = submission.remote_id.split("|")
    assert sim.batch(delivery_id)["items"][0] == {"barcode": "BC-F1", "deliveryOptions": {"deliveryDuration": 1}}
    results = {r.sku: r for r in wait_done(make_adapter(), "product", submission.remote_id, skus=["F1", "F2"]).results}
    assert results["F1"].ok and (sim.product("BC-F1")["vatRate"], sim.product("BC-F1")["deliveryDuration"]) == (10, 1)
    assert not results["F2"].ok and results["F2"].message.startswith("variant update refused:")
    assert sim.product("BC-F2")["vatRate"] != 7


def test_variant_and_delivery_updates_in_simulator(sim, adapter):
    _approved(sim, adapter, "G1")
    sim.configure(approval_delay=30)
    assert wait_done(adapter, "product", adapter.send_products([dress_record(sim.catalog, "G2")]).remote_id).results[0].ok
    variant = adapter.client.update_approved_variants([
        {"barcode": "BC-G1", "stockCode": "G1-NEW", "lotNumber": "L7", "locationBasedDelivery": "ENABLED"},
        {"barcode": "BC-G2", "vatRate": 10},  # not approved
        {"barcode": "NOPE", "vatRate": 10}])
    price = adapter.client.update_approved_variants([{"barcode": "BC-G1", "salePrice": 10.0}])  # price-and-inventory's
    delivery = adapter.client.update_delivery_info([
        {"barcode": "BC-G1", "deliveryOptions": {"deliveryDuration": 2, "fastDeliveryType": "FAST_DELIVERY"}}])
    reasons = [item.failure_reasons for item in wait_batch(adapter, variant).items]
    assert reasons[0] == [] and "Onaysız" in reasons[1][0] and "bulunamadı" in reasons[2][0]
    assert "salePrice bu servisle güncellenemez" in wait_batch(adapter, price).items[0].failure_reasons[0]
    assert "deliveryDuration 1" in wait_batch(adapter, delivery).items[0].failure_reasons[0]
    product = sim.product("BC-G1")
    assert (product["stockCode"], product["lotNumber"], product["locationBasedDelivery"]) == ("G1-NEW", "L7", "ENABLED")
