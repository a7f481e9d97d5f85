"""Bad ids and filter values answer 404 / 400, never 500 (issue 16)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", [
    "/api/v1/flow-runs/null,null/lines/",
    "/api/v1/flow-runs/99999999999999999999/lines/",
    "/api/v1/products/abc/",
    "/api/v1/orders/-1/",
    "/api/v1/channels/99999999999999999999/products/resend/",
    "/api/v1/channel/99999999999999999999/cancellation_reasons/",
])
def test_ids_that_do_not_parse_are_404(api, path):
    assert api.get(path).status_code == 404


@pytest.mark.parametrize("query, name", [
    ("/api/v1/orders/?status__in=null,null", "status__in"),
    ("/api/v1/orders/?status__in=['null','null']", "status__in"),
    ("/api/v1/product_prices/?price_list_id=99999999999999999999999", "price_list_id"),
    ("/api/v1/flow-runs/?channel=abc", "channel"),
    ("/api/v1/batch-requests/?run=99999999999999999999999", "run"),
])
def test_filter_values_that_do_not_parse_are_400_naming_the_parameter(api, query, name):
    r = api.get(query)
    assert r.status_code == 400, r.content
    assert name in r.json()


def test_a_valid_in_filter_still_filters(api):
    assert api.get("/api/v1/orders/?status__in=1,2").status_code == 200


def test_a_well_formed_id_that_no_row_has_matches_nothing(api):
    r = api.get("/api/v1/flow-runs/?channel=987654")
    assert r.status_code == 200 and r.json()["results"] == []


def test_a_date_time_filter_with_any_offset_python_takes_is_answered(api):
    # PostgreSQL refuses offsets beyond ±15:59 (a 500 before); in UTC the moment is the same
    r = api.get("/api/v1/flow-runs/", {"started_at__gte": "5238-04-06T17:49:33-17:21"})
    assert r.status_code == 200 and r.json()["results"] == []
    r = api.get("/api/v1/product_prices/", {"modified_at__gte": "0001-01-01T00:30:00+01:00"})
    assert r.status_code == 400 and "modified_at__gte" in r.json()  # before year 1 in UTC: no such moment


def test_json_values_with_a_nul_character_are_a_400_naming_where(api, hb_channel):
    # PostgreSQL cannot store NUL in JSON or text (a 500 before); text fields refused it already
    channel = hb_channel()
    r = api.patch(f"/api/v1/channels/{channel.pk}/", {"config": {"erp_code": "A\u0000B"}}, format="json")
    assert r.status_code == 400 and "erp_code holds the NUL character" in str(r.json()["config"])
    r = api.post("/api/v1/category-mappings/", {"channel": channel.pk, "conditions": {"colour": ["red", "\u0000"]},
                                                "remote_category": 1}, format="json")
    assert r.status_code == 400 and "colour[1] holds the NUL" in str(r.json()["conditions"])
    r = api.post("/api/v1/product_stocks/bulk/", [{"sku": "S", "stock_list": "s1", "quantity": 1},
                                                  {"sku": "S", "stock_list": "s1", "quantity": 1, "extra": {"a\u0000": 1}}],
                 format="json")
    assert r.status_code == 400
    [error] = r.json()["errors"]
    assert error["row"] == 1 and error["field"] == "extra" and "(a key)" in error["message"]
    # an unknown field DRF ignores is not stored, and an escaped backslash is no NUL
    r = api.patch(f"/api/v1/channels/{channel.pk}/", {"config": {"erp_code": "C:\\u0000"}, "x\u0000": 1}, format="json")
    assert r.status_code == 200, r.json()


def test_a_csv_cell_of_json_with_a_nul_character_is_a_400(api, hb_channel):
    import io

    channel = hb_channel()
    csv_text = f'channel,local_category,conditions,remote_category\n{channel.pk},,"{{""a"": ""\\u0000""}}",10\n'
    r = api.post("/api/v1/category-mappings/import/", {"file": io.BytesIO(csv_text.encode())}, format="multipart")
    assert r.status_code == 400 and "NUL" in str(r.json()["rows"])
