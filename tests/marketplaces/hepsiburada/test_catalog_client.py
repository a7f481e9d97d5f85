"""The catalog (mpop) client against the simulator: paging, uploads, and every failure mapped."""

from __future__ import annotations

import json

import httpx
import pytest

from mpdash.marketplaces.errors import (
    Action,
    AuthError,
    ConfigError,
    MalformedResponse,
    RateLimited,
    RequestRejected,
    TransientError,
)
from mpdash.marketplaces.hepsiburada import catalog_data
from mpdash.marketplaces.hepsiburada.client import HepsiburadaCatalogClient, catalog_budget

from .conftest import MID, import_item, leaf_id, wait_for

ALL_NODES = len(catalog_data.categories())
OPEN_LEAVES = sum(1 for node in catalog_data.categories() if catalog_data.can_take_products(node))


def mock_client(handler) -> HepsiburadaCatalogClient:
    return HepsiburadaCatalogClient("https://mpop.invalid", merchant_id=MID, username=MID, password="key-12345",
                                    user_agent="ua", transport=httpx.MockTransport(handler))


# --- categories and attributes ----------------------------------------------------------
def test_categories_page_through_the_whole_tree(catalog_client):
    seen, page = [], 0
    while True:
        answer = catalog_client.get_categories(page, 100)
        seen += answer.data
        page += 1
        if answer.last:
            break
    assert page == answer.total_pages == -(-ALL_NODES // 100)
    assert answer.total_elements == ALL_NODES == len({node.category_id for node in seen})
    assert {node.leaf for node in seen} == {True, False}  # the empty filters return inner nodes too
    assert sum(node.can_take_products for node in seen) == OPEN_LEAVES


def test_category_filters_are_sent(catalog_client):
    answer = catalog_client.get_categories(0, 2000, leaf=True, status="ACTIVE", available=True)
    assert answer.total_elements == OPEN_LEAVES and all(node.can_take_products for node in answer.data)
    inner = catalog_client.get_categories(0, 2000, leaf=False)
    assert inner.data and not any(node.leaf for node in inner.data)
    sent = json.loads(catalog_client.last_exchange()["request"])
    assert sent == {"leaf": "false", "status": "", "available": "", "page": 0, "size": 2000}


def test_category_page_size_is_checked_before_sending(sim, catalog_client):
    with pytest.raises(ValueError, match="between 1 and 2000"):
        catalog_client.get_categories(0, 2001)
    assert sim.requests_total == 0


def test_attributes_of_a_leaf(catalog_client):
    attributes = catalog_client.get_attributes(leaf_id())
    assert [a.id for a in attributes.variant_attributes] == ["renk_variant_property", "dahili_hafiza_variant_property"]
    model = next(a for a in attributes.attributes if a.id == "uyumlu_model")
    assert (model.name, model.mandatory, model.type, model.multi_value) == ("Uyumlu Model", True, "enum", True)
    assert "UrunAdi" in {a.id for a in attributes.base_attributes}


def test_attributes_of_an_inner_node_are_refused(catalog_client):
    inner = str(catalog_data.find_category("Elektronik", "Telefon Aksesuarları")["categoryId"])
    with pytest.raises(RequestRejected, match="leaf=true and available=true") as caught:
        catalog_client.get_attributes(inner)
    assert caught.value.status_code == 400
    with pytest.raises(RequestRejected) as caught:
        catalog_client.get_attributes("1")
    assert caught.value.status_code == 404


def test_attribute_values_are_paged(catalog_client):
    first = catalog_client.get_attribute_values(leaf_id(), "uyumlu_model", 0, 1000)
    second = catalog_client.get_attribute_values(leaf_id(), "uyumlu_model", 1, 1000)
    assert (first.total_elements, first.total_pages, first.last, second.last) == (1157, 2, False, True)
    assert len(first.data) == 1000 and len(second.data) == 157
    assert len({v.id for v in first.data + second.data}) == 1157
    with pytest.raises(ValueError, match="between 1 and 1000"):
        catalog_client.get_attribute_values(leaf_id(), "uyumlu_model", 0, 1001)


# --- products -----------------------------------------------------------------------------
def test_import_is_a_multipart_json_file_and_its_status_is_read(sim, catalog_client):
    tracking_id = catalog_client.import_products([import_item("A-1")])
    assert sim.catalog_import(tracking_id)["items"][0]["attributes"]["merchantSku"] == "A-1"
    exchange = catalog_client.last_exchange()
    assert exchange["method"] == "POST" and '"merchantSku":"A-1"' in exchange["request"]
    assert "demo-service-key" not in json.dumps(catalog_client.exchanges[-1].as_dict())
    first = catalog_client.get_import_status(tracking_id)
    assert [(i.merchant_sku, i.import_status) for i in first.data] == [("A-1", "PROCESSING")]
    done = wait_for(lambda: catalog_client.get_import_status(tracking_id).data[0].import_status == "SUCCESS")
    assert done
    assert catalog_client.get_import_status(tracking_id).data[0].product_status == "WAITING"


def test_multipart_request_carries_file_part_auth_and_user_agent():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["headers"], seen["body"] = request.headers, request.read()
        return httpx.Response(200, json={"success": True, "code": 0, "data": {"trackingId": "t-1"}})

    client = mock_client(handler)
    assert client.import_products([{"categoryId": 1, "merchant": MID, "attributes": {"UrunAdi": "Kılıf"}}]) == "t-1"
    assert seen["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert seen["headers"]["user-agent"] == "ua" and seen["headers"]["authorization"].startswith("Basic ")
    assert b'name="file"; filename="integrator.json"' in seen["body"]
    assert "Kılıf".encode() in seen["body"]  # UTF-8 as it is, not \\u escapes
    assert "key-12345" not in repr(client) and "key-12345" not in str(client.last_exchange())


def test_check_product_status_leaves_unknown_skus_out(sim, catalog_client):
    catalog_client.import_products([import_item("A-1")])
    assert sim.wait_until_catalog_settled(5)
    statuses = catalog_client.check_product_status(["A-1", "NOPE"])
    assert [(s.merchant_sku, s.status) for s in statuses] == [("A-1", "MATCHED")]
    with pytest.raises(ValueError, match="at most 100"):
        catalog_client.check_product_status([f"S{i}" for i in range(101)])


def test_products_by_status_carry_reject_reasons(sim, catalog_client):
    sim.reject_products(["A-1"], ["Görseller yetersiz"])
    catalog_client.import_products([import_item("A-1"), import_item("A-2")])
    assert sim.wait_until_catalog_settled(5)
    blocked = catalog_client.products_by_status("BLOCKED")
    assert [(p.merchant_sku, p.reasons()) for p in blocked.data] == [("A-1", ["Görseller yetersiz"])]
    matched = catalog_client.products_by_status("MATCHED")
    assert [p.merchant_sku for p in matched.data] == ["A-2"] and matched.data[0].hb_sku.startswith("HBV")


def test_update_upload_and_status(sim, catalog_client):
    catalog_client.import_products([import_item("A-1")])
    assert sim.wait_until_catalog_settled(5)
    hb_sku = sim.catalog_product("A-1")["hbSku"]
    tracking_id = catalog_client.update_products([{"hbSku": hb_sku, "productName": "Yeni Ad"}])
    assert catalog_client.get_update_status(tracking_id).data[0].items[0].product_status == "UNCOMPLETED"
    assert sim.wait_until_catalog_settled(5)
    item = catalog_client.get_update_status(tracking_id).data[0].items[0]
    assert (item.hb_sku, item.product_status, item.update_results[0].field_result) == (hb_sku, "COMPLETED", "APPROVED")
    assert sim.catalog_product("A-1")["productName"] == "Yeni Ad"


# --- failures -----------------------------------------------------------------------------
def test_429_raises_rate_limited(sim, catalog_client):
    sim.configure(fault={"mode": "429", "count": 1, "path": "/product/"})
    with pytest.raises(RateLimited) as caught:
        catalog_client.get_attributes(leaf_id())
    assert caught.value.retry_after == 2.0 and caught.value.action is Action.RETRY_LATER
    assert catalog_client.get_attributes(leaf_id()).attributes  # the fault cleared itself


def test_catalog_request_limit_403_means_retry_later(sim, catalog_client):
    sim.configure(catalog_rate_limit=2)
    with pytest.raises(RateLimited, match="100 per second") as caught:
        for _ in range(6):  # even if a second boundary falls inside, the third call in one window is refused
            catalog_client.get_categories(0, 1)
    assert caught.value.status_code == 403 and caught.value.retry_after == 5.0


def test_5xx_raises_transient_error_and_nothing_is_imported(sim, catalog_client):
    sim.configure(fault={"mode": "5xx", "count": 1, "path": "products/import", "status": 502})
    with pytest.raises(TransientError) as caught:
        catalog_client.import_products([import_item("A-1")])
    assert caught.value.status_code == 502 and sim.catalog_counters()["imports_total"] == 0


def test_timeout_raises_transient_error(sim, make_catalog_client):
    sim.configure(fault={"mode": "timeout", "count": 1, "path": None}, timeout_sleep=3)
    with pytest.raises(TransientError, match="did not answer in time"):
        make_catalog_client(timeout=httpx.Timeout(0.5)).get_categories(0, 10)


def test_malformed_answer_raises_malformed_response(sim, catalog_client):
    sim.configure(fault={"mode": "malformed", "count": 1, "path": "status"})
    with pytest.raises(MalformedResponse, match="not JSON"):
        catalog_client.get_import_status("anything")


@pytest.mark.parametrize(
    ("answer", "match"),
    [
        ({"success": True, "code": 0, "data": {}}, "trackingId"),
        ({"success": True, "code": 0, "data": None}, "data"),
        ({"success": True, "code": 0}, "data"),
    ],
)
def test_unexpected_import_answer_raises_malformed_response(answer, match):
    client = mock_client(lambda request: httpx.Response(200, json=answer))
    with pytest.raises(MalformedResponse, match=rf"POST /product/api/products/import: .*{match}"):
        client.import_products([{"categoryId": 1}])


def test_success_false_in_a_200_is_a_rejection():
    body = {"success": False, "code": 1005, "version": 1, "message": "Kategori bulunamadı", "data": None}
    client = mock_client(lambda request: httpx.Response(200, json=body))
    with pytest.raises(RequestRejected, match="code 1005.*Kategori bulunamadı") as caught:
        client.get_categories(0, 10)
    assert caught.value.action is Action.PENALISE


def test_unknown_tracking_id_is_rejected(catalog_client):
    with pytest.raises(RequestRejected) as caught:
        catalog_client.get_import_status("no-such-import")
    assert caught.value.status_code == 404


def test_oversize_file_is_rejected_with_advice(sim, catalog_client):
    sim.configure(max_import_bytes=2000)
    with pytest.raises(RequestRejected, match="send fewer products") as caught:
        catalog_client.import_products([import_item(f"A-{i}") for i in range(10)])
    assert caught.value.status_code == 413


def test_wrong_credentials_and_user_agent_raise_auth_error(make_catalog_client):
    with pytest.raises(AuthError) as caught:
        make_catalog_client(password="wrong").get_categories(0, 1)
    assert caught.value.status_code == 401 and caught.value.action is Action.FAIL_RUN
    with pytest.raises(AuthError) as caught:  # a 403 that is not the request limit stays an auth error
        make_catalog_client(user_agent="someone").get_categories(0, 1)
    assert caught.value.status_code == 403


def test_missing_base_url_raises_config_error():
    with pytest.raises(ConfigError, match="base_url"):
        HepsiburadaCatalogClient(" ", merchant_id="m", username="m", password="p", user_agent="ua")


def test_catalog_budget_is_shared_per_ip():
    budget = catalog_budget()
    assert budget.key == "hepsiburada:catalog"
    assert [(spec.calls, spec.per_seconds) for spec in budget.specs] == [(80, 1)]
