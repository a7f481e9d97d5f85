"""The answer models parse recorded-style answers (one test per fixture) and refuse odd ones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mpdash.marketplaces.errors import MalformedResponse
from mpdash.marketplaces.hepsiburada.models import ListingsPage, UploadAccepted, UploadStatus, parse_answer

from .conftest import load_fixture


def test_upload_accepted_fixture():
    accepted = parse_answer(UploadAccepted, load_fixture("upload_accepted.json"), "POST")
    assert accepted.id == "3957bf91-a1ee-4657-92a0-fcb07bb69d83"
    assert parse_answer(UploadAccepted, {"id": "abc"}, "POST").id == "abc"


def test_stock_upload_status_pending_fixture():
    status = parse_answer(UploadStatus, load_fixture("stock_upload_status_pending.json"), "GET")
    assert not status.is_finished and not status.is_failed
    assert status.errors == []


def test_stock_upload_status_done_fixture():
    status = parse_answer(UploadStatus, load_fixture("stock_upload_status_done.json"), "GET")
    assert status.is_finished and not status.is_failed
    assert (status.total, status.processed, status.errors) == (3, 3, [])
    assert status.created_at.year == 2023


def test_stock_upload_status_with_errors_fixture():
    status = parse_answer(UploadStatus, load_fixture("stock_upload_status_with_errors.json"), "GET")
    assert status.is_finished
    first, second = status.errors
    assert (first.element_no, first.merchant_sku, first.errors) == (2, "SKU-MISSING", ["ProductNotFound"])
    assert second.hepsiburada_sku == "HBCV00001ABCDE"
    assert second.errors == ["InvalidAvailableStock", "InvalidMaximumPurchasableQuantity"]


def test_price_upload_status_locked_fixture():
    status = parse_answer(UploadStatus, load_fixture("price_upload_status_locked.json"), "GET")
    lock = status.price_validations[0]
    assert (lock.element_no, lock.type, lock.min_price, lock.max_price) == (1, "MaxLock", 899.8, 13767.0)
    assert status.errors[0].errors == ["OutOfPriceRange"]


def test_upload_status_failed_fixture():
    status = parse_answer(UploadStatus, load_fixture("upload_status_failed.json"), "GET")
    assert status.is_finished and status.is_failed
    assert status.total == 4000


def test_listings_page_fixture():
    page = parse_answer(ListingsPage, load_fixture("listings_page.json"), "GET")
    assert (page.total_count, page.limit, page.offset) == (39, 2, 0)
    on_sale, closed = page.listings
    assert on_sale.merchant_sku == "HBV0000KSJL98" and on_sale.hepsiburada_sku == "HBV0000105YIF"
    assert on_sale.price == Decimal("10.0") and on_sale.available_stock == 100 and on_sale.is_salable
    assert closed.is_salable is False and closed.lock_reasons == []
    assert closed.deactivation_reasons == ["PriceIsLessThanOrEqualToZero", "StockIsLessThanOrEqualToZero"]


def test_null_listings_is_an_empty_page():
    assert parse_answer(ListingsPage, {"listings": None, "totalCount": 0}, "GET").listings == []


@pytest.mark.parametrize(
    ("model", "data", "names"),
    [
        (UploadAccepted, {"trackingId": "x"}, "id"),
        (UploadAccepted, {"id": ""}, "id"),
        (UploadStatus, {"id": "x", "status": "Done", "errors": "oops"}, "errors"),
        (UploadStatus, {"id": "x"}, "status"),
        (ListingsPage, {"listings": [{"availableStock": "many"}], "totalCount": 1}, "availableStock"),
        (ListingsPage, [1, 2, 3], "(answer)"),
    ],
)
def test_unexpected_answers_raise_malformed_response(model, data, names):
    with pytest.raises(MalformedResponse) as caught:
        parse_answer(model, data, "GET /x")
    message = str(caught.value)
    assert message.startswith("GET /x: unexpected answer from Hepsiburada")
    assert names in message
    assert "pydantic" not in message.lower()


def test_empty_answer_raises_malformed_response():
    with pytest.raises(MalformedResponse, match="empty body"):
        parse_answer(UploadStatus, None, "GET /x")
