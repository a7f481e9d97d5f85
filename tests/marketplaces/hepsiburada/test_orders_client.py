"""The order (OMS) client: requests as Hepsiburada documents them, answers parsed (recorded-style
fixtures), and every failure mapped to the right error; secrets never logged."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from decimal import Decimal

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
from mpdash.marketplaces.hepsiburada.client import HepsiburadaOmsClient, oms_budget, oms_date

from .conftest import MID, load_fixture

TR = timezone(timedelta(hours=3))
SECRET = "oms-key-98765"


def mock_client(handler, **kw) -> HepsiburadaOmsClient:
    return HepsiburadaOmsClient("https://oms.invalid", merchant_id=MID, username=MID, password=SECRET,
                                user_agent="ua", transport=httpx.MockTransport(handler), **kw)


def answering(status: int, payload=None, headers=None, seen: list | None = None):
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        if isinstance(payload, (bytes, str)):
            return httpx.Response(status, content=payload, headers=headers)
        return httpx.Response(status, json=payload, headers=headers)
    return handler


# --- requests -----------------------------------------------------------------------------------
def test_requests_carry_basic_auth_user_agent_and_documented_paths():
    seen: list[httpx.Request] = []
    client = mock_client(answering(200, {"items": [], "totalCount": 0}, seen=seen))
    begin = datetime(2025, 3, 10, 6, 0, tzinfo=timezone.utc)
    client.list_paid_orders(20, 10, begin, begin + timedelta(hours=2))
    request = seen[0]
    assert request.url.path == f"/orders/merchantid/{MID}"
    assert dict(request.url.params) == {"offset": "20", "limit": "10", "begindate": "2025-03-10 09:00",
                                        "enddate": "2025-03-10 11:00"}  # Turkey time
    assert request.headers["user-agent"] == "ua" and request.headers["authorization"].startswith("Basic ")
    assert SECRET not in repr(client) and SECRET not in json.dumps(client.last_exchange())


def test_write_bodies_are_as_documented():
    seen: list[httpx.Request] = []
    client = mock_client(answering(201, {"packageNumber": "P1", "barcode": "B1"}, seen=seen))
    created = client.create_package([("L1", 2), ("L2", 1)], "YK")
    assert (created.package_number, created.barcode) == ("P1", "B1")
    client.cancel_line("L9", 83)
    client.split_package("P1", [[("L1", 1)], [("L1", 1), ("L2", 1)]], cancelled=[("L3", 1, 80)])
    client.send_invoice_link("P1", "https://inv.example.com/a.pdf", serial_number="ABC", row_number="2025000000001")
    moment = datetime(2025, 3, 10, 12, 0, tzinfo=timezone.utc)
    client.mark_in_transit("P1", tracking_number="T-1", shipped_date=moment, tracking_url="https://t/1")
    client.mark_delivered("P1", received_date=moment, received_by="Ayşe")
    client.reject_claim("HBT1", "ProductIsUsed", "Kullanılmış.", ["cGhvdG8="])
    bodies = [(r.method, r.url.path, json.loads(r.content) if r.content else None) for r in seen]
    assert bodies == [
        ("POST", f"/packages/merchantid/{MID}", {"lineItemRequests": [{"id": "L1", "quantity": 2},
                                                                      {"id": "L2", "quantity": 1}],
                                                 "cargoCompany": "YK"}),
        ("POST", f"/lineitems/merchantid/{MID}/id/L9/cancelbymerchant", {"reasonId": 83}),
        ("POST", f"/packages/merchantid/{MID}/packagenumber/P1/split", {
            "packageDetails": [{"lines": [{"orderLineId": "L1", "quantity": 1}]},
                               {"lines": [{"orderLineId": "L1", "quantity": 1}, {"orderLineId": "L2", "quantity": 1}]}],
            "cancelledItems": [{"orderLineId": "L3", "quantity": 1, "cancelReasonId": 80}]}),
        ("PUT", f"/packages/merchantid/{MID}/packagenumber/P1/invoice", {
            "invoiceLink": "https://inv.example.com/a.pdf", "serialNumber": "ABC", "rowNumber": "2025000000001"}),
        ("POST", f"/packages/merchantid/{MID}/packagenumber/P1/intransit", {
            "trackingNumber": "T-1", "shippedDate": "2025-03-10T15:00:00+03:00", "trackingUrl": "https://t/1"}),
        ("POST", f"/packages/merchantid/{MID}/packagenumber/P1/deliver", {
            "receivedDate": "2025-03-10T15:00:00+03:00", "receivedBy": "Ayşe"}),
        ("POST", "/claims/number/HBT1/reject", {"ClaimRejectionReason": "ProductIsUsed",
                                               "MerchantStatement": "Kullanılmış.", "Reports": ["cGhvdG8="]}),
    ]


def test_arguments_are_checked_before_sending(sim, oms_client):
    with pytest.raises(ValueError, match="between 1 and 10"):
        oms_client.list_packages(0, 11)
    with pytest.raises(ValueError, match="between 1 and 100"):
        oms_client.list_paid_orders(0, 101)
    with pytest.raises(ValueError, match="timezone-aware"):
        oms_client.list_paid_orders(0, 10, datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="either timespan"):
        oms_client.list_packages(0, 10, datetime.now(TR), timespan=12)
    with pytest.raises(ValueError, match="status must be one of"):
        oms_client.list_status_packages("lost", 0, 10)
    with pytest.raises(ValueError, match="label format"):
        oms_client.get_labels("P1", "gif")
    with pytest.raises(ValueError, match="package_number"):
        oms_client.unpack(" ")
    with pytest.raises(ValueError, match="at least one line"):
        oms_client.create_package([])
    assert sim.requests_total == 0


def test_missing_settings_raise_config_error():
    with pytest.raises(ConfigError, match="oms_url"):
        HepsiburadaOmsClient(" ", merchant_id="m", username="m", password="p", user_agent="ua")


def test_oms_dates_are_turkey_time_to_the_minute():
    assert oms_date(datetime(2025, 12, 31, 22, 30, 59, tzinfo=timezone.utc)) == "2026-01-01 01:30"


def test_oms_budget_key_and_rates():
    budget = oms_budget("m-1")
    assert budget.key == "hepsiburada:oms:m-1"
    assert [(spec.calls, spec.per_seconds) for spec in budget.specs] == [(500, 1)]


# --- answers ---------------------------------------------------------------------------------------
def test_paid_orders_fixture():
    page = mock_client(answering(200, load_fixture("oms_paid_orders_page.json"))).list_paid_orders(0, 100)
    line = page.items[0]
    assert (page.total_count, line.order_number, line.merchant_sku, line.quantity) == (1, "4123456789",
                                                                                      "KILIF-SIYAH", 2)
    assert line.unit_price.amount == Decimal("149.9") and line.discount_total() == Decimal("20")
    assert (line.shipping_address.town, line.shipping_address.district) == ("Kadıköy", "Caferağa Mah.")
    assert line.invoice.turkish_identity_number == "11111111111" and line.can_create_package is True


def test_packages_fixture():
    package = mock_client(answering(200, load_fixture("oms_packages.json"))).list_packages(0, 10)[0]
    assert (package.package_number, package.status, package.cargo_company) == ("6512345678", "Packaged",
                                                                              "Yurtiçi Kargo")
    assert (package.tax_number, package.billing_town) == ("1234567890", "Şişli")
    item = package.items[0]
    assert (item.line_item_id, item.merchant_sku, item.hb_sku, item.quantity) == (
        "7c2f4a1e-2b7a-4d55-9a0c-6a3f9b1d2e11", "KILIF-SIYAH", "HBV00000ABCDE", 2)
    assert item.discount_total() == Decimal("20") and package.model_extra["totalDeci"] == 1.5


def test_claims_fixture_and_total_from_header():
    client = mock_client(answering(200, load_fixture("oms_claims.json"), headers={"X-Total-Count": "7"}))
    page = client.list_claims(0, 1, status="AwaitingAction")
    claim = page.items[0]
    assert page.total_count == 7
    assert (claim.number, claim.status, claim.line_item_id, claim.merchant_sku, claim.reason) == (
        "HBT1234567", "AwaitingAction", "7c2f4a1e-2b7a-4d55-9a0c-6a3f9b1d2e11", "KILIF-SIYAH", "IncompatiblyProduct")
    without = mock_client(answering(200, [])).list_claims(0, 10)
    assert without.items == [] and without.total_count is None


def test_unpacked_is_read_as_the_documented_array_or_a_bare_page():
    documented = mock_client(answering(200, load_fixture("oms_unpacked.json"))).list_unpacked(0, 10)
    bare = mock_client(answering(200, load_fixture("oms_unpacked.json")[0])).list_unpacked(0, 10)
    assert documented == bare and documented.items[0].package_number == "6512345678"
    assert mock_client(answering(200, [])).list_unpacked(0, 10).total_count == 0
    with pytest.raises(MalformedResponse, match="one page object"):
        mock_client(answering(200, [{"items": [], "totalCount": 0}] * 2)).list_unpacked(0, 10)


def test_unexpected_shapes_raise_malformed_response():
    with pytest.raises(MalformedResponse, match="array of packages"):
        mock_client(answering(200, {"items": []})).list_packages(0, 10)
    with pytest.raises(MalformedResponse, match="array of claims"):
        mock_client(answering(200, {"claims": []})).list_claims(0, 10)
    with pytest.raises(MalformedResponse, match="totalCount"):
        mock_client(answering(200, {"items": []})).list_paid_orders(0, 10)
    with pytest.raises(MalformedResponse, match="packageNumber"):
        mock_client(answering(201, {"barcode": "B"})).create_package([("L1", 1)])
    with pytest.raises(MalformedResponse, match="empty body"):
        mock_client(answering(200, b"")).get_package("P1")


# --- failures mapped, against the simulator ---------------------------------------------------------
def test_wrong_credentials_raise_auth_error(make_oms_client):
    with pytest.raises(AuthError) as caught:
        make_oms_client(password="wrong").list_packages(0, 10)
    assert caught.value.status_code == 401 and caught.value.action is Action.FAIL_RUN
    with pytest.raises(AuthError) as caught:
        make_oms_client(user_agent="somebody-else").list_packages(0, 10)
    assert caught.value.status_code == 403


def test_429_raises_rate_limited_with_retry_after_from_headers(sim, oms_client):
    sim.configure(fault={"mode": "429", "count": 1, "path": "^/packages/"})
    with pytest.raises(RateLimited) as caught:
        oms_client.list_packages(0, 10)
    assert caught.value.retry_after == 2.0 and caught.value.action is Action.RETRY_LATER
    assert oms_client.list_packages(0, 10) == []  # the fault cleared itself


def test_real_oms_rate_limit_window(sim, oms_client):
    sim.configure(oms_rate_limit=2)
    with pytest.raises(RateLimited) as caught:
        for _ in range(8):
            oms_client.list_packages(0, 1)
    assert 0 < caught.value.retry_after <= 1.0 and caught.value.status_code == 429


def test_5xx_raises_transient_error(sim, oms_client):
    sim.configure(fault={"mode": "5xx", "count": 1, "path": "^/packages/", "status": 502})
    with pytest.raises(TransientError) as caught:
        oms_client.create_package([("L1", 1)])
    assert caught.value.status_code == 502 and caught.value.action is Action.PENALISE
    assert sim.oms_counters()["packages_total"] == 0


def test_timeout_raises_transient_error(sim, make_oms_client):
    sim.configure(fault={"mode": "timeout", "count": 1, "path": None}, timeout_sleep=3)
    client = make_oms_client(timeout=httpx.Timeout(0.5))
    with pytest.raises(TransientError, match="did not answer in time"):
        client.list_paid_orders(0, 10)
    assert client.last_exchange()["error"].startswith("timeout")


def test_malformed_answer_raises_malformed_response(sim, oms_client):
    sim.configure(fault={"mode": "malformed", "count": 1, "path": None})
    with pytest.raises(MalformedResponse, match="not JSON"):
        oms_client.list_claims(0, 10)


def test_refusals_raise_request_rejected_with_the_status(sim, oms_client):
    line_id = sim.place_order([{"merchantSku": "A", "quantity": 1}])["lineItemIds"][0]
    package = oms_client.create_package([(line_id, 1)])
    with pytest.raises(RequestRejected) as caught:
        oms_client.create_package([(line_id, 1)])
    assert caught.value.status_code == 409 and "Packaged" in str(caught.value)
    with pytest.raises(RequestRejected) as caught:
        oms_client.send_invoice_link(package.package_number, "https://inv.example.com/a.html")
    assert caught.value.status_code == 400 and ".pdf" in str(caught.value)
    with pytest.raises(RequestRejected) as caught:
        oms_client.get_package("nope")
    assert caught.value.status_code == 404


def test_claims_paging_reads_the_total_header(sim, oms_client):
    line_id = sim.place_order([{"merchantSku": "A", "quantity": 3}], pack=True)["lineItemIds"][0]
    number = sim.order(sim.orders()[0]["orderNumber"])["packageNumbers"][0]
    sim.move_package(number, "InTransit")
    sim.move_package(number, "Delivered")
    for _ in range(3):
        sim.create_claim(line_id, quantity=1)
    page = oms_client.list_claims(2, 2)
    assert page.total_count == 3 and len(page.items) == 1


def test_secrets_never_in_logged_exchanges(sim, oms_client, caplog):
    caplog.set_level(logging.DEBUG)
    line_id = sim.place_order([{"merchantSku": "A", "quantity": 1}])["lineItemIds"][0]
    oms_client.list_paid_orders(0, 10)
    package = oms_client.create_package([(line_id, 1)])
    oms_client.send_invoice_link(package.package_number, "https://inv.example.com/a.pdf")
    with pytest.raises(RequestRejected):
        oms_client.reject_claim("HBT0", "Other", "Bir açıklama")
    sim.configure(fault={"mode": "5xx", "count": 1, "path": None})
    with pytest.raises(TransientError):
        oms_client.list_packages(0, 10)
    password = sim.options["password"]
    recorded = json.dumps([e.as_dict() for e in oms_client.exchanges], ensure_ascii=False)
    assert oms_client.exchanges and password not in recorded and "Basic " not in recorded
    assert password not in caplog.text and password not in repr(oms_client)


def test_package_listing_sends_offset_as_hepsiburadas_example_spells_it(sim, oms_client):
    """The packages listing sends ``Offset`` (changelog examples, checked 2026-12-06), and
    the simulator accepts it over real HTTP."""
    seen: list[httpx.Request] = []
    mock_client(answering(200, [], seen=seen)).list_packages(10, 10, timespan=96)
    assert dict(seen[0].url.params) == {"Offset": "10", "limit": "10", "timespan": "96"}
    assert "offset" not in dict(seen[0].url.params)
    assert oms_client.list_packages(10, 10) == []  # accepted by the simulator


def test_claims_accept_claim_number_as_well_as_number():
    from mpdash.marketplaces.hepsiburada.models import Claim

    assert Claim.model_validate({"number": "C-1", "status": "NewRequest"}).number == "C-1"
    assert Claim.model_validate({"claimNumber": "C-2", "status": "NewRequest"}).number == "C-2"
    with pytest.raises(Exception, match="number"):
        Claim.model_validate({"status": "NewRequest"})


def test_upload_answer_tracking_id_at_the_top_level_or_under_data():
    from mpdash.marketplaces.hepsiburada.models import ImportAccepted

    assert ImportAccepted.model_validate({"success": True, "data": {"trackingId": "T-1"}}).data.tracking_id == "T-1"
    assert ImportAccepted.model_validate({"success": True, "trackingId": "T-2"}).data.tracking_id == "T-2"
    with pytest.raises(Exception, match="data"):
        ImportAccepted.model_validate({"success": True})
