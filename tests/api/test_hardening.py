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
