"""The simulator refuses what N11 refuses, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from .conftest import HEADERS


def call(sim, method, path, headers=HEADERS, **kw):
    return httpx.request(method, sim.url + path, headers=headers, timeout=5, **kw)


def task(sim, kind, skus):
    return call(sim, "POST", f"/ms/product/tasks/{kind}", json={"payload": {"integrator": "t", "skus": skus}})


def results(sim, answer):
    assert answer.status_code == 200, answer.text
    assert sim.wait_until_processed(3)
    page = call(sim, "POST", "/ms/product/task-details/page-query", json={"taskId": answer.json()["id"]}).json()
    assert page["status"] == "PROCESSED"
    return {row["itemCode"]: row for row in page["skus"]["content"]}


@pytest.mark.parametrize("headers", [{}, {"appkey": "demo-app-key"}, {"appkey": "x", "appsecret": "demo-app-secret"}])
def test_missing_or_wrong_headers_are_refused(sim, headers):
    answer = call(sim, "GET", "/ms/product-query", headers=headers)
    assert answer.status_code == 401 and "app" in answer.json()["message"]


def test_categories_need_only_the_appkey(sim):
    assert call(sim, "GET", "/cdn/categories", headers={"appkey": "demo-app-key"}).status_code == 200
    assert call(sim, "GET", "/cdn/categories", headers={}).status_code == 401


def test_more_than_1000_skus_are_refused(sim):
    skus = [{"stockCode": f"S{i}", "quantity": 1} for i in range(1001)]
    answer = task(sim, "price-stock-update", skus)
    assert answer.status_code == 400 and "at most 1000" in answer.json()["message"]
    assert task(sim, "price-stock-update", skus[:1000]).status_code == 200


def test_price_rules_and_untouched_fields(sim):
    sim.add_products([{"stockCode": c, "salePrice": 50, "listPrice": 60, "quantity": 4} for c in "ABCDE"])
    rows = results(sim, task(sim, "price-stock-update", [
        {"stockCode": "A", "listPrice": 80, "salePrice": 90},  # list below sale
        {"stockCode": "B", "salePrice": 40},  # sale alone
        {"stockCode": "C", "listPrice": 70.123, "salePrice": 60},  # three decimals
        {"stockCode": "D", "listPrice": 70.5, "salePrice": 60.25},  # prices only: stock untouched
        {"stockCode": "E", "quantity": 9},  # stock only: prices untouched
    ]))
    assert rows["A"]["status"] == "REJECT" and "at least salePrice" in rows["A"]["reasons"][0]
    assert rows["B"]["status"] == "REJECT" and "together" in rows["B"]["reasons"][0]
    assert rows["C"]["status"] == "REJECT" and "two digits" in rows["C"]["reasons"][0]
    assert rows["D"]["status"] == rows["E"]["status"] == "SUCCESS"
    d, e = sim.product("D"), sim.product("E")
    assert (d["listPrice"], d["salePrice"], d["quantity"]) == (70.5, 60.25, 4)
    assert (e["listPrice"], e["salePrice"], e["quantity"]) == (60, 50, 9)
    assert sim.product("A")["salePrice"] == 50  # refused: unchanged


def test_package_queries_take_one_status_and_sane_windows(sim):
    path = "/rest/delivery/v1/shipmentPackages"
    assert call(sim, "GET", path, params={"status": "Created,Picking"}).status_code == 400
    two = call(sim, "GET", path + "?status=Created&status=Picking")
    assert two.status_code == 400 and "one status" in two.json()["message"]
    assert call(sim, "GET", path).status_code == 400
    assert call(sim, "GET", path, params={"status": "Created", "startDate": 2000, "endDate": 1000}).status_code == 400
    assert call(sim, "GET", path, params={"status": "Created", "size": 101}).status_code == 400
    assert call(sim, "GET", path, params={"status": "Created", "page": -1}).status_code == 400
    assert call(sim, "GET", path, params={"status": "Created"}).status_code == 200


def test_a_range_wider_than_a_month_gives_the_month_before_its_end(sim):
    sim.add_products([{"stockCode": "A", "quantity": 5}])
    old = sim.place_order([{"stockCode": "A"}], createdDate=1_700_000_000_000)
    recent = sim.place_order([{"stockCode": "A"}])
    params = {"status": "Created", "startDate": 1_600_000_000_000, "endDate": 1_700_000_000_000 + 40 * 86_400_000}
    ids = [p["id"] for p in call(sim, "GET", "/rest/delivery/v1/shipmentPackages", params=params).json()["content"]]
    assert old["packageId"] not in ids and recent["packageId"] not in ids  # only the month before endDate
    params["startDate"] = 1_700_000_000_000 - 1
    params["endDate"] = 1_700_000_000_000 + 1
    ids = [p["id"] for p in call(sim, "GET", "/rest/delivery/v1/shipmentPackages", params=params).json()["content"]]
    assert ids == [old["packageId"]]


def test_rate_limit_answers_429(sim):
    sim.configure(rate_limit=3)
    codes = [call(sim, "GET", "/cdn/categories").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_split_rules(sim):
    sim.add_products([{"stockCode": "A", "quantity": 9}, {"stockCode": "B", "quantity": 9}])
    placed = sim.place_order([{"stockCode": "A", "quantity": 3}, {"stockCode": "B", "quantity": 1}])
    a_line, b_line = (x["lineId"] for x in placed["lines"])
    split = {"splitGroups": [{"orderLineIds": [a_line]}]}
    assert call(sim, "POST", "/rest/delivery/v1/splitCombinePackage", json=split).status_code == 400  # not Picking
    cancel_only = {"packageId": placed["packageId"], "packageDetails": [],
                   "cancelledItems": [{"orderLineId": a_line, "quantity": 1}]}
    answer = call(sim, "POST", "/rest/delivery/v1/splitPackageByQuantity", json=cancel_only)
    assert answer.status_code == 400 and "cancellation alone" in answer.json()["message"]
    assert call(sim, "PUT", "/rest/order/v1/update", json={"lines": [{"lineId": a_line}], "status": "Picking"}).status_code == 200
    assert call(sim, "POST", "/rest/delivery/v1/splitCombinePackage", json=split).status_code == 200
    assert sim.package(placed["packageId"])["shipmentPackageStatus"] == "UnPacked"
    assert sim.package_of_line(a_line)["id"] != sim.package_of_line(b_line)["id"]


def test_claims_through_the_control_api_and_a_broken_envelope_is_a_fault(sim):
    sim.add_products([{"stockCode": "K1", "quantity": 5}])
    placed = sim.place_order([{"stockCode": "K1", "quantity": 2}])
    made = call(sim, "POST", f"/_sim/packages/{placed['packageId']}/cancel_request", json={}).json()["claimIds"]
    assert call(sim, "GET", f"/_sim/claims/{made[0]}").json()["status"] == "REQUESTED"
    refused = call(sim, "POST", f"/_sim/packages/{placed['packageId']}/return", json={"lineId": placed["lines"][0]["lineId"]})
    assert refused.status_code == 400 and "needs Delivered" in refused.text
    broken = call(sim, "POST", "/ws/returnService/", content=b"<not-xml", headers={})
    assert broken.status_code == 500 and "Fault" in broken.text
